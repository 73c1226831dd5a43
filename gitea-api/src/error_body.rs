//! Decoding of non-2xx response bodies: Gitea's `APIError` JSON, or anything else as a snippet.

use serde::Deserialize;
use serde_json::Value;

use crate::token::{Token, redact};

/// The longest snippet of a non-JSON body kept in an error, in characters.
pub(crate) const SNIPPET_CHARS: usize = 160;

/// What an error body said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ErrorBody {
    /// Gitea's `{"message", "url", "errors"}` (every field optional), `null`, or an empty body.
    Api {
        message: String,
        url: Option<String>,
        errors: Vec<String>,
    },
    /// Anything else, reduced to a short, sanitised snippet.
    NonJson { snippet: String },
}

#[derive(Deserialize)]
struct ApiErrorWire {
    #[serde(default)]
    message: Option<Value>,
    #[serde(default)]
    url: Option<Value>,
    #[serde(default)]
    errors: Option<Value>,
}

/// Decodes an error body. Never panics; redacts the token wherever it appears.
pub(crate) fn decode(body: &[u8], token: Option<&Token>) -> ErrorBody {
    let text = String::from_utf8_lossy(body);
    if text.trim().is_empty() {
        return ErrorBody::Api {
            message: String::new(),
            url: None,
            errors: Vec::new(),
        };
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Null) => ErrorBody::Api {
            message: String::new(),
            url: None,
            errors: Vec::new(),
        },
        Ok(value @ Value::Object(_)) => match serde_json::from_value::<ApiErrorWire>(value) {
            Ok(wire) => ErrorBody::Api {
                message: clean(&as_text(wire.message), token),
                url: wire.url.map(|u| clean(&as_text(Some(u)), token)),
                errors: match wire.errors {
                    Some(Value::Array(items)) => items
                        .into_iter()
                        .map(|e| clean(&as_text(Some(e)), token))
                        .collect(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(other) => vec![clean(&as_text(Some(other)), token)],
                },
            },
            Err(_) => non_json(&text, token),
        },
        _ => non_json(&text, token),
    }
}

fn as_text(value: Option<Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
    }
}

/// Gitea's own texts, with control characters dropped, the token redacted and a sane length.
fn clean(text: &str, token: Option<&Token>) -> String {
    let redacted = redact(text, token);
    let printable: String = redacted.chars().filter(|c| !c.is_control()).collect();
    truncate(&printable, 1000)
}

fn non_json(text: &str, token: Option<&Token>) -> ErrorBody {
    ErrorBody::NonJson {
        snippet: snippet(text, token),
    }
}

/// Strips markup, control characters and runs of whitespace, redacts the token, and cuts the
/// result to [`SNIPPET_CHARS`] characters.
pub(crate) fn snippet(text: &str, token: Option<&Token>) -> String {
    let redacted = redact(text, token);
    let mut plain = String::with_capacity(redacted.len().min(4096));
    let mut in_tag = false;
    for c in redacted.chars() {
        match c {
            '<' => {
                in_tag = true;
                plain.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            c if c.is_control() || c.is_whitespace() => plain.push(' '),
            c => plain.push(c),
        }
    }
    let collapsed = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&collapsed, SNIPPET_CHARS)
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn api(message: &str, url: Option<&str>, errors: &[&str]) -> ErrorBody {
        ErrorBody::Api {
            message: message.to_owned(),
            url: url.map(str::to_owned),
            errors: errors.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn reads_gitea_bodies() {
        let body = br#"{"message":"GetContentsOrList","url":"http://h/api/swagger","errors":["object does not exist [id: , rel_path: x]"]}
"#;
        assert_eq!(
            decode(body, None),
            api(
                "GetContentsOrList",
                Some("http://h/api/swagger"),
                &["object does not exist [id: , rel_path: x]"]
            )
        );
        let body = br#"{"message":"not found","url":"u","errors":null}"#;
        assert_eq!(decode(body, None), api("not found", Some("u"), &[]));
        let body = br#"{"message":"Only administrators allowed to sudo."}"#;
        assert_eq!(
            decode(body, None),
            api("Only administrators allowed to sudo.", None, &[])
        );
    }

    #[test]
    fn null_and_empty_bodies_are_api_errors_without_a_message() {
        for body in [&b"null\n"[..], b"", b"  \n"] {
            assert_eq!(decode(body, None), api("", None, &[]));
        }
    }

    #[test]
    fn html_proxy_page_becomes_a_short_snippet() {
        let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        assert_eq!(
            decode(page.as_bytes(), None),
            ErrorBody::NonJson {
                snippet: "502 Bad Gateway 502 Bad Gateway nginx".to_owned()
            }
        );
    }

    #[test]
    fn snippets_are_cut_and_redacted() {
        let token = Token::new("canary-token");
        let long = format!("Authorization: token canary-token {}", "x".repeat(1000));
        let ErrorBody::NonJson { snippet } = decode(long.as_bytes(), Some(&token)) else {
            panic!("expected a snippet");
        };
        assert!(!snippet.contains("canary-token"));
        assert!(snippet.chars().count() <= SNIPPET_CHARS + 1);
    }

    #[test]
    fn odd_json_shapes_do_not_fail() {
        assert_eq!(
            decode(br#"{"message":42,"errors":"one"}"#, None),
            api("42", None, &["one"])
        );
        assert!(matches!(decode(b"[1,2]", None), ErrorBody::NonJson { .. }));
        assert!(matches!(
            decode(b"\"text\"", None),
            ErrorBody::NonJson { .. }
        ));
    }

    proptest! {
        #[test]
        fn decode_never_panics(body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = decode(&body, Some(&Token::new("t")));
        }

        #[test]
        fn snippet_is_bounded_and_single_line(text in ".{0,600}") {
            let s = snippet(&text, None);
            prop_assert!(s.chars().count() <= SNIPPET_CHARS + 1);
            prop_assert!(!s.chars().any(char::is_control));
        }

        #[test]
        fn token_never_survives(prefix in "[a-z<> ]{0,40}", suffix in "[a-z<> ]{0,40}") {
            let token = Token::new("SECRETVALUE");
            let body = format!("{prefix}SECRETVALUE{suffix}");
            match decode(body.as_bytes(), Some(&token)) {
                ErrorBody::NonJson { snippet } => prop_assert!(!snippet.contains("SECRETVALUE")),
                ErrorBody::Api { message, .. } => prop_assert!(!message.contains("SECRETVALUE")),
            }
        }
    }
}
