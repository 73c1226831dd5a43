//! `propagate` against gitea-fake: every outcome, the seed incident, re-runs and cost.

use crate::common::*;
use cascade::{report::Outcome, run::RunOptions};
use gitea_fake::{
    Fault, FaultRule, Match, Trigger,
    fleet::ConsumerState::{self, *},
};
use xtask::demo::expected_outcome;

const PULLS: &str = "/api/v1/repos/*/*/pulls";

fn on_pr_post(trigger: Trigger, fault: Fault) -> FaultRule {
    FaultRule::new(Match::any().method("POST").path(PULLS), trigger, fault)
}

#[tokio::test(start_paused = true)]
async fn every_seeded_state_reaches_its_outcome() {
    let states: Vec<(String, ConsumerState)> = ConsumerState::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("svc-{i:02}"), *s))
        .collect();
    let named: Vec<(&str, ConsumerState)> = states.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let fleet = fleet(&named).await;
    let report = propagate_default(&fleet).await;
    assert_eq!(report.consumers.len(), fleet.seeded.len());
    for consumer in &fleet.seeded {
        assert_eq!(
            outcome_of(&report, &consumer.full_name),
            expected_outcome(consumer.state),
            "{} seeded {:?}",
            consumer.full_name,
            consumer.state
        );
    }
}

#[tokio::test(start_paused = true)]
async fn created_consumer_gets_one_commit_and_one_pr_with_byte_exact_files() {
    let fleet = fleet(&[
        ("checkout", Behind),
        ("payments", Crlf),
        ("ml", OtherPinStyle),
    ])
    .await;
    let report = propagate_default(&fleet).await;
    for repo in ["platform/checkout", "platform/payments", "platform/ml"] {
        assert_eq!(outcome_of(&report, repo), Outcome::Created, "{repo}");
        assert_eq!(open_bump_prs(&fleet.fake, repo), 1, "{repo}");
        let (owner, name) = repo.split_once('/').unwrap();
        let store = fleet.fake.store();
        let old_req = store.file(owner, name, "main", "requirements.txt").unwrap();
        let new_req = store.file(owner, name, BRANCH, "requirements.txt").unwrap();
        let expected = String::from_utf8(old_req).unwrap().replace(OLD, NEW);
        assert_eq!(String::from_utf8(new_req).unwrap(), expected, "{repo}");
        let old_version = store.file(owner, name, "main", "runtime-version").unwrap();
        let new_version = store.file(owner, name, BRANCH, "runtime-version").unwrap();
        assert_eq!(
            String::from_utf8(new_version).unwrap(),
            String::from_utf8(old_version).unwrap().replace(OLD, NEW)
        );
        let messages = store.commit_messages(owner, name, BRANCH);
        assert!(
            messages[0].starts_with("Bump platform-runtime to 1.5.0"),
            "{messages:?}"
        );
    }
    let log = fleet.fake.requests();
    assert_eq!(
        calls_to(&log, "POST", "/api/v1/repos/platform/checkout/contents"),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn seed_incident_503_then_201_opens_the_pr_and_pre_post_calls_ran_once() {
    let fleet = fleet(&[("checkout", Behind)]).await;
    fleet
        .fake
        .faults()
        .add(on_pr_post(Trigger::FirstN(1), Fault::status(503)));
    let report = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&report, "platform/checkout"), Outcome::Created);
    assert_eq!(open_bump_prs(&fleet.fake, "platform/checkout"), 1);
    let log = fleet.fake.requests();
    let repo = "/api/v1/repos/platform/checkout";
    assert_eq!(calls_to(&log, "GET", repo), 1);
    assert_eq!(calls_to(&log, "GET", &format!("{repo}/file-contents")), 1);
    assert_eq!(calls_to(&log, "POST", &format!("{repo}/contents")), 1);
    assert_eq!(calls_to(&log, "POST", &format!("{repo}/pulls")), 2);
}

#[tokio::test(start_paused = true)]
async fn lost_response_on_pr_post_is_recognised_without_a_duplicate() {
    let fleet = fleet(&[("checkout", Behind)]).await;
    fleet.fake.faults().add(on_pr_post(
        Trigger::FirstN(1),
        Fault::apply_then(Fault::status(504)),
    ));
    let report = propagate_default(&fleet).await;
    let row = &report.consumers[0];
    assert_eq!(row.outcome, Outcome::Created);
    let store_prs = fleet.fake.store().pulls("platform", "checkout");
    assert_eq!(store_prs.len(), 1, "{store_prs:?}");
    assert_eq!(row.pr.as_ref().unwrap().number as i64, store_prs[0].number);
    let log = fleet.fake.requests();
    assert_eq!(
        calls_to(&log, "POST", "/api/v1/repos/platform/checkout/pulls"),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn a_4xx_on_the_pr_post_is_not_retried() {
    let fleet = fleet(&[("checkout", Behind)]).await;
    fleet
        .fake
        .faults()
        .add(on_pr_post(Trigger::Always, Fault::status(422)));
    let report = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&report, "platform/checkout"), Outcome::Failed);
    let log = fleet.fake.requests();
    assert_eq!(
        calls_to(&log, "POST", "/api/v1/repos/platform/checkout/pulls"),
        1
    );
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_rerun_after_a_full_run_writes_nothing() {
    let fleet = fleet(&[("a", Behind), ("b", Orphan), ("c", UpToDate), ("d", OpenPr)]).await;
    let first = propagate_default(&fleet).await;
    assert_eq!(first.exit_code(), 0);
    fleet.fake.clear_requests();
    let second = propagate_default(&fleet).await;
    for row in &second.consumers {
        assert!(
            matches!(row.outcome, Outcome::Proposed | Outcome::UpToDate),
            "{row:?}"
        );
    }
    assert_eq!(
        writes(&fleet.fake.requests()),
        Vec::<&gitea_fake::LoggedRequest>::new()
    );
}

#[tokio::test(start_paused = true)]
async fn an_orphan_left_by_exhausted_retries_is_adopted_next_run() {
    let mut fleet = fleet(&[("checkout", Behind)]).await;
    fleet.config.passes = 1;
    fleet
        .fake
        .faults()
        .add(on_pr_post(Trigger::Always, Fault::status(503)));
    let first = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&first, "platform/checkout"), Outcome::Failed);
    let detail = first.consumers[0].detail.as_deref().unwrap();
    assert!(
        detail.contains("a re-run adopts it") && detail.contains("503"),
        "{detail}"
    );
    let log = fleet.fake.requests();
    assert_eq!(
        calls_to(&log, "POST", "/api/v1/repos/platform/checkout/pulls"),
        4
    );
    assert!(
        fleet
            .fake
            .store()
            .branches("platform", "checkout")
            .contains(&BRANCH.to_owned())
    );

    fleet.fake.faults().clear();
    let second = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&second, "platform/checkout"), Outcome::Adopted);
    assert_eq!(open_bump_prs(&fleet.fake, "platform/checkout"), 1);
}

#[tokio::test(start_paused = true)]
async fn an_orphan_left_by_exhausted_retries_is_adopted_on_the_next_pass() {
    let fleet = fleet(&[("checkout", Behind)]).await;
    fleet
        .fake
        .faults()
        .add(on_pr_post(Trigger::FirstN(4), Fault::status(503)));
    let report = propagate_default(&fleet).await;
    let row = &report.consumers[0];
    assert_eq!(row.outcome, Outcome::Adopted, "{row:?}");
    assert_eq!(row.pass, 2);
    assert_eq!(row.failures.len(), 1);
    assert!(
        row.failures[0].starts_with("pass 1: ") && row.failures[0].contains("a re-run adopts it"),
        "{row:?}"
    );
    let log = fleet.fake.requests();
    assert_eq!(calls_to(&log, "POST", PULLS_CHECKOUT), 5);
    let commits: Vec<Option<u16>> = log
        .iter()
        .filter(|r| r.method == "POST" && r.path == CONTENTS)
        .map(|r| r.status)
        .collect();
    assert_eq!(
        commits,
        [Some(201), Some(422)],
        "written once; pass 2 found it"
    );
    assert_eq!(open_bump_prs(&fleet.fake, "platform/checkout"), 1);
    assert_eq!(report.exit_code(), 0);
}

#[tokio::test(start_paused = true)]
async fn dry_run_writes_nothing_and_says_what_would_happen() {
    let fleet = fleet(&[
        ("a", Behind),
        ("b", Orphan),
        ("c", ForeignBranch),
        ("d", UpToDate),
    ])
    .await;
    let options = RunOptions {
        dry_run: true,
        ..RunOptions::default()
    };
    let report = propagate(&fleet, &options).await;
    assert_eq!(outcome_of(&report, "platform/a"), Outcome::WouldCreate);
    assert_eq!(outcome_of(&report, "platform/b"), Outcome::WouldAdopt);
    assert_eq!(outcome_of(&report, "platform/c"), Outcome::Conflict);
    assert_eq!(outcome_of(&report, "platform/d"), Outcome::UpToDate);
    assert_eq!(
        writes(&fleet.fake.requests()),
        Vec::<&gitea_fake::LoggedRequest>::new()
    );
}

#[tokio::test(start_paused = true)]
async fn outcomes_summary_and_exit_code_agree() {
    let fleet = fleet(&[
        ("a", Behind),
        ("b", ForeignBranch),
        ("c", UpToDate),
        ("d", Archived),
    ])
    .await;
    let report = propagate_default(&fleet).await;
    assert_eq!(
        report.summary.values().sum::<usize>(),
        report.consumers.len()
    );
    for (outcome, n) in &report.summary {
        let counted = report
            .consumers
            .iter()
            .filter(|c| c.outcome == *outcome)
            .count();
        assert_eq!(counted, *n, "{outcome}");
    }
    assert_eq!(report.summary[&Outcome::Conflict], 1);
    assert_eq!(report.exit_code(), 1, "a conflict needs a human");
}

#[tokio::test(start_paused = true)]
async fn api_calls_per_consumer_stay_within_the_budget() {
    let fleet = fleet(&[("bumped", Behind), ("current", UpToDate)]).await;
    let report = propagate_default(&fleet).await;
    let log = fleet.fake.requests();
    // Repository, files, PR look-up, commit, PR, and the open PRs for older bump PRs to supersede.
    assert!(calls_for(&log, "platform/bumped") <= 6, "{log:#?}");
    assert!(calls_for(&log, "platform/current") <= 2, "{log:#?}");
    assert_eq!(report.api_calls, log.len() as u64);
}

#[tokio::test(start_paused = true)]
async fn org_discovery_folds_the_repo_call_into_the_listing() {
    let mut fleet = fleet(&[
        ("bumped", Behind),
        ("current", UpToDate),
        ("no-file", MissingVersionFile),
    ])
    .await;
    fleet.config.consumers.repos.clear();
    fleet.config.consumers.orgs = vec!["platform".to_owned()];
    let report = propagate_default(&fleet).await;
    let repos: Vec<&str> = report.consumers.iter().map(|c| c.repo.as_str()).collect();
    assert_eq!(
        repos,
        ["platform/bumped", "platform/current"],
        "the runtime repo and non-consumers are not listed"
    );
    let log = fleet.fake.requests();
    assert_eq!(calls_to(&log, "GET", "/api/v1/repos/platform/bumped"), 0);
    assert!(calls_for(&log, "platform/bumped") <= 5, "{log:#?}");
    assert!(calls_for(&log, "platform/current") <= 1, "{log:#?}");
}

#[tokio::test(start_paused = true)]
async fn only_runs_the_named_consumers_and_rejects_strangers() {
    let fleet = fleet(&[("a", Behind), ("b", Behind)]).await;
    let only = |name: &str| RunOptions {
        selection: cascade::repo::Selection {
            only: vec![cascade::repo::RepoPattern::parse(name).unwrap()],
            exclude: Vec::new(),
        },
        ..RunOptions::default()
    };
    let report = propagate(&fleet, &only("platform/b")).await;
    let repos: Vec<&str> = report.consumers.iter().map(|c| c.repo.as_str()).collect();
    assert_eq!(repos, ["platform/b"]);

    let client = client(&fleet);
    let err =
        cascade::run::propagate_with(&client, &fleet.config, &only("platform/zzz"), &mut |_| {})
            .await
            .unwrap_err()
            .to_string();
    assert!(err.contains("--only platform/zzz: not a consumer"), "{err}");
}

const CONTENTS: &str = "/api/v1/repos/platform/checkout/contents";
const PULLS_CHECKOUT: &str = "/api/v1/repos/platform/checkout/pulls";

/// Single-shot within a pass: the 503 fails the pass, and the next pass, a run from the top
/// after the policy's first delay, sends it again.
#[tokio::test(start_paused = true)]
async fn the_commit_is_single_shot_by_default_and_the_next_pass_sends_it_again() {
    let fleet = fleet(&[("checkout", Behind)]).await;
    let on_commit = Match::any().method("POST").path(CONTENTS);
    let rule = FaultRule::new(on_commit, Trigger::FirstN(1), Fault::status(503));
    fleet.fake.faults().add(rule);
    let started = tokio::time::Instant::now();
    let report = propagate_default(&fleet).await;
    let row = &report.consumers[0];
    assert_eq!(row.outcome, Outcome::Created, "{row:?}");
    assert_eq!((row.pass, row.failures.len()), (2, 1), "{row:?}");
    assert!(row.failures[0].contains("HTTP 503"), "{row:?}");
    let log = fleet.fake.requests();
    assert_eq!(calls_to(&log, "POST", CONTENTS), 2, "once per pass");
    assert_eq!(
        calls_to(&log, "GET", "/api/v1/repos/platform/checkout"),
        2,
        "each pass runs from the top"
    );
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn with_one_pass_the_commit_is_single_shot_and_the_consumer_fails() {
    let mut fleet = fleet(&[("checkout", Behind)]).await;
    fleet.config.passes = 1;
    let on_commit = Match::any().method("POST").path(CONTENTS);
    let rule = FaultRule::new(on_commit, Trigger::FirstN(1), Fault::status(503));
    fleet.fake.faults().add(rule);
    let report = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&report, "platform/checkout"), Outcome::Failed);
    assert_eq!(calls_to(&fleet.fake.requests(), "POST", CONTENTS), 1);
}

#[tokio::test(start_paused = true)]
async fn with_retry_commit_a_lost_commit_answer_is_found_not_written_twice() {
    let mut fleet = fleet(&[("checkout", Behind), ("search", Behind)]).await;
    fleet.config.retry_commit = true;
    let first_commit = |repo: &str| {
        let path = format!("/api/v1/repos/platform/{repo}/contents");
        Match::any().method("POST").path(&path)
    };
    let faults = fleet.fake.faults();
    faults.add(FaultRule::new(
        first_commit("checkout"),
        Trigger::FirstN(1),
        Fault::status(503),
    ));
    faults.add(FaultRule::new(
        first_commit("search"),
        Trigger::FirstN(1),
        Fault::apply_then(Fault::status(502)),
    ));
    let report = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&report, "platform/checkout"), Outcome::Created);
    assert_eq!(outcome_of(&report, "platform/search"), Outcome::Created);
    let log = fleet.fake.requests();
    assert_eq!(calls_to(&log, "POST", CONTENTS), 2, "503: sent again");
    let search = "/api/v1/repos/platform/search/contents";
    assert_eq!(
        calls_to(&log, "POST", search),
        1,
        "landed: found, not re-sent"
    );
    for repo in ["platform/checkout", "platform/search"] {
        assert_eq!(open_bump_prs(&fleet.fake, repo), 1, "{repo}");
    }
}

#[tokio::test(start_paused = true)]
async fn with_retry_reads_a_503_on_a_read_is_retried_and_the_pr_post_is_not_retried_twice() {
    let mut fleet = fleet(&[("checkout", Behind)]).await;
    fleet.config.retry_reads = true;
    fleet.config.passes = 1;
    let faults = fleet.fake.faults();
    let repo = Match::any()
        .method("GET")
        .path("/api/v1/repos/platform/checkout");
    faults.add(FaultRule::new(repo, Trigger::FirstN(2), Fault::status(503)));
    faults.add(on_pr_post(Trigger::Always, Fault::status(503)));
    let report = propagate_default(&fleet).await;
    let log = fleet.fake.requests();
    assert_eq!(calls_to(&log, "GET", "/api/v1/repos/platform/checkout"), 3);
    assert_eq!(outcome_of(&report, "platform/checkout"), Outcome::Failed);
    let posts = calls_to(&log, "POST", "/api/v1/repos/platform/checkout/pulls");
    assert_eq!(
        posts, 4,
        "the cascade's own loop only, not nested in the middleware's"
    );
}

/// `--max-rps 5`: the whole run, every consumer in flight together, sends at most 5 requests per
/// second (on the paused clock: its virtual time covers every 200 ms slot).
#[tokio::test(start_paused = true)]
async fn max_rps_spaces_the_requests_of_all_consumers_together() {
    let names: Vec<String> = (0..12).map(|i| format!("svc-{i:02}")).collect();
    let named: Vec<(&str, _)> = names.iter().map(|n| (n.as_str(), Behind)).collect();
    let fleet = fleet(&named).await;
    let per_second = std::num::NonZeroU32::new(5).unwrap();
    let client = cascade::run::connect_capped(
        &fleet.config,
        gitea_api::Token::new(xtask::demo::DEMO_TOKEN),
        Some(per_second),
    )
    .unwrap();
    let options = RunOptions {
        jobs: 12,
        ..RunOptions::default()
    };
    let started = tokio::time::Instant::now();
    let report = cascade::run::propagate_with(&client, &fleet.config, &options, &mut |_| {})
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(
        report.summary.get(&Outcome::Created),
        Some(&12),
        "{report:#?}"
    );
    let slots = report.api_calls - 1;
    assert!(
        elapsed >= std::time::Duration::from_millis(200 * slots),
        "{} requests in {elapsed:?}",
        report.api_calls
    );
    assert!(
        elapsed < std::time::Duration::from_millis(200 * slots + 1_000),
        "and no slower: {elapsed:?}"
    );
}
