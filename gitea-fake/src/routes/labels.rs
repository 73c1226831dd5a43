//! `GET /repos/{o}/{r}/labels` (in Gitea's issue group: it needs `read:issue`).

use super::Reply;
use super::ctx::Ctx;
use crate::render;

/// Labels sorted by name, paginated with `X-Total-Count` and no `Link`, as ListLabels
/// (routers/api/v1/repo/label.go) answers.
pub(crate) async fn list(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let mut labels: Vec<_> = r.labels.iter().collect();
    labels.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(cx.paged_without_link(&labels, |l| Some(render::label(&cx.app, r, l))))
}
