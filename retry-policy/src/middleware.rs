//! The `reqwest-middleware` adapter: applies a [`Retrier`] to every request of a client.

use std::time::Duration;

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Error, Middleware, Next};

use crate::attempt_timeout::race;
use crate::classify::{Attempt, Outcome, TransportKind};
use crate::executor::{Retrier, Session, Subject};
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

// Written out rather than with `#[async_trait]`, whose future would hold the request twice:
// the future is boxed for every request, and one over glibc's 1 KiB cache of small blocks
// costs a slow allocation and a long copy. So the settings and the copy for retries are
// worked out before the future exists, and the retries run in a future of their own.
impl Middleware for RetryMiddleware {
    fn handle<'life0, 'life1, 'life2, 'async_trait>(
        &'life0 self,
        request: Request,
        extensions: &'life1 mut Extensions,
        next: Next<'life2>,
    ) -> BoxFuture<'async_trait, reqwest_middleware::Result<Response>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        Self: 'async_trait,
    {
        let settings = Settings::read(extensions, self.default_mode);
        // The request itself goes first; a copy is kept for the retries. A request whose body
        // cannot be cloned (a stream) has no copy, and is sent once.
        let template = if settings.mode.allows(request.method(), request.headers()) {
            copy_of(&request)
        } else {
            None
        };
        Box::pin(async move {
            let policy = settings.policy(&self.retrier);
            // `result` stays in place: a response moved in and out of tuples costs a copy each.
            let mut result;
            let attempts = match &template {
                None => {
                    let method = request.method().clone();
                    result = self.attempt(request, policy, extensions, &next).await;
                    single_shot(&self.retrier, &self.observe(&result, &method))
                }
                Some(template) => {
                    let subject = Subject {
                        method: Some(template.method()),
                        route: settings.route,
                    };
                    let mut session = self.retrier.start(policy, subject);
                    session.begin_attempt();
                    result = self.attempt(request, policy, extensions, &next).await;
                    match session.after_attempt(&self.observe(&result, template.method())) {
                        Action::Stop(stop) => Attempts {
                            count: session.attempts(),
                            stop,
                        },
                        Action::Retry { delay } => {
                            let retries = Retries {
                                template,
                                policy,
                                session,
                            };
                            let (retried, attempts) =
                                Box::pin(self.retry(retries, result, delay, extensions, &next))
                                    .await;
                            result = retried;
                            attempts
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
        })
    }
}

/// An attempt in flight, as `Next::run` returns it.
type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// What the retries of one request need from its first attempt.
struct Retries<'r> {
    template: &'r Request,
    policy: &'r Policy,
    session: Session<'r>,
}

impl RetryMiddleware {
    /// One call down the chain, raced against the attempt timeout when there is one.
    fn attempt<'a>(
        &'a self,
        request: Request,
        policy: &Policy,
        extensions: &'a mut Extensions,
        next: &Next<'a>,
    ) -> BoxFuture<'a, reqwest_middleware::Result<Response>> {
        let call = next.clone().run(request, extensions);
        match policy.attempt_timeout() {
            None => call,
            timeout @ Some(_) => Box::pin(async move {
                race(call, timeout, self.retrier.sleeper())
                    .await
                    .unwrap_or_else(|timed_out| Err(Error::middleware(timed_out)))
            }),
        }
    }

    /// The retries after a first attempt that asked for one, `delay` from now.
    async fn retry(
        &self,
        retries: Retries<'_>,
        mut result: reqwest_middleware::Result<Response>,
        mut delay: Duration,
        extensions: &mut Extensions,
        next: &Next<'_>,
    ) -> (reqwest_middleware::Result<Response>, Attempts) {
        let Retries {
            template,
            policy,
            mut session,
        } = retries;
        loop {
            // A body that cloned once clones again; should it not, the retry is dropped (and
            // its budget refunded) rather than sent without a body.
            let Some(copy) = copy_of(template) else {
                let count = session.attempts();
                let stop = StopReason::SingleShot;
                return (result, Attempts { count, stop });
            };
            drop(result);
            self.retrier.sleeper().sleep(delay).await;
            session.begin_attempt();
            result = self.attempt(copy, policy, extensions, next).await;
            match session.after_attempt(&self.observe(&result, template.method())) {
                Action::Retry { delay: next_delay } => delay = next_delay,
                Action::Stop(stop) => {
                    let count = session.attempts();
                    return (result, Attempts { count, stop });
                }
            }
        }
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
    if !request.headers().is_empty() {
        *copy.headers_mut() = request.headers().clone();
    }
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
