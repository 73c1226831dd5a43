//! A small, property-tested HTTP retry policy, with adapters for `reqwest-middleware` and
//! `tower`.
//!
//! ```
//! # #[cfg(feature = "reqwest")] {
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(retry_policy::RetryMiddleware::default())
//!     .build();
//! # drop(client); }
//! ```
//!
//! With the defaults an idempotent request is tried at most four times, 1 s, 2 s and 4 s apart,
//! on 500, 502, 503 and 504 and on connection failures and timeouts; every other status comes
//! back at once, a final 5xx as `Ok(response)` and a final connection error as itself.
//!
//! The crate has a pure core and thin adapters:
//!
//! - [`Policy`] decides, from the attempt count, the elapsed time, a `Retry-After` hint and an
//!   injected [`RandomSource`], whether to retry and how long to wait. It never reads a clock,
//!   sleeps or draws randomness of its own.
//! - [`Classifier`] judges each [`Attempt`]: is its [`Outcome`] worth another try? The default,
//!   [`StrictClassifier`], retries 500, 502, 503 and 504, connect errors, timeouts and resets
//!   before a response, and nothing else.
//! - [`RetryBudget`] bounds the retries of many requests together, so an outage cannot multiply
//!   the load on a server.
//! - [`Retrier`] runs any future-returning operation with an injected [`Sleeper`] and [`Clock`],
//!   reports retries and give-ups to hooks and `tracing`, and returns a [`Report`]: the last
//!   result unchanged, the attempt count, the delays slept and why it stopped.
//! - `RetryMiddleware` (feature `reqwest`) and `RetryLayer` (feature `tower`) apply a `Retrier`
//!   to HTTP requests, with a per-request [`RetryMode`], policy and route name.
//!
//! # Features
//!
//! - `tokio` (default): [`TokioSleeper`] and [`TokioClock`], and `Retrier::new`.
//! - `tracing` (default): `tracing` events for retries and give-ups, target `retry_policy`.
//! - `reqwest` (default): `RetryMiddleware` for `reqwest-middleware` 0.5.
//! - `tower`: `RetryLayer`, a `tower::Layer` for any `Service<http::Request<B>>`.
//! - `reqwest-retry`: [`Policy`] and [`StrictClassifier`] as reqwest-retry's policy and strategy.
//!
//! # Example: any operation
//!
//! ```
//! use std::time::{Duration, Instant};
//! use retry_policy::{InstantSleeper, Outcome, Policy, Retrier, StopReason, TransportKind};
//!
//! let policy = Policy::builder().max_retries(5).build()?;
//! // Virtual time: no test ever waits for real.
//! let time = InstantSleeper::new(Instant::now());
//! let retrier = Retrier::with_timer(policy, time.clone(), time.clone());
//!
//! // An operation that always fails to connect.
//! let report = block_on(retrier.run(
//!     |_attempt| async { Err::<u16, &str>("connection refused") },
//!     |_result| Outcome::Transport(TransportKind::Connect).into(),
//! ));
//! assert_eq!(report.attempts, 6);
//! assert_eq!(report.stop, StopReason::RetriesExhausted);
//! let secs: Vec<u64> = report.delays.iter().map(Duration::as_secs).collect();
//! assert_eq!(secs, [1, 2, 4, 8, 16]);
//! assert_eq!(report.into_result(), Err("connection refused"));
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! # Ok::<(), retry_policy::PolicyError>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

/// The README's examples, compiled and run as doctests.
#[cfg(all(doctest, feature = "reqwest"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod attempt_timeout;
mod budget;
mod classify;
mod events;
mod executor;
#[cfg(any(feature = "reqwest", feature = "tower"))]
mod http_request;
#[cfg(feature = "reqwest-retry")]
mod interop;
#[cfg(feature = "reqwest")]
mod middleware;
mod policy;
mod random;
mod retry_after;
mod time;
#[cfg(feature = "tower")]
mod tower;
mod transport_error;

pub use attempt_timeout::AttemptTimedOut;
pub use budget::{BudgetError, RetryBudget, RetryBudgetBuilder, Withdrawal};
pub use classify::{Attempt, Classifier, Outcome, StrictClassifier, TransportKind, Verdict};
pub use events::{GiveUpEvent, RetryEvent};
pub use executor::{AttemptError, Report, Retrier};
#[cfg(any(feature = "reqwest", feature = "tower"))]
pub use http_request::{Attempts, AttemptsHandle, RetryMode, Route};
#[cfg(feature = "reqwest-retry")]
pub use interop::ClassifierStrategy;
#[cfg(feature = "reqwest")]
pub use middleware::RetryMiddleware;
pub use policy::{Action, Jitter, Policy, PolicyBuilder, PolicyError, RetryState, StopReason};
pub use random::{RandomSource, SplitMix64};
pub use retry_after::{parse_retry_after, retry_after};
pub use time::{Clock, InstantSleeper, Sleeper};
#[cfg(feature = "tokio")]
pub use time::{TokioClock, TokioSleeper};
#[cfg(feature = "tower")]
pub use tower::{BoxError, CloneBody, Replay, RetryLayer, RetryService};
