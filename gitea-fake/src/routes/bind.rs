//! Request parsing with Gitea's binding errors, and the path-parameter extractor.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;

use crate::fail::Fail;

/// Path parameters; a malformed path answers Gitea's 404 instead of axum's text.
#[derive(Debug)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    /// A parameter by name ("" when absent).
    pub(crate) fn get(&self, key: &str) -> &str {
        self.0.get(key).map_or("", String::as_str)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Fail;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Path(m)| Params(m))
            .map_err(|_| Fail::not_found())
    }
}

/// Binds a request body as Gitea's `binding.Bind` does: by `Content-Type`. JSON types are
/// decoded (malformed JSON or a wrong type is the deserialization 422, `[]: <error>`); form
/// types bind no JSON fields, so the `Required` checks that follow fail; a missing type is
/// `[]: Empty Content-Type` and any other `[]: Unsupported Content-Type`.
///
/// # Errors
/// The 422 answer.
pub(crate) fn json<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, Fail> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase())
        .unwrap_or_default();
    let bytes: &[u8] = if content_type.contains("json") {
        body
    } else if content_type.contains("form-urlencoded")
        || content_type.contains("multipart/form-data")
    {
        b"{}"
    } else if content_type.is_empty() {
        return Err(Fail::unprocessable("[]: Empty Content-Type"));
    } else {
        return Err(Fail::unprocessable("[]: Unsupported Content-Type"));
    };
    serde_json::from_slice(bytes).map_err(|e| Fail::unprocessable(format!("[]: {e}")))
}

/// 422 `[Field]: Required` when `value` is absent or empty.
///
/// # Errors
/// The 422 answer.
pub(crate) fn required<'a>(value: Option<&'a str>, field: &str) -> Result<&'a str, Fail> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Fail::unprocessable(format!("[{field}]: Required"))),
    }
}

/// 422 `[Field]: GitRefName` (or `MaxSize`) for a name git would refuse as a branch.
///
/// # Errors
/// The 422 answer.
pub(crate) fn ref_name(value: Option<&str>, field: &str) -> Result<(), Fail> {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    if v.chars().count() > 100 {
        return Err(Fail::unprocessable(format!("[{field}]: MaxSize")));
    }
    let bad_char = v.chars().any(|c| c.is_control() || " ~^:?*[\\".contains(c));
    let bad = bad_char
        || v == "@"
        || v.contains("..")
        || v.contains("@{")
        || v.contains("//")
        || v.starts_with('/')
        || v.ends_with('/')
        || v.ends_with('.')
        || v.ends_with(".lock")
        || v.split('/')
            .any(|s| s.starts_with('.') || s.ends_with(".lock"));
    if bad {
        return Err(Fail::unprocessable(format!("[{field}]: GitRefName")));
    }
    Ok(())
}

/// Decodes base64 as Go's `StdEncoding` does (line breaks are skipped).
///
/// # Errors
/// 422 with Go's `illegal base64 data at input byte N`.
pub(crate) fn base64(text: &str) -> Result<Vec<u8>, Fail> {
    use base64::Engine as _;
    let clean: String = text.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean.as_bytes())
        .map_err(|e| {
            let at = match e {
                base64::DecodeError::InvalidByte(i, _)
                | base64::DecodeError::InvalidLastSymbol(i, _) => i,
                base64::DecodeError::InvalidLength(n) => n,
                base64::DecodeError::InvalidPadding => clean.len(),
            };
            Fail::unprocessable(format!("illegal base64 data at input byte {at}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names_follow_git_rules() {
        for ok in ["bump/runtime-1.5.0", "main", "feature/x_y"] {
            assert!(ref_name(Some(ok), "B").is_ok(), "{ok}");
        }
        for bad in [
            "a..b", "a b", "/a", "a/", "a.lock", "x:y", ".hidden", "a//b",
        ] {
            assert!(ref_name(Some(bad), "B").is_err(), "{bad}");
        }
    }

    #[test]
    fn base64_skips_newlines_and_reports_position() {
        assert_eq!(base64("aGVs\nbG8=").unwrap(), b"hello");
        assert!(base64("a$==").is_err());
    }
}
