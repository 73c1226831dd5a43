//! `GET /version`, `GET /repos/{o}/{r}` and `GET /orgs/{org}/repos`.

use std::sync::Arc;

use axum::extract::State;

use serde_json::json;

use super::Reply;
use super::ctx::Ctx;
use crate::app::App;
use crate::auth::{self};
use crate::fail::Fail;
use crate::{render, respond};

/// `GET /version`.
pub(crate) async fn version(State(app): State<Arc<App>>) -> Reply {
    Ok(respond::ok(&json!({"version": app.version})))
}

/// `GET /repos/{owner}/{repo}`.
pub(crate) async fn get_repo(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    Ok(respond::ok(&render::repo(&cx.app, &st, r, &cx.caller)))
}

/// `GET /orgs/{org}/repos`: by id, paginated; the total counts private repositories the
/// caller cannot see, as Gitea's does.
pub(crate) async fn org_repos(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let org = cx.p.get("org");
    let Some(acc) = st.account(org).filter(|a| a.is_org) else {
        return Err(Fail::not_found_with(
            "GetOrgByName",
            format!(
                "user redirect does not exist [name: {}]",
                org.to_lowercase()
            ),
        ));
    };
    // A public-only token searches public repositories only (ApplyPublicOnly): the private
    // ones are not even counted.
    let public_only = auth::public_only(&cx.caller);
    let mut repos: Vec<_> = st
        .repos
        .values()
        .filter(|r| r.owner.eq_ignore_ascii_case(&acc.name))
        .filter(|r| !(public_only && r.private))
        .collect();
    repos.sort_by_key(|r| r.id);
    Ok(cx.paged(&repos, |r| {
        let visible = !r.private || auth::can_read_private(&st, &cx.caller, &r.owner);
        visible.then(|| render::repo(&cx.app, &st, r, &cx.caller))
    }))
}
