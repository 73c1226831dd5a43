//! The one place text from the server is made safe to print: every row of a report passes here
//! before the table, the logs and the JSON see it.
//!
//! A Gitea (or anything in front of it) chooses repository names, owners, commit authors, file
//! paths, URLs and error messages. Printed raw, an ANSI escape in one of them rewrites the
//! operator's terminal, a bidirectional override reorders what they read, and a server that
//! echoes the request's headers puts the token in the report. So the token is replaced with
//! `***` and every control or bidirectional-formatting character is escaped as `\u{..}`.

use gitea_api::Client;

use crate::drift::DriftRow;
use crate::report::ConsumerResult;

/// `text` with the client's token redacted and control characters escaped.
pub(crate) fn text(text: &str, client: &Client) -> String {
    escape_controls(&client.redact(text))
}

/// A consumer's row, every server-supplied string sanitised.
pub(crate) fn row(mut row: ConsumerResult, client: &Client) -> ConsumerResult {
    row.repo = text(&row.repo, client);
    row.detail = row.detail.map(|detail| text(&detail, client));
    if let Some(pr) = &mut row.pr {
        pr.url = text(&pr.url, client);
    }
    for superseded in &mut row.superseded {
        superseded.url = text(&superseded.url, client);
        superseded.detail = superseded.detail.take().map(|d| text(&d, client));
    }
    row
}

/// A drift row, every server-supplied string sanitised.
pub(crate) fn drift_row(mut row: DriftRow, client: &Client) -> DriftRow {
    row.repo = text(&row.repo, client);
    row.detail = row.detail.map(|detail| text(&detail, client));
    if let Some(pr) = &mut row.pr {
        pr.url = text(&pr.url, client);
    }
    row
}

/// Escapes every character that could change what a terminal shows or the order a reader sees:
/// C0 and C1 controls (line breaks and ESC included), DEL, and the bidirectional marks,
/// embeddings, overrides and isolates.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_bidi_format(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_bidi_format(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn terminal_and_reading_order_controls_are_escaped_the_rest_kept() {
        assert_eq!(
            escape_controls("a\u{1b}[31mred\u{7}\n\r\t\u{7f}\u{9b}é\u{202e}txt.exe"),
            "a\\u{1b}[31mred\\u{7}\\u{a}\\u{d}\\u{9}\\u{7f}\\u{9b}é\\u{202e}txt.exe"
        );
        assert_eq!(
            escape_controls("platform/app: HTTP 404"),
            "platform/app: HTTP 404"
        );
    }

    proptest! {
        #[test]
        fn nothing_printable_is_lost_and_no_control_survives(text in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\\u{202a}-\\u{202e}a-z]{0,40}") {
            let escaped = escape_controls(&text);
            prop_assert!(!escaped.chars().any(|c| c.is_control() || is_bidi_format(c)));
            let kept: String = text.chars().filter(|c| !c.is_control() && !is_bidi_format(*c)).collect();
            let unescaped_parts: String = escaped
                .split("\\u{")
                .enumerate()
                .map(|(i, part)| if i == 0 { part } else { part.split_once('}').map_or(part, |(_, rest)| rest) })
                .collect();
            prop_assert_eq!(unescaped_parts, kept);
        }
    }
}
