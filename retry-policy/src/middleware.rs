//! The `reqwest-middleware` adapter: applies a [`Retrier`] to every request of a client.

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Error, Middleware, Next};

use crate::attempt_timeout::race;
use crate::classify::{Attempt, Outcome, TransportKind};
use crate::executor::{Retrier, Subject};
use crate::http_request::{Attempts, RetryMode, Settings, observe_response, record, single_shot};
use crate::policy::{Action, Policy, StopReason};

/// A `reqwest_middleware::Middleware` that retries requests under a [`Policy`].
///
/// - Which requests are retried is a [`RetryMode`]: by default
///   [`Idempotent`](RetryMode::Idempotent) (GET, HEAD, PUT, DELETE, OPTIONS, TRACE, or any
///   request with an `Idempotency-Key` header). A request may carry its own mode as an
///   extension; [`with_default_mode`](Self::with_default_mode) changes the default.
/// - A request may carry its own [`Policy`] as an extension, which replaces the middleware's
///   for that request (the classifier, budget and hooks stay the middleware's).
/// - The response records the calls made and why they stopped: read them with
///   [`Attempts::from_extensions`]. When the final outcome is an error, put an
///   [`AttemptsHandle`](crate::AttemptsHandle) in the request's extensions to read them (the
///   request's own extension map also records them, for `execute_with_extensions`). A first
///   attempt that succeeded is recorded without an allocation.
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
    // One async body, with no nested async calls on the way to `next.run`: each level of
    // nesting would move the request and the response through another future.
    async fn handle(
        &self,
        request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let settings = Settings::read(extensions, self.default_mode);
        let policy = settings.policy(&self.retrier);
        let timeout = policy.attempt_timeout();
        let sleeper = self.retrier.sleeper();
        // One call down the chain, raced against the attempt timeout when there is one.
        macro_rules! attempt {
            ($request:expr) => {
                match timeout {
                    None => next.clone().run($request, extensions).await,
                    Some(_) => race(next.clone().run($request, extensions), timeout, sleeper)
                        .await
                        .unwrap_or_else(|timed_out| Err(Error::middleware(timed_out))),
                }
            };
        }
        // The request itself goes first; a copy is kept for the retries. A request whose body
        // cannot be cloned (a stream) has no copy, and is sent once.
        let template = if settings.mode.allows(request.method(), request.headers()) {
            copy_of(&request)
        } else {
            None
        };
        let (mut result, attempts) = match template {
            None => {
                let method = request.method().clone();
                let result = attempt!(request);
                let attempts = single_shot(&self.retrier, &self.observe(&result, &method));
                (result, attempts)
            }
            Some(template) => {
                let mut copy = request;
                let subject = Subject {
                    method: Some(template.method()),
                    route: settings.route,
                };
                let mut session = self.retrier.start(policy, subject);
                loop {
                    session.begin_attempt();
                    let result = attempt!(copy);
                    match session.after_attempt(&self.observe(&result, template.method())) {
                        Action::Retry { delay } => {
                            // A body that cloned once clones again; should it not, the retry
                            // is dropped (and its budget refunded) rather than sent bodiless.
                            let Some(again) = copy_of(&template) else {
                                let count = session.attempts();
                                let stop = StopReason::SingleShot;
                                break (result, Attempts { count, stop });
                            };
                            copy = again;
                            drop(result);
                            sleeper.sleep(delay).await;
                        }
                        Action::Stop(stop) => {
                            let count = session.attempts();
                            break (result, Attempts { count, stop });
                        }
                    }
                }
            }
        };
        settings.record(attempts);
        match &mut result {
            Ok(response) => record(response.extensions_mut(), attempts),
            Err(_) => record(extensions, attempts),
        }
        result
    }
}

/// A copy of `request` for a retry, or `None` when its body is a stream.
///
/// Without a body it is built from its parts. reqwest's own `try_clone` first sets the copy's
/// timeout, which allocates an extension map for it, and then replaces that map with a clone
/// of the original's: three allocations per request for nothing. reqwest keeps nothing in a
/// request's extension map but that timeout, which is copied here; the map itself is private,
/// so extensions carried over from an `http::Request` reach the first attempt (the request
/// itself) but not the copies.
fn copy_of(request: &Request) -> Option<Request> {
    if request.body().is_some() {
        return request.try_clone();
    }
    let mut copy = Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    if let Some(timeout) = request.timeout() {
        *copy.timeout_mut() = Some(*timeout);
    }
    Some(copy)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_copy_without_a_body_keeps_every_part() {
        let mut request = reqwest::Client::new()
            .get("http://127.0.0.1:9/a?b=c")
            .header("x-one", "1")
            .timeout(Duration::from_secs(7))
            .version(http::Version::HTTP_2)
            .build()
            .unwrap();
        let copy = copy_of(&request).unwrap();
        assert_eq!(copy.method(), request.method());
        assert_eq!(copy.url(), request.url());
        assert_eq!(copy.headers(), request.headers());
        assert_eq!(copy.version(), http::Version::HTTP_2);
        assert_eq!(copy.timeout(), Some(&Duration::from_secs(7)));
        assert!(copy.body().is_none());
        request = reqwest::Client::new()
            .get("http://127.0.0.1:9/")
            .build()
            .unwrap();
        assert_eq!(copy_of(&request).unwrap().timeout(), None);
    }

    #[test]
    fn a_body_is_copied_by_reqwest_and_a_stream_not_at_all() {
        let client = reqwest::Client::new();
        let bytes = client
            .post("http://127.0.0.1:9/")
            .body("{}")
            .build()
            .unwrap();
        let copy = copy_of(&bytes).unwrap();
        assert_eq!(
            copy.body().and_then(reqwest::Body::as_bytes),
            Some(&b"{}"[..])
        );
        let stream = client
            .post("http://127.0.0.1:9/")
            .body(reqwest::Body::wrap(String::from("{}")))
            .build()
            .unwrap();
        assert!(copy_of(&stream).is_none());
    }
}
