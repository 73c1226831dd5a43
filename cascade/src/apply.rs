//! One consumer: observe, ask the planner, apply, until it settles.

use gitea_api::{
    ChangeFileOperation, ChangeFiles, CreatePullRequest, DuplicateCheck, FileContent, Repository,
};

mod branch;
mod includes;
pub(crate) mod pull;
mod supersede;

use crate::{
    plan::{
        Action, BranchProbe, BranchState, Listing, Lookup, Observation, ObservedFile, PullRef,
        Settled, bump_commit, check_commit, plan, read_version,
    },
    propagate::{Context, Seed, foreign_owner},
    report::{ConsumerResult, Outcome},
    sanitize,
};
use branch::Written;

/// How often one consumer re-plans after losing a race (a branch or a default branch that moved
/// between read and write) before it gives up.
const MAX_REPLANS: u32 = 2;

/// How one pass over one consumer ended.
#[derive(Debug)]
pub(crate) enum Ran {
    /// Discovery listed a repository that is not a consumer (no version file).
    NotAConsumer,
    /// The consumer settled, or was refused for a reason of its own (the row says which).
    Row(ConsumerResult),
    /// A request failed; `error` tells whether another pass may fix it.
    Failed {
        /// The `failed` row, should no pass follow.
        row: ConsumerResult,
        /// What failed.
        error: Box<gitea_api::Error>,
    },
}

/// A failed request, and what it means for the consumer when the plain error does not say it.
struct Failure {
    error: Box<gitea_api::Error>,
    detail: Option<String>,
    /// The row should no pass follow, when it is not `failed` (the bump PR stands, but
    /// superseding failed for a transient reason).
    row: Option<Box<ConsumerResult>>,
}

impl From<gitea_api::Error> for Failure {
    fn from(error: gitea_api::Error) -> Self {
        Failure {
            error: Box::new(error),
            detail: None,
            row: None,
        }
    }
}

/// Runs one pass over one consumer, from the top.
pub(crate) async fn run(ctx: &Context, seed: Seed) -> Ran {
    let full_name = seed.name.to_string();
    let clean = |row| sanitize::row(row, &ctx.client);
    let ran = match drive(ctx, seed).await {
        Ok(Some(row)) => Ran::Row(clean(row)),
        Ok(None) => Ran::NotAConsumer,
        Err(Failure { error, detail, row }) => {
            let detail = detail.unwrap_or_else(|| error.to_string());
            let row = row.map_or_else(
                || ConsumerResult::new(full_name, Outcome::Failed).with_detail(detail),
                |row| *row,
            );
            Ran::Failed {
                row: clean(row),
                error,
            }
        }
    };
    if let Ran::Row(row) | Ran::Failed { row, .. } = &ran {
        tracing::info!(repo = %row.repo, outcome = %row.outcome, detail = row.detail.as_deref(), "consumer pass ended");
    }
    ran
}

async fn drive(ctx: &Context, seed: Seed) -> Result<Option<ConsumerResult>, Failure> {
    let name = seed.name.clone();
    let mut obs = match observe(ctx, seed).await? {
        Ok(obs) => obs,
        Err(why) => {
            let shown = sanitize::text(&why, &ctx.client);
            tracing::warn!(repo = %name, why = %shown, "skipped");
            let mut row = ConsumerResult::new(name.to_string(), Outcome::Skipped);
            row.detail = Some(why);
            return Ok(Some(row));
        }
    };
    let (owner, repo) = (obs.repo.owner.clone(), obs.repo.name.clone());
    let target = &ctx.settings.target;
    let probe = if ctx.settings.dry_run {
        BranchProbe::LookUp
    } else {
        BranchProbe::FromWrite
    };
    let mut replans = 0;
    loop {
        let result = |outcome, pr, detail| Ok(Some(row(&obs, outcome, pr, detail)));
        let action = plan(&obs, target, probe);
        tracing::debug!(repo = %obs.repo, action = %sanitize::text(&describe(&action), &ctx.client), "planned");
        match action {
            Action::Observe(Lookup::BumpPull) => {
                let branch = target.branch();
                let found =
                    pull::find(&ctx.client, &owner, &repo, &obs.default_branch, &branch).await?;
                obs.bump_pull = Some(found);
            }
            Action::Observe(Lookup::BumpBranch) => {
                obs.bump_branch = Some(branch::inspect_branch(ctx, &obs).await?);
            }
            Action::Settle(Settled::NotAConsumer) => return Ok(None),
            Action::Settle(Settled::Proposed(pr)) => {
                let row = row(&obs, Outcome::Proposed, Some(pr), None);
                return superseding(ctx, &obs, row).await;
            }
            Action::Settle(settled) => {
                let (outcome, pr, detail) = settled_row(settled);
                return result(outcome, pr, detail);
            }
            Action::Create(_) if ctx.stopping() => {
                let why =
                    "the run stopped before this consumer's commit; nothing was written to it";
                return result(Outcome::Interrupted, None, Some(why.to_owned()));
            }
            Action::Create(commit) => {
                let labels = match ctx.resolve_labels(&owner, &repo).await? {
                    Ok(ids) => ids,
                    Err(reason) => return result(Outcome::Failed, None, Some(reason)),
                };
                let change = ChangeFiles {
                    files: commit
                        .files
                        .iter()
                        .map(|f| ChangeFileOperation::update(&f.path, f.content.clone(), &f.sha))
                        .collect(),
                    branch: Some(obs.default_branch.clone()),
                    new_branch: Some(target.branch()),
                    message: Some(ctx.commit_message(&commit.old_version)),
                    author: ctx.settings.commit.author.clone(),
                    committer: ctx.settings.commit.committer.clone(),
                };
                let written: Vec<(&str, &[u8])> = change
                    .files
                    .iter()
                    .map(|f| (f.path.as_str(), f.content.as_deref().unwrap_or_default()))
                    .collect();
                if let Err(why) = check_commit(&written, &obs, target) {
                    return result(Outcome::NeedsHuman, None, Some(why));
                }
                // A dry run stops here: it has refused everything the real run refuses before
                // writing (the labels, the half-bump check), and writes nothing.
                if ctx.settings.dry_run {
                    let row = row(&obs, Outcome::WouldCreate, None, commit.note);
                    return superseding(ctx, &obs, row).await;
                }
                match branch::write_commit(ctx, &obs, &change).await {
                    Ok(Written::Created | Written::FoundOurs) => {}
                    Ok(Written::FoundForeign(why)) => {
                        obs.bump_branch = Some(BranchState::Foreign(why));
                        continue;
                    }
                    Err(err) if replans < MAX_REPLANS && err.is_branch_already_exists() => {
                        replans += 1;
                        obs.bump_pull = None;
                        obs.bump_branch = Some(branch::inspect_branch(ctx, &obs).await?);
                        continue;
                    }
                    Err(err) if replans < MAX_REPLANS && err.is_sha_mismatch() => {
                        replans += 1;
                        read_files(ctx, &mut obs).await?;
                        obs.bump_pull = None;
                        continue;
                    }
                    Err(err) => return Err(err.into()),
                }
                let changes = commit.changes(target);
                let request = ctx.pull_request(&obs, &commit.old_version, &changes, labels);
                let check = DuplicateCheck::WhenInDoubt;
                return match pull::open(ctx, &owner, &repo, &request, check).await {
                    Ok(opened) => {
                        let detail = join_notes(commit.note, opened.note);
                        let row = row(&obs, Outcome::Created, Some(opened.pr), detail);
                        superseding(ctx, &obs, row).await
                    }
                    Err(error) => {
                        let why = format!(
                            "{} was written, but opening its PR failed: {error}; a re-run adopts it",
                            target.branch()
                        );
                        Err(Failure {
                            error: Box::new(error),
                            detail: Some(why),
                            row: None,
                        })
                    }
                };
            }
            Action::Adopt { old_version } => {
                let labels = match ctx.resolve_labels(&owner, &repo).await? {
                    Ok(ids) => ids,
                    Err(reason) => return result(Outcome::Failed, None, Some(reason)),
                };
                if ctx.settings.dry_run {
                    let row = row(&obs, Outcome::WouldAdopt, None, None);
                    return superseding(ctx, &obs, row).await;
                }
                let changes = obs
                    .version_file
                    .as_ref()
                    .and_then(|v| bump_commit(v, obs.requirements.as_ref(), target).ok())
                    .map(|commit| commit.changes(target))
                    .unwrap_or_default();
                let request: CreatePullRequest =
                    ctx.pull_request(&obs, &old_version, &changes, labels);
                let check = DuplicateCheck::Always;
                let opened = pull::open(ctx, &owner, &repo, &request, check).await?;
                let detail = format!("{} existed without a PR", target.branch());
                let detail = join_notes(Some(detail), opened.note);
                let row = row(&obs, Outcome::Adopted, Some(opened.pr), detail);
                return superseding(ctx, &obs, row).await;
            }
        }
    }
}

/// `row`, whose bump PR exists (or, in a dry run, would), with the older bump PRs it supersedes:
/// each in `superseded` and as a note in the detail. A failure here is a note too, since the new
/// PR stands; when it is transient, the pass fails with this row, so that another pass (which
/// finds the PR `proposed`) tries again, and this row stands should none follow.
async fn superseding(
    ctx: &Context,
    obs: &Observation,
    mut row: ConsumerResult,
) -> Result<Option<ConsumerResult>, Failure> {
    let done = supersede::run(ctx, obs, row.pr.as_ref()).await;
    let mut notes: Vec<String> = done.entries.iter().map(|e| e.note()).collect();
    notes.extend(done.note);
    row.superseded = done.entries;
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    row.detail = join_notes(row.detail.take(), note);
    match done.transient {
        Some(error) => Err(Failure {
            error: Box::new(error),
            detail: row.detail.clone(),
            row: Some(Box::new(row)),
        }),
        None => Ok(Some(row)),
    }
}

/// Two optional notes as one line.
fn join_notes(first: Option<String>, second: Option<String>) -> Option<String> {
    match (first, second) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    }
}

/// The repository (unless discovery already listed it) and both files on the default branch;
/// the inner `Err` says why a repository owned by someone else than asked is not touched.
async fn observe(
    ctx: &Context,
    seed: Seed,
) -> Result<Result<Observation, String>, gitea_api::Error> {
    let listing = if seed.repository.is_some() {
        Listing::Discovered
    } else {
        Listing::Named
    };
    let repository: Repository = match seed.repository {
        Some(repository) => *repository,
        None => {
            ctx.client
                .get_repo(&seed.name.owner, &seed.name.name)
                .await?
        }
    };
    if let Some(why) = foreign_owner(&seed.name.owner, &repository) {
        return Ok(Err(why));
    }
    let mut obs = Observation {
        repo: seed.name,
        listing,
        default_branch: repository.default_branch,
        archived: repository.archived,
        empty: repository.empty,
        version_file: None,
        requirements: None,
        included: Vec::new(),
        bump_pull: None,
        bump_branch: None,
    };
    if !obs.empty {
        read_files(ctx, &mut obs).await?;
        includes::read(ctx, &mut obs).await?;
    }
    Ok(Ok(obs))
}

async fn read_files(ctx: &Context, obs: &mut Observation) -> Result<(), gitea_api::Error> {
    let target = &ctx.settings.target;
    let paths = [
        target.version_file.as_str(),
        target.requirements_file.as_str(),
    ];
    let mut files = read_on_default_branch(ctx, obs, &paths).await?.into_iter();
    obs.version_file = files.next().flatten();
    obs.requirements = files.next().flatten();
    Ok(())
}

/// The files at `paths` on the consumer's default branch, in order; `None` for each one it does
/// not have.
async fn read_on_default_branch(
    ctx: &Context,
    obs: &Observation,
    paths: &[&str],
) -> Result<Vec<Option<ObservedFile>>, gitea_api::Error> {
    let files = ctx
        .client
        .get_file_contents(
            &obs.repo.owner,
            &obs.repo.name,
            paths,
            Some(&obs.default_branch),
        )
        .await?;
    Ok(files.into_iter().map(|f| f.map(observed_file)).collect())
}

fn observed_file(file: FileContent) -> ObservedFile {
    ObservedFile {
        sha: file.sha,
        bytes: file.bytes,
    }
}

fn settled_row(settled: Settled) -> (Outcome, Option<PullRef>, Option<String>) {
    match settled {
        Settled::UpToDate => (Outcome::UpToDate, None, None),
        Settled::Proposed(pr) => (Outcome::Proposed, Some(pr), None),
        Settled::Declined(pr, why) => (Outcome::Declined, Some(pr), Some(why)),
        Settled::Conflict(why) => (Outcome::Conflict, None, Some(why)),
        Settled::Skipped(why) => (Outcome::Skipped, None, Some(why)),
        Settled::Failed(why) => (Outcome::Failed, None, Some(why)),
        Settled::NeedsHuman(why) => (Outcome::NeedsHuman, None, Some(why)),
        Settled::NotAConsumer => (Outcome::Skipped, None, Some("not a consumer".to_owned())),
    }
}

fn row(
    obs: &Observation,
    outcome: Outcome,
    pr: Option<PullRef>,
    detail: Option<String>,
) -> ConsumerResult {
    let old_version = obs.version_file.as_ref().and_then(|file| {
        read_version(&file.bytes, "")
            .ok()
            .map(|version| version.to_string())
    });
    let mut row = ConsumerResult::new(obs.repo.to_string(), outcome);
    row.old_version = old_version;
    row.pr = pr;
    row.detail = detail;
    row
}

fn describe(action: &Action) -> String {
    match action {
        Action::Observe(lookup) => format!("observe {lookup:?}"),
        Action::Settle(settled) => format!("settle {settled:?}"),
        Action::Create(commit) => format!("create a commit of {} file(s)", commit.files.len()),
        Action::Adopt { .. } => "adopt the existing branch".to_owned(),
    }
}
