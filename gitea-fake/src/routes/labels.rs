//! `GET /repos/{o}/{r}/labels`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{OriginalUri, RawQuery, State};

use super::Reply;
use super::bind::Params;
use super::page::paged;
use crate::app::App;
use crate::auth::{self, Caller};
use crate::{render, urlenc};

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
    Ok(paged(&app, &uri, &pairs, &labels, |l| {
        Some(render::label(&app, r, l))
    }))
}
