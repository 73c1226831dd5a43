//! Classification: what one attempt produced, and whether that is worth another attempt.

use std::fmt;

/// What one attempt produced, reduced to what a retry decision needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Observed {
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

/// The verdict of a [`Classifier`] on one [`Observed`] outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
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
/// use retry_policy::{Class, Classifier, Observed, StrictClassifier};
///
/// /// Also retries 429 Too Many Requests.
/// struct AlsoTooManyRequests;
///
/// impl Classifier for AlsoTooManyRequests {
///     fn classify(&self, observed: &Observed) -> Class {
///         match observed {
///             Observed::Status(429) => Class::Retriable,
///             other => StrictClassifier.classify(other),
///         }
///     }
/// }
/// assert_eq!(AlsoTooManyRequests.classify(&Observed::Status(429)), Class::Retriable);
/// ```
pub trait Classifier: Send + Sync + 'static {
    /// Classifies one observed outcome.
    fn classify(&self, observed: &Observed) -> Class;
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
    fn classify(&self, observed: &Observed) -> Class {
        match *observed {
            Observed::Status(status) if Self::RETRIED_STATUSES.contains(&status) => {
                Class::Retriable
            }
            Observed::Status(200..=399) => Class::Success,
            Observed::Status(_) => Class::Final,
            Observed::Transport(
                TransportKind::Connect | TransportKind::Timeout | TransportKind::Reset,
            ) => Class::Retriable,
            Observed::Transport(_) => Class::Final,
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

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Observed::Status(status) => write!(f, "status {status}"),
            Observed::Transport(kind) => kind.fmt(f),
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
            let class = StrictClassifier.classify(&Observed::Status(status));
            let expected = match status {
                500 | 502 | 503 | 504 => Class::Retriable,
                200..=399 => Class::Success,
                _ => Class::Final,
            };
            prop_assert_eq!(class, expected);
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
        .map(|kind| StrictClassifier.classify(&Observed::Transport(kind)));
        assert_eq!(
            verdicts,
            [
                Class::Retriable,
                Class::Retriable,
                Class::Retriable,
                Class::Final
            ]
        );
    }

    #[test]
    fn neighbours_of_the_retried_set_are_final() {
        for status in [408, 429, 501, 505, 511, 599] {
            assert_eq!(
                StrictClassifier.classify(&Observed::Status(status)),
                Class::Final,
                "{status}"
            );
        }
    }
}
