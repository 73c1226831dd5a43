//! `GET /branches`, `GET /branches/{branch}` and `POST /branches`.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::bind::{self, Params};
use super::page::paged;
use super::{Reply, guard, with_status};
use crate::app::App;
use crate::auth::{self, Caller};
use crate::fail::Fail;
use crate::store::ops;
use crate::{render, respond, urlenc};

/// `GET /branches`: paginated, by name.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    p: Params,
    OriginalUri(uri): OriginalUri,
    RawQuery(q): RawQuery,
) -> Reply {
    let st = app.store.lock();
    let r = auth::repo(&st, &caller, p.get("owner"), p.get("repo"))?;
    let names: Vec<&String> = r.branches.keys().collect();
    let pairs = urlenc::parse_query(q.as_deref());
    Ok(paged(&app, &uri, &pairs, &names, |n| {
        Some(render::branch(&app, r, n, r.branch_commit(n)?))
    }))
}

/// `GET /branches/{branch}`: names may contain `/` (raw or as `%2F`).
pub(crate) async fn get_branch(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    p: Params,
) -> Reply {
    let st = app.store.lock();
    let r = auth::repo(&st, &caller, p.get("owner"), p.get("repo"))?;
    let name = p.get("branch");
    let c = r.branch_commit(name).ok_or_else(Fail::not_found)?;
    Ok(respond::ok(&render::branch(&app, r, name, c)))
}

#[derive(Deserialize)]
struct CreateBranch {
    new_branch_name: Option<String>,
    old_ref_name: Option<String>,
    old_branch_name: Option<String>,
}

/// `POST /branches`: 201, or 409 "The branch already exists.".
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    p: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let mut st = app.store.lock();
    let to = guard::repo_write(&st, &caller, &p)?;
    let req: CreateBranch = bind::json(&headers, &body)?;
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
        &render::branch(&app, r, &new, c),
    ))
}
