//! Where in the config text a problem is: line, column, and the line itself, on one line.

/// `line L, column C: <message>; the line: <the line>`, and `(L, C)`.
///
/// The column counts characters from 1. The line is trimmed, cut at 100 characters and shown
/// with any `user:password@` of a URL in it replaced by `***@`, since a config line may hold
/// a credential that must not reach a log.
pub(super) fn locate(text: &str, at: usize, message: &str) -> (String, (usize, usize)) {
    let at = floor_char_boundary(text, at.min(text.len()));
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let (line_number, column) = line_column(text, at);
    let line = text[line_start..line_end].trim();
    let shown = redact_userinfo(line);
    let shown: String = if shown.chars().count() > 100 {
        shown.chars().take(100).chain(['…']).collect()
    } else {
        shown
    };
    let shown: String = shown
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_debug().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    let located = format!("line {line_number}, column {column}: {message}; the line: {shown}");
    (located, (line_number, column))
}

/// The 1-based line and character column of byte `at` in `text`.
pub(super) fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = floor_char_boundary(text, at.min(text.len()));
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count() + 1;
    (line, text[line_start..at].chars().count() + 1)
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `scheme://user:secret@host` becomes `scheme://***@host`, anywhere in `line`.
fn redact_userinfo(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(['/', '?', '#', '"', '\'', ' ', '\t'])
            .unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(user_end) => {
                out.push_str("***");
                rest = &tail[user_end..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_line_and_column_and_shows_the_line() {
        let locate = |text: &str, at: usize, message: &str| locate(text, at, message).0;
        let text = "a = 1\n  colour = \"blue\"\nb = 2\n";
        let at = text.find("colour").unwrap();
        assert_eq!(
            locate(text, at, "unknown field"),
            "line 2, column 3: unknown field; the line: colour = \"blue\""
        );
        assert_eq!(locate(text, 0, "x"), "line 1, column 1: x; the line: a = 1");
        assert_eq!(
            locate(text, text.len(), "end"),
            "line 4, column 1: end; the line: "
        );
    }

    #[test]
    fn counts_characters_not_bytes_and_never_splits_one() {
        let locate = |text: &str, at: usize, message: &str| locate(text, at, message).0;
        let text = "é = \"ü\" x";
        let at = text.find('x').unwrap();
        assert!(locate(text, at, "m").starts_with("line 1, column 9: "));
        assert!(locate(text, 1, "m").starts_with("line 1, column 1: "));
    }

    #[test]
    fn a_line_is_shown_whole_up_to_100_characters_and_cut_after() {
        let shown = |line: &str| locate(line, 0, "m").0;
        let hundred = "x".repeat(100);
        assert!(shown(&hundred).ends_with(&format!("the line: {hundred}")));
        let longer = format!("{hundred}yz");
        assert!(shown(&longer).ends_with(&format!("the line: {hundred}…")));
    }

    #[test]
    fn credentials_in_urls_are_never_shown() {
        let text = "gitea_url = \"https://bot:s3cret@gitea.example.com/x\" # and http://a@b";
        let (shown, _) = locate(text, 0, "m");
        assert!(
            !shown.contains("s3cret") && !shown.contains("bot:"),
            "{shown}"
        );
        assert!(shown.contains("https://***@gitea.example.com/x"), "{shown}");
        assert!(shown.contains("http://***@b"), "{shown}");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_stays_one_line(text in "\\PC{0,80}|[a-z=\"\\n ]{0,40}", start in 0usize..100) {
            let (shown, (line, column)) = locate(&text, start, "m");
            proptest::prop_assert!(line >= 1 && column >= 1);
            proptest::prop_assert!(!shown.contains('\n'));
        }
    }
}
