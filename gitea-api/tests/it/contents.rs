//! Contents reads and writes against gitea-fake.

use crate::common::{
    FILE_CONTENTS, ORG, READ_TOKEN, REPO, archived, client, client_with, count, fake, stored,
};
use gitea_api::{ChangeFileOperation, ChangeFiles, Identity, RetryScope, UpdateFile};

#[tokio::test(start_paused = true)]
async fn get_contents_decodes_and_keeps_the_blob_sha() {
    let fake = fake().await;
    let file = client(&fake)
        .get_contents(ORG, REPO, "runtime-version", Some("main"))
        .await
        .unwrap();
    assert_eq!(file.path, "runtime-version");
    assert_eq!(file.bytes, b"1.2.3\n");
    // `git hash-object` of "1.2.3\n"
    assert_eq!(file.sha, "0495c4a88caed0f036ffab0948c17d4b5fdc96c1");
}

#[tokio::test(start_paused = true)]
async fn get_contents_errors() {
    let fake = fake().await;
    let client = client(&fake);
    let missing = client
        .get_contents(ORG, REPO, "nope.txt", None)
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    let bad_ref = client
        .get_contents(ORG, REPO, "runtime-version", Some("no-such-ref"))
        .await
        .unwrap_err();
    assert!(bad_ref.is_not_found(), "{bad_ref}");
    let no_repo = client
        .get_contents(ORG, "nope", "runtime-version", None)
        .await
        .unwrap_err();
    assert!(no_repo.is_not_found(), "{no_repo}");
    let traversal = client
        .get_contents(ORG, REPO, "../etc/passwd", None)
        .await
        .unwrap_err();
    assert!(
        matches!(traversal, gitea_api::Error::InvalidInput { .. }),
        "{traversal}"
    );
}

#[tokio::test(start_paused = true)]
async fn batch_read_in_order_with_missing_files() {
    let fake = fake().await;
    let client = client(&fake);
    let files = client
        .get_file_contents(
            ORG,
            REPO,
            &["requirements.txt", "missing", "runtime-version"],
            Some("main"),
        )
        .await
        .unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(
        files[0].as_ref().unwrap().bytes,
        b"flask==3.0.0\nruntime==1.2.3\n"
    );
    assert!(files[1].is_none());
    assert_eq!(files[2].as_ref().unwrap().path, "runtime-version");
    assert_eq!(count(&fake, "GET", FILE_CONTENTS), 1);
    assert_eq!(
        count(&fake, "GET", "/api/v1/repos/platform/app/contents/missing"),
        0
    );
}

#[tokio::test(start_paused = true)]
async fn batch_read_of_a_missing_repo_is_an_error_on_new_servers() {
    let fake = fake().await;
    let err = client(&fake)
        .get_file_contents(ORG, "nope", &["a"], None)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

fn update(content: &str, sha: &str) -> UpdateFile {
    UpdateFile {
        content: content.as_bytes().to_vec(),
        sha: Some(sha.to_owned()),
        message: Some("bump".to_owned()),
        ..UpdateFile::default()
    }
}

#[tokio::test(start_paused = true)]
async fn update_file_on_a_new_branch() {
    let fake = fake().await;
    let client = client(&fake);
    let old = client
        .get_contents(ORG, REPO, "runtime-version", None)
        .await
        .unwrap();
    let mut change = update("1.3.0\n", &old.sha);
    change.branch = Some("main".into());
    change.new_branch = Some("bump/runtime-1.3.0".into());
    let commit = client
        .update_file(ORG, REPO, "runtime-version", &change)
        .await
        .unwrap();
    assert_eq!(commit.sha.len(), 40);
    assert_eq!(commit.files.len(), 1);
    assert_eq!(commit.files[0].path, "runtime-version");
    assert_eq!(
        stored(&fake, "bump/runtime-1.3.0", "runtime-version").unwrap(),
        b"1.3.0\n"
    );
    assert_eq!(
        stored(&fake, "main", "runtime-version").unwrap(),
        b"1.2.3\n"
    );
}

#[tokio::test(start_paused = true)]
async fn update_file_errors() {
    let fake = fake().await;
    let client = client(&fake);
    let old = client
        .get_contents(ORG, REPO, "runtime-version", None)
        .await
        .unwrap();

    let stale = client
        .update_file(
            ORG,
            REPO,
            "runtime-version",
            &update("x\n", &"0".repeat(40)),
        )
        .await
        .unwrap_err();
    assert!(stale.is_sha_mismatch(), "{stale}");

    fake.store().create_branch(ORG, REPO, "taken", "main");
    let mut change = update("x\n", &old.sha);
    change.new_branch = Some("taken".into());
    let exists = client
        .update_file(ORG, REPO, "runtime-version", &change)
        .await
        .unwrap_err();
    assert!(exists.is_branch_already_exists(), "{exists}");

    let mut change = update("x\n", &old.sha);
    change.branch = Some("no-such-branch".into());
    let no_branch = client
        .update_file(ORG, REPO, "runtime-version", &change)
        .await
        .unwrap_err();
    assert!(no_branch.is_not_found(), "{no_branch}");

    let read_only = client_with(&fake, READ_TOKEN, RetryScope::default());
    let forbidden = read_only
        .update_file(ORG, REPO, "runtime-version", &update("x\n", &old.sha))
        .await
        .unwrap_err();
    assert!(forbidden.is_forbidden(), "{forbidden}");

    let anonymous = gitea_api::Client::builder(fake.base_url()).build().unwrap();
    let unauthorized = anonymous
        .update_file(ORG, REPO, "runtime-version", &update("x\n", &old.sha))
        .await
        .unwrap_err();
    assert!(unauthorized.is_unauthorized(), "{unauthorized}");

    fake.store().set_archived(ORG, REPO, true);
    let archived = client
        .update_file(ORG, REPO, "runtime-version", &update("x\n", &old.sha))
        .await
        .unwrap_err();
    assert!(archived.is_archived(), "{archived}");
    assert_eq!(
        stored(&fake, "main", "runtime-version").unwrap(),
        b"1.2.3\n"
    );
}

fn bump(files: &[(&str, &str, String)], new_branch: &str) -> ChangeFiles {
    ChangeFiles {
        files: files
            .iter()
            .map(|(path, content, sha)| {
                ChangeFileOperation::update(*path, content.as_bytes(), sha.clone())
            })
            .collect(),
        branch: Some("main".into()),
        new_branch: Some(new_branch.into()),
        message: Some("Bump runtime to 1.3.0".into()),
        ..ChangeFiles::default()
    }
}

#[tokio::test(start_paused = true)]
async fn change_files_commits_both_files_on_a_new_branch() {
    let fake = fake().await;
    let client = client(&fake);
    let read = client
        .get_file_contents(ORG, REPO, &["runtime-version", "requirements.txt"], None)
        .await
        .unwrap();
    let (rv, req) = (read[0].clone().unwrap(), read[1].clone().unwrap());
    let change = bump(
        &[
            ("runtime-version", "1.3.0\n", rv.sha),
            (
                "requirements.txt",
                "flask==3.0.0\nruntime==1.3.0\n",
                req.sha,
            ),
        ],
        "bump/runtime-1.3.0",
    );
    let commit = client.change_files(ORG, REPO, &change).await.unwrap();
    assert_eq!(commit.files.len(), 2);
    let store = fake.store();
    assert_eq!(
        stored(&fake, "bump/runtime-1.3.0", "runtime-version").unwrap(),
        b"1.3.0\n"
    );
    assert_eq!(
        stored(&fake, "bump/runtime-1.3.0", "requirements.txt").unwrap(),
        b"flask==3.0.0\nruntime==1.3.0\n"
    );
    assert_eq!(
        store
            .commit_messages(ORG, REPO, "bump/runtime-1.3.0")
            .first()
            .map(String::as_str),
        Some("Bump runtime to 1.3.0")
    );

    let again = client.change_files(ORG, REPO, &change).await.unwrap_err();
    assert!(again.is_branch_already_exists(), "{again}");
    assert_eq!(again.status(), Some(422));
}

#[tokio::test(start_paused = true)]
async fn change_files_errors() {
    let fake = fake().await;
    fake.store().create_repo(ORG, "old", archived());
    let client = client(&fake);
    let stale = bump(&[("runtime-version", "1.3.0\n", "0".repeat(40))], "bump/x");
    let err = client.change_files(ORG, REPO, &stale).await.unwrap_err();
    assert!(err.is_sha_mismatch(), "{err}");
    let err = client.change_files(ORG, "old", &stale).await.unwrap_err();
    assert!(err.is_archived(), "{err}");
    let err = client.change_files(ORG, "nope", &stale).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(
        fake.store()
            .branches(ORG, REPO)
            .iter()
            .all(|b| b != "bump/x")
    );
}

/// Gitea serves the batch read as `POST` only to tokens with `write:repository`
/// (GetFileContentsPost, routers/api/v1/repo/file.go); the `GET ?body=` form needs read.
#[tokio::test(start_paused = true)]
async fn batch_read_works_with_a_read_only_token_in_one_request() {
    let fake = fake().await;
    let scopes: gitea_fake::TokenScopes = "read:repository".parse().unwrap();
    fake.store().add_token("repo-read", "bot", scopes);
    let read_only = client_with(&fake, "repo-read", RetryScope::default());
    let files = read_only
        .get_file_contents(ORG, REPO, &["runtime-version", "requirements.txt"], None)
        .await
        .unwrap();
    assert_eq!(files[0].as_ref().unwrap().bytes, b"1.2.3\n");
    assert!(files[1].is_some());
    assert_eq!(count(&fake, "GET", FILE_CONTENTS), 1);
    assert_eq!(count(&fake, "POST", FILE_CONTENTS), 0);
    assert_eq!(read_only.api_calls(), 2, "the version, then one batch");
}

#[tokio::test(start_paused = true)]
async fn a_long_batch_is_split_to_keep_each_request_line_short() {
    let fake = fake().await;
    let names: Vec<String> = (0..40)
        .map(|i| format!("{}/{i}.txt", "d".repeat(200)))
        .collect();
    let paths: Vec<&str> = names.iter().map(String::as_str).collect();
    let files = client(&fake)
        .get_file_contents(ORG, REPO, &paths, None)
        .await
        .unwrap();
    assert_eq!(files.len(), 40);
    assert!(files.iter().all(Option::is_none));
    let batches: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == FILE_CONTENTS)
        .collect();
    assert!(batches.len() >= 2, "{} requests", batches.len());
    assert!(
        batches
            .iter()
            .all(|r| r.query.as_deref().is_some_and(|q| q.len() <= 6 * 1024)),
    );
}

#[tokio::test(start_paused = true)]
async fn write_scope_is_checked_without_writing() {
    let fake = fake().await;
    client(&fake)
        .check_write_scope(ORG, REPO, "runtime-version")
        .await
        .unwrap();
    let read_only = client_with(&fake, READ_TOKEN, RetryScope::default());
    let err = read_only
        .check_write_scope(ORG, REPO, "runtime-version")
        .await
        .unwrap_err();
    assert_eq!(
        err.missing_scopes(),
        Some(vec!["write:repository".to_owned()])
    );
    assert!(fake.requests().iter().all(|r| r.path == FILE_CONTENTS));
    assert_eq!(fake.store().commit_messages(ORG, REPO, "main").len(), 2);
}

#[tokio::test(start_paused = true)]
async fn change_files_writes_the_given_author_and_committer() {
    let fake = fake().await;
    let client = client(&fake);
    let rv = client
        .get_contents(ORG, REPO, "runtime-version", Some("main"))
        .await
        .unwrap();
    let author = Identity {
        name: "Platform Bot".into(),
        email: "platform-bot@example.com".into(),
    };
    let committer = Identity {
        name: "Release CI".into(),
        email: "bot@noreply.localhost".into(),
    };
    let change = ChangeFiles {
        author: Some(author.clone()),
        committer: Some(committer.clone()),
        ..bump(
            &[("runtime-version", "1.3.0\n", rv.sha)],
            "bump/runtime-1.3.0",
        )
    };
    client.change_files(ORG, REPO, &change).await.unwrap();
    let range = client
        .commits_not_in(ORG, REPO, "bump/runtime-1.3.0", "main", 2)
        .await
        .unwrap();
    let commit = &range.commits[0];
    assert_eq!(
        (&commit.git.author, &commit.git.committer),
        (&author, &committer)
    );
    assert_eq!(commit.author, None, "the author's e-mail is nobody's");
    assert_eq!(
        commit.committer.as_ref().map(|u| u.login.as_str()),
        Some("bot")
    );
}
