//! Outages: Gitea answers 503 to everything. The run ends in bounded (virtual) time, says why in
//! one line per consumer and one line for the run, writes nothing, and a retry budget bounds the
//! extra load.

use std::{
    pin::Pin,
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::common::*;
use cascade::{
    report::{Outcome, Report},
    run::{self, RunOptions},
    version::RuntimeVersion,
};
use cascade_tests::{
    record::{self, OutageFigures},
    soak,
};
use gitea_fake::{Fault, FaultRule, Match, Trigger};
use retry_policy::{Policy, Retrier, RetryBudget, Sleeper};

/// Consumers in the outage fleets; all run at once, so the run's virtual time is one consumer's.
const CONSUMERS: usize = 40;

/// The budget's share of extra calls, with no per-second reserve.
const BUDGET_RATIO: f64 = record::OUTAGE_BUDGET_RATIO_PERCENT as f64 / 100.0;

async fn outage_fleet() -> Fleet {
    let named: Vec<(String, _)> = soak::fleet().into_iter().take(CONSUMERS).collect();
    let named: Vec<(&str, _)> = named.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    fleet(&named).await
}

fn options() -> RunOptions {
    RunOptions {
        version: Some(RuntimeVersion::parse(NEW).unwrap()),
        jobs: CONSUMERS,
        ..RunOptions::default()
    }
}

/// The seed schedule's total sleep for one request: 1 s + 2 s + 4 s.
fn schedule_sum() -> Duration {
    let policy = Policy::default();
    (0..policy.max_retries()).map(|r| policy.backoff(r)).sum()
}

/// A sleeper that records every delay and sleeps on tokio's (paused) clock.
#[derive(Clone, Default)]
struct Recording(Arc<Mutex<Vec<Duration>>>);

impl Sleeper for Recording {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().unwrap().push(d);
        Box::pin(tokio::time::sleep(d))
    }
}

async fn run(fleet: &Fleet, retrier: Retrier) -> Report {
    run::propagate_with_retrier(
        &client(fleet),
        &fleet.config,
        &options(),
        retrier,
        &mut |_| {},
    )
    .await
    .expect("setup succeeds")
}

#[tokio::test(start_paused = true)]
async fn a_total_outage_stops_at_preflight_in_one_line_and_writes_nothing() {
    let fleet = outage_fleet().await;
    fleet.fake.faults().add(FaultRule::new(
        Match::any(),
        Trigger::Always,
        Fault::status(503),
    ));
    let started = tokio::time::Instant::now();
    let err = run::propagate_with(&client(&fleet), &fleet.config, &options(), &mut |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        started.elapsed() <= schedule_sum(),
        "{:?}",
        started.elapsed()
    );
    assert!(!err.contains('\n'), "{err}");
    assert!(
        err.contains("answered 503 to each of 4 tries") && err.contains("reachable but failing"),
        "the preflight is retried, and a 503 is not called unreachable: {err}"
    );
    let log = fleet.fake.requests();
    assert!(log.iter().all(|r| r.path == "/api/v1/version"), "{log:#?}");
    assert!(log.len() <= 1 + Policy::default().max_retries() as usize);
}

#[tokio::test(start_paused = true)]
async fn a_preflight_503_that_clears_on_a_retry_lets_the_run_go_on() {
    let fleet = outage_fleet().await;
    fleet.fake.faults().add(FaultRule::new(
        Match::any().path("/api/v1/version"),
        Trigger::FirstN(2),
        Fault::status(503),
    ));
    let report = run::propagate_with(&client(&fleet), &fleet.config, &options(), &mut |_| {})
        .await
        .expect("the third GET /version answers");
    assert_eq!(
        calls_to(&fleet.fake.requests(), "GET", "/api/v1/version"),
        3
    );
    assert_eq!(
        report.exit_code(),
        1,
        "the seeded conflicts; nothing failed"
    );
    assert_eq!(report.summary.get(&Outcome::Failed), None, "{report:#?}");
}

/// With all 40 consumers in flight at once, every one fails before the breaker can stop any:
/// each has its row with its reason, and the run ends with the breaker's one line.
#[tokio::test(start_paused = true)]
async fn an_outage_after_preflight_fails_every_consumer_with_its_reason_and_writes_nothing() {
    let fleet = outage_fleet().await;
    fleet.fake.faults().add(FaultRule::new(
        Match::any().path("/api/v1/repos/**"),
        Trigger::Always,
        Fault::status(503),
    ));
    let started = tokio::time::Instant::now();
    let report = run(&fleet, Retrier::new(Policy::default())).await;
    assert!(
        started.elapsed() <= schedule_sum(),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(report.consumers.len(), CONSUMERS);
    assert_eq!(report.summary.get(&Outcome::Failed), Some(&CONSUMERS));
    for row in &report.consumers {
        let detail = row.detail.as_deref().unwrap();
        assert!(
            detail.contains("HTTP 503") && !detail.contains('\n'),
            "{row:?}"
        );
    }
    assert_eq!(report.exit_code(), 3);
    let line = report.stop_line().unwrap();
    assert!(
        line.starts_with("stopped: Gitea failed 10 consumer passes in a row")
            && line.contains("HTTP 503")
            && line.contains("40 of 40 consumer(s) done, 0 not attempted")
            && line.ends_with("nothing is half-written; re-run to continue"),
        "{line}"
    );
    assert_eq!(writes(&fleet.fake.requests()), Vec::<&_>::new());
}

/// Every PR POST answers 503: the seed incident, fleet-wide and for good.
fn pr_post_outage(fleet: &Fleet) {
    fleet.fake.faults().add(FaultRule::new(
        Match::any().method("POST").path("/api/v1/repos/*/*/pulls"),
        Trigger::Always,
        Fault::status(503),
    ));
}

fn pr_posts(fleet: &Fleet) -> usize {
    fleet
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/pulls"))
        .count()
}

#[tokio::test(start_paused = true)]
async fn a_pr_post_outage_sleeps_at_most_the_schedule_and_a_budget_bounds_the_calls() {
    let no_retry_policy = Policy::builder().max_retries(0).build().unwrap();
    // One pass each: this measures the PR POST's retrier. Whether a failed pass is run again
    // before the breaker trips depends on the order in which the 40 passes in flight end.
    let outage_fleet = || async {
        let mut fleet = outage_fleet().await;
        fleet.config.passes = 1;
        fleet
    };

    let baseline = outage_fleet().await;
    pr_post_outage(&baseline);
    let report = run(&baseline, Retrier::new(no_retry_policy)).await;
    let baseline_calls = report.api_calls;
    let posts = pr_posts(&baseline);
    assert!(posts > 10, "{posts} consumers reach the PR POST");

    let unlimited = outage_fleet().await;
    pr_post_outage(&unlimited);
    let sleeps = Recording::default();
    let started = tokio::time::Instant::now();
    let retrier = Retrier::new(Policy::default()).with_sleeper(sleeps.clone());
    let report = run(&unlimited, retrier).await;
    let unlimited_calls = report.api_calls;
    assert!(
        started.elapsed() <= schedule_sum(),
        "{:?}",
        started.elapsed()
    );
    let sleeps = sleeps.0.lock().unwrap().clone();
    assert_eq!(sleeps.len(), posts * 3);
    assert_eq!(
        sleeps.iter().sum::<Duration>(),
        schedule_sum() * posts as u32
    );
    assert_eq!(pr_posts(&unlimited), posts * 4);
    for row in report
        .consumers
        .iter()
        .filter(|r| r.outcome == Outcome::Failed)
    {
        assert!(
            row.detail.as_deref().unwrap().contains("HTTP 503"),
            "{row:?}"
        );
    }

    let limited = outage_fleet().await;
    pr_post_outage(&limited);
    let budget = RetryBudget::builder()
        .window(Duration::from_secs(60))
        .ratio(BUDGET_RATIO)
        .reserve(0)
        .build()
        .unwrap();
    let retrier = Retrier::new(Policy::default()).with_budget(budget);
    let report = run(&limited, retrier).await;
    let max_retries = (posts as f64 * BUDGET_RATIO).floor() as usize;
    assert!(
        pr_posts(&limited) <= posts + max_retries,
        "{}",
        pr_posts(&limited)
    );
    let bound = (baseline_calls as f64 * (1.0 + BUDGET_RATIO)).floor() as u64;
    assert!(
        report.api_calls <= bound,
        "{} calls with the budget, {baseline_calls} without retries",
        report.api_calls
    );
    let measured = OutageFigures {
        pr_posts: posts,
        no_retry_calls: baseline_calls,
        unlimited_calls,
        budget_calls: report.api_calls,
    };
    assert_eq!(
        measured,
        record::OUTAGE,
        "update cascade_tests::record::OUTAGE"
    );
}
