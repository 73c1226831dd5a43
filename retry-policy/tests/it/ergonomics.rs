//! Issue 16's ergonomics, through `RetryMiddleware` and `Retrier` against a loopback server on
//! tokio's paused clock: which requests are retried, per-request policies, the event level,
//! the one-line `Retrier::retry`, and the budget under a burst.
#![cfg(feature = "reqwest")]

use std::time::Duration;

#[cfg(feature = "tracing")]
use crate::support::events::Recorder;
use loopback::{Reply, Server};
use reqwest::Method;
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use retry_policy::{
    Attempts, Policy, Retrier, RetryBudget, RetryMiddleware, RetryMode, StopReason,
};

fn client(middleware: RetryMiddleware) -> ClientWithMiddleware {
    ClientBuilder::new(reqwest::Client::new())
        .with(middleware)
        .build()
}

fn count_and_stop(response: &reqwest::Response) -> (u32, StopReason) {
    let attempts = Attempts::from_extensions(response.extensions()).unwrap();
    (attempts.count, attempts.stop)
}

/// By default only idempotent methods are retried, and any request with an `Idempotency-Key`.
#[tokio::test(start_paused = true)]
async fn the_default_mode_retries_idempotent_requests_only() {
    let client = client(RetryMiddleware::default());
    let retried = (4, StopReason::RetriesExhausted);
    let once = (1, StopReason::SingleShot);
    let cases = [
        (Method::GET, false, retried),
        (Method::HEAD, false, retried),
        (Method::PUT, false, retried),
        (Method::DELETE, false, retried),
        (Method::OPTIONS, false, retried),
        (Method::TRACE, false, retried),
        (Method::POST, false, once),
        (Method::PATCH, false, once),
        (Method::POST, true, retried),
        (Method::PATCH, true, retried),
    ];
    for (method, keyed, expected) in cases {
        let server = Server::scripted(vec![Reply::status(503)]).await;
        let mut request = client.request(method.clone(), server.url("/")).body("{}");
        if keyed {
            request = request.header("Idempotency-Key", "7f7c4d3e");
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            count_and_stop(&response),
            expected,
            "{method} keyed={keyed}"
        );
        assert_eq!(server.requests().len() as u32, expected.0, "{method}");
    }
    assert_eq!(
        RetryMiddleware::default().default_mode(),
        RetryMode::Idempotent
    );
}

/// A request may carry a policy of its own, which replaces the middleware's for it alone.
#[tokio::test(start_paused = true)]
async fn a_request_may_carry_its_own_policy() {
    let server = Server::scripted(vec![Reply::status(503)]).await;
    let client = client(RetryMiddleware::default());
    let once_more = Policy::builder()
        .max_retries(1)
        .base_delay(Duration::from_millis(250))
        .build()
        .unwrap();
    let response = client
        .get(server.url("/own"))
        .with_extension(once_more)
        .send()
        .await
        .unwrap();
    assert_eq!(count_and_stop(&response), (2, StopReason::RetriesExhausted));
    assert_eq!(server.gaps_ms(), [250]);

    let plain = client.get(server.url("/default")).send().await.unwrap();
    assert_eq!(count_and_stop(&plain), (4, StopReason::RetriesExhausted));
    assert_eq!(server.gaps_ms()[1..], [0, 1000, 2000, 4000]);
}

/// The retry and give-up events come at the level the retrier was given.
#[cfg(feature = "tracing")]
#[tokio::test(start_paused = true)]
async fn the_event_level_is_the_retriers() {
    let (recorder, _guard) = Recorder::install();
    let server = Server::scripted(vec![Reply::status(503)]).await;
    let retrier = Retrier::new(Policy::builder().max_retries(1).build().unwrap())
        .with_event_level(tracing::Level::DEBUG);
    assert_eq!(retrier.event_level(), tracing::Level::DEBUG);
    client(RetryMiddleware::from(retrier))
        .get(server.url("/"))
        .send()
        .await
        .unwrap();
    let levels: Vec<String> = recorder
        .events()
        .iter()
        .map(|event| event["level"].clone())
        .collect();
    assert_eq!(levels, ["DEBUG", "DEBUG"], "one retry, one give-up");
}

/// `Retrier::retry` wraps any call in one line: here plain reqwest, whose status errors say
/// which status they were.
#[tokio::test(start_paused = true)]
async fn retry_wraps_a_plain_reqwest_call_in_one_line() {
    let server = Server::scripted(vec![
        Reply::status(503),
        Reply::reset(),
        Reply::json(200, "{}"),
        Reply::status(404),
    ])
    .await;
    let http = reqwest::Client::new();
    let url = server.url("/");
    let get = || async { http.get(&url).send().await?.error_for_status() };

    let retrier = Retrier::default();
    let response = retrier.retry(get).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.gaps_ms(), [1000, 2000]);

    let error = retrier.retry(get).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(server.requests().len(), 4, "a 404 is not retried");
}

/// A burst of 100 requests to a server that answers every one with 503 makes 120 calls under
/// the default budget: the reserve cannot double the load (it made 220 before 0.2).
#[tokio::test(start_paused = true)]
async fn a_burst_of_a_hundred_makes_a_hundred_and_twenty_calls() {
    let server = Server::scripted(vec![Reply::status(503)]).await;
    let retrier = Retrier::new(Policy::default()).with_budget(RetryBudget::default());
    let client = client(RetryMiddleware::from(retrier));
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let request = client.get(server.url("/"));
        burst.spawn(async move { request.send().await.unwrap().status() });
    }
    while let Some(status) = burst.join_next().await {
        assert_eq!(status.unwrap(), 503);
    }
    assert_eq!(server.requests().len(), 120);
}
