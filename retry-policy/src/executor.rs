//! The executor: runs an operation, asks the policy after each attempt, and sleeps in between.
//!
//! It owns no clock or timer of its own: a [`Sleeper`] and a [`Clock`] are injected, so tests
//! run in virtual time with [`InstantSleeper`].

use std::collections::hash_map::RandomState;
use std::fmt;
use std::future::Future;
use std::hash::BuildHasher;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::budget::RetryBudget;
use crate::classify::{Classifier, Outcome, StrictClassifier};
use crate::policy::{Action, Policy, RetryState, StopReason};
use crate::random::{RandomSource, SplitMix64};

/// Waits between attempts.
pub trait Sleeper: Send + Sync {
    /// Returns a future that completes after `delay`.
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// Tells the time, for the total time budget and the [`RetryBudget`].
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// Sleeps with `tokio::time::sleep`, so tokio's paused clock drives it in tests.
#[cfg(feature = "tokio")]
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

/// Reads `tokio::time::Instant::now()`, so it follows tokio's paused clock in tests.
#[cfg(feature = "tokio")]
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioClock;

/// A sleeper and clock in virtual time, for tests: `sleep` returns at once, records the delay
/// and moves the virtual clock forward by it. Clones share the same time and record.
///
/// ```
/// use std::time::{Duration, Instant};
/// use retry_policy::{Clock, InstantSleeper, Sleeper};
///
/// # futures_lite_block_on(async {
/// let start = Instant::now();
/// let time = InstantSleeper::new(start);
/// time.sleep(Duration::from_secs(2)).await;
/// assert_eq!(time.now(), start + Duration::from_secs(2));
/// assert_eq!(time.delays(), [Duration::from_secs(2)]);
/// # });
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct InstantSleeper {
    state: Arc<Mutex<VirtualTime>>,
}

#[derive(Debug)]
struct VirtualTime {
    now: Instant,
    delays: Vec<Duration>,
}

/// What the executor learns from one attempt: the classified outcome and any `Retry-After`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// What the attempt produced.
    pub outcome: Outcome,
    /// The server's `Retry-After`, already turned into a duration.
    pub retry_after: Option<Duration>,
}

/// The result of [`Retrier::run`], on success and on failure alike.
#[derive(Debug)]
pub struct Report<T, E> {
    /// The last attempt's result, unchanged: a final 5xx stays `Ok`, a final error is the
    /// operation's own error.
    pub result: Result<T, E>,
    /// How many times the operation was called (at least 1).
    pub attempts: u32,
    /// The delays slept, in order; one fewer than `attempts`.
    pub delays: Vec<Duration>,
    /// Why the attempts stopped.
    pub stop: StopReason,
}

/// Runs an operation under a [`Policy`], with a [`Classifier`], a [`Sleeper`], a [`Clock`] and
/// an optional shared [`RetryBudget`]. Cheap to clone; clones share the budget.
///
/// # Example
///
/// ```
/// use std::time::{Duration, Instant};
/// use retry_policy::{InstantSleeper, Outcome, Policy, Retrier, StopReason};
///
/// # block_on(async {
/// let time = InstantSleeper::new(Instant::now());
/// let retrier = Retrier::with_timer(Policy::default(), time.clone(), time.clone());
/// let statuses = [503, 502, 201];
/// let report = retrier
///     .run(
///         |attempt| async move { Ok::<u16, ()>(statuses[attempt as usize - 1]) },
///         |outcome| Outcome::Status(*outcome.as_ref().unwrap()).into(),
///     )
///     .await;
/// assert_eq!(report.result, Ok(201));
/// assert_eq!(report.attempts, 3);
/// assert_eq!(report.delays, [Duration::from_secs(1), Duration::from_secs(2)]);
/// assert_eq!(report.stop, StopReason::Succeeded);
/// # });
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
#[derive(Clone)]
pub struct Retrier {
    policy: Policy,
    classifier: Arc<dyn Classifier>,
    sleeper: Arc<dyn Sleeper>,
    clock: Arc<dyn Clock>,
    budget: Option<RetryBudget>,
    seed: u64,
    runs: Arc<AtomicU64>,
}

/// One run of the retry loop: counts attempts and delays, and asks policy and budget.
pub(crate) struct Session<'r> {
    retrier: &'r Retrier,
    started: Instant,
    attempts: u32,
    delays: Vec<Duration>,
    rng: SplitMix64,
}

impl Retrier {
    /// A retrier with the [`StrictClassifier`], sleeping and telling time with tokio.
    #[cfg(feature = "tokio")]
    pub fn new(policy: Policy) -> Self {
        Self::with_timer(policy, TokioSleeper, TokioClock)
    }

    /// A retrier with the [`StrictClassifier`] and the given sleeper and clock.
    pub fn with_timer(
        policy: Policy,
        sleeper: impl Sleeper + 'static,
        clock: impl Clock + 'static,
    ) -> Self {
        Retrier {
            policy,
            classifier: Arc::new(StrictClassifier),
            sleeper: Arc::new(sleeper),
            clock: Arc::new(clock),
            budget: None,
            seed: RandomState::new().hash_one(0u8),
            runs: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Replaces the classifier.
    #[must_use]
    pub fn with_classifier(mut self, classifier: impl Classifier) -> Self {
        self.classifier = Arc::new(classifier);
        self
    }

    /// Replaces the sleeper.
    #[must_use]
    pub fn with_sleeper(mut self, sleeper: impl Sleeper + 'static) -> Self {
        self.sleeper = Arc::new(sleeper);
        self
    }

    /// Replaces the clock.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Shares `budget` with this retrier: each run deposits once and each retry withdraws.
    #[must_use]
    pub fn with_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Fixes the jitter seed, so runs are reproducible (by default it is random per retrier).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The classifier.
    pub fn classifier(&self) -> &dyn Classifier {
        &*self.classifier
    }

    /// The shared retry budget, if any.
    pub fn budget(&self) -> Option<&RetryBudget> {
        self.budget.as_ref()
    }

    /// Calls `operation` with the attempt number (1 for the first call) until the policy stops,
    /// sleeping between calls; `observe` tells the retrier what each result was.
    ///
    /// The returned [`Report`] holds the last result unchanged, the number of calls, the delays
    /// slept and the reason for stopping.
    pub async fn run<T, E, Op, Fut, Obs>(&self, mut operation: Op, mut observe: Obs) -> Report<T, E>
    where
        Op: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        Obs: FnMut(&Result<T, E>) -> Attempt,
    {
        let mut session = self.start();
        loop {
            let result = operation(session.attempts().saturating_add(1)).await;
            match session.after_attempt(&observe(&result)) {
                Action::Retry { delay } => self.sleeper.sleep(delay).await,
                Action::Stop(stop) => return session.finish(result, stop),
            }
        }
    }

    /// Starts a run: deposits into the budget and seeds this run's jitter.
    pub(crate) fn start(&self) -> Session<'_> {
        let started = self.clock.now();
        if let Some(budget) = &self.budget {
            budget.deposit(started);
        }
        let run = self.runs.fetch_add(1, Ordering::Relaxed);
        Session {
            retrier: self,
            started,
            attempts: 0,
            delays: Vec::new(),
            rng: SplitMix64::new(SplitMix64::new(self.seed.wrapping_add(run)).next_u64()),
        }
    }

    #[cfg(feature = "reqwest")]
    pub(crate) fn sleeper(&self) -> &dyn Sleeper {
        &*self.sleeper
    }
}

impl Session<'_> {
    /// Calls completed so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Records one finished attempt and decides what comes next.
    pub(crate) fn after_attempt(&mut self, attempt: &Attempt) -> Action {
        let retrier = self.retrier;
        let retries = self.attempts;
        self.attempts = self.attempts.saturating_add(1);
        let now = retrier.clock.now();
        let ctx = RetryState::new(retries, now.saturating_duration_since(self.started))
            .with_retry_after(attempt.retry_after);
        let verdict = retrier.classifier.classify(&attempt.outcome);
        let action = retrier.policy.decide(&ctx, verdict, &mut self.rng);
        if let Action::Retry { delay } = action {
            if retrier
                .budget
                .as_ref()
                .is_some_and(|budget| !budget.try_withdraw(now))
            {
                return Action::Stop(StopReason::BudgetExhausted);
            }
            self.delays.push(delay);
        }
        action
    }

    pub(crate) fn finish<T, E>(self, result: Result<T, E>, stop: StopReason) -> Report<T, E> {
        Report {
            result,
            attempts: self.attempts,
            delays: self.delays,
            stop,
        }
    }
}

impl fmt::Debug for Retrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retrier")
            .field("policy", &self.policy)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl Attempt {
    /// An attempt without a `Retry-After` hint.
    pub const fn new(outcome: Outcome) -> Self {
        Attempt {
            outcome,
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

impl From<Outcome> for Attempt {
    fn from(outcome: Outcome) -> Self {
        Attempt::new(outcome)
    }
}

#[cfg(feature = "tokio")]
impl Sleeper for TokioSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(delay))
    }
}

#[cfg(feature = "tokio")]
impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}

impl InstantSleeper {
    /// Starts virtual time at `start`.
    pub fn new(start: Instant) -> Self {
        let state = VirtualTime {
            now: start,
            delays: Vec::new(),
        };
        InstantSleeper {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// Every delay slept so far, in order.
    pub fn delays(&self) -> Vec<Duration> {
        self.lock().delays.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VirtualTime> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Sleeper for InstantSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let mut time = self.lock();
        time.now = time.now.checked_add(delay).unwrap_or(time.now);
        time.delays.push(delay);
        Box::pin(std::future::ready(()))
    }
}

impl Clock for InstantSleeper {
    fn now(&self) -> Instant {
        self.lock().now
    }
}

#[cfg(test)]
mod tests {
    use std::future::ready;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use proptest::prelude::*;

    use super::*;
    use crate::classify::TransportKind;

    /// Drives a future whose every await is ready, as with [`InstantSleeper`].
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct Failure {
        kind: TransportKind,
        call: usize,
    }

    type Scripted = Result<u16, TransportKind>;

    fn observe(outcome: &Result<u16, Failure>) -> Attempt {
        match outcome {
            Ok(status) => Outcome::Status(*status).into(),
            Err(failure) => Outcome::Transport(failure.kind).into(),
        }
    }

    /// Runs a script (the last step repeats) and returns the report and the number of calls.
    fn run_script(retrier: &Retrier, script: &[Scripted]) -> (Report<u16, Failure>, usize) {
        let mut calls = 0;
        let report = block_on(retrier.run(
            |_| {
                let call = calls;
                calls += 1;
                let step = script[call.min(script.len() - 1)];
                ready(step.map_err(|kind| Failure { kind, call }))
            },
            observe,
        ));
        (report, calls)
    }

    fn retrier(max_retries: u32) -> (Retrier, InstantSleeper) {
        let time = InstantSleeper::new(Instant::now());
        let policy = Policy::builder().max_retries(max_retries).build().unwrap();
        (
            Retrier::with_timer(policy, time.clone(), time.clone()),
            time,
        )
    }

    fn retriable() -> impl Strategy<Value = Scripted> {
        prop_oneof![
            prop::sample::select(vec![500u16, 502, 503, 504]).prop_map(Ok),
            prop::sample::select(vec![
                TransportKind::Connect,
                TransportKind::Timeout,
                TransportKind::Reset
            ])
            .prop_map(Err),
        ]
    }

    fn any_step() -> impl Strategy<Value = Scripted> {
        prop_oneof![
            (100u16..=599).prop_map(Ok),
            retriable(),
            Just(Err(TransportKind::Other)),
        ]
    }

    #[test]
    fn no_sleep_on_first_success() {
        let (retrier, time) = retrier(3);
        let (report, calls) = run_script(&retrier, &[Ok(200)]);
        assert_eq!(
            (calls, report.attempts, report.stop),
            (1, 1, StopReason::Succeeded)
        );
        assert!(report.delays.is_empty() && time.delays().is_empty());
    }

    #[test]
    fn a_spent_budget_returns_the_outcome_at_once() {
        let (retrier, time) = retrier(3);
        let retrier =
            retrier.with_budget(RetryBudget::new(Duration::from_secs(10), 0, 0.2).unwrap());
        let (report, calls) = run_script(&retrier, &[Ok(503)]);
        assert_eq!(calls, 1);
        assert_eq!(report.result, Ok(503));
        assert_eq!(report.stop, StopReason::BudgetExhausted);
        assert!(time.delays().is_empty());
    }

    #[test]
    fn the_total_budget_stops_before_a_late_retry() {
        let time = InstantSleeper::new(Instant::now());
        let policy = Policy::builder()
            .time_limit(Duration::from_secs(5))
            .build()
            .unwrap();
        let retrier = Retrier::with_timer(policy, time.clone(), time.clone());
        let (report, calls) = run_script(&retrier, &[Ok(503)]);
        assert_eq!((calls, report.stop), (3, StopReason::TimeLimitReached));
        assert_eq!(
            report.delays,
            [Duration::from_secs(1), Duration::from_secs(2)]
        );
    }

    proptest! {
        #[test]
        fn every_status_is_called_once_unless_retriable(status in 100u16..=599, max_retries in 0u32..6) {
            let (retrier, _) = retrier(max_retries);
            let (report, calls) = run_script(&retrier, &[Ok(status)]);
            let expected = if [500, 502, 503, 504].contains(&status) { max_retries as usize + 1 } else { 1 };
            prop_assert_eq!(calls, expected);
            prop_assert_eq!(report.result, Ok(status));
        }

        #[test]
        fn k_retriable_failures_cost_min_k_plus_one_and_max_retries_plus_one_calls(
            failures in proptest::collection::vec(retriable(), 0..12),
            max_retries in 0u32..10,
        ) {
            let (retrier, time) = retrier(max_retries);
            let mut script = failures.clone();
            script.push(Ok(200));
            let (report, calls) = run_script(&retrier, &script);
            let expected = (failures.len() + 1).min(max_retries as usize + 1);
            prop_assert_eq!(calls, expected);
            prop_assert_eq!(report.attempts as usize, calls);
            prop_assert_eq!(report.delays.len(), calls - 1);
            prop_assert_eq!(&report.delays, &time.delays());
            let schedule: Vec<Duration> = (0..calls as u32 - 1).map(|n| retrier.policy().backoff(n)).collect();
            prop_assert_eq!(report.delays, schedule);
        }

        #[test]
        fn the_final_outcome_is_the_last_response_or_error(
            script in proptest::collection::vec(any_step(), 1..8),
            max_retries in 0u32..8,
        ) {
            let (retrier, _) = retrier(max_retries);
            let (report, calls) = run_script(&retrier, &script);
            let last = calls - 1;
            let expected = script[last.min(script.len() - 1)].map_err(|kind| Failure { kind, call: last });
            prop_assert_eq!(report.result, expected);
        }
    }
}
