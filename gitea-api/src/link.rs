//! Parsing of the `Link` response header (RFC 8288) as Gitea writes it for pagination.

/// One `<target>; rel="…"` entry of a `Link` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkEntry {
    pub(crate) target: String,
    pub(crate) rels: Vec<String>,
}

/// Parses a `Link` header value. Malformed entries are skipped; this never panics.
pub(crate) fn parse(header: &str) -> Vec<LinkEntry> {
    let mut entries = Vec::new();
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after_open = &rest[open + 1..];
        let Some(close) = after_open.find('>') else {
            break;
        };
        let target = after_open[..close].trim().to_owned();
        let (params, next) = split_params(&after_open[close + 1..]);
        entries.push(LinkEntry {
            target,
            rels: rels_of(params),
        });
        rest = next;
    }
    entries
}

/// Splits off the parameters of one entry: everything up to the first `,` outside quotes.
fn split_params(s: &str) -> (&str, &str) {
    let mut in_quotes = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => return (&s[..i], &s[i + 1..]),
            _ => {}
        }
    }
    (s, "")
}

fn rels_of(params: &str) -> Vec<String> {
    params
        .split(';')
        .filter_map(|p| {
            let (name, value) = p.split_once('=')?;
            if !name.trim().eq_ignore_ascii_case("rel") {
                return None;
            }
            Some(value.trim().trim_matches('"').to_owned())
        })
        .flat_map(|v| {
            v.split_whitespace()
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The `page` query parameter of the `rel="next"` target, if there is one.
pub(crate) fn next_page(header: &str) -> Option<u64> {
    let entry = parse(header)
        .into_iter()
        .find(|e| e.rels.iter().any(|r| r == "next"))?;
    page_of(&entry.target)
}

fn page_of(target: &str) -> Option<u64> {
    let base = url::Url::parse("http://relative.invalid/").ok()?;
    let url = base.join(target).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GITEA: &str = "<http://h/api/v1/repos/o/r/pulls?limit=50&page=3&state=open>; rel=\"next\",<http://h/api/v1/repos/o/r/pulls?limit=50&page=5&state=open>; rel=\"last\",<http://h/api/v1/repos/o/r/pulls?limit=50&page=1&state=open>; rel=\"first\",<http://h/api/v1/repos/o/r/pulls?limit=50&page=1&state=open>; rel=\"prev\"";

    #[test]
    fn parses_gitea_order_without_spaces() {
        let entries = parse(GITEA);
        let rels: Vec<_> = entries.iter().map(|e| e.rels.join(" ")).collect();
        assert_eq!(rels, ["next", "last", "first", "prev"]);
        assert_eq!(next_page(GITEA), Some(3));
    }

    #[test]
    fn last_page_has_no_next() {
        let header = "<http://h/x?page=1>; rel=\"first\", <http://h/x?page=4>; rel=\"prev\"";
        assert_eq!(next_page(header), None);
    }

    #[test]
    fn tolerates_commas_in_targets_and_odd_params() {
        let header = "<http://h/x?a=1,2&page=7>; title=\"a, b\"; REL=next";
        assert_eq!(next_page(header), Some(7));
        let header = "</rel?page=2>; rel=\"prev next\"";
        assert_eq!(next_page(header), Some(2));
    }

    #[test]
    fn garbage_gives_nothing() {
        for header in [
            "",
            "<",
            ">",
            "<http://h/?page=x>; rel=next",
            "rel=next",
            "<a>;rel",
        ] {
            assert_eq!(next_page(header), None, "{header}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(header in ".{0,200}") {
            let _ = parse(&header);
            let _ = next_page(&header);
        }

        #[test]
        fn never_panics_on_link_like_input(header in "[<>;,= \"a-z0-9?&/:.]{0,120}") {
            let _ = next_page(&header);
        }

        #[test]
        fn finds_any_next_page(page in 1u64..u64::MAX, before in 0usize..3) {
            let mut parts: Vec<String> = (0..before)
                .map(|i| format!("<http://h/x?page={i}>; rel=\"first\""))
                .collect();
            parts.push(format!("<http://h/x?limit=50&page={page}>; rel=\"next\""));
            prop_assert_eq!(next_page(&parts.join(",")), Some(page));
        }
    }
}
