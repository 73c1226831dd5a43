//! `GET /branches`, `GET /branches/{branch}` and `POST /branches`.

use axum::http::StatusCode;
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
        Some(render::branch(&cx.app, r, n, r.branch_commit(n)?))
    }))
}

/// `GET /branches/{branch}`: names may contain `/` (raw or as `%2F`).
pub(crate) async fn get_branch(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let name = cx.p.get("branch");
    let c = r.branch_commit(name).ok_or_else(Fail::not_found)?;
    Ok(respond::ok(&render::branch(&cx.app, r, name, c)))
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
    let c = r.branch_commit(&new).ok_or_else(Fail::not_found)?;
    Ok(with_status(
        StatusCode::CREATED,
        &render::branch(&cx.app, r, &new, c),
    ))
}
