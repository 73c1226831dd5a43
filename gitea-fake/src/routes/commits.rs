//! `GET /repos/{owner}/{repo}/commits`: the commits reachable from `sha` and not from `not`.

use std::collections::HashSet;

use axum::http::{HeaderName, HeaderValue, StatusCode};

use super::Reply;
use super::ctx::Ctx;
use crate::fail::Fail;
use crate::pagination::Page;
use crate::render::commit::{self, Include};
use crate::store::model::{Commit, Repo};
use crate::urlenc;

/// GetAllCommits (routers/api/v1/repo/commits.go), without `path`, `since` and `until`:
/// - an empty repository answers 409 `Git Repository is empty.`;
/// - `sha` (a branch or a commit, default the default branch) that does not resolve is 404;
///   `not` names commits (and their ancestors) to leave out, as `git log sha --not not`;
/// - newest first, paged by `page` and `limit` (30 by default, at most 50), with
///   `X-Total-Count` and `Link` plus the older `X-Page`, `X-PerPage`, `X-Total`, `X-PageCount`
///   and `X-HasMore`;
/// - `stat`, `files` and `verification` are included unless the query says `false`.
pub(crate) async fn list(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    if r.branches.is_empty() {
        return Err(Fail::msg(StatusCode::CONFLICT, "Git Repository is empty."));
    }
    let query = |key| urlenc::first(&cx.query, key).filter(|v| !v.is_empty());
    let head = match query("sha") {
        Some(rev) => r.resolve(rev).ok_or_else(|| {
            Fail::not_found_because(format!("object does not exist [id: {rev}, rel_path: ]"))
        })?,
        None => r
            .branch_commit(&r.default_branch)
            .ok_or_else(Fail::not_found)?,
    };
    let excluded = match query("not") {
        Some(rev) => {
            let not = r.resolve(rev).ok_or_else(|| {
                Fail::msg(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("bad revision '{rev}'"),
                )
            })?;
            ancestry(r, not).iter().map(|c| c.sha.clone()).collect()
        }
        None => HashSet::new(),
    };
    let listed: Vec<&Commit> = ancestry(r, head)
        .into_iter()
        .filter(|c| !excluded.contains(&c.sha))
        .collect();
    let flag = |key| query(key).is_none_or(|v| v != "false");
    let include = Include {
        stat: flag("stat"),
        files: flag("files"),
        verification: flag("verification"),
    };
    let mut resp = cx.paged(&listed, |c| {
        Some(commit::commit(&cx.app, &st, r, c, include))
    });
    let page = Page::from_query(&cx.query);
    let total = listed.len();
    let pages = total.div_ceil(page.limit);
    let headers = resp.headers_mut();
    for (name, value) in [
        ("x-page", page.page.to_string()),
        ("x-perpage", page.limit.to_string()),
        ("x-total", total.to_string()),
        ("x-pagecount", pages.to_string()),
        ("x-hasmore", (page.page < pages).to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    Ok(resp)
}

/// `c` and its ancestors, newest first.
fn ancestry<'a>(r: &'a Repo, c: &'a Commit) -> Vec<&'a Commit> {
    let mut out = vec![c];
    let mut current = c;
    while let Some(parent) = current.parent.as_ref().and_then(|p| r.commits.get(p)) {
        out.push(parent);
        current = parent;
    }
    out
}
