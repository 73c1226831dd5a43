//! Each fault action observed from a plain reqwest client, plus triggers and the request
//! log. Delays run on tokio's paused clock, so nothing sleeps in real time.

use std::error::Error as _;
use std::time::Duration;

use crate::common::{TOKEN, fake};
use gitea_fake::{FakeGitea, Fault, FaultRule, Match, Trigger};
use reqwest::StatusCode;
use serde_json::json;

const PULLS: &str = "/api/v1/repos/*/*/pulls";
const BUMP: &str = "bump/runtime-2.0.0";

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// A client that gives up on an answer after `secs` seconds.
fn timeout_client(secs: u64) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(secs))
        .build()
        .unwrap()
}

/// Adds one rule to the fake's fault plan.
fn inject(f: &FakeGitea, on: Match, when: Trigger, fault: Fault) {
    f.faults().add(FaultRule::new(on, when, fault));
}

async fn get_repo(f: &FakeGitea) -> Result<reqwest::Response, reqwest::Error> {
    client()
        .get(format!("{}/api/v1/repos/acme/app", f.base_url()))
        .header("Authorization", format!("token {TOKEN}"))
        .send()
        .await
}

async fn post_pull(f: &FakeGitea) -> Result<reqwest::Response, reqwest::Error> {
    post_pull_via(&client(), f).await
}

async fn post_pull_via(
    c: &reqwest::Client,
    f: &FakeGitea,
) -> Result<reqwest::Response, reqwest::Error> {
    c.post(format!("{}/api/v1/repos/acme/app/pulls", f.base_url()))
        .header("Authorization", format!("token {TOKEN}"))
        .json(&json!({"head": BUMP, "base": "main", "title": "Bump"}))
        .send()
        .await
}

/// Whether an error chain contains a TCP reset (ECONNRESET), not merely a closed connection.
fn is_reset(e: &reqwest::Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionReset
        {
            return true;
        }
        cur = err.source();
    }
    false
}

#[tokio::test]
async fn status_with_gitea_json_body() {
    let f = fake().await;
    inject(&f, Match::any(), Trigger::Always, Fault::status(503));
    let r = get_repo(&f).await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        r.headers()["content-type"],
        "application/json;charset=utf-8"
    );
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"message": "Service Unavailable", "url": format!("{}/api/swagger", f.base_url())})
    );
    let log = f.requests();
    assert_eq!(log[0].status, Some(503));
    assert_eq!(log[0].fault.as_deref(), Some("status 503"));
}

#[tokio::test]
async fn status_with_proxy_html_and_retry_after() {
    let f = fake().await;
    inject(&f, Match::any(), Trigger::Always, Fault::proxy_html(502));
    let r = get_repo(&f).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(r.headers()["content-type"], "text/html");
    assert!(r.text().await.unwrap().contains("<h1>502 Bad Gateway</h1>"));

    f.faults().clear();
    inject(
        &f,
        Match::any(),
        Trigger::Always,
        Fault::status(429).retry_after(7),
    );
    let r = get_repo(&f).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "7");
}

#[tokio::test(start_paused = true)]
async fn delay_past_the_client_timeout() {
    let f = fake().await;
    inject(
        &f,
        Match::any(),
        Trigger::Nth(1),
        Fault::Delay(Duration::from_secs(60)),
    );
    let c = timeout_client(5);
    let start = tokio::time::Instant::now();
    let err = c
        .get(format!("{}/api/v1/repos/acme/app", f.base_url()))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(start.elapsed() >= Duration::from_secs(5));
    // The second call is not delayed.
    let ok = c
        .get(format!("{}/api/v1/repos/acme/app", f.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn short_delay_then_normal_answer() {
    let f = fake().await;
    inject(
        &f,
        Match::any(),
        Trigger::Always,
        Fault::Delay(Duration::from_secs(3)),
    );
    let start = tokio::time::Instant::now();
    let r = get_repo(&f).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(start.elapsed() >= Duration::from_secs(3));
    assert_eq!(f.requests()[0].fault.as_deref(), Some("delay 3000ms"));
}

#[tokio::test(start_paused = true)]
async fn latency_delays_every_answer() {
    let f = FakeGitea::builder()
        .latency(Duration::from_millis(250))
        .start()
        .await
        .unwrap();
    crate::common::seed(&f);
    let start = tokio::time::Instant::now();
    for _ in 0..4 {
        assert_eq!(get_repo(&f).await.unwrap().status(), StatusCode::OK);
    }
    assert!(start.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn reset_before_any_response() {
    let f = fake().await;
    inject(&f, Match::any(), Trigger::Nth(1), Fault::Reset);
    let err = get_repo(&f).await.unwrap_err();
    assert!(!err.is_timeout());
    assert!(err.status().is_none());
    assert!(is_reset(&err), "{err:?}");
    let log = f.requests();
    assert_eq!(log[0].status, None);
    assert_eq!(log[0].fault.as_deref(), Some("reset"));
    // The server keeps serving.
    assert_eq!(get_repo(&f).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn truncated_body_after_headers() {
    let f = fake().await;
    inject(&f, Match::any(), Trigger::Always, Fault::TruncateBody);
    let r = get_repo(&f).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let len: usize = r.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(len > 100);
    let err = r.bytes().await.unwrap_err();
    assert!(
        err.is_body() || err.is_decode() || err.is_request(),
        "{err:?}"
    );
    assert_eq!(f.requests()[0].fault.as_deref(), Some("truncate"));
}

#[tokio::test]
async fn redirect_answers_instead_of_the_handler() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    let location = "http://127.0.0.1:9/api/v1/repos/acme/app/pulls";
    let on = Match::any().method("POST").path(PULLS);
    inject(&f, on, Trigger::Always, Fault::redirect(307, location));
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = post_pull_via(&no_follow, &f).await.unwrap();
    assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(r.headers()["location"], location);
    assert!(f.store().pulls("acme", "app").is_empty(), "no side effect");
    assert_eq!(f.requests()[0].fault.as_deref(), Some("redirect 307"));
}

#[tokio::test]
async fn apply_then_504_really_creates_the_pull() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    inject(
        &f,
        Match::any().method("POST").path(PULLS),
        Trigger::Nth(1),
        Fault::apply_then(Fault::status(504)),
    );
    let r = post_pull(&f).await.unwrap();
    assert_eq!(r.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(
        f.store().pulls("acme", "app").len(),
        1,
        "the side effect happened"
    );
    // The retry sees the duplicate.
    let again = post_pull(&f).await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let log = f.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].fault.as_deref(), Some("apply-then status 504"));
    assert_eq!(log[0].status, Some(504));
    assert_eq!(log[1].status, Some(409));
    assert_eq!(log[1].fault, None);
}

#[tokio::test]
async fn apply_then_reset_really_creates_the_branch() {
    let f = fake().await;
    inject(
        &f,
        Match::any()
            .method("POST")
            .path("/api/v1/repos/*/*/branches"),
        Trigger::Always,
        Fault::apply_then(Fault::Reset),
    );
    let err = client()
        .post(format!("{}/api/v1/repos/acme/app/branches", f.base_url()))
        .header("Authorization", format!("token {TOKEN}"))
        .json(&json!({"new_branch_name": BUMP}))
        .send()
        .await
        .unwrap_err();
    assert!(is_reset(&err), "{err:?}");
    assert!(f.store().branches("acme", "app").contains(&BUMP.to_owned()));
    assert_eq!(f.requests()[0].status, None);
}

#[tokio::test(start_paused = true)]
async fn apply_then_delay_holds_the_real_answer() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    let fault = Fault::apply_then(Fault::Delay(Duration::from_secs(120)));
    inject(&f, Match::any().method("POST"), Trigger::Always, fault);
    let c = timeout_client(10);
    let err = post_pull_via(&c, &f).await.unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(f.store().pulls("acme", "app").len(), 1);
}

#[tokio::test]
async fn first_n_and_nth_count_matching_calls_only() {
    let f = fake().await;
    inject(
        &f,
        Match::any().method("GET").path("/api/v1/repos/acme/app"),
        Trigger::FirstN(2),
        Fault::status(500),
    );
    inject(
        &f,
        Match::any().path("/api/v1/version"),
        Trigger::Nth(2),
        Fault::status(502),
    );
    let version = format!("{}/api/v1/version", f.base_url());
    assert_eq!(client().get(&version).send().await.unwrap().status(), 200);
    let statuses = [
        get_repo(&f).await.unwrap().status(),
        get_repo(&f).await.unwrap().status(),
        get_repo(&f).await.unwrap().status(),
    ];
    assert_eq!(statuses, [500, 500, 200]);
    assert_eq!(client().get(&version).send().await.unwrap().status(), 502);
    assert_eq!(client().get(&version).send().await.unwrap().status(), 200);
    assert_eq!(f.faults().fired(), vec![2, 1]);
}

#[tokio::test]
async fn probability_is_deterministic_per_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let f = fake().await;
        let t = Trigger::Probability { p: 0.5, seed };
        inject(&f, Match::any(), t, Fault::status(503));
        let mut out = Vec::new();
        for _ in 0..24 {
            out.push(get_repo(&f).await.unwrap().status().as_u16());
        }
        out
    }
    let a = run(7).await;
    assert_eq!(a, run(7).await);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
    assert_ne!(a, run(8).await);
}

#[tokio::test]
async fn log_records_scheme_never_the_token() {
    let f = fake().await;
    get_repo(&f).await.unwrap();
    client()
        .get(format!(
            "{}/api/v1/repos/acme/app/pulls?state=open&token={TOKEN}",
            f.base_url()
        ))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    client()
        .get(format!("{}/api/v1/version", f.base_url()))
        .send()
        .await
        .unwrap();
    let log = f.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, "/api/v1/repos/acme/app");
    assert_eq!(log[0].auth_scheme.as_deref(), Some("token"));
    assert_eq!(log[0].status, Some(200));
    assert_eq!(log[1].auth_scheme.as_deref(), Some("Bearer"));
    assert_eq!(log[1].query.as_deref(), Some("state=open&token=***"));
    assert_eq!(log[2].auth_scheme, None);
    assert!(!format!("{log:?}").contains(TOKEN));
    f.clear_requests();
    assert!(f.requests().is_empty());
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let f = fake().await;
    let url = format!("{}/api/v1/version", f.base_url());
    drop(f);
    tokio::task::yield_now().await;
    let err = reqwest::Client::new().get(url).send().await.unwrap_err();
    assert!(err.is_connect() || err.is_request(), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn a_delayed_write_still_lands_after_the_client_gave_up() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    let delay = Fault::Delay(Duration::from_secs(60));
    inject(&f, Match::any().method("POST"), Trigger::Always, delay);
    let c = timeout_client(5);
    let err = post_pull_via(&c, &f).await.unwrap_err();
    assert!(err.is_timeout());
    assert!(f.store().pulls("acme", "app").is_empty(), "not yet");
    assert_eq!(f.requests()[0].status, None, "still being answered");
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(f.store().pulls("acme", "app").len(), 1);
    assert_eq!(f.requests()[0].status, Some(201));
}

#[tokio::test]
async fn apply_then_truncate_lands_the_write_and_cuts_the_answer() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    let fault = Fault::apply_then(Fault::TruncateBody);
    inject(
        &f,
        Match::any().method("POST").path(PULLS),
        Trigger::Always,
        fault,
    );
    let r = post_pull(&f).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(r.bytes().await.is_err());
    assert_eq!(f.store().pulls("acme", "app").len(), 1);
}
