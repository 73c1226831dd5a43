//! Versions are `X.Y.Z` only, everywhere: the runtime repository's version file and every
//! consumer's, through the library against gitea-fake. `--version` is tested through the binary
//! in `xtask/tests/it/cli.rs`.

use crate::common::*;
use cascade::{
    drift::DriftStatus,
    report::Outcome,
    run::{self, RunOptions},
};
use gitea_fake::fleet::ConsumerState::*;

fn set_version_file(fleet: &Fleet, repo: &str, content: &str) {
    fleet
        .fake
        .store()
        .commit_files(
            "platform",
            repo,
            "main",
            &[("runtime-version", content.as_bytes())],
            "hand-edited",
        )
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_pre_release_or_build_in_the_runtime_repository_stops_the_run_before_any_write() {
    for (content, needle) in [
        ("1.5.0-rc.1\n", "pre-release \"-rc.1\" is not accepted"),
        (
            "1.5.0+build.1\n",
            "build metadata \"+build.1\" is not accepted",
        ),
    ] {
        let fleet = fleet(&[("a", Behind)]).await;
        set_version_file(&fleet, "runtime", content);
        let err = run::propagate_with(
            &client(&fleet),
            &fleet.config,
            &RunOptions::default(),
            &mut |_| {},
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with(
                "cannot read the release version from platform/runtime: runtime-version: "
            ),
            "{err}"
        );
        assert!(err.contains(needle), "{err}");
        assert!(err.ends_with("write it as X.Y.Z, e.g. 1.5.0"), "{err}");
        assert!(writes(&fleet.fake.requests()).is_empty());
        let drift_err = run::drift_with(&client(&fleet), &fleet.config, &RunOptions::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(drift_err.contains(needle), "{drift_err}");
    }
}

/// A consumer on `1.5.0+build.1` or `1.5.0-rc.1` holds no version the cascade can compare: it is
/// `failed` with the reason (never bumped, never called current), and `unknown` in drift.
#[tokio::test(start_paused = true)]
async fn a_consumer_on_a_pre_release_or_build_is_failed_and_unknown_never_bumped() {
    let fleet = fleet(&[("rc", Behind), ("build", UpToDate), ("plain", UpToDate)]).await;
    set_version_file(&fleet, "rc", "1.5.0-rc.1\n");
    set_version_file(&fleet, "build", "1.5.0+build.1\n");
    let report = propagate_default(&fleet).await;
    for (repo, needle) in [
        (
            "platform/rc",
            "runtime-version: \"1.5.0-rc.1\" is not a release version (pre-release",
        ),
        (
            "platform/build",
            "runtime-version: \"1.5.0+build.1\" is not a release version (build metadata",
        ),
    ] {
        let row = report.consumers.iter().find(|r| r.repo == repo).unwrap();
        assert_eq!(row.outcome, Outcome::Failed, "{row:?}");
        assert!(row.detail.as_deref().unwrap().contains(needle), "{row:?}");
        assert!(bump_prs(&fleet.fake, repo).is_empty());
    }
    assert_eq!(outcome_of(&report, "platform/plain"), Outcome::UpToDate);
    assert!(writes(&fleet.fake.requests()).is_empty());

    let drift = run::drift_with(&client(&fleet), &fleet.config, &RunOptions::default())
        .await
        .unwrap();
    let status = |repo: &str| {
        drift
            .consumers
            .iter()
            .find(|r| r.repo == repo)
            .unwrap()
            .status
    };
    assert_eq!(status("platform/rc"), DriftStatus::Unknown);
    assert_eq!(status("platform/build"), DriftStatus::Unknown);
    assert_eq!(status("platform/plain"), DriftStatus::Current);
    assert_eq!(drift.exit_code(), 1);
}
