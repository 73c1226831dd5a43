//! `[commit] author` and `committer`: the bump commit carries them, and a re-run still knows
//! the branch as the bot's by that exact identity, while any other author stays a conflict.

use cascade::{config::CommitConfig, report::Outcome};
use gitea_api::Identity;
use gitea_fake::fleet::ConsumerState::Behind;

use crate::common::*;

const CI: &str = ".gitea/workflows/ci.yml";

fn identity(name: &str, email: &str) -> Identity {
    Identity {
        name: name.to_owned(),
        email: email.to_owned(),
    }
}

fn platform_bot() -> Identity {
    identity("Platform Bot", "platform-bot@example.com")
}

/// A fleet with `platform/a` behind, the bot configured to write as Platform Bot, committed
/// by Release CI.
async fn fleet_writing_as_platform_bot() -> Fleet {
    let mut fleet = fleet(&[("a", Behind)]).await;
    fleet.config.commit = CommitConfig {
        author: Some(platform_bot()),
        committer: Some(identity("Release CI", "ci@example.com")),
    };
    fleet.fake.store().add_user("mallory");
    fleet.fake.store().add_org_member("platform", "mallory");
    fleet
}

/// The two files of `platform/a` exactly as the bot would write them.
fn bumped(fleet: &Fleet) -> Vec<(&'static str, Vec<u8>)> {
    let store = fleet.fake.store();
    let requirements = store
        .file("platform", "a", "main", "requirements.txt")
        .unwrap();
    let requirements = String::from_utf8(requirements)
        .unwrap()
        .replace(&format!("{PACKAGE}=={OLD}"), &format!("{PACKAGE}=={NEW}"));
    vec![
        ("runtime-version", format!("{NEW}\n").into_bytes()),
        ("requirements.txt", requirements.into_bytes()),
    ]
}

/// Commits `files` on the bump branch of `platform/a` with the git identity `who`.
fn commit_with_identity(fleet: &Fleet, who: &Identity, files: &[(&str, Vec<u8>)]) {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    fleet
        .fake
        .store()
        .commit_files_with_identity(
            ("platform", "a", BRANCH),
            &files,
            &format!("Bump {PACKAGE} to {NEW}"),
            &who.name,
            &who.email,
        )
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_bump_commit_carries_the_configured_author_and_committer_and_stays_ours() {
    let fleet = fleet_writing_as_platform_bot().await;
    let first = propagate_default(&fleet).await;
    assert_eq!(
        outcome_of(&first, "platform/a"),
        Outcome::Created,
        "{first:?}"
    );
    let range = client(&fleet)
        .commits_not_in("platform", "a", BRANCH, "main", 2)
        .await
        .unwrap();
    assert_eq!(range.total, 1);
    let commit = &range.commits[0];
    assert_eq!(commit.git.author, platform_bot());
    assert_eq!(
        commit.git.committer,
        identity("Release CI", "ci@example.com")
    );
    assert_eq!(commit.author, None, "the e-mail is no Gitea user's");

    let again = propagate_default(&fleet).await;
    assert_eq!(
        outcome_of(&again, "platform/a"),
        Outcome::Proposed,
        "{again:?}"
    );
    assert_eq!(open_bump_prs(&fleet.fake, "platform/a"), 1);
}

#[tokio::test(start_paused = true)]
async fn an_orphan_branch_by_the_configured_identity_is_adopted_only_with_that_config() {
    let fleet = fleet_writing_as_platform_bot().await;
    commit_with_identity(&fleet, &platform_bot(), &bumped(&fleet));
    let head = fleet.fake.store().branch_head("platform", "a", BRANCH);

    // The same branch, read by a run that writes as the token's user, is nobody's it knows.
    let mut as_token_user = fleet.config.clone();
    as_token_user.commit = CommitConfig::default();
    let report = cascade::run::propagate_with(
        &client(&fleet),
        &as_token_user,
        &Default::default(),
        &mut |_| {},
    )
    .await
    .unwrap();
    let row = &report.consumers[0];
    assert_eq!(row.outcome, Outcome::Conflict, "{row:?}");
    assert!(
        row.detail
            .as_deref()
            .unwrap_or_default()
            .contains("another author: \"Platform Bot\", who is no Gitea user"),
        "{row:?}"
    );

    let report = propagate_default(&fleet).await;
    assert_eq!(
        outcome_of(&report, "platform/a"),
        Outcome::Adopted,
        "{report:?}"
    );
    assert_eq!(
        fleet.fake.store().branch_head("platform", "a", BRANCH),
        head
    );
    assert_eq!(open_bump_prs(&fleet.fake, "platform/a"), 1);
}

/// Runs propagate; `platform/a` is a conflict naming `foreign`, no PR was opened and the
/// branch is as it was left.
async fn conflict_naming(fleet: &Fleet, foreign: &str) {
    let head = fleet.fake.store().branch_head("platform", "a", BRANCH);
    let report = propagate_default(fleet).await;
    let row = &report.consumers[0];
    assert_eq!(row.outcome, Outcome::Conflict, "{row:?}");
    let detail = row.detail.as_deref().unwrap_or_default();
    assert!(detail.contains(foreign), "{detail:?} lacks {foreign:?}");
    assert!(
        bump_prs(&fleet.fake, "platform/a").is_empty(),
        "a PR was opened"
    );
    assert_eq!(
        fleet.fake.store().branch_head("platform", "a", BRANCH),
        head
    );
}

#[tokio::test(start_paused = true)]
async fn exactly_our_change_by_another_user_is_a_conflict_with_an_author_configured() {
    let fleet = fleet_writing_as_platform_bot().await;
    let mallory = identity("mallory", "mallory@noreply.localhost");
    commit_with_identity(&fleet, &mallory, &bumped(&fleet));
    conflict_naming(&fleet, "another author: mallory").await;
}

#[tokio::test(start_paused = true)]
async fn the_configured_name_with_another_e_mail_is_a_conflict() {
    let fleet = fleet_writing_as_platform_bot().await;
    let lookalike = identity("Platform Bot", "platform-bot@evil.example");
    commit_with_identity(&fleet, &lookalike, &bumped(&fleet));
    conflict_naming(
        &fleet,
        "another author: \"Platform Bot\" <platform-bot@evil.example>, who is no Gitea user nor the configured author",
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn the_configured_identity_is_no_pass_for_an_extra_file() {
    let fleet = fleet_writing_as_platform_bot().await;
    let mut files = bumped(&fleet);
    files.push((CI, b"on: push\n".to_vec()));
    commit_with_identity(&fleet, &platform_bot(), &files);
    conflict_naming(&fleet, &format!("an extra file: {CI}")).await;
}
