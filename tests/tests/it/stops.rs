//! Runs that stop early: Gitea killed mid-run, a hung Gitea, the deadline, the operator's
//! interrupt. Each stops starting consumers, lets those in flight finish, gives every consumer one
//! row, ends with one line and its exit code; a re-run then converges with one PR per consumer and
//! no orphan branch.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use crate::common::*;
use cascade::{
    report::{Outcome, Report, StopReason},
    run::{self, Interrupt, Progress, RunOptions},
};
use cascade_tests::{
    record::{self, KilledFigures},
    soak,
};
use gitea_fake::{FakeGitea, Fault, FaultRule, Match, Trigger};

/// Consumers of the fleets here, and the jobs in flight.
const CONSUMERS: usize = 120;
const JOBS: usize = 8;

async fn stop_fleet() -> Fleet {
    let named: Vec<(String, _)> = soak::fleet().into_iter().take(CONSUMERS).collect();
    let named: Vec<(&str, _)> = named.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    fleet(&named).await
}

fn options() -> RunOptions {
    RunOptions {
        jobs: JOBS,
        ..RunOptions::default()
    }
}

/// Resolves once `fake` has seen `n` requests. It checks after every other task has had its turn;
/// no fault is injected before then, so the run needs no timer while this spins.
async fn requests_seen(fake: &FakeGitea, n: usize) {
    while fake.requests().len() < n {
        tokio::task::yield_now().await;
    }
}

/// Every consumer has exactly one row, the stop line is one line ending as it must, and no
/// consumer that is not done has a PR or branch this run began and left half-way: a re-run
/// from the top converges with one open bump PR per consumer that needs one and no orphan.
async fn assert_a_rerun_converges(fleet: &Fleet) {
    let rerun = propagate(fleet, &options()).await;
    assert_eq!(rerun.stopped, None, "{rerun:#?}");
    assert_eq!(rerun.summary.get(&Outcome::Failed), None, "{rerun:#?}");
    for consumer in &fleet.seeded {
        let (owner, name) = consumer.full_name.split_once('/').unwrap();
        let prs = bump_prs(&fleet.fake, &consumer.full_name);
        let what = format!("{} {:?}", consumer.full_name, consumer.state);
        assert!(prs.len() <= 1, "duplicate PRs, {what}");
        assert_eq!(
            count_open(&prs),
            usize::from(soak::needs_bump(consumer.state)),
            "{what}"
        );
        let branch = fleet
            .fake
            .store()
            .branches(owner, name)
            .iter()
            .any(|b| b == BRANCH);
        let foreign = consumer.state == gitea_fake::fleet::ConsumerState::ForeignBranch;
        assert!(!branch || !prs.is_empty() || foreign, "orphan, {what}");
    }
}

fn assert_one_row_each(fleet: &Fleet, report: &Report) {
    let rows: Vec<&str> = report.consumers.iter().map(|c| c.repo.as_str()).collect();
    let mut seeded: Vec<&str> = fleet.seeded.iter().map(|c| c.full_name.as_str()).collect();
    seeded.sort_unstable();
    assert_eq!(rows, seeded);
    for row in &report.consumers {
        let detail = row.detail.as_deref().unwrap_or_default();
        assert!(!detail.contains('\n'), "{row:?}");
        if row.outcome == Outcome::NotAttempted {
            assert_eq!(row.pass, 0, "{row:?}");
            assert!(detail.contains("a re-run continues with it"), "{row:?}");
        }
    }
}

/// Kills the fake after `kill_at` requests; returns the report, how many consumer passes started
/// after the kill, and the store and address to start Gitea again on.
async fn run_and_kill(fleet: Fleet, kill_at: usize) -> (Fleet, Report, usize) {
    let Fleet {
        fake,
        spec,
        seeded,
        config,
    } = fleet;
    let (store, addr) = (fake.store().clone(), fake.local_addr());
    let client = run::connect(&config, gitea_api::Token::new(xtask::demo::DEMO_TOKEN)).unwrap();
    let killed = Arc::new(AtomicBool::new(false));
    let after = Arc::new(Mutex::new(0usize));
    let (killed_seen, after_seen) = (Arc::clone(&killed), Arc::clone(&after));
    let mut on_progress = move |event: Progress<'_>| {
        if let Progress::Attempt { .. } = event
            && killed_seen.load(Ordering::SeqCst)
        {
            *after_seen.lock().unwrap() += 1;
        }
    };
    let options = options();
    let cascade = run::propagate_with(&client, &config, &options, &mut on_progress);
    let kill = async move {
        requests_seen(&fake, kill_at).await;
        drop(fake);
        killed.store(true, Ordering::SeqCst);
    };
    let (report, ()) = tokio::join!(cascade, kill);
    let report = report.expect("setup succeeded before the kill");
    let restarted = FakeGitea::builder()
        .listen(addr)
        .store(store)
        .start()
        .await
        .expect("Gitea starts again on the same port");
    let fleet = Fleet {
        fake: restarted,
        spec,
        seeded,
        config,
    };
    let attempted_after = *after.lock().unwrap();
    (fleet, report, attempted_after)
}

#[tokio::test(start_paused = true)]
async fn gitea_killed_mid_run_stops_it_within_jobs_plus_the_breaker_and_a_rerun_converges() {
    let fleet = stop_fleet().await;
    let (fleet, report, attempted_after) = run_and_kill(fleet, record::KILLED.kill_at).await;
    assert_one_row_each(&fleet, &report);
    let stopped = report
        .stopped
        .as_ref()
        .expect("the breaker stopped the run");
    assert_eq!(stopped.reason, StopReason::CircuitBreaker);
    assert_eq!(report.exit_code(), 3);
    let line = report.stop_line().unwrap();
    assert!(
        line.starts_with("stopped: Gitea failed 10 consumer passes in a row")
            && line.contains("transport error")
            && line.ends_with("nothing is half-written; re-run to continue")
            && !line.contains('\n'),
        "{line}"
    );
    assert!(
        attempted_after <= JOBS + 10,
        "{attempted_after} consumer passes started after the kill"
    );
    let measured = KilledFigures {
        kill_at: record::KILLED.kill_at,
        consumers: CONSUMERS,
        jobs: JOBS,
        attempted_after,
        done: report
            .consumers
            .iter()
            .filter(|c| c.outcome.is_done())
            .count(),
        not_attempted: report
            .summary
            .get(&Outcome::NotAttempted)
            .copied()
            .unwrap_or(0),
    };
    assert_eq!(
        measured,
        record::KILLED,
        "update cascade_tests::record::KILLED"
    );
    assert_a_rerun_converges(&fleet).await;
}

/// Every request about a repository hangs: each consumer in flight waits out its attempt
/// timeout, the breaker trips after 10 of them, and the run ends in a bounded time.
#[tokio::test(start_paused = true)]
async fn a_hung_gitea_trips_the_breaker_after_two_rounds_of_timeouts() {
    let fleet = stop_fleet().await;
    fleet.fake.faults().add(FaultRule::new(
        Match::any().path("/api/v1/repos/platform/svc-*/**"),
        Trigger::Always,
        Fault::Delay(Duration::from_secs(3600)),
    ));
    let started = tokio::time::Instant::now();
    let report = propagate(&fleet, &options()).await;
    let elapsed = started.elapsed();
    assert_one_row_each(&fleet, &report);
    assert_eq!(
        report.stopped.as_ref().map(|s| s.reason),
        Some(StopReason::CircuitBreaker)
    );
    assert!(
        report.stopped.as_ref().unwrap().cause.contains("Timeout"),
        "{report:#?}"
    );
    let attempted = CONSUMERS - report.summary.get(&Outcome::NotAttempted).unwrap();
    assert!(attempted <= JOBS + 10, "{attempted} consumers attempted");
    assert!(
        elapsed <= Duration::from_secs(3 * 30),
        "two rounds of 30 s timeouts, then the grace: {elapsed:?}"
    );
    assert_eq!(report.exit_code(), 3);
}

/// Each repository read takes 20 s: with a 50 s deadline, the run stops starting consumers at
/// 50 s, lets those in flight finish, and says so.
#[tokio::test(start_paused = true)]
async fn the_deadline_stops_starting_consumers_and_a_rerun_converges() {
    let fleet = stop_fleet().await;
    let slow = FaultRule::new(
        Match::any()
            .method("GET")
            .path("/api/v1/repos/platform/svc-*"),
        Trigger::Always,
        Fault::Delay(Duration::from_secs(20)),
    );
    fleet.fake.faults().add(slow);
    let options = RunOptions {
        deadline: Some(Duration::from_secs(50)),
        ..options()
    };
    let started = tokio::time::Instant::now();
    let report = propagate(&fleet, &options).await;
    let elapsed = started.elapsed();
    assert_one_row_each(&fleet, &report);
    let stopped = report
        .stopped
        .as_ref()
        .expect("the deadline stopped the run");
    assert_eq!(stopped.reason, StopReason::Deadline);
    assert_eq!(report.exit_code(), 3);
    assert!(
        report
            .stop_line()
            .unwrap()
            .starts_with("stopped: the deadline passed; "),
        "{report:#?}"
    );
    let done = report
        .consumers
        .iter()
        .filter(|c| c.outcome.is_done())
        .count();
    assert!(
        (2 * JOBS..=3 * JOBS).contains(&done),
        "{done} consumers done in 50 s at 20 s each, {JOBS} at a time"
    );
    assert!(
        elapsed >= Duration::from_secs(50) && elapsed <= Duration::from_secs(50 + 30),
        "{elapsed:?}"
    );
    fleet.fake.faults().clear();
    assert_a_rerun_converges(&fleet).await;
}

/// An interrupt (what SIGINT and SIGTERM do in the binary) after a third of the requests.
#[tokio::test(start_paused = true)]
async fn an_interrupt_stops_starting_consumers_and_a_rerun_converges() {
    let fleet = stop_fleet().await;
    let interrupt = Interrupt::new();
    let options = RunOptions {
        interrupt: interrupt.clone(),
        ..options()
    };
    let client = client(&fleet);
    let mut on_progress = |_: Progress<'_>| {};
    let cascade = run::propagate_with(&client, &fleet.config, &options, &mut on_progress);
    let press = async {
        requests_seen(&fleet.fake, 150).await;
        interrupt.interrupt("SIGINT received");
    };
    let (report, ()) = tokio::join!(cascade, press);
    let report = report.unwrap();
    assert_one_row_each(&fleet, &report);
    assert_eq!(report.exit_code(), 130);
    let line = report.stop_line().unwrap();
    assert!(
        line.starts_with("interrupted: re-run to continue (SIGINT received; "),
        "{line}"
    );
    let not_attempted = report.summary.get(&Outcome::NotAttempted).copied();
    assert!(not_attempted.unwrap_or(0) > CONSUMERS / 2, "{report:#?}");
    assert_a_rerun_converges(&fleet).await;
}

/// An interrupt before any consumer started: nothing is written, exit code 130.
#[tokio::test(start_paused = true)]
async fn an_interrupt_during_setup_writes_nothing() {
    let fleet = stop_fleet().await;
    let interrupt = Interrupt::new();
    interrupt.interrupt("SIGTERM received");
    let options = RunOptions {
        interrupt,
        ..options()
    };
    let err = run::propagate_with(&client(&fleet), &fleet.config, &options, &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 130);
    assert!(
        err.to_string()
            .contains("interrupted before any consumer was started (SIGTERM received)"),
        "{err}"
    );
    assert_eq!(writes(&fleet.fake.requests()), Vec::<&_>::new());
}
