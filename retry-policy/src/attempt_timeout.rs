//! The policy's attempt timeout, as the HTTP adapters apply it: a race between the attempt and
//! the injected [`Sleeper`](crate::Sleeper), ending when the response's head has arrived.

use std::fmt;
use std::time::Duration;

/// The error of an attempt that did not produce a response within the policy's
/// [`attempt_timeout`](crate::Policy::attempt_timeout); it counts as a
/// [`TransportKind::Timeout`](crate::TransportKind::Timeout).
///
/// `RetryMiddleware` returns it as `reqwest_middleware::Error::Middleware`
/// (`error.downcast_ref::<AttemptTimedOut>()`), `RetryLayer` as its boxed error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptTimedOut {
    timeout: Duration,
}

impl AttemptTimedOut {
    /// The error of an attempt cut off after `timeout`.
    pub const fn new(timeout: Duration) -> Self {
        AttemptTimedOut { timeout }
    }

    /// The attempt timeout that ran out.
    pub const fn timeout(&self) -> Duration {
        self.timeout
    }
}

impl fmt::Display for AttemptTimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the attempt timed out after {:?}", self.timeout)
    }
}

impl std::error::Error for AttemptTimedOut {}

/// Runs `attempt`, cut off after `timeout` on `sleeper` when there is one. An attempt that is
/// ready in the same poll as the timer wins.
#[cfg(any(feature = "reqwest", feature = "tower"))]
pub(crate) async fn race<T>(
    attempt: impl std::future::Future<Output = T>,
    timeout: Option<Duration>,
    sleeper: &dyn crate::Sleeper,
) -> Result<T, AttemptTimedOut> {
    use std::task::Poll;

    let Some(timeout) = timeout else {
        return Ok(attempt.await);
    };
    let mut attempt = std::pin::pin!(attempt);
    let mut timer = sleeper.sleep(timeout);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = attempt.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        timer
            .as_mut()
            .poll(cx)
            .map(|()| Err(AttemptTimedOut::new(timeout)))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_names_the_timeout_that_ran_out() {
        let err = AttemptTimedOut::new(Duration::from_millis(1500));
        assert_eq!(err.timeout(), Duration::from_millis(1500));
        assert_eq!(err.to_string(), "the attempt timed out after 1.5s");
    }
}
