//! What the HTTP adapters share: the per-request settings a caller puts in a request's
//! extensions, how a response head is observed, and where the attempt count is left.

use std::sync::{Arc, Mutex, PoisonError};

use http::header::{HeaderMap, RETRY_AFTER};
use http::{Extensions, Method, StatusCode};

use crate::classify::{Attempt, Outcome, Verdict};
use crate::executor::Retrier;
use crate::policy::{Policy, StopReason};
use crate::retry_after::retry_after;

/// Which requests may be retried; put one in a request's extensions to choose for that request
/// (`RequestBuilder::with_extension(RetryMode::Always)`), or set the adapter's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryMode {
    /// Retry this request under the policy, whatever its method.
    Always,
    /// Retry only requests that are safe to repeat: the idempotent methods GET, HEAD, PUT,
    /// DELETE, OPTIONS and TRACE (RFC 9110, section 9.2.2), and any request that carries an
    /// `Idempotency-Key` header. The default.
    Idempotent,
    /// Send this request once.
    Never,
}

/// A name for the request's route, such as `"repos.get"`, that retry events and hooks report
/// instead of its path. Events never carry a path or a query: those hold secrets often enough
/// (webhook URLs, `/bot<token>/...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Route(pub &'static str);

/// How many calls the adapter made for a request, and why it stopped.
///
/// Read it from a response with [`Attempts::from_extensions`]`(response.extensions())` (it is
/// not stored as an `Attempts`, so `extensions().get::<Attempts>()` finds nothing), or through
/// an [`AttemptsHandle`] when the request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Attempts {
    /// The calls made (at least 1).
    pub count: u32,
    /// Why no further call was made.
    pub stop: StopReason,
}

/// A handle to put in a request's extensions before sending it; the adapter leaves the
/// request's [`Attempts`] in it, on success and on error alike. Clones share one slot.
///
/// This is the way to read the attempts of a request that failed when it was sent with
/// `RequestBuilder::send()`, which drops the request's extensions.
///
/// ```
/// # #[cfg(feature = "reqwest")] {
/// use retry_policy::{AttemptsHandle, RetryMiddleware};
///
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(RetryMiddleware::default())
///     .build();
/// let attempts = AttemptsHandle::new();
/// let request = client.get("http://127.0.0.1:9/").with_extension(attempts.clone());
/// // After `request.send().await`, `attempts.get()` holds the count, even for an error.
/// # drop(request);
/// assert_eq!(attempts.get(), None);
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct AttemptsHandle(Arc<Mutex<Option<Attempts>>>);

impl AttemptsHandle {
    /// An empty handle.
    pub fn new() -> Self {
        AttemptsHandle::default()
    }

    /// The attempts of the request this handle went with, once it has finished.
    pub fn get(&self) -> Option<Attempts> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, attempts: Attempts) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(attempts);
    }
}

/// How a first attempt that succeeded is recorded: zero-sized, so recording the common case
/// costs no allocation.
#[derive(Clone, Copy, Debug)]
struct FirstTry;

/// How every other outcome is recorded.
#[derive(Clone, Copy, Debug)]
struct Recorded(Attempts);

impl Attempts {
    const FIRST_TRY: Attempts = Attempts {
        count: 1,
        stop: StopReason::Succeeded,
    };

    /// The attempts `RetryMiddleware` or `RetryLayer` recorded in a response's extensions (or,
    /// after an error, in the request's extension map of
    /// `ClientWithMiddleware::execute_with_extensions`); `None` when no retry adapter saw it.
    ///
    /// ```
    /// use http::Extensions;
    /// use retry_policy::Attempts;
    ///
    /// assert_eq!(Attempts::from_extensions(&Extensions::new()), None);
    /// ```
    pub fn from_extensions(extensions: &Extensions) -> Option<Attempts> {
        match extensions.get::<Recorded>() {
            Some(Recorded(attempts)) => Some(*attempts),
            None => extensions.get::<FirstTry>().map(|_| Attempts::FIRST_TRY),
        }
    }
}

/// Leaves `attempts` in `extensions`, where [`Attempts::from_extensions`] finds them.
pub(crate) fn record(extensions: &mut Extensions, attempts: Attempts) {
    if attempts == Attempts::FIRST_TRY {
        extensions.insert(FirstTry);
    } else {
        extensions.insert(Recorded(attempts));
    }
}

impl RetryMode {
    /// Whether this mode lets a request with `method` and `headers` be retried.
    pub fn allows(self, method: &Method, headers: &HeaderMap) -> bool {
        match self {
            RetryMode::Always => true,
            RetryMode::Never => false,
            RetryMode::Idempotent => {
                matches!(
                    *method,
                    Method::GET
                        | Method::HEAD
                        | Method::PUT
                        | Method::DELETE
                        | Method::OPTIONS
                        | Method::TRACE
                ) || headers.contains_key("idempotency-key")
            }
        }
    }
}

/// What a request's extensions ask of the adapter.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) mode: RetryMode,
    pub(crate) route: Option<&'static str>,
    /// A per-request policy, replacing the adapter's for this request; boxed, because the
    /// settings live in every request's future and few requests carry one.
    pub(crate) policy: Option<Box<Policy>>,
    handle: Option<AttemptsHandle>,
}

impl Settings {
    pub(crate) fn read(extensions: &Extensions, default_mode: RetryMode) -> Self {
        if extensions.is_empty() {
            return Settings {
                mode: default_mode,
                route: None,
                policy: None,
                handle: None,
            };
        }
        Settings {
            mode: extensions
                .get::<RetryMode>()
                .copied()
                .unwrap_or(default_mode),
            route: extensions.get::<Route>().map(|route| route.0),
            policy: extensions.get::<Policy>().cloned().map(Box::new),
            handle: extensions.get::<AttemptsHandle>().cloned(),
        }
    }

    /// The policy for this request: its own, or the retrier's.
    pub(crate) fn policy<'a>(&'a self, retrier: &'a Retrier) -> &'a Policy {
        self.policy.as_deref().unwrap_or(retrier.policy())
    }

    /// Leaves the count in the handle, if the caller gave one.
    pub(crate) fn record(&self, attempts: Attempts) {
        if let Some(handle) = &self.handle {
            handle.set(attempts);
        }
    }
}

/// What one attempt amounts to when it produced a response head. `Retry-After` is read only on
/// 4xx and 5xx responses, where it can matter.
pub(crate) fn observe_response<'a>(
    status: StatusCode,
    headers: &HeaderMap,
    method: &'a Method,
    retrier: &Retrier,
) -> Attempt<'a> {
    let hint = if status.as_u16() >= 400 && headers.contains_key(RETRY_AFTER) {
        retry_after(headers, retrier.clock().system_now())
    } else {
        None
    };
    Attempt::new(Outcome::Status(status.as_u16()))
        .with_retry_after(hint)
        .with_method(method)
}

/// The attempts of a request sent once (its mode or its body allows no retry): why it stopped
/// is what the classifier makes of its one outcome.
pub(crate) fn single_shot(retrier: &Retrier, attempt: &Attempt<'_>) -> Attempts {
    let stop = match retrier.classifier().classify(attempt) {
        Verdict::Success => StopReason::Succeeded,
        Verdict::Final => StopReason::NotRetriable,
        Verdict::Retriable => StopReason::SingleShot,
    };
    Attempts { count: 1, stop }
}
