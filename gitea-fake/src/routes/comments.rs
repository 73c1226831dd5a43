//! `POST /repos/{o}/{r}/issues/{index}/comments`, on pull requests (the fake has no issues).

use axum::http::StatusCode;
use serde::Deserialize;

use super::ctx::{Ctx, Payload};
use super::{Reply, bind, guard, with_status};
use crate::fail::Fail;
use crate::render;
use crate::store::ops;

#[derive(Deserialize)]
struct CreateComment {
    body: Option<String>,
}

/// CreateIssueComment (routers/api/v1/repo/issue_comment.go): the route's `reqToken`,
/// `mustNotBeArchived` and `bind` checks, then 201 `Comment`. An index that names no issue
/// or pull request is a 500: the handler passes `GetIssueByIndex`'s not-exist error to
/// `APIErrorInternal`, whose message is empty for a user who is not a site admin.
pub(crate) async fn create(cx: Ctx, payload: Payload) -> Reply {
    let mut st = cx.app.store.lock();
    let to = guard::repo_write(&st, &cx)?;
    let req: CreateComment = payload.bind()?;
    let body = bind::required(req.body.as_deref(), "Body")?.to_owned();
    let number: i64 = cx.p.get("index").parse().unwrap_or(0);
    let poster = st
        .account(&to.user)
        .map_or(to.user.clone(), |a| a.name.clone());
    let id = st.id();
    let tick = st.now();
    let r = st
        .repo_mut(&to.owner, &to.name)
        .ok_or_else(Fail::not_found)?;
    let internal = || Fail::msg(StatusCode::INTERNAL_SERVER_ERROR, "");
    let at = ops::add_comment(r, id, tick, number, &poster, &body).ok_or_else(internal)?;
    let r = st.repo(&to.owner, &to.name).ok_or_else(Fail::not_found)?;
    let v = render::comment(&cx.app, &st, r, &r.comments[at]);
    Ok(with_status(StatusCode::CREATED, &v))
}
