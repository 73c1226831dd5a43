//! `GET /repos/{o}/{r}/labels`.

use super::Reply;
use super::ctx::Ctx;
use crate::render;

/// Labels sorted by name, paginated.
pub(crate) async fn list(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let mut labels: Vec<_> = r.labels.iter().collect();
    labels.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(cx.paged(&labels, |l| Some(render::label(&cx.app, r, l))))
}
