//! Finding and opening the bump pull request.
//!
//! Opening is the one retried write. The loop is ours rather than the middleware's because a
//! re-POST must first look the PR up by base and head: Gitea's duplicate check is not atomic, and
//! a retry racing a slow first POST made two PRs (Gitea issue 20906).

use gitea_api::{Client, CreatePullRequest, PullRequest};

use crate::{
    plan::{PullRef, PullState},
    propagate::Context,
    report::PrLink,
};

/// Any PR from `head` into `base`; the client prefers an open one when there are several.
pub(crate) async fn find(
    client: &Client,
    owner: &str,
    repo: &str,
    base: &str,
    head: &str,
) -> Result<Option<PullRef>, gitea_api::Error> {
    let found = client
        .get_pull_by_base_head(owner, repo, base, head)
        .await?;
    Ok(found.as_ref().map(pull_ref))
}

/// Opens the PR with retry; a 409 "already exists", or an open PR found before a re-POST, counts
/// as success.
pub(crate) async fn open(
    ctx: &Context,
    owner: &str,
    repo: &str,
    request: &CreatePullRequest,
) -> Result<PrLink, gitea_api::Error> {
    let retrier = &ctx.settings.retrier;
    let attempt = |n| try_open(ctx, owner, repo, request, n);
    retrier.run(attempt, crate::propagate::observe).await.result
}

/// One attempt: look up first (on a retry), then POST.
async fn try_open(
    ctx: &Context,
    owner: &str,
    repo: &str,
    request: &CreatePullRequest,
    attempt: u32,
) -> Result<PrLink, gitea_api::Error> {
    if attempt > 1
        && let Some(pr) = find_open(ctx, owner, repo, request).await?
    {
        return Ok(pr);
    }
    let err = match ctx.client.create_pull_request(owner, repo, request).await {
        Ok(pr) => {
            return Ok(PrLink {
                number: pr.number,
                url: pr.html_url,
            });
        }
        Err(err) => err,
    };
    if let Some(number) = err.pull_already_exists() {
        let url = ctx.pull_url(owner, repo, number);
        return Ok(PrLink { number, url });
    }
    if err.is_pull_already_exists()
        && let Some(pr) = find_open(ctx, owner, repo, request).await?
    {
        return Ok(pr);
    }
    Err(err)
}

async fn find_open(
    ctx: &Context,
    owner: &str,
    repo: &str,
    request: &CreatePullRequest,
) -> Result<Option<PrLink>, gitea_api::Error> {
    let found = find(&ctx.client, owner, repo, &request.base, &request.head).await?;
    Ok(found
        .filter(|pr| pr.state == PullState::Open)
        .map(|pr| PrLink {
            number: pr.number,
            url: pr.url,
        }))
}

fn pull_ref(pr: &PullRequest) -> PullRef {
    let state = if pr.is_open() {
        PullState::Open
    } else if pr.merged {
        PullState::Merged
    } else {
        PullState::Closed
    };
    PullRef {
        number: pr.number,
        url: pr.html_url.clone(),
        state,
    }
}
