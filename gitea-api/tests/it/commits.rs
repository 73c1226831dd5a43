//! `commits_not_in`: who made the commits of a branch that the default branch lacks, and what
//! each one changed, through gitea-fake.

use gitea_api::{ChangeFileOperation, ChangeFiles};

use crate::common::{HEAD, ORG, REPO, client, fake};

#[tokio::test(start_paused = true)]
async fn the_commits_of_a_branch_since_main_name_author_parents_and_files() {
    let fake = fake().await;
    let store = fake.store();
    store.add_user("mallory");
    let workflow: [(&str, &[u8]); 1] = [(".gitea/workflows/ci.yml", b"on: push\n")];
    store
        .commit_files_as(ORG, REPO, HEAD, &workflow, "Add CI", Some("mallory"))
        .unwrap();
    let client = client(&fake);
    let version = client
        .get_contents(ORG, REPO, "runtime-version", Some(HEAD))
        .await
        .unwrap();
    let change = ChangeFiles {
        files: vec![ChangeFileOperation::update(
            "runtime-version",
            "1.3.0\n",
            version.sha,
        )],
        branch: Some(HEAD.to_owned()),
        message: Some("Bump runtime to 1.3.0".to_owned()),
        ..ChangeFiles::default()
    };
    client.change_files(ORG, REPO, &change).await.unwrap();

    let range = client
        .commits_not_in(ORG, REPO, HEAD, "main", 2)
        .await
        .unwrap();
    assert_eq!(range.total, 2);
    let [ours, theirs] = &range.commits[..] else {
        panic!("{range:?}");
    };
    assert_eq!(ours.author.as_ref().map(|u| u.login.as_str()), Some("bot"));
    assert_eq!(ours.git.message, "Bump runtime to 1.3.0\n");
    assert_eq!(ours.parents.len(), 1);
    assert_eq!(ours.parents[0].sha, theirs.sha);
    let names = |c: &gitea_api::Commit| -> Vec<(String, String)> {
        c.files
            .iter()
            .flatten()
            .map(|f| (f.filename.clone(), f.status.clone()))
            .collect()
    };
    assert_eq!(names(ours), [("runtime-version".into(), "modified".into())]);
    assert_eq!(
        theirs.author.as_ref().map(|u| u.login.as_str()),
        Some("mallory")
    );
    assert_eq!(
        names(theirs),
        [(".gitea/workflows/ci.yml".into(), "added".into())]
    );

    let one = client
        .commits_not_in(ORG, REPO, HEAD, "main", 1)
        .await
        .unwrap();
    assert_eq!((one.commits.len(), one.total), (1, 2));
    let none = client
        .commits_not_in(ORG, REPO, "main", HEAD, 2)
        .await
        .unwrap();
    assert_eq!((none.commits.len(), none.total), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn an_unknown_head_is_not_found_and_a_limit_outside_the_page_is_refused() {
    let fake = fake().await;
    let client = client(&fake);
    let unknown = client
        .commits_not_in(ORG, REPO, "no-such-branch", "main", 2)
        .await
        .unwrap_err();
    assert!(unknown.is_not_found(), "{unknown:?}");
    for limit in [0, 51] {
        let err = client
            .commits_not_in(ORG, REPO, "main", "main", limit)
            .await
            .unwrap_err();
        assert!(
            matches!(err, gitea_api::Error::InvalidInput { .. }),
            "{err:?}"
        );
    }
}
