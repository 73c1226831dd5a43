//! The circuit breaker: when Gitea keeps failing, stop starting consumers.
//!
//! It counts consumer passes in the order they end, across every consumer in flight. A pass that
//! ended in a transient failure (a 5xx, a transport error, a timeout: Gitea is not answering)
//! adds one; a pass in which Gitea answered (the consumer settled, or failed with a 4xx or a
//! refusal) resets the count. It trips when the count reaches the threshold, and stays tripped.
//!
//! A pass counts once however many requests it made, so a flaky Gitea that fails one request in
//! five (a pass of four single-shot requests then fails with probability 0.59 at most) trips a
//! breaker of 10 with a chance of about 0.5 % per pass, and a dead one trips it after 10 passes:
//! at most `jobs` consumers in flight plus 9 more are tried after Gitea died.

/// Transient pass failures in a row that trip the breaker.
pub(crate) const DEFAULT_THRESHOLD: u32 = 10;

/// How one consumer pass ended, as the breaker sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PassEnd {
    /// Gitea answered: the consumer settled, or failed for a reason that is not Gitea failing.
    Answered,
    /// A 5xx, a transport error or a timeout.
    Transient,
}

/// The breaker's state: a pure counter, fed in the order passes end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Breaker {
    threshold: u32,
    in_a_row: u32,
}

impl Breaker {
    /// A breaker that trips after `threshold` transient pass failures in a row (at least 1).
    pub(crate) fn new(threshold: u32) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            in_a_row: 0,
        }
    }

    /// Records how one pass ended; returns whether the breaker is tripped (now or before).
    pub(crate) fn record(&mut self, end: PassEnd) -> bool {
        if self.tripped() {
            return true;
        }
        self.in_a_row = match end {
            PassEnd::Answered => 0,
            PassEnd::Transient => self.in_a_row + 1,
        };
        self.tripped()
    }

    /// Whether it has tripped.
    pub(crate) fn tripped(&self) -> bool {
        self.in_a_row >= self.threshold
    }

    /// The threshold.
    pub(crate) fn threshold(&self) -> u32 {
        self.threshold
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn trips_on_the_threshold_th_failure_in_a_row_and_stays_tripped() {
        let mut breaker = Breaker::new(3);
        assert!(!breaker.record(PassEnd::Transient));
        assert!(!breaker.record(PassEnd::Transient));
        assert!(!breaker.record(PassEnd::Answered));
        assert!(!breaker.record(PassEnd::Transient));
        assert!(!breaker.record(PassEnd::Transient));
        assert!(breaker.record(PassEnd::Transient));
        assert!(breaker.record(PassEnd::Answered), "stays tripped");
    }

    proptest! {
        /// It trips exactly when the sequence so far holds `threshold` transient ends in a row.
        #[test]
        fn trips_iff_a_run_of_threshold_transient_ends_occurred(
            threshold in 1u32..6,
            ends in proptest::collection::vec(any::<bool>(), 0..40),
        ) {
            let mut breaker = Breaker::new(threshold);
            let (mut run, mut seen_run) = (0u32, false);
            for transient in ends {
                run = if transient { run + 1 } else { 0 };
                seen_run |= run >= threshold;
                let end = if transient { PassEnd::Transient } else { PassEnd::Answered };
                prop_assert_eq!(breaker.record(end), seen_run);
            }
        }
    }

    #[test]
    fn a_zero_threshold_means_one() {
        let mut breaker = Breaker::new(0);
        assert_eq!(breaker.threshold(), 1);
        assert!(breaker.record(PassEnd::Transient));
    }
}
