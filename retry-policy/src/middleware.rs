//! The `reqwest-middleware` adapter: applies a [`Retrier`] to every request of a client.

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::attempt_timeout::race;
use crate::classify::{Attempt, Outcome, TransportKind};
use crate::executor::{Retrier, Subject};
use crate::http_request::{Attempts, RetryMode, Settings, observe_response, single_shot};
use crate::policy::{Action, Policy, StopReason};

/// A `reqwest_middleware::Middleware` that retries requests under a [`Policy`].
///
/// - Which requests are retried is a [`RetryMode`]: by default
///   [`Idempotent`](RetryMode::Idempotent) (GET, HEAD, PUT, DELETE, OPTIONS, TRACE, or any
///   request with an `Idempotency-Key` header). A request may carry its own mode as an
///   extension; [`with_default_mode`](Self::with_default_mode) changes the default.
/// - A request may carry its own [`Policy`] as an extension, which replaces the middleware's
///   for that request (the classifier, budget and hooks stay the middleware's).
/// - The response carries the calls made and why they stopped as an [`Attempts`] extension.
///   When the final outcome is an error, put an [`AttemptsHandle`](crate::AttemptsHandle) in the
///   request's extensions to read it (the request's own extension map also carries it, for
///   `execute_with_extensions`).
/// - The client's and the request's own timeouts are left alone. The policy's
///   [`attempt_timeout`](Policy::attempt_timeout), when set, races each attempt up to the
///   response's head; it never cuts a body that the caller reads afterwards. A timed-out
///   attempt fails with [`AttemptTimedOut`](crate::AttemptTimedOut) as a middleware error.
/// - The previous response is dropped, and its connection released, before each wait.
/// - Retries and give-ups are reported to the retrier's hooks and as `tracing` events with the
///   method and a [`Route`](crate::Route) name if the request has one, never a path, a query
///   or a header.
/// - A final 5xx is returned as `Ok(response)`; a final transport error is the original
///   error, not wrapped.
/// - It sleeps and tells time with the retrier's [`Sleeper`](crate::Sleeper) and
///   [`Clock`](crate::Clock): tokio's by default, so tokio's paused clock drives it in tests.
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
/// use retry_policy::{Policy, Retrier, RetryBudget, RetryMiddleware, RetryMode};
///
/// // A shared budget, and a POST that is safe to repeat opted in.
/// let retrier = Retrier::new(Policy::default()).with_budget(RetryBudget::default());
/// let client = ClientBuilder::new(reqwest::Client::new())
///     .with(RetryMiddleware::from(retrier))
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

impl RetryMiddleware {
    /// A middleware for `policy` with the [`StrictClassifier`](crate::StrictClassifier), no
    /// retry budget, tokio's timer and the default mode [`RetryMode::Idempotent`].
    pub fn new(policy: Policy) -> Self {
        RetryMiddleware::from(Retrier::new(policy))
    }

    /// Sets the mode of requests that carry no [`RetryMode`] extension.
    #[must_use]
    pub fn with_default_mode(mut self, mode: RetryMode) -> Self {
        self.default_mode = mode;
        self
    }

    /// The retrier: policy, classifier, budget, timer and hooks.
    pub fn retrier(&self) -> &Retrier {
        &self.retrier
    }

    /// The policy of requests that carry none of their own.
    pub fn policy(&self) -> &Policy {
        self.retrier.policy()
    }

    /// The mode of requests that carry no [`RetryMode`] extension.
    pub fn default_mode(&self) -> RetryMode {
        self.default_mode
    }

    async fn send_once(
        &self,
        request: Request,
        policy: &Policy,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> (reqwest_middleware::Result<Response>, Attempts) {
        let method = request.method().clone();
        let result = self.attempt(request, policy, extensions, next).await;
        let attempts = single_shot(&self.retrier, &self.observe(&result, &method));
        (result, attempts)
    }

    /// Sends `copy`, then a fresh copy of `request` for each retry.
    async fn send_with_retries(
        &self,
        request: Request,
        mut copy: Request,
        settings: &Settings,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> (reqwest_middleware::Result<Response>, Attempts) {
        let policy = settings.policy(&self.retrier);
        let subject = Subject {
            method: Some(request.method()),
            route: settings.route,
        };
        let mut session = self.retrier.start(policy, subject);
        loop {
            session.begin_attempt();
            let result = self.attempt(copy, policy, extensions, next.clone()).await;
            match session.after_attempt(&self.observe(&result, request.method())) {
                Action::Retry { delay } => {
                    // A body that cloned once clones again; should it not, the retry is
                    // dropped (and its budget refunded) rather than sent without a body.
                    let Some(again) = request.try_clone() else {
                        let count = session.attempts();
                        return (
                            result,
                            Attempts {
                                count,
                                stop: StopReason::SingleShot,
                            },
                        );
                    };
                    copy = again;
                    drop(result);
                    self.retrier.sleeper().sleep(delay).await;
                }
                Action::Stop(stop) => {
                    let count = session.attempts();
                    return (result, Attempts { count, stop });
                }
            }
        }
    }

    /// One call down the chain, raced against the attempt timeout.
    async fn attempt(
        &self,
        request: Request,
        policy: &Policy,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let timeout = policy.attempt_timeout();
        race(
            next.run(request, extensions),
            timeout,
            self.retrier.sleeper(),
        )
        .await
        .unwrap_or_else(|timed_out| Err(reqwest_middleware::Error::middleware(timed_out)))
    }

    fn observe<'m>(
        &self,
        result: &reqwest_middleware::Result<Response>,
        method: &'m http::Method,
    ) -> Attempt<'m> {
        match result {
            Ok(response) => {
                observe_response(response.status(), response.headers(), method, &self.retrier)
            }
            Err(error) => Attempt::new(Outcome::Transport(TransportKind::from_middleware_error(
                error,
            )))
            .with_method(method),
        }
    }
}

impl Default for RetryMiddleware {
    /// `RetryMiddleware::new(Policy::default())`: at most 4 calls, 1 s, 2 s, 4 s apart, for
    /// idempotent requests.
    fn default() -> Self {
        RetryMiddleware::new(Policy::default())
    }
}

impl From<Retrier> for RetryMiddleware {
    /// A middleware with the retrier's settings and the default mode [`RetryMode::Idempotent`].
    fn from(retrier: Retrier) -> Self {
        RetryMiddleware {
            retrier,
            default_mode: RetryMode::Idempotent,
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
        let settings = Settings::read(extensions, self.default_mode);
        // A request whose body cannot be cloned (a stream) has no copy, and is sent once.
        let first = if settings.mode.allows(request.method(), request.headers()) {
            request.try_clone()
        } else {
            None
        };
        let (mut result, attempts) = match first {
            Some(copy) => {
                self.send_with_retries(request, copy, &settings, extensions, next)
                    .await
            }
            None => {
                let policy = settings.policy(&self.retrier);
                self.send_once(request, policy, extensions, next).await
            }
        };
        settings.record(attempts);
        // Only one of the two maps: an empty extension map allocates on its first insert, and
        // this runs for every request.
        match &mut result {
            Ok(response) => {
                response.extensions_mut().insert(attempts);
            }
            Err(_) => {
                extensions.insert(attempts);
            }
        }
        result
    }
}
