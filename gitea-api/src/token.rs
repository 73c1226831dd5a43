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

    /// Reads a token as stored in a file or an environment variable: surrounding white space (a
    /// final newline) is dropped, and what remains must be one printable ASCII word.
    ///
    /// ```
    /// use gitea_api::Token;
    /// assert!(Token::parse("0123abcd\n").is_ok());
    /// assert!(Token::parse("  ").is_err());
    /// assert!(Token::parse("two words").is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// A [`TokenError`] saying what is wrong, never the value.
    pub fn parse(text: &str) -> Result<Self, TokenError> {
        let token = Token::new(text.trim());
        token.check()?;
        Ok(token)
    }

    /// The rule [`parse`](Self::parse) applies, also checked by
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) for tokens made with [`Token::new`].
    pub(crate) fn check(&self) -> Result<(), TokenError> {
        if self.0.is_empty() {
            return Err(TokenError("the token is empty"));
        }
        if self.0.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(TokenError(
                "the token contains white space or control characters; check how it was stored",
            ));
        }
        if !self.0.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError(
                "the token has characters that cannot be sent in a header (not printable ASCII)",
            ));
        }
        Ok(())
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

/// Why a token was refused; the text never contains the token.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(&'static str);

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
    fn parse_trims_and_refuses_what_a_header_cannot_carry() {
        assert_eq!(Token::parse(" abc\n").unwrap().expose(), "abc");
        for bad in ["", " \n", "a b", "a\tb", "a\u{7f}b", "caf\u{e9}"] {
            let err = Token::parse(bad).unwrap_err().to_string();
            assert!(!err.contains(bad.trim()) || bad.trim().is_empty(), "{err}");
        }
        assert!(Token::parse("").unwrap_err().to_string().contains("empty"));
        assert!(
            Token::parse("a b")
                .unwrap_err()
                .to_string()
                .contains("white space")
        );
        assert!(
            Token::parse("caf\u{e9}")
                .unwrap_err()
                .to_string()
                .contains("printable ASCII")
        );
    }

    #[test]
    fn redact_replaces_every_occurrence() {
        let token = Token::new("abc");
        assert_eq!(redact("xabcyabc", Some(&token)), "x***y***");
        assert_eq!(redact("abc", Some(&Token::new(""))), "abc");
        assert_eq!(redact("abc", None), "abc");
    }
}
