//! `GET /version`, `GET /repos/{o}/{r}` and `GET /orgs/{org}/repos`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{OriginalUri, RawQuery, State};

use serde_json::json;

use super::Reply;
use super::bind::Params;
use super::page::paged;
use crate::app::App;
use crate::auth::{self, Caller};
use crate::fail::Fail;
use crate::{render, respond, urlenc};

/// `GET /version`.
pub(crate) async fn version(State(app): State<Arc<App>>) -> Reply {
    Ok(respond::ok(&json!({"version": app.version})))
}

/// `GET /repos/{owner}/{repo}`.
pub(crate) async fn get_repo(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    p: Params,
) -> Reply {
    let st = app.store.lock();
    let r = auth::repo(&st, &caller, p.get("owner"), p.get("repo"))?;
    Ok(respond::ok(&render::repo(&app, &st, r, &caller)))
}

/// `GET /orgs/{org}/repos`: by id, paginated; the total counts private repositories the
/// caller cannot see, as Gitea's does.
pub(crate) async fn org_repos(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    p: Params,
    OriginalUri(uri): OriginalUri,
    RawQuery(q): RawQuery,
) -> Reply {
    let st = app.store.lock();
    let org = p.get("org");
    let Some(acc) = st.account(org).filter(|a| a.is_org) else {
        return Err(Fail::not_found_with(
            "GetOrgByName",
            format!(
                "user redirect does not exist [name: {}]",
                org.to_lowercase()
            ),
        ));
    };
    let mut repos: Vec<_> = st
        .repos
        .values()
        .filter(|r| r.owner.eq_ignore_ascii_case(&acc.name))
        .collect();
    repos.sort_by_key(|r| r.id);
    let pairs = urlenc::parse_query(q.as_deref());
    Ok(paged(&app, &uri, &pairs, &repos, |r| {
        let visible = !r.private || auth::can_read_private(&st, &caller, &r.owner);
        visible.then(|| render::repo(&app, &st, r, &caller))
    }))
}
