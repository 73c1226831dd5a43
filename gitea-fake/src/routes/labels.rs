//! `GET /repos/{o}/{r}/labels`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{OriginalUri, RawQuery, State};

use serde_json::Value;

use super::Reply;
use super::bind::Params;
use crate::app::App;
use crate::auth::{self, Caller};
use crate::pagination::{self, Page};
use crate::{render, respond, urlenc};

/// Labels sorted by name, paginated.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    p: Params,
    OriginalUri(uri): OriginalUri,
    RawQuery(q): RawQuery,
) -> Reply {
    let st = app.store.lock();
    let r = auth::repo(&st, &caller, p.get("owner"), p.get("repo"))?;
    let mut labels: Vec<_> = r.labels.iter().collect();
    labels.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let pairs = urlenc::parse_query(q.as_deref());
    let page = Page::from_query(&pairs);
    let items: Vec<Value> = page
        .slice(&labels)
        .iter()
        .map(|l| render::label(&app, r, l))
        .collect();
    let mut resp = respond::ok(&Value::Array(items));
    let url = format!("{}{}", app.base_url, uri.path());
    pagination::set_headers(&mut resp, &url, &pairs, page, labels.len());
    Ok(resp)
}
