//! Planning: a pure function from what was observed of one consumer to the next action.
//!
//! The applier observes a little, asks [`plan`], and either observes more
//! ([`Action::Observe`]), writes, or stops. No I/O happens here, so every seeded state and every
//! race is a plain unit test.

use serde::Serialize;

use crate::{
    repo::RepoName,
    requirements::{self, Bump, Decision, LineReport, check_bump, decide, rewrite_version_file},
    version::RuntimeVersion,
};

mod includes;
mod supersede;

pub use includes::{MAX_INCLUDED_FILES, include_path};
pub use supersede::{
    OlderBump, OpenPull, Step as SupersedeStep, SupersedeAction, Superseded, older_bumps, supersede,
};

/// Files larger than this are not read as a version file.
pub const MAX_VERSION_FILE_BYTES: usize = 1024 * 1024;

/// What the cascade is propagating.
#[derive(Clone, Debug)]
pub struct Target {
    /// The release.
    pub version: RuntimeVersion,
    /// The runtime's package name in requirements files.
    pub package: String,
    /// The version file's path.
    pub version_file: String,
    /// The requirements file's path.
    pub requirements_file: String,
}

impl Target {
    /// The bump of requirements file `file` from `current` to this release.
    fn bump_of<'a>(&'a self, file: &'a str, current: &'a RuntimeVersion) -> Bump<'a> {
        Bump {
            file,
            package: &self.package,
            current,
            new: &self.version,
        }
    }

    /// `bump/runtime-X.Y.Z`.
    pub fn branch(&self) -> String {
        self.version.bump_branch()
    }

    /// The first line of the bump commit's message.
    pub fn commit_subject(&self) -> String {
        format!("Bump {} to {}", self.package, self.version)
    }
}

/// A file as read from Gitea.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedFile {
    /// The blob sha, sent back as the write's precondition.
    pub sha: String,
    /// The decoded content.
    pub bytes: Vec<u8>,
}

/// A file the requirements file pulls in with `-r` or `-c`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Included {
    /// A file of the repository (see [`include_path`]); `None` when the default branch does not
    /// have it.
    File {
        /// Its path in the repository.
        path: String,
        /// Its content.
        file: Option<ObservedFile>,
    },
    /// An include the bot does not read.
    Unread {
        /// The include as written.
        written: String,
        /// Why, completing "which ...": for example "is a URL".
        why: String,
    },
}

/// The state of a bump pull request found by base and head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PullState {
    /// Open.
    Open,
    /// Closed without merging.
    Closed,
    /// Merged.
    Merged,
}

/// A bump pull request: what the planner reads of it, and what the report and drift link to.
///
/// It serializes as `{"number", "url"}`, the report's documented shape; the state is what the
/// planner decides on, and the row's outcome already says it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PullRef {
    /// Its number.
    pub number: u64,
    /// Its web URL.
    pub url: String,
    /// Its state.
    #[serde(skip)]
    pub state: PullState,
}

/// Where a consumer's version stands against the release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Standing {
    /// Older than the release: a target.
    Behind,
    /// On the release.
    Current,
    /// Newer than the release: never downgraded.
    Ahead,
}

/// The one rule that decides who is behind, shared by the planner and drift.
///
/// Versions are plain `X.Y.Z` ([`RuntimeVersion`] refuses pre-releases and build metadata), so
/// this is the numeric order of major, then minor, then patch.
pub fn standing(current: &RuntimeVersion, release: &RuntimeVersion) -> Standing {
    match current.cmp(release) {
        std::cmp::Ordering::Less => Standing::Behind,
        std::cmp::Ordering::Equal => Standing::Current,
        std::cmp::Ordering::Greater => Standing::Ahead,
    }
}

/// What exists at `bump/runtime-X.Y.Z`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BranchState {
    /// No such branch.
    Absent,
    /// The branch holds exactly our change, written by us (see [`ownership`]).
    Ours,
    /// The branch holds something else; the reason says what is foreign.
    Foreign(String),
}

/// What a bump branch holds beyond the default branch, as [`ownership`] reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchEvidence {
    /// The commits reachable from the branch and not from the default branch, newest first
    /// (the first two are enough). A lone one's parents are therefore the default branch's
    /// head or its ancestors.
    pub commits: Vec<CommitEvidence>,
    /// How many such commits there are in all.
    pub total: u64,
    /// The version file and the requirements file on the branch, in that order.
    pub files: Vec<Option<Vec<u8>>>,
}

/// One commit of a bump branch, as [`ownership`] reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitEvidence {
    /// The login of the Gitea user its author e-mail belongs to; `None` when it is nobody's.
    pub author: Option<String>,
    /// The author name written in the commit, to name an unknown author.
    pub author_name: String,
    /// The author e-mail written in the commit.
    pub author_email: String,
    /// How many parents it has.
    pub parents: usize,
    /// The paths it changes; `None` when the server did not say.
    pub changed: Option<Vec<String>>,
}

/// How a repository came to be visited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    /// Named in `[consumers] repos`: a consumer whatever it holds.
    Named,
    /// Found in an org of `[consumers] orgs`: a consumer only with a version file.
    Discovered,
}

/// Whether a repository is a consumer, and whether it is a target: the one rule propagate and
/// drift share (see [`membership`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Membership {
    /// Discovered in an org, but empty or without a version file: not a consumer, and no row.
    NotAConsumer,
    /// A consumer, archived: read-only, so never a target. Propagate says `skipped (archived)`,
    /// and so does drift, neither needing attention.
    Archived,
    /// A named consumer that is empty or has no version file; the reason says which. Propagate
    /// skips it; drift cannot tell its version and says `unknown`.
    Unreadable(String),
    /// A consumer whose version decides the rest.
    Consumer,
}

/// Decides [`Membership`] from the repository and whether its version file exists.
pub fn membership(obs: &Observation, version_file: &str) -> Membership {
    let readable = !obs.empty && obs.version_file.is_some();
    if obs.listing == Listing::Discovered && !readable {
        return Membership::NotAConsumer;
    }
    if obs.archived {
        return Membership::Archived;
    }
    if obs.empty {
        return Membership::Unreadable("empty repository".to_owned());
    }
    if obs.version_file.is_none() {
        return Membership::Unreadable(format!("no {version_file} on {}", obs.default_branch));
    }
    Membership::Consumer
}

/// Everything known about one consumer so far.
#[derive(Clone, Debug)]
pub struct Observation {
    /// The repository.
    pub repo: RepoName,
    /// How it was found; see [`membership`].
    pub listing: Listing,
    /// Its default branch.
    pub default_branch: String,
    /// Archived repositories are read-only.
    pub archived: bool,
    /// A repository without commits.
    pub empty: bool,
    /// The version file on the default branch; `None` when missing.
    pub version_file: Option<ObservedFile>,
    /// The requirements file on the default branch; `None` when missing.
    pub requirements: Option<ObservedFile>,
    /// The files it pulls in with `-r` or `-c`, nested ones too, in the order found.
    pub included: Vec<Included>,
    /// The bump PR: `None` until looked up, `Some(None)` when there is none.
    pub bump_pull: Option<Option<PullRef>>,
    /// The bump branch: `None` until looked up.
    pub bump_branch: Option<BranchState>,
}

/// What the applier needs to learn before the plan can go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Any pull request from the bump branch into the default branch.
    BumpPull,
    /// Whether the bump branch exists, and whether it is ours.
    BumpBranch,
}

/// Where a consumer ends up without writing anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Not a consumer after all (see [`Membership::NotAConsumer`]): no row.
    NotAConsumer,
    /// The default branch already has the version.
    UpToDate,
    /// An open bump PR exists.
    Proposed(PullRef),
    /// A bump PR was closed without merging (or merged and reverted): not reopened.
    Declined(PullRef, String),
    /// The bump branch has changes that are not ours: never overwritten.
    Conflict(String),
    /// Not a target: archived, empty, no version file, or ahead.
    Skipped(String),
    /// A target that cannot be bumped until a human fixes it.
    Failed(String),
    /// Bumping would leave the consumer half-bumped (a hashed pin, a specifier that excludes the
    /// new version...): nothing is written until a human changes the consumer.
    NeedsHuman(String),
}

/// The commit that creates the bump branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BumpCommit {
    /// The version the consumer had.
    pub old_version: String,
    /// Files to update: path, precondition blob sha, new content.
    pub files: Vec<FileUpdate>,
    /// What the report should say about the requirements file: which lines changed, which were
    /// left alone and why, or why the whole file was.
    pub note: Option<String>,
    /// Every line of the requirements file that names the package, and what the bump does to it.
    pub lines: Vec<LineReport>,
}

impl BumpCommit {
    /// What the commit changes, one Markdown list item per file or line, for the PR body.
    pub fn changes(&self, target: &Target) -> Vec<String> {
        let mut items = vec![format!(
            "`{}`: {} -> {}",
            target.version_file, self.old_version, target.version
        )];
        items.extend(requirements::markdown(
            &target.requirements_file,
            &self.lines,
        ));
        if self.lines.is_empty()
            && let Some(note) = &self.note
        {
            items.push(note.clone());
        }
        items
    }
}

/// One file of the bump commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileUpdate {
    /// Path in the repository.
    pub path: String,
    /// The blob sha it must still have on the default branch.
    pub sha: String,
    /// The new content.
    pub content: Vec<u8>,
}

/// The next step for one consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Learn more, then plan again.
    Observe(Lookup),
    /// Stop here.
    Settle(Settled),
    /// Write the bump commit on a new branch, then open the PR.
    Create(BumpCommit),
    /// The branch is ours but has no open PR (the orphan of the incident): open the PR.
    Adopt {
        /// The version the consumer had.
        old_version: String,
    },
}

/// Whether the bump branch is looked up before writing (dry runs) or learned from the write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BranchProbe {
    /// Apply mode: the write's 422 "branch already exists" says it; no call is spent.
    FromWrite,
    /// Dry run: spend one look-up, since nothing is written.
    LookUp,
}

/// Decides the next action for one consumer.
pub fn plan(obs: &Observation, target: &Target, probe: BranchProbe) -> Action {
    let version_file = match (membership(obs, &target.version_file), &obs.version_file) {
        (Membership::Consumer, Some(file)) => file,
        (Membership::NotAConsumer, _) => return Action::Settle(Settled::NotAConsumer),
        (Membership::Archived, _) => return skip("archived"),
        (Membership::Unreadable(why), _) => return skip(&why),
        (Membership::Consumer, None) => return skip("no version file"),
    };
    let current = match read_version(&version_file.bytes, &target.version_file) {
        Ok(v) => v,
        Err(reason) => return Action::Settle(Settled::Failed(reason)),
    };
    match standing(&current, &target.version) {
        Standing::Behind => {}
        Standing::Current => return Action::Settle(Settled::UpToDate),
        Standing::Ahead => {
            return skip(&format!(
                "ahead: has {current}, newer than {}",
                target.version
            ));
        }
    }
    let pull = match &obs.bump_pull {
        None => return Action::Observe(Lookup::BumpPull),
        Some(pull) => pull,
    };
    match pull {
        Some(pr) if pr.state == PullState::Open => {
            // Without a plan there are no planned bytes the branch could match.
            if let Err(reason) = planned_commit(obs, version_file, target) {
                return Action::Settle(Settled::NeedsHuman(reason));
            }
            let branch = target.branch();
            return match &obs.bump_branch {
                None => Action::Observe(Lookup::BumpBranch),
                Some(BranchState::Ours) => Action::Settle(Settled::Proposed(pr.clone())),
                Some(BranchState::Foreign(why)) => Action::Settle(Settled::Conflict(format!(
                    "PR #{} is open from {branch}, which has changes that are not ours ({why}); left alone",
                    pr.number
                ))),
                Some(BranchState::Absent) => Action::Settle(Settled::Conflict(format!(
                    "PR #{} is open but {branch} is gone; left alone",
                    pr.number
                ))),
            };
        }
        Some(pr) if pr.state == PullState::Closed => {
            let why = format!("PR #{} was closed without merging; not reopened", pr.number);
            return Action::Settle(Settled::Declined(pr.clone(), why));
        }
        Some(pr) => {
            let why = format!(
                "PR #{} was merged but {} is behind again (reverted?); not reopened",
                pr.number, obs.default_branch
            );
            return Action::Settle(Settled::Declined(pr.clone(), why));
        }
        None => {}
    }
    let commit = match planned_commit(obs, version_file, target) {
        Ok(commit) => commit,
        Err(reason) => return Action::Settle(Settled::NeedsHuman(reason)),
    };
    match (&obs.bump_branch, probe) {
        (Some(BranchState::Ours), _) => Action::Adopt {
            old_version: current.to_string(),
        },
        (Some(BranchState::Foreign(why)), _) => Action::Settle(Settled::Conflict(format!(
            "{} exists with changes that are not ours ({why}); never overwritten",
            target.branch()
        ))),
        (None, BranchProbe::LookUp) => Action::Observe(Lookup::BumpBranch),
        (Some(BranchState::Absent), _) | (None, BranchProbe::FromWrite) => Action::Create(commit),
    }
}

/// [`bump_commit`] for what was observed, provided no file the requirements file includes would
/// be left pinning the old version.
fn planned_commit(
    obs: &Observation,
    version_file: &ObservedFile,
    target: &Target,
) -> Result<BumpCommit, String> {
    let commit = bump_commit(version_file, obs.requirements.as_ref(), target)?;
    let current = read_version(&version_file.bytes, &target.version_file)?;
    includes::check(&obs.included, target, &current)?;
    Ok(commit)
}

/// The bump commit, given the default branch's files, or the one-line reason why the consumer
/// needs a human instead (see [`requirements::decide`]). The files the requirements file
/// includes are [`plan`]'s to check.
///
/// # Errors
///
/// The reason, naming the file, the line and what to do.
pub fn bump_commit(
    version_file: &ObservedFile,
    requirements: Option<&ObservedFile>,
    target: &Target,
) -> Result<BumpCommit, String> {
    let current = read_version(&version_file.bytes, &target.version_file)?;
    let version = target.version.to_string();
    let mut files = vec![FileUpdate {
        path: target.version_file.clone(),
        sha: version_file.sha.clone(),
        content: rewrite_version_file(&version_file.bytes, &version),
    }];
    let name = &target.requirements_file;
    let Some(req) = requirements else {
        return Ok(BumpCommit {
            old_version: current.to_string(),
            files,
            note: Some(format!("no {name}; only {} bumped", target.version_file)),
            lines: Vec::new(),
        });
    };
    let (note, lines) = match decide(&req.bytes, &target.bump_of(name, &current)) {
        Decision::Rewrite { content, lines } => {
            files.push(FileUpdate {
                path: name.clone(),
                sha: req.sha.clone(),
                content,
            });
            (requirements::summarize(name, &lines), lines)
        }
        Decision::Keep { lines, includes } if lines.is_empty() => {
            let mut note = format!("{name} has no {} requirement; left alone", target.package);
            match includes.as_slice() {
                [] => {}
                [one] => note.push_str(&format!(" (nor does {one}, which it includes)")),
                many => note.push_str(&format!(" (nor do {}, which it includes)", many.join(", "))),
            }
            (Some(note), lines)
        }
        Decision::Keep { lines, .. } => (requirements::summarize(name, &lines), lines),
        Decision::Refuse(refusal) => return Err(refusal.to_string()),
    };
    Ok(BumpCommit {
        old_version: current.to_string(),
        files,
        note,
        lines,
    })
}

/// The half-bump invariant on the exact files about to be committed, checked again just before
/// the write: only the two files, the version file at exactly the new version, and the
/// requirements file as the commit leaves it passing [`check_bump`].
///
/// # Errors
///
/// The one-line reason; then nothing may be written.
pub fn check_commit(
    files: &[(&str, &[u8])],
    obs: &Observation,
    target: &Target,
) -> Result<(), String> {
    let Some(version_file) = &obs.version_file else {
        return Err(format!(
            "no {} on {}",
            target.version_file, obs.default_branch
        ));
    };
    let current = read_version(&version_file.bytes, &target.version_file)?;
    if standing(&current, &target.version) != Standing::Behind {
        return Err(format!("{current} is not behind {}", target.version));
    }
    let written = |path: &str| files.iter().find(|(p, _)| *p == path).map(|(_, c)| *c);
    if let Some((stray, _)) = files
        .iter()
        .find(|(p, _)| *p != target.version_file && *p != target.requirements_file)
    {
        return Err(format!(
            "the bump would write {stray}, which it never changes"
        ));
    }
    let expected = rewrite_version_file(&version_file.bytes, &target.version.to_string());
    if written(&target.version_file) != Some(expected.as_slice()) {
        return Err(format!(
            "the bump would not write exactly {} to {}",
            target.version, target.version_file
        ));
    }
    let name = &target.requirements_file;
    match (&obs.requirements, written(name)) {
        (Some(before), after) => {
            let after = after.unwrap_or(&before.bytes);
            check_bump(&before.bytes, after, &target.bump_of(name, &current))
                .map_err(|refusal| refusal.to_string())
        }
        (None, Some(_)) => Err(format!("the bump would create {name}, which it never does")),
        (None, None) => Ok(()),
    }
}

/// Who the bot is when [`ownership`] reads a commit's author.
#[derive(Clone, Copy, Debug)]
pub struct Bot<'a> {
    /// The token's own user.
    pub login: &'a str,
    /// The git author the bot writes its commits as, when `[commit]` configures one (see
    /// [`crate::config::CommitConfig::effective_author`]).
    pub author: Option<&'a gitea_api::Identity>,
}

impl<'a> Bot<'a> {
    /// The token's user `login`, writing as itself.
    pub fn user(login: &'a str) -> Bot<'a> {
        Bot {
            login,
            author: None,
        }
    }
}

/// Whether a bump branch is ours: the one rule behind adopting an orphan branch, counting an
/// open PR as proposed, and superseding.
///
/// It is ours only when its commits beyond the default branch are exactly one, authored by
/// the bot (the token's own user, or exactly the name and e-mail of the configured author,
/// which any writer could also write: the checks that follow are the guard), with a single parent (the default branch's head or an
/// ancestor, as [`BranchEvidence::commits`] guarantees), changing exactly the `desired` files
/// to exactly the `desired` bytes. Anything else is [`BranchState::Foreign`], naming the first
/// foreign thing found: no commit, an extra commit, another author, a merge, an extra file, a
/// file that differs.
pub fn ownership(
    desired: &[FileUpdate],
    evidence: &BranchEvidence,
    bot: Bot<'_>,
    target: &Target,
) -> BranchState {
    let foreign = |why: String| BranchState::Foreign(why);
    let Some(commit) = evidence.commits.first().filter(|_| evidence.total > 0) else {
        return foreign("no commit beyond the default branch".to_owned());
    };
    if evidence.total > 1 {
        return foreign(format!(
            "an extra commit: {} commits beyond the default branch, the bump is one",
            evidence.total
        ));
    }
    let configured = bot
        .author
        .is_some_and(|me| commit.author_name == me.name && commit.author_email == me.email);
    match &commit.author {
        _ if configured => {}
        Some(login) if login.eq_ignore_ascii_case(bot.login) => {}
        Some(login) => return foreign(format!("another author: {login}")),
        None if bot.author.is_some() => {
            return foreign(format!(
                "another author: {:?} <{}>, who is no Gitea user nor the configured author",
                shorten(&commit.author_name),
                shorten(&commit.author_email)
            ));
        }
        None => {
            return foreign(format!(
                "another author: {:?}, who is no Gitea user",
                shorten(&commit.author_name)
            ));
        }
    }
    if commit.parents != 1 {
        return foreign(format!("a commit with {} parents", commit.parents));
    }
    let Some(changed) = &commit.changed else {
        return foreign("its commit does not list the files it changes".to_owned());
    };
    if let Some(extra) = changed
        .iter()
        .find(|path| !desired.iter().any(|update| &update.path == *path))
    {
        return foreign(format!("an extra file: {}", shorten(extra)));
    }
    for update in desired {
        let on_branch = if update.path == target.version_file {
            evidence.files.first()
        } else {
            evidence.files.get(1)
        };
        if on_branch.and_then(Option::as_ref) != Some(&update.content) {
            return foreign(format!("{} differs from the bump", update.path));
        }
    }
    BranchState::Ours
}

/// Reads a version file's content as a release version, `X.Y.Z` (see [`RuntimeVersion::parse`]).
///
/// # Errors
///
/// A one-line reason naming the file.
pub fn read_version(bytes: &[u8], file: &str) -> Result<RuntimeVersion, String> {
    if bytes.len() > MAX_VERSION_FILE_BYTES {
        return Err(format!(
            "{file} is {} bytes, over 1 MiB; it should hold one version",
            bytes.len()
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| format!("{file} is not UTF-8 text"))?;
    RuntimeVersion::parse(text).map_err(|err| format!("{file}: {err}"))
}

fn skip(reason: &str) -> Action {
    Action::Settle(Settled::Skipped(reason.to_owned()))
}

fn shorten(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or_default();
    first_line.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn target() -> Target {
        Target {
            version: RuntimeVersion::parse("1.5.0").unwrap(),
            package: "platform-runtime".to_owned(),
            version_file: "runtime-version".to_owned(),
            requirements_file: "requirements.txt".to_owned(),
        }
    }

    pub(super) fn file(content: &str) -> Option<ObservedFile> {
        Some(ObservedFile {
            sha: format!("sha-of-{}", content.len()),
            bytes: content.as_bytes().to_vec(),
        })
    }

    pub(super) fn behind() -> Observation {
        Observation {
            repo: RepoName::parse("platform/svc").unwrap(),
            listing: Listing::Named,
            default_branch: "main".to_owned(),
            archived: false,
            empty: false,
            version_file: file("1.4.2\n"),
            requirements: file("flask==3\nplatform-runtime==1.4.2\n"),
            included: Vec::new(),
            bump_pull: None,
            bump_branch: None,
        }
    }

    fn pull(state: PullState) -> Option<Option<PullRef>> {
        Some(Some(PullRef {
            number: 7,
            url: "http://g/platform/svc/pulls/7".to_owned(),
            state,
        }))
    }

    fn plan_apply(obs: &Observation) -> Action {
        plan(obs, &target(), BranchProbe::FromWrite)
    }

    #[test]
    fn standing_orders_numerically() {
        let v = |s: &str| RuntimeVersion::parse(s).unwrap();
        let release = v("1.5.0");
        let cases = [
            ("1.4.2", Standing::Behind),
            ("1.4.10", Standing::Behind),
            ("1.5.0", Standing::Current),
            ("1.5.1", Standing::Ahead),
            ("1.10.0", Standing::Ahead),
            ("2.0.0", Standing::Ahead),
        ];
        for (current, want) in cases {
            assert_eq!(standing(&v(current), &release), want, "{current}");
        }
    }

    #[test]
    fn membership_is_decided_by_listing_archive_and_version_file() {
        let discovered = Observation {
            listing: Listing::Discovered,
            ..behind()
        };
        let cases = [
            (behind(), Membership::Consumer),
            (discovered.clone(), Membership::Consumer),
            (
                Observation {
                    version_file: None,
                    ..discovered.clone()
                },
                Membership::NotAConsumer,
            ),
            (
                Observation {
                    empty: true,
                    version_file: None,
                    archived: true,
                    ..discovered.clone()
                },
                Membership::NotAConsumer,
            ),
            (
                Observation {
                    archived: true,
                    ..discovered
                },
                Membership::Archived,
            ),
            (
                Observation {
                    archived: true,
                    version_file: None,
                    ..behind()
                },
                Membership::Archived,
            ),
            (
                Observation {
                    empty: true,
                    version_file: None,
                    ..behind()
                },
                Membership::Unreadable("empty repository".to_owned()),
            ),
            (
                Observation {
                    version_file: None,
                    ..behind()
                },
                Membership::Unreadable("no runtime-version on main".to_owned()),
            ),
        ];
        for (obs, want) in cases {
            assert_eq!(membership(&obs, "runtime-version"), want, "{obs:?}");
        }
        let not_a_consumer = Observation {
            listing: Listing::Discovered,
            version_file: None,
            ..behind()
        };
        assert_eq!(
            plan_apply(&not_a_consumer),
            Action::Settle(Settled::NotAConsumer)
        );
    }

    #[test]
    fn up_to_date_needs_no_pr_lookup() {
        let obs = Observation {
            version_file: file("1.5.0\n"),
            ..behind()
        };
        assert_eq!(plan_apply(&obs), Action::Settle(Settled::UpToDate));
    }

    #[test]
    fn behind_asks_for_the_pr_lookup_first() {
        assert_eq!(plan_apply(&behind()), Action::Observe(Lookup::BumpPull));
    }

    #[test]
    fn behind_without_pr_creates_one_commit_with_both_files() {
        let obs = Observation {
            bump_pull: Some(None),
            ..behind()
        };
        let Action::Create(commit) = plan_apply(&obs) else {
            panic!("expected create");
        };
        assert_eq!(commit.old_version, "1.4.2");
        assert_eq!(
            commit.note.as_deref(),
            Some("requirements.txt line 2: 1.4.2 -> 1.5.0")
        );
        let contents: Vec<_> = commit
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.content.as_slice()))
            .collect();
        assert_eq!(
            contents,
            [
                ("runtime-version", b"1.5.0\n".as_slice()),
                (
                    "requirements.txt",
                    b"flask==3\nplatform-runtime==1.5.0\n".as_slice()
                )
            ]
        );
        assert_eq!(commit.files[0].sha, "sha-of-6");
    }

    #[test]
    fn open_pr_is_proposed_only_from_our_branch_closed_is_declined() {
        let open = Observation {
            bump_pull: pull(PullState::Open),
            ..behind()
        };
        assert_eq!(plan_apply(&open), Action::Observe(Lookup::BumpBranch));
        let ours = Observation {
            bump_branch: Some(BranchState::Ours),
            ..open.clone()
        };
        assert!(
            matches!(plan_apply(&ours), Action::Settle(Settled::Proposed(pr)) if pr.number == 7)
        );
        for (branch, reason) in [
            (
                BranchState::Foreign("an extra commit".to_owned()),
                "(an extra commit)",
            ),
            (BranchState::Absent, "is gone"),
        ] {
            let obs = Observation {
                bump_branch: Some(branch),
                ..open.clone()
            };
            match plan_apply(&obs) {
                Action::Settle(Settled::Conflict(why)) => {
                    assert!(
                        why.starts_with("PR #7 is open") && why.contains(reason),
                        "{why}"
                    )
                }
                other => panic!("{other:?}"),
            }
        }
        for state in [PullState::Closed, PullState::Merged] {
            let obs = Observation {
                bump_pull: pull(state),
                ..behind()
            };
            assert!(matches!(
                plan_apply(&obs),
                Action::Settle(Settled::Declined(..))
            ));
        }
    }

    #[test]
    fn our_orphan_branch_is_adopted_a_foreign_one_is_a_conflict() {
        let orphan = Observation {
            bump_pull: Some(None),
            bump_branch: Some(BranchState::Ours),
            ..behind()
        };
        assert!(matches!(plan_apply(&orphan), Action::Adopt { .. }));
        let foreign = Observation {
            bump_branch: Some(BranchState::Foreign("x".to_owned())),
            ..orphan
        };
        assert!(matches!(
            plan_apply(&foreign),
            Action::Settle(Settled::Conflict(_))
        ));
    }

    #[test]
    fn dry_run_looks_the_branch_up_before_deciding() {
        let obs = Observation {
            bump_pull: Some(None),
            ..behind()
        };
        assert_eq!(
            plan(&obs, &target(), BranchProbe::LookUp),
            Action::Observe(Lookup::BumpBranch)
        );
    }

    #[test]
    fn archived_empty_missing_and_ahead_are_skipped() {
        let cases = [
            Observation {
                archived: true,
                ..behind()
            },
            Observation {
                empty: true,
                ..behind()
            },
            Observation {
                version_file: None,
                ..behind()
            },
            Observation {
                version_file: file("2.0.0\n"),
                ..behind()
            },
        ];
        for obs in cases {
            assert!(
                matches!(plan_apply(&obs), Action::Settle(Settled::Skipped(_))),
                "{obs:?}"
            );
        }
    }

    #[test]
    fn the_branch_and_the_commit_subject_name_the_release_and_the_package() {
        assert_eq!(target().branch(), "bump/runtime-1.5.0");
        assert_eq!(target().commit_subject(), "Bump platform-runtime to 1.5.0");
    }

    #[test]
    fn a_closed_pr_and_a_merged_one_are_declined_for_different_reasons() {
        let reason = |state| match plan_apply(&Observation {
            bump_pull: pull(state),
            ..behind()
        }) {
            Action::Settle(Settled::Declined(pr, why)) => {
                assert_eq!(pr.number, 7);
                why
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reason(PullState::Closed),
            "PR #7 was closed without merging; not reopened"
        );
        assert_eq!(
            reason(PullState::Merged),
            "PR #7 was merged but main is behind again (reverted?); not reopened"
        );
    }

    #[test]
    fn a_version_file_of_exactly_one_mib_is_read_one_byte_more_is_not() {
        // The sizes are written out, not derived from the constant, so a wrong constant fails.
        let at_limit = format!("1.5.0{}", " ".repeat(1_048_576 - 5));
        assert_eq!(
            read_version(at_limit.as_bytes(), "runtime-version"),
            Ok(RuntimeVersion::parse("1.5.0").unwrap())
        );
        let over = format!("{at_limit} ");
        let err = read_version(over.as_bytes(), "runtime-version").unwrap_err();
        assert!(err.contains("over 1 MiB"), "{err}");
    }

    #[test]
    fn unreadable_version_files_fail_with_a_reason() {
        let huge = "1".repeat(MAX_VERSION_FILE_BYTES + 1);
        for (content, expected) in [
            ("v1.2.3\n", "is not a release version"),
            ("", "is not a release version"),
            ("1.5.0-rc.1\n", "pre-release \"-rc.1\" is not accepted"),
            (
                "1.5.0+build.1\n",
                "build metadata \"+build.1\" is not accepted",
            ),
            (huge.as_str(), "over 1 MiB"),
        ] {
            let obs = Observation {
                version_file: file(content),
                ..behind()
            };
            match plan_apply(&obs) {
                Action::Settle(Settled::Failed(reason)) => {
                    assert!(reason.contains(expected), "{reason}")
                }
                other => panic!("{other:?}"),
            }
        }
        let not_utf8 = Observation {
            version_file: Some(ObservedFile {
                sha: "s".to_owned(),
                bytes: vec![0xff, 0xfe],
            }),
            ..behind()
        };
        assert!(
            matches!(plan_apply(&not_utf8), Action::Settle(Settled::Failed(r)) if r.contains("UTF-8"))
        );
    }

    #[test]
    fn requirements_without_pin_bumps_only_the_version_file_and_says_so() {
        let obs = Observation {
            requirements: file("platform-runtime>=1.4\n"),
            bump_pull: Some(None),
            ..behind()
        };
        let Action::Create(commit) = plan_apply(&obs) else {
            panic!("expected create");
        };
        assert_eq!(commit.files.len(), 1);
        assert!(commit.note.unwrap().contains("not an == pin"));
    }

    const HASHED: &str = "flask==3\nplatform-runtime==1.4.2 \\\n    --hash=sha256:0123\n";
    const HASHED_REASON: &str =
        "hashed pin in requirements.txt line 2: regenerate the lock with platform-runtime 1.5.0";

    #[test]
    fn a_requirements_file_that_cannot_be_bumped_needs_a_human_and_nothing_is_written() {
        let obs = Observation {
            requirements: file(HASHED),
            bump_pull: Some(None),
            ..behind()
        };
        let needs_human = Action::Settle(Settled::NeedsHuman(HASHED_REASON.to_owned()));
        assert_eq!(plan_apply(&obs), needs_human);
        assert_eq!(
            plan(&obs, &target(), BranchProbe::LookUp),
            needs_human,
            "the dry run says so without looking the branch up"
        );
        let orphan = Observation {
            bump_branch: Some(BranchState::Ours),
            ..obs.clone()
        };
        assert_eq!(plan_apply(&orphan), needs_human, "not adopted either");
        let proposed = Observation {
            bump_pull: pull(PullState::Open),
            bump_branch: Some(BranchState::Ours),
            ..obs
        };
        assert_eq!(
            plan_apply(&proposed),
            needs_human,
            "an open PR cannot be the planned bump when there is none"
        );
    }

    fn planned(obs: &Observation) -> BumpCommit {
        match plan_apply(obs) {
            Action::Create(commit) => commit,
            other => panic!("expected create, got {other:?}"),
        }
    }

    fn files_of(commit: &BumpCommit) -> Vec<(&str, &[u8])> {
        commit
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.content.as_slice()))
            .collect()
    }

    #[test]
    fn the_final_check_accepts_the_planned_commit_and_nothing_half_bumped() {
        let obs = Observation {
            bump_pull: Some(None),
            ..behind()
        };
        let commit = planned(&obs);
        let target = target();
        assert_eq!(check_commit(&files_of(&commit), &obs, &target), Ok(()));
        let version_only = &files_of(&commit)[..1];
        assert_eq!(
            check_commit(version_only, &obs, &target),
            Err("the requirements.txt to commit is not exactly its pins of 1.4.2 bumped to 1.5.0; nothing written (a bug: please report it)".to_owned())
        );
        let mut stray = files_of(&commit);
        stray.push(("setup.py", b"x"));
        assert_eq!(
            check_commit(&stray, &obs, &target),
            Err("the bump would write setup.py, which it never changes".to_owned())
        );
        let wrong_version = [("runtime-version", &b"1.5.1\n"[..]), files_of(&commit)[1]];
        assert_eq!(
            check_commit(&wrong_version, &obs, &target),
            Err("the bump would not write exactly 1.5.0 to runtime-version".to_owned())
        );
        let hashed = Observation {
            requirements: file(HASHED),
            ..obs.clone()
        };
        assert_eq!(
            check_commit(version_only, &hashed, &target),
            Err(HASHED_REASON.to_owned())
        );
        let no_requirements = Observation {
            requirements: None,
            ..obs.clone()
        };
        assert_eq!(
            check_commit(version_only, &no_requirements, &target),
            Ok(())
        );
        assert_eq!(
            check_commit(&files_of(&commit), &no_requirements, &target),
            Err("the bump would create requirements.txt, which it never does".to_owned())
        );
        let current = Observation {
            version_file: file("1.5.0\n"),
            ..obs
        };
        assert_eq!(
            check_commit(&files_of(&commit), &current, &target),
            Err("1.5.0 is not behind 1.5.0".to_owned())
        );
    }

    #[test]
    fn the_changes_list_says_what_changed_in_each_file_line_by_line() {
        let obs = Observation {
            requirements: file(
                "platform-runtime==1.4.2 ; os_name == 'posix'\nplatform-runtime==2.0.0 ; os_name == 'nt'\n",
            ),
            bump_pull: Some(None),
            ..behind()
        };
        let commit = planned(&obs);
        assert_eq!(
            commit.note.as_deref(),
            Some(
                "requirements.txt line 1: 1.4.2 -> 1.5.0; line 2: left alone, pins 2.0.0, not the current 1.4.2"
            )
        );
        assert_eq!(
            commit.changes(&target()),
            [
                "`runtime-version`: 1.4.2 -> 1.5.0",
                "`requirements.txt` line 1: `platform-runtime==1.4.2 ; os_name == 'posix'`, 1.4.2 -> 1.5.0",
                "`requirements.txt` line 2, left alone: `platform-runtime==2.0.0 ; os_name == 'nt'`; pins 2.0.0, not the current 1.4.2",
            ]
        );
        let without = Observation {
            requirements: file("-r base.txt\nflask==3\n"),
            ..obs
        };
        let commit = planned(&without);
        assert_eq!(
            commit.changes(&target()),
            [
                "`runtime-version`: 1.4.2 -> 1.5.0",
                "requirements.txt has no platform-runtime requirement; left alone (nor does base.txt, which it includes)",
            ]
        );
    }

    /// The evidence of a branch holding exactly the planned commit, by `bot`.
    fn our_branch() -> (Vec<FileUpdate>, BranchEvidence) {
        let obs = Observation {
            bump_pull: Some(None),
            ..behind()
        };
        let Action::Create(commit) = plan_apply(&obs) else {
            panic!("expected create");
        };
        let evidence = BranchEvidence {
            commits: vec![CommitEvidence {
                author: Some("Bot".to_owned()),
                author_name: "bot".to_owned(),
                author_email: "bot@noreply.localhost".to_owned(),
                parents: 1,
                changed: Some(vec![
                    "requirements.txt".to_owned(),
                    "runtime-version".to_owned(),
                ]),
            }],
            total: 1,
            files: vec![
                Some(b"1.5.0\n".to_vec()),
                Some(b"flask==3\nplatform-runtime==1.5.0\n".to_vec()),
            ],
        };
        (commit.files, evidence)
    }

    fn reason(desired: &[FileUpdate], evidence: &BranchEvidence) -> String {
        match ownership(desired, evidence, Bot::user("bot"), &target()) {
            BranchState::Foreign(why) => why,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_branch_is_ours_with_one_commit_by_the_bot_changing_exactly_the_planned_bytes() {
        let (desired, evidence) = our_branch();
        assert_eq!(
            ownership(&desired, &evidence, Bot::user("bot"), &target()),
            BranchState::Ours
        );
    }

    #[test]
    fn with_a_configured_author_its_exact_identity_is_the_bot_too() {
        let (desired, ours) = our_branch();
        let me = gitea_api::Identity {
            name: "Platform Bot".to_owned(),
            email: "platform-bot@example.com".to_owned(),
        };
        let bot = Bot {
            login: "bot",
            author: Some(&me),
        };
        let by = |name: &str, email: &str, user: Option<&str>| {
            let mut evidence = ours.clone();
            let commit = &mut evidence.commits[0];
            (commit.author_name, commit.author_email) = (name.to_owned(), email.to_owned());
            commit.author = user.map(str::to_owned);
            ownership(&desired, &evidence, bot, &target())
        };
        let foreign = |why: &str| BranchState::Foreign(why.to_owned());
        assert_eq!(
            by("Platform Bot", "platform-bot@example.com", None),
            BranchState::Ours
        );
        // The identity is exact even when its e-mail is some user's.
        assert_eq!(
            by("Platform Bot", "platform-bot@example.com", Some("alice")),
            BranchState::Ours
        );
        assert_eq!(
            by("bot", "bot@noreply.localhost", Some("bot")),
            BranchState::Ours
        );
        assert_eq!(
            by("Platform Bot", "evil@example.com", None),
            foreign(
                "another author: \"Platform Bot\" <evil@example.com>, who is no Gitea user nor the configured author"
            )
        );
        assert_eq!(
            by("Platform bot", "platform-bot@example.com", None),
            foreign(
                "another author: \"Platform bot\" <platform-bot@example.com>, who is no Gitea user nor the configured author"
            )
        );
        assert_eq!(
            by("Platform Bot", "PLATFORM-BOT@example.com", Some("mallory")),
            foreign("another author: mallory")
        );
        // The identity is no pass for the rest: the same author with an extra file is foreign.
        let mut extra = ours.clone();
        (extra.commits[0].author_name, extra.commits[0].author_email) =
            (me.name.clone(), me.email.clone());
        extra.commits[0]
            .changed
            .as_mut()
            .unwrap()
            .push("x".to_owned());
        assert_eq!(
            ownership(&desired, &extra, bot, &target()),
            foreign("an extra file: x")
        );
    }

    #[test]
    fn anything_foreign_on_the_branch_is_named() {
        let (desired, ours) = our_branch();
        let commit = ours.commits[0].clone();
        let with = |f: &dyn Fn(&mut BranchEvidence)| {
            let mut evidence = ours.clone();
            f(&mut evidence);
            reason(&desired, &evidence)
        };
        let cases: Vec<(String, &str)> = vec![
            (
                with(&|e| e.total = 0),
                "no commit beyond the default branch",
            ),
            (
                with(&|e| e.commits.clear()),
                "no commit beyond the default branch",
            ),
            (
                with(&|e| {
                    e.total = 2;
                    e.commits.push(commit.clone());
                }),
                "an extra commit: 2 commits beyond the default branch, the bump is one",
            ),
            (
                with(&|e| e.commits[0].author = Some("mallory".to_owned())),
                "another author: mallory",
            ),
            (
                with(&|e| e.commits[0].author = None),
                "another author: \"bot\", who is no Gitea user",
            ),
            (
                with(&|e| e.commits[0].parents = 2),
                "a commit with 2 parents",
            ),
            (
                with(&|e| {
                    let changed = e.commits[0].changed.as_mut().unwrap();
                    changed.push(".gitea/workflows/ci.yml".to_owned());
                }),
                "an extra file: .gitea/workflows/ci.yml",
            ),
            (
                with(&|e| e.commits[0].changed = None),
                "its commit does not list the files it changes",
            ),
            (
                with(&|e| e.files[1] = Some(b"flask==3\nplatform-runtime==1.5.0\nx==1\n".to_vec())),
                "requirements.txt differs from the bump",
            ),
            (
                with(&|e| e.files[0] = None),
                "runtime-version differs from the bump",
            ),
        ];
        for (got, expected) in cases {
            assert_eq!(got, expected);
        }
    }
}
