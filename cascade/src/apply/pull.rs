//! Finding and opening the bump pull request.
//!
//! Opening is gitea-api's duplicate-safe open ([`gitea_api::Client::open_pull_request`]), run
//! under the cascade's retrier: each re-POST is preceded by a look-up by base and head, and a 409
//! "already exists" is the existing PR.

use gitea_api::{Client, CreatePullRequest, DuplicateCheck, Duplicates, PullRequest};

use crate::{
    plan::{OpenPull, PullRef, PullState},
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

/// An opened bump PR, and a one-line note on the duplicates of ours the open closed or could
/// not close.
pub(crate) struct Opened {
    pub(crate) pr: PullRef,
    pub(crate) note: Option<String>,
}

/// Opens the PR with retry; a 409 "already exists", or an open PR found before a re-POST, counts
/// as success. `check` says when the open looks for duplicates of ours to close: always when
/// adopting a branch (another run may be opening the same PR), only in doubt after creating it.
pub(crate) async fn open(
    ctx: &Context,
    owner: &str,
    repo: &str,
    request: &CreatePullRequest,
    check: DuplicateCheck,
) -> Result<Opened, gitea_api::Error> {
    let retrier = &ctx.settings.retrier;
    let opened = ctx
        .client
        .open_pull_request(owner, repo, request, retrier, check)
        .await?;
    Ok(Opened {
        pr: pull_ref(&opened.pull),
        note: duplicates_note(&opened.duplicates),
    })
}

/// What the report says about duplicates: nothing when there were none.
fn duplicates_note(duplicates: &Duplicates) -> Option<String> {
    if let Duplicates::Unknown(err) = duplicates {
        return Some(format!("could not check for duplicate PRs: {err}"));
    }
    let mut closed = Vec::new();
    let mut notes = Vec::new();
    for duplicate in duplicates.found() {
        match &duplicate.closed {
            Ok(()) => closed.push(format!("#{}", duplicate.pull.number)),
            Err(err) => notes.push(format!(
                "duplicate PR #{} left open: {err}",
                duplicate.pull.number
            )),
        }
    }
    if !closed.is_empty() {
        let what = format!(
            "closed duplicate PR {} (opened twice by a retried or concurrent run)",
            closed.join(", ")
        );
        notes.insert(0, what);
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

/// What superseding reads of an open PR.
pub(crate) fn open_pull(pr: &PullRequest) -> OpenPull {
    OpenPull {
        pr: pull_ref(pr),
        // Gitea reads a deleted head branch's ref as `refs/pull/N/head`; the label keeps its name.
        head: if pr.head.ref_name.starts_with("refs/pull/") {
            pr.head.label.clone()
        } else {
            pr.head.ref_name.clone()
        },
        base: pr.base.ref_name.clone(),
        same_repo: pr.head.repo_id != 0 && pr.head.repo_id == pr.base.repo_id,
        poster: pr.user.as_ref().map(|user| user.login.clone()),
    }
}

/// What the planner and the report keep of a PR.
pub(crate) fn pull_ref(pr: &PullRequest) -> PullRef {
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
