//! Write endpoints through real HTTP: contents (PUT and POST), branches and pull requests,
//! with every documented error status and Gitea's check order.

use crate::common::{READ_TOKEN, Resp, TOKEN, b64, blob_sha, call, fake, send};
use gitea_fake::{FakeGitea, PullState};
use reqwest::{Method, StatusCode};
use serde_json::json;

const BUMP: &str = "bump/runtime-2.0.0";

const CONTENTS: &str = "/api/v1/repos/acme/app/contents";
const BRANCHES: &str = "/api/v1/repos/acme/app/branches";
const PULLS: &str = "/api/v1/repos/acme/app/pulls";

/// A POST with the write token.
async fn post(f: &FakeGitea, path: &str, body: impl ToString) -> Resp {
    send(f, Method::POST, path, &body.to_string()).await
}

/// A PUT with the write token.
async fn put(f: &FakeGitea, path: &str, body: impl ToString) -> Resp {
    send(f, Method::PUT, path, &body.to_string()).await
}

/// A file of `acme/app` as the store holds it.
fn app_file(f: &FakeGitea, branch: &str, path: &str) -> Option<Vec<u8>> {
    f.store().file("acme", "app", branch, path)
}

/// Asserts an answer's status and Gitea `message`.
#[track_caller]
fn expect(r: &Resp, status: StatusCode, message: impl AsRef<str>) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.message(), message.as_ref());
}

fn two_file_bump(rv_sha: &str, req_sha: &str) -> String {
    json!({
        "branch": "main",
        "new_branch": BUMP,
        "message": "Bump runtime to 2.0.0",
        "files": [
            {"operation": "update", "path": "runtime-version", "content": b64("2.0.0\n"), "sha": rv_sha},
            {"operation": "update", "path": "requirements.txt", "content": b64("platform-runtime==2.0.0\n"), "sha": req_sha},
        ],
    })
    .to_string()
}

fn shas() -> (String, String) {
    (blob_sha(b"1.0.0\n"), blob_sha(b"platform-runtime==1.0.0\n"))
}

#[tokio::test]
async fn change_files_makes_one_commit_on_a_new_branch() {
    let f = fake().await;
    let (a, b) = shas();
    let main_before = f.store().branch_head("acme", "app", "main");
    let r = post(&f, CONTENTS, &two_file_bump(&a, &b)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = r.json();
    assert_eq!(v["files"][0]["content"], b64("2.0.0\n"));
    assert_eq!(v["files"][1]["sha"], blob_sha(b"platform-runtime==2.0.0\n"));
    assert_eq!(
        v["commit"]["parents"][0]["sha"].as_str(),
        main_before.as_deref()
    );
    assert_eq!(
        v["commit"]["sha"].as_str(),
        f.store().branch_head("acme", "app", BUMP).as_deref()
    );
    assert_eq!(app_file(&f, BUMP, "runtime-version").unwrap(), b"2.0.0\n");
    assert_eq!(app_file(&f, "main", "runtime-version").unwrap(), b"1.0.0\n");
    assert_eq!(f.store().branch_head("acme", "app", "main"), main_before);
    let msgs = f.store().commit_messages("acme", "app", BUMP);
    assert_eq!(msgs[0], "Bump runtime to 2.0.0");
    // Initial commit, seed, bump.
    assert_eq!(msgs.len(), 3);

    // The same request again: the branch exists now.
    let again = post(&f, CONTENTS, &two_file_bump(&a, &b)).await;
    expect(
        &again,
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("branch already exists [name: {BUMP}]"),
    );
}

#[tokio::test]
async fn change_files_rejects_stale_and_missing_shas_atomically() {
    let f = fake().await;
    let (a, _) = shas();
    let stale = two_file_bump(&a, "0000000000000000000000000000000000000000");
    let r = post(&f, CONTENTS, &stale).await;
    expect(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        format!(
            "sha does not match [given: 0000000000000000000000000000000000000000, expected: {}]",
            blob_sha(b"platform-runtime==1.0.0\n")
        ),
    );
    // Nothing was applied, not even the first file or the branch.
    assert_eq!(f.store().branches("acme", "app"), ["main"]);

    let missing =
        json!({"files": [{"operation": "update", "path": "nope", "content": b64("x"), "sha": a}]});
    let r = post(&f, CONTENTS, &missing).await;
    expect(
        &r,
        StatusCode::NOT_FOUND,
        "object does not exist [id: , rel_path: nope]",
    );

    let exists =
        json!({"files": [{"operation": "create", "path": "runtime-version", "content": b64("x")}]});
    let r = post(&f, CONTENTS, &exists).await;
    expect(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "repository file already exists [path: runtime-version]",
    );

    let bad_branch = json!({"branch": "nope", "files": [{"operation": "create", "path": "x", "content": b64("x")}]});
    let r = post(&f, CONTENTS, &bad_branch).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.message().starts_with("branch does not exist [repo_id: "),
        "{}",
        r.message()
    );

    let no_files = post(&f, CONTENTS, "{}").await;
    expect(
        &no_files,
        StatusCode::UNPROCESSABLE_ENTITY,
        "[Files]: Required",
    );

    let bad_b64 = json!({"files": [{"operation": "create", "path": "x", "content": "!!!"}]});
    let r = post(&f, CONTENTS, &bad_b64).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.message().starts_with("illegal base64 data at input byte"));

    let bad_path =
        json!({"files": [{"operation": "create", "path": "a/.git/x", "content": b64("x")}]});
    let r = post(&f, CONTENTS, &bad_path).await;
    expect(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "path contains a malformed path component [path: a/.git/x]",
    );
    assert_eq!(
        f.store().commit_messages("acme", "app", "main").len(),
        2,
        "nothing committed"
    );
}

#[tokio::test]
async fn change_files_create_and_delete() {
    let f = fake().await;
    let body = json!({
        "files": [
            {"operation": "create", "path": "docs/new.md", "content": b64("hi")},
            {"operation": "delete", "path": "requirements.txt", "sha": blob_sha(b"platform-runtime==1.0.0\n")},
        ],
    });
    let r = post(&f, CONTENTS, &body).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(r.json()["files"][1].is_null());
    assert_eq!(app_file(&f, "main", "docs/new.md").unwrap(), b"hi");
    assert!(app_file(&f, "main", "requirements.txt").is_none());
}

#[tokio::test]
async fn put_updates_with_sha_and_creates_without() {
    let f = fake().await;
    let body = json!({"content": b64("1.1.0\n"), "sha": blob_sha(b"1.0.0\n"), "message": "bump"});
    let r = put(&f, "/api/v1/repos/acme/app/contents/runtime-version", &body).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["content"]["sha"], blob_sha(b"1.1.0\n"));
    assert_eq!(v["commit"]["message"], "bump\n");
    assert_eq!(app_file(&f, "main", "runtime-version").unwrap(), b"1.1.0\n");

    let create = json!({"content": b64("new")});
    let r = put(&f, "/api/v1/repos/acme/app/contents/notes/a.txt", &create).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["content"]["path"], "notes/a.txt");

    let again = put(&f, "/api/v1/repos/acme/app/contents/notes/a.txt", &create).await;
    expect(
        &again,
        StatusCode::UNPROCESSABLE_ENTITY,
        "repository file already exists [path: notes/a.txt]",
    );

    let stale = json!({"content": b64("x"), "sha": blob_sha(b"1.0.0\n")});
    let r = put(
        &f,
        "/api/v1/repos/acme/app/contents/runtime-version",
        &stale,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.message().starts_with("sha does not match [given: "));

    // `content` is not binding-required (UpdateFileOptions): the file is created empty.
    let no_content = put(&f, "/api/v1/repos/acme/app/contents/x", "{}").await;
    assert_eq!(
        no_content.status,
        StatusCode::CREATED,
        "{}",
        no_content.text
    );
    assert_eq!(app_file(&f, "main", "x").unwrap(), b"");
}

#[tokio::test]
async fn put_with_new_branch_checks_sha_against_the_base() {
    let f = fake().await;
    let body = json!({"content": b64("2.0.0\n"), "sha": blob_sha(b"1.0.0\n"), "branch": "main", "new_branch": BUMP});
    let r = put(&f, "/api/v1/repos/acme/app/contents/runtime-version", &body).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app_file(&f, BUMP, "runtime-version").unwrap(), b"2.0.0\n");
    let again = put(&f, "/api/v1/repos/acme/app/contents/runtime-version", &body).await;
    expect(
        &again,
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("branch already exists [name: {BUMP}]"),
    );
    let bad = json!({"content": b64("x"), "new_branch": "bad..name"});
    let r = put(&f, "/api/v1/repos/acme/app/contents/x", &bad).await;
    expect(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "[NewBranchName]: GitRefName",
    );
}

#[tokio::test]
async fn writes_in_an_empty_repo_create_the_default_branch() {
    let f = fake().await;
    let opts = gitea_fake::RepoOptions {
        empty: true,
        ..Default::default()
    };
    f.store().create_repo("acme", "void", opts);
    let body = json!({"content": b64("1.0.0\n")});
    let r = put(
        &f,
        "/api/v1/repos/acme/void/contents/runtime-version",
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(f.store().branches("acme", "void"), ["main"]);
}

#[tokio::test]
async fn create_branch_and_its_errors() {
    let f = fake().await;
    let r = post(&f, BRANCHES, &json!({"new_branch_name": BUMP})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["name"], BUMP);
    assert_eq!(
        f.store().branch_head("acme", "app", BUMP),
        f.store().branch_head("acme", "app", "main")
    );

    let dup = post(&f, BRANCHES, &json!({"new_branch_name": BUMP})).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(
        dup.json(),
        json!({"message": "The branch already exists.", "url": format!("{}/api/swagger", f.base_url())})
    );

    let from = json!({"new_branch_name": "x", "old_branch_name": "nope"});
    let r = post(&f, BRANCHES, &from).await;
    expect(&r, StatusCode::NOT_FOUND, "The old branch does not exist");

    let by_ref = json!({"new_branch_name": "y", "old_ref_name": "nope"});
    let r = post(&f, BRANCHES, &by_ref).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);

    let head = f.store().branch_head("acme", "app", "main").unwrap();
    let by_sha = json!({"new_branch_name": "z", "old_ref_name": head});
    let r = post(&f, BRANCHES, &by_sha).await;
    assert_eq!(r.status, StatusCode::CREATED);

    let missing = post(&f, BRANCHES, "{}").await;
    expect(
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "[BranchName]: Required",
    );

    let opts = gitea_fake::RepoOptions {
        empty: true,
        ..Default::default()
    };
    f.store().create_repo("acme", "void", opts);
    let r = post(
        &f,
        "/api/v1/repos/acme/void/branches",
        &json!({"new_branch_name": "a"}),
    )
    .await;
    expect(&r, StatusCode::NOT_FOUND, "Git Repository is empty.");
}

fn pr(head: &str, base: &str) -> String {
    json!({"head": head, "base": base, "title": "Bump runtime", "body": "Automated."}).to_string()
}

#[tokio::test]
async fn create_pull_201_then_409_duplicate() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    let label = f.store().create_label("acme", "app", "dependencies");
    let body = json!({"head": BUMP, "base": "main", "title": "Bump", "labels": [label, 9999]});
    let r = post(&f, PULLS, &body).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = r.json();
    assert_eq!(v["state"], "open");
    assert_eq!(v["head"]["ref"], BUMP);
    assert_eq!(v["base"]["ref"], "main");
    assert_eq!(v["labels"][0]["name"], "dependencies");
    assert_eq!(v["labels"].as_array().unwrap().len(), 1);
    assert_eq!(v["user"]["login"], "bot");
    let number = v["number"].as_i64().unwrap();
    let id = v["id"].as_i64().unwrap();

    let dup = post(&f, PULLS, &pr(BUMP, "main")).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let repo_id = call(&f, Method::GET, "/api/v1/repos/acme/app", None, None)
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        dup.message(),
        format!(
            "pull request already exists for these targets [id: {id}, issue_id: {number}, head_repo_id: {repo_id}, base_repo_id: {repo_id}, head_branch: {BUMP}, base_branch: main]"
        )
    );
    let snap = f.store().pulls("acme", "app");
    assert_eq!(snap.len(), 1);
    assert_eq!(snap[0].labels, ["dependencies"]);
}

#[tokio::test]
async fn closed_prs_do_not_block_a_new_one() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    f.store()
        .create_pull("acme", "app", BUMP, "main", "old", "", PullState::Closed);
    let r = post(&f, PULLS, &pr(BUMP, "main")).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["number"], 2);
}

#[tokio::test]
async fn create_pull_checks_in_gitea_order() {
    let f = fake().await;
    let same = post(&f, PULLS, &pr("main", "main")).await;
    expect(
        &same,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Invalid PullRequest: There are no changes between the head and the base",
    );

    let missing_head = post(&f, PULLS, &pr("nope", "main")).await;
    assert_eq!(missing_head.status, StatusCode::NOT_FOUND);
    assert_eq!(missing_head.json()["errors"], json!(null));
    assert_eq!(missing_head.message(), "not found");

    let foreign = post(&f, PULLS, &pr("other:main", "x")).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    let no_title = post(&f, PULLS, r#"{"head":"a","base":"b"}"#).await;
    expect(
        &no_title,
        StatusCode::UNPROCESSABLE_ENTITY,
        "[Title]: Required",
    );
    let no_head = post(&f, PULLS, r#"{"title":"t"}"#).await;
    assert_eq!(no_head.message(), "[Head]: Required");

    let malformed = post(&f, PULLS, "{not json").await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(malformed.message().starts_with("[]: "));
    let wrong_type = post(&f, PULLS, r#"{"head":1}"#).await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    let binary = post(&f, PULLS, "\u{0}\u{1}\u{ff}").await;
    assert_eq!(binary.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Every write endpoint with a JSON body that would succeed.
fn writes() -> Vec<(Method, String, String)> {
    vec![
        (Method::POST, PULLS.into(), pr("feature", "main")),
        (
            Method::POST,
            BRANCHES.into(),
            json!({"new_branch_name": "nb"}).to_string(),
        ),
        (
            Method::PUT,
            "/api/v1/repos/acme/app/contents/runtime-version".into(),
            json!({"content": b64("9\n"), "sha": blob_sha(b"1.0.0\n")}).to_string(),
        ),
        (
            Method::POST,
            CONTENTS.into(),
            json!({"files": [{"operation": "create", "path": "n.txt", "content": b64("n")}]})
                .to_string(),
        ),
    ]
}

#[tokio::test]
async fn anonymous_writes_are_401_token_is_required() {
    let f = fake().await;
    f.store().create_branch("acme", "app", "feature", "main");
    let url = format!("{}/api/swagger", f.base_url());
    for (m, path, body) in writes() {
        let r = call(&f, m.clone(), &path, None, Some(&body)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{m} {path}");
        assert_eq!(
            r.json(),
            json!({"message": "token is required", "url": url})
        );
    }
    assert!(f.store().pulls("acme", "app").is_empty());
}

#[tokio::test]
async fn unknown_tokens_are_401_invalid() {
    let f = fake().await;
    for (m, path, body) in writes() {
        let r = call(&f, m.clone(), &path, Some("Bearer wrong"), Some(&body)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{m} {path}");
        assert_eq!(r.message(), "invalid username, password or token");
    }
}

/// tokenRequiresScopes (routers/api/v1/api.go): a write needs `write:repository`.
#[tokio::test]
async fn read_scope_tokens_are_403_on_writes() {
    let f = fake().await;
    f.store().create_branch("acme", "app", "feature", "main");
    let scopes: gitea_fake::TokenScopes = "read:repository".parse().unwrap();
    f.store().add_token("repo-reader", "reader", scopes);
    for (token, shown) in [
        ("repo-reader", "read:repository".to_owned()),
        (READ_TOKEN, gitea_fake::TokenScopes::read_only().to_string()),
    ] {
        for (m, path, body) in writes() {
            let auth = format!("token {token}");
            let r = call(&f, m.clone(), &path, Some(&auth), Some(&body)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{m} {path}");
            assert_eq!(
                r.message(),
                format!(
                    "token does not have at least one of required scope(s), required=[write:repository], token scope={shown}"
                )
            );
        }
    }
    assert!(f.store().pulls("acme", "app").is_empty());
}

#[tokio::test]
async fn archived_repos_are_423_on_writes() {
    let f = fake().await;
    f.store().create_branch("acme", "app", "feature", "main");
    f.store().set_archived("acme", "app", true);
    for (m, path, body) in writes() {
        let r = send(&f, m.clone(), &path, &body).await;
        assert_eq!(r.status, StatusCode::LOCKED, "{m} {path}");
        let expected = if path.contains("/contents") {
            "acme/app is not allowed to edit"
        } else {
            "acme/app is archived"
        };
        assert_eq!(r.message(), expected);
    }
    // Reads still work.
    let r = call(
        &f,
        Method::GET,
        "/api/v1/repos/acme/app",
        Some(&format!("token {TOKEN}")),
        None,
    )
    .await;
    assert_eq!(r.json()["archived"], true);
}

#[tokio::test]
async fn private_repos_are_404_on_writes_without_access() {
    let f = fake().await;
    let opts = gitea_fake::RepoOptions {
        private: true,
        ..Default::default()
    };
    f.store().create_repo("acme", "app", opts);
    for (m, path, body) in writes() {
        let r = send(&f, m.clone(), &path, &body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {path}");
    }
}

#[tokio::test]
async fn concurrent_duplicate_pulls_create_exactly_one() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let url = format!("{}/api/v1/repos/acme/app/pulls", f.base_url());
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .header("Authorization", format!("token {TOKEN}"))
                .header("Content-Type", "application/json")
                .body(pr(BUMP, "main"))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::CREATED => created += 1,
            s => assert_eq!(s, StatusCode::CONFLICT),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(f.store().pulls("acme", "app").len(), 1);
}

#[tokio::test]
async fn older_versions_require_sha_and_lack_change_files() {
    let f = FakeGitea::builder()
        .version("1.19.0")
        .start()
        .await
        .unwrap();
    crate::common::seed(&f);
    let r = put(
        &f,
        "/api/v1/repos/acme/app/contents/new.txt",
        &json!({"content": b64("x")}),
    )
    .await;
    expect(&r, StatusCode::UNPROCESSABLE_ENTITY, "[SHA]: Required");
    let (a, b) = shas();
    let r = post(&f, CONTENTS, &two_file_bump(&a, &b)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(f.store().branches("acme", "app"), ["main"]);
}

#[tokio::test]
async fn bodies_bind_by_content_type_like_gitea() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    let url = format!("{}/api/v1/repos/acme/app/pulls", f.base_url());
    let post = |ct: Option<&'static str>| {
        let mut req = reqwest::Client::new()
            .post(&url)
            .header("Authorization", format!("token {TOKEN}"))
            .body(pr(BUMP, "main"));
        if let Some(ct) = ct {
            req = req.header("Content-Type", ct);
        }
        req.send()
    };
    let cases = [
        (None, "[]: Empty Content-Type"),
        (Some("text/plain"), "[]: Unsupported Content-Type"),
        (
            Some("application/x-www-form-urlencoded"),
            "[Head]: Required",
        ),
    ];
    for (ct, message) in cases {
        let r = post(ct).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{ct:?}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["message"], message);
    }
    let ok = post(Some("application/json; charset=utf-8")).await.unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
}
