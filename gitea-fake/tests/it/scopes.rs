//! Token scopes per route group, as `tokenRequiresScopes` checks them in Gitea 1.26's
//! routers/api/v1/api.go (and tests/integration/oauth_test.go asserts the 403 text).

use crate::common::{READ_TOKEN, call, fake, get_anon, get_as, scoped_token};
use gitea_fake::{RepoOptions, TokenScopes};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The 403 message of tokenRequiresScopes.
fn missing(required: &str, token_scope: &str) -> String {
    format!(
        "token does not have at least one of required scope(s), required=[{required}], token scope={token_scope}"
    )
}

const DOCUMENTED: &str = "write:repository,read:organization";

#[tokio::test]
async fn labels_need_read_issue_because_they_sit_in_the_issue_group() {
    let f = fake().await;
    f.store().create_label("acme", "app", "dependencies");
    scoped_token(&f, "doc", "bot", DOCUMENTED);
    let r = get_as(&f, "doc", "/api/v1/repos/acme/app/labels").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json(),
        json!({"message": missing("read:issue", "read:organization,write:repository"),
               "url": format!("{}/api/swagger", f.base_url())})
    );
    scoped_token(&f, "with-issue", "bot", "write:repository,read:issue");
    let ok = get_as(&f, "with-issue", "/api/v1/repos/acme/app/labels").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json()[0]["name"], "dependencies");
}

#[tokio::test]
async fn org_repos_need_read_organization_and_repos_read_repository() {
    let f = fake().await;
    scoped_token(&f, "repo-only", "bot", "write:repository");
    let r = get_as(&f, "repo-only", "/api/v1/orgs/acme/repos").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.message(),
        missing("read:organization", "write:repository")
    );
    scoped_token(&f, "org-only", "bot", "read:organization");
    assert_eq!(
        get_as(&f, "org-only", "/api/v1/orgs/acme/repos")
            .await
            .status,
        StatusCode::OK
    );
    for path in [
        "/api/v1/repos/acme/app",
        "/api/v1/repos/acme/app/contents/runtime-version",
        "/api/v1/repos/acme/app/branches/main",
        "/api/v1/repos/acme/app/pulls?state=open",
    ] {
        let r = get_as(&f, "org-only", path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(r.message(), missing("read:repository", "read:organization"));
    }
}

#[tokio::test]
async fn version_needs_no_scope_in_the_public_misc_group() {
    let f = fake().await;
    f.store().add_token("bare", "bot", TokenScopes::none());
    assert_eq!(
        get_as(&f, "bare", "/api/v1/version").await.status,
        StatusCode::OK
    );
    let r = get_as(&f, "bare", "/api/v1/repos/acme/app").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.message(), missing("read:repository", ""));
}

/// GetFileContentsPost says: "the POST method requires 'write' permission, so we also support
/// 'GET' method above" (routers/api/v1/repo/file.go); TestAPIGetRequestedFiles uses both.
#[tokio::test]
async fn batch_read_by_post_needs_write_and_by_get_only_read() {
    let f = fake().await;
    let files = r#"{"files":["runtime-version"]}"#;
    let post = call(
        &f,
        Method::POST,
        "/api/v1/repos/acme/app/file-contents",
        Some(&format!("token {READ_TOKEN}")),
        Some(files),
    )
    .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert_eq!(
        post.message(),
        missing("write:repository", &TokenScopes::read_only().to_string())
    );
    let query = format!(
        "/api/v1/repos/acme/app/file-contents?ref=main&body={}",
        "%7B%22files%22%3A%5B%22runtime-version%22%5D%7D"
    );
    let get = get_as(&f, READ_TOKEN, &query).await;
    assert_eq!(get.status, StatusCode::OK);
    let anon = call(
        &f,
        Method::POST,
        "/api/v1/repos/acme/app/file-contents?ref=main",
        None,
        Some(files),
    )
    .await;
    assert_eq!(anon.status, StatusCode::OK, "no token: no scope check");
    assert_eq!(get.json(), anon.json());
}

#[tokio::test]
async fn the_scope_is_checked_before_the_repository_is_looked_up() {
    let f = fake().await;
    let body = r#"{"head":"a","base":"main","title":"t"}"#;
    let auth = format!("token {READ_TOKEN}");
    let r = call(
        &f,
        Method::POST,
        "/api/v1/repos/acme/no-such-repo/pulls",
        Some(&auth),
        Some(body),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let anon = call(
        &f,
        Method::POST,
        "/api/v1/repos/acme/no-such-repo/pulls",
        None,
        Some(body),
    )
    .await;
    assert_eq!(anon.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn basic_auth_with_a_token_carries_its_scopes() {
    use base64::Engine as _;
    let f = fake().await;
    scoped_token(&f, "basic-tok", "bot", "read:repository");
    let basic = base64::engine::general_purpose::STANDARD.encode("bot:basic-tok");
    let auth = format!("Basic {basic}");
    let ok = call(&f, Method::GET, "/api/v1/repos/acme/app", Some(&auth), None).await;
    assert_eq!(ok.status, StatusCode::OK);
    let labels = call(
        &f,
        Method::GET,
        "/api/v1/repos/acme/app/labels",
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(labels.status, StatusCode::FORBIDDEN);
}

/// checkTokenPublicOnly and ApplyPublicOnly (routers/api/v1/api.go, user/repo.go).
#[tokio::test]
async fn public_only_tokens_reach_public_repositories_only() {
    let f = fake().await;
    let opts = RepoOptions {
        private: true,
        ..RepoOptions::default()
    };
    f.store().create_repo("acme", "secret", opts);
    f.store().add_org_member("acme", "bot");
    scoped_token(
        &f,
        "pub",
        "bot",
        "public-only,read:repository,read:issue,read:organization",
    );
    let r = get_as(&f, "pub", "/api/v1/repos/acme/secret").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.message(), "token scope is limited to public repos");
    let l = get_as(&f, "pub", "/api/v1/repos/acme/secret/labels").await;
    assert_eq!(l.message(), "token scope is limited to public issues");
    assert_eq!(
        get_as(&f, "pub", "/api/v1/repos/acme/app").await.status,
        StatusCode::OK
    );
    let org = get_as(&f, "pub", "/api/v1/orgs/acme/repos").await;
    let names: Vec<_> = org
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].clone())
        .collect();
    assert_eq!(names, [json!("app")]);
    assert_eq!(org.header("x-total-count"), Some("1"));
    // Anonymous callers see what they saw before: no scope is checked for them.
    assert_eq!(
        get_anon(&f, "/api/v1/repos/acme/app/labels").await.status,
        StatusCode::OK
    );
}

/// The PR comment is an issue comment (the issue group); closing a PR and deleting a branch
/// are repository writes; `GET /user` is in the user group.
#[tokio::test]
async fn comments_need_write_issue_and_the_other_new_routes_their_groups() {
    let f = fake().await;
    f.store().create_branch("acme", "app", "feature", "main");
    let n = f.store().create_pull(
        "acme",
        "app",
        "feature",
        "main",
        "t",
        "",
        gitea_fake::PullState::Open,
    );
    scoped_token(&f, "repo-write", "bot", "write:repository");
    let auth = "token repo-write";
    let comment = call(
        &f,
        Method::POST,
        &format!("/api/v1/repos/acme/app/issues/{n}/comments"),
        Some(auth),
        Some(r#"{"body":"superseded"}"#),
    )
    .await;
    assert_eq!(comment.status, StatusCode::FORBIDDEN);
    assert_eq!(
        comment.message(),
        missing("write:issue", "write:repository")
    );
    let user = get_as(&f, "repo-write", "/api/v1/user").await;
    assert_eq!(user.message(), missing("read:user", "write:repository"));
    let auth = format!("token {READ_TOKEN}");
    let read_only = TokenScopes::read_only().to_string();
    let close = call(
        &f,
        Method::PATCH,
        &format!("/api/v1/repos/acme/app/pulls/{n}"),
        Some(&auth),
        Some(r#"{"state":"closed"}"#),
    )
    .await;
    assert_eq!(close.message(), missing("write:repository", &read_only));
    let delete = call(
        &f,
        Method::DELETE,
        "/api/v1/repos/acme/app/branches/feature",
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(delete.message(), missing("write:repository", &read_only));
    assert_eq!(f.store().branches("acme", "app"), ["feature", "main"]);
}
