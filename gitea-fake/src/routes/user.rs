//! `GET /user`: the token's own user.

use super::Reply;
use super::ctx::Ctx;
use crate::{auth, render, respond};

/// GetAuthenticatedUser (routers/api/v1/user/user.go): 401 `token is required` without a
/// token (the `/user` group has `reqToken`), else 200 `User`.
pub(crate) async fn current(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let user = auth::require_token(&cx.caller)?;
    Ok(respond::ok(&render::user(&cx.app, &st, &user)))
}
