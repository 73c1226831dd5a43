//! The bump PR's body says what the bump changed, from the plan: each file old -> new, each
//! requirements line left alone and why, what closing the PR means, and the release notes.

use crate::common::*;
use cascade::{report::Outcome, template::Template};
use gitea_fake::fleet::ConsumerState::*;

fn body_of(fleet: &Fleet, repo: &str) -> String {
    let prs = bump_prs(&fleet.fake, repo);
    assert_eq!(prs.len(), 1, "{repo}: {prs:?}");
    prs[0].body.clone()
}

#[tokio::test(start_paused = true)]
async fn the_body_lists_each_change_what_was_left_alone_and_what_closing_means() {
    let mut fleet = fleet(&[("pinned", Behind), ("ranged", NoPin), ("orphan", Orphan)]).await;
    fleet.config.pull_request.changelog_url = Some(
        Template::parse(
            "https://gitea.example.com/platform/runtime/compare/v{old_version}...v{version}",
        )
        .unwrap(),
    );
    let report = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&report, "platform/pinned"), Outcome::Created);
    assert_eq!(outcome_of(&report, "platform/ranged"), Outcome::Created);
    assert_eq!(outcome_of(&report, "platform/orphan"), Outcome::Adopted);
    let release_notes =
        "\nRelease notes: https://gitea.example.com/platform/runtime/compare/v1.4.2...v1.5.0\n";
    let closing = "Closing this pull request without merging declines 1.5.0 for this repository: `cargo xtask propagate` will not propose 1.5.0 again.";

    let pinned = body_of(&fleet, "platform/pinned");
    assert!(
        pinned.contains(
            "### What changed\n\n\
             - `runtime-version`: 1.4.2 -> 1.5.0\n\
             - `requirements.txt` line 2: `platform-runtime==1.4.2`, 1.4.2 -> 1.5.0\n"
        ),
        "{pinned}"
    );
    assert!(pinned.contains(release_notes), "{pinned}");
    assert!(pinned.contains(closing), "{pinned}");

    let ranged = body_of(&fleet, "platform/ranged");
    assert!(
        ranged.contains("- `runtime-version`: 1.4.2 -> 1.5.0\n- `requirements.txt` line 2, left alone: `platform-runtime>=1.4`;"),
        "{ranged}"
    );
    assert!(
        !ranged.contains("line 2: `platform-runtime"),
        "no bumped line: {ranged}"
    );
    assert!(ranged.contains(closing), "{ranged}");

    let orphan = body_of(&fleet, "platform/orphan");
    assert!(
        orphan.contains("- `requirements.txt` line 2: `platform-runtime==1.4.2`, 1.4.2 -> 1.5.0\n"),
        "an adopted PR says the same: {orphan}"
    );
}

#[tokio::test(start_paused = true)]
async fn without_a_requirements_file_the_body_says_only_the_version_file_changed() {
    let fleet = fleet(&[("solo", Behind)]).await;
    fleet
        .fake
        .store()
        .delete_files(
            "platform",
            "solo",
            "main",
            &["requirements.txt"],
            "no pins here",
        )
        .unwrap();
    let report = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&report, "platform/solo"), Outcome::Created);
    let body = body_of(&fleet, "platform/solo");
    assert!(
        body.contains("- `runtime-version`: 1.4.2 -> 1.5.0\n- no requirements.txt; only runtime-version bumped\n"),
        "{body}"
    );
    assert!(!body.contains("Release notes"), "{body}");
}

#[tokio::test(start_paused = true)]
async fn a_draft_pr_has_gitea_s_wip_prefix_and_gitea_reports_it_as_draft() {
    for draft in [true, false] {
        let mut fleet = fleet(&[("a", Behind)]).await;
        fleet.config.pull_request.draft = draft;
        let report = propagate_default(&fleet).await;
        let pr = report.consumers[0].pr.clone().expect("a PR");
        let read = client(&fleet)
            .get_pull("platform", "a", pr.number)
            .await
            .unwrap();
        let title = format!("Bump {PACKAGE} to {NEW}");
        let expected = if draft {
            format!("WIP: {title}")
        } else {
            title
        };
        assert_eq!(read.title, expected);
        assert_eq!(read.draft, draft, "Gitea reports a WIP title as a draft");
    }
}
