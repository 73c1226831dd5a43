//! The API routes under `/api/v1`, and the layers every answer passes through.

mod bind;
mod branches;
mod comments;
mod commits;
mod contents;
mod ctx;
mod guard;
mod labels;
mod pulls;
mod repos;
mod scopes;
mod user;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post, put};

use crate::app::App;
use crate::fail::Fail;
use crate::{auth, respond};

/// One route: (method, swagger path relative to `/api/v1`, axum path, handler).
type Route = (
    &'static str,
    &'static str,
    &'static str,
    MethodRouter<Arc<App>>,
);

/// The routes the fake serves. The axum path differs from the swagger path only where the
/// last parameter may contain `/` and so is a catch-all (`{*name}`).
fn table() -> Vec<Route> {
    let same = |method, path, handler| (method, path, path, handler);
    vec![
        same("GET", "/version", get(repos::version)),
        same("GET", "/user", get(user::current)),
        same("GET", "/repos/{owner}/{repo}", get(repos::get_repo)),
        same("GET", "/orgs/{org}/repos", get(repos::org_repos)),
        same(
            "GET",
            "/repos/{owner}/{repo}/contents",
            get(contents::list_root),
        ),
        same(
            "POST",
            "/repos/{owner}/{repo}/contents",
            post(contents::change_files),
        ),
        (
            "GET",
            "/repos/{owner}/{repo}/contents/{filepath}",
            "/repos/{owner}/{repo}/contents/{*filepath}",
            get(contents::get_contents),
        ),
        (
            "PUT",
            "/repos/{owner}/{repo}/contents/{filepath}",
            "/repos/{owner}/{repo}/contents/{*filepath}",
            put(contents::update_file),
        ),
        same(
            "GET",
            "/repos/{owner}/{repo}/file-contents",
            get(contents::file_contents_get),
        ),
        same(
            "POST",
            "/repos/{owner}/{repo}/file-contents",
            post(contents::file_contents),
        ),
        same("GET", "/repos/{owner}/{repo}/commits", get(commits::list)),
        same("GET", "/repos/{owner}/{repo}/branches", get(branches::list)),
        same(
            "POST",
            "/repos/{owner}/{repo}/branches",
            post(branches::create),
        ),
        (
            "GET",
            "/repos/{owner}/{repo}/branches/{branch}",
            "/repos/{owner}/{repo}/branches/{*branch}",
            get(branches::get_branch),
        ),
        (
            "DELETE",
            "/repos/{owner}/{repo}/branches/{branch}",
            "/repos/{owner}/{repo}/branches/{*branch}",
            delete(branches::delete),
        ),
        same("GET", "/repos/{owner}/{repo}/pulls", get(pulls::list)),
        same("POST", "/repos/{owner}/{repo}/pulls", post(pulls::create)),
        same(
            "GET",
            "/repos/{owner}/{repo}/pulls/{index}",
            get(pulls::get_by_index),
        ),
        same(
            "PATCH",
            "/repos/{owner}/{repo}/pulls/{index}",
            patch(pulls::edit),
        ),
        (
            "GET",
            "/repos/{owner}/{repo}/pulls/{base}/{head}",
            "/repos/{owner}/{repo}/pulls/{base}/{*head}",
            get(pulls::get_by_base_head),
        ),
        same("GET", "/repos/{owner}/{repo}/labels", get(labels::list)),
        same(
            "POST",
            "/repos/{owner}/{repo}/issues/{index}/comments",
            post(comments::create),
        ),
    ]
}

/// Every route the fake serves, as (method, swagger path template relative to `/api/v1`),
/// e.g. `("GET", "/repos/{owner}/{repo}/branches/{branch}")`.
pub fn served_routes() -> Vec<(&'static str, &'static str)> {
    table().into_iter().map(|(m, s, _, _)| (m, s)).collect()
}

/// The full router with auth, token scopes per route group and Gitea's error rendering.
pub(crate) fn router(app: Arc<App>) -> Router {
    let mut api: Router<Arc<App>> = Router::new();
    for (method, swagger, path, handler) in table() {
        let route = scopes::Route {
            categories: scopes::group(swagger).unwrap_or_default(),
            since: introduced(method, swagger),
        };
        let gate = middleware::from_fn_with_state(app.clone(), move |state, req, next| {
            scopes::gate(state, route, req, next)
        });
        api = api.route(path, handler.route_layer(gate));
    }
    Router::new()
        .nest("/api/v1", api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), auth::layer))
        .layer(middleware::from_fn_with_state(app.clone(), render_errors))
        .with_state(app)
}

/// Unknown routes: Gitea's plain 404.
async fn not_found() -> Fail {
    Fail::not_found()
}

/// A known path with another method.
async fn method_not_allowed() -> Fail {
    Fail::msg(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
}

/// Turns a [`Fail`] left by a handler into Gitea's JSON body.
async fn render_errors(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    match resp.extensions_mut().remove::<Fail>() {
        Some(fail) => {
            let body = fail.body(&app.swagger_url(), !app.at_least(1, 25));
            respond::json(fail.status(), &body)
        }
        None => resp,
    }
}

/// Converts handler results into responses.
pub(crate) type Reply = Result<Response, Fail>;

/// The Gitea version that added a route, for the routes newer than 1.20's API: older servers
/// answer them 404, before any scope check, as for any unknown route.
fn introduced(method: &str, swagger: &str) -> Option<(u64, u64)> {
    match (method, swagger) {
        ("POST", "/repos/{owner}/{repo}/contents") => Some((1, 20)),
        (_, "/repos/{owner}/{repo}/pulls/{base}/{head}") => Some((1, 22)),
        (_, "/repos/{owner}/{repo}/file-contents") => Some((1, 24)),
        _ => None,
    }
}

/// A status with a JSON value.
pub(crate) fn with_status(status: StatusCode, value: &serde_json::Value) -> Response {
    respond::json(status, value).into_response()
}
