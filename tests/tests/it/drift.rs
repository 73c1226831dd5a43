//! `drift` against gitea-fake: each status, the exit codes, and the fleet after a cascade.

use crate::common::*;
use cascade::{
    drift::{DriftReport, DriftStatus},
    run::{self, RunOptions},
};
use gitea_fake::fleet::ConsumerState::*;

async fn drift(fleet: &Fleet) -> DriftReport {
    run::drift_with(&client(fleet), &fleet.config, &RunOptions::default())
        .await
        .expect("setup succeeds")
}

fn status_of(report: &DriftReport, repo: &str) -> DriftStatus {
    report
        .consumers
        .iter()
        .find(|row| row.repo == repo)
        .unwrap_or_else(|| panic!("{repo} missing from {report:#?}"))
        .status
}

#[tokio::test(start_paused = true)]
async fn each_status_from_a_seeded_fleet() {
    let fleet = fleet(&[
        ("current", UpToDate),
        ("open", OpenPr),
        ("behind", Behind),
        ("declined", Declined),
        ("ahead", Ahead),
        ("nofile", MissingVersionFile),
    ])
    .await;
    let report = drift(&fleet).await;
    assert_eq!(status_of(&report, "platform/current"), DriftStatus::Current);
    assert_eq!(
        status_of(&report, "platform/open"),
        DriftStatus::BehindPrOpen
    );
    assert_eq!(
        status_of(&report, "platform/behind"),
        DriftStatus::BehindNoPr
    );
    assert_eq!(
        status_of(&report, "platform/declined"),
        DriftStatus::BehindNoPr
    );
    assert_eq!(status_of(&report, "platform/ahead"), DriftStatus::Ahead);
    assert_eq!(status_of(&report, "platform/nofile"), DriftStatus::Unknown);
    assert_eq!(report.exit_code(), 1);
    let table = report.table();
    assert!(table.contains("behind (no PR)"), "{table}");
    assert!(table.contains("behind (PR #"), "{table}");
    assert!(gitea_writes(&fleet).is_empty());
}

#[tokio::test(start_paused = true)]
async fn exit_code_is_zero_when_nothing_is_behind_without_a_pr() {
    let fleet = fleet(&[("current", UpToDate), ("open", OpenPr), ("ahead", Ahead)]).await;
    assert_eq!(drift(&fleet).await.exit_code(), 0);
}

#[tokio::test(start_paused = true)]
async fn after_a_full_propagate_everything_is_current_or_has_a_pr() {
    let fleet = fleet(&[
        ("a", Behind),
        ("b", Orphan),
        ("c", Crlf),
        ("d", OtherPinStyle),
        ("e", UpToDate),
        ("f", OpenPr),
        ("g", NoPin),
    ])
    .await;
    assert_eq!(propagate_default(&fleet).await.exit_code(), 0);
    let report = drift(&fleet).await;
    for row in &report.consumers {
        assert!(
            matches!(row.status, DriftStatus::Current | DriftStatus::BehindPrOpen),
            "{row:?}"
        );
    }
    assert_eq!(report.exit_code(), 0);
}

#[tokio::test(start_paused = true)]
async fn costs_at_most_two_calls_per_discovered_consumer() {
    let mut fleet = fleet(&[("current", UpToDate), ("behind", Behind)]).await;
    fleet.config.consumers.repos.clear();
    fleet.config.consumers.orgs = vec!["platform".to_owned()];
    drift(&fleet).await;
    let log = fleet.fake.requests();
    assert_eq!(calls_for(&log, "platform/current"), 1, "{log:#?}");
    assert_eq!(calls_for(&log, "platform/behind"), 2, "{log:#?}");
}

fn gitea_writes(fleet: &Fleet) -> Vec<String> {
    writes(&fleet.fake.requests())
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}
