//! Rewriting the runtime's `==` pin in `requirements.txt` and the `runtime-version` file.
//!
//! Both rewrites change the version token and nothing else: extras, markers, comments, spacing,
//! CRLF or LF, and a missing final newline all survive byte for byte.

use std::ops::Range;

/// What [`rewrite_pin`] found in a requirements file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinRewrite {
    /// Every `==` pin of the package now names the new version.
    Rewritten(Vec<u8>),
    /// The pins already name the new version.
    AlreadyCurrent,
    /// The package is not mentioned; the file is left alone.
    NoPin,
    /// The package is required with another specifier (`>=`, `~=`, several clauses, a URL...);
    /// the file is left alone. Holds the specifier as written.
    OtherSpecifier(String),
    /// The file is not UTF-8; it is left alone.
    NotUtf8,
}

/// Rewrites the version of every `package==VERSION` line to `new_version`.
///
/// Names match after PEP 503 normalisation, so `Platform_Runtime` pins `platform-runtime`.
pub fn rewrite_pin(content: &[u8], package: &str, new_version: &str) -> PinRewrite {
    let Ok(text) = std::str::from_utf8(content) else {
        return PinRewrite::NotUtf8;
    };
    let wanted = normalize_name(package);
    let mut version_spans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        match parse_requirement(line) {
            Some(req) if normalize_name(req.name) == wanted => match req.pinned_version {
                Some(span) => version_spans.push(offset + span.start..offset + span.end),
                None => return PinRewrite::OtherSpecifier(req.specifier.trim().to_owned()),
            },
            _ => {}
        }
        offset += line.len();
    }
    if version_spans.is_empty() {
        return PinRewrite::NoPin;
    }
    if version_spans
        .iter()
        .all(|span| &text[span.clone()] == new_version)
    {
        return PinRewrite::AlreadyCurrent;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for span in version_spans {
        out.push_str(&text[last..span.start]);
        out.push_str(new_version);
        last = span.end;
    }
    out.push_str(&text[last..]);
    PinRewrite::Rewritten(out.into_bytes())
}

/// The new `runtime-version` content: the version with the old file's line ending (CRLF, LF, or
/// none).
pub fn rewrite_version_file(old: &[u8], new_version: &str) -> Vec<u8> {
    let ending: &[u8] = if old.ends_with(b"\r\n") {
        b"\r\n"
    } else if old.ends_with(b"\n") {
        b"\n"
    } else {
        b""
    };
    let mut out = new_version.as_bytes().to_vec();
    out.extend_from_slice(ending);
    out
}

/// PEP 503 normalisation: lower case, and runs of `-`, `_` and `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            in_separator = true;
            continue;
        }
        if in_separator && !out.is_empty() {
            out.push('-');
        }
        in_separator = false;
        out.extend(c.to_lowercase());
    }
    out
}

struct Requirement<'a> {
    name: &'a str,
    specifier: &'a str,
    /// The span of `VERSION` in the line when the specifier is exactly `== VERSION`.
    pinned_version: Option<Range<usize>>,
}

/// Parses one physical line as a PEP 508 requirement; options (`-r`), URLs and comments give None.
fn parse_requirement(line: &str) -> Option<Requirement<'_>> {
    let body_end = comment_start(line).unwrap_or(line.len());
    let body = &line[..body_end];
    let name_start = body.len() - body.trim_start().len();
    let rest = &body[name_start..];
    let name_len = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .map_or(rest.len(), |(i, _)| i);
    if name_len == 0 || !rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let name = &rest[..name_len];
    let mut cursor = name_start + name_len;
    cursor += leading_space(&body[cursor..]);
    if body[cursor..].starts_with('[') {
        cursor += body[cursor..].find(']')? + 1;
    }
    let spec_end = body[cursor..].find(';').map_or(body.len(), |i| cursor + i);
    let specifier = &body[cursor..spec_end];
    Some(Requirement {
        name,
        specifier,
        pinned_version: exact_pin(specifier).map(|r| cursor + r.start..cursor + r.end),
    })
}

/// The span of `VERSION` when `specifier` is exactly one `==VERSION` clause (no wildcard).
fn exact_pin(specifier: &str) -> Option<Range<usize>> {
    let op = specifier.find("==")?;
    if !specifier[..op].trim().is_empty() || specifier[op + 2..].starts_with('=') {
        return None;
    }
    let after = op + 2;
    let start = after + leading_space(&specifier[after..]);
    let len = specifier[start..]
        .find(|c: char| c.is_whitespace() || c == ',')
        .unwrap_or(specifier.len() - start);
    let end = start + len;
    let valid = len > 0
        && specifier[start..end]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_' | '!'));
    if !valid || !specifier[end..].trim().is_empty() {
        return None;
    }
    Some(start..end)
}

/// A `#` starts a comment at the start of a line or after white space (pip's rule).
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()))
}

fn leading_space(text: &str) -> usize {
    text.len() - text.trim_start_matches([' ', '\t']).len()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn rewritten(content: &str) -> String {
        match rewrite_pin(content.as_bytes(), "platform-runtime", "1.5.0") {
            PinRewrite::Rewritten(bytes) => String::from_utf8(bytes).unwrap(),
            other => panic!("expected a rewrite of {content:?}, got {other:?}"),
        }
    }

    #[test]
    fn rewrites_a_plain_pin_and_keeps_the_rest() {
        assert_eq!(
            rewritten("requests==2.31.0\nplatform-runtime==1.4.2\nflask>=2\n"),
            "requests==2.31.0\nplatform-runtime==1.5.0\nflask>=2\n"
        );
    }

    #[test]
    fn keeps_crlf_extras_markers_comments_and_missing_final_newline() {
        assert_eq!(
            rewritten(
                "a==1\r\nPlatform_Runtime[fast] == 1.4.2 ; python_version >= \"3.9\"  # pinned"
            ),
            "a==1\r\nPlatform_Runtime[fast] == 1.5.0 ; python_version >= \"3.9\"  # pinned"
        );
    }

    #[test]
    fn matches_names_after_pep503_normalisation() {
        for name in [
            "platform.runtime",
            "PLATFORM__runtime",
            "Platform-_.Runtime",
        ] {
            let line = format!("{name}==1.4.2\n");
            assert_eq!(rewritten(&line), format!("{name}==1.5.0\n"));
        }
        assert_eq!(normalize_name("Platform_.Runtime"), "platform-runtime");
    }

    #[test]
    fn leaves_other_specifiers_alone_and_says_which() {
        let check = |content: &str, spec: &str| {
            assert_eq!(
                rewrite_pin(content.as_bytes(), "platform-runtime", "1.5.0"),
                PinRewrite::OtherSpecifier(spec.to_owned())
            );
        };
        check("platform-runtime>=1.4\n", ">=1.4");
        check("platform-runtime==1.4.*\n", "==1.4.*");
        check("platform-runtime==1.4.2,<2\n", "==1.4.2,<2");
        check("platform-runtime===1.4.2\n", "===1.4.2");
        check("platform-runtime\n", "");
    }

    #[test]
    fn reports_no_pin_comments_and_options_do_not_count() {
        let content =
            "# platform-runtime==1.4.2\n-r base.txt\nrequests==2\nother-platform-runtime==1\n";
        assert_eq!(
            rewrite_pin(content.as_bytes(), "platform-runtime", "1.5.0"),
            PinRewrite::NoPin
        );
    }

    #[test]
    fn already_current_and_not_utf8() {
        assert_eq!(
            rewrite_pin(b"platform-runtime==1.5.0\n", "platform-runtime", "1.5.0"),
            PinRewrite::AlreadyCurrent
        );
        assert_eq!(
            rewrite_pin(b"platform-runtime==\xff\n", "platform-runtime", "1.5.0"),
            PinRewrite::NotUtf8
        );
    }

    #[test]
    fn version_file_keeps_its_line_ending() {
        assert_eq!(rewrite_version_file(b"1.4.2\n", "1.5.0"), b"1.5.0\n");
        assert_eq!(rewrite_version_file(b"1.4.2\r\n", "1.5.0"), b"1.5.0\r\n");
        assert_eq!(rewrite_version_file(b"1.4.2", "1.5.0"), b"1.5.0");
    }

    fn other_line() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9]{0,8}(==|>=|~=)[0-9]\\.[0-9]{1,2}",
            "# [ -~]{0,20}",
            "-r [a-z]{1,8}\\.txt",
            Just(String::new()),
        ]
    }

    prop_compose! {
        fn pin_line()(
            name in prop_oneof![Just("platform-runtime"), Just("Platform_Runtime"), Just("platform.runtime")],
            extras in prop_oneof![Just(""), Just("[fast]"), Just("[a,b]")],
            space_before in prop_oneof![Just(""), Just(" ")],
            space_after in prop_oneof![Just(""), Just(" ")],
            version in "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}",
            tail in prop_oneof![Just(""), Just(" ; python_version >= \"3.9\""), Just("  # keep"), Just(" ; os_name == \"posix\" # x")],
        ) -> (String, String, String) {
            let head = format!("{name}{extras}{space_before}=={space_after}");
            (head, version, tail.to_owned())
        }
    }

    proptest! {
        /// The rewrite changes nothing but the version token.
        #[test]
        fn rewrite_changes_only_the_version_token(
            before in proptest::collection::vec(other_line(), 0..5),
            (head, old_version, tail) in pin_line(),
            after in proptest::collection::vec(other_line(), 0..5),
            crlf in any::<bool>(),
            final_newline in any::<bool>(),
            new_version in "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}",
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let prefix: String = before.iter().map(|l| format!("{l}{eol}")).collect();
            let mut suffix = String::from(tail.as_str());
            for line in &after {
                suffix.push_str(eol);
                suffix.push_str(line);
            }
            if final_newline {
                suffix.push_str(eol);
            }
            let input = format!("{prefix}{head}{old_version}{suffix}");
            let expected = format!("{prefix}{head}{new_version}{suffix}");
            let result = rewrite_pin(input.as_bytes(), "platform-runtime", &new_version);
            if old_version == new_version {
                prop_assert_eq!(result, PinRewrite::AlreadyCurrent);
            } else {
                prop_assert_eq!(result, PinRewrite::Rewritten(expected.into_bytes()));
            }
        }

        /// No input makes the rewriter panic, and a rewrite only ever changes the pin lines.
        #[test]
        fn never_panics_on_any_input(content in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let PinRewrite::Rewritten(out) = rewrite_pin(&content, "platform-runtime", "9.9.9") {
                prop_assert!(String::from_utf8(out).unwrap().contains("9.9.9"));
            }
        }
    }
}
