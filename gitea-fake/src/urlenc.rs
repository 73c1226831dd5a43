//! Percent-encoding helpers, matching Go's `url.PathEscape`, `url.QueryEscape` and
//! `url.Values.Encode` closely enough for the fake's URLs and `Link` headers.

/// Decodes `%XX` escapes (and `+` as space when `plus_is_space`). Bad escapes are kept.
pub(crate) fn decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of a hex digit.
fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Escapes everything but unreserved characters; `keep` lists extra bytes kept as they are.
fn escape(s: &str, keep: &[u8], space_plus: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || b"-_.~".contains(&c) || keep.contains(&c) {
            out.push(char::from(c));
        } else if c == b' ' && space_plus {
            out.push('+');
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// Escapes a path, keeping `/` between segments.
pub(crate) fn path(s: &str) -> String {
    escape(s, b"/", false)
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_component(s: &str) -> String {
    escape(s, b"", true)
}

/// Splits a raw query into decoded `(key, value)` pairs, in order.
pub(crate) fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    raw.unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k, true), decode(v, true))
        })
        .collect()
}

/// Go's `url.Values.Encode`: keys sorted, values of one key in their original order.
pub(crate) fn encode_query(pairs: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", query_component(k), query_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The first value of `key`.
pub(crate) fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_handles_escapes_and_bad_input() {
        assert_eq!(decode("bump%2Fruntime-1.2.3", false), "bump/runtime-1.2.3");
        assert_eq!(decode("a+b", true), "a b");
        assert_eq!(decode("100%", false), "100%");
        assert_eq!(decode("%zz%4", false), "%zz%4");
    }

    #[test]
    fn encode_sorts_keys() {
        let q = parse_query(Some("state=open&page=2&limit=50"));
        assert_eq!(encode_query(&q), "limit=50&page=2&state=open");
        assert_eq!(path("a b/c"), "a%20b/c");
    }
}
