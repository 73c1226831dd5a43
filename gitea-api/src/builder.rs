//! `ClientBuilder`: base URL, token, user agent, timeout and retry settings.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use reqwest::header::HeaderValue;
use retry_policy::{Policy, Retrier, RetryBudget, RetryMiddleware, RetryMode};

use crate::client::{CallCounter, Client, Inner};
use crate::rate_limit::RateLimit;
use crate::read_body::ReadBody;
use crate::{Error, Token, base_url};

/// The attempt timeout of the client's default retry policy.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// The default largest file the contents endpoints read: 1 MiB.
pub const DEFAULT_MAX_FILE_BYTES: usize = 1024 * 1024;

/// The client's default retry policy: [`Policy::default`] (1 s, 2 s, 4 s, at most 4 calls) with
/// an attempt timeout of [`DEFAULT_ATTEMPT_TIMEOUT`].
pub fn default_retry_policy() -> Policy {
    // A positive timeout on the default policy always builds.
    Policy::builder()
        .attempt_timeout(DEFAULT_ATTEMPT_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// Whether the client's retry middleware repeats reads.
///
/// No write is ever repeated by the middleware: contents writes, branch creation, comments and
/// the PR POST are each sent once per call. The one retried write, opening a pull request, has its
/// own loop in [`Client::open_pull_request`], which looks the PR up before each re-POST; a blind
/// re-POST can make two PRs, because Gitea's duplicate check is not atomic
/// (go-gitea/gitea#20906).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryScope {
    /// Every request is sent once (the default): a failure before the PR POST is loud, and
    /// re-running the cascade from the top is safe.
    #[default]
    Disabled,
    /// Every read is retried under the client's policy: each GET, and the batch
    /// `POST /file-contents`, which only reads. Writes are still sent once.
    ReadsOnly,
}

/// Builds a [`Client`]; start with [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<Token>,
    user_agent: String,
    policy: Option<Policy>,
    scope: RetryScope,
    budget: Option<RetryBudget>,
    allow_insecure_http: bool,
    max_file_bytes: usize,
    max_rps: Option<NonZeroU32>,
}

impl ClientBuilder {
    pub(crate) fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            token: None,
            user_agent: concat!("gitea-api/", env!("CARGO_PKG_VERSION")).to_owned(),
            policy: None,
            scope: RetryScope::default(),
            budget: None,
            allow_insecure_http: false,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_rps: None,
        }
    }

    /// The token, sent as `Authorization: token …` on every request. Without one, requests are
    /// anonymous (enough for `/version` and public reads).
    #[must_use]
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    /// The `User-Agent` header (default `gitea-api/<version>`).
    #[must_use]
    pub fn user_agent(mut self, user_agent: &str) -> Self {
        self.user_agent = user_agent.to_owned();
        self
    }

    /// The retry policy: the schedule of retried requests, and the attempt timeout of every
    /// request (default [`default_retry_policy`]: [`Policy::default`] with an attempt timeout of
    /// [`DEFAULT_ATTEMPT_TIMEOUT`]).
    ///
    /// The policy is the one place the attempt timeout is set: each attempt has
    /// [`Policy::attempt_timeout`] to answer, its body included (the body is read inside the
    /// attempt). A
    /// policy without one leaves requests unbounded, so give one that has it.
    #[must_use]
    pub fn retry_policy(mut self, policy: Policy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Whether reads are retried (default [`RetryScope::Disabled`]: nothing is).
    #[must_use]
    pub fn retry_scope(mut self, scope: RetryScope) -> Self {
        self.scope = scope;
        self
    }

    /// A retry budget shared with other clients, bounding retries under a wide outage.
    #[must_use]
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Sends at most `per_second` requests per second, evenly spaced, counting every attempt;
    /// shared by all clones of the client (default: no cap). For a Gitea that people also use.
    ///
    /// A request waits for its turn within its attempt timeout, so keep the requests in flight
    /// at once below `per_second` times the attempt timeout.
    #[must_use]
    pub fn max_requests_per_second(mut self, per_second: NonZeroU32) -> Self {
        self.max_rps = Some(per_second);
        self
    }

    /// Allows plain `http` to hosts other than loopback. Off by default: the token would travel
    /// in clear text.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The largest file [`get_contents`](Client::get_contents) and
    /// [`get_file_contents`](Client::get_file_contents) read (default 1 MiB). A larger one is
    /// [`Error::TooLarge`]; the answer is read only as far as files of this size can take, so a
    /// server that omits or misstates `Content-Length` costs no more memory.
    #[must_use]
    pub fn max_file_bytes(mut self, bytes: usize) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Validates the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] when the base URL is not `http(s)`, carries credentials, a query
    /// or a fragment, or is plain `http` to a non-loopback host without
    /// [`allow_insecure_http`](Self::allow_insecure_http); when the token or user agent cannot be
    /// sent as a header; or when the TLS stack cannot be set up.
    pub fn build(self) -> Result<Client, Error> {
        let root = base_url::api_root(&self.base_url, self.allow_insecure_http)
            .map_err(|err| Error::InvalidConfig(format!("base URL {err}")))?;
        let auth = self.token.as_ref().map(auth_header).transpose()?;
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::InvalidConfig(
                "user agent contains characters not allowed in a header".to_owned(),
            )
        })?;
        let http = reqwest::Client::builder()
            .user_agent(user_agent)
            .https_only(root.scheme() == "https")
            // A redirect would carry the token and the request body to wherever it points
            // (reqwest re-sends the original headers on each hop); a 3xx is an error instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::InvalidConfig(format!("HTTP client: {}", e.without_url())))?;
        let policy = self.policy.unwrap_or_else(default_retry_policy);
        let body_timeout = policy.attempt_timeout();
        let mut retrier = Retrier::new(policy);
        if let Some(budget) = self.budget {
            retrier = retrier.with_budget(budget);
        }
        let retry = RetryMiddleware::from(retrier).with_default_mode(RetryMode::Never);
        let calls = Arc::new(AtomicU64::new(0));
        let mut http = reqwest_middleware::ClientBuilder::new(http).with(retry);
        if let Some(per_second) = self.max_rps {
            http = http.with(RateLimit::new(per_second));
        }
        let http = http
            .with(CallCounter(Arc::clone(&calls)))
            .with(ReadBody)
            .build();
        Ok(Client::from_inner(Inner {
            http,
            root,
            auth,
            token: self.token,
            calls,
            scope: self.scope,
            body_timeout,
            max_file_bytes: self.max_file_bytes,
            version: tokio::sync::OnceCell::new(),
            user: tokio::sync::OnceCell::new(),
        }))
    }
}

fn auth_header(token: &Token) -> Result<HeaderValue, Error> {
    token
        .check()
        .map_err(|err| Error::InvalidConfig(err.to_string()))?;
    let mut header = HeaderValue::from_str(&format!("token {}", token.expose())).map_err(|_| {
        Error::InvalidConfig("token contains characters not allowed in a header".to_owned())
    })?;
    header.set_sensitive(true);
    Ok(header)
}
