//! The bump branch: whether it exists and is ours, and the commit that creates it.
//!
//! The commit is single-shot by default, as the seed contract says: a failure before the PR is
//! loud and a re-run adopts whatever landed. With `[retry] commit = true` it is retried like the
//! PR POST, and for the same reason it is safe: before each re-send the branch is inspected, so a
//! commit whose answer was lost is found (ours: adopt it) instead of written twice.

use gitea_api::ChangeFiles;

use crate::{
    plan::{
        Bot, BranchEvidence, BranchState, CommitEvidence, Observation, Target, bump_commit,
        ownership,
    },
    propagate::Context,
};

/// What the write of the bump commit found.
#[derive(Debug)]
pub(crate) enum Written {
    /// This call created the branch.
    Created,
    /// A retry found the branch already holding exactly our change: an earlier attempt landed.
    FoundOurs,
    /// A retry found the branch holding something else.
    FoundForeign(String),
}

/// Whether the bump branch exists, and whether it is ours by [`ownership`]: its commits beyond
/// the default branch (one page of two, which tells one from more), the token's own user (read
/// once per client), and the two files on the branch.
pub(crate) async fn inspect_branch(
    ctx: &Context,
    obs: &Observation,
) -> Result<BranchState, gitea_api::Error> {
    inspect_branch_for(ctx, obs, &ctx.settings.target).await
}

/// [`inspect_branch`] for the bump branch of `target`, which may be an older release's (see
/// [`crate::plan::OlderBump::target`]): ours only when it holds exactly that bump of the
/// default branch's files.
pub(crate) async fn inspect_branch_for(
    ctx: &Context,
    obs: &Observation,
    target: &Target,
) -> Result<BranchState, gitea_api::Error> {
    let (owner, repo) = (&obs.repo.owner, &obs.repo.name);
    let branch = target.branch();
    let range = match ctx
        .client
        .commits_not_in(owner, repo, &branch, &obs.default_branch, 2)
        .await
    {
        Ok(range) => range,
        Err(err) if err.is_not_found() => return Ok(BranchState::Absent),
        Err(err) => return Err(err),
    };
    let Some(version_file) = &obs.version_file else {
        return Ok(BranchState::Foreign(
            "the default branch has no version file".to_owned(),
        ));
    };
    let desired = match bump_commit(version_file, obs.requirements.as_ref(), target) {
        Ok(commit) => commit.files,
        Err(why) => return Ok(BranchState::Foreign(why)),
    };
    let bot = ctx.client.current_user().await?.login;
    let paths = [
        target.version_file.as_str(),
        target.requirements_file.as_str(),
    ];
    let files = ctx
        .client
        .get_file_contents(owner, repo, &paths, Some(&branch))
        .await?
        .into_iter()
        .map(|f| f.map(|f| f.bytes))
        .collect();
    let evidence = BranchEvidence {
        commits: range.commits.iter().map(commit_evidence).collect(),
        total: range.total,
        files,
    };
    let bot = Bot {
        login: &bot,
        author: ctx.settings.commit.effective_author(),
    };
    Ok(ownership(&desired, &evidence, bot, target))
}

fn commit_evidence(commit: &gitea_api::Commit) -> CommitEvidence {
    CommitEvidence {
        author: commit.author.as_ref().map(|user| user.login.clone()),
        author_name: commit.git.author.name.clone(),
        author_email: commit.git.author.email.clone(),
        parents: commit.parents.len(),
        changed: commit
            .files
            .as_ref()
            .map(|files| files.iter().map(|f| f.filename.clone()).collect()),
    }
}

/// Writes the bump commit: once, or under the retry policy with a branch inspection before each
/// re-send when `[retry] commit` is on.
pub(crate) async fn write_commit(
    ctx: &Context,
    obs: &Observation,
    change: &ChangeFiles,
) -> Result<Written, gitea_api::Error> {
    let (owner, repo) = (&obs.repo.owner, &obs.repo.name);
    if !ctx.settings.retry_commit {
        ctx.client.change_files(owner, repo, change).await?;
        return Ok(Written::Created);
    }
    let attempt = |n: u32| async move {
        if n > 1 {
            match inspect_branch(ctx, obs).await? {
                BranchState::Absent => {}
                BranchState::Ours => return Ok(Written::FoundOurs),
                BranchState::Foreign(why) => return Ok(Written::FoundForeign(why)),
            }
        }
        ctx.client.change_files(owner, repo, change).await?;
        Ok(Written::Created)
    };
    let retrier = &ctx.settings.retrier;
    retrier.run(attempt, crate::propagate::observe).await.result
}
