//! The writes that close and clean up a pull request, and `GET /user`, through real HTTP:
//! a comment (CreateIssueComment), closing by `PATCH /pulls/{index}` (EditPullRequest) and
//! deleting a branch (DeleteBranch), with the statuses, bodies and check order of Gitea 1.26's
//! routes (routers/api/v1/api.go) and handlers. Every answer is checked against the swagger by
//! `crate::common::call`.

use crate::common::{READ_TOKEN, Resp, TOKEN, call, fake, send};
use gitea_fake::{FakeGitea, PullState, RepoOptions};
use reqwest::{Method, StatusCode};
use serde_json::json;

const BUMP: &str = "bump/runtime-2.0.0";
const PULLS: &str = "/api/v1/repos/acme/app/pulls";
const BRANCHES: &str = "/api/v1/repos/acme/app/branches";

fn auth(token: &str) -> String {
    format!("token {token}")
}

#[track_caller]
fn expect(r: &Resp, status: StatusCode, message: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.message(), message, "{}", r.text);
}

/// A fake with the bump branch and an open PR #1 from it.
async fn with_pull() -> FakeGitea {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    let body = json!({"head": BUMP, "base": "main", "title": "Bump"}).to_string();
    let r = send(&f, Method::POST, PULLS, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    f
}

fn comments(n: u64) -> String {
    format!("/api/v1/repos/acme/app/issues/{n}/comments")
}

#[tokio::test]
async fn a_comment_on_a_pull_is_201_with_gitea_s_comment() {
    let f = with_pull().await;
    let r = send(
        &f,
        Method::POST,
        &comments(1),
        r#"{"body":"Superseded by #2."}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let v = r.json();
    let id = v["id"].as_i64().unwrap();
    let page = format!("{}/acme/app/pulls/1", f.base_url());
    assert_eq!(v["body"], "Superseded by #2.");
    assert_eq!(v["user"]["login"], "bot");
    assert_eq!(v["html_url"], format!("{page}#issuecomment-{id}"));
    assert_eq!(v["pull_request_url"], page);
    assert_eq!(v["issue_url"], "", "IssueURL is empty for a pull request");
    let stored = f.store().comments("acme", "app", 1);
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].id, stored[0].poster.as_str()), (id, "bot"));
    assert_eq!(stored[0].body, "Superseded by #2.");
}

#[tokio::test]
async fn comment_errors_follow_the_route_and_the_handler() {
    let f = with_pull().await;
    let body = Some(r#"{"body":"x"}"#);
    let anonymous = call(&f, Method::POST, &comments(1), None, body).await;
    expect(&anonymous, StatusCode::UNAUTHORIZED, "token is required");
    let read = call(
        &f,
        Method::POST,
        &comments(1),
        Some(&auth(READ_TOKEN)),
        body,
    )
    .await;
    assert_eq!(read.status, StatusCode::FORBIDDEN, "{}", read.text);
    let missing = send(&f, Method::POST, &comments(1), "{}").await;
    expect(
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "[Body]: Required",
    );
    let empty = send(&f, Method::POST, &comments(1), r#"{"body":""}"#).await;
    expect(&empty, StatusCode::UNPROCESSABLE_ENTITY, "[Body]: Required");
    // GetIssueByIndex's not-exist error goes to APIErrorInternal.
    let unknown = send(&f, Method::POST, &comments(99), r#"{"body":"x"}"#).await;
    expect(&unknown, StatusCode::INTERNAL_SERVER_ERROR, "");
    let no_repo = "/api/v1/repos/acme/nope/issues/1/comments";
    let r = send(&f, Method::POST, no_repo, r#"{"body":"x"}"#).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    f.store().set_archived("acme", "app", true);
    let archived = send(&f, Method::POST, &comments(1), r#"{"body":"x"}"#).await;
    expect(&archived, StatusCode::LOCKED, "acme/app is archived");
    assert!(f.store().comments("acme", "app", 1).is_empty());
}

fn pull(n: u64) -> String {
    format!("{PULLS}/{n}")
}

#[tokio::test]
async fn patching_state_closed_closes_the_pull_with_201() {
    let f = with_pull().await;
    let r = send(&f, Method::PATCH, &pull(1), r#"{"state":"closed"}"#).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "EditPullRequest answers 201: {}",
        r.text
    );
    let v = r.json();
    assert_eq!(
        (v["state"].as_str(), v["merged"].as_bool()),
        (Some("closed"), Some(false))
    );
    assert!(v["closed_at"].is_string(), "{v}");
    assert_eq!(f.store().pulls("acme", "app")[0].state, PullState::Closed);
    let again = send(&f, Method::PATCH, &pull(1), r#"{"state":"closed"}"#).await;
    assert_eq!(
        again.status,
        StatusCode::CREATED,
        "closing a closed PR changes nothing"
    );
    let reopened = send(&f, Method::PATCH, &pull(1), r#"{"state":"open"}"#).await;
    assert_eq!(reopened.json()["state"], "open");
    let edited = send(&f, Method::PATCH, &pull(1), r#"{"title":"New","body":"b"}"#).await;
    assert_eq!(
        (
            edited.json()["title"].as_str(),
            edited.json()["body"].as_str()
        ),
        (Some("New"), Some("b"))
    );
    assert_eq!(f.store().pulls("acme", "app")[0].state, PullState::Open);
}

#[tokio::test]
async fn patch_errors_follow_the_route_and_close_or_reopen() {
    let f = with_pull().await;
    let merged =
        f.store()
            .create_pull("acme", "app", "feature", "main", "m", "", PullState::Merged);
    let closed = r#"{"state":"closed"}"#;
    let r = send(&f, Method::PATCH, &pull(merged as u64), closed).await;
    expect(
        &r,
        StatusCode::PRECONDITION_FAILED,
        "cannot change state of this pull request, it was already merged",
    );
    let r = send(&f, Method::PATCH, &pull(1), r#"{"state":"merged"}"#).await;
    expect(&r, StatusCode::PRECONDITION_FAILED, "unknown state: merged");
    let r = send(&f, Method::PATCH, &pull(99), closed).await;
    expect(&r, StatusCode::NOT_FOUND, "not found");
    let r = call(&f, Method::PATCH, &pull(1), None, Some(closed)).await;
    expect(&r, StatusCode::UNAUTHORIZED, "token is required");
    let r = call(
        &f,
        Method::PATCH,
        &pull(1),
        Some(&auth(READ_TOKEN)),
        Some(closed),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(f.store().pulls("acme", "app")[0].state, PullState::Open);
    // The route has no mustNotBeArchived.
    f.store().set_archived("acme", "app", true);
    let r = send(&f, Method::PATCH, &pull(1), closed).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

fn branch(name: &str) -> String {
    format!("{BRANCHES}/{name}")
}

#[tokio::test]
async fn deleting_a_branch_is_204_and_closes_the_pulls_from_it() {
    let f = with_pull().await;
    let r = send(&f, Method::DELETE, &branch("bump%2Fruntime-2.0.0"), "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(!f.store().branches("acme", "app").contains(&BUMP.to_owned()));
    assert_eq!(f.store().pulls("acme", "app")[0].state, PullState::Closed);
    let gone = call(&f, Method::GET, &branch(BUMP), Some(&auth(TOKEN)), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let again = send(&f, Method::DELETE, &branch(BUMP), "").await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let repo_id = call(&f, Method::GET, "/api/v1/repos/acme/app", None, None)
        .await
        .json()["id"]
        .clone();
    assert_eq!(
        again.json()["errors"],
        json!([format!(
            "branch does not exist [repo_id: {repo_id} name: {BUMP}]"
        )])
    );
    assert_eq!(again.message(), "not found");
}

#[tokio::test]
async fn a_raw_slash_in_the_branch_name_works_too() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    let r = send(&f, Method::DELETE, &branch(BUMP), "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(f.store().branches("acme", "app"), ["main"]);
}

#[tokio::test]
async fn delete_errors_follow_the_route_and_the_handler() {
    let f = with_pull().await;
    let r = send(&f, Method::DELETE, &branch("main"), "").await;
    expect(
        &r,
        StatusCode::FORBIDDEN,
        "can not delete default or pull request target branch",
    );
    let r = call(&f, Method::DELETE, &branch(BUMP), None, None).await;
    expect(&r, StatusCode::UNAUTHORIZED, "token is required");
    let r = call(
        &f,
        Method::DELETE,
        &branch(BUMP),
        Some(&auth(READ_TOKEN)),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    f.store().set_archived("acme", "app", true);
    let r = send(&f, Method::DELETE, &branch(BUMP), "").await;
    expect(&r, StatusCode::LOCKED, "acme/app is archived");
    assert_eq!(f.store().branches("acme", "app"), [BUMP, "main"]);
    let empty = RepoOptions {
        empty: true,
        ..RepoOptions::default()
    };
    f.store().create_repo("acme", "blank", empty);
    let r = send(
        &f,
        Method::DELETE,
        "/api/v1/repos/acme/blank/branches/main",
        "",
    )
    .await;
    expect(&r, StatusCode::NOT_FOUND, "Git Repository is empty.");
}

#[tokio::test]
async fn get_user_is_the_token_s_own_user() {
    let f = fake().await;
    let me = call(&f, Method::GET, "/api/v1/user", Some(&auth(TOKEN)), None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["login"], "bot");
    let reader = call(
        &f,
        Method::GET,
        "/api/v1/user",
        Some(&auth(READ_TOKEN)),
        None,
    )
    .await;
    assert_eq!(reader.json()["login"], "reader");
    let anonymous = call(&f, Method::GET, "/api/v1/user", None, None).await;
    expect(&anonymous, StatusCode::UNAUTHORIZED, "token is required");
}
