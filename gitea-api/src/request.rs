//! Sending one request: headers, retry marking, timeout, body limits and error mapping.

use std::error::Error as StdError;
use std::time::SystemTime;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, LOCATION};
use reqwest::{Method, Response};
use retry_policy::{AttemptTimedOut, RetryMode, Route, TransportKind, retry_after};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::builder::RetryScope;
use crate::error_body::{self, ErrorBody};
use crate::path::UrlBuilder;
use crate::read_body::{BodyTooLarge, MAX_BODY_BYTES, MaxBody};
use crate::token::redact;
use crate::{Client, Error};

/// What a request does, which decides whether it may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Changes nothing on the server.
    Read,
    /// Changes something; never retried by the middleware.
    Write,
}

/// How much of a body to read before giving up on it.
#[derive(Debug, Clone)]
pub(crate) enum BodyCap {
    /// Any answer: [`MAX_BODY_BYTES`].
    Response,
    /// An answer carrying files of at most `limit` bytes each, `bytes` in all once encoded;
    /// `what` names the files asked for.
    Files {
        bytes: usize,
        what: String,
        limit: usize,
    },
}

impl BodyCap {
    fn bytes(&self) -> usize {
        match self {
            BodyCap::Response => MAX_BODY_BYTES,
            BodyCap::Files { bytes, .. } => *bytes,
        }
    }

    fn exceeded(self, endpoint: &'static str) -> Error {
        match self {
            BodyCap::Response => Error::InvalidResponse {
                endpoint,
                reason: format!("response body larger than {MAX_BODY_BYTES} bytes"),
            },
            BodyCap::Files { bytes, what, limit } => Error::TooLarge {
                endpoint,
                what: format!("the answer for {what} (past {bytes} bytes and still coming)"),
                limit: limit as u64,
            },
        }
    }
}

/// A response read to the end.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Client {
    /// A URL under the API root.
    pub(crate) fn url(&self) -> UrlBuilder {
        UrlBuilder::new(&self.inner.root)
    }

    fn retry_mode(&self, kind: Kind) -> RetryMode {
        if kind == Kind::Read && self.inner.scope == RetryScope::ReadsOnly {
            RetryMode::Always
        } else {
            RetryMode::Never
        }
    }

    /// Sends a request and reads the whole response, whatever its status, but at most `cap` of
    /// its body: the chunk that would pass it ends the read, whatever `Content-Length` said, or
    /// did not say.
    pub(crate) async fn send(
        &self,
        endpoint: &'static str,
        method: Method,
        url: Url,
        json_body: Option<Vec<u8>>,
        kind: Kind,
        cap: BodyCap,
    ) -> Result<Reply, Error> {
        let sent_to = url.clone();
        let mut request = self
            .inner
            .http
            .request(method, url)
            .header(ACCEPT, "application/json")
            .with_extension(self.retry_mode(kind))
            .with_extension(Route(endpoint))
            .with_extension(MaxBody(cap.bytes()));
        if let Some(auth) = &self.inner.auth {
            request = request.header(AUTHORIZATION, auth.clone());
        }
        if let Some(body) = json_body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        tracing::debug!(endpoint, "gitea request");
        // `ReadBody` read the body beneath the retry middleware, inside the retry loop and the
        // attempt timeout, so a cut body is an error of that attempt; what follows only takes it
        // out of memory.
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(err) if is_over_cap(&err) => return Err(cap.exceeded(endpoint)),
            Err(err) => return Err(transport_error(endpoint, err)),
        };
        let status = response.status().as_u16();
        if is_redirect(status) {
            let target = redirect_target(&sent_to, response.headers());
            return Err(Error::Redirected {
                endpoint,
                status,
                target,
            });
        }
        let headers = std::mem::take(response.headers_mut());
        // The policy's attempt timeout bounds the answer (in the retry middleware) and, once
        // more, the body that follows it.
        let body = match self.inner.body_timeout {
            Some(limit) => tokio::time::timeout(limit, read_body(endpoint, response, cap))
                .await
                .map_err(|_| Error::Transport {
                    endpoint,
                    kind: TransportKind::Timeout,
                    source: Box::new(AttemptTimedOut::new(limit)),
                })??,
            None => read_body(endpoint, response, cap).await?,
        };
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// Sends a request; a non-2xx status becomes an error.
    pub(crate) async fn call(
        &self,
        endpoint: &'static str,
        method: Method,
        url: Url,
        json_body: Option<Vec<u8>>,
        kind: Kind,
    ) -> Result<Reply, Error> {
        self.call_capped(endpoint, method, url, json_body, kind, BodyCap::Response)
            .await
    }

    /// [`call`](Self::call) with a body cap.
    pub(crate) async fn call_capped(
        &self,
        endpoint: &'static str,
        method: Method,
        url: Url,
        json_body: Option<Vec<u8>>,
        kind: Kind,
        cap: BodyCap,
    ) -> Result<Reply, Error> {
        let reply = self
            .send(endpoint, method, url, json_body, kind, cap)
            .await?;
        if (200..300).contains(&reply.status) {
            Ok(reply)
        } else {
            Err(self.status_error(endpoint, &reply))
        }
    }

    /// `GET` and decode the JSON body.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        url: Url,
        kind: Kind,
    ) -> Result<T, Error> {
        let reply = self.call(endpoint, Method::GET, url, None, kind).await?;
        self.decode(endpoint, &reply)
    }

    /// Sends a JSON body and decodes the JSON answer.
    pub(crate) async fn send_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        method: Method,
        url: Url,
        body: &B,
        kind: Kind,
    ) -> Result<T, Error> {
        let reply = self
            .call(endpoint, method, url, Some(json_bytes(body)?), kind)
            .await?;
        self.decode(endpoint, &reply)
    }

    /// Decodes a 2xx body.
    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        reply: &Reply,
    ) -> Result<T, Error> {
        serde_json::from_slice(&reply.body).map_err(|e| Error::Decode {
            endpoint,
            status: reply.status,
            detail: redact(&e.to_string(), self.inner.token.as_ref()),
        })
    }

    /// The error for a non-2xx reply.
    pub(crate) fn status_error(&self, endpoint: &'static str, reply: &Reply) -> Error {
        let status = reply.status;
        // An HTTP date is measured against the response's own `Date`.
        let retry_after = retry_after(&reply.headers, SystemTime::now());
        match error_body::decode(&reply.body, self.inner.token.as_ref()) {
            ErrorBody::Api {
                message,
                url,
                errors,
            } => Error::Api {
                endpoint,
                status,
                message,
                url,
                errors,
                retry_after,
            },
            ErrorBody::NonJson { snippet } => Error::NonJson {
                endpoint,
                status,
                snippet,
                retry_after,
            },
        }
    }
}

/// Maps a failure while reading the body to [`Error::Transport`]: the status and headers had
/// arrived, so the connection was cut before the response was complete (a reset) unless the
/// attempt ran out of time. `ReadBody` reads every body inside the retry loop, so such a failure
/// reaches the retry middleware as an error of its attempt (and is retried where the request may
/// be); this mapping is for what is left. After a 2xx it means the server carried the request
/// out, so a caller that retries the write must look for it first.
fn body_error(endpoint: &'static str, err: reqwest::Error) -> Error {
    let kind = if err.is_timeout() {
        TransportKind::Timeout
    } else {
        TransportKind::Reset
    };
    Error::Transport {
        endpoint,
        kind,
        source: Box::new(err.without_url()),
    }
}

/// A request body as JSON.
pub(crate) fn json_bytes<B: Serialize + ?Sized>(body: &B) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(body).map_err(|e| Error::InvalidInput {
        what: "request body",
        reason: e.to_string(),
    })
}

/// A 3xx other than 304 Not Modified (which answers a conditional request; none is sent).
fn is_redirect(status: u16) -> bool {
    (300..400).contains(&status) && status != 304
}

/// The origin a redirect points at, resolved against the request's URL: scheme, host and port,
/// never the path or query, which may carry anything.
fn redirect_target(sent_to: &Url, headers: &HeaderMap) -> String {
    let Some(location) = headers.get(LOCATION) else {
        return "nowhere (no Location header)".to_owned();
    };
    let resolved = location
        .to_str()
        .ok()
        .and_then(|location| sent_to.join(location).ok());
    match resolved {
        Some(url) => match (url.host_str(), url.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
            (Some(host), None) => format!("{}://{host}", url.scheme()),
            (None, _) => format!("a {}: URL without a host", url.scheme()),
        },
        None => "an unreadable Location header".to_owned(),
    }
}

/// Reads a whole body, but at most `cap` of it.
async fn read_body(
    endpoint: &'static str,
    mut response: Response,
    cap: BodyCap,
) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| body_error(endpoint, e))?
    {
        if body.len().saturating_add(chunk.len()) > cap.bytes() {
            return Err(cap.exceeded(endpoint));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Whether `ReadBody` stopped reading because the body passed the request's cap.
fn is_over_cap(err: &reqwest_middleware::Error) -> bool {
    matches!(err, reqwest_middleware::Error::Middleware(e) if e.downcast_ref::<BodyTooLarge>().is_some())
}

/// Maps a failed send to [`Error::Transport`], classified as retry-policy classifies it (a body
/// cut off mid-way is a reset) and with the URL dropped from the wrapped error.
fn transport_error(endpoint: &'static str, err: reqwest_middleware::Error) -> Error {
    let kind = TransportKind::from_middleware_error(&err);
    let source: Box<dyn StdError + Send + Sync> = match err {
        reqwest_middleware::Error::Reqwest(e) => Box::new(e.without_url()),
        reqwest_middleware::Error::Middleware(e) => {
            let boxed: Box<dyn StdError + Send + Sync> = e.into();
            match boxed.downcast::<reqwest::Error>() {
                Ok(e) => Box::new(e.without_url()),
                Err(other) => other,
            }
        }
    };
    Error::Transport {
        endpoint,
        kind,
        source,
    }
}
