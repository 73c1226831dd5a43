//! Read endpoints through real HTTP: happy paths, 404 shapes, pagination, auth on reads,
//! private repositories and version emulation.

use crate::common::{READ_TOKEN, TOKEN, b64, blob_sha, call, fake, get, get_anon};
use gitea_fake::{FakeGitea, PullState, RepoOptions};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn version_reports_the_presented_version() {
    let f = fake().await;
    let r = get_anon(&f, "/api/v1/version").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"version": "1.26.4"}));
    let old = FakeGitea::builder()
        .version("1.21.0")
        .start()
        .await
        .unwrap();
    assert_eq!(
        get_anon(&old, "/api/v1/version").await.json()["version"],
        "1.21.0"
    );
}

#[tokio::test]
async fn repo_get_and_404_shapes() {
    let f = fake().await;
    let r = get(&f, "/api/v1/repos/acme/app").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["full_name"], "acme/app");
    assert_eq!(v["default_branch"], "main");
    assert_eq!(v["empty"], false);
    assert_eq!(v["archived"], false);
    assert_eq!(v["owner"]["login"], "acme");
    // Case-insensitive names, like Gitea.
    assert_eq!(
        get(&f, "/api/v1/repos/ACME/App").await.status,
        StatusCode::OK
    );

    let missing = get(&f, "/api/v1/repos/acme/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let url = format!("{}/api/swagger", f.base_url());
    assert_eq!(
        missing.json(),
        json!({"message": "not found", "url": url, "errors": null})
    );
    assert_eq!(
        missing.text,
        format!("{{\"errors\":null,\"message\":\"not found\",\"url\":\"{url}\"}}\n")
    );

    let owner = get(&f, "/api/v1/repos/ghost/app").await;
    assert_eq!(owner.status, StatusCode::NOT_FOUND);
    assert_eq!(
        owner.json(),
        json!({"message": "GetUserByName", "url": url, "errors": ["user redirect does not exist [name: ghost]"]})
    );
}

/// GetContentsList calls GetContents, which resolves the ref first
/// (routers/api/v1/repo/file.go, resolveRefCommit): an empty repository has no `main`.
#[tokio::test]
async fn empty_repo_is_flagged_and_its_contents_are_404_like_get_contents_list() {
    let f = fake().await;
    let opts = RepoOptions {
        empty: true,
        ..RepoOptions::default()
    };
    f.store().create_repo("acme", "void", opts);
    assert_eq!(
        get(&f, "/api/v1/repos/acme/void").await.json()["empty"],
        true
    );
    let root = get(&f, "/api/v1/repos/acme/void/contents").await;
    assert_eq!(root.status, StatusCode::NOT_FOUND);
    assert_eq!(root.message(), "not found");
    assert_eq!(
        root.json()["errors"],
        json!(["object does not exist [id: main, rel_path: ]"])
    );
    let file = get(&f, "/api/v1/repos/acme/void/contents/runtime-version").await;
    assert_eq!(file.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn contents_file_has_base64_and_blob_sha() {
    let f = fake().await;
    let r = get(
        &f,
        "/api/v1/repos/acme/app/contents/runtime-version?ref=main",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["type"], "file");
    assert_eq!(v["encoding"], "base64");
    assert_eq!(v["content"], b64("1.0.0\n"));
    assert_eq!(v["sha"], blob_sha(b"1.0.0\n"));
    assert_eq!(v["size"], 6);
    assert_eq!(v["path"], "runtime-version");
    assert_eq!(
        v["last_commit_sha"].as_str(),
        f.store().branch_head("acme", "app", "main").as_deref()
    );
    // Default ref is the default branch; a commit sha also resolves.
    assert_eq!(
        get(&f, "/api/v1/repos/acme/app/contents/runtime-version")
            .await
            .json()["sha"],
        v["sha"]
    );
    let head = f.store().branch_head("acme", "app", "main").unwrap();
    let by_sha = get(
        &f,
        &format!("/api/v1/repos/acme/app/contents/runtime-version?ref={head}"),
    )
    .await;
    assert_eq!(by_sha.status, StatusCode::OK);
}

#[tokio::test]
async fn long_content_is_not_wrapped() {
    let f = fake().await;
    let long = "x".repeat(500);
    f.store()
        .commit_files(
            "acme",
            "app",
            "main",
            &[("big.txt", long.as_bytes())],
            "big",
        )
        .unwrap();
    let v = get(&f, "/api/v1/repos/acme/app/contents/big.txt")
        .await
        .json();
    let content = v["content"].as_str().unwrap();
    assert!(!content.contains('\n'));
    assert_eq!(content, b64(&long));
}

#[tokio::test]
async fn contents_404_bodies() {
    let f = fake().await;
    let url = format!("{}/api/swagger", f.base_url());
    let r = get(&f, "/api/v1/repos/acme/app/contents/missing.txt").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.json(),
        json!({"message": "GetContentsOrList", "url": url,
               "errors": ["object does not exist [id: , rel_path: missing.txt]"]})
    );
    let bad_ref = get(
        &f,
        "/api/v1/repos/acme/app/contents/runtime-version?ref=nope",
    )
    .await;
    assert_eq!(bad_ref.status, StatusCode::NOT_FOUND);
    assert_eq!(
        bad_ref.json()["errors"],
        json!(["object does not exist [id: nope, rel_path: ]"])
    );
}

#[tokio::test]
async fn directories_list_as_arrays() {
    let f = fake().await;
    f.store()
        .commit_files(
            "acme",
            "app",
            "main",
            &[("dir/a.txt", b"a"), ("dir/sub/b.txt", b"b")],
            "d",
        )
        .unwrap();
    let v = get(&f, "/api/v1/repos/acme/app/contents/dir").await.json();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.txt", "sub"]);
    assert_eq!(v[1]["type"], "dir");
    // A listing carries no content, like Gitea's.
    assert_eq!(v[0]["encoding"], serde_json::Value::Null);
    assert_eq!(v[0]["content"], serde_json::Value::Null);
    assert_eq!(v[0]["size"], 1);
    let root = get(&f, "/api/v1/repos/acme/app/contents").await.json();
    assert_eq!(root.as_array().unwrap().len(), 3);
    let nested = get(&f, "/api/v1/repos/acme/app/contents/dir/sub/b.txt").await;
    assert_eq!(nested.json()["content"], b64("b"));
}

#[tokio::test]
async fn file_contents_batch_has_nulls_for_missing_files() {
    let f = fake().await;
    let body = r#"{"files":["runtime-version","nope","requirements.txt"]}"#;
    let r = call(
        &f,
        Method::POST,
        "/api/v1/repos/acme/app/file-contents?ref=main",
        None,
        Some(body),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v[0]["content"], b64("1.0.0\n"));
    assert!(v[1].is_null());
    assert_eq!(v[2]["path"], "requirements.txt");
    let bad = call(
        &f,
        Method::POST,
        "/api/v1/repos/acme/app/file-contents",
        None,
        Some("{"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn branches_get_with_slashes_and_404() {
    let f = fake().await;
    f.store()
        .create_branch("acme", "app", "bump/runtime-1.2.3", "main");
    for path in [
        "/api/v1/repos/acme/app/branches/bump/runtime-1.2.3",
        "/api/v1/repos/acme/app/branches/bump%2Fruntime-1.2.3",
    ] {
        let r = get(&f, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let v = r.json();
        assert_eq!(v["name"], "bump/runtime-1.2.3");
        assert_eq!(
            v["commit"]["id"].as_str(),
            f.store().branch_head("acme", "app", "main").as_deref()
        );
    }
    let r = get(&f, "/api/v1/repos/acme/app/branches/bump%2Fruntime-9").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["errors"], json!(null));
    let list = get(&f, "/api/v1/repos/acme/app/branches").await;
    assert_eq!(list.header("x-total-count"), Some("2"));
    assert_eq!(list.json().as_array().unwrap().len(), 2);
}

/// Seeds `n` PRs alternating open and closed (odd numbers open).
fn seed_pulls(f: &FakeGitea, n: usize) {
    for i in 1..=n {
        let head = format!("feature-{i}");
        f.store().create_branch("acme", "app", &head, "main");
        let state = if i % 2 == 1 {
            PullState::Open
        } else {
            PullState::Closed
        };
        f.store()
            .create_pull("acme", "app", &head, "main", &format!("PR {i}"), "", state);
    }
}

#[tokio::test]
async fn pulls_list_filters_state_and_defaults_to_all() {
    let f = fake().await;
    seed_pulls(&f, 5);
    let all = get(&f, "/api/v1/repos/acme/app/pulls").await;
    assert_eq!(all.header("x-total-count"), Some("5"));
    let numbers: Vec<i64> = all
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [5, 4, 3, 2, 1]);
    let open = get(&f, "/api/v1/repos/acme/app/pulls?state=open").await;
    assert_eq!(open.header("x-total-count"), Some("3"));
    assert!(
        open.json()
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["state"] == "open")
    );
    let closed = get(&f, "/api/v1/repos/acme/app/pulls?state=closed").await;
    assert_eq!(closed.header("x-total-count"), Some("2"));
    assert_eq!(
        get(&f, "/api/v1/repos/acme/app/pulls?state=all")
            .await
            .header("x-total-count"),
        Some("5")
    );
}

#[tokio::test]
async fn pulls_pagination_headers_follow_gitea() {
    let f = fake().await;
    seed_pulls(&f, 7);
    let base = f.base_url();
    let r = get(&f, "/api/v1/repos/acme/app/pulls?state=all&limit=2&page=2").await;
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    assert_eq!(r.header("x-total-count"), Some("7"));
    // SetLinkHeader, then SetTotalCountHeader, each appending its name.
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("Link, X-Total-Count")
    );
    let u = |p: u32| format!("<{base}/api/v1/repos/acme/app/pulls?limit=2&page={p}&state=all>");
    assert_eq!(
        r.header("link").unwrap(),
        format!(
            "{}; rel=\"next\",{}; rel=\"last\",{}; rel=\"first\",{}; rel=\"prev\"",
            u(3),
            u(4),
            u(1),
            u(1)
        )
    );
    // First page: next and last only. Last page: first and prev only.
    let first = get(&f, "/api/v1/repos/acme/app/pulls?limit=2").await;
    assert_eq!(first.header("link").unwrap().matches("rel=").count(), 2);
    let last = get(&f, "/api/v1/repos/acme/app/pulls?limit=2&page=4").await;
    assert!(last.header("link").unwrap().contains("rel=\"first\""));
    assert!(!last.header("link").unwrap().contains("rel=\"next\""));
    // Past the end: empty page, still counted.
    let past = get(&f, "/api/v1/repos/acme/app/pulls?limit=2&page=9").await;
    assert_eq!(past.json(), json!([]));
}

#[tokio::test]
async fn limit_defaults_to_30_and_caps_at_50() {
    let f = fake().await;
    seed_pulls(&f, 55);
    assert_eq!(
        get(&f, "/api/v1/repos/acme/app/pulls")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        30
    );
    let capped = get(&f, "/api/v1/repos/acme/app/pulls?limit=100").await;
    assert_eq!(capped.json().as_array().unwrap().len(), 50);
    assert!(capped.header("link").unwrap().contains("limit=100&page=2"));
    assert_eq!(
        get(&f, "/api/v1/repos/acme/app/pulls?page=0&limit=-1")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        30
    );
}

#[tokio::test]
async fn no_link_header_without_items() {
    let f = fake().await;
    let r = get(&f, "/api/v1/repos/acme/app/pulls").await;
    assert_eq!(r.header("x-total-count"), Some("0"));
    assert_eq!(r.header("link"), None);
}

#[tokio::test]
async fn pull_by_base_head_returns_any_state() {
    let f = fake().await;
    f.store()
        .create_branch("acme", "app", "bump/runtime-2.0.0", "main");
    let n = f.store().create_pull(
        "acme",
        "app",
        "bump/runtime-2.0.0",
        "main",
        "Bump",
        "",
        PullState::Closed,
    );
    for head in [
        "bump/runtime-2.0.0",
        "acme:bump/runtime-2.0.0",
        "acme/app:bump/runtime-2.0.0",
    ] {
        let r = get(&f, &format!("/api/v1/repos/acme/app/pulls/main/{head}")).await;
        assert_eq!(r.status, StatusCode::OK, "{head}");
        let v = r.json();
        assert_eq!(v["number"], n);
        assert_eq!(v["state"], "closed");
        assert_eq!(v["merged"], false);
    }
    let missing = get(&f, "/api/v1/repos/acme/app/pulls/main/other").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let by_index = get(&f, &format!("/api/v1/repos/acme/app/pulls/{n}")).await;
    assert_eq!(by_index.json()["head"]["ref"], "bump/runtime-2.0.0");
    assert_eq!(
        get(&f, "/api/v1/repos/acme/app/pulls/999").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn merged_pulls_report_closed_and_merged() {
    let f = fake().await;
    f.store().create_branch("acme", "app", "m", "main");
    let n = f
        .store()
        .create_pull("acme", "app", "m", "main", "M", "", PullState::Merged);
    let v = get(&f, &format!("/api/v1/repos/acme/app/pulls/{n}"))
        .await
        .json();
    assert_eq!(v["state"], "closed");
    assert_eq!(v["merged"], true);
    assert!(v["merged_at"].is_string());
}

#[tokio::test]
async fn older_versions_lack_base_head_and_file_contents() {
    let f = FakeGitea::builder()
        .version("1.21.0")
        .start()
        .await
        .unwrap();
    crate::common::seed(&f);
    f.store().create_branch("acme", "app", "b", "main");
    f.store()
        .create_pull("acme", "app", "b", "main", "T", "", PullState::Open);
    let r = get(&f, "/api/v1/repos/acme/app/pulls/main/b").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.message(), "The target couldn't be found.");
    let batch = call(
        &f,
        Method::POST,
        "/api/v1/repos/acme/app/file-contents",
        None,
        Some(r#"{"files":["runtime-version"]}"#),
    )
    .await;
    assert_eq!(batch.status, StatusCode::NOT_FOUND);
    // Listing still works, so clients can fall back.
    assert_eq!(
        get(&f, "/api/v1/repos/acme/app/pulls?state=open")
            .await
            .header("x-total-count"),
        Some("1")
    );
}

/// ListLabels (routers/api/v1/repo/label.go) sets `X-Total-Count` only: no `Link`.
#[tokio::test]
async fn labels_list_is_sorted_and_counted_without_a_link_header_like_list_labels() {
    let f = fake().await;
    let b = f.store().create_label("acme", "app", "dependencies");
    let a = f.store().create_label("acme", "app", "automerge");
    for i in 0..3 {
        f.store().create_label("acme", "app", &format!("z{i}"));
    }
    let page = get(&f, "/api/v1/repos/acme/app/labels?limit=2").await;
    assert_eq!(page.json().as_array().unwrap().len(), 2);
    assert_eq!(page.header("x-total-count"), Some("5"));
    assert_eq!(page.header("link"), None);
    assert_eq!(
        page.header("access-control-expose-headers"),
        Some("X-Total-Count")
    );
    let last = get(&f, "/api/v1/repos/acme/app/labels?limit=2&page=3").await;
    assert_eq!(last.json().as_array().unwrap().len(), 1);
    let r = get(&f, "/api/v1/repos/acme/app/labels").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("x-total-count"), Some("5"));
    let v = r.json();
    assert_eq!(v[0]["id"], a);
    assert_eq!(v[0]["name"], "automerge");
    assert_eq!(v[1]["id"], b);
    assert_eq!(
        get(&f, "/api/v1/repos/acme/nope/labels").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn org_repos_are_paginated_by_id() {
    let f = fake().await;
    for i in 0..4 {
        f.store()
            .create_repo("acme", &format!("r{i}"), RepoOptions::default());
    }
    let r = get(&f, "/api/v1/orgs/acme/repos?limit=2").await;
    assert_eq!(r.header("x-total-count"), Some("5"));
    let names: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["app", "r0"]);
    assert!(
        r.header("link")
            .unwrap()
            .contains("/api/v1/orgs/acme/repos?limit=2&page=2>; rel=\"next\"")
    );
    let missing = get(&f, "/api/v1/orgs/nobody/repos").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.message(), "GetOrgByName");
    assert_eq!(
        missing.json()["errors"],
        json!(["user redirect does not exist [name: nobody]"])
    );
}

#[tokio::test]
async fn private_repos_are_404_without_access() {
    let f = fake().await;
    let opts = RepoOptions {
        private: true,
        ..RepoOptions::default()
    };
    f.store().create_repo("acme", "secret", opts);
    assert_eq!(
        get_anon(&f, "/api/v1/repos/acme/secret").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&f, "/api/v1/repos/acme/secret").await.status,
        StatusCode::NOT_FOUND
    );
    let org = get_anon(&f, "/api/v1/orgs/acme/repos").await;
    assert_eq!(org.header("x-total-count"), Some("2"));
    assert_eq!(org.json().as_array().unwrap().len(), 1);
    f.store().add_org_member("acme", "bot");
    assert_eq!(
        get(&f, "/api/v1/repos/acme/secret").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_tokens_are_401_even_on_reads_and_schemes_any_case() {
    let f = fake().await;
    let url = format!("{}/api/swagger", f.base_url());
    let r = call(
        &f,
        Method::GET,
        "/api/v1/repos/acme/app",
        Some("token nope"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json(),
        json!({"message": "invalid username, password or token", "url": url})
    );
    for scheme in ["token", "Token", "bearer", "Bearer", "BEARER"] {
        let auth = format!("{scheme} {TOKEN}");
        let r = call(&f, Method::GET, "/api/v1/repos/acme/app", Some(&auth), None).await;
        assert_eq!(r.status, StatusCode::OK, "{scheme}");
    }
    let read = call(
        &f,
        Method::GET,
        "/api/v1/repos/acme/app",
        Some(&format!("token {READ_TOKEN}")),
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_routes_and_methods_get_gitea_shapes() {
    let f = fake().await;
    let r = get(&f, "/api/v1/no/such/route").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["message"], "not found");
    let r = get(&f, "/elsewhere").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(&f, Method::DELETE, "/api/v1/version", None, None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn file_contents_caps_at_30_and_describes_directories() {
    let f = fake().await;
    f.store()
        .commit_files("acme", "app", "main", &[("dir/a", b"a")], "d")
        .unwrap();
    let mut files = vec!["dir".to_owned()];
    files.extend((0..40).map(|i| format!("missing-{i}")));
    let body = json!({ "files": files }).to_string();
    let r = call(
        &f,
        Method::POST,
        "/api/v1/repos/acme/app/file-contents",
        None,
        Some(&body),
    )
    .await;
    let v = r.json();
    assert_eq!(v.as_array().unwrap().len(), 30);
    assert_eq!(v[0]["type"], "dir");
}

/// A branch `b` off `main` with a commit by `mallory` adding a workflow, then one by `bot`
/// through the API changing `runtime-version`.
async fn branch_with_two_authors() -> FakeGitea {
    let f = fake().await;
    let s = f.store();
    s.add_user("mallory");
    let workflow: [(&str, &[u8]); 1] = [(".gitea/workflows/ci.yml", b"on: push\n")];
    s.commit_files_as("acme", "app", "b", &workflow, "Add CI", Some("mallory"))
        .unwrap();
    let sha = blob_sha(b"1.0.0\n");
    let body = format!(
        r#"{{"branch":"b","message":"Bump","files":[{{"operation":"update","path":"runtime-version","content":"{}","sha":"{sha}"}}]}}"#,
        b64("1.1.0\n")
    );
    let auth = format!("token {TOKEN}");
    let r = call(
        &f,
        Method::POST,
        "/api/v1/repos/acme/app/contents",
        Some(&auth),
        Some(&body),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    f
}

/// GetAllCommits (routers/api/v1/repo/commits.go): `sha` and `not` as `git log sha --not not`,
/// newest first; each commit's `author` is the Gitea user of its e-mail, and `files` lists what
/// it changed against its parent (convert.ToCommit).
#[tokio::test]
async fn commits_of_a_branch_not_on_main_name_their_authors_and_files() {
    let f = branch_with_two_authors().await;
    let r = get(
        &f,
        "/api/v1/repos/acme/app/commits?sha=b&not=main&stat=false&verification=false",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("x-total-count"), Some("2"));
    assert_eq!(r.header("x-hasmore"), Some("false"));
    let commits = r.json();
    let field = |i: usize, f: &dyn Fn(&serde_json::Value) -> serde_json::Value| f(&commits[i]);
    assert_eq!(field(0, &|c| c["author"]["login"].clone()), "bot");
    assert_eq!(field(0, &|c| c["commit"]["message"].clone()), "Bump\n");
    assert_eq!(
        field(0, &|c| c["files"].clone()),
        json!([{"filename": "runtime-version", "status": "modified"}])
    );
    assert_eq!(field(1, &|c| c["author"]["login"].clone()), "mallory");
    assert_eq!(
        field(1, &|c| c["files"].clone()),
        json!([{"filename": ".gitea/workflows/ci.yml", "status": "added"}])
    );
    assert_eq!(commits[0]["parents"][0]["sha"], commits[1]["sha"]);
    assert!(
        commits[0].get("stats").is_none() && commits[0]["commit"].get("verification").is_none()
    );

    let first = get(&f, "/api/v1/repos/acme/app/commits?sha=b&not=main&limit=1").await;
    assert_eq!(first.json().as_array().unwrap().len(), 1);
    assert_eq!(first.header("x-total-count"), Some("2"));
    assert_eq!(first.header("x-hasmore"), Some("true"));
    assert!(first.json()[0]["stats"]["total"].is_number());

    let none = get(&f, "/api/v1/repos/acme/app/commits?sha=main&not=b").await;
    assert_eq!(none.json(), json!([]));
    assert_eq!(none.header("x-total-count"), Some("0"));
}

#[tokio::test]
async fn commits_of_the_seed_have_no_gitea_author_and_errors_have_gitea_shapes() {
    let f = fake().await;
    let seed = get(&f, "/api/v1/repos/acme/app/commits").await.json();
    assert_eq!(
        seed[0]["author"],
        serde_json::Value::Null,
        "an org has no e-mail"
    );
    assert_eq!(seed[0]["commit"]["author"]["name"], "acme");

    let unknown = get(&f, "/api/v1/repos/acme/app/commits?sha=nope").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let s = f.store();
    s.create_repo(
        "acme",
        "empty",
        RepoOptions {
            empty: true,
            ..RepoOptions::default()
        },
    );
    let empty = get(&f, "/api/v1/repos/acme/empty/commits").await;
    assert_eq!(empty.status, StatusCode::CONFLICT);
    assert_eq!(empty.message(), "Git Repository is empty.");
}
