//! Superseding, the I/O half: list the open PRs, inspect each older bump PR's branch, and close
//! what [`crate::plan::supersede`] says to close (comment, close, delete the branch, in that
//! order, each sent once).
//!
//! A failure here never undoes the new PR: it is a note in the row, and a re-run tries again.

use futures_util::TryStreamExt;
use gitea_api::PullStateFilter;

use super::{branch, pull};
use crate::{
    plan::{
        Observation, OlderBump, OpenPull, PullRef, SupersedeAction, SupersedeStep, Superseded,
        older_bumps, supersede,
    },
    propagate::Context,
};

/// Supersedes the open bump PRs of older releases, now that `new_pr` is this release's (`None`
/// in a dry run: then it only says what it would close). Empty when switched off or when there
/// are none.
///
/// # Errors
///
/// A failed listing of the open PRs or of the token's user; nothing was written then.
pub(crate) async fn run(
    ctx: &Context,
    obs: &Observation,
    new_pr: Option<&PullRef>,
) -> Result<Vec<Superseded>, gitea_api::Error> {
    if !ctx.settings.pull_request.supersede {
        return Ok(Vec::new());
    }
    let (owner, repo) = (&obs.repo.owner, &obs.repo.name);
    let open: Vec<OpenPull> = ctx
        .client
        .list_pulls(owner, repo, PullStateFilter::Open)
        .map_ok(|pr| pull::open_pull(&pr))
        .try_collect()
        .await?;
    let target = &ctx.settings.target;
    let older = older_bumps(&open, target, &obs.default_branch);
    if older.is_empty() {
        return Ok(Vec::new());
    }
    let bot = ctx.client.current_user().await?.login;
    let mut done = Vec::with_capacity(older.len());
    for bump in &older {
        done.push(one(ctx, obs, bump, &bot, new_pr).await);
    }
    Ok(done)
}

async fn one(
    ctx: &Context,
    obs: &Observation,
    older: &OlderBump,
    bot: &str,
    new_pr: Option<&PullRef>,
) -> Superseded {
    let target = &ctx.settings.target;
    let entry = |action, detail| Superseded::new(older, action, detail);
    let failed = |what: &str, err: gitea_api::Error| {
        let why = format!("{what}: {err}; a re-run tries again");
        entry(SupersedeAction::Failed, Some(why))
    };
    let mut branch_state = None;
    loop {
        match supersede(older, bot, branch_state.as_ref(), new_pr, target) {
            SupersedeStep::InspectBranch => {
                let old_target = older.target(target);
                match branch::inspect_branch_for(ctx, obs, &old_target).await {
                    Ok(state) => branch_state = Some(state),
                    Err(err) => return failed("inspecting its branch failed", err),
                }
            }
            SupersedeStep::Leave(why) => return entry(SupersedeAction::LeftOpen, Some(why)),
            SupersedeStep::WouldClose => return entry(SupersedeAction::WouldClose, None),
            SupersedeStep::Close { comment } => {
                return close(ctx, obs, older, &comment)
                    .await
                    .unwrap_or_else(|(what, err)| failed(what, err));
            }
        }
    }
}

/// Comment, close, delete the branch. A branch already gone counts as deleted.
async fn close(
    ctx: &Context,
    obs: &Observation,
    older: &OlderBump,
    comment: &str,
) -> Result<Superseded, (&'static str, gitea_api::Error)> {
    let (owner, repo) = (&obs.repo.owner, &obs.repo.name);
    let number = older.pr.number;
    let client = &ctx.client;
    client
        .create_issue_comment(owner, repo, number, comment)
        .await
        .map_err(|err| ("commenting failed, the PR is still open", err))?;
    client
        .close_pull_request(owner, repo, number)
        .await
        .map_err(|err| {
            (
                "closing failed after the comment, the PR is still open",
                err,
            )
        })?;
    match client.delete_branch(owner, repo, &older.branch).await {
        Ok(()) => {}
        Err(err) if err.is_not_found() => {}
        Err(err) => return Err(("the PR is closed, but deleting its branch failed", err)),
    }
    tracing::info!(repo = %obs.repo, pr = number, branch = %older.branch, "superseded");
    Ok(Superseded::new(older, SupersedeAction::Closed, None))
}
