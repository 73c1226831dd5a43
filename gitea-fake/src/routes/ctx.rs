//! What the repository handlers read from a request, extracted once.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, FromRequest, FromRequestParts, OriginalUri, RawQuery, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::bind::{self, Params};
use crate::app::App;
use crate::auth::{self, Caller};
use crate::fail::Fail;
use crate::pagination::{self, Page};
use crate::store::model::{Repo, State};
use crate::{respond, urlenc};

/// The app, the caller the auth layer identified, the path parameters and the query.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) app: Arc<App>,
    pub(crate) caller: Caller,
    pub(crate) p: Params,
    /// The query's pairs, decoded.
    pub(crate) query: Vec<(String, String)>,
    /// The request path as sent, for `Link` headers.
    path: String,
}

impl FromRequestParts<Arc<App>> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        let Extension(caller) = Extension::<Caller>::from_request_parts(parts, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let p = Params::from_request_parts(parts, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let Ok(OriginalUri(uri)) = OriginalUri::from_request_parts(parts, app).await;
        let Ok(RawQuery(query)) = RawQuery::from_request_parts(parts, app).await;
        Ok(Ctx {
            app: Arc::clone(app),
            caller,
            p,
            query: urlenc::parse_query(query.as_deref()),
            path: uri.path().to_owned(),
        })
    }
}

impl Ctx {
    /// The repository `{owner}/{repo}` of the path, if the caller may see it.
    ///
    /// # Errors
    /// As [`auth::repo`].
    pub(crate) fn repo<'a>(&self, st: &'a State) -> Result<&'a Repo, Fail> {
        auth::repo(st, &self.caller, self.p.get("owner"), self.p.get("repo"))
    }

    /// The page of `all` the query asks for, each item rendered by `render`, with
    /// `X-Total-Count` and `Link`. An item `render` turns into `None` is left off the page but
    /// still counts in the total, as Gitea counts rows it then hides.
    pub(crate) fn paged<T>(&self, all: &[T], render: impl FnMut(&T) -> Option<Value>) -> Response {
        self.paged_as(all, render, true)
    }

    /// [`paged`](Self::paged) for handlers that set only `X-Total-Count`, no `Link` (such as
    /// ListLabels: page until a short page comes back).
    pub(crate) fn paged_without_link<T>(
        &self,
        all: &[T],
        render: impl FnMut(&T) -> Option<Value>,
    ) -> Response {
        self.paged_as(all, render, false)
    }

    fn paged_as<T>(
        &self,
        all: &[T],
        render: impl FnMut(&T) -> Option<Value>,
        links: bool,
    ) -> Response {
        let page = Page::from_query(&self.query);
        let items: Vec<Value> = page.slice(all).iter().filter_map(render).collect();
        let mut resp = respond::ok(&Value::Array(items));
        let url = format!("{}{}", self.app.base_url, self.path);
        let total = all.len();
        if links {
            pagination::set_headers(&mut resp, &url, &self.query, page, total);
        } else {
            pagination::set_total_count(&mut resp, total);
        }
        resp
    }
}

/// A request body, bound only when the handler asks, so Gitea's checks before binding keep
/// their order.
#[derive(Debug)]
pub(crate) struct Payload {
    headers: HeaderMap,
    bytes: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for Payload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Payload { headers, bytes })
    }
}

impl Payload {
    /// Binds the body as [`bind::json`] does.
    ///
    /// # Errors
    /// The 422 answer.
    pub(crate) fn bind<T: DeserializeOwned>(&self) -> Result<T, Fail> {
        bind::json(&self.headers, &self.bytes)
    }
}
