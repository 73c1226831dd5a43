//! One page of a listing, with Gitea's pagination headers.

use axum::http::Uri;
use axum::response::Response;
use serde_json::Value;

use crate::app::App;
use crate::pagination::{self, Page};
use crate::respond;

/// The page of `all` that the query `pairs` asks for, each item rendered by `render`, with
/// `X-Total-Count` and `Link` for the request `uri`. An item `render` turns into `None` is
/// left off the page but still counts in the total, as Gitea counts rows it then hides.
pub(super) fn paged<T>(
    app: &App,
    uri: &Uri,
    pairs: &[(String, String)],
    all: &[T],
    render: impl FnMut(&T) -> Option<Value>,
) -> Response {
    let page = Page::from_query(pairs);
    let items: Vec<Value> = page.slice(all).iter().filter_map(render).collect();
    let mut resp = respond::ok(&Value::Array(items));
    let url = format!("{}{}", app.base_url, uri.path());
    pagination::set_headers(&mut resp, &url, pairs, page, all.len());
    resp
}
