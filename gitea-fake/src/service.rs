//! The per-request wrapper around the router: request log, latency and fault injection.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use futures_util::{StreamExt as _, stream};
use hyper::body::Incoming;
use hyper::service::Service as _;
use hyper_util::service::TowerToHyperService;

use crate::app::App;
use crate::faults::{Body as FaultBody, Fault, FaultPlan};
use crate::log::{LoggedRequest, RequestLog, redact_query};
use crate::{auth, respond};

/// What the wrapper needs, shared by every connection.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) app: Arc<App>,
    pub(crate) router: Router,
    pub(crate) faults: FaultPlan,
    pub(crate) log: RequestLog,
    pub(crate) latency: Duration,
}

/// The service's error: the connection is dropped without an answer.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

/// Either the request still to answer, or the answer the handler gave.
enum Input {
    Request(Request<Incoming>),
    Answered(Response<Body>),
}

/// Answers one request, logging it and applying the fault plan. `Err` makes hyper drop the
/// connection (which the caller turns into a TCP reset).
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let entry = LoggedRequest {
        method: method.clone(),
        path: path.clone(),
        query: req.uri().query().map(redact_query),
        status: None,
        fault: None,
        auth_scheme: auth::scheme(req.headers()),
    };
    let id = shared.log.start(entry);
    let fault = shared.faults.decide(&method, &path);
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    let label = fault.as_ref().map(Fault::label);
    let result = match fault {
        None => Ok(call(&shared, req).await),
        Some(f) => apply(&shared, f, Input::Request(req)).await,
    };
    let status = result.as_ref().ok().map(|r| r.status().as_u16());
    shared.log.finish(id, status, label);
    result.map(|mut r| {
        r.headers_mut()
            .entry("x-content-type-options")
            .or_insert(HeaderValue::from_static("nosniff"));
        r
    })
}

/// Runs the router.
async fn call(shared: &Shared, req: Request<Incoming>) -> Response<Body> {
    let svc = TowerToHyperService::new(shared.router.clone());
    match svc.call(req).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}

/// The answer an input stands for, running the handler if it has not run yet.
async fn answer(shared: &Shared, input: Input) -> Response<Body> {
    match input {
        Input::Request(req) => call(shared, req).await,
        Input::Answered(resp) => resp,
    }
}

/// Applies `fault` to the request or to the answer already produced.
fn apply<'a>(
    shared: &'a Shared,
    fault: Fault,
    input: Input,
) -> std::pin::Pin<Box<dyn Future<Output = Result<Response<Body>, Dropped>> + Send + 'a>> {
    Box::pin(async move {
        match fault {
            Fault::Status {
                status,
                body,
                retry_after,
            } => Ok(status_answer(&shared.app, status, body, retry_after)),
            Fault::Delay(d) => {
                tokio::time::sleep(d).await;
                Ok(answer(shared, input).await)
            }
            Fault::Reset => Err(Dropped),
            Fault::Redirect { status, location } => Ok(redirect_answer(status, &location)),
            Fault::TruncateBody => Ok(truncate(answer(shared, input).await).await),
            Fault::ApplyThen(inner) => {
                let resp = answer(shared, input).await;
                apply(shared, *inner, Input::Answered(resp)).await
            }
        }
    })
}

/// An injected status answer.
fn status_answer(
    app: &App,
    status: u16,
    body: FaultBody,
    retry_after: Option<u64>,
) -> Response<Body> {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = code.canonical_reason().unwrap_or("Error");
    let mut resp = match body {
        FaultBody::ProxyHtml => {
            let html = format!(
                "<html>\r\n<head><title>{} {reason}</title></head>\r\n<body>\r\n<center><h1>{} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                code.as_u16(),
                code.as_u16()
            );
            let mut r = Response::new(Body::from(html));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            r
        }
        _ => {
            let msg = if code == StatusCode::INTERNAL_SERVER_ERROR {
                ""
            } else {
                reason
            };
            let v = serde_json::json!({"message": msg, "url": app.swagger_url()});
            respond::json(code, &v)
        }
    };
    *resp.status_mut() = code;
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// An injected redirect with an empty body.
fn redirect_answer(status: u16, location: &str) -> Response<Body> {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
    if let Ok(value) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, value);
    }
    resp
}

/// Keeps the status and headers (with the full `Content-Length`), sends half the body,
/// then fails the body stream so hyper aborts the connection.
async fn truncate(resp: Response<Body>) -> Response<Body> {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let keep = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let head = stream::iter([Ok::<_, std::io::Error>(keep)]);
    // Pausing before the error lets hyper flush the headers and the first half.
    let cut = stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::other("body truncated by an injected fault"))
    });
    Response::from_parts(parts, Body::from_stream(head.chain(cut)))
}
