//! Which token scope categories each route group asks for, as `tokenRequiresScopes` declares
//! them in Gitea 1.26's routers/api/v1/api.go, and the layer that checks them.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::auth::{self, Caller};
use crate::fail::Fail;
use crate::scope::ScopeCategory;

const NONE: &[ScopeCategory] = &[];
const ISSUE: &[ScopeCategory] = &[ScopeCategory::Issue];
const ORGANIZATION: &[ScopeCategory] = &[ScopeCategory::Organization];
const REPOSITORY: &[ScopeCategory] = &[ScopeCategory::Repository];
const USER: &[ScopeCategory] = &[ScopeCategory::User];

/// The categories of the group a route (swagger path under `/api/v1`) belongs to; None for a
/// path no rule covers (a test keeps every served route covered).
///
/// - `/version` sits in the public "misc" group: no scope.
/// - `/orgs/{org}/…`: `organization` (the org group; `GET /orgs/{org}/repos` included).
/// - `/repos/{owner}/{repo}/issues…`, `/labels…` and `/milestones…`: `issue` (the issue group,
///   which also serves pull requests' comments and labels).
/// - every other `/repos/…`: `repository`.
/// - `/user…` and `/users/…`: `user`.
pub(crate) fn group(path: &str) -> Option<&'static [ScopeCategory]> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segs.as_slice() {
        ["version"] => Some(NONE),
        ["orgs", _, ..] => Some(ORGANIZATION),
        ["repos", _, _, "issues" | "labels" | "milestones", ..] => Some(ISSUE),
        ["repos", ..] => Some(REPOSITORY),
        ["user", ..] | ["users", ..] => Some(USER),
        _ => None,
    }
}

/// What the layer of one route checks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route {
    /// The scope categories of its group.
    pub(crate) categories: &'static [ScopeCategory],
    /// The Gitea version that added it, if newer than 1.20's API.
    pub(crate) since: Option<(u64, u64)>,
}

/// The layer of one route: a route the emulated version lacks is 404, as unrouted; then the
/// caller's token is checked against the group's categories, before the handler runs.
pub(crate) async fn gate(
    State(app): State<Arc<App>>,
    route: Route,
    mut req: Request,
    next: Next,
) -> Response {
    if route
        .since
        .is_some_and(|(major, minor)| !app.at_least(major, minor))
    {
        return Fail::not_found().into_response();
    }
    let method = req.method().as_str().to_owned();
    let checked = match req.extensions_mut().get_mut::<Caller>() {
        Some(caller) => auth::check_scopes(caller, &method, route.categories),
        None => Ok(()),
    };
    match checked {
        Ok(()) => next.run(req).await,
        Err(fail) => fail.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_route_has_its_gitea_group() {
        let expected = |path: &str| match path {
            "/version" => NONE,
            "/user" => USER,
            "/orgs/{org}/repos" => ORGANIZATION,
            p if p.starts_with("/repos/{owner}/{repo}/labels")
                || p.starts_with("/repos/{owner}/{repo}/issues") =>
            {
                ISSUE
            }
            p if p.starts_with("/repos/") => REPOSITORY,
            p => panic!("{p}: which group of api.go serves it? add it to `group`"),
        };
        for (method, path) in super::super::served_routes() {
            assert_eq!(group(path), Some(expected(path)), "{method} {path}");
        }
    }

    #[test]
    fn issue_routes_of_pull_requests_are_issue_scoped() {
        // A PR comment is an issue comment in Gitea: POST /repos/{o}/{r}/issues/{index}/comments.
        assert_eq!(
            group("/repos/{owner}/{repo}/issues/{index}/comments"),
            Some(ISSUE)
        );
        assert_eq!(
            group("/repos/{owner}/{repo}/pulls/{index}"),
            Some(REPOSITORY)
        );
        assert_eq!(
            group("/repos/{owner}/{repo}/branches/{branch}"),
            Some(REPOSITORY)
        );
        assert_eq!(
            group("/repos/{owner}/{repo}/compare/{basehead}"),
            Some(REPOSITORY)
        );
        assert_eq!(group("/user"), Some(USER));
        assert_eq!(group("/admin/users"), None);
    }
}
