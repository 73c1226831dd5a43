//! Finding and opening the bump pull request.
//!
//! Opening is the one retried write. The loop is ours rather than the middleware's because a
//! re-POST must first look the PR up by base and head: Gitea's duplicate check is not atomic, and
//! a retry racing a slow first POST made two PRs (Gitea issue 20906).

use futures_util::TryStreamExt;
use gitea_api::{Client, CreatePullRequest, PullRequest, PullStateFilter};
use retry_policy::{Observation, Observed, TransportKind};

use crate::cascade::{
    Context,
    plan::{PullRef, PullState},
    report::PrLink,
};

/// Any PR from `head` into `base`, preferring an open one.
///
/// Gitea's look-up by base and head returns a PR in any state, in no order, so a closed answer is
/// double-checked against the open PRs before the consumer is called declined.
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
    match found {
        Some(pr) if pr.is_open() => Ok(Some(pull_ref(&pr))),
        Some(pr) => {
            let open = find_open(client, owner, repo, base, head).await?;
            Ok(Some(open.unwrap_or_else(|| pull_ref(&pr))))
        }
        None => Ok(None),
    }
}

async fn find_open(
    client: &Client,
    owner: &str,
    repo: &str,
    base: &str,
    head: &str,
) -> Result<Option<PullRef>, gitea_api::Error> {
    let pulls = client.list_pulls(owner, repo, PullStateFilter::Open);
    futures_util::pin_mut!(pulls);
    while let Some(pr) = pulls.try_next().await? {
        if pr.head.ref_name == head && pr.base.ref_name == base {
            return Ok(Some(pull_ref(&pr)));
        }
    }
    Ok(None)
}

/// Opens the PR with retry; a 409 "already exists", or an open PR found before a re-POST, counts
/// as success.
pub(crate) async fn open(
    ctx: &Context,
    owner: &str,
    repo: &str,
    request: &CreatePullRequest,
) -> Result<PrLink, gitea_api::Error> {
    let report = ctx
        .settings
        .retrier
        .run(
            |attempt| async move {
                if attempt > 1 {
                    let existing =
                        find(&ctx.client, owner, repo, &request.base, &request.head).await?;
                    if let Some(pr) = existing.filter(|pr| pr.state == PullState::Open) {
                        return Ok(PrLink {
                            number: pr.number,
                            url: pr.url,
                        });
                    }
                }
                match ctx.client.create_pull_request(owner, repo, request).await {
                    Ok(pr) => Ok(PrLink {
                        number: pr.number,
                        url: pr.html_url,
                    }),
                    Err(err) => match err.pull_already_exists() {
                        Some(number) => Ok(PrLink {
                            number,
                            url: ctx.pull_url(owner, repo, number),
                        }),
                        None => Err(err),
                    },
                }
            },
            observe,
        )
        .await;
    report.outcome
}

fn observe(result: &Result<PrLink, gitea_api::Error>) -> Observation {
    match result {
        Ok(_) => Observed::Status(201).into(),
        Err(err) => {
            let observed = err
                .observed()
                .unwrap_or(Observed::Transport(TransportKind::Other));
            Observation::from(observed)
        }
    }
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
