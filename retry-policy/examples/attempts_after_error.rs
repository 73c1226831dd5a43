//! Reading how many attempts a request made when it failed, even through
//! `RequestBuilder::send()`, which keeps no extensions: put an `AttemptsHandle` in the request.
//!
//! `cargo run -p retry-policy --example attempts_after_error`

use std::time::Duration;

use reqwest_middleware::ClientBuilder;
use retry_policy::{AttemptsHandle, Policy, RetryMiddleware};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Short waits so that the example finishes in a moment: 50 ms, 100 ms, 200 ms.
    let policy = Policy::builder()
        .base_delay(Duration::from_millis(50))
        .build()
        .unwrap();
    let client = ClientBuilder::new(reqwest::Client::new())
        .with(RetryMiddleware::new(policy))
        .build();

    // Nobody listens on this port of this machine, so every attempt fails to connect.
    let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", unused.local_addr().unwrap());
    drop(unused);

    let attempts = AttemptsHandle::new();
    let result = client
        .get(&url)
        .with_extension(attempts.clone())
        .send()
        .await;
    match (result, attempts.get()) {
        (Err(error), Some(attempts)) => println!(
            "failed after {} attempts ({}): connect error: {}",
            attempts.count,
            attempts.stop,
            error.is_connect()
        ),
        (Ok(response), _) => println!("unexpectedly answered {}", response.status()),
        (Err(error), None) => println!("failed before any attempt: {error}"),
    }
}
