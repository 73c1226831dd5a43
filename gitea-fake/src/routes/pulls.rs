//! Pull requests: list, get by index, get by base/head, create.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::bind::{self, Params};
use super::{Reply, since, with_status};
use crate::app::App;
use crate::auth::{self, Caller};
use crate::fail::Fail;
use crate::pagination::{self, Page};
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
    let page = Page::from_query(&pairs);
    let items: Vec<Value> = page
        .slice(&pulls)
        .iter()
        .map(|pr| render::pull::pull(&app, &st, r, pr, &caller))
        .collect();
    let mut resp = respond::ok(&Value::Array(items));
    let url = format!("{}{}", app.base_url, uri.path());
    pagination::set_headers(&mut resp, &url, &pairs, page, pulls.len());
    Ok(resp)
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
    let pr = r
        .pulls
        .iter()
        .find(|x| x.number == index)
        .ok_or_else(Fail::not_found)?;
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
    auth::write_scope(&caller)?;
    let r = auth::repo(&st, &caller, p.get("owner"), p.get("repo"))?;
    let user = auth::require_token(&caller)?;
    if r.archived {
        return Err(Fail::msg(
            StatusCode::LOCKED,
            format!("{} is archived", r.full_name()),
        ));
    }
    let (owner, name) = (r.owner.clone(), r.name.clone());
    let req: CreatePull = bind::json(&headers, &body)?;
    let new = NewPull {
        head: bind::required(req.head.as_deref(), "Head")?.to_owned(),
        base: bind::required(req.base.as_deref(), "Base")?.to_owned(),
        title: bind::required(req.title.as_deref(), "Title")?.to_owned(),
        body: req.body.unwrap_or_default(),
        labels: req.labels.unwrap_or_default(),
    };
    let poster = st.account(&user).map_or(user.clone(), |a| a.name.clone());
    let number = ops::create_pull(&mut st, &owner, &name, &new, &poster)?;
    let r = st.repo(&owner, &name).ok_or_else(Fail::not_found)?;
    let pr = r
        .pulls
        .iter()
        .find(|x| x.number == number)
        .ok_or_else(Fail::not_found)?;
    let v = render::pull::pull(&app, &st, r, pr, &caller);
    Ok(with_status(StatusCode::CREATED, &v))
}
