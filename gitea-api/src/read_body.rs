//! Reading each response body inside the retry loop, so that a body cut off mid-way (or a read
//! error mid-body) is an error of that attempt, which the policy retries like a reset, rather
//! than an error after the retry loop has returned.

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

/// The largest response body the client reads.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The most body bytes to read for one request, as a request extension (default
/// [`MAX_BODY_BYTES`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct MaxBody(pub(crate) usize);

/// A body over its request's [`MaxBody`]: the read stopped there; final, never retried.
#[derive(Debug, thiserror::Error)]
#[error("response body larger than its cap")]
pub(crate) struct BodyTooLarge;

/// Beneath the retry middleware: reads the whole body of every attempt's response, at most the
/// request's [`MaxBody`] of it (the chunk that would pass it ends the read, whatever
/// `Content-Length` said), and hands on a response holding it in memory.
pub(crate) struct ReadBody;

#[async_trait::async_trait]
impl Middleware for ReadBody {
    async fn handle(
        &self,
        request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let cap = extensions
            .get::<MaxBody>()
            .map_or(MAX_BODY_BYTES, |max| max.0);
        let mut response = next.run(request, extensions).await?;
        let mut head = http::Response::new(());
        *head.status_mut() = response.status();
        *head.version_mut() = response.version();
        *head.headers_mut() = std::mem::take(response.headers_mut());
        *head.extensions_mut() = std::mem::take(response.extensions_mut());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len().saturating_add(chunk.len()) > cap {
                return Err(reqwest_middleware::Error::middleware(BodyTooLarge));
            }
            body.extend_from_slice(&chunk);
        }
        let (parts, ()) = head.into_parts();
        Ok(Response::from(http::Response::from_parts(parts, body)))
    }
}
