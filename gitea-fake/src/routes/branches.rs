//! `GET /branches`, `GET /branches/{branch}` and `POST /branches`.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::bind;
use super::ctx::{Ctx, Payload};
use super::{Reply, guard, with_status};
use crate::fail::Fail;
use crate::store::ops;
use crate::{render, respond};

/// `GET /branches`: paginated, by name.
pub(crate) async fn list(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let names: Vec<&String> = r.branches.keys().collect();
    Ok(cx.paged(&names, |n| {
        Some(render::branch(&cx.app, &st, r, n, r.branch_commit(n)?))
    }))
}

/// `GET /branches/{branch}`: names may contain `/` (raw or as `%2F`).
pub(crate) async fn get_branch(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let name = cx.p.get("branch");
    let c = r.branch_commit(name).ok_or_else(Fail::not_found)?;
    Ok(respond::ok(&render::branch(&cx.app, &st, r, name, c)))
}

#[derive(Deserialize)]
struct CreateBranch {
    new_branch_name: Option<String>,
    old_ref_name: Option<String>,
    old_branch_name: Option<String>,
}

/// `POST /branches`: 201, or 409 "The branch already exists.".
pub(crate) async fn create(cx: Ctx, payload: Payload) -> Reply {
    let mut st = cx.app.store.lock();
    let to = guard::repo_write(&st, &cx)?;
    let req: CreateBranch = payload.bind()?;
    let new = bind::required(req.new_branch_name.as_deref(), "BranchName")?.to_owned();
    bind::ref_name(Some(&new), "BranchName")?;
    let old_ref = req.old_ref_name.filter(|s| !s.is_empty());
    let old_branch = req.old_branch_name.filter(|s| !s.is_empty());
    let r = st
        .repo_mut(&to.owner, &to.name)
        .ok_or_else(Fail::not_found)?;
    ops::create_branch(r, &new, old_ref.as_deref(), old_branch.as_deref())?;
    let st = &*st;
    let r = st.repo(&to.owner, &to.name).ok_or_else(Fail::not_found)?;
    let c = r.branch_commit(&new).ok_or_else(Fail::not_found)?;
    Ok(with_status(
        StatusCode::CREATED,
        &render::branch(&cx.app, st, r, &new, c),
    ))
}

/// `DELETE /branches/{branch}` (DeleteBranch): the route's `reqToken`, `reqRepoWriter` and
/// `mustNotBeArchived`, then 404 `Git Repository is empty.`, 403 for the default branch, 404
/// with the not-exist error for a missing branch, else 204 with no body. Open PRs from the
/// branch are closed and PRs into it retargeted, as `AdjustPullsCausedByBranchDeleted` does.
pub(crate) async fn delete(cx: Ctx) -> Reply {
    let mut st = cx.app.store.lock();
    let to = guard::repo_write(&st, &cx)?;
    let tick = st.now();
    let r = st
        .repo_mut(&to.owner, &to.name)
        .ok_or_else(Fail::not_found)?;
    if r.branches.is_empty() {
        return Err(Fail::msg(StatusCode::NOT_FOUND, "Git Repository is empty."));
    }
    let name = cx.p.get("branch");
    if name == r.default_branch {
        return Err(Fail::msg(
            StatusCode::FORBIDDEN,
            "can not delete default or pull request target branch",
        ));
    }
    if !ops::delete_branch(r, name, tick) {
        let why = format!("branch does not exist [repo_id: {} name: {name}]", r.id);
        return Err(Fail::not_found_because(why));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
