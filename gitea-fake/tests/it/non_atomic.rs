//! The opt-in non-atomic PR create (`FakeGiteaBuilder::non_atomic_pull_create`): Gitea's
//! CreatePullRequest checks for an open PR of the same branches, then NewPullRequest inserts in
//! a transaction of its own, so POSTs that overlap both succeed (go-gitea/gitea#20906). On
//! tokio's paused clock, the gap costs no real time.

use std::time::Duration;

use crate::common::{TOKEN, seed};
use gitea_fake::{FakeGitea, PullState};
use reqwest::StatusCode;
use serde_json::json;

const BUMP: &str = "bump/runtime-2.0.0";

async fn non_atomic_fake() -> FakeGitea {
    let f = FakeGitea::builder()
        .non_atomic_pull_create(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    seed(&f);
    f.store().create_branch("acme", "app", BUMP, "main");
    f
}

async fn post_pull(f: &FakeGitea, head: &str) -> StatusCode {
    let url = format!("{}/api/v1/repos/acme/app/pulls", f.base_url());
    let body = json!({"head": head, "base": "main", "title": "Bump"}).to_string();
    reqwest::Client::new()
        .post(url)
        .header("Authorization", format!("token {TOKEN}"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

fn open_pulls(f: &FakeGitea) -> usize {
    let pulls = f.store().pulls("acme", "app");
    pulls.iter().filter(|p| p.state == PullState::Open).count()
}

#[tokio::test(start_paused = true)]
async fn overlapping_posts_both_make_a_pull() {
    let f = non_atomic_fake().await;
    let (a, b) = tokio::join!(post_pull(&f, BUMP), post_pull(&f, BUMP));
    assert_eq!((a, b), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(open_pulls(&f), 2);
    let numbers: Vec<i64> = f
        .store()
        .pulls("acme", "app")
        .iter()
        .map(|p| p.number)
        .collect();
    assert_eq!(numbers, [1, 2]);
}

#[tokio::test(start_paused = true)]
async fn a_post_after_the_insert_still_meets_the_409() {
    let f = non_atomic_fake().await;
    assert_eq!(post_pull(&f, BUMP).await, StatusCode::CREATED);
    assert_eq!(post_pull(&f, BUMP).await, StatusCode::CONFLICT);
    assert_eq!(open_pulls(&f), 1);
}

#[tokio::test(start_paused = true)]
async fn the_checks_before_the_gap_still_refuse() {
    let f = non_atomic_fake().await;
    assert_eq!(post_pull(&f, "no-such-branch").await, StatusCode::NOT_FOUND);
    assert_eq!(
        post_pull(&f, "main").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(open_pulls(&f), 0);
}
