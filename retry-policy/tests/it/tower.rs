//! `RetryLayer` around hyper-util's client against a loopback server on tokio's paused clock:
//! the semantics of `RetryMiddleware`, through tower.
#![cfg(feature = "tower")]

use std::future::poll_fn;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use loopback::{Reply, Server, dead_url};
use retry_policy::{
    AttemptTimedOut, Attempts, AttemptsHandle, BoxError, Policy, Retrier, RetryLayer, RetryMode,
    RetryService, StopReason,
};
use tokio::time::Instant;
use tower_layer::Layer;
use tower_service::Service;

use crate::support::time::{Gate, until};

type Inner = Client<HttpConnector, Full<Bytes>>;

fn inner() -> Inner {
    Client::builder(TokioExecutor::new()).build_http()
}

fn service(layer: RetryLayer) -> RetryService<Inner> {
    layer.layer(inner())
}

fn request(method: Method, url: &str) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(url)
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap()
}

async fn send<S>(service: &mut S, request: Request<Full<Bytes>>) -> Result<S::Response, S::Error>
where
    S: Service<Request<Full<Bytes>>>,
{
    poll_fn(|cx| service.poll_ready(cx)).await?;
    service.call(request).await
}

fn count_and_stop(response: &Response<Incoming>) -> (u32, StopReason) {
    let attempts = Attempts::from_extensions(response.extensions()).unwrap();
    (attempts.count, attempts.stop)
}

#[tokio::test(start_paused = true)]
async fn a_503_then_a_201_is_retried_on_the_schedule() {
    let server = Server::scripted(vec![Reply::status(503), Reply::status(201)]).await;
    let mut retry = service(RetryLayer::default());
    let mut post = request(Method::POST, &server.url("/pulls"));
    post.extensions_mut().insert(RetryMode::Always);
    let response = send(&mut retry, post).await.unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(count_and_stop(&response), (2, StopReason::Succeeded));
    assert_eq!(server.gaps_ms(), [1000]);
    let bodies: Vec<Vec<u8>> = server.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(
        bodies,
        [b"{}".to_vec(), b"{}".to_vec()],
        "the body is sent again"
    );
}

#[tokio::test(start_paused = true)]
async fn a_final_5xx_is_returned_and_4xx_and_posts_are_sent_once() {
    let mut retry = service(RetryLayer::default());
    let server = Server::scripted(vec![Reply::status(502)]).await;
    let response = send(&mut retry, request(Method::GET, &server.url("/")))
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(count_and_stop(&response), (4, StopReason::RetriesExhausted));
    assert_eq!(server.gaps_ms(), [1000, 2000, 4000]);

    for (method, status, expected) in [
        (Method::GET, 404, (1, StopReason::NotRetriable)),
        (Method::GET, 501, (1, StopReason::NotRetriable)),
        (Method::POST, 503, (1, StopReason::SingleShot)),
    ] {
        let server = Server::scripted(vec![Reply::status(status)]).await;
        let response = send(&mut retry, request(method.clone(), &server.url("/")))
            .await
            .unwrap();
        assert_eq!(count_and_stop(&response), expected, "{method} {status}");
        assert_eq!(server.requests().len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn a_connection_error_is_the_clients_own_error_with_the_attempts_in_the_handle() {
    let mut retry = service(RetryLayer::default());
    let handle = AttemptsHandle::new();
    let mut get = request(Method::GET, &dead_url());
    get.extensions_mut().insert(handle.clone());
    let started = Instant::now();
    let error: BoxError = send(&mut retry, get).await.unwrap_err();
    let client_error = error
        .downcast_ref::<hyper_util::client::legacy::Error>()
        .expect("hyper-util's error, unchanged");
    assert!(client_error.is_connect(), "{client_error:?}");
    let attempts = handle.get().unwrap();
    assert_eq!(
        (attempts.count, attempts.stop),
        (4, StopReason::RetriesExhausted)
    );
    assert_eq!(started.elapsed(), Duration::from_secs(1 + 2 + 4));
}

#[tokio::test(start_paused = true)]
async fn the_attempt_timeout_races_each_call() {
    let server = Server::scripted(vec![Reply::hang(), Reply::status(200)]).await;
    let policy = Policy::builder()
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut retry = service(RetryLayer::new(policy.clone()));
    let response = send(&mut retry, request(Method::GET, &server.url("/")))
        .await
        .unwrap();
    assert_eq!(count_and_stop(&response), (2, StopReason::Succeeded));
    assert_eq!(server.gaps_ms(), [5000 + 1000]);

    let hanging = Server::scripted(vec![Reply::hang()]).await;
    let mut once = service(RetryLayer::new(policy).with_default_mode(RetryMode::Never));
    let error = send(&mut once, request(Method::GET, &hanging.url("/")))
        .await
        .unwrap_err();
    assert_eq!(
        error
            .downcast_ref::<AttemptTimedOut>()
            .map(AttemptTimedOut::timeout),
        Some(Duration::from_secs(5))
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_up_to_the_cap_and_stops_beyond_it() {
    let server = Server::scripted(vec![
        Reply::status(503).header("Retry-After", "3"),
        Reply::status(503).header("Retry-After", "31"),
    ])
    .await;
    let mut retry = service(RetryLayer::default());
    let response = send(&mut retry, request(Method::GET, &server.url("/")))
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(
        count_and_stop(&response),
        (2, StopReason::RetryAfterBeyondCap)
    );
    assert_eq!(server.gaps_ms(), [3000]);
}

#[tokio::test(start_paused = true)]
async fn a_body_that_cannot_be_replayed_is_sent_once() {
    let server = Server::scripted(vec![Reply::status(503), Reply::status(200)]).await;
    let layer = RetryLayer::default().with_replay(|_: &Full<Bytes>| None);
    let mut retry = layer.layer(inner());
    let response = send(&mut retry, request(Method::PUT, &server.url("/")))
        .await
        .unwrap();
    assert_eq!(count_and_stop(&response), (1, StopReason::SingleShot));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_previous_response_is_dropped_before_the_wait() {
    let server = Server::scripted(vec![
        Reply::status(503)
            .repeated_body(b'x', 16 << 20)
            .awaiting_close(),
        Reply::json(200, "{\"ok\":true}"),
    ])
    .await;
    let gate = Gate::default();
    let layer = RetryLayer::from(Retrier::new(Policy::default()).with_sleeper(gate.clone()));
    let mut retry = layer.layer(inner());
    let get = request(Method::GET, &server.url("/"));
    let pending = tokio::spawn(async move { send(&mut retry, get).await });
    gate.until_asleep().await;
    until("the first connection is closed", || {
        !server.closes().is_empty()
    })
    .await;
    assert_eq!(server.requests().len(), 1, "the retry has not started");
    gate.release();
    let response = pending.await.unwrap().unwrap();
    assert_eq!(count_and_stop(&response), (2, StopReason::Succeeded));
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, Bytes::from_static(b"{\"ok\":true}"));
}

#[tokio::test(start_paused = true)]
async fn a_closure_that_replays_the_body_lets_the_request_be_retried() {
    let server = Server::scripted(vec![Reply::status(503), Reply::status(200)]).await;
    let layer = RetryLayer::default().with_replay(|body: &Full<Bytes>| Some(body.clone()));
    let mut retry = layer.layer(inner());
    let response = send(&mut retry, request(Method::PUT, &server.url("/")))
        .await
        .unwrap();
    assert_eq!(count_and_stop(&response), (2, StopReason::Succeeded));
    assert_eq!(server.requests()[1].body_text(), "{}");
}

/// An inner service that is never ready: its error must reach the caller of `poll_ready`.
#[derive(Clone, Debug)]
struct Unready;

impl Service<Request<Full<Bytes>>> for Unready {
    type Response = Response<Full<Bytes>>;
    type Error = std::io::Error;
    type Future = std::future::Ready<Result<Self::Response, Self::Error>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Err(std::io::Error::other("the pool is closed")))
    }

    fn call(&mut self, _: Request<Full<Bytes>>) -> Self::Future {
        unreachable!("never ready, so never called")
    }
}

#[tokio::test(start_paused = true)]
async fn the_inner_services_readiness_error_is_the_callers() {
    let mut retry = RetryLayer::default().layer(Unready);
    let err = poll_fn(|cx| retry.poll_ready(cx)).await.unwrap_err();
    assert_eq!(err.to_string(), "the pool is closed");
}

#[test]
fn the_layer_and_the_service_show_their_settings() {
    let policy = Policy::builder().max_retries(5).build().unwrap();
    let layer = RetryLayer::new(policy.clone()).with_default_mode(RetryMode::Never);
    assert_eq!(layer.retrier().policy(), &policy);
    let shown = format!("{layer:?}");
    assert!(
        shown.starts_with("RetryLayer {") && shown.contains("max_retries: 5"),
        "{shown}"
    );
    assert!(shown.contains("default_mode: Never"), "{shown}");
    let shown = format!("{:?}", layer.layer(Unready));
    assert!(
        shown.starts_with("RetryService { inner: Unready")
            && shown.contains("max_retries: 5")
            && shown.contains("default_mode: Never"),
        "{shown}"
    );
}

/// A connection closed before the answer is a reset (hyper's incomplete message), retried as
/// `RetryMiddleware` retries it.
#[tokio::test(start_paused = true)]
async fn a_connection_closed_before_the_answer_is_retried() {
    let server = Server::scripted(vec![Reply::close(), Reply::status(200)]).await;
    let mut retry = RetryLayer::default().layer(inner());
    let response = send(&mut retry, request(Method::GET, &server.url("/")))
        .await
        .unwrap();
    assert_eq!(count_and_stop(&response), (2, StopReason::Succeeded));
    assert_eq!(server.requests().len(), 2);
}
