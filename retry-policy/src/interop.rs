//! reqwest-retry interop: the same schedule and classification for `RetryTransientMiddleware`.

use std::time::{Duration, SystemTime};

use reqwest_retry::{Retryable, RetryableStrategy};
use retry_policies::{RetryDecision, RetryPolicy};

use crate::classify::{Attempt, Classifier, Outcome, StrictClassifier, TransportKind, Verdict};
use crate::policy::{Action, Policy, RetryState};
use crate::random::SplitMix64;

/// Lets any [`Classifier`] serve as a reqwest-retry `RetryableStrategy` (feature
/// `reqwest-retry`); [`Policy`] implements reqwest-retry's `RetryPolicy` beside it.
///
/// [`StrictClassifier`] implements the trait directly; wrap other classifiers in this. Users of
/// reqwest-retry can so adopt the schedule and the classification without switching
/// middleware:
///
/// ```
/// use reqwest_retry::RetryTransientMiddleware;
/// use retry_policy::{Policy, StrictClassifier};
///
/// let middleware =
///     RetryTransientMiddleware::new_with_policy_and_strategy(Policy::default(), StrictClassifier);
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(middleware)
///     .build();
/// # drop(client);
/// ```
///
/// # What does not carry over
///
/// reqwest-retry's middleware, not this crate, then runs the loop, so:
///
/// - its policy never sees the response: `Retry-After` is ignored;
/// - there is no retry budget, [`RetryMode`](crate::RetryMode), per-request policy, attempt
///   timeout, hook, [`Attempts`](crate::Attempts) or configurable event;
/// - the classifier never sees the method;
/// - the time limit and jitter run on the system clock and a seed taken from the start time,
///   not on an injected [`Clock`](crate::Clock);
/// - it wraps the final error in its own `RetryError`, so `is_connect()` on it is false;
/// - it fails a request whose body cannot be cloned before sending it, instead of sending it
///   once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassifierStrategy<C>(pub C);

/// The jitter seed of one retry of one request: requests started at different instants, and
/// the retries of one request, draw different delays, so clients do not retry in lockstep.
fn jitter_seed(request_start_time: SystemTime, n_past_retries: u32) -> u64 {
    let started_nanos = request_start_time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64);
    started_nanos ^ u64::from(n_past_retries)
}

impl RetryPolicy for Policy {
    /// Decides as [`Policy::decide`] does for a retriable outcome, measuring the elapsed time on
    /// the system clock as reqwest-retry does. Jitter, if any, is seeded from the start time and
    /// the retry number.
    fn should_retry(&self, request_start_time: SystemTime, n_past_retries: u32) -> RetryDecision {
        let now = SystemTime::now();
        let elapsed = now
            .duration_since(request_start_time)
            .unwrap_or(Duration::ZERO);
        let mut rng = SplitMix64::new(jitter_seed(request_start_time, n_past_retries));
        let ctx = RetryState::new(n_past_retries, elapsed);
        match self.decide(&ctx, Verdict::Retriable, &mut rng) {
            Action::Retry { delay } => match now.checked_add(delay) {
                Some(execute_after) => RetryDecision::Retry { execute_after },
                None => RetryDecision::DoNotRetry,
            },
            Action::Stop(_) => RetryDecision::DoNotRetry,
        }
    }
}

impl<C: Classifier> RetryableStrategy for ClassifierStrategy<C> {
    fn handle(
        &self,
        res: &Result<reqwest::Response, reqwest_middleware::Error>,
    ) -> Option<Retryable> {
        let outcome = match res {
            Ok(response) => Outcome::Status(response.status().as_u16()),
            Err(error) => Outcome::Transport(TransportKind::from_middleware_error(error)),
        };
        match self.0.classify(&Attempt::new(outcome)) {
            Verdict::Success => None,
            Verdict::Retriable => Some(Retryable::Transient),
            Verdict::Final => Some(Retryable::Fatal),
        }
    }
}

impl RetryableStrategy for StrictClassifier {
    fn handle(
        &self,
        res: &Result<reqwest::Response, reqwest_middleware::Error>,
    ) -> Option<Retryable> {
        ClassifierStrategy(*self).handle(res)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn each_retry_and_each_start_instant_has_its_own_jitter_seed() {
        // An odd nanosecond count, so that setting a low bit and flipping it differ.
        let start = SystemTime::UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
        let seeds: HashSet<u64> = (0..8).map(|n| jitter_seed(start, n)).collect();
        assert_eq!(seeds.len(), 8);
        let later = start + Duration::from_nanos(2);
        assert_ne!(jitter_seed(start, 0), jitter_seed(later, 0));
    }

    #[test]
    fn the_schedule_is_the_policy_schedule() {
        let policy = Policy::builder().max_retries(5).build().unwrap();
        let start = SystemTime::now();
        let delays: Vec<u64> = (0..6)
            .map(|n| match policy.should_retry(start, n) {
                RetryDecision::Retry { execute_after } => {
                    // Rounded, since the system clock moves while this runs.
                    let wait = execute_after.duration_since(start).unwrap();
                    (wait.as_millis() as u64 + 500) / 1000
                }
                RetryDecision::DoNotRetry => 0,
            })
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 0]);
    }
}
