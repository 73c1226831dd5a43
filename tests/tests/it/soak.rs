//! The fault soak: 300 consumers, transient faults on every endpoint, one invocation; then every
//! consumer has settled, with no duplicates, no orphans, byte-exact files and untouched conflicts.

use crate::common::soak_run::{check_attempts, run_soak, soak_fleet};
use cascade::{
    drift::DriftStatus,
    report::Outcome,
    run::{self, RunOptions},
};
use cascade_tests::{
    record::{self, SeedIncidentFigures},
    soak::{self, Plan},
};
use gitea_fake::{Fault, FaultRule, Match, Trigger};
use xtask::demo::DEMO_TOKEN;

/// What to do when a figure changed.
const UPDATE: &str = "the figures changed: if that is expected, update cascade_tests::record \
     and run `cargo test -p cascade-tests --test it reliability_doc` to regenerate docs/reliability.md";

/// One invocation per seed of `plan`: every consumer settles, nothing is duplicated or left
/// without its PR, and the figures are those the page shows.
async fn every_consumer_settles_in_one_invocation(plan: Plan) {
    assert_eq!(
        cascade::config::DEFAULT_PASSES as usize,
        record::PASSES,
        "record::PASSES follows the default"
    );
    let mut measured = Vec::new();
    for seed in soak::SEEDS {
        let fleet = soak_fleet(DEMO_TOKEN, plan).await;
        let soak = run_soak(fleet, DEMO_TOKEN, plan, seed).await;
        let figures = soak.check();
        measured.push(figures.pinned(seed, soak.fired));
        figures.assert_settled();
    }
    assert_eq!(measured, record::soak_figures(&plan), "{UPDATE}");
    let fired: Vec<u64> = (0..soak::FAULTS.len())
        .map(|i| measured.iter().map(|f| f.faults_per_kind[i]).sum())
        .collect();
    assert!(
        fired.iter().all(|n| *n > 0),
        "every kind of fault was injected: {fired:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn with_the_default_config_5_percent_transient_faults_settle_in_one_invocation() {
    every_consumer_settles_in_one_invocation(soak::DEFAULT_AT_5).await;
}

#[tokio::test(start_paused = true)]
async fn with_the_flaky_network_settings_25_percent_transient_faults_settle_in_one_invocation() {
    every_consumer_settles_in_one_invocation(soak::FLAKY_AT_25).await;
}

/// Up to three 503s in a row on each consumer's PR POST, seeded per consumer.
fn seed_incident_rules() -> Vec<FaultRule> {
    soak::fleet()
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            let in_a_row = (soak::SEED.wrapping_mul(i as u64 + 1) >> 7) % 4;
            FaultRule::new(
                Match::any()
                    .method("POST")
                    .path(&format!("/api/v1/repos/platform/{name}/pulls")),
                Trigger::FirstN(in_a_row),
                Fault::status(503),
            )
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn with_only_the_seed_incidents_fault_one_run_converges() {
    let fleet = soak_fleet(DEMO_TOKEN, soak::DEFAULT_AT_5).await;
    for rule in seed_incident_rules() {
        fleet.fake.faults().add(rule);
    }
    let client = crate::common::client(&fleet);
    let report = run::propagate_with(&client, &fleet.config, &RunOptions::default(), &mut |_| {})
        .await
        .unwrap();
    let injected: u64 = fleet.fake.faults().fired().iter().sum();
    assert_eq!(report.summary.get(&Outcome::Failed), None, "{report:#?}");
    check_attempts(1, &fleet.fake.requests(), 1);
    let measured = SeedIncidentFigures {
        injected,
        calls: report.api_calls,
        failed: report.summary.get(&Outcome::Failed).copied().unwrap_or(0),
    };
    assert_eq!(measured, record::SEED_INCIDENT, "{UPDATE}");
    for consumer in &fleet.seeded {
        let open = crate::common::open_bump_prs(&fleet.fake, &consumer.full_name);
        let expected = usize::from(soak::needs_bump(consumer.state));
        assert_eq!(
            open, expected,
            "{} {:?}",
            consumer.full_name, consumer.state
        );
        let prs = fleet
            .fake
            .store()
            .pulls("platform", consumer.full_name.split_once('/').unwrap().1);
        assert!(prs.len() <= 1, "{}: {prs:?}", consumer.full_name);
    }
}

#[tokio::test(start_paused = true)]
async fn drift_under_the_soaks_faults_only_reads_and_never_misreports() {
    let fleet = soak_fleet(DEMO_TOKEN, soak::DEFAULT_AT_5).await;
    for rule in soak::fault_rules(soak::DEFAULT_AT_5.level, soak::SEED) {
        fleet.fake.faults().add(rule);
    }
    let report = run::drift_with(
        &crate::common::client(&fleet),
        &fleet.config,
        &RunOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        crate::common::writes(&fleet.fake.requests()),
        Vec::<&_>::new()
    );
    assert_eq!(report.consumers.len(), fleet.seeded.len());
    let store = fleet.fake.store();
    let mut unknown = 0;
    for row in &report.consumers {
        let name = row.repo.split_once('/').unwrap().1;
        let version = store
            .file("platform", name, "main", "runtime-version")
            .map(|v| String::from_utf8(v).unwrap().trim().to_owned());
        let open_pr = crate::common::open_bump_prs(&fleet.fake, &row.repo) == 1;
        let behind = version.as_deref() == Some(crate::common::OLD);
        match row.status {
            DriftStatus::Current => {
                assert_eq!(version.as_deref(), Some(crate::common::NEW), "{row:?}")
            }
            DriftStatus::BehindPrOpen => assert!(behind && open_pr, "{row:?}"),
            DriftStatus::BehindNoPr => assert!(behind && !open_pr, "{row:?}"),
            DriftStatus::Ahead => {
                assert!(!behind && version.as_deref() != Some(crate::common::NEW))
            }
            DriftStatus::Skipped => assert!(store.is_archived("platform", name), "{row:?}"),
            DriftStatus::Unknown => {
                unknown += 1;
                let detail = row.detail.as_deref().unwrap_or_default();
                assert!(!detail.is_empty() && !detail.contains('\n'), "{row:?}");
            }
        }
    }
    assert!(unknown > 0, "some reads failed under the faults");
    let attention = report.consumers.iter().any(|r| r.status.needs_attention());
    assert_eq!(report.exit_code(), u8::from(attention));
}
