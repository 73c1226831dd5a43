//! The least a retrying middleware does on the happy path, for part 1 to measure beside ours: it
//! keeps a copy of the request for a second attempt while the first is in flight, in the boxed
//! future reqwest-middleware asks for, and does nothing else. No retry middleware on
//! reqwest-middleware can cost less per request, so its ratio to plain reqwest bounds ours.

use std::{future::Future, hint::black_box, pin::Pin};

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next, Result};

/// Keeps a copy of each request until its one attempt has answered.
#[derive(Debug)]
pub(crate) struct KeepCopy;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl Middleware for KeepCopy {
    fn handle<'life0, 'life1, 'life2, 'async_trait>(
        &'life0 self,
        request: Request,
        extensions: &'life1 mut Extensions,
        next: Next<'life2>,
    ) -> BoxFuture<'async_trait, Result<Response>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        Self: 'async_trait,
    {
        // Part 1's GETs have no body, headers or timeout: the method and URL are the whole
        // request, and this is the cheapest copy reqwest's public API allows.
        let copy = Request::new(request.method().clone(), request.url().clone());
        Box::pin(async move {
            let result = next.run(request, extensions).await;
            drop(black_box(copy));
            result
        })
    }
}
