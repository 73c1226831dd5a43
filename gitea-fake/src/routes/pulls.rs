//! Pull requests: list, get by index, get by base/head, create.

use axum::http::StatusCode;
use serde::Deserialize;

use super::bind;
use super::ctx::{Ctx, Payload};
use super::{Reply, guard, with_status};
use crate::fail::Fail;
use crate::store::model::{Pull, Repo, State};
use crate::store::ops::{self, NewPull};
use crate::{render, respond, urlenc};

/// `GET /pulls?state=&sort=&base_branch=&page=&limit=` (ListPullRequests): a missing or
/// unknown state means all; `base_branch` filters (1.24+); the order is `applySorts`'s
/// (models/issues/issue_search.go), newest first unless `sort` says otherwise.
pub(crate) async fn list(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let state = urlenc::first(&cx.query, "state").unwrap_or("").trim();
    let base = urlenc::first(&cx.query, "base_branch")
        .map(str::trim)
        .filter(|b| !b.is_empty() && cx.app.at_least(1, 24));
    let mut pulls: Vec<_> = r
        .pulls
        .iter()
        .filter(|pr| match state {
            "open" => pr.is_open(),
            "closed" => !pr.is_open(),
            _ => true,
        })
        .filter(|pr| base.is_none_or(|b| pr.base == b))
        .collect();
    sort_pulls(
        &mut pulls,
        urlenc::first(&cx.query, "sort").unwrap_or("").trim(),
    );
    Ok(cx.paged(&pulls, |pr| {
        Some(render::pull::pull(&cx.app, &st, r, pr, &cx.caller))
    }))
}

/// Orders PRs as `applySorts` does; the fake keeps no comments or priorities, so the sorts
/// by those fall back to their tie-breakers (newest first).
fn sort_pulls(pulls: &mut [&Pull], sort: &str) {
    use std::cmp::Reverse;
    let updated = |p: &Pull| p.closed.unwrap_or(p.created);
    match sort {
        "oldest" => pulls.sort_by_key(|p| (p.created, p.id)),
        "recentupdate" => pulls.sort_by_key(|p| Reverse((updated(p), p.created, p.id))),
        "leastupdate" => pulls.sort_by_key(|p| (updated(p), p.created, p.id)),
        "recentclose" => pulls.sort_by_key(|p| Reverse((p.closed.unwrap_or(0), p.created, p.id))),
        _ => pulls.sort_by_key(|p| Reverse((p.created, p.id))),
    }
}

/// `GET /pulls/{index}`.
pub(crate) async fn get_by_index(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let index: i64 = cx.p.get("index").parse().map_err(|_| Fail::not_found())?;
    let pr = by_number(r, index)?;
    Ok(respond::ok(&render::pull::pull(
        &cx.app, &st, r, pr, &cx.caller,
    )))
}

/// `GET /pulls/{base}/{head}` (1.22+): a PR in any state; the oldest one when several
/// match, as a database without ordering would usually give.
pub(crate) async fn get_by_base_head(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let head = ops::head_branch(r, cx.p.get("head")).ok_or_else(Fail::not_found)?;
    let base = cx.p.get("base");
    let pr = r
        .pulls
        .iter()
        .find(|x| x.base == base && x.head == head)
        .ok_or_else(Fail::not_found)?;
    Ok(respond::ok(&render::pull::pull(
        &cx.app, &st, r, pr, &cx.caller,
    )))
}

#[derive(Deserialize)]
struct CreatePull {
    head: Option<String>,
    base: Option<String>,
    title: Option<String>,
    body: Option<String>,
    labels: Option<Vec<i64>>,
}

/// `POST /pulls`: 201; 422 head == base; 404 missing branch; 409 duplicate open PR. With
/// [`FakeGiteaBuilder::non_atomic_pull_create`](crate::FakeGiteaBuilder::non_atomic_pull_create)
/// the checks and the insert are two steps with a gap between them.
pub(crate) async fn create(cx: Ctx, payload: Payload) -> Reply {
    if let Some(gap) = cx.app.pull_check_gap {
        return create_after_gap(cx, payload, gap).await;
    }
    let mut st = cx.app.store.lock();
    let (to, new, poster) = bind_new_pull(&st, &cx, &payload)?;
    let number = ops::create_pull(&mut st, &to.owner, &to.name, &new, &poster)?;
    created(&cx, &st, &to, number)
}

/// The non-atomic create: the checks under the lock, `gap` with the store unlocked, then the
/// insert under the lock again.
async fn create_after_gap(cx: Ctx, payload: Payload, gap: std::time::Duration) -> Reply {
    let (to, new, poster) = {
        let st = cx.app.store.lock();
        let bound = bind_new_pull(&st, &cx, &payload)?;
        ops::check_new_pull(&st, &bound.0.owner, &bound.0.name, &bound.1)?;
        bound
    };
    tokio::time::sleep(gap).await;
    let mut st = cx.app.store.lock();
    let number = ops::insert_unchecked_pull(&mut st, &to.owner, &to.name, &new, &poster)?;
    created(&cx, &st, &to, number)
}

/// The route's checks and the bound body: the target, the new PR and its poster's name.
fn bind_new_pull(
    st: &State,
    cx: &Ctx,
    payload: &Payload,
) -> Result<(guard::Target, NewPull, String), Fail> {
    let to = guard::repo_write(st, cx)?;
    let req: CreatePull = payload.bind()?;
    let new = NewPull {
        head: bind::required(req.head.as_deref(), "Head")?.to_owned(),
        base: bind::required(req.base.as_deref(), "Base")?.to_owned(),
        title: bind::required(req.title.as_deref(), "Title")?.to_owned(),
        body: req.body.unwrap_or_default(),
        labels: req.labels.unwrap_or_default(),
    };
    let poster = st
        .account(&to.user)
        .map_or(to.user.clone(), |a| a.name.clone());
    // Gitea compares the strings as sent before it resolves the head.
    if new.head == new.base {
        return Err(Fail::unprocessable(
            "Invalid PullRequest: There are no changes between the head and the base",
        ));
    }
    let r = st.repo(&to.owner, &to.name).ok_or_else(Fail::not_found)?;
    let head = create_head(st, r, &new.head)?;
    Ok((to, NewPull { head, ..new }, poster))
}

/// 201 with the new PR.
fn created(cx: &Ctx, st: &State, to: &guard::Target, number: i64) -> Reply {
    let r = st.repo(&to.owner, &to.name).ok_or_else(Fail::not_found)?;
    let pr = by_number(r, number)?;
    let v = render::pull::pull(&cx.app, st, r, pr, &cx.caller);
    Ok(with_status(StatusCode::CREATED, &v))
}

/// The head branch of a new PR, resolved as GetHeadOwnerAndRepo (routers/common/compare.go)
/// does for `branch`, `owner:branch` and `owner/repo:branch`. The fake has no forks.
///
/// # Errors
/// 400 `the user X does not have a fork of the base repository` for another existing owner
/// without a repository name; 404 for an unknown owner or repository, or another repository.
fn create_head(st: &State, r: &Repo, head: &str) -> Result<String, Fail> {
    let Some((who, branch)) = head.split_once(':') else {
        return Ok(head.to_owned());
    };
    let (owner, name) = match who.split_once('/') {
        Some((owner, name)) => (owner, Some(name)),
        None => (who, None),
    };
    let same_owner = owner.eq_ignore_ascii_case(&r.owner);
    let Some(account) = st.account(owner) else {
        return Err(Fail::not_found());
    };
    match name {
        None if same_owner => Ok(branch.to_owned()),
        None => Err(Fail::msg(
            StatusCode::BAD_REQUEST,
            format!(
                "the user {} does not have a fork of the base repository",
                account.name
            ),
        )),
        Some(name) if same_owner && name.eq_ignore_ascii_case(&r.name) => Ok(branch.to_owned()),
        Some(_) => Err(Fail::not_found()),
    }
}

/// The pull request numbered `number`, or 404.
fn by_number(r: &Repo, number: i64) -> Result<&Pull, Fail> {
    r.pulls
        .iter()
        .find(|x| x.number == number)
        .ok_or_else(Fail::not_found)
}

#[derive(Deserialize)]
struct EditPull {
    title: Option<String>,
    body: Option<String>,
    state: Option<String>,
}

/// `PATCH /pulls/{index}` (EditPullRequest): title, body and state (`closed` closes,
/// `open` reopens; Gitea's further checks on reopening are not modelled). The route has
/// `reqToken` and `bind` but no `mustNotBeArchived`, so an archived repository's PRs can be
/// edited. Answers 201, not 200 (a TODO in Gitea's handler).
pub(crate) async fn edit(cx: Ctx, payload: Payload) -> Reply {
    let mut st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let (owner, name) = (r.owner.clone(), r.name.clone());
    crate::auth::require_token(&cx.caller)?;
    let req: EditPull = payload.bind()?;
    let number: i64 = cx.p.get("index").parse().map_err(|_| Fail::not_found())?;
    let edit = ops::PullEdit {
        title: req.title,
        body: req.body,
        state: req.state,
    };
    let tick = st.now();
    let r = st.repo_mut(&owner, &name).ok_or_else(Fail::not_found)?;
    ops::edit_pull(r, number, &edit, tick)?;
    let r = st.repo(&owner, &name).ok_or_else(Fail::not_found)?;
    let pr = by_number(r, number)?;
    let v = render::pull::pull(&cx.app, &st, r, pr, &cx.caller);
    Ok(with_status(StatusCode::CREATED, &v))
}
