//! Classification: what one attempt produced, and whether that is worth another attempt.

use std::fmt;
use std::time::Duration;

use http::Method;

/// What one attempt produced: a status from the server, or a transport failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The server answered with this HTTP status code.
    Status(u16),
    /// No response arrived; the transport failed in this way.
    Transport(TransportKind),
}

/// How a transport failed before a response arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection could not be established (refused, unreachable, DNS).
    Connect,
    /// The TLS handshake failed: a certificate the client does not trust, or a protocol
    /// mismatch. Neither fixes itself, so the default classifier does not retry it.
    Tls,
    /// The attempt ran out of time.
    Timeout,
    /// The connection was reset or closed before a complete response arrived.
    Reset,
    /// Any other failure (a bad request, a redirect loop, a decode error, a middleware error).
    Other,
}

/// A [`Classifier`]'s judgement of one [`Attempt`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The attempt succeeded (a 2xx or 3xx status); stop.
    Success,
    /// The attempt failed in a way another attempt may fix.
    Retriable,
    /// The attempt failed in a way another attempt will not fix; stop.
    Final,
}

/// What the retrier learns from one finished attempt, and what a [`Classifier`] sees.
///
/// The `'a` lifetime is the request's, for the method; an attempt without one is
/// `Attempt<'static>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt<'a> {
    /// What the attempt produced.
    pub outcome: Outcome,
    /// The server's `Retry-After`, already turned into a duration.
    pub retry_after: Option<Duration>,
    /// The request's method, when the attempt was an HTTP request.
    pub method: Option<&'a Method>,
}

/// Decides which outcomes are worth another attempt.
///
/// Implement it to widen or narrow the retried set; [`StrictClassifier`] is the default. The
/// classifier sees the request's method, so a rule may depend on it.
///
/// ```
/// use http::Method;
/// use retry_policy::{Attempt, Classifier, Outcome, StrictClassifier, Verdict};
///
/// /// Also retries 429 Too Many Requests, but only for reads.
/// struct AlsoTooManyReads;
///
/// impl Classifier for AlsoTooManyReads {
///     fn classify(&self, attempt: &Attempt<'_>) -> Verdict {
///         match (attempt.outcome, attempt.method) {
///             (Outcome::Status(429), Some(&Method::GET)) => Verdict::Retriable,
///             _ => StrictClassifier.classify(attempt),
///         }
///     }
/// }
/// let get = Attempt::new(Outcome::Status(429)).with_method(&Method::GET);
/// let post = Attempt::new(Outcome::Status(429)).with_method(&Method::POST);
/// assert_eq!(AlsoTooManyReads.classify(&get), Verdict::Retriable);
/// assert_eq!(AlsoTooManyReads.classify(&post), Verdict::Final);
/// ```
pub trait Classifier: Send + Sync + 'static {
    /// Judges one finished attempt.
    fn classify(&self, attempt: &Attempt<'_>) -> Verdict;
}

/// The default classifier: retries exactly 500, 502, 503 and 504, and connect errors, timeouts
/// and resets before a response.
///
/// Every other status comes back at once: 1xx and 4xx (including 408 and 429) are final, as are
/// 501 Not Implemented and 505 to 599, which another attempt will not fix.
/// 2xx and 3xx are successes. TLS failures and [`TransportKind::Other`] are final. The method
/// is not consulted: which requests may be retried at all is the caller's choice (for HTTP,
/// `RetryMode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StrictClassifier;

impl StrictClassifier {
    /// The statuses this classifier retries.
    pub const RETRIED_STATUSES: [u16; 4] = [500, 502, 503, 504];
}

impl Classifier for StrictClassifier {
    fn classify(&self, attempt: &Attempt<'_>) -> Verdict {
        match attempt.outcome {
            Outcome::Status(status) if Self::RETRIED_STATUSES.contains(&status) => {
                Verdict::Retriable
            }
            Outcome::Status(200..=399) => Verdict::Success,
            Outcome::Status(_) => Verdict::Final,
            Outcome::Transport(
                TransportKind::Connect | TransportKind::Timeout | TransportKind::Reset,
            ) => Verdict::Retriable,
            Outcome::Transport(_) => Verdict::Final,
        }
    }
}

impl<'a> Attempt<'a> {
    /// An attempt that produced `outcome`, with no `Retry-After` and no method.
    pub const fn new(outcome: Outcome) -> Self {
        Attempt {
            outcome,
            retry_after: None,
            method: None,
        }
    }

    /// Adds the server's `Retry-After` hint.
    #[must_use]
    pub const fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// Adds the request's method.
    #[must_use]
    pub const fn with_method(mut self, method: &'a Method) -> Self {
        self.method = Some(method);
        self
    }
}

impl From<Outcome> for Attempt<'_> {
    fn from(outcome: Outcome) -> Self {
        Attempt::new(outcome)
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connect error",
            TransportKind::Tls => "TLS error",
            TransportKind::Timeout => "timeout",
            TransportKind::Reset => "connection reset",
            TransportKind::Other => "transport error",
        })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Status(status) => write!(f, "status {status}"),
            Outcome::Transport(kind) => kind.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn verdict(outcome: Outcome) -> Verdict {
        StrictClassifier.classify(&Attempt::new(outcome))
    }

    proptest! {
        #[test]
        fn strict_retries_exactly_the_four_gateway_statuses(status in 100u16..=599) {
            let expected = match status {
                500 | 502 | 503 | 504 => Verdict::Retriable,
                200..=399 => Verdict::Success,
                _ => Verdict::Final,
            };
            prop_assert_eq!(verdict(Outcome::Status(status)), expected);
        }

        #[test]
        fn strict_ignores_the_method(status in 100u16..=599, method in prop::sample::select(vec![
            Method::GET, Method::POST, Method::PATCH, Method::DELETE,
        ])) {
            let attempt = Attempt::new(Outcome::Status(status));
            prop_assert_eq!(
                StrictClassifier.classify(&attempt.with_method(&method)),
                StrictClassifier.classify(&attempt)
            );
        }
    }

    #[test]
    fn strict_retries_connect_timeout_and_reset_only() {
        let verdicts = [
            TransportKind::Connect,
            TransportKind::Tls,
            TransportKind::Timeout,
            TransportKind::Reset,
            TransportKind::Other,
        ]
        .map(|kind| verdict(Outcome::Transport(kind)));
        assert_eq!(
            verdicts,
            [
                Verdict::Retriable,
                Verdict::Final,
                Verdict::Retriable,
                Verdict::Retriable,
                Verdict::Final
            ]
        );
    }

    #[test]
    fn neighbours_of_the_retried_set_are_final() {
        for status in [408, 429, 501, 505, 511, 599] {
            assert_eq!(verdict(Outcome::Status(status)), Verdict::Final, "{status}");
        }
    }

    #[test]
    fn outcomes_read_as_text() {
        let texts = [
            Outcome::Status(503),
            Outcome::Transport(TransportKind::Connect),
            Outcome::Transport(TransportKind::Tls),
            Outcome::Transport(TransportKind::Timeout),
            Outcome::Transport(TransportKind::Reset),
            Outcome::Transport(TransportKind::Other),
        ]
        .map(|outcome| outcome.to_string());
        assert_eq!(
            texts,
            [
                "status 503",
                "connect error",
                "TLS error",
                "timeout",
                "connection reset",
                "transport error"
            ]
        );
    }
}
