//! The API token, a secret that never prints.

use std::fmt;

/// A Gitea access token.
///
/// `Debug` and `Display` print `Token(***)`; the value is only ever written into the
/// `Authorization: token …` header of a request. It has no `Serialize` implementation, so it cannot
/// end up in a JSON report by accident.
///
/// ```
/// use gitea_api::Token;
/// let token = Token::new("s3cr3t");
/// assert_eq!(format!("{token:?} {token}"), "Token(***) Token(***)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value, for building the `Authorization` header and for redaction.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Replaces every occurrence of the token in `text` with `***`.
pub(crate) fn redact(text: &str, token: Option<&Token>) -> String {
    match token {
        Some(t) if !t.expose().is_empty() => text.replace(t.expose(), "***"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let token = Token::new("canary-1234");
        for shown in [
            format!("{token}"),
            format!("{token:?}"),
            format!("{token:#?}"),
        ] {
            assert!(!shown.contains("canary"), "{shown}");
        }
    }

    #[test]
    fn redact_replaces_every_occurrence() {
        let token = Token::new("abc");
        assert_eq!(redact("xabcyabc", Some(&token)), "x***y***");
        assert_eq!(redact("abc", Some(&Token::new(""))), "abc");
        assert_eq!(redact("abc", None), "abc");
    }
}
