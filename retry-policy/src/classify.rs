//! Classification: what one attempt produced, and whether that is worth another attempt.

use std::fmt;

/// What one attempt produced, reduced to what a retry action needs.
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
    /// The connection could not be established (refused, unreachable, DNS, TLS handshake).
    Connect,
    /// The attempt ran out of time.
    Timeout,
    /// The connection was reset or closed before a complete response arrived.
    Reset,
    /// Any other failure (a bad request, a redirect loop, a decode error, a middleware error).
    Other,
}

/// The verdict of a [`Classifier`] on one [`Outcome`] outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The attempt succeeded (a 2xx or 3xx status); stop.
    Success,
    /// The attempt failed in a way another attempt may fix.
    Retriable,
    /// The attempt failed in a way another attempt will not fix; stop.
    Final,
}

/// Decides which outcomes are worth another attempt.
///
/// Implement it to widen or narrow the retried set; [`StrictClassifier`] is the default.
///
/// ```
/// use retry_policy::{Verdict, Classifier, Outcome, StrictClassifier};
///
/// /// Also retries 429 Too Many Requests.
/// struct AlsoTooManyRequests;
///
/// impl Classifier for AlsoTooManyRequests {
///     fn classify(&self, outcome: &Outcome) -> Verdict {
///         match outcome {
///             Outcome::Status(429) => Verdict::Retriable,
///             other => StrictClassifier.classify(other),
///         }
///     }
/// }
/// assert_eq!(AlsoTooManyRequests.classify(&Outcome::Status(429)), Verdict::Retriable);
/// ```
pub trait Classifier: Send + Sync + 'static {
    /// Classifies one outcome outcome.
    fn classify(&self, outcome: &Outcome) -> Verdict;
}

/// The default classifier: retries exactly 500, 502, 503 and 504, and connect errors, timeouts
/// and resets before a response.
///
/// Every other status comes back at once: 1xx and 4xx (including 408 and 429) are final, as are
/// 501 Not Implemented and 505 to 599, which another attempt will not fix.
/// 2xx and 3xx are successes. A [`TransportKind::Other`] failure is final.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StrictClassifier;

impl StrictClassifier {
    /// The statuses this classifier retries.
    pub const RETRIED_STATUSES: [u16; 4] = [500, 502, 503, 504];
}

impl Classifier for StrictClassifier {
    fn classify(&self, outcome: &Outcome) -> Verdict {
        match *outcome {
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

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connect error",
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

    proptest! {
        #[test]
        fn strict_retries_exactly_the_four_gateway_statuses(status in 100u16..=599) {
            let verdict = StrictClassifier.classify(&Outcome::Status(status));
            let expected = match status {
                500 | 502 | 503 | 504 => Verdict::Retriable,
                200..=399 => Verdict::Success,
                _ => Verdict::Final,
            };
            prop_assert_eq!(verdict, expected);
        }
    }

    #[test]
    fn strict_retries_connect_timeout_and_reset_only() {
        let verdicts = [
            TransportKind::Connect,
            TransportKind::Timeout,
            TransportKind::Reset,
            TransportKind::Other,
        ]
        .map(|kind| StrictClassifier.classify(&Outcome::Transport(kind)));
        assert_eq!(
            verdicts,
            [
                Verdict::Retriable,
                Verdict::Retriable,
                Verdict::Retriable,
                Verdict::Final
            ]
        );
    }

    #[test]
    fn neighbours_of_the_retried_set_are_final() {
        for status in [408, 429, 501, 505, 511, 599] {
            assert_eq!(
                StrictClassifier.classify(&Outcome::Status(status)),
                Verdict::Final,
                "{status}"
            );
        }
    }
}
