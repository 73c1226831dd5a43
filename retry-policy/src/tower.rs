//! The `tower` adapter: the same retries as `RetryMiddleware`, for any
//! `Service<http::Request<B>>` (hyper-util's client, tonic, a tower stack of one's own).

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Method, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::attempt_timeout::race;
use crate::classify::{Attempt, Outcome, TransportKind};
use crate::executor::{Retrier, Subject};
use crate::http_request::{Attempts, RetryMode, Settings, observe_response, record, single_shot};
use crate::policy::{Action, Policy, StopReason};

/// The error type of a [`RetryService`]: the inner service's own error, boxed (downcast it to
/// get it back, unchanged), or an [`AttemptTimedOut`](crate::AttemptTimedOut).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How a [`RetryLayer`] gets a second copy of a request's body for a retry; `None` means the
/// body cannot be sent again, and the request is sent once.
///
/// [`CloneBody`] (the default) clones it, for bodies such as `http_body_util::Full<Bytes>`,
/// `Empty`, `String` or `Vec<u8>`. Any `Fn(&B) -> Option<B>` works too, for body types that are
/// not `Clone` (a boxed body, tonic's): return a copy when you can make one.
pub trait Replay<B>: Send + Sync + 'static {
    /// A copy of `body` to send again, if there can be one.
    fn replay(&self, body: &B) -> Option<B>;
}

/// Replays a body by cloning it; the default [`Replay`].
#[derive(Clone, Copy, Debug, Default)]
pub struct CloneBody;

impl<B: Clone> Replay<B> for CloneBody {
    fn replay(&self, body: &B) -> Option<B> {
        Some(body.clone())
    }
}

impl<B, F> Replay<B> for F
where
    F: Fn(&B) -> Option<B> + Send + Sync + 'static,
{
    fn replay(&self, body: &B) -> Option<B> {
        self(body)
    }
}

/// A `tower::Layer` that retries requests under a [`Policy`], with the semantics of
/// `RetryMiddleware`:
///
/// - a per-request [`RetryMode`] (default [`Idempotent`](RetryMode::Idempotent)), [`Policy`]
///   and [`Route`](crate::Route) in the request's extensions;
/// - the response records [`Attempts`] (read them with [`Attempts::from_extensions`]); an
///   [`AttemptsHandle`](crate::AttemptsHandle) in the request's extensions gets them on errors
///   too;
/// - the policy's attempt timeout races each call of the inner service up to the response head
///   and never cuts a body; the inner service's own timeouts are left alone;
/// - the previous response is dropped before each wait; a final 5xx is `Ok(response)`;
/// - a request whose body cannot be [replayed](Replay) is sent once.
///
/// The inner service must be `Clone` (each request drives a clone of its own, as with tower's
/// own `Retry`); its errors come back boxed, but unchanged.
///
/// # Example
///
/// ```
/// use bytes::Bytes;
/// use http_body_util::Full;
/// use hyper_util::client::legacy::Client;
/// use hyper_util::rt::TokioExecutor;
/// use retry_policy::{Policy, RetryLayer};
/// use tower_layer::Layer;
///
/// let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
/// let service = RetryLayer::new(Policy::default()).layer(client);
/// # drop(service);
/// ```
#[derive(Clone)]
pub struct RetryLayer<R = CloneBody> {
    retrier: Retrier,
    default_mode: RetryMode,
    replay: R,
}

/// The service a [`RetryLayer`] wraps around an inner service.
#[derive(Clone)]
pub struct RetryService<S, R = CloneBody> {
    inner: S,
    shared: Arc<Shared<R>>,
}

struct Shared<R> {
    retrier: Retrier,
    default_mode: RetryMode,
    replay: R,
}

type Outcomes<B> = (Result<Response<B>, BoxError>, Attempts);

impl RetryLayer {
    /// A layer for `policy` with the [`StrictClassifier`](crate::StrictClassifier), no retry
    /// budget, tokio's timer, bodies replayed by cloning and the default mode
    /// [`RetryMode::Idempotent`].
    pub fn new(policy: Policy) -> Self {
        RetryLayer::from(Retrier::new(policy))
    }
}

impl<R> RetryLayer<R> {
    /// Sets the mode of requests that carry no [`RetryMode`] extension.
    #[must_use]
    pub fn with_default_mode(mut self, mode: RetryMode) -> Self {
        self.default_mode = mode;
        self
    }

    /// Replaces how bodies are copied for a retry.
    pub fn with_replay<R2>(self, replay: R2) -> RetryLayer<R2> {
        RetryLayer {
            retrier: self.retrier,
            default_mode: self.default_mode,
            replay,
        }
    }

    /// The retrier: policy, classifier, budget, timer and hooks.
    pub fn retrier(&self) -> &Retrier {
        &self.retrier
    }

    /// The mode of requests that carry no [`RetryMode`] extension.
    pub fn default_mode(&self) -> RetryMode {
        self.default_mode
    }
}

impl Default for RetryLayer {
    /// `RetryLayer::new(Policy::default())`.
    fn default() -> Self {
        RetryLayer::new(Policy::default())
    }
}

impl From<Retrier> for RetryLayer {
    fn from(retrier: Retrier) -> Self {
        RetryLayer {
            retrier,
            default_mode: RetryMode::Idempotent,
            replay: CloneBody,
        }
    }
}

impl<S, R: Clone> Layer<S> for RetryLayer<R> {
    type Service = RetryService<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        RetryService {
            inner,
            shared: Arc::new(Shared {
                retrier: self.retrier.clone(),
                default_mode: self.default_mode,
                replay: self.replay.clone(),
            }),
        }
    }
}

impl<S, R, ReqB, ResB> Service<Request<ReqB>> for RetryService<S, R>
where
    S: Service<Request<ReqB>, Response = Response<ResB>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    R: Replay<ReqB>,
    ReqB: Send + 'static,
    ResB: Send + 'static,
{
    type Response = Response<ResB>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResB>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<ReqB>) -> Self::Future {
        // The clone that was made ready goes with this request; the fresh one stays.
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        let shared = Arc::clone(&self.shared);
        Box::pin(async move { shared.send(inner, request).await })
    }
}

impl<R> Shared<R> {
    async fn send<S, ReqB, ResB>(
        &self,
        mut inner: S,
        request: Request<ReqB>,
    ) -> Result<Response<ResB>, BoxError>
    where
        S: Service<Request<ReqB>, Response = Response<ResB>>,
        S::Error: Into<BoxError>,
        R: Replay<ReqB>,
    {
        let settings = Settings::read(request.extensions(), self.default_mode);
        let first = if settings.mode.allows(request.method(), request.headers()) {
            self.replay_request(&request)
        } else {
            None
        };
        let (mut result, attempts) = match first {
            Some(copy) => {
                self.send_with_retries(&mut inner, request, copy, &settings)
                    .await
            }
            None => {
                let method = request.method().clone();
                let policy = settings.policy(&self.retrier);
                let result = self.attempt(&mut inner, request, policy).await;
                let attempts = single_shot(&self.retrier, &self.observe(&result, &method));
                (result, attempts)
            }
        };
        settings.record(attempts);
        if let Ok(response) = &mut result {
            record(response.extensions_mut(), attempts);
        }
        result
    }

    /// Sends `copy`, then a fresh copy of `request` for each retry.
    async fn send_with_retries<S, ReqB, ResB>(
        &self,
        inner: &mut S,
        request: Request<ReqB>,
        mut copy: Request<ReqB>,
        settings: &Settings,
    ) -> Outcomes<ResB>
    where
        S: Service<Request<ReqB>, Response = Response<ResB>>,
        S::Error: Into<BoxError>,
        R: Replay<ReqB>,
    {
        let policy = settings.policy(&self.retrier);
        let subject = Subject {
            method: Some(request.method()),
            route: settings.route,
        };
        let mut session = self.retrier.start(policy, subject);
        loop {
            session.begin_attempt();
            let result = self.attempt(inner, copy, policy).await;
            match session.after_attempt(&self.observe(&result, request.method())) {
                Action::Retry { delay } => {
                    let Some(again) = self.replay_request(&request) else {
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

    /// One call of the inner service, once it is ready, raced against the attempt timeout.
    async fn attempt<S, ReqB, ResB>(
        &self,
        inner: &mut S,
        request: Request<ReqB>,
        policy: &Policy,
    ) -> Result<Response<ResB>, BoxError>
    where
        S: Service<Request<ReqB>, Response = Response<ResB>>,
        S::Error: Into<BoxError>,
    {
        poll_fn(|cx| inner.poll_ready(cx))
            .await
            .map_err(Into::into)?;
        let call = inner.call(request);
        match race(call, policy.attempt_timeout(), self.retrier.sleeper()).await {
            Ok(result) => result.map_err(Into::into),
            Err(timed_out) => Err(Box::new(timed_out)),
        }
    }

    fn observe<'m, B>(
        &self,
        result: &Result<Response<B>, BoxError>,
        method: &'m Method,
    ) -> Attempt<'m> {
        match result {
            Ok(response) => {
                observe_response(response.status(), response.headers(), method, &self.retrier)
            }
            Err(error) => {
                let kind = TransportKind::from_error(&**error);
                Attempt::new(Outcome::Transport(kind)).with_method(method)
            }
        }
    }

    /// A copy of `request` (method, URI, version, headers, extensions) with a replayed body.
    fn replay_request<B>(&self, request: &Request<B>) -> Option<Request<B>>
    where
        R: Replay<B>,
    {
        let body = self.replay.replay(request.body())?;
        let mut copy = Request::new(body);
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.version_mut() = request.version();
        *copy.headers_mut() = request.headers().clone();
        *copy.extensions_mut() = request.extensions().clone();
        Some(copy)
    }
}

impl<R> fmt::Debug for RetryLayer<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryLayer")
            .field("retrier", &self.retrier)
            .field("default_mode", &self.default_mode)
            .finish_non_exhaustive()
    }
}

impl<S: fmt::Debug, R> fmt::Debug for RetryService<S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryService")
            .field("inner", &self.inner)
            .field("retrier", &self.shared.retrier)
            .field("default_mode", &self.shared.default_mode)
            .finish_non_exhaustive()
    }
}
