//! Paginated lists as a `Stream`, following `Link: <…>; rel="next"`.

use std::collections::HashSet;

use futures_util::stream::{self, Stream, StreamExt};
use reqwest::Method;
use reqwest::header::LINK;
use serde::de::DeserializeOwned;
use url::Url;

use crate::request::Kind;
use crate::types::Keyed;
use crate::{Client, Error, link};

/// Gitea's maximum page size (`[api] MAX_RESPONSE_ITEMS`); larger limits are silently clamped.
pub(crate) const PAGE_LIMIT: u64 = 50;

/// A bound on pages per listing, so a misbehaving server cannot keep a stream alive forever.
pub(crate) const MAX_PAGES: u64 = 10_000;

struct State {
    client: Client,
    endpoint: &'static str,
    /// The list URL without `page` and `limit`; `None` once finished.
    url: Option<Url>,
    page: u64,
    seen: HashSet<i64>,
}

/// Streams every item of a list endpoint.
///
/// Pages are requested with `limit=50`; the next page is the `page` of the `rel="next"` link,
/// resolved against our own base URL (so a misconfigured `ROOT_URL` cannot redirect the token
/// elsewhere). Some lists, such as labels, send no `Link` header at all: then pages are asked
/// until a short one comes back, where a page is short when it holds fewer than 50 items and
/// `X-Total-Count` does not promise more (a server whose `MAX_RESPONSE_ITEMS` is below 50
/// answers short pages of a longer list). The stream ends on the last page or an empty one,
/// and yields each id once even when items shift between pages. `X-Total-Count` can only
/// make the stream ask for more, never end it early, and a count larger than the client would
/// ever page through is ignored. After an error the stream ends.
pub(crate) fn paginate<T>(
    client: Client,
    endpoint: &'static str,
    url: Result<Url, Error>,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    T: DeserializeOwned + Keyed + Send + 'static,
{
    paginate_pages(client, endpoint, url).flat_map(|page| {
        let items: Vec<Result<T, Error>> = match page {
            Ok(items) => items.into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e)],
        };
        stream::iter(items)
    })
}

/// [`paginate`], one page at a time: each item is the new items of one page fetched.
pub(crate) fn paginate_pages<T>(
    client: Client,
    endpoint: &'static str,
    url: Result<Url, Error>,
) -> impl Stream<Item = Result<Vec<T>, Error>> + Send + 'static
where
    T: DeserializeOwned + Keyed + Send + 'static,
{
    let (url, first) = match url {
        Ok(url) => (Some(url), None),
        Err(e) => (None, Some(e)),
    };
    let state = State {
        client,
        endpoint,
        url,
        page: 1,
        seen: HashSet::new(),
    };
    stream::unfold((state, first), |(mut state, first)| async move {
        if let Some(e) = first {
            return Some((Err(e), (state, None)));
        }
        let url = state.url.take()?;
        match next_page::<T>(&mut state, &url).await {
            Ok((items, next)) => {
                if let Some(page) = next {
                    state.page = page;
                    state.url = Some(url);
                }
                Some((Ok(items), (state, None)))
            }
            Err(e) => Some((Err(e), (state, None))),
        }
    })
}

/// Fetches `state.page`; returns its new items and the page to fetch next, if any.
async fn next_page<T: DeserializeOwned + Keyed>(
    state: &mut State,
    url: &Url,
) -> Result<(Vec<T>, Option<u64>), Error> {
    let endpoint = state.endpoint;
    let mut page_url = url.clone();
    page_url
        .query_pairs_mut()
        .append_pair("limit", &PAGE_LIMIT.to_string())
        .append_pair("page", &state.page.to_string());
    let reply = state
        .client
        .call(endpoint, Method::GET, page_url, None, Kind::Read)
        .await?;
    let items: Vec<T> = state.client.decode(endpoint, &reply)?;
    if items.is_empty() {
        return Ok((items, None));
    }
    let full = items.len() as u64 >= PAGE_LIMIT;
    let fresh: Vec<T> = items
        .into_iter()
        .filter(|i| state.seen.insert(i.key()))
        .collect();
    let promised = reply
        .headers
        .get("x-total-count")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    // A count the client could never page through is no count at all.
    let plausible = usize::try_from(MAX_PAGES * PAGE_LIMIT).unwrap_or(usize::MAX);
    let more_promised =
        promised.is_some_and(|total| total > state.seen.len() && total <= plausible);
    let next = match reply.headers.get(LINK).map(|v| v.to_str()) {
        Some(Ok(header)) => link::next_page(header),
        Some(Err(_)) => None,
        // A page that brought nothing new ends a list without links: it cannot be advancing.
        None if fresh.is_empty() => None,
        None if full || more_promised => Some(state.page + 1),
        None => None,
    };
    match next {
        Some(n) if n <= state.page => Err(Error::InvalidResponse {
            endpoint,
            reason: format!(
                "pagination does not advance: page {} links to page {n}",
                state.page
            ),
        }),
        Some(n) if n > MAX_PAGES => Err(Error::InvalidResponse {
            endpoint,
            reason: format!("more than {MAX_PAGES} pages"),
        }),
        next => Ok((fresh, next)),
    }
}
