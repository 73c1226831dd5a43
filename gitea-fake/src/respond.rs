//! Writing JSON the way Gitea's `ctx.JSON` does.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

/// Gitea's JSON content type (no space before `charset`).
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";

/// A JSON response with a trailing newline, like Go's `json.Encoder`.
pub(crate) fn json(status: StatusCode, value: &Value) -> Response {
    let mut bytes = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
    bytes.push(b'\n');
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    resp
}

/// 200 with `value`.
pub(crate) fn ok(value: &Value) -> Response {
    json(StatusCode::OK, value)
}
