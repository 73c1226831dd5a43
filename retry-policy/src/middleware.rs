//! The `reqwest-middleware` adapter: applies a [`Policy`] to every request of a client.

use std::time::{Duration, SystemTime};

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::budget::RetryBudget;
use crate::classify::{Classifier, Outcome, TransportKind};
use crate::executor::{Attempt, Retrier, Session};
use crate::policy::{Action, Policy, StopReason};
use crate::retry_after::parse_retry_after;

/// A `reqwest_middleware::Middleware` that retries requests under a [`Policy`].
///
/// - Each request may switch retries on or off with a [`RetryMode`] extension; requests
///   without one use the default mode ([`RetryMode::Always`] unless changed with
///   [`with_default_mode`](Self::with_default_mode)).
/// - The response carries the number of calls made as an [`Attempts`] extension; when the final
///   outcome is an error, the request's extension map carries it instead (read it after
///   `execute_with_extensions`).
/// - A request without its own timeout gets the policy's
///   [`attempt_timeout`](Policy::attempt_timeout), so a slow attempt fails as a (retriable)
///   timeout rather than hanging.
/// - Each retry emits one `tracing` event at WARN level, target `retry_policy`, with the
///   method, the URL path, the attempt number, the delay and the status or error kind. It never
///   records headers, the query string or the host's credentials.
/// - A final 5xx is returned as `Ok(response)`; a final transport error is the original
///   error, not wrapped.
/// - The middleware sleeps with `tokio::time::sleep` and reads `tokio::time::Instant`, so
///   tokio's paused clock drives it in tests.
///
/// # Note: bodies that cannot be cloned
///
/// A request whose body cannot be cloned (a stream, for example) is sent once and never
/// retried, whatever its mode, because a second attempt would have no body to send. Buffer the
/// body (`Vec<u8>`, `String`, `Bytes`) to make such a request retriable.
///
/// # Example
///
/// ```
/// use reqwest_middleware::ClientBuilder;
/// use retry_policy::{Policy, RetryMiddleware, RetryMode};
///
/// // Retry nothing by default, and opt one request in.
/// let client = ClientBuilder::new(reqwest::Client::new())
///     .with(RetryMiddleware::new(Policy::default()).with_default_mode(RetryMode::Never))
///     .build();
/// let request = client
///     .post("http://127.0.0.1:3000/api/v1/repos/org/repo/pulls")
///     .with_extension(RetryMode::Always);
/// # drop(request);
/// ```
#[derive(Clone, Debug)]
pub struct RetryMiddleware {
    retrier: Retrier,
    default_mode: RetryMode,
}

/// Switches retries on or off for one request; insert it as a request extension
/// (`RequestBuilder::with_extension(RetryMode::Always)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryMode {
    /// Retry this request under the policy.
    Always,
    /// Send this request once.
    Never,
}

/// How many calls the middleware made for a request; read it with
/// `response.extensions().get::<Attempts>()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Attempts(pub u32);

impl RetryMiddleware {
    /// A middleware with the [`StrictClassifier`](crate::StrictClassifier), no retry budget, and
    /// retries enabled by default.
    pub fn new(policy: Policy) -> Self {
        RetryMiddleware {
            retrier: Retrier::new(policy),
            default_mode: RetryMode::Always,
        }
    }

    /// Replaces the classifier.
    #[must_use]
    pub fn with_classifier(mut self, classifier: impl Classifier) -> Self {
        self.retrier = self.retrier.with_classifier(classifier);
        self
    }

    /// Shares a retry budget; clone the budget to share it with other middlewares too.
    #[must_use]
    pub fn with_budget(mut self, budget: RetryBudget) -> Self {
        self.retrier = self.retrier.with_budget(budget);
        self
    }

    /// Sets the mode of requests that carry no [`RetryMode`] extension.
    #[must_use]
    pub fn with_default_mode(mut self, mode: RetryMode) -> Self {
        self.default_mode = mode;
        self
    }

    /// Fixes the jitter seed, so delays are reproducible.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.retrier = self.retrier.with_seed(seed);
        self
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        self.retrier.policy()
    }

    /// The mode of requests that carry no [`RetryMode`] extension.
    pub fn default_mode(&self) -> RetryMode {
        self.default_mode
    }

    async fn send_with_retries(
        &self,
        request: Request,
        timeout: Option<Duration>,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> (reqwest_middleware::Result<Response>, u32) {
        let mut session = self.retrier.start();
        loop {
            let Some(copy) = request.try_clone() else {
                let result = next.run(with_timeout(request, timeout), extensions).await;
                return (result, session.attempts().saturating_add(1));
            };
            let result = next
                .clone()
                .run(with_timeout(copy, timeout), extensions)
                .await;
            let attempt = observe(&result);
            match session.after_attempt(&attempt) {
                Action::Retry { delay } => {
                    trace_retry(&request, &session, &attempt, delay);
                    self.retrier.sleeper().sleep(delay).await;
                }
                Action::Stop(stop) => {
                    if stop == StopReason::BudgetExhausted {
                        trace_budget_exhausted(&request, &session, &attempt);
                    }
                    return (result, session.attempts());
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl Middleware for RetryMiddleware {
    async fn handle(
        &self,
        request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        // Set on each request actually sent rather than on the original: reqwest keeps the
        // timeout in the request's extension map, which every clone would copy.
        let timeout = request
            .timeout()
            .is_none()
            .then(|| self.policy().attempt_timeout());
        let mode = extensions
            .get::<RetryMode>()
            .copied()
            .unwrap_or(self.default_mode);
        let (mut result, attempts) = if mode == RetryMode::Never {
            (
                next.run(with_timeout(request, timeout), extensions).await,
                1,
            )
        } else if !body_is_reusable(&request) {
            tracing::debug!(
                target: "retry_policy",
                method = %request.method(),
                path = request.url().path(),
                "request body cannot be cloned; sending it once"
            );
            (
                next.run(with_timeout(request, timeout), extensions).await,
                1,
            )
        } else {
            self.send_with_retries(request, timeout, extensions, next)
                .await
        };
        // Only one of the two maps: an empty extension map allocates on its first insert, and this
        // runs for every request.
        match &mut result {
            Ok(response) => {
                response.extensions_mut().insert(Attempts(attempts));
            }
            Err(_) => {
                extensions.insert(Attempts(attempts));
            }
        }
        result
    }
}

/// `request` with its per-attempt timeout, when it needs one.
fn with_timeout(mut request: Request, timeout: Option<Duration>) -> Request {
    if timeout.is_some() {
        *request.timeout_mut() = timeout;
    }
    request
}

/// Whether `request.try_clone()` would succeed, without paying for a clone: only a streaming
/// body cannot be cloned.
fn body_is_reusable(request: &Request) -> bool {
    request.body().is_none_or(|body| body.as_bytes().is_some())
}

fn observe(result: &reqwest_middleware::Result<Response>) -> Attempt {
    match result {
        Ok(response) => {
            let retry_after = response
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| parse_retry_after(value, SystemTime::now()));
            Attempt::new(Outcome::Status(response.status().as_u16())).with_retry_after(retry_after)
        }
        Err(error) => Attempt::new(Outcome::Transport(TransportKind::from_middleware_error(
            error,
        ))),
    }
}

fn trace_retry(
    request: &Request,
    session: &Session<'_>,
    seen: &Attempt,
    delay: std::time::Duration,
) {
    let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
    let (method, path, attempt) = (
        request.method().as_str(),
        request.url().path(),
        session.attempts(),
    );
    match seen.outcome {
        Outcome::Status(status) => tracing::warn!(
            target: "retry_policy",
            method, path, attempt, delay_ms, status,
            "retrying request after status {status}"
        ),
        Outcome::Transport(kind) => tracing::warn!(
            target: "retry_policy",
            method, path, attempt, delay_ms, error_kind = %kind,
            "retrying request after {kind}"
        ),
    }
}

fn trace_budget_exhausted(request: &Request, session: &Session<'_>, seen: &Attempt) {
    let (method, path, attempt) = (
        request.method().as_str(),
        request.url().path(),
        session.attempts(),
    );
    let stop = StopReason::BudgetExhausted;
    tracing::warn!(
        target: "retry_policy",
        method, path, attempt, outcome = %seen.outcome, stop = %stop,
        "retry budget exhausted; returning the last outcome"
    );
}
