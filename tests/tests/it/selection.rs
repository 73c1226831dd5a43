//! `--only` and `--exclude` with globs, through the library against gitea-fake: the same
//! selection for propagate and drift, and a pattern that matches nothing stops the run.

use crate::common::*;
use cascade::{
    repo::{RepoPattern, Selection},
    run::{self, RunOptions},
};
use gitea_fake::fleet::ConsumerState::*;

fn select(only: &[&str], exclude: &[&str]) -> RunOptions {
    let patterns = |ps: &[&str]| ps.iter().map(|p| RepoPattern::parse(p).unwrap()).collect();
    RunOptions {
        selection: Selection {
            only: patterns(only),
            exclude: patterns(exclude),
        },
        ..RunOptions::default()
    }
}

fn repos_of(report: &cascade::report::Report) -> Vec<&str> {
    report.consumers.iter().map(|c| c.repo.as_str()).collect()
}

#[tokio::test(start_paused = true)]
async fn only_and_exclude_take_globs_and_drift_visits_the_same_consumers() {
    let mut fleet = fleet(&[
        ("api-gateway", Behind),
        ("api-users", Behind),
        ("web", Behind),
        ("legacy-api", Behind),
    ])
    .await;
    fleet.config.consumers.repos.clear();
    fleet.config.consumers.orgs = vec!["platform".to_owned()];
    let options = select(&["platform/api-*", "*/legacy-?pi"], &["platform/*-users"]);
    let report = propagate(&fleet, &options).await;
    assert_eq!(
        repos_of(&report),
        ["platform/api-gateway", "platform/legacy-api"]
    );
    assert!(bump_prs(&fleet.fake, "platform/web").is_empty());
    assert!(bump_prs(&fleet.fake, "platform/api-users").is_empty());
    let drift = run::drift_with(&client(&fleet), &fleet.config, &options)
        .await
        .unwrap();
    let drifted: Vec<&str> = drift.consumers.iter().map(|c| c.repo.as_str()).collect();
    assert_eq!(drifted, ["platform/api-gateway", "platform/legacy-api"]);

    let only_exclude = propagate(
        &fleet,
        &select(&[], &["platform/api-*", "platform/legacy-*"]),
    )
    .await;
    assert_eq!(repos_of(&only_exclude), ["platform/web"]);
}

#[tokio::test(start_paused = true)]
async fn a_pattern_that_matches_no_consumer_stops_the_run_before_any_write() {
    let fleet = fleet(&[("a", Behind)]).await;
    for (options, needle) in [
        (
            select(&["platform/b*"], &[]),
            "--only platform/b*: matches no consumer",
        ),
        (
            select(&[], &["platform/typo"]),
            "--exclude platform/typo: matches no consumer",
        ),
        (
            select(&["platform/zzz"], &[]),
            "--only platform/zzz: not a consumer",
        ),
    ] {
        let err = run::propagate_with(&client(&fleet), &fleet.config, &options, &mut |_| {})
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{err}");
    }
    assert!(writes(&fleet.fake.requests()).is_empty());
}
