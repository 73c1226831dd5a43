//! Finding and opening the bump pull request.
//!
//! Opening is gitea-api's duplicate-safe open ([`gitea_api::Client::open_pull_request`]), run
//! under the cascade's retrier: each re-POST is preceded by a look-up by base and head, and a 409
//! "already exists" is the existing PR.

use gitea_api::{Client, CreatePullRequest, PullRequest};

use crate::{
    plan::{PullRef, PullState},
    propagate::Context,
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
) -> Result<PullRef, gitea_api::Error> {
    let retrier = &ctx.settings.retrier;
    let opened = ctx
        .client
        .open_pull_request(owner, repo, request, retrier)
        .await?;
    Ok(pull_ref(&opened.pull))
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
