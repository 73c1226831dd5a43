//! Superseding: which open bump PRs of older releases the bump PR for this release closes, and
//! what is said when it does. Pure, like the rest of the planner; `apply::supersede` observes
//! and writes.
//!
//! A PR is closed only when the bot opened it and its branch is still exactly the bot's, by the
//! same [`ownership`](super::ownership) rule that adoption uses; anything else is left open and
//! reported.

use serde::Serialize;

use super::{BranchState, PullRef, Target};
use crate::version::RuntimeVersion;

/// An open pull request of the consumer, as superseding reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenPull {
    /// Number and URL.
    pub pr: PullRef,
    /// The head branch.
    pub head: String,
    /// The base branch.
    pub base: String,
    /// Whether the head branch lives in the consumer itself (not a fork).
    pub same_repo: bool,
    /// The login of who opened it, when the server said.
    pub poster: Option<String>,
}

/// An open bump PR of an older release: a candidate for superseding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OlderBump {
    /// Number and URL.
    pub pr: PullRef,
    /// The release its branch carries.
    pub version: RuntimeVersion,
    /// `bump/runtime-A.B.C`.
    pub branch: String,
    /// Who opened it.
    pub poster: Option<String>,
}

impl OlderBump {
    /// The target that bump was for: the same files and package, the older version. Its
    /// [`bump_commit`](super::bump_commit) gives the bytes the branch must hold to be ours.
    pub fn target(&self, current: &Target) -> Target {
        Target {
            version: self.version.clone(),
            ..current.clone()
        }
    }
}

/// The open bump PRs of releases older than `target`'s, from the consumer's own branches into
/// `default_branch`, oldest release first.
pub fn older_bumps(open: &[OpenPull], target: &Target, default_branch: &str) -> Vec<OlderBump> {
    let mut older: Vec<OlderBump> = open
        .iter()
        .filter(|pull| pull.same_repo && pull.base == default_branch)
        .filter_map(|pull| {
            let version = RuntimeVersion::from_bump_branch(&pull.head)?;
            (version < target.version).then(|| OlderBump {
                pr: pull.pr.clone(),
                version,
                branch: pull.head.clone(),
                poster: pull.poster.clone(),
            })
        })
        .collect();
    older.sort_by(|a, b| (&a.version, a.pr.number).cmp(&(&b.version, b.pr.number)));
    older
}

/// The next step for one older bump PR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Learn whether its branch is still exactly the bot's, then decide again.
    InspectBranch,
    /// Comment, close the PR, delete its branch.
    Close {
        /// The comment naming the new PR.
        comment: String,
    },
    /// Dry run: it would be closed.
    WouldClose,
    /// Leave it open; the reason is reported.
    Leave(String),
}

/// Decides what happens to `older` once the bump PR for `target` exists (`new_pr`; `None` in a
/// dry run, where nothing is written). `bot` is the token's login; `branch` is `None` until
/// inspected.
pub fn supersede(
    older: &OlderBump,
    bot: &str,
    branch: Option<&BranchState>,
    new_pr: Option<&PullRef>,
    target: &Target,
) -> Step {
    match older.poster.as_deref() {
        Some(poster) if poster.eq_ignore_ascii_case(bot) => {}
        Some(poster) => return Step::Leave(format!("opened by {poster}, not by the bot")),
        None => return Step::Leave("opened by an unknown user, not by the bot".to_owned()),
    }
    match branch {
        None => Step::InspectBranch,
        Some(BranchState::Foreign(why)) => Step::Leave(format!(
            "{} has changes that are not ours ({why})",
            older.branch
        )),
        Some(BranchState::Absent) => Step::Leave(format!("{} is gone", older.branch)),
        Some(BranchState::Ours) => match new_pr {
            None => Step::WouldClose,
            Some(new) => Step::Close {
                comment: comment(older, new, target),
            },
        },
    }
}

/// The comment left on a superseded PR.
fn comment(older: &OlderBump, new: &PullRef, target: &Target) -> String {
    format!(
        "Superseded by #{number} ({url}), which bumps `{package}` to {version}.\n\n\
         `cargo xtask propagate` closed this pull request for {old} and deleted its branch \
         `{branch}`, which held only its own bump commit; nothing else was touched.\n",
        number = new.number,
        url = new.url,
        package = target.package,
        version = target.version,
        old = older.version,
        branch = older.branch,
    )
}

/// What superseding did, or would do, to one older bump PR: the report's entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Superseded {
    /// The older PR's number.
    pub number: u64,
    /// Its web URL.
    pub url: String,
    /// The release it bumped to.
    pub version: String,
    /// What happened to it.
    pub action: SupersedeAction,
    /// Why it was left open, or what failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What happened to a superseded PR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupersedeAction {
    /// Commented on, closed, its branch deleted.
    Closed,
    /// Dry run: would be closed.
    WouldClose,
    /// Not the bot's, or its branch is not exactly the bot's: left open for a human.
    LeftOpen,
    /// A request failed part-way; the detail says which, and a re-run tries again.
    Failed,
}

impl Superseded {
    /// The entry for `older`.
    pub fn new(older: &OlderBump, action: SupersedeAction, detail: Option<String>) -> Superseded {
        Superseded {
            number: older.pr.number,
            url: older.pr.url.clone(),
            version: older.version.to_string(),
            action,
            detail,
        }
    }

    /// One line for the row's detail.
    pub fn note(&self) -> String {
        let what = format!("PR #{} ({})", self.number, self.version);
        let why = self.detail.as_deref().unwrap_or_default();
        match self.action {
            SupersedeAction::Closed => format!("superseded {what}: closed, branch deleted"),
            SupersedeAction::WouldClose => format!("would supersede {what}"),
            SupersedeAction::LeftOpen => format!("older bump {what} left open: {why}"),
            SupersedeAction::Failed => format!("superseding {what} failed: {why}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PullState;

    fn target(version: &str) -> Target {
        Target {
            version: RuntimeVersion::parse(version).unwrap(),
            package: "platform-runtime".to_owned(),
            version_file: "runtime-version".to_owned(),
            requirements_file: "requirements.txt".to_owned(),
        }
    }

    fn pr(number: u64) -> PullRef {
        PullRef {
            number,
            url: format!("https://g/platform/a/pulls/{number}"),
            state: PullState::Open,
        }
    }

    fn open(number: u64, head: &str) -> OpenPull {
        OpenPull {
            pr: pr(number),
            head: head.to_owned(),
            base: "main".to_owned(),
            same_repo: true,
            poster: Some("bot".to_owned()),
        }
    }

    #[test]
    fn only_own_bump_prs_of_older_releases_into_the_default_branch_are_candidates() {
        let fork = OpenPull {
            same_repo: false,
            ..open(5, "bump/runtime-1.4.0")
        };
        let other_base = OpenPull {
            base: "dev".to_owned(),
            ..open(6, "bump/runtime-1.4.0")
        };
        let pulls = [
            open(1, "bump/runtime-1.5.0"),
            open(2, "bump/runtime-1.5.1"),
            open(3, "bump/runtime-1.6.0"),
            open(4, "feature/x"),
            open(7, "bump/runtime-1.5.0-rc.1"),
            open(8, "bump/runtime-1.4.9"),
            fork,
            other_base,
        ];
        let found: Vec<(u64, String)> = older_bumps(&pulls, &target("1.5.1"), "main")
            .into_iter()
            .map(|o| (o.pr.number, o.version.to_string()))
            .collect();
        assert_eq!(
            found,
            [(8, "1.4.9".to_owned()), (1, "1.5.0".to_owned())],
            "older releases only, oldest first"
        );
        // Numeric order: 1.5.9 is older than 1.5.10.
        let numeric = [open(1, "bump/runtime-1.5.9")];
        assert_eq!(older_bumps(&numeric, &target("1.5.10"), "main").len(), 1);
        assert!(older_bumps(&numeric, &target("1.5.9"), "main").is_empty());
    }

    #[test]
    fn an_older_bump_is_checked_against_its_own_release_not_the_new_one() {
        let new = target("1.5.1");
        let older = older_bumps(&[open(3, "bump/runtime-1.5.0")], &new, "main");
        let old_target = older[0].target(&new);
        assert_eq!(old_target.version, RuntimeVersion::parse("1.5.0").unwrap());
        assert_eq!(old_target.branch(), "bump/runtime-1.5.0");
        assert_eq!(
            (
                old_target.package,
                old_target.version_file,
                old_target.requirements_file
            ),
            (new.package, new.version_file, new.requirements_file)
        );
    }

    #[test]
    fn an_older_pr_is_closed_only_when_the_bot_opened_it_and_its_branch_is_ours() {
        let target = target("1.5.1");
        let older = older_bumps(&[open(3, "bump/runtime-1.5.0")], &target, "main").remove(0);
        let new = pr(9);
        assert_eq!(
            supersede(&older, "Bot", None, Some(&new), &target),
            Step::InspectBranch
        );
        let Step::Close { comment } =
            supersede(&older, "bot", Some(&BranchState::Ours), Some(&new), &target)
        else {
            panic!("expected close");
        };
        assert!(
            comment.starts_with(
                "Superseded by #9 (https://g/platform/a/pulls/9), which bumps `platform-runtime` to 1.5.1."
            ),
            "{comment}"
        );
        assert!(comment.contains("deleted its branch `bump/runtime-1.5.0`"));
        assert_eq!(
            supersede(&older, "bot", Some(&BranchState::Ours), None, &target),
            Step::WouldClose
        );
        let foreign = BranchState::Foreign("another author: mallory".to_owned());
        assert_eq!(
            supersede(&older, "bot", Some(&foreign), Some(&new), &target),
            Step::Leave(
                "bump/runtime-1.5.0 has changes that are not ours (another author: mallory)"
                    .to_owned()
            )
        );
        assert_eq!(
            supersede(
                &older,
                "bot",
                Some(&BranchState::Absent),
                Some(&new),
                &target
            ),
            Step::Leave("bump/runtime-1.5.0 is gone".to_owned())
        );
        let by_alice = OlderBump {
            poster: Some("alice".to_owned()),
            ..older.clone()
        };
        assert_eq!(
            supersede(
                &by_alice,
                "bot",
                Some(&BranchState::Ours),
                Some(&new),
                &target
            ),
            Step::Leave("opened by alice, not by the bot".to_owned())
        );
        let by_nobody = OlderBump {
            poster: None,
            ..older
        };
        assert!(matches!(
            supersede(&by_nobody, "bot", None, Some(&new), &target),
            Step::Leave(_)
        ));
    }

    #[test]
    fn notes_say_what_happened_in_one_line() {
        let target = target("1.5.1");
        let older = older_bumps(&[open(3, "bump/runtime-1.5.0")], &target, "main").remove(0);
        let note = |action, detail: Option<&str>| {
            Superseded::new(&older, action, detail.map(str::to_owned)).note()
        };
        assert_eq!(
            note(SupersedeAction::Closed, None),
            "superseded PR #3 (1.5.0): closed, branch deleted"
        );
        assert_eq!(
            note(SupersedeAction::WouldClose, None),
            "would supersede PR #3 (1.5.0)"
        );
        assert_eq!(
            note(
                SupersedeAction::LeftOpen,
                Some("opened by alice, not by the bot")
            ),
            "older bump PR #3 (1.5.0) left open: opened by alice, not by the bot"
        );
    }
}
