//! `drift` against gitea-fake: each status, the exit codes, and the fleet after a cascade.

use crate::common::*;
use cascade::report::Outcome;
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
async fn costs_two_calls_per_discovered_consumer_three_when_behind_without_an_open_pr() {
    let mut fleet = fleet(&[
        ("current", UpToDate),
        ("proposed", OpenPr),
        ("behind", Behind),
    ])
    .await;
    fleet.config.consumers.repos.clear();
    fleet.config.consumers.orgs = vec!["platform".to_owned()];
    drift(&fleet).await;
    let log = fleet.fake.requests();
    assert_eq!(calls_for(&log, "platform/current"), 1, "{log:#?}");
    // The version file, then the open PRs (the bump PR and any older ones still open).
    assert_eq!(calls_for(&log, "platform/proposed"), 2, "{log:#?}");
    // One more look-up tells a declined bump PR from none.
    assert_eq!(calls_for(&log, "platform/behind"), 3, "{log:#?}");
}

fn gitea_writes(fleet: &Fleet) -> Vec<String> {
    writes(&fleet.fake.requests())
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn archived_consumers_are_skipped_and_exit_zero_as_in_propagate() {
    let fleet = fleet(&[("frozen", Archived), ("current", UpToDate)]).await;
    let report = drift(&fleet).await;
    let row = report
        .consumers
        .iter()
        .find(|row| row.repo == "platform/frozen")
        .unwrap();
    assert_eq!(row.status, DriftStatus::Skipped, "{row:?}");
    assert_eq!(row.detail.as_deref(), Some("archived"));
    assert_eq!(row.current.as_deref(), Some(OLD));
    assert_eq!(report.exit_code(), 0);
    let table = report.table();
    assert!(table.contains("skipped (archived)"), "{table}");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["consumers"][1]["repo"], "platform/frozen");
    assert_eq!(json["consumers"][1]["status"], "skipped");
    let propagated = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&propagated, "platform/frozen"), Outcome::Skipped);
}

/// Both commands decide who is a consumer with `plan::membership`: the same repositories get a
/// row, whether they are named or discovered in the org.
#[tokio::test(start_paused = true)]
async fn drift_and_propagate_give_a_row_to_the_same_repositories() {
    let states: Vec<(String, gitea_fake::fleet::ConsumerState)> =
        gitea_fake::fleet::ConsumerState::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("svc-{i:02}"), *s))
            .collect();
    let named: Vec<(&str, _)> = states.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    for discover in [false, true] {
        let mut fleet = fleet(&named).await;
        if discover {
            fleet.config.consumers.repos.clear();
            fleet.config.consumers.orgs = vec!["platform".to_owned()];
        }
        let drift_rows: Vec<String> = drift(&fleet)
            .await
            .consumers
            .into_iter()
            .map(|row| row.repo)
            .collect();
        let propagate_rows: Vec<String> = propagate(&fleet, &RunOptions::default())
            .await
            .consumers
            .into_iter()
            .map(|row| row.repo)
            .collect();
        assert_eq!(drift_rows, propagate_rows, "discover = {discover}");
        let expected = if discover {
            states.len() - 2 // the empty one and the one without a version file
        } else {
            states.len()
        };
        assert_eq!(drift_rows.len(), expected, "discover = {discover}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_hostile_owner_is_escaped_and_the_token_redacted_in_drifts_report() {
    use loopback::{Reply, Server};
    const CANARY: &str = "canary-drift-51c2";
    let server = Server::handler(|request| match request.path() {
        "/api/v1/version" => Reply::json(200, r#"{"version":"1.26.4"}"#),
        "/api/v1/repos/platform/app" => {
            let echoed = request.header("authorization").unwrap_or_default();
            let body = serde_json::json!({
                "id": 1, "name": "app", "full_name": "x/app",
                "owner": {"login": format!("\u{1b}[2J{echoed}")},
                "default_branch": "main", "empty": false,
            });
            Reply::json(200, body.to_string())
        }
        _ => Reply::json(404, r#"{"message":"not found"}"#),
    })
    .await;
    let text = format!(
        "gitea_url = \"{}\"\npackage = \"{PACKAGE}\"\n[consumers]\nrepos = [\"platform/app\"]",
        server.base_url()
    );
    let config = cascade::config::Config::parse(&text, "drift.toml").unwrap();
    let client = run::connect(&config, gitea_api::Token::new(CANARY)).unwrap();
    let options = RunOptions {
        version: Some(cascade::version::RuntimeVersion::parse(NEW).unwrap()),
        ..RunOptions::default()
    };
    let report = run::drift_with(&client, &config, &options).await.unwrap();
    assert_eq!(status_of(&report, "platform/app"), DriftStatus::Unknown);
    let detail = report.consumers[0].detail.clone().unwrap_or_default();
    assert_eq!(
        detail,
        "x/app is owned by \\u{1b}[2Jtoken ***, not platform; not touched"
    );
    for text in [report.table(), serde_json::to_string(&report).unwrap()] {
        assert!(!text.contains(CANARY) && !text.contains('\u{1b}'), "{text}");
    }
}
