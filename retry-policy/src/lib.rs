//! A small, property-tested HTTP retry policy, with an adapter for `reqwest-middleware`.
//!
//! The crate has a pure core and thin adapters:
//!
//! - [`Policy`] decides, from the attempt count, the elapsed time, a `Retry-After` hint and an
//!   injected [`RandomSource`], whether to retry and how long to wait. It never reads a clock,
//!   sleeps or draws randomness of its own.
//! - [`Classifier`] decides which outcomes are worth another attempt. The default,
//!   [`StrictClassifier`], retries 500, 502, 503 and 504, connect errors, timeouts and resets
//!   before a response, and nothing else.
//! - [`RetryBudget`] bounds the retries of many requests together, so an outage cannot multiply
//!   the load on a server.
//! - [`Retrier`] runs any future-returning operation with an injected [`Sleeper`] and [`Clock`],
//!   and returns a [`Report`]: the last outcome unchanged, the attempt count, the delays slept
//!   and why it stopped.
#![cfg_attr(
    feature = "reqwest",
    doc = "- `RetryMiddleware` (feature `reqwest`) applies all of this to a `reqwest-middleware` client."
)]
//!
//! With the defaults the schedule is exactly 1 s, 2 s, 4 s: at most four calls.
//!
//! # Example
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
//!     |_outcome| Outcome::Transport(TransportKind::Connect).into(),
//! ));
//! assert_eq!(report.result, Err("connection refused"));
//! assert_eq!(report.attempts, 6);
//! assert_eq!(report.stop, StopReason::RetriesExhausted);
//! let secs: Vec<u64> = report.delays.iter().map(Duration::as_secs).collect();
//! assert_eq!(secs, [1, 2, 4, 8, 16]);
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! # Ok::<(), retry_policy::PolicyError>(())
//! ```
#![deny(missing_docs)]

mod budget;
mod classify;
mod executor;
#[cfg(feature = "reqwest-retry")]
mod interop;
#[cfg(feature = "reqwest")]
mod middleware;
mod policy;
mod random;
#[cfg(feature = "reqwest")]
mod retry_after;
#[cfg(feature = "reqwest")]
mod transport_error;

pub use budget::{BudgetError, RetryBudget};
pub use classify::{Classifier, Outcome, StrictClassifier, TransportKind, Verdict};
pub use executor::{Attempt, Clock, InstantSleeper, Report, Retrier, Sleeper};
#[cfg(feature = "tokio")]
pub use executor::{TokioClock, TokioSleeper};
#[cfg(feature = "reqwest-retry")]
pub use interop::ClassifierStrategy;
#[cfg(feature = "reqwest")]
pub use middleware::{Attempts, RetryMiddleware, RetryMode};
pub use policy::{Action, Jitter, Policy, PolicyBuilder, PolicyError, RetryState, StopReason};
pub use random::{RandomSource, SplitMix64};
#[cfg(feature = "reqwest")]
pub use retry_after::parse_retry_after;
