//! RetryMiddleware and reqwest-retry's RetryTransientMiddleware, given the same policy and
//! classifier, make the same calls at the same times against the same scripted server.
#![cfg(feature = "reqwest-retry")]

use loopback::{Reply, Server, dead_url};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use reqwest_retry::RetryTransientMiddleware;
use retry_policy::{Policy, RetryMiddleware, RetryMode, StrictClassifier};
use tokio::time::Instant;

/// What one request looked like from the outside.
#[derive(Debug, PartialEq, Eq)]
struct Trace {
    calls: Vec<(String, String)>,
    gaps_secs: Vec<u128>,
    status: Option<u16>,
    elapsed_secs: u64,
}

fn ours() -> ClientWithMiddleware {
    ClientBuilder::new(reqwest::Client::new())
        .with(RetryMiddleware::new(Policy::default()).with_default_mode(RetryMode::Always))
        .build()
}

fn theirs() -> ClientWithMiddleware {
    let middleware =
        RetryTransientMiddleware::new_with_policy_and_strategy(Policy::default(), StrictClassifier);
    ClientBuilder::new(reqwest::Client::new())
        .with(middleware)
        .build()
}

async fn trace(client: ClientWithMiddleware, script: Option<Vec<Reply>>) -> Trace {
    let server = match script {
        Some(script) => Some(Server::scripted(script).await),
        None => None,
    };
    let url = server
        .as_ref()
        .map_or_else(dead_url, |server| server.url("/api/v1/repos/org/app/pulls"));
    let started = Instant::now();
    let result = client.post(url).body("{}").send().await;
    // reqwest-retry measures its delays on the system clock, so they come out a hair short.
    let round = |ms: u128| (ms + 500) / 1000;
    Trace {
        calls: server.as_ref().map_or_else(Vec::new, |server| {
            server
                .requests()
                .into_iter()
                .map(|call| (call.method, call.target))
                .collect()
        }),
        gaps_secs: server.as_ref().map_or_else(Vec::new, |server| {
            server.gaps_ms().into_iter().map(round).collect()
        }),
        status: result.ok().map(|response| response.status().as_u16()),
        elapsed_secs: round(started.elapsed().as_millis()) as u64,
    }
}

#[tokio::test(start_paused = true)]
async fn both_middlewares_make_the_same_calls() {
    let scripts = [
        (vec![Reply::status(503), Reply::status(201)], 2),
        (vec![Reply::status(404)], 1),
        (vec![Reply::status(501)], 1),
        (vec![Reply::status(500)], 4),
        (
            vec![Reply::reset(), Reply::status(502), Reply::status(201)],
            3,
        ),
        (vec![Reply::close(), Reply::status(200)], 2),
        (vec![Reply::status(429), Reply::status(200)], 1),
    ];
    for (script, calls) in scripts {
        let expected = trace(ours(), Some(script.clone())).await;
        let actual = trace(theirs(), Some(script.clone())).await;
        assert_eq!(actual, expected, "{script:?}");
        assert_eq!(expected.calls.len(), calls, "{script:?}");
    }
    let expected = trace(ours(), None).await;
    assert_eq!(expected.elapsed_secs, 1 + 2 + 4);
    assert_eq!(trace(theirs(), None).await, expected);
}
