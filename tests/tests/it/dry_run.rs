//! The dry run is faithful: what the real run refuses before writing, the dry run refuses too,
//! with the same row, and it writes nothing.

use crate::common::*;
use cascade::{report::Outcome, run::RunOptions};
use gitea_fake::fleet::ConsumerState::*;

fn dry() -> RunOptions {
    RunOptions {
        dry_run: true,
        ..RunOptions::default()
    }
}

#[tokio::test(start_paused = true)]
async fn a_missing_label_fails_the_dry_run_exactly_as_the_real_run() {
    let mut fleet = fleet(&[("behind", Behind), ("orphan", Orphan)]).await;
    fleet.config.pull_request.labels = vec!["dependencies".to_owned(), "runtime".to_owned()];
    let dry_report = propagate(&fleet, &dry()).await;
    assert!(
        writes(&fleet.fake.requests()).is_empty(),
        "a dry run writes nothing"
    );
    let real_report = propagate_default(&fleet).await;
    for repo in ["platform/behind", "platform/orphan"] {
        let row = |report: &cascade::report::Report| {
            report
                .consumers
                .iter()
                .find(|r| r.repo == repo)
                .cloned()
                .unwrap()
        };
        let (dry_row, real_row) = (row(&dry_report), row(&real_report));
        assert_eq!(dry_row.outcome, Outcome::Failed, "{dry_row:?}");
        assert_eq!(dry_row, real_row, "the dry run said what the run then did");
        assert_eq!(
            dry_row.detail.as_deref(),
            Some(&*format!(
                "label \"runtime\" does not exist in {repo}; create it there or remove it from [pull_request] labels"
            ))
        );
    }
    assert_eq!(dry_report.exit_code(), 1);
    assert!(bump_prs(&fleet.fake, "platform/behind").is_empty());
}

#[tokio::test(start_paused = true)]
async fn with_every_label_present_the_dry_run_would_create_and_adopt() {
    let mut fleet = fleet(&[("behind", Behind), ("orphan", Orphan)]).await;
    fleet.config.pull_request.labels = vec!["dependencies".to_owned()];
    let report = propagate(&fleet, &dry()).await;
    assert_eq!(outcome_of(&report, "platform/behind"), Outcome::WouldCreate);
    assert_eq!(outcome_of(&report, "platform/orphan"), Outcome::WouldAdopt);
    assert!(report.dry_run);
    assert!(writes(&fleet.fake.requests()).is_empty());
    let real = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&real, "platform/behind"), Outcome::Created);
    assert_eq!(outcome_of(&real, "platform/orphan"), Outcome::Adopted);
}
