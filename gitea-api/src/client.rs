//! `Client`: the shared state behind every endpoint.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::Extensions;
use reqwest::header::HeaderValue;
use reqwest::{Request, Response};
use reqwest_middleware::{ClientWithMiddleware, Middleware, Next};
use url::Url;

use crate::builder::{ClientBuilder, RetryScope};
use crate::request::Kind;
use crate::{Error, ServerVersion, Token, User};

/// A typed client for the Gitea 1.26 endpoints the cascade needs.
///
/// Cheap to clone: clones share the connection pool, the call counter and the cached server
/// version. See the [crate documentation](crate) for an example.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: ClientWithMiddleware,
    /// `<base>/api/v1/`.
    pub(crate) root: Url,
    pub(crate) auth: Option<HeaderValue>,
    /// Kept only to redact it from texts a server might echo.
    pub(crate) token: Option<Token>,
    pub(crate) calls: Arc<AtomicU64>,
    pub(crate) scope: RetryScope,
    /// How long a response's body may take to arrive: the policy's attempt timeout.
    pub(crate) body_timeout: Option<Duration>,
    /// The largest file a contents read accepts.
    pub(crate) max_file_bytes: usize,
    pub(crate) version: tokio::sync::OnceCell<ServerVersion>,
    pub(crate) user: tokio::sync::OnceCell<User>,
}

impl Client {
    /// Starts building a client for the server at `base_url` (such as `https://git.example.com`;
    /// `/api/v1` is appended unless already there).
    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

    /// HTTP requests actually sent by this client and its clones, each retry counted.
    pub fn api_calls(&self) -> u64 {
        self.inner.calls.load(Ordering::Relaxed)
    }

    /// `text` with every occurrence of this client's token replaced by `***`, for callers that
    /// print what a server sent (a server may echo the request's headers back).
    pub fn redact(&self, text: &str) -> String {
        crate::token::redact(text, self.inner.token.as_ref())
    }

    /// The retry scope this client was built with.
    pub fn retry_scope(&self) -> RetryScope {
        self.inner.scope
    }

    /// The server's version from `GET /version`, read once per client and then cached.
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the request; an error is not cached, so the next call asks again.
    pub async fn version(&self) -> Result<ServerVersion, Error> {
        self.inner
            .version
            .get_or_try_init(|| async {
                #[derive(serde::Deserialize)]
                struct Wire {
                    version: String,
                }
                const EP: &str = "GET /version";
                let url = self.url().lit("version").build();
                let wire: Wire = self.get_json(EP, url, Kind::Read).await?;
                Ok(ServerVersion::parse(&wire.version))
            })
            .await
            .cloned()
    }
}

impl Client {
    /// The token's own user from `GET /user`, read once per client and then cached; what
    /// tells the PRs and commits this client wrote from anyone else's.
    ///
    /// # Errors
    ///
    /// [`Error::is_unauthorized`] (401) without a token; [`Error::is_forbidden`] for a token
    /// without the `read:user` scope; otherwise any request [`Error`]. An error is not cached,
    /// so the next call asks again.
    pub async fn current_user(&self) -> Result<User, Error> {
        self.inner
            .user
            .get_or_try_init(|| async {
                const EP: &str = "GET /user";
                let url = self.url().lit("user").build();
                self.get_json(EP, url, Kind::Read).await
            })
            .await
            .cloned()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("root", &self.inner.root.as_str())
            .field("token", &self.inner.token)
            .field("scope", &self.inner.scope)
            .field("api_calls", &self.api_calls())
            .finish()
    }
}

/// Counts every request that reaches the network; it sits beneath the retry middleware, so
/// each attempt counts.
pub(crate) struct CallCounter(pub(crate) Arc<AtomicU64>);

#[async_trait::async_trait]
impl Middleware for CallCounter {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        self.0.fetch_add(1, Ordering::Relaxed);
        next.run(req, extensions).await
    }
}
