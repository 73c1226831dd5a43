//! Gitea's `page`/`limit` handling and its `X-Total-Count` and `Link` headers.

use axum::http::{HeaderValue, header::HeaderName};
use axum::response::Response;

use crate::urlenc;

/// `[api] DEFAULT_PAGING_NUM`.
pub(crate) const DEFAULT_LIMIT: usize = 30;
/// `[api] MAX_RESPONSE_ITEMS`.
pub(crate) const MAX_LIMIT: usize = 50;

/// A coerced page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    /// 1-based page number.
    pub(crate) page: usize,
    /// Items per page, in `1..=50`.
    pub(crate) limit: usize,
}

impl Page {
    /// Reads `page` and `limit`: `page` below 1 (or unparsable) becomes 1, `limit` below 1
    /// becomes 30 and above 50 becomes 50.
    pub(crate) fn from_query(pairs: &[(String, String)]) -> Page {
        let num = |k| urlenc::first(pairs, k).and_then(|v| v.trim().parse::<i64>().ok());
        let page = usize::try_from(num("page").unwrap_or(1).max(1)).unwrap_or(1);
        let limit = match num("limit").unwrap_or(0) {
            l if l <= 0 => DEFAULT_LIMIT,
            l => usize::try_from(l).unwrap_or(MAX_LIMIT).min(MAX_LIMIT),
        };
        Page { page, limit }
    }

    /// The items of this page (empty past the end).
    pub(crate) fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = (self.page - 1).saturating_mul(self.limit);
        if start >= items.len() {
            return &[];
        }
        let end = start.saturating_add(self.limit).min(items.len());
        &items[start..end]
    }
}

/// Sets `Link` (next, last, first, prev; none when `total` is 0) and `X-Total-Count`, each
/// named in `Access-Control-Expose-Headers` in the order Gitea's handlers set them
/// (`SetLinkHeader`, then `SetTotalCountHeader`). `url` is the absolute URL without query.
pub(crate) fn set_headers(
    resp: &mut Response,
    url: &str,
    pairs: &[(String, String)],
    page: Page,
    total: usize,
) {
    let link = link(url, pairs, page, total).and_then(|l| HeaderValue::from_str(&l).ok());
    let linked = link.is_some();
    if let Some(v) = link {
        resp.headers_mut()
            .insert(HeaderName::from_static("link"), v);
    }
    count_header(resp, total, linked);
}

/// Sets `X-Total-Count` alone (`SetTotalCountHeader` without `SetLinkHeader`).
pub(crate) fn set_total_count(resp: &mut Response, total: usize) {
    count_header(resp, total, false);
}

fn count_header(resp: &mut Response, total: usize, linked: bool) {
    let h = resp.headers_mut();
    h.insert(
        HeaderName::from_static("x-total-count"),
        HeaderValue::from(total),
    );
    let exposed = if linked {
        "Link, X-Total-Count"
    } else {
        "X-Total-Count"
    };
    h.insert(
        HeaderName::from_static("access-control-expose-headers"),
        HeaderValue::from_static(exposed),
    );
}

/// The `Link` header value, or None when there is nothing to link.
pub(crate) fn link(
    url: &str,
    pairs: &[(String, String)],
    page: Page,
    total: usize,
) -> Option<String> {
    if total == 0 {
        return None;
    }
    let pages = total.div_ceil(page.limit).max(1);
    let current = page.page.clamp(1, pages);
    let at = |p: usize| {
        let mut q: Vec<(String, String)> =
            pairs.iter().filter(|(k, _)| k != "page").cloned().collect();
        q.push(("page".to_owned(), p.to_string()));
        format!("<{url}?{}>", urlenc::encode_query(&q))
    };
    let mut links = Vec::new();
    if current * page.limit < total {
        links.push(format!("{}; rel=\"next\"", at(current + 1)));
    }
    if current != pages {
        links.push(format!("{}; rel=\"last\"", at(pages)));
    }
    if current != 1 {
        links.push(format!("{}; rel=\"first\"", at(1)));
    }
    if current > 1 {
        links.push(format!("{}; rel=\"prev\"", at(current - 1)));
    }
    (!links.is_empty()).then(|| links.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Vec<(String, String)> {
        urlenc::parse_query(Some(s))
    }

    #[test]
    fn coerces_page_and_limit() {
        assert_eq!(Page::from_query(&q("")), Page { page: 1, limit: 30 });
        assert_eq!(
            Page::from_query(&q("page=-3&limit=100")),
            Page { page: 1, limit: 50 }
        );
        assert_eq!(
            Page::from_query(&q("page=x&limit=0")),
            Page { page: 1, limit: 30 }
        );
    }

    #[test]
    fn links_in_gitea_order() {
        let pairs = q("state=open&limit=2&page=2");
        let page = Page::from_query(&pairs);
        let l = link("http://h/api/v1/x", &pairs, page, 5).unwrap();
        assert_eq!(
            l,
            "<http://h/api/v1/x?limit=2&page=3&state=open>; rel=\"next\",\
             <http://h/api/v1/x?limit=2&page=3&state=open>; rel=\"last\",\
             <http://h/api/v1/x?limit=2&page=1&state=open>; rel=\"first\",\
             <http://h/api/v1/x?limit=2&page=1&state=open>; rel=\"prev\""
        );
        assert_eq!(link("u", &pairs, page, 0), None);
        assert_eq!(link("u", &q(""), Page::from_query(&q("")), 3), None);
    }

    #[test]
    fn slicing_past_the_end_is_empty() {
        let items = [1, 2, 3];
        assert_eq!(Page { page: 2, limit: 2 }.slice(&items), &[3]);
        assert!(Page { page: 9, limit: 2 }.slice(&items).is_empty());
    }
}
