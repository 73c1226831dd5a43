//! Token scopes: what a read-only token can do, and a missing scope stops the run in one line
//! before any write (Gitea checks scopes per route group, routers/api/v1/api.go).

use crate::common::*;
use cascade::{
    report::Outcome,
    run::{self, RunOptions, SetupError},
};
use gitea_api::Token;
use gitea_fake::{Scope, TokenScopes, fleet::ConsumerState::*};

/// Registers `token` for the demo user with Gitea's scope string.
fn token(fleet: &Fleet, token: &str, scopes: &str) {
    let scopes: TokenScopes = scopes.parse().unwrap();
    fleet
        .fake
        .store()
        .add_token(token, xtask::demo::DEMO_USER, scopes);
}

fn dry_run() -> RunOptions {
    RunOptions {
        dry_run: true,
        ..RunOptions::default()
    }
}

/// The run's setup error, which must be one line, and that nothing was written.
async fn stops(fleet: &Fleet, token: &str, options: &RunOptions) -> String {
    let client = run::connect(&fleet.config, Token::new(token)).unwrap();
    let err = run::propagate_with(&client, &fleet.config, options, &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, SetupError::MissingScopes(_) | SetupError::Run(_)),
        "{err:?}"
    );
    let line = err.to_string();
    assert!(!line.contains('\n'), "{line:?}");
    assert_eq!(writes(&fleet.fake.requests()), Vec::<&_>::new());
    line
}

#[tokio::test(start_paused = true)]
async fn a_read_only_token_can_dry_run_and_drift() {
    let fleet = fleet(&[("a", Behind), ("b", UpToDate), ("c", OpenPr)]).await;
    token(&fleet, "ro", "read:repository,read:organization,read:user");
    let client = run::connect(&fleet.config, Token::new("ro")).unwrap();
    let report = run::propagate_with(&client, &fleet.config, &dry_run(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(outcome_of(&report, "platform/a"), Outcome::WouldCreate);
    assert_eq!(outcome_of(&report, "platform/b"), Outcome::UpToDate);
    assert_eq!(outcome_of(&report, "platform/c"), Outcome::Proposed);
    let drift = run::drift_with(&client, &fleet.config, &RunOptions::default())
        .await
        .unwrap();
    assert_eq!(drift.consumers.len(), 3);
    let log = fleet.fake.requests();
    assert!(log.iter().all(|r| r.status != Some(403)), "{log:?}");
    assert_eq!(writes(&log), Vec::<&_>::new());
    assert!(
        log.iter().all(|r| r.method == "GET"),
        "no POST at all: {log:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_read_only_token_stops_propagate_before_any_write() {
    let fleet = fleet(&[("a", Behind), ("b", Orphan)]).await;
    fleet
        .fake
        .store()
        .add_token("read-only", xtask::demo::DEMO_USER, Scope::Read);
    let line = stops(&fleet, "read-only", &RunOptions::default()).await;
    assert!(line.contains("lacks scope write:repository"), "{line}");
    let refused: Vec<_> = fleet
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.status == Some(403))
        .collect();
    assert_eq!(refused.len(), 1, "only the preflight's check: {refused:?}");
}

#[tokio::test(start_paused = true)]
async fn labels_without_read_issue_stop_the_run_and_name_the_scope() {
    let mut fleet = fleet(&[("a", Behind)]).await;
    fleet
        .fake
        .store()
        .create_label("platform", "a", "dependencies");
    fleet.config.pull_request.labels = vec!["dependencies".to_owned()];
    // The scopes the README documented before labels were known to need `issue`.
    token(&fleet, "doc", "write:repository,read:organization");
    for options in [RunOptions::default(), dry_run()] {
        let line = stops(&fleet, "doc", &options).await;
        assert!(
            line.contains("read:issue ([pull_request] labels)"),
            "{line}"
        );
        assert!(!line.contains("write:repository ("), "{line}");
    }
    token(
        &fleet,
        "full",
        "write:repository,read:organization,read:issue,read:user",
    );
    let client = run::connect(&fleet.config, Token::new("full")).unwrap();
    let report = run::propagate_with(&client, &fleet.config, &RunOptions::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(outcome_of(&report, "platform/a"), Outcome::Created);
}

#[tokio::test(start_paused = true)]
async fn every_missing_scope_is_named_in_the_one_line() {
    let mut fleet = fleet(&[("a", Behind)]).await;
    fleet.config.consumers.orgs = vec!["platform".to_owned()];
    fleet.config.pull_request.labels = vec!["dependencies".to_owned()];
    token(&fleet, "repo-read", "read:repository");
    let line = stops(&fleet, "repo-read", &RunOptions::default()).await;
    for scope in ["read:organization", "read:issue", "write:repository"] {
        assert!(line.contains(scope), "{line} lacks {scope}");
    }
}

/// The least scopes docs/runbook.md ("Token scopes") lists for each command are enough, with
/// orgs and labels configured: no request is refused.
#[tokio::test(start_paused = true)]
async fn the_scopes_the_runbook_lists_are_enough_for_each_command() {
    let mut fleet = fleet(&[("a", Behind), ("b", UpToDate)]).await;
    for repo in ["a", "b"] {
        fleet
            .fake
            .store()
            .create_label("platform", repo, "dependencies");
    }
    fleet.config.consumers.orgs = vec!["platform".to_owned()];
    fleet.config.pull_request.labels = vec!["dependencies".to_owned()];
    token(&fleet, "drift", "read:repository,read:organization");
    token(
        &fleet,
        "dry",
        "read:repository,read:organization,read:issue,read:user",
    );
    token(
        &fleet,
        "real",
        "write:repository,read:organization,read:issue,read:user",
    );
    let connect = |t| run::connect(&fleet.config, Token::new(t)).unwrap();
    let drift = run::drift_with(&connect("drift"), &fleet.config, &RunOptions::default())
        .await
        .unwrap();
    assert!(!drift.consumers.is_empty(), "{drift:#?}");
    let dry = run::propagate_with(&connect("dry"), &fleet.config, &dry_run(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(outcome_of(&dry, "platform/a"), Outcome::WouldCreate);
    let real = run::propagate_with(
        &connect("real"),
        &fleet.config,
        &RunOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(outcome_of(&real, "platform/a"), Outcome::Created);
    let log = fleet.fake.requests();
    assert!(log.iter().all(|r| r.status != Some(403)), "{log:?}");
}
