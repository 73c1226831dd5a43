//! Gitea's error answers. Handlers return a [`Fail`]; the rendering layer turns it into the
//! JSON body with the server's swagger URL, so handlers need not know the base URL.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answer as Gitea shapes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fail {
    /// `APIErrorNotFound`: `{"message","url","errors"}`; `message` None means the default.
    NotFound {
        message: Option<String>,
        errors: Option<Vec<String>>,
    },
    /// `APIError(status, msg)`: `{"message","url"}`.
    Message { status: StatusCode, message: String },
}

impl Fail {
    /// The plain 404 `{"message":"not found","url":…,"errors":null}`.
    pub(crate) fn not_found() -> Fail {
        Fail::NotFound {
            message: None,
            errors: None,
        }
    }

    /// A 404 whose message names the failing lookup and lists the underlying errors.
    pub(crate) fn not_found_with(message: &str, error: String) -> Fail {
        Fail::NotFound {
            message: Some(message.to_owned()),
            errors: Some(vec![error]),
        }
    }

    /// The default 404 message with the underlying error listed, as `APIErrorNotFound(err)`.
    pub(crate) fn not_found_because(error: String) -> Fail {
        Fail::NotFound {
            message: None,
            errors: Some(vec![error]),
        }
    }

    /// Any status with a `{"message","url"}` body.
    pub(crate) fn msg(status: StatusCode, message: impl Into<String>) -> Fail {
        Fail::Message {
            status,
            message: message.into(),
        }
    }

    /// 422 with `message`.
    pub(crate) fn unprocessable(message: impl Into<String>) -> Fail {
        Fail::msg(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// The status code of this answer.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Fail::NotFound { .. } => StatusCode::NOT_FOUND,
            Fail::Message { status, .. } => *status,
        }
    }

    /// The JSON body, given the swagger URL and whether the server is older than 1.25
    /// (whose default 404 message was localised).
    pub(crate) fn body(&self, swagger_url: &str, pre_125: bool) -> Value {
        match self {
            Fail::NotFound { message, errors } => {
                let default = if pre_125 {
                    "The target couldn't be found."
                } else {
                    "not found"
                };
                json!({
                    "message": message.as_deref().unwrap_or(default),
                    "url": swagger_url,
                    "errors": errors,
                })
            }
            Fail::Message { message, .. } => json!({"message": message, "url": swagger_url}),
        }
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let mut resp = self.status().into_response();
        resp.extensions_mut().insert(self);
        resp
    }
}
