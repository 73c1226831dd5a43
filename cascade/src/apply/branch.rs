//! The bump branch: whether it exists and is ours, and the commit that creates it.
//!
//! The commit is single-shot by default, as the seed contract says: a failure before the PR is
//! loud and a re-run adopts whatever landed. With `[retry] commit = true` it is retried like the
//! PR POST, and for the same reason it is safe: before each re-send the branch is inspected, so a
//! commit whose answer was lost is found (ours: adopt it) instead of written twice.

use gitea_api::ChangeFiles;

use crate::{
    plan::{BranchState, Observation, bump_commit, classify_branch},
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

/// Whether the bump branch exists, and whether it holds exactly our change.
pub(crate) async fn inspect_branch(
    ctx: &Context,
    obs: &Observation,
) -> Result<BranchState, gitea_api::Error> {
    let target = &ctx.settings.target;
    let (owner, repo) = (&obs.repo.owner, &obs.repo.name);
    let Some(branch) = ctx.client.get_branch(owner, repo, &target.branch()).await? else {
        return Ok(BranchState::Absent);
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
    let paths = [
        target.version_file.as_str(),
        target.requirements_file.as_str(),
    ];
    let on_branch = ctx
        .client
        .get_file_contents(owner, repo, &paths, Some(&target.branch()))
        .await?
        .into_iter()
        .map(|f| f.map(|f| f.bytes))
        .collect::<Vec<_>>();
    let subject = branch.commit.map(|c| c.message).unwrap_or_default();
    let subject = subject.lines().next().unwrap_or_default();
    Ok(classify_branch(&desired, &on_branch, subject, target))
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
