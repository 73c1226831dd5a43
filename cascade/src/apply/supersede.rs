//! Superseding, the I/O half: list the open PRs, inspect each older bump PR's branch, and close
//! what [`crate::plan::supersede`] says to close (comment, close, delete the branch, in that
//! order, each sent once).
//!
//! A failure here never undoes the new PR: it is a note in the row, and a re-run tries again.

use futures_util::TryStreamExt;
use gitea_api::PullStateFilter;

use super::{branch, pull};
use crate::{
    passes,
    plan::{
        Observation, OlderBump, OpenPull, PullRef, SupersedeAction, SupersedeStep, Superseded,
        older_bumps, supersede,
    },
    propagate::Context,
};

/// What superseding did in one consumer.
#[derive(Debug, Default)]
pub(crate) struct Done {
    /// One entry per older bump PR.
    pub(crate) entries: Vec<Superseded>,
    /// Why the older bump PRs could not be looked for, when they could not.
    pub(crate) note: Option<String>,
    /// The first transient failure (5xx, transport, timeout): another pass may get further.
    pub(crate) transient: Option<gitea_api::Error>,
}

impl Done {
    fn failed(&mut self, err: gitea_api::Error) {
        if self.transient.is_none() && passes::classify(&err) == passes::Failure::Transient {
            self.transient = Some(err);
        }
    }
}

/// Supersedes the open bump PRs of older releases, now that `new_pr` is this release's (`None`
/// in a dry run: then it only says what it would close). Nothing when switched off or when
/// there are none.
pub(crate) async fn run(ctx: &Context, obs: &Observation, new_pr: Option<&PullRef>) -> Done {
    let mut done = Done::default();
    if !ctx.settings.pull_request.supersede {
        return done;
    }
    let (owner, repo) = (&obs.repo.owner, &obs.repo.name);
    let listed: Result<Vec<OpenPull>, _> = ctx
        .client
        .list_pulls(owner, repo, PullStateFilter::Open)
        .map_ok(|pr| pull::open_pull(&pr))
        .try_collect()
        .await;
    let target = &ctx.settings.target;
    let older = match listed {
        Ok(open) => older_bumps(&open, target, &obs.default_branch),
        Err(err) => {
            done.note = Some(format!(
                "could not list the open PRs for older bump PRs to supersede: {err}; a re-run tries again"
            ));
            done.failed(err);
            return done;
        }
    };
    if older.is_empty() {
        return done;
    }
    let bot = match ctx.client.current_user().await {
        Ok(user) => user.login,
        Err(err) => {
            done.note = Some(format!(
                "could not read the token's user to supersede older bump PRs: {err}; a re-run tries again"
            ));
            done.failed(err);
            return done;
        }
    };
    for bump in &older {
        let (entry, error) = one(ctx, obs, bump, &bot, new_pr).await;
        done.entries.push(entry);
        if let Some(err) = error {
            done.failed(err);
        }
    }
    done
}

async fn one(
    ctx: &Context,
    obs: &Observation,
    older: &OlderBump,
    bot: &str,
    new_pr: Option<&PullRef>,
) -> (Superseded, Option<gitea_api::Error>) {
    let target = &ctx.settings.target;
    let entry = |action, detail| Superseded::new(older, action, detail);
    let failed = |what: &str, err: gitea_api::Error| {
        let why = format!("{what}: {err}; a re-run tries again");
        (entry(SupersedeAction::Failed, Some(why)), Some(err))
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
            SupersedeStep::Leave(why) => {
                return (entry(SupersedeAction::LeftOpen, Some(why)), None);
            }
            SupersedeStep::WouldClose => return (entry(SupersedeAction::WouldClose, None), None),
            SupersedeStep::Close { comment } => {
                return match close(ctx, obs, older, &comment).await {
                    Ok(closed) => (closed, None),
                    Err((what, err)) => failed(what, err),
                };
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
