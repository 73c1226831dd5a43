//! The executor: runs an operation, asks the policy after each attempt, and sleeps in between.
//!
//! It owns no clock or timer of its own: a [`Sleeper`] and a [`Clock`] are injected, so tests
//! run in virtual time with [`InstantSleeper`](crate::InstantSleeper).

use std::collections::hash_map::RandomState;
use std::fmt;
use std::future::Future;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::Method;

use crate::budget::{RetryBudget, Withdrawal};
use crate::classify::{Attempt, Classifier, Outcome, StrictClassifier, Verdict};
use crate::events::{Events, GiveUpEvent, RetryEvent};
use crate::policy::{Action, Policy, RetryState, StopReason};
use crate::random::{RandomSource, SplitMix64};
use crate::time::{Clock, Sleeper};

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

/// An error that can say what kind of failure it was, for [`Retrier::retry`].
///
/// Implemented for `std::io::Error` and, with the `reqwest` feature, for `reqwest::Error` and
/// `reqwest_middleware::Error`.
pub trait AttemptError {
    /// What the failed attempt amounts to: a status the server answered with, or a transport
    /// failure.
    fn outcome(&self) -> Outcome;

    /// The server's `Retry-After`, if the error carries one.
    fn retry_after(&self) -> Option<Duration> {
        None
    }
}

/// Runs an operation under a [`Policy`], with a [`Classifier`], a [`Sleeper`], a [`Clock`], an
/// optional shared [`RetryBudget`] and optional hooks. Cheap to clone; clones share the budget.
///
/// The HTTP adapters (`RetryMiddleware`, `RetryLayer`) are built from a `Retrier`, so every
/// setting here applies to them too.
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
///         |result| Outcome::Status(*result.as_ref().unwrap()).into(),
///     )
///     .await;
/// assert_eq!(report.attempts, 3);
/// assert_eq!(report.delays, [Duration::from_secs(1), Duration::from_secs(2)]);
/// assert_eq!(report.stop, StopReason::Succeeded);
/// assert_eq!(report.into_result(), Ok(201));
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
    events: Events,
    seed: u64,
    runs: Arc<AtomicU64>,
}

/// What a run knows about the request it retries, for the events; empty outside HTTP.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Subject<'a> {
    pub(crate) method: Option<&'a Method>,
    pub(crate) route: Option<&'a str>,
}

/// One run of the retry loop: counts attempts and delays, and asks policy and budget.
///
/// Dropped while waiting for a retry (the caller's future was cancelled), it gives the budget
/// back the retry it had taken.
pub(crate) struct Session<'r> {
    retrier: &'r Retrier,
    policy: &'r Policy,
    subject: Subject<'r>,
    /// When the run started, when something needs it: the budget or a time limit.
    started: Option<Instant>,
    attempts: u32,
    delays: Vec<Duration>,
    /// The run's jitter generator, seeded at its first draw: most runs never draw one.
    rng: Option<SplitMix64>,
    withdrawal: Option<Withdrawal>,
}

/// A run's generator as the policy sees it: seeded from the retrier's seed and the run's number
/// the first time a delay needs it, so a request that is never retried with jitter skips the
/// shared run counter.
struct RunRng<'s> {
    retrier: &'s Retrier,
    slot: &'s mut Option<SplitMix64>,
}

impl RandomSource for RunRng<'_> {
    fn next_u64(&mut self) -> u64 {
        let retrier = self.retrier;
        self.slot
            .get_or_insert_with(|| {
                let run = retrier.runs.fetch_add(1, Ordering::Relaxed);
                SplitMix64::new(SplitMix64::new(retrier.seed.wrapping_add(run)).next_u64())
            })
            .next_u64()
    }
}

impl Retrier {
    /// A retrier with the [`StrictClassifier`], sleeping and telling time with tokio.
    #[cfg(feature = "tokio")]
    pub fn new(policy: Policy) -> Self {
        Self::with_timer(policy, crate::TokioSleeper, crate::TokioClock::new())
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
            events: Events::default(),
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
    /// Clone the budget to share it with other retriers.
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

    /// Calls `hook` before each retry's wait, with what failed and how long the wait is.
    #[must_use]
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.events.set_on_retry(hook);
        self
    }

    /// Calls `hook` when a retriable failure is returned without another retry (retries
    /// exhausted, time limit, budget, `Retry-After` beyond the cap).
    #[must_use]
    pub fn on_give_up(mut self, hook: impl Fn(&GiveUpEvent<'_>) + Send + Sync + 'static) -> Self {
        self.events.set_on_give_up(hook);
        self
    }

    /// Sets the level of the `tracing` events for retries and give-ups (default WARN; target
    /// `retry_policy`).
    #[cfg(feature = "tracing")]
    #[must_use]
    pub fn with_event_level(mut self, level: tracing::Level) -> Self {
        self.events.level = level;
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

    /// The level of the retry and give-up events.
    #[cfg(feature = "tracing")]
    pub fn event_level(&self) -> tracing::Level {
        self.events.level
    }

    /// Calls `operation` with the attempt number (1 for the first call) until the policy stops,
    /// sleeping between calls; `observe` tells the retrier what each result was.
    ///
    /// The returned [`Report`] holds the last result unchanged, the number of calls, the delays
    /// slept and the reason for stopping. Dropping the future while it waits for a retry
    /// refunds that retry to the budget.
    pub async fn run<T, E, Op, Fut, Obs>(&self, mut operation: Op, mut observe: Obs) -> Report<T, E>
    where
        Op: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        Obs: FnMut(&Result<T, E>) -> Attempt<'static>,
    {
        let mut session = self.start(&self.policy, Subject::default());
        loop {
            session.begin_attempt();
            let result = operation(session.attempts().saturating_add(1)).await;
            match session.after_attempt(&observe(&result)) {
                Action::Retry { delay } => {
                    drop(result);
                    self.sleeper.sleep(delay).await;
                }
                Action::Stop(stop) => return session.finish(result, stop),
            }
        }
    }

    /// The one-line form of [`run`](Self::run): retries `operation` while its error is
    /// retriable, and returns its last result. `Ok` counts as a success (it is shown to the
    /// classifier as status 200); an error tells its own outcome through [`AttemptError`].
    ///
    /// ```
    /// use std::io;
    /// use std::time::Instant;
    /// use retry_policy::{InstantSleeper, Policy, Retrier};
    ///
    /// # let time = InstantSleeper::new(Instant::now());
    /// # let retrier = Retrier::with_timer(Policy::default(), time.clone(), time.clone());
    /// let mut calls = 0;
    /// let answer = block_on(retrier.retry(|| {
    ///     calls += 1;
    ///     std::future::ready(match calls {
    ///         1 => Err(io::Error::from(io::ErrorKind::ConnectionRefused)),
    ///         _ => Ok(42),
    ///     })
    /// }));
    /// assert_eq!(answer.unwrap(), 42);
    /// assert_eq!(calls, 2);
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The last attempt's error, unchanged.
    pub async fn retry<T, E, Op, Fut>(&self, mut operation: Op) -> Result<T, E>
    where
        Op: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: AttemptError,
    {
        self.run(|_| operation(), observe_error).await.into_result()
    }

    /// Starts a run: deposits into the budget and seeds this run's jitter.
    pub(crate) fn start<'r>(&'r self, policy: &'r Policy, subject: Subject<'r>) -> Session<'r> {
        // Reading the clock is skipped when nothing needs it, as on most requests.
        let started =
            (self.budget.is_some() || policy.time_limit().is_some()).then(|| self.clock.now());
        if let (Some(budget), Some(now)) = (&self.budget, started) {
            budget.deposit(now);
        }
        Session {
            retrier: self,
            policy,
            subject,
            started,
            attempts: 0,
            delays: Vec::new(),
            rng: None,
            withdrawal: None,
        }
    }

    #[cfg(any(feature = "reqwest", feature = "tower"))]
    pub(crate) fn sleeper(&self) -> &dyn Sleeper {
        &*self.sleeper
    }

    #[cfg(any(feature = "reqwest", feature = "tower"))]
    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.clock
    }
}

#[cfg(feature = "tokio")]
impl Default for Retrier {
    /// `Retrier::new(Policy::default())`.
    fn default() -> Self {
        Retrier::new(Policy::default())
    }
}

fn observe_error<T, E: AttemptError>(result: &Result<T, E>) -> Attempt<'static> {
    match result {
        Ok(_) => Attempt::new(Outcome::Status(200)),
        Err(error) => Attempt::new(error.outcome()).with_retry_after(error.retry_after()),
    }
}

impl<T, E> Report<T, E> {
    /// The last attempt's result, dropping the rest of the report.
    ///
    /// # Errors
    ///
    /// The last attempt's error, unchanged.
    pub fn into_result(self) -> Result<T, E> {
        self.result
    }
}

impl Session<'_> {
    /// Calls completed so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The next attempt begins: a retry taken from the budget is now spent.
    pub(crate) fn begin_attempt(&mut self) {
        self.withdrawal = None;
    }

    /// Records one finished attempt and decides what comes next.
    pub(crate) fn after_attempt(&mut self, attempt: &Attempt<'_>) -> Action {
        let retrier = self.retrier;
        let retries = self.attempts;
        self.attempts = self.attempts.saturating_add(1);
        let verdict = retrier.classifier.classify(attempt);
        if verdict != Verdict::Retriable {
            return self.policy.decide(
                &RetryState::new(retries, Duration::ZERO),
                verdict,
                &mut RunRng {
                    retrier,
                    slot: &mut self.rng,
                },
            );
        }
        let now = retrier.clock.now();
        let elapsed = self.started.map_or(Duration::ZERO, |started| {
            now.saturating_duration_since(started)
        });
        let state = RetryState::new(retries, elapsed).with_retry_after(attempt.retry_after);
        let mut rng = RunRng {
            retrier,
            slot: &mut self.rng,
        };
        let mut action = self.policy.decide(&state, verdict, &mut rng);
        if let Action::Retry { delay } = action {
            if let Some(budget) = &retrier.budget {
                match budget.try_withdraw(now) {
                    Some(withdrawal) => self.withdrawal = Some(withdrawal),
                    None => action = Action::Stop(StopReason::BudgetExhausted),
                }
            }
            if let Action::Retry { .. } = action {
                self.delays.push(delay);
                retrier.events.retry(&RetryEvent {
                    attempt: self.attempts,
                    outcome: attempt.outcome,
                    delay,
                    method: self.subject.method,
                    route: self.subject.route,
                });
            }
        }
        if let Action::Stop(stop) = action {
            retrier.events.give_up(&GiveUpEvent {
                attempts: self.attempts,
                outcome: attempt.outcome,
                stop,
                method: self.subject.method,
                route: self.subject.route,
            });
        }
        action
    }

    pub(crate) fn finish<T, E>(mut self, result: Result<T, E>, stop: StopReason) -> Report<T, E> {
        Report {
            result,
            attempts: self.attempts,
            delays: std::mem::take(&mut self.delays),
            stop,
        }
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if let (Some(withdrawal), Some(budget)) = (self.withdrawal.take(), &self.retrier.budget) {
            budget.refund(withdrawal);
        }
    }
}

impl fmt::Debug for Retrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retrier")
            .field("policy", &self.policy)
            .field("budget", &self.budget)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

impl AttemptError for std::io::Error {
    fn outcome(&self) -> Outcome {
        Outcome::Transport(crate::TransportKind::from_io_error(self))
    }
}

#[cfg(test)]
mod tests {
    use std::future::ready;
    use std::pin::pin;
    use std::sync::Mutex;
    use std::task::{Context, Poll, Waker};

    use proptest::prelude::*;

    use super::*;
    use crate::Jitter;
    use crate::classify::TransportKind;
    use crate::time::InstantSleeper;

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

    fn observe(result: &Result<u16, Failure>) -> Attempt<'static> {
        match result {
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
            Just(Err(TransportKind::Tls)),
            Just(Err(TransportKind::Other)),
        ]
    }

    /// The delays of one run of `retrier` that fails once, then succeeds.
    fn one_retry(retrier: &Retrier) -> Vec<Duration> {
        run_script(retrier, &[Err(TransportKind::Connect), Ok(200)])
            .0
            .delays
    }

    #[test]
    fn each_run_draws_its_own_jitter_and_a_seed_replays_them_all() {
        let jittered = |seed| {
            let time = InstantSleeper::new(Instant::now());
            let policy = Policy::builder().jitter(Jitter::Full).build().unwrap();
            Retrier::with_timer(policy, time.clone(), time).with_seed(seed)
        };
        let first = jittered(7);
        let (a, b) = (one_retry(&first), one_retry(&first));
        assert_ne!(a, b, "two runs of one retrier retried in lockstep");
        // Runs that never draw (a success, a final error) do not take a seed of their own, so
        // the same seed replays the same delays whatever ran in between.
        let replay = jittered(7);
        run_script(&replay, &[Ok(200)]);
        run_script(&replay, &[Ok(404)]);
        assert_eq!((one_retry(&replay), one_retry(&replay)), (a, b));
        assert_ne!(one_retry(&jittered(8)), one_retry(&jittered(7)));
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
        let budget = RetryBudget::builder().reserve(0).build().unwrap();
        let retrier = retrier.with_budget(budget);
        let (report, calls) = run_script(&retrier, &[Ok(503)]);
        assert_eq!(calls, 1);
        assert_eq!(report.result, Ok(503));
        assert_eq!(report.stop, StopReason::BudgetExhausted);
        assert!(time.delays().is_empty());
    }

    #[test]
    fn the_time_limit_stops_before_a_late_retry() {
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

    #[test]
    fn hooks_see_each_retry_and_the_give_up() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (on_retry, on_give_up) = (seen.clone(), seen.clone());
        let (retrier, _) = retrier(2);
        let retrier = retrier
            .on_retry(move |e| {
                on_retry
                    .lock()
                    .unwrap()
                    .push(format!("retry {} {} {:?}", e.attempt, e.outcome, e.delay));
            })
            .on_give_up(move |e| {
                on_give_up
                    .lock()
                    .unwrap()
                    .push(format!("give up {} {} {}", e.attempts, e.outcome, e.stop));
            });
        let (report, _) = run_script(&retrier, &[Ok(503), Err(TransportKind::Reset), Ok(502)]);
        assert_eq!(report.result, Ok(502));
        assert_eq!(
            *seen.lock().unwrap(),
            [
                "retry 1 status 503 1s",
                "retry 2 connection reset 2s",
                "give up 3 status 502 retries exhausted"
            ]
        );
        seen.lock().unwrap().clear();
        run_script(&retrier, &[Ok(404)]);
        run_script(&retrier, &[Ok(200)]);
        assert!(seen.lock().unwrap().is_empty(), "a final 404 is no give-up");
    }

    #[test]
    fn a_run_dropped_while_waiting_refunds_its_retry() {
        let budget = RetryBudget::builder()
            .ratio(0.0)
            .reserve(1)
            .build()
            .unwrap();
        let start = Instant::now();
        let retrier =
            Retrier::with_timer(Policy::default(), NeverWakes, InstantSleeper::new(start))
                .with_budget(budget.clone());
        let mut run = Box::pin(retrier.run(
            |_| ready(Ok::<u16, ()>(503)),
            |result| Outcome::Status(*result.as_ref().unwrap()).into(),
        ));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(
            run.as_mut().poll(&mut cx).is_pending(),
            "waiting for the retry"
        );
        // The run took the reserve's one retry for its one request...
        assert_eq!(budget.try_withdraw(start), None);
        // ...and gives it back when it is dropped mid-wait.
        drop(run);
        assert!(budget.try_withdraw(start).is_some());
    }

    /// A sleeper whose sleeps never end, to leave a run waiting.
    struct NeverWakes;

    impl Sleeper for NeverWakes {
        fn sleep(&self, _: Duration) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
            Box::pin(std::future::pending())
        }
    }

    #[test]
    fn retry_is_run_with_the_error_as_the_outcome() {
        let (retrier, time) = retrier(3);
        let mut calls = 0;
        let result: Result<(), std::io::Error> = block_on(retrier.retry(|| {
            calls += 1;
            ready(Err(std::io::Error::from(
                std::io::ErrorKind::ConnectionReset,
            )))
        }));
        assert_eq!(
            result.unwrap_err().kind(),
            std::io::ErrorKind::ConnectionReset
        );
        assert_eq!(calls, 4);
        assert_eq!(time.delays().len(), 3);
        let mut calls = 0;
        let result: Result<(), std::io::Error> = block_on(retrier.retry(|| {
            calls += 1;
            ready(Err(std::io::Error::from(
                std::io::ErrorKind::PermissionDenied,
            )))
        }));
        assert!(result.is_err());
        assert_eq!(calls, 1, "a final error is not retried");
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
