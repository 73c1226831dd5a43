//! The `tracing` events of `RetryMiddleware`: one per retry and one per give-up, with the
//! method and a route name, never a path, a query or a header.
#![cfg(all(feature = "reqwest", feature = "tracing"))]

use crate::support::events::Recorder;
use loopback::{Reply, Server};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use retry_policy::{Policy, Retrier, RetryBudget, RetryMiddleware, Route};

fn client(middleware: RetryMiddleware) -> ClientWithMiddleware {
    ClientBuilder::new(reqwest::Client::new())
        .with(middleware)
        .build()
}

fn default_client() -> ClientWithMiddleware {
    client(RetryMiddleware::default())
}

async fn get(client: &ClientWithMiddleware, server: &Server) -> reqwest::Response {
    client.get(server.url("/")).send().await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_spent_retry_budget_says_why_in_its_events() {
    let (recorder, _guard) = Recorder::install();
    let server = Server::scripted(vec![Reply::status(503)]).await;
    let budget = RetryBudget::builder()
        .ratio(0.5)
        .reserve(0)
        .build()
        .unwrap();
    let retrier = Retrier::new(Policy::default()).with_budget(budget);
    let client = client(RetryMiddleware::from(retrier));
    get(&client, &server).await;
    get(&client, &server).await;
    let stops: Vec<_> = recorder
        .events()
        .into_iter()
        .filter_map(|e| e.get("stop").cloned())
        .collect();
    assert_eq!(stops, ["retry budget exhausted", "retry budget exhausted"]);
}

#[tokio::test(start_paused = true)]
async fn one_event_per_retry_with_method_and_route_never_path_query_or_headers() {
    let (recorder, _guard) = Recorder::install();
    let server =
        Server::scripted(vec![Reply::status(503), Reply::reset(), Reply::status(200)]).await;
    let response = default_client()
        .get(server.url("/bot123456:hunter2/repos/org/app?token=hunter2"))
        .header("authorization", "token hunter2")
        .with_extension(Route("repos.get"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let events = recorder.events();
    assert_eq!(events.len(), 2, "{events:?}");
    let field = |i: usize, name: &str| events[i].get(name).cloned().unwrap_or_default();
    assert_eq!(
        [
            field(0, "attempt"),
            field(0, "delay_ms"),
            field(0, "status")
        ],
        ["1", "1000", "503"]
    );
    assert_eq!(
        [
            field(1, "attempt"),
            field(1, "delay_ms"),
            field(1, "error_kind")
        ],
        ["2", "2000", "connection reset"]
    );
    assert_eq!(
        [field(0, "method"), field(0, "route")],
        ["GET", "repos.get"]
    );
    for event in &events {
        assert_eq!(event["level"], "WARN");
        assert!(!event.contains_key("path") && !event.contains_key("url"));
        for value in event.values() {
            assert!(
                !value.contains("hunter2") && !value.contains("/repos"),
                "{event:?}"
            );
        }
    }

    // Without a route name, an event names no route at all, and still no path.
    let (recorder, _guard) = Recorder::install();
    get(
        &default_client(),
        &Server::scripted(vec![Reply::status(503), Reply::status(200)]).await,
    )
    .await;
    let events = recorder.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(!events[0].contains_key("route") && !events[0].contains_key("path"));
}
