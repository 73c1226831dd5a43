//! The checks a write makes before its body is read. Gitea's two families of write
//! endpoints make them in different orders and word the archived refusal differently.

use axum::http::StatusCode;

use super::ctx::Ctx;
use crate::auth;
use crate::fail::Fail;
use crate::store::model::State;

/// The repository a write goes to and who writes, owned so the store can then be borrowed
/// mutably.
#[derive(Debug)]
pub(super) struct Target {
    pub(super) owner: String,
    pub(super) name: String,
    pub(super) user: String,
}

/// `POST /branches` and `POST /pulls`, after the scope layer: repository (404), token (401),
/// then archived (423 "… is archived").
pub(super) fn repo_write(st: &State, cx: &Ctx) -> Result<Target, Fail> {
    let r = cx.repo(st)?;
    let user = auth::require_token(&cx.caller)?;
    if r.archived {
        return Err(Fail::msg(
            StatusCode::LOCKED,
            format!("{} is archived", r.full_name()),
        ));
    }
    Ok(Target {
        owner: r.owner.clone(),
        name: r.name.clone(),
        user,
    })
}

/// Contents writes, after the scope layer: repository (404), archived (423 "… is not allowed
/// to edit"), then token (401).
pub(super) fn contents_write(st: &State, cx: &Ctx) -> Result<Target, Fail> {
    let r = cx.repo(st)?;
    if r.archived {
        return Err(Fail::msg(
            StatusCode::LOCKED,
            format!("{} is not allowed to edit", r.full_name()),
        ));
    }
    let user = auth::require_token(&cx.caller)?;
    Ok(Target {
        owner: r.owner.clone(),
        name: r.name.clone(),
        user,
    })
}
