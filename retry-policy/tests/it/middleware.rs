//! The seed behaviours, through `RetryMiddleware` against a real loopback HTTP server.
//!
//! Every test runs on tokio's paused clock with the server in the same runtime: the backoff
//! sleeps are skipped by auto-advance, and the server's arrival times show the delays exactly.
#![cfg(feature = "reqwest")]

use std::time::Duration;

use loopback::{Reply, Server, dead_url};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use retry_policy::{
    AttemptTimedOut, Attempts, Policy, Retrier, RetryBudget, RetryMiddleware, RetryMode, StopReason,
};
use tokio::time::Instant;

fn client(middleware: RetryMiddleware) -> ClientWithMiddleware {
    ClientBuilder::new(reqwest::Client::new())
        .with(middleware)
        .build()
}

fn default_client() -> ClientWithMiddleware {
    client(RetryMiddleware::new(Policy::default()))
}

fn attempts(response: &reqwest::Response) -> u32 {
    Attempts::from_extensions(response.extensions())
        .unwrap()
        .count
}

fn stop(response: &reqwest::Response) -> StopReason {
    Attempts::from_extensions(response.extensions())
        .unwrap()
        .stop
}

/// The final status and the number of attempts.
fn outcome(response: &reqwest::Response) -> (u16, u32) {
    (response.status().as_u16(), attempts(response))
}

/// `GET /` on `server` through `client`.
async fn get(client: &ClientWithMiddleware, server: &Server) -> reqwest::Response {
    client.get(server.url("/")).send().await.unwrap()
}

/// `POST /pulls` with a small, cloneable body, opted in to retries.
async fn post_pulls(client: &ClientWithMiddleware, server: &Server) -> reqwest::Response {
    client
        .post(server.url("/pulls"))
        .body("{}")
        .with_extension(RetryMode::Always)
        .send()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_503_then_a_201_succeeds() {
    let server = Server::scripted(vec![Reply::status(503), Reply::status(201)]).await;
    let response = post_pulls(&default_client(), &server).await;
    assert_eq!(response.status(), 201);
    assert_eq!(attempts(&response), 2);
    assert_eq!(server.gaps_ms(), [1000]);
}

#[tokio::test(start_paused = true)]
async fn a_4xx_501_or_505_is_not_retried() {
    for status in [400, 401, 403, 404, 408, 409, 422, 429, 501, 505] {
        let server = Server::scripted(vec![Reply::status(status), Reply::status(200)]).await;
        let response = get(&default_client(), &server).await;
        assert_eq!(outcome(&response), (status, 1));
        assert_eq!(server.requests().len(), 1, "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn after_max_retries_the_5xx_is_returned() {
    let server = Server::scripted(vec![Reply::status(502)]).await;
    let response = get(&default_client(), &server).await;
    assert_eq!(response.status(), 502);
    assert_eq!(attempts(&response), 4);
    assert_eq!(server.requests().len(), 4);
    assert_eq!(server.gaps_ms(), [1000, 2000, 4000]);
}

#[tokio::test(start_paused = true)]
async fn a_persistent_connection_error_is_reraised() {
    let url = dead_url();
    let started = Instant::now();
    let request = reqwest::Client::new().get(&url).build().unwrap();
    let mut extensions = http::Extensions::new();
    let error = default_client()
        .execute_with_extensions(request, &mut extensions)
        .await
        .unwrap_err();
    match &error {
        reqwest_middleware::Error::Reqwest(error) => assert!(error.is_connect(), "{error:?}"),
        other => panic!("expected the original reqwest error, got {other:?}"),
    }
    let attempts = Attempts::from_extensions(&extensions).unwrap();
    assert_eq!(
        (attempts.count, attempts.stop),
        (4, StopReason::RetriesExhausted)
    );
    assert_eq!(started.elapsed(), Duration::from_secs(1 + 2 + 4));
}

#[tokio::test(start_paused = true)]
async fn the_backoff_is_1_2_4_8_16_for_five_retries() {
    let server = Server::scripted(vec![Reply::status(503)]).await;
    let policy = Policy::builder().max_retries(5).build().unwrap();
    let response = get(&client(RetryMiddleware::new(policy)), &server).await;
    assert_eq!(response.status(), 503);
    assert_eq!(attempts(&response), 6);
    assert_eq!(server.gaps_ms(), [1000, 2000, 4000, 8000, 16000]);
}

#[tokio::test(start_paused = true)]
async fn no_sleep_on_first_success() {
    let server = Server::scripted(vec![Reply::status(200)]).await;
    let started = Instant::now();
    let response = get(&default_client(), &server).await;
    assert_eq!(response.status(), 200);
    assert_eq!(attempts(&response), 1);
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn with_per_request_opt_in_other_requests_stay_single_shot() {
    let server = Server::scripted(vec![Reply::status(503)]).await;
    let client =
        client(RetryMiddleware::new(Policy::default()).with_default_mode(RetryMode::Never));

    let read = client.get(server.url("/repos")).send().await.unwrap();
    assert_eq!(outcome(&read), (503, 1));
    assert_eq!(server.requests().len(), 1);

    let create = client
        .post(server.url("/pulls"))
        .with_extension(RetryMode::Always)
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(&create), (503, 4));
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_request_can_opt_out_when_retries_are_on_by_default() {
    let server = Server::scripted(vec![Reply::status(503)]).await;
    let response = default_client()
        .get(server.url("/"))
        .with_extension(RetryMode::Never)
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(&response), (503, 1));
}

#[tokio::test(start_paused = true)]
async fn a_reset_before_the_response_is_retried() {
    let server = Server::scripted(vec![Reply::reset(), Reply::status(201)]).await;
    let response = post_pulls(&default_client(), &server).await;
    assert_eq!(outcome(&response), (201, 2));
}

#[tokio::test(start_paused = true)]
async fn a_connection_closed_before_the_response_is_retried() {
    let server = Server::scripted(vec![Reply::close(), Reply::status(200)]).await;
    let response = get(&default_client(), &server).await;
    assert_eq!(outcome(&response), (200, 2));
}

#[tokio::test(start_paused = true)]
async fn a_slow_attempt_times_out_after_the_attempt_timeout_and_is_retried() {
    let server = Server::scripted(vec![
        Reply::status(200).delayed(Duration::from_secs(600)),
        Reply::status(200),
    ])
    .await;
    let policy = Policy::builder()
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let response = get(&client(RetryMiddleware::new(policy.clone())), &server).await;
    assert_eq!(outcome(&response), (200, 2));
    assert_eq!(server.gaps_ms(), [5000 + 1000]);

    // When every attempt times out, the error says so, and counts as a timeout.
    let hanging = Server::scripted(vec![Reply::hang()]).await;
    let started = Instant::now();
    let error = client(RetryMiddleware::new(policy))
        .get(hanging.url("/"))
        .send()
        .await
        .unwrap_err();
    let timed_out = match &error {
        reqwest_middleware::Error::Middleware(error) => error.downcast_ref::<AttemptTimedOut>(),
        reqwest_middleware::Error::Reqwest(_) => None,
    };
    assert_eq!(
        timed_out.map(AttemptTimedOut::timeout),
        Some(Duration::from_secs(5)),
        "{error:?}"
    );
    assert_eq!(
        retry_policy::TransportKind::from_middleware_error(&error),
        retry_policy::TransportKind::Timeout
    );
    assert_eq!(started.elapsed(), Duration::from_secs(4 * 5 + 1 + 2 + 4));
}

#[tokio::test(start_paused = true)]
async fn a_body_that_cannot_be_cloned_is_sent_once() {
    let server = Server::scripted(vec![Reply::status(503), Reply::status(201)]).await;
    let body = reqwest::Body::wrap(String::from("{\"title\":\"bump\"}"));
    let response = default_client()
        .post(server.url("/pulls"))
        .body(body)
        .with_extension(RetryMode::Always)
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(&response), (503, 1));
    assert_eq!(stop(&response), StopReason::SingleShot);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn retry_after_lengthens_the_wait_up_to_the_cap() {
    let retry_after = |value: &str| Reply::status(503).header("retry-after", value);
    let server = Server::scripted(vec![
        retry_after("3"),
        retry_after("0"),
        retry_after("30"),
        Reply::status(200),
    ])
    .await;
    let response = get(&default_client(), &server).await;
    assert_eq!(response.status(), 200);
    // Schedule 1, 2, 4 s; Retry-After 3 s raises the first, 0 s changes nothing, and 30 s,
    // the cap, is waited in full.
    assert_eq!(server.gaps_ms(), [3000, 2000, 30000]);
}

#[tokio::test(start_paused = true)]
async fn a_request_timeout_of_its_own_is_kept() {
    let server = Server::scripted(vec![
        Reply::status(200).delayed(Duration::from_secs(600)),
        Reply::status(200),
    ])
    .await;
    let response = default_client()
        .get(server.url("/"))
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.gaps_ms(), [2000 + 1000]);
}

#[tokio::test(start_paused = true)]
async fn a_spent_retry_budget_returns_at_once() {
    let server = Server::scripted(vec![Reply::status(503)]).await;
    let budget = RetryBudget::builder()
        .ratio(0.5)
        .reserve(0)
        .build()
        .unwrap();
    let client = client(RetryMiddleware::from(
        Retrier::new(Policy::default()).with_budget(budget),
    ));
    let first = get(&client, &server).await;
    let second = get(&client, &server).await;
    // Two requests earn one retry at a ratio of 0.5: the first gets none, the second one.
    assert_eq!(
        (outcome(&first), stop(&first)),
        ((503, 1), StopReason::BudgetExhausted)
    );
    assert_eq!(
        (outcome(&second), stop(&second)),
        ((503, 2), StopReason::BudgetExhausted)
    );
}
