//! The policy: how many retries, how long to wait before each, and when to stop.
//!
//! Everything here is a plain function of its arguments. The caller passes the elapsed time, the
//! `Retry-After` hint and the random source, so the same inputs always give the same action.

use std::fmt;
use std::time::Duration;

use crate::classify::Verdict;
use crate::random::RandomSource;

/// How a scheduled delay is spread out, so that many clients do not retry in lockstep.
///
/// Each variant states the range the delay `d` of the schedule is drawn from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Jitter {
    /// Exactly `d`: the schedule is 1 s, 2 s, 4 s, ... with the defaults.
    #[default]
    None,
    /// Uniform in `[0, d]` ("full jitter").
    Full,
    /// Uniform in `[d / 2, d]` ("equal jitter"): at least half the schedule, never more than it.
    Equal,
}

/// A validated retry policy: a pure description that never reads a clock or sleeps.
///
/// # Default
///
/// - `max_retries`: 3, so at most 4 calls;
/// - `base_delay`: 1 s, `factor`: 2, `cap`: 30 s, so the schedule is 1 s, 2 s, 4 s, 8 s, 16 s,
///   30 s, 30 s, ...;
/// - `jitter`: [`Jitter::None`];
/// - `time_limit`: none;
/// - `attempt_timeout`: none, so the client's own timeouts alone bound an attempt.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use retry_policy::Policy;
///
/// let policy = Policy::builder().max_retries(5).build()?;
/// let schedule: Vec<u64> = (0..5).map(|n| policy.backoff(n).as_secs()).collect();
/// assert_eq!(schedule, [1, 2, 4, 8, 16]);
/// # Ok::<(), retry_policy::PolicyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    max_retries: u32,
    base_delay: Duration,
    factor: u32,
    cap: Duration,
    jitter: Jitter,
    time_limit: Option<Duration>,
    attempt_timeout: Option<Duration>,
}

/// Builds a [`Policy`]; starts from the defaults listed on [`Policy`].
#[derive(Clone, Debug)]
#[must_use]
pub struct PolicyBuilder {
    policy: Policy,
}

/// Why a [`PolicyBuilder`] refused its values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The base delay was zero, which would retry in a tight loop.
    #[error("the base delay must be greater than zero")]
    ZeroBaseDelay,
    /// The factor was zero, which would make every delay after the first zero.
    #[error("the backoff factor must be at least 1")]
    ZeroFactor,
    /// The cap was below the base delay.
    #[error("the cap ({cap:?}) must not be below the base delay ({base:?})")]
    CapBelowBase {
        /// The base delay given.
        base: Duration,
        /// The cap given.
        cap: Duration,
    },
    /// The per-attempt timeout was zero, so no attempt could ever finish.
    #[error("the attempt timeout must be greater than zero")]
    ZeroAttemptTimeout,
    /// The time limit was zero; leave it unset to have none.
    #[error("the time limit must be greater than zero (leave it unset for none)")]
    ZeroTimeLimit,
}

/// What the policy needs to know about the attempt that just finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryState {
    /// How many retries came before this attempt: 0 for the first call.
    pub retries: u32,
    /// Time since the first attempt started, as measured by the caller's clock.
    pub elapsed: Duration,
    /// The server's `Retry-After`, already turned into a duration by the caller.
    pub retry_after: Option<Duration>,
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Wait `delay`, then try again.
    Retry {
        /// How long to wait before the next attempt.
        delay: Duration,
    },
    /// Return the outcome of this attempt as it is.
    Stop(StopReason),
}

/// Why the attempts stopped; reported with every outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// The last attempt succeeded.
    Succeeded,
    /// The last attempt failed in a way the classifier does not retry.
    NotRetriable,
    /// The last attempt was retriable, but `max_retries` retries were already made.
    RetriesExhausted,
    /// The next retry would have started after the time limit.
    TimeLimitReached,
    /// The server's `Retry-After` asked for a longer wait than the cap allows; rather than
    /// retry sooner than asked, the last outcome is returned.
    RetryAfterBeyondCap,
    /// The shared [`RetryBudget`](crate::RetryBudget) had nothing left to withdraw.
    BudgetExhausted,
    /// The outcome was retriable, but the request could be sent only once: its `RetryMode`
    /// does not allow a retry, or its body cannot be sent again.
    SingleShot,
}

impl Policy {
    /// Starts a builder from the defaults.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder {
            policy: Policy::default(),
        }
    }

    /// Starts a builder from this policy's values, to change a few of them.
    pub fn to_builder(&self) -> PolicyBuilder {
        PolicyBuilder {
            policy: self.clone(),
        }
    }

    /// The most retries after the first call; at most `max_retries + 1` calls are made.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The delay before the first retry.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// Each delay is the previous one times this factor, up to the cap.
    pub fn factor(&self) -> u32 {
        self.factor
    }

    /// No delay, including one asked for by `Retry-After`, is ever longer than this.
    pub fn cap(&self) -> Duration {
        self.cap
    }

    /// How scheduled delays are spread out.
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    /// The latest a retry may start, measured from the start of the first attempt, if limited.
    pub fn time_limit(&self) -> Option<Duration> {
        self.time_limit
    }

    /// How long one attempt may take to produce its outcome, if limited.
    ///
    /// The HTTP adapters race each attempt against it, up to the response's head: it never
    /// replaces the client's or the request's own timeout, and never cuts a body that the
    /// caller reads after the response came back. A timed-out attempt is a
    /// [`TransportKind::Timeout`](crate::TransportKind::Timeout). [`Retrier::run`](crate::Retrier::run)
    /// leaves the timing of its operation to the operation.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The unjittered delay before retry number `retry` (0-based): `base * factor^retry`, capped.
    ///
    /// Saturating: it never overflows or panics, for any `retry`.
    pub fn backoff(&self, retry: u32) -> Duration {
        if self.factor == 1 {
            return self.base_delay;
        }
        // With a factor of at least 2 the delay reaches any cap within about 100 steps.
        let mut delay = self.base_delay;
        for _ in 0..retry {
            if delay >= self.cap {
                break;
            }
            delay = delay.saturating_mul(self.factor);
        }
        delay.min(self.cap)
    }

    /// The delay before retry number `retry`: the jittered schedule, raised to `retry_after`
    /// when that is longer, and never above the cap. ([`decide`](Self::decide) does not retry
    /// at all when `retry_after` is above the cap.)
    ///
    /// Draws from `rng` only when the policy has jitter.
    pub fn delay(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        rng: &mut dyn RandomSource,
    ) -> Duration {
        let scheduled = self.jitter.apply(self.backoff(retry), rng);
        match retry_after {
            Some(hint) => scheduled.max(hint.min(self.cap)),
            None => scheduled,
        }
    }

    /// Decides what to do after an attempt that the classifier judged `verdict`.
    ///
    /// A retriable attempt is retried unless `max_retries` retries were already made, the
    /// server's `Retry-After` is longer than the cap, or the delay would start the next attempt
    /// after the time limit.
    pub fn decide(&self, ctx: &RetryState, verdict: Verdict, rng: &mut dyn RandomSource) -> Action {
        match verdict {
            Verdict::Success => return Action::Stop(StopReason::Succeeded),
            Verdict::Final => return Action::Stop(StopReason::NotRetriable),
            Verdict::Retriable => {}
        }
        if ctx.retries >= self.max_retries {
            return Action::Stop(StopReason::RetriesExhausted);
        }
        if ctx.retry_after.is_some_and(|hint| hint > self.cap) {
            return Action::Stop(StopReason::RetryAfterBeyondCap);
        }
        let delay = self.delay(ctx.retries, ctx.retry_after, rng);
        if let Some(limit) = self.time_limit
            && ctx.elapsed.saturating_add(delay) > limit
        {
            return Action::Stop(StopReason::TimeLimitReached);
        }
        Action::Retry { delay }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_retries: 3,
            base_delay: Duration::from_secs(1),
            factor: 2,
            cap: Duration::from_secs(30),
            jitter: Jitter::None,
            time_limit: None,
            attempt_timeout: None,
        }
    }
}

impl PolicyBuilder {
    /// Sets the most retries after the first call (default 3). Any value is valid, including 0
    /// (a single call) and `u32::MAX`.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.policy.max_retries = max_retries;
        self
    }

    /// Sets the delay before the first retry (default 1 s).
    pub fn base_delay(mut self, base_delay: Duration) -> Self {
        self.policy.base_delay = base_delay;
        self
    }

    /// Sets the growth factor between delays (default 2; 1 gives a constant delay).
    pub fn factor(mut self, factor: u32) -> Self {
        self.policy.factor = factor;
        self
    }

    /// Sets the longest delay (default 30 s). A server whose `Retry-After` asks for longer is
    /// not retried: see [`StopReason::RetryAfterBeyondCap`].
    pub fn cap(mut self, cap: Duration) -> Self {
        self.policy.cap = cap;
        self
    }

    /// Sets the jitter (default [`Jitter::None`]).
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.policy.jitter = jitter;
        self
    }

    /// No retry starts later than this after the first attempt started (default: none).
    pub fn time_limit(mut self, time_limit: Duration) -> Self {
        self.policy.time_limit = Some(time_limit);
        self
    }

    /// Removes the time limit.
    pub fn without_time_limit(mut self) -> Self {
        self.policy.time_limit = None;
        self
    }

    /// Sets how long one attempt may take to produce its outcome (default: no limit of its
    /// own). See [`Policy::attempt_timeout`] for what it bounds and what it leaves alone.
    pub fn attempt_timeout(mut self, attempt_timeout: Duration) -> Self {
        self.policy.attempt_timeout = Some(attempt_timeout);
        self
    }

    /// Removes the attempt timeout.
    pub fn without_attempt_timeout(mut self) -> Self {
        self.policy.attempt_timeout = None;
        self
    }

    /// Checks the values and returns the policy.
    ///
    /// # Errors
    ///
    /// [`PolicyError`] names the first bad value: a zero base delay, factor, attempt timeout or
    /// time limit, or a cap below the base delay.
    pub fn build(self) -> Result<Policy, PolicyError> {
        let policy = self.policy;
        if policy.base_delay.is_zero() {
            return Err(PolicyError::ZeroBaseDelay);
        }
        if policy.factor == 0 {
            return Err(PolicyError::ZeroFactor);
        }
        if policy.cap < policy.base_delay {
            return Err(PolicyError::CapBelowBase {
                base: policy.base_delay,
                cap: policy.cap,
            });
        }
        if policy
            .attempt_timeout
            .is_some_and(|timeout| timeout.is_zero())
        {
            return Err(PolicyError::ZeroAttemptTimeout);
        }
        if policy.time_limit.is_some_and(|limit| limit.is_zero()) {
            return Err(PolicyError::ZeroTimeLimit);
        }
        Ok(policy)
    }
}

impl RetryState {
    /// The context of an attempt preceded by `retries` retries, `elapsed` after the first began.
    pub const fn new(retries: u32, elapsed: Duration) -> Self {
        RetryState {
            retries,
            elapsed,
            retry_after: None,
        }
    }

    /// Adds the server's `Retry-After` hint.
    #[must_use]
    pub const fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }
}

impl Jitter {
    fn apply(self, delay: Duration, rng: &mut dyn RandomSource) -> Duration {
        match self {
            Jitter::None => delay,
            Jitter::Full => scale(delay, rng.next_u64()),
            Jitter::Equal => {
                let half = delay / 2;
                half.saturating_add(scale(delay.saturating_sub(half), rng.next_u64()))
            }
        }
    }
}

/// `delay * fraction / 2^64`, rounded down, in integer nanoseconds so nothing can overflow.
fn scale(delay: Duration, fraction: u64) -> Duration {
    let nanos = delay.as_nanos();
    let fraction = u128::from(fraction);
    let high = nanos >> 64;
    let low = nanos & u128::from(u64::MAX);
    let scaled = high * fraction + ((low * fraction) >> 64);
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    let secs = u64::try_from(scaled / NANOS_PER_SEC).unwrap_or(u64::MAX);
    let subsec = u32::try_from(scaled % NANOS_PER_SEC).unwrap_or(0);
    Duration::new(secs, subsec)
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopReason::Succeeded => "succeeded",
            StopReason::NotRetriable => "not retriable",
            StopReason::RetriesExhausted => "retries exhausted",
            StopReason::TimeLimitReached => "time limit reached",
            StopReason::BudgetExhausted => "retry budget exhausted",
            StopReason::RetryAfterBeyondCap => "Retry-After beyond the cap",
            StopReason::SingleShot => "sent once",
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::random::{RandomSource, SplitMix64};

    fn any_duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            (1u64..=3_600_000_000_000).prop_map(Duration::from_nanos),
            (1u64..=u64::MAX).prop_map(Duration::from_nanos),
            (0u64..=u64::MAX, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
            Just(Duration::MAX),
        ]
        .prop_filter("non-zero", |d| !d.is_zero())
    }

    fn any_policy() -> impl Strategy<Value = Policy> {
        (
            any::<u32>(),
            any_duration(),
            1u32..=16,
            any_duration(),
            any_duration(),
        )
            .prop_map(|(max_retries, base, factor, extra, timeout)| {
                Policy::builder()
                    .max_retries(max_retries)
                    .base_delay(base)
                    .factor(factor)
                    .cap(base.saturating_add(extra))
                    .attempt_timeout(timeout)
                    .build()
                    .unwrap()
            })
    }

    fn with_jitter(policy: Policy, jitter: Jitter) -> Policy {
        policy.to_builder().jitter(jitter).build().unwrap()
    }

    #[test]
    fn default_schedule_is_one_two_four_seconds_then_stops() {
        let policy = Policy::default();
        let mut rng = SplitMix64::new(0);
        let actions: Vec<Action> = (0..4)
            .map(|retries| {
                let ctx = RetryState::new(retries, Duration::ZERO);
                policy.decide(&ctx, Verdict::Retriable, &mut rng)
            })
            .collect();
        let secs = |s| Action::Retry {
            delay: Duration::from_secs(s),
        };
        assert_eq!(
            actions,
            [
                secs(1),
                secs(2),
                secs(4),
                Action::Stop(StopReason::RetriesExhausted)
            ]
        );
    }

    #[test]
    fn five_retries_back_off_one_to_sixteen_seconds_then_hit_the_cap() {
        let policy = Policy::builder().max_retries(5).build().unwrap();
        let schedule: Vec<u64> = (0..7).map(|n| policy.backoff(n).as_secs()).collect();
        assert_eq!(schedule, [1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn builder_rejects_bad_values() {
        let zero = Duration::ZERO;
        let second = Duration::from_secs(1);
        let build = |b: PolicyBuilder| b.build().unwrap_err();
        assert_eq!(
            build(Policy::builder().base_delay(zero)),
            PolicyError::ZeroBaseDelay
        );
        assert_eq!(build(Policy::builder().factor(0)), PolicyError::ZeroFactor);
        assert_eq!(
            build(Policy::builder().base_delay(second * 2).cap(second)),
            PolicyError::CapBelowBase {
                base: second * 2,
                cap: second
            }
        );
        assert_eq!(
            build(Policy::builder().attempt_timeout(zero)),
            PolicyError::ZeroAttemptTimeout
        );
        assert_eq!(
            build(Policy::builder().time_limit(zero)),
            PolicyError::ZeroTimeLimit
        );
    }

    /// A random source that always returns the same value, to pin the jitter arithmetic.
    struct Fixed(u64);

    impl RandomSource for Fixed {
        fn next_u64(&mut self) -> u64 {
            self.0
        }
    }

    #[test]
    fn jitter_draws_exactly_the_documented_fraction() {
        let four = Duration::from_secs(4);
        let policy = Policy::builder().base_delay(four).build().unwrap();
        let delay =
            |jitter, draw| with_jitter(policy.clone(), jitter).delay(0, None, &mut Fixed(draw));
        let half = 1u64 << 63;
        let quarter = 1u64 << 62;
        let almost_all = Duration::from_secs(4) - Duration::from_nanos(1);
        assert_eq!(delay(Jitter::None, half), four);
        assert_eq!(delay(Jitter::Full, 0), Duration::ZERO);
        assert_eq!(delay(Jitter::Full, quarter), Duration::from_secs(1));
        assert_eq!(delay(Jitter::Full, half), Duration::from_secs(2));
        assert_eq!(delay(Jitter::Full, u64::MAX), almost_all);
        assert_eq!(delay(Jitter::Equal, 0), Duration::from_secs(2));
        assert_eq!(delay(Jitter::Equal, half), Duration::from_secs(3));
        assert_eq!(delay(Jitter::Equal, u64::MAX), almost_all);
    }

    #[test]
    fn a_retry_after_beyond_the_cap_stops_instead_of_retrying_early() {
        let policy = Policy::builder()
            .base_delay(Duration::from_millis(100))
            .cap(Duration::from_millis(200))
            .build()
            .unwrap();
        let decide = |hint: u64| {
            let ctx = RetryState::new(0, Duration::ZERO)
                .with_retry_after(Some(Duration::from_millis(hint)));
            policy.decide(&ctx, Verdict::Retriable, &mut SplitMix64::new(0))
        };
        let retry = |ms| Action::Retry {
            delay: Duration::from_millis(ms),
        };
        assert_eq!(decide(50), retry(100));
        assert_eq!(decide(150), retry(150));
        assert_eq!(decide(200), retry(200));
        assert_eq!(decide(201), Action::Stop(StopReason::RetryAfterBeyondCap));
        assert_eq!(decide(2000), Action::Stop(StopReason::RetryAfterBeyondCap));
    }

    #[test]
    fn a_retry_may_start_exactly_at_the_time_limit() {
        let policy = Policy::builder()
            .time_limit(Duration::from_secs(3))
            .build()
            .unwrap();
        let decide = |elapsed_ms| {
            let ctx = RetryState::new(1, Duration::from_millis(elapsed_ms));
            policy.decide(&ctx, Verdict::Retriable, &mut SplitMix64::new(0))
        };
        assert_eq!(
            decide(1000),
            Action::Retry {
                delay: Duration::from_secs(2)
            }
        );
        assert_eq!(decide(1001), Action::Stop(StopReason::TimeLimitReached));
    }

    #[test]
    fn getters_return_what_was_built() {
        let policy = Policy::builder()
            .max_retries(7)
            .base_delay(Duration::from_millis(250))
            .factor(3)
            .cap(Duration::from_secs(9))
            .jitter(Jitter::Equal)
            .time_limit(Duration::from_secs(60))
            .attempt_timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        assert_eq!(policy.max_retries(), 7);
        assert_eq!(policy.base_delay(), Duration::from_millis(250));
        assert_eq!(policy.factor(), 3);
        assert_eq!(policy.cap(), Duration::from_secs(9));
        assert_eq!(policy.jitter(), Jitter::Equal);
        assert_eq!(policy.time_limit(), Some(Duration::from_secs(60)));
        assert_eq!(policy.attempt_timeout(), Some(Duration::from_secs(5)));
        let cleared = policy
            .to_builder()
            .without_time_limit()
            .without_attempt_timeout()
            .build()
            .unwrap();
        assert_eq!(
            (cleared.time_limit(), cleared.attempt_timeout()),
            (None, None)
        );
        let defaults = Policy::default();
        assert_eq!(
            (
                defaults.jitter(),
                defaults.time_limit(),
                defaults.attempt_timeout()
            ),
            (Jitter::None, None, None)
        );
    }

    #[test]
    fn stop_reasons_read_as_text() {
        let texts = [
            StopReason::Succeeded,
            StopReason::NotRetriable,
            StopReason::RetriesExhausted,
            StopReason::TimeLimitReached,
            StopReason::BudgetExhausted,
            StopReason::RetryAfterBeyondCap,
            StopReason::SingleShot,
        ]
        .map(|reason| reason.to_string());
        assert_eq!(
            texts,
            [
                "succeeded",
                "not retriable",
                "retries exhausted",
                "time limit reached",
                "retry budget exhausted",
                "Retry-After beyond the cap",
                "sent once"
            ]
        );
    }

    #[test]
    fn success_and_final_stop_whatever_the_count() {
        let policy = Policy::default();
        let mut rng = SplitMix64::new(0);
        for retries in [0, 1, u32::MAX] {
            let ctx = RetryState::new(retries, Duration::MAX);
            assert_eq!(
                policy.decide(&ctx, Verdict::Success, &mut rng),
                Action::Stop(StopReason::Succeeded)
            );
            assert_eq!(
                policy.decide(&ctx, Verdict::Final, &mut rng),
                Action::Stop(StopReason::NotRetriable)
            );
        }
    }

    proptest! {
        #[test]
        fn schedule_starts_at_base_grows_by_factor_and_is_capped(
            policy in any_policy(),
            retry in prop_oneof![0u32..64, any::<u32>()],
        ) {
            prop_assert_eq!(policy.backoff(0), policy.base_delay());
            let this = policy.backoff(retry);
            let next = policy.backoff(retry.saturating_add(1));
            prop_assert!(this <= policy.cap());
            prop_assert!(this <= next || retry == u32::MAX);
            if retry < u32::MAX {
                prop_assert_eq!(next, this.saturating_mul(policy.factor()).min(policy.cap()));
            }
        }

        #[test]
        fn decide_never_panics_even_for_huge_counts(
            policy in any_policy(),
            retries in any::<u32>(),
            elapsed in any_duration(),
            hint in proptest::option::of(any_duration()),
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let ctx = RetryState::new(retries, elapsed).with_retry_after(hint);
            let action = policy.decide(&ctx, Verdict::Retriable, &mut rng);
            let expected = if retries >= policy.max_retries() {
                Action::Stop(StopReason::RetriesExhausted)
            } else if hint.is_some_and(|hint| hint > policy.cap()) {
                Action::Stop(StopReason::RetryAfterBeyondCap)
            } else {
                Action::Retry { delay: policy.delay(retries, hint, &mut SplitMix64::new(seed)) }
            };
            prop_assert_eq!(action, expected);
        }

        #[test]
        fn jittered_delays_stay_in_their_documented_range(
            policy in any_policy(),
            retry in any::<u32>(),
            seed in any::<u64>(),
        ) {
            let d = policy.backoff(retry);
            let mut rng = SplitMix64::new(seed);
            let none = with_jitter(policy.clone(), Jitter::None).delay(retry, None, &mut rng);
            let full = with_jitter(policy.clone(), Jitter::Full).delay(retry, None, &mut rng);
            let equal = with_jitter(policy, Jitter::Equal).delay(retry, None, &mut rng);
            prop_assert_eq!(none, d);
            prop_assert!(full <= d);
            prop_assert!(d / 2 <= equal && equal <= d);
        }

        #[test]
        fn retry_after_never_shortens_the_schedule_or_exceeds_the_cap(
            policy in any_policy(),
            jitter in prop_oneof![Just(Jitter::None), Just(Jitter::Full), Just(Jitter::Equal)],
            retry in any::<u32>(),
            hint in any_duration(),
            seed in any::<u64>(),
        ) {
            let policy = with_jitter(policy, jitter);
            let scheduled = policy.delay(retry, None, &mut SplitMix64::new(seed));
            let delay = policy.delay(retry, Some(hint), &mut SplitMix64::new(seed));
            prop_assert!(scheduled <= delay);
            prop_assert!(delay <= policy.cap());
            prop_assert_eq!(delay, scheduled.max(hint.min(policy.cap())));
        }

        #[test]
        fn no_retry_starts_after_the_time_limit(
            policy in any_policy(),
            limit in any_duration(),
            retries in 0u32..8,
            elapsed in any_duration(),
        ) {
            let policy = policy.to_builder().time_limit(limit).build().unwrap();
            let ctx = RetryState::new(retries, elapsed);
            let delay = policy.backoff(retries);
            let expected = if retries >= policy.max_retries() {
                Action::Stop(StopReason::RetriesExhausted)
            } else if elapsed.saturating_add(delay) > limit {
                Action::Stop(StopReason::TimeLimitReached)
            } else {
                Action::Retry { delay }
            };
            prop_assert_eq!(policy.decide(&ctx, Verdict::Retriable, &mut SplitMix64::new(0)), expected);
        }
    }
}
