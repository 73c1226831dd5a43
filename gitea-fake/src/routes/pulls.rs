//! Pull requests: list, get by index, get by base/head, create.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::bind::{self, Params};
use super::page::paged;
use super::{Reply, guard, since, with_status};
use crate::app::App;
use crate::auth::{self, Caller};
use crate::fail::Fail;
use crate::store::model::{Pull, Repo};
use crate::store::ops::{self, NewPull};
use crate::{render, respond, urlenc};

/// `GET /pulls?state=&page=&limit=`: newest first; a missing or unknown state means all.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    p: Params,
    OriginalUri(uri): OriginalUri,
    RawQuery(q): RawQuery,
) -> Reply {
    let st = app.store.lock();
    let r = auth::repo(&st, &caller, p.get("owner"), p.get("repo"))?;
    let pairs = urlenc::parse_query(q.as_deref());
    let state = urlenc::first(&pairs, "state").unwrap_or("");
    let mut pulls: Vec<_> = r
        .pulls
        .iter()
        .filter(|pr| match state {
            "open" => pr.is_open(),
            "closed" => !pr.is_open(),
            _ => true,
        })
        .collect();
    pulls.sort_by_key(|pr| std::cmp::Reverse(pr.number));
    Ok(paged(&app, &uri, &pairs, &pulls, |pr| {
        Some(render::pull::pull(&app, &st, r, pr, &caller))
    }))
}

/// `GET /pulls/{index}`.
pub(crate) async fn get_by_index(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    p: Params,
) -> Reply {
    let st = app.store.lock();
    let r = auth::repo(&st, &caller, p.get("owner"), p.get("repo"))?;
    let index: i64 = p.get("index").parse().map_err(|_| Fail::not_found())?;
    let pr = by_number(r, index)?;
    Ok(respond::ok(&render::pull::pull(&app, &st, r, pr, &caller)))
}

/// `GET /pulls/{base}/{head}` (1.22+): a PR in any state; the oldest one when several
/// match, as a database without ordering would usually give.
pub(crate) async fn get_by_base_head(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    p: Params,
) -> Reply {
    since(&app, 1, 22)?;
    let st = app.store.lock();
    let r = auth::repo(&st, &caller, p.get("owner"), p.get("repo"))?;
    let head = ops::head_branch(r, p.get("head")).ok_or_else(Fail::not_found)?;
    let base = p.get("base");
    let pr = r
        .pulls
        .iter()
        .find(|x| x.base == base && x.head == head)
        .ok_or_else(Fail::not_found)?;
    Ok(respond::ok(&render::pull::pull(&app, &st, r, pr, &caller)))
}

#[derive(Deserialize)]
struct CreatePull {
    head: Option<String>,
    base: Option<String>,
    title: Option<String>,
    body: Option<String>,
    labels: Option<Vec<i64>>,
}

/// `POST /pulls`: 201; 422 head == base; 404 missing branch; 409 duplicate open PR.
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    p: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let mut st = app.store.lock();
    let to = guard::repo_write(&st, &caller, &p)?;
    let req: CreatePull = bind::json(&headers, &body)?;
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
    let number = ops::create_pull(&mut st, &to.owner, &to.name, &new, &poster)?;
    let r = st.repo(&to.owner, &to.name).ok_or_else(Fail::not_found)?;
    let pr = by_number(r, number)?;
    let v = render::pull::pull(&app, &st, r, pr, &caller);
    Ok(with_status(StatusCode::CREATED, &v))
}

/// The pull request numbered `number`, or 404.
fn by_number(r: &Repo, number: i64) -> Result<&Pull, Fail> {
    r.pulls
        .iter()
        .find(|x| x.number == number)
        .ok_or_else(Fail::not_found)
}
