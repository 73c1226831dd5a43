//! Superseding: a 1.5.1 run closes the bot's open 1.5.0 bump PRs with a comment naming the new
//! PR and deletes their branches, and leaves open (and reports) any PR someone pushed to.

use cascade::{
    plan::SupersedeAction,
    report::{Outcome, Report},
    run::RunOptions,
    version::RuntimeVersion,
};
use gitea_fake::{PullState, fleet::ConsumerState::Behind};

use crate::common::*;

const NEXT: &str = "1.5.1";
const NEXT_BRANCH: &str = "bump/runtime-1.5.1";
const REPOS: [&str; 3] = ["a", "b", "c"];

fn release(version: &str) -> RunOptions {
    RunOptions {
        version: Some(RuntimeVersion::parse(version).unwrap()),
        ..RunOptions::default()
    }
}

/// Every open PR of `platform/<repo>` from a bump branch, as (head, number).
fn open_bumps(fleet: &Fleet, repo: &str) -> Vec<(String, i64)> {
    fleet
        .fake
        .store()
        .pulls("platform", repo)
        .into_iter()
        .filter(|pr| pr.state == PullState::Open && pr.head.starts_with("bump/runtime-"))
        .map(|pr| (pr.head, pr.number))
        .collect()
}

fn row<'a>(report: &'a Report, repo: &str) -> &'a cascade::report::ConsumerResult {
    report
        .consumers
        .iter()
        .find(|row| row.repo == format!("platform/{repo}"))
        .unwrap()
}

/// Three consumers behind, and a 1.5.0 run that opens a PR in each.
async fn after_150() -> Fleet {
    let fleet = fleet(&[("a", Behind), ("b", Behind), ("c", Behind)]).await;
    let first = propagate(&fleet, &release(NEW)).await;
    assert_eq!(first.summary.get(&Outcome::Created), Some(&3), "{first:#?}");
    fleet
}

#[tokio::test(start_paused = true)]
async fn a_150_run_then_a_151_run_leaves_one_open_bump_pr_per_consumer_and_deletes_our_branches() {
    let fleet = after_150().await;
    let second = propagate(&fleet, &release(NEXT)).await;
    assert_eq!(second.exit_code(), 0, "{second:#?}");
    for repo in REPOS {
        let open = open_bumps(&fleet, repo);
        assert_eq!(open.len(), 1, "platform/{repo}: {open:?}");
        assert_eq!(open[0].0, NEXT_BRANCH);
        let branches = fleet.fake.store().branches("platform", repo);
        assert!(
            !branches.contains(&BRANCH.to_owned()),
            "{BRANCH} still exists in {repo}: {branches:?}"
        );
        let row = row(&second, repo);
        assert_eq!(row.outcome, Outcome::Created);
        let new_pr = row.pr.as_ref().unwrap();
        assert_eq!(row.superseded.len(), 1, "{row:?}");
        let entry = &row.superseded[0];
        assert_eq!(
            (entry.action, entry.version.as_str()),
            (SupersedeAction::Closed, NEW)
        );
        let old = bump_prs(&fleet.fake, &format!("platform/{repo}"));
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].state, PullState::Closed, "closed, not merged");
        assert_eq!(entry.number, u64::try_from(old[0].number).unwrap());
        let comments = fleet.fake.store().comments("platform", repo, old[0].number);
        assert_eq!(comments.len(), 1, "{comments:?}");
        assert_eq!(comments[0].poster, gitea_fake::fleet::BOT);
        let naming = format!("Superseded by #{} ({})", new_pr.number, new_pr.url);
        assert!(
            comments[0].body.starts_with(&naming),
            "{}",
            comments[0].body
        );
        let detail = row.detail.as_deref().unwrap_or_default();
        assert!(
            detail.contains(&format!(
                "superseded PR #{} (1.5.0): closed, branch deleted",
                entry.number
            )),
            "{detail}"
        );
    }
    let json = serde_json::to_value(&second).unwrap();
    assert_eq!(
        json["consumers"][0]["superseded"][0]["action"],
        serde_json::json!("closed")
    );
    let third = propagate(&fleet, &release(NEXT)).await;
    for repo in REPOS {
        let row = row(&third, repo);
        assert_eq!(row.outcome, Outcome::Proposed);
        assert!(row.superseded.is_empty(), "nothing left to supersede");
        assert_eq!(open_bumps(&fleet, repo).len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn a_150_pr_someone_pushed_to_stays_open_and_is_reported() {
    let fleet = after_150().await;
    let store = fleet.fake.store();
    store.add_user("mallory");
    store.add_org_member("platform", "mallory");
    store
        .commit_files_as(
            "platform",
            "c",
            BRANCH,
            &[("notes.txt", b"keep this\n")],
            "my work",
            Some("mallory"),
        )
        .unwrap();
    let second = propagate(&fleet, &release(NEXT)).await;
    assert_eq!(
        second.exit_code(),
        0,
        "the new PR stands; the old one is a note"
    );
    let c = row(&second, "c");
    assert_eq!(c.outcome, Outcome::Created);
    assert_eq!(c.superseded.len(), 1);
    let entry = &c.superseded[0];
    assert_eq!(entry.action, SupersedeAction::LeftOpen);
    let why = entry.detail.as_deref().unwrap();
    assert!(
        why.contains("bump/runtime-1.5.0 has changes that are not ours (an extra commit"),
        "{why}"
    );
    let detail = c.detail.as_deref().unwrap();
    assert!(detail.contains("older bump PR #"), "{detail}");
    assert!(detail.contains("left open"), "{detail}");
    let open = open_bumps(&fleet, "c");
    assert_eq!(open.len(), 2, "{open:?}");
    assert!(store.branches("platform", "c").contains(&BRANCH.to_owned()));
    assert!(
        store
            .comments("platform", "c", open[0].1.min(open[1].1))
            .is_empty(),
        "no comment on a PR left alone"
    );
    for repo in ["a", "b"] {
        assert_eq!(open_bumps(&fleet, repo).len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn a_pr_a_human_opened_from_an_older_bump_branch_is_left_open() {
    let fleet = after_150().await;
    let store = fleet.fake.store();
    let old = bump_prs(&fleet.fake, "platform/a")[0].number;
    store.set_pull_poster("platform", "a", old, "alice");
    let second = propagate(&fleet, &release(NEXT)).await;
    let a = row(&second, "a");
    assert_eq!(a.superseded[0].action, SupersedeAction::LeftOpen);
    assert_eq!(
        a.superseded[0].detail.as_deref(),
        Some("opened by alice, not by the bot")
    );
    assert_eq!(open_bumps(&fleet, "a").len(), 2);
    assert!(store.branches("platform", "a").contains(&BRANCH.to_owned()));
}

#[tokio::test(start_paused = true)]
async fn a_dry_run_says_what_it_would_supersede_and_writes_nothing() {
    let fleet = after_150().await;
    fleet.fake.clear_requests();
    let options = RunOptions {
        dry_run: true,
        ..release(NEXT)
    };
    let dry = propagate(&fleet, &options).await;
    for repo in REPOS {
        let row = row(&dry, repo);
        assert_eq!(row.outcome, Outcome::WouldCreate);
        assert_eq!(row.superseded[0].action, SupersedeAction::WouldClose);
        assert!(
            row.detail
                .as_deref()
                .unwrap()
                .contains("would supersede PR #")
        );
    }
    assert!(writes(&fleet.fake.requests()).is_empty());
}

#[tokio::test(start_paused = true)]
async fn switched_off_superseding_leaves_older_prs_alone() {
    let mut fleet = after_150().await;
    fleet.config.pull_request.supersede = false;
    let second = propagate(&fleet, &release(NEXT)).await;
    for repo in REPOS {
        assert!(row(&second, repo).superseded.is_empty());
        assert_eq!(open_bumps(&fleet, repo).len(), 2);
    }
    let body = &fleet
        .fake
        .store()
        .pulls("platform", "a")
        .into_iter()
        .find(|pr| pr.head == NEXT_BRANCH)
        .unwrap()
        .body;
    assert!(!body.contains("closes this one"), "{body}");
}

#[tokio::test(start_paused = true)]
async fn drift_names_older_bump_prs_still_open() {
    let fleet = after_150().await;
    let drift = |fleet: &Fleet| {
        let client = client(fleet);
        let config = fleet.config.clone();
        async move {
            cascade::run::drift_with(&client, &config, &release(NEXT))
                .await
                .unwrap()
        }
    };
    let before = drift(&fleet).await;
    for row in &before.consumers {
        assert_eq!(row.status, cascade::drift::DriftStatus::BehindNoPr);
        let detail = row.detail.as_deref().unwrap_or_default();
        assert!(
            detail.starts_with("older bump PR #")
                && detail.ends_with(
                    "(1.5.0) still open; propagate supersedes it if it is still the bot's"
                ),
            "{detail}"
        );
    }
    assert!(before.table().contains("older bump PR #"));
    propagate(&fleet, &release(NEXT)).await;
    let after = drift(&fleet).await;
    for row in &after.consumers {
        assert_eq!(row.status, cascade::drift::DriftStatus::BehindPrOpen);
        assert_eq!(row.detail, None, "{row:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn without_write_issue_the_older_pr_stays_open_with_a_note_and_the_new_pr_stands() {
    let fleet = after_150().await;
    let scopes: gitea_fake::TokenScopes = "write:repository,read:organization,read:user"
        .parse()
        .unwrap();
    fleet
        .fake
        .store()
        .add_token("no-issue", xtask::demo::DEMO_USER, scopes);
    let client = cascade::run::connect(&fleet.config, gitea_api::Token::new("no-issue")).unwrap();
    let second = cascade::run::propagate_with(&client, &fleet.config, &release(NEXT), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(second.exit_code(), 0, "{second:#?}");
    for repo in REPOS {
        let row = row(&second, repo);
        assert_eq!(row.outcome, Outcome::Created);
        let entry = &row.superseded[0];
        assert_eq!(entry.action, SupersedeAction::Failed);
        let why = entry.detail.as_deref().unwrap();
        assert!(
            why.starts_with("commenting failed, the PR is still open: ")
                && why.contains("write:issue"),
            "{why}"
        );
        assert_eq!(open_bumps(&fleet, repo).len(), 2);
    }
}
