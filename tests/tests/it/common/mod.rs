//! Shared fixtures: a fake Gitea with a seeded fleet, and helpers to run and inspect the cascade.

#![allow(dead_code, unreachable_pub)]

pub mod logs;
pub mod soak_run;

use cascade::{
    config::Config,
    report::{Outcome, Report},
    run::{self, RunOptions},
};
use gitea_api::{Client, Token};
use gitea_fake::{
    FakeGitea, LoggedRequest,
    fleet::{ConsumerState, FleetSpec, SeededConsumer},
};
use xtask::demo;

pub const PACKAGE: &str = "platform-runtime";
pub const OLD: &str = "1.4.2";
pub const NEW: &str = "1.5.0";
pub const BRANCH: &str = "bump/runtime-1.5.0";

pub struct Fleet {
    pub fake: FakeGitea,
    pub spec: FleetSpec,
    pub seeded: Vec<SeededConsumer>,
    pub config: Config,
}

/// A fake Gitea with one consumer per `(name, state)` in org `platform`.
pub async fn fleet(consumers: &[(&str, ConsumerState)]) -> Fleet {
    fleet_on(FakeGitea::start().await.expect("fake starts"), consumers)
}

/// The same on a fake already started (with builder options).
pub fn fleet_on(fake: FakeGitea, consumers: &[(&str, ConsumerState)]) -> Fleet {
    let spec = FleetSpec {
        org: "platform".to_owned(),
        package: PACKAGE.to_owned(),
        old_version: OLD.to_owned(),
        new_version: NEW.to_owned(),
        consumers: consumers
            .iter()
            .map(|(n, s)| ((*n).to_owned(), *s))
            .collect(),
    };
    let (seeded, config) = demo::seed(&fake, &spec);
    Fleet {
        fake,
        spec,
        seeded,
        config,
    }
}

pub fn client(fleet: &Fleet) -> Client {
    run::connect(&fleet.config, Token::new(demo::DEMO_TOKEN)).expect("client builds")
}

/// One full propagate run with a fresh client (so `api_calls` counts this run only).
pub async fn propagate(fleet: &Fleet, options: &RunOptions) -> Report {
    run::propagate_with(&client(fleet), &fleet.config, options, &mut |_| {})
        .await
        .expect("setup succeeds")
}

pub async fn propagate_default(fleet: &Fleet) -> Report {
    propagate(fleet, &RunOptions::default()).await
}

pub fn outcome_of(report: &Report, repo: &str) -> Outcome {
    report
        .consumers
        .iter()
        .find(|row| row.repo == repo)
        .unwrap_or_else(|| panic!("{repo} has no row in {report:#?}"))
        .outcome
}

/// Requests that change state. The batch read `POST /file-contents` (the write-scope check)
/// only reads.
pub fn writes(log: &[LoggedRequest]) -> Vec<&LoggedRequest> {
    log.iter()
        .filter(|r| r.method != "GET" && !r.path.ends_with("/file-contents"))
        .collect()
}

pub fn calls_to(log: &[LoggedRequest], method: &str, path: &str) -> usize {
    log.iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// Requests about one repository.
pub fn calls_for(log: &[LoggedRequest], repo: &str) -> usize {
    let prefix = format!("/api/v1/repos/{repo}");
    log.iter()
        .filter(|r| r.path == prefix || r.path.starts_with(&format!("{prefix}/")))
        .count()
}

/// Every PR from the bump branch, in any state.
pub fn bump_prs(fake: &FakeGitea, repo: &str) -> Vec<gitea_fake::PullSnapshot> {
    let (owner, name) = repo.split_once('/').unwrap();
    let mut prs = fake.store().pulls(owner, name);
    prs.retain(|pr| pr.head == BRANCH);
    prs
}

/// How many of `prs` are open.
pub fn count_open(prs: &[gitea_fake::PullSnapshot]) -> usize {
    prs.iter()
        .filter(|pr| pr.state == gitea_fake::PullState::Open)
        .count()
}

/// Open PRs from the bump branch.
pub fn open_bump_prs(fake: &FakeGitea, repo: &str) -> usize {
    count_open(&bump_prs(fake, repo))
}
