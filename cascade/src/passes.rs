//! Passes: every consumer is run from the top, at most `jobs` at a time; one that failed for a
//! transient reason (a 5xx, a transport error, a timeout) is run from the top again after a
//! backoff, up to `passes` times, which is the seed's own recovery within one invocation.
//!
//! The run stops starting consumers when the circuit breaker trips, the deadline passes, the
//! operator interrupts it, or Gitea says the token cannot work for anyone (401, or 403 naming a
//! missing scope). Consumers in flight then get at most the grace period (the attempt timeout)
//! to finish; those that have not written yet stop before their commit. Every consumer still
//! gets exactly one row: settled, failed, `interrupted` or `not-attempted`.

use std::{collections::BTreeMap, collections::HashMap, collections::VecDeque, sync::Arc};

use retry_policy::{Attempt, Classifier, Policy, StrictClassifier, Verdict};
use tokio::{task::JoinSet, time::Instant};

use crate::{
    apply::{self, Ran},
    breaker::{Breaker, PassEnd},
    interrupt::Interrupt,
    propagate::{Context, Progress, Seed},
    report::{ConsumerResult, Outcome, StopReason, Stopped},
};

/// How many passes, how long between them, and when to stop.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    /// Consumers in flight at once (at least 1).
    pub(crate) jobs: usize,
    /// Runs from the top per consumer, the first included (at least 1).
    pub(crate) passes: u32,
    /// Its schedule spaces the passes: pass 2 waits `backoff(0)`, pass 3 `backoff(1)`, ...
    pub(crate) backoff: Policy,
    /// No consumer is started, nor run again, after this.
    pub(crate) deadline: Option<Instant>,
    /// How long consumers in flight may take to finish once the run stops.
    pub(crate) grace: std::time::Duration,
    /// The circuit breaker's threshold.
    pub(crate) breaker: u32,
}

/// What a failed pass means for the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Gitea failed (5xx, transport error, timeout): another pass may settle the consumer.
    Transient,
    /// No consumer can get past it (401, 403 naming a missing scope): stop the run.
    FleetWide(StopReason),
    /// This consumer's own problem (another 4xx, a refusal); a re-run would fail the same way.
    Final,
}

/// How a failed pass's error counts. Transient is exactly what the retry policy retries.
pub(crate) fn classify(error: &gitea_api::Error) -> Failure {
    if error.is_unauthorized() {
        return Failure::FleetWide(StopReason::Unauthorized);
    }
    if error.is_missing_scope() {
        return Failure::FleetWide(StopReason::MissingScope);
    }
    match error
        .outcome()
        .map(|outcome| StrictClassifier.classify(&Attempt::new(outcome)))
    {
        Some(Verdict::Retriable) => Failure::Transient,
        _ => Failure::Final,
    }
}

/// How long to wait before pass `next` (2 for the first re-run) of a consumer.
pub(crate) fn delay_before(policy: &Policy, next: u32) -> std::time::Duration {
    policy.backoff(next.saturating_sub(2))
}

/// One consumer's next pass.
struct Job {
    seed: Seed,
    pass: u32,
    /// `pass N: why` for each failed pass before this one.
    failures: Vec<String>,
}

/// A consumer waiting for its next pass, with the row its last pass gave.
struct Waiting {
    job: Job,
    last: ConsumerResult,
}

/// What is known of a consumer in flight, in case its task never comes back.
struct InFlight {
    repo: String,
    pass: u32,
    failures: Vec<String>,
}

/// Runs every seed to its row; returns the rows and, when the run stopped early, why.
pub(crate) async fn run(
    ctx: Arc<Context>,
    seeds: Vec<Seed>,
    limits: &Limits,
    interrupt: &Interrupt,
    on_progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> (Vec<ConsumerResult>, Option<Stopped>) {
    let mut run = Run {
        rows: Vec::with_capacity(seeds.len()),
        fresh: seeds.into(),
        waiting: BTreeMap::new(),
        next_seq: 0,
        breaker: Breaker::new(limits.breaker),
        stopped: None,
        limits,
    };
    let jobs = limits.jobs.max(1);
    let mut running: JoinSet<(Job, Ran)> = JoinSet::new();
    let mut in_flight: HashMap<tokio::task::Id, InFlight> = HashMap::new();
    let mut grace_end: Option<Instant> = None;
    loop {
        if run.stopped.is_none() {
            while running.len() < jobs {
                let Some(job) = run.next_job(Instant::now()) else {
                    break;
                };
                let repo = job.seed.name.to_string();
                on_progress(Progress::Attempt {
                    repo: &repo,
                    pass: job.pass,
                });
                let record = InFlight {
                    repo,
                    pass: job.pass,
                    failures: job.failures.clone(),
                };
                let ctx = Arc::clone(&ctx);
                let handle = running.spawn(async move {
                    let ran = apply::run(&ctx, job.seed.clone()).await;
                    (job, ran)
                });
                in_flight.insert(handle.id(), record);
            }
        }
        if running.is_empty() && (run.stopped.is_some() || run.nothing_left()) {
            break;
        }
        if run.stopped.is_some() && grace_end.is_none() {
            ctx.stop_before_writing();
            grace_end = Some(Instant::now() + limits.grace);
        }
        let next_ready = run.next_ready().filter(|_| running.len() < jobs);
        let accepting = run.stopped.is_none();
        tokio::select! {
            joined = running.join_next_with_id(), if !running.is_empty() => match joined {
                Some(Ok((id, (job, ran)))) => {
                    in_flight.remove(&id);
                    run.ended(job, ran, on_progress);
                }
                Some(Err(err)) => {
                    if let Some(lost) = in_flight.remove(&err.id()) {
                        run.lost(lost, err.is_panic(), limits.grace, on_progress);
                    }
                }
                None => {}
            },
            () = sleep_until(next_ready), if accepting && next_ready.is_some() => {}
            () = sleep_until(limits.deadline), if accepting && limits.deadline.is_some() => {
                let cause = "the deadline passed".to_owned();
                run.stop(StopReason::Deadline, cause);
            }
            cause = interrupt.interrupted(), if accepting => {
                run.stop(StopReason::Interrupted, cause);
            }
            () = sleep_until(grace_end), if grace_end.is_some() => {
                running.abort_all();
                while let Some(joined) = running.join_next_with_id().await {
                    match joined {
                        Ok((id, (job, ran))) => {
                            in_flight.remove(&id);
                            run.ended(job, ran, on_progress);
                        }
                        Err(err) => {
                            if let Some(lost) = in_flight.remove(&err.id()) {
                                run.lost(lost, err.is_panic(), limits.grace, on_progress);
                            }
                        }
                    }
                }
                break;
            }
        }
    }
    run.finish()
}

/// The state of one run of passes.
struct Run<'l> {
    rows: Vec<ConsumerResult>,
    fresh: VecDeque<Seed>,
    /// By the time their next pass may start, then by order of arrival.
    waiting: BTreeMap<(Instant, u64), Waiting>,
    next_seq: u64,
    breaker: Breaker,
    stopped: Option<Stopped>,
    limits: &'l Limits,
}

impl Run<'_> {
    /// A consumer whose next pass is due, else a fresh one.
    fn next_job(&mut self, now: Instant) -> Option<Job> {
        let due = self
            .waiting
            .first_key_value()
            .is_some_and(|((ready, _), _)| *ready <= now);
        if due {
            let (_, Waiting { mut job, last }) = self.waiting.pop_first()?;
            let why = last.detail.unwrap_or_default();
            job.failures.push(format!("pass {}: {why}", job.pass));
            job.pass += 1;
            return Some(job);
        }
        let seed = self.fresh.pop_front()?;
        // Give back what visited seeds held, so the rows replace them rather than add to them.
        if self.fresh.capacity() > 1024 && self.fresh.len() < self.fresh.capacity() / 4 {
            self.fresh.shrink_to_fit();
        }
        Some(Job {
            seed,
            pass: 1,
            failures: Vec::new(),
        })
    }

    fn next_ready(&self) -> Option<Instant> {
        self.waiting.first_key_value().map(|((ready, _), _)| *ready)
    }

    fn nothing_left(&self) -> bool {
        self.fresh.is_empty() && self.waiting.is_empty()
    }

    fn stop(&mut self, reason: StopReason, cause: String) {
        if self.stopped.is_none() {
            tracing::warn!(reason = ?reason, cause, "stopping: no consumer is started from now on");
            self.stopped = Some(Stopped { reason, cause });
        }
    }

    /// A pass ended: settle the consumer, or queue its next pass.
    fn ended(&mut self, job: Job, ran: Ran, on_progress: &mut (dyn FnMut(Progress<'_>) + Send)) {
        let (row, error) = match ran {
            Ran::NotAConsumer => {
                on_progress(Progress::NotAConsumer);
                return;
            }
            Ran::Row(row) => {
                self.breaker.record(PassEnd::Answered);
                return self.settle(row, job, on_progress);
            }
            Ran::Failed { row, error } => (row, error),
        };
        let detail = row.detail.clone().unwrap_or_default();
        match classify(&error) {
            Failure::Transient => {
                if self.breaker.record(PassEnd::Transient) {
                    let cause = format!(
                        "Gitea failed {} consumer passes in a row, the last with: {detail}",
                        self.breaker.threshold()
                    );
                    self.stop(StopReason::CircuitBreaker, cause);
                }
                let next = job.pass + 1;
                let ready = Instant::now() + delay_before(&self.limits.backoff, next);
                let in_time = self.limits.deadline.is_none_or(|d| ready < d);
                if self.stopped.is_none() && next <= self.limits.passes && in_time {
                    tracing::warn!(
                        repo = %row.repo, pass = job.pass, error = detail.as_str(),
                        delay_ms = u64::try_from((ready - Instant::now()).as_millis()).unwrap_or(u64::MAX),
                        "consumer failed for a transient reason; running it again from the top"
                    );
                    let key = (ready, self.next_seq);
                    self.next_seq += 1;
                    self.waiting.insert(key, Waiting { job, last: row });
                    return;
                }
                let why = if self.stopped.is_some() {
                    Some(self.stop_why())
                } else if !in_time {
                    Some("the next pass would start after the deadline")
                } else {
                    None
                };
                if let Some(why) = why {
                    let mut row = row;
                    row.detail = Some(format!("{detail} (not run again: {why})"));
                    return self.settle(row, job, on_progress);
                }
            }
            Failure::FleetWide(reason) => {
                let cause = match reason {
                    StopReason::Unauthorized => format!(
                        "Gitea rejected the token (401): {error}; check GITEA_TOKEN or --token-file"
                    ),
                    _ => format!(
                        "the token lacks a scope Gitea requires: {error}; see the runbook for the scopes"
                    ),
                };
                self.stop(reason, cause);
            }
            Failure::Final => {
                self.breaker.record(PassEnd::Answered);
            }
        }
        self.settle(row, job, on_progress);
    }

    /// A task that never came back: it panicked, or it was cut off after the grace period.
    fn lost(
        &mut self,
        lost: InFlight,
        panicked: bool,
        grace: std::time::Duration,
        on_progress: &mut (dyn FnMut(Progress<'_>) + Send),
    ) {
        let mut row = if panicked {
            ConsumerResult::new(lost.repo, Outcome::Failed)
                .with_detail("internal error (a bug: please report it); nothing else was affected")
        } else {
            ConsumerResult::new(lost.repo, Outcome::Interrupted).with_detail(format!(
                "still in flight {}s after the run stopped, so cut off; if it wrote its bump branch, a re-run adopts it",
                grace.as_secs()
            ))
        };
        row.pass = lost.pass;
        row.failures = lost.failures;
        tracing::warn!(repo = %row.repo, outcome = %row.outcome, detail = row.detail.as_deref(), "consumer lost");
        on_progress(Progress::Finished(&row));
        self.rows.push(row);
    }

    fn settle(
        &mut self,
        mut row: ConsumerResult,
        job: Job,
        on_progress: &mut (dyn FnMut(Progress<'_>) + Send),
    ) {
        row.pass = job.pass;
        row.failures = job.failures;
        if row.outcome == Outcome::Failed {
            tracing::warn!(repo = %row.repo, pass = row.pass, error = row.detail.as_deref(), "consumer failed");
        }
        on_progress(Progress::Finished(&row));
        self.rows.push(row);
    }

    /// Why the run stopped, as a row's detail says it.
    fn stop_why(&self) -> &'static str {
        match self.stopped.as_ref().map(|s| s.reason) {
            Some(StopReason::CircuitBreaker) => "Gitea kept failing",
            Some(StopReason::Deadline) => "the deadline passed",
            Some(StopReason::Interrupted) => "the run was interrupted",
            Some(StopReason::Unauthorized | StopReason::MissingScope) => "the token cannot work",
            _ => "the run stopped",
        }
    }

    /// Rows for the consumers the run did not get to, and the rows in repository order.
    fn finish(mut self) -> (Vec<ConsumerResult>, Option<Stopped>) {
        let why = self.stop_why();
        for Waiting { job, mut last } in std::mem::take(&mut self.waiting).into_values() {
            let detail = last.detail.take().unwrap_or_default();
            last.detail = Some(format!("{detail} (not run again: {why})"));
            last.pass = job.pass;
            last.failures = job.failures;
            self.rows.push(last);
        }
        for seed in std::mem::take(&mut self.fresh) {
            let mut row = ConsumerResult::new(seed.name.to_string(), Outcome::NotAttempted)
                .with_detail(format!("not attempted: {why}; a re-run continues with it"));
            row.pass = 0;
            self.rows.push(row);
        }
        (self.rows, self.stopped)
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn passes_are_spaced_by_the_policys_schedule() {
        let policy = Policy::default();
        let delays: Vec<u64> = (2..=6)
            .map(|p| delay_before(&policy, p).as_secs())
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16]);
        assert_eq!(delay_before(&policy, 40), Duration::from_secs(30));
    }
}
