//! What a retrier tells the world when it retries or gives up: hooks the caller installs, and
//! `tracing` events (feature `tracing`) at a level the caller picks.
//!
//! Events carry the method and a route name the caller chose, never a path, a query or a
//! header: paths carry secrets often enough (webhook URLs, `/bot<token>/...`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::Method;

use crate::classify::Outcome;
use crate::policy::StopReason;

/// A retry about to happen: what failed and how long the retrier waits before the next attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryEvent<'a> {
    /// The number of the attempt that failed (1 for the first call).
    pub attempt: u32,
    /// What it produced.
    pub outcome: Outcome,
    /// The wait before the next attempt.
    pub delay: Duration,
    /// The request's method, for HTTP requests.
    pub method: Option<&'a Method>,
    /// The route name the caller gave the request (see `Route`), if any.
    pub route: Option<&'a str>,
}

/// A retriable failure that is not retried: the retrier gives up and returns it.
///
/// Outcomes the classifier judges final (a 404, say) are not give-ups: nothing was retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GiveUpEvent<'a> {
    /// The calls made, this one included.
    pub attempts: u32,
    /// What the last attempt produced; it is returned unchanged.
    pub outcome: Outcome,
    /// Why no retry follows.
    pub stop: StopReason,
    /// The request's method, for HTTP requests.
    pub method: Option<&'a Method>,
    /// The route name the caller gave the request, if any.
    pub route: Option<&'a str>,
}

type RetryHook = dyn Fn(&RetryEvent<'_>) + Send + Sync;
type GiveUpHook = dyn Fn(&GiveUpEvent<'_>) + Send + Sync;

/// The hooks and the event level of one retrier; cheap to clone.
#[derive(Clone)]
#[cfg_attr(not(feature = "tracing"), derive(Default))]
pub(crate) struct Events {
    on_retry: Option<Arc<RetryHook>>,
    on_give_up: Option<Arc<GiveUpHook>>,
    #[cfg(feature = "tracing")]
    pub(crate) level: tracing::Level,
}

impl Events {
    pub(crate) fn set_on_retry(&mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) {
        self.on_retry = Some(Arc::new(hook));
    }

    pub(crate) fn set_on_give_up(
        &mut self,
        hook: impl Fn(&GiveUpEvent<'_>) + Send + Sync + 'static,
    ) {
        self.on_give_up = Some(Arc::new(hook));
    }

    pub(crate) fn retry(&self, event: &RetryEvent<'_>) {
        if let Some(hook) = &self.on_retry {
            hook(event);
        }
        #[cfg(feature = "tracing")]
        trace_retry(self.level, event);
    }

    pub(crate) fn give_up(&self, event: &GiveUpEvent<'_>) {
        if let Some(hook) = &self.on_give_up {
            hook(event);
        }
        #[cfg(feature = "tracing")]
        trace_give_up(self.level, event);
    }
}

#[cfg(feature = "tracing")]
impl Default for Events {
    fn default() -> Self {
        Events {
            on_retry: None,
            on_give_up: None,
            level: tracing::Level::WARN,
        }
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Events");
        out.field("on_retry", &self.on_retry.is_some())
            .field("on_give_up", &self.on_give_up.is_some());
        #[cfg(feature = "tracing")]
        out.field("level", &self.level);
        out.finish()
    }
}

/// `tracing::event!` needs its level at compile time; this picks one of five at run time, with
/// the target `retry_policy`.
#[cfg(feature = "tracing")]
macro_rules! event_at {
    ($level:expr, $($rest:tt)+) => {
        match $level {
            tracing::Level::ERROR => {
                tracing::event!(target: "retry_policy", tracing::Level::ERROR, $($rest)+)
            }
            tracing::Level::WARN => {
                tracing::event!(target: "retry_policy", tracing::Level::WARN, $($rest)+)
            }
            tracing::Level::INFO => {
                tracing::event!(target: "retry_policy", tracing::Level::INFO, $($rest)+)
            }
            tracing::Level::DEBUG => {
                tracing::event!(target: "retry_policy", tracing::Level::DEBUG, $($rest)+)
            }
            tracing::Level::TRACE => {
                tracing::event!(target: "retry_policy", tracing::Level::TRACE, $($rest)+)
            }
        }
    };
}

#[cfg(feature = "tracing")]
fn status_and_kind(outcome: Outcome) -> (Option<u16>, Option<crate::TransportKind>) {
    match outcome {
        Outcome::Status(status) => (Some(status), None),
        Outcome::Transport(kind) => (None, Some(kind)),
    }
}

#[cfg(feature = "tracing")]
fn trace_retry(level: tracing::Level, event: &RetryEvent<'_>) {
    let (status, kind) = status_and_kind(event.outcome);
    let delay_ms = u64::try_from(event.delay.as_millis()).unwrap_or(u64::MAX);
    let method = event.method.map(Method::as_str);
    event_at!(
        level,
        method,
        route = event.route,
        attempt = event.attempt,
        delay_ms,
        status,
        error_kind = kind.map(tracing::field::display),
        "retrying after {}",
        event.outcome
    );
}

#[cfg(feature = "tracing")]
fn trace_give_up(level: tracing::Level, event: &GiveUpEvent<'_>) {
    let method = event.method.map(Method::as_str);
    event_at!(
        level,
        method,
        route = event.route,
        attempts = event.attempts,
        outcome = %event.outcome,
        stop = %event.stop,
        "giving up after {}: {}; returning the last outcome",
        event.outcome,
        event.stop
    );
}
