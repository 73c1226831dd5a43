//! Issue 16's correctness points, each through `RetryMiddleware` against a loopback server on
//! tokio's paused clock (or, where a timer would hide the point, a test-controlled sleeper).
#![cfg(feature = "reqwest")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

#[cfg(feature = "tracing")]
use crate::support::events::Recorder;
use crate::support::time::{Gate, WallClock, until};
use crate::support::tls::UntrustedTls;
use loopback::{Reply, Server, dead_url};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use retry_policy::{
    Attempts, AttemptsHandle, Policy, Retrier, RetryBudget, RetryMiddleware, RetryMode, StopReason,
    TokioSleeper, TransportKind,
};
use tokio::time::Instant;

fn with(http: reqwest::Client, retrier: Retrier) -> ClientWithMiddleware {
    ClientBuilder::new(http)
        .with(RetryMiddleware::from(retrier))
        .build()
}

fn attempts(response: &reqwest::Response) -> Attempts {
    Attempts::from_extensions(response.extensions()).unwrap()
}

fn count_and_stop(attempts: Attempts) -> (u32, StopReason) {
    (attempts.count, attempts.stop)
}

/// A client built with a 1 s timeout of its own gets that timeout, retried or not: the
/// middleware no longer replaces it with the policy's 30 s.
#[tokio::test(start_paused = true)]
async fn the_clients_own_timeout_is_honoured() {
    let slow = Reply::status(200).delayed(Duration::from_secs(3));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let client = with(http, Retrier::new(Policy::default()));

    let server = Server::scripted(vec![slow.clone()]).await;
    let handle = AttemptsHandle::new();
    let error = client
        .get(server.url("/"))
        .with_extension(handle.clone())
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(
        count_and_stop(handle.get().unwrap()),
        (4, StopReason::RetriesExhausted)
    );
    // Each attempt lasts the client's 1 s, then waits 1 s, 2 s, 4 s.
    assert_eq!(server.gaps_ms(), [2000, 3000, 5000]);

    // A request sent once is cut at 1 s too, not left to run for 3 s.
    let server = Server::scripted(vec![slow]).await;
    let started = Instant::now();
    let error = client
        .get(server.url("/"))
        .with_extension(RetryMode::Never)
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(started.elapsed(), Duration::from_secs(1));
}

/// The policy's attempt timeout races the attempt up to the response's head. A body read after
/// the response came back, however late, is not cut (reqwest's own request timeout, which the
/// middleware used to set, would have cut it).
#[tokio::test(start_paused = true)]
async fn the_attempt_timeout_never_cuts_a_body_read_later() {
    let server = Server::scripted(vec![Reply::json(200, "{\"ok\":true}")]).await;
    let policy = Policy::builder()
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let client = with(reqwest::Client::new(), Retrier::new(policy));
    let response = client.get(server.url("/")).send().await.unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(response.text().await.unwrap(), "{\"ok\":true}");
}

/// A `Retry-After` longer than the cap is not retried early at the cap: the response comes back
/// at once, and the stop reason says why.
#[cfg(feature = "tracing")]
#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_cap_returns_the_response_and_says_why() {
    let (recorder, _guard) = Recorder::install();
    let server = Server::scripted(vec![
        Reply::status(503).header("Retry-After", "2"),
        Reply::status(200),
    ])
    .await;
    let policy = Policy::builder()
        .base_delay(Duration::from_millis(100))
        .cap(Duration::from_millis(200))
        .build()
        .unwrap();
    let client = with(reqwest::Client::new(), Retrier::new(policy));
    let started = Instant::now();
    let response = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(
        count_and_stop(attempts(&response)),
        (1, StopReason::RetryAfterBeyondCap)
    );
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(server.requests().len(), 1);
    let stops: Vec<String> = recorder
        .events()
        .iter()
        .filter_map(|event| event.get("stop").cloned())
        .collect();
    assert_eq!(stops, ["Retry-After beyond the cap"]);
}

/// An HTTP-date `Retry-After` is measured against the response's `Date`, not the local clock:
/// a server whose clock says 2015 asking for 3 s gets 3 s.
#[tokio::test(start_paused = true)]
async fn an_http_date_retry_after_is_measured_against_the_response_date() {
    let server = Server::scripted(vec![
        Reply::status(503)
            .header("Date", "Wed, 21 Oct 2015 07:28:00 GMT")
            .header("Retry-After", "Wed, 21 Oct 2015 07:28:03 GMT"),
        Reply::status(200),
    ])
    .await;
    let client = with(reqwest::Client::new(), Retrier::new(Policy::default()));
    let response = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.gaps_ms(), [3000]);
}

/// Without a `Date`, an HTTP date is measured against the retrier's injected clock, not the
/// system's.
#[tokio::test(start_paused = true)]
async fn without_a_date_header_the_injected_clock_is_used() {
    let server_now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
    let server = Server::scripted(vec![
        Reply::status(503).header(
            "Retry-After",
            httpdate::fmt_http_date(server_now + Duration::from_secs(4)),
        ),
        Reply::status(200),
    ])
    .await;
    let retrier = Retrier::new(Policy::default()).with_clock(WallClock::starting_at(server_now));
    let response = with(reqwest::Client::new(), retrier)
        .get(server.url("/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.gaps_ms(), [4000]);
}

/// The attempts of a request that failed are readable even after `RequestBuilder::send()`,
/// which drops the request's extensions: through a handle the caller put in them.
#[tokio::test(start_paused = true)]
async fn attempts_are_readable_after_send_fails() {
    let client = with(reqwest::Client::new(), Retrier::new(Policy::default()));
    let handle = AttemptsHandle::new();
    let error = client
        .get(dead_url())
        .with_extension(handle.clone())
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    assert_eq!(
        count_and_stop(handle.get().unwrap()),
        (4, StopReason::RetriesExhausted)
    );

    // On success the handle agrees with the response's extension.
    let server = Server::scripted(vec![Reply::status(502), Reply::status(200)]).await;
    let handle = AttemptsHandle::new();
    let response = client
        .get(server.url("/"))
        .with_extension(handle.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(handle.get(), Some(attempts(&response)));
    assert_eq!(
        count_and_stop(attempts(&response)),
        (2, StopReason::Succeeded)
    );
}

/// A request dropped while it waits for a retry gives its budget token back: the next request
/// can still retry.
#[tokio::test(start_paused = true)]
async fn a_request_dropped_while_waiting_refunds_its_retry() {
    let server = Server::scripted(vec![Reply::status(503)]).await;
    // One retry for the whole window.
    let budget = RetryBudget::builder()
        .ratio(0.0)
        .reserve(1)
        .build()
        .unwrap();
    let client = with(
        reqwest::Client::new(),
        Retrier::new(Policy::default()).with_budget(budget),
    );
    let cancelled = tokio::time::timeout(
        Duration::from_millis(500),
        client.get(server.url("/")).send(),
    )
    .await;
    assert!(
        cancelled.is_err(),
        "cancelled while waiting 1 s for its retry"
    );
    let response = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(
        count_and_stop(attempts(&response)),
        (2, StopReason::BudgetExhausted)
    );
    assert_eq!(server.requests().len(), 3);
}

/// The response of a failed attempt is dropped, and its connection released, before the wait:
/// with the wait held open, the server sees the connection closed.
#[tokio::test(start_paused = true)]
async fn the_previous_response_is_dropped_before_the_wait() {
    let server = Server::scripted(vec![
        Reply::status(503)
            .repeated_body(b'x', 16 << 20)
            .awaiting_close(),
        Reply::status(200),
    ])
    .await;
    let gate = Gate::default();
    let retrier = Retrier::new(Policy::default()).with_sleeper(gate.clone());
    let client = with(reqwest::Client::new(), retrier);
    let request = tokio::spawn(client.get(server.url("/")).send());
    gate.until_asleep().await;
    until("the first connection is closed", || {
        !server.closes().is_empty()
    })
    .await;
    assert_eq!(server.closes()[0].index, 0);
    assert_eq!(server.requests().len(), 1, "the retry has not started");
    gate.release();
    let response = request.await.unwrap().unwrap();
    assert_eq!(
        count_and_stop(attempts(&response)),
        (2, StopReason::Succeeded)
    );
}

/// A certificate the client does not trust is final: one handshake, no retry, and the
/// original connect error.
#[tokio::test(start_paused = true)]
async fn a_certificate_error_is_final() {
    let server = UntrustedTls::start().await;
    let http = reqwest::Client::builder().build().unwrap();
    let client = with(http, Retrier::new(Policy::default()));
    let handle = AttemptsHandle::new();
    let error = client
        .get(&server.url)
        .with_extension(handle.clone())
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    assert_eq!(
        TransportKind::from_middleware_error(&error),
        TransportKind::Tls
    );
    assert_eq!(
        count_and_stop(handle.get().unwrap()),
        (1, StopReason::NotRetriable)
    );
    assert_eq!(server.handshakes(), 1);
}

/// Each wait goes through the retrier's sleeper, and each retry and the give-up through its
/// hooks, with what failed and why it stopped.
#[tokio::test(start_paused = true)]
async fn hooks_hear_each_retry_and_the_give_up() {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let (on_retry, on_give_up) = (Arc::clone(&heard), Arc::clone(&heard));
    let retrier = Retrier::new(Policy::builder().max_retries(2).build().unwrap())
        .with_sleeper(TokioSleeper)
        .on_retry(move |event| {
            on_retry.lock().unwrap().push(format!(
                "retry {} {} {:?} after {}",
                event.method.unwrap(),
                event.route.unwrap_or("-"),
                event.delay,
                event.outcome
            ));
        })
        .on_give_up(move |event| {
            on_give_up.lock().unwrap().push(format!(
                "give up after {} calls: {}, {}",
                event.attempts, event.outcome, event.stop
            ));
        });
    let server =
        Server::scripted(vec![Reply::status(503), Reply::reset(), Reply::status(502)]).await;
    let response = with(reqwest::Client::new(), retrier)
        .get(server.url("/"))
        .with_extension(retry_policy::Route("repos.get"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(
        *heard.lock().unwrap(),
        [
            "retry GET repos.get 1s after status 503",
            "retry GET repos.get 2s after connection reset",
            "give up after 3 calls: status 502, retries exhausted"
        ]
    );
}

/// `Retry-After` is a retry hint only on an error status: on a 202 that a custom classifier
/// retries, the wait is the policy's backoff, not the header's (RFC 9110 gives it other
/// meanings on 2xx and 3xx answers).
#[tokio::test(start_paused = true)]
async fn retry_after_on_a_success_status_is_not_a_retry_hint() {
    struct RetryAccepted;
    impl retry_policy::Classifier for RetryAccepted {
        fn classify(&self, attempt: &retry_policy::Attempt<'_>) -> retry_policy::Verdict {
            match attempt.outcome {
                retry_policy::Outcome::Status(202) => retry_policy::Verdict::Retriable,
                _ => retry_policy::StrictClassifier.classify(attempt),
            }
        }
    }
    let server = Server::scripted(vec![
        Reply::status(202).header("Retry-After", "5"),
        Reply::status(200),
    ])
    .await;
    let delays = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&delays);
    let retrier = Retrier::new(Policy::default())
        .with_classifier(RetryAccepted)
        .on_retry(move |event| seen.lock().unwrap().push(event.delay));
    let response = with(reqwest::Client::new(), retrier)
        .get(server.url("/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(*delays.lock().unwrap(), [Duration::from_secs(1)]);
}
