//! The request log: what was asked, what was answered, which fault was injected.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// One request as the fake saw it. The token is never recorded, only the scheme word of
/// the `Authorization` header; `token` and `access_token` query values are masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// The path as sent, still percent-encoded, e.g. `/api/v1/repos/o/r/pulls`.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The status sent; None when the connection was reset before any response, or while
    /// the request is still being answered (e.g. during an injected delay).
    pub status: Option<u16>,
    /// The injected fault, e.g. `status 503` or `apply-then reset`.
    pub fault: Option<String>,
    /// The `Authorization` scheme as sent (`token`, `Bearer`, ...).
    pub auth_scheme: Option<String>,
}

/// A shared, append-only log with in-place completion of entries. With a capacity, the
/// oldest entries are dropped beyond it.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestLog {
    inner: Arc<Mutex<Entries>>,
    capacity: Option<usize>,
}

#[derive(Debug, Default)]
struct Entries {
    next: u64,
    items: VecDeque<(u64, LoggedRequest)>,
}

impl RequestLog {
    /// A log keeping at most `capacity` entries (all when None).
    pub(crate) fn with_capacity(capacity: Option<usize>) -> RequestLog {
        RequestLog {
            inner: Arc::default(),
            capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a request as it arrives and returns its id.
    pub(crate) fn start(&self, entry: LoggedRequest) -> u64 {
        let mut e = self.lock();
        e.next += 1;
        let id = e.next;
        e.items.push_back((id, entry));
        if let Some(cap) = self.capacity {
            while e.items.len() > cap {
                e.items.pop_front();
            }
        }
        id
    }

    /// Completes entry `id` with the outcome (no-op when it was cleared meanwhile).
    pub(crate) fn finish(&self, id: u64, status: Option<u16>, fault: Option<String>) {
        let mut e = self.lock();
        if let Some((_, entry)) = e.items.iter_mut().rev().find(|(i, _)| *i == id) {
            entry.status = status;
            entry.fault = fault;
        }
    }

    /// A copy of every entry, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<LoggedRequest> {
        self.lock().items.iter().map(|(_, r)| r.clone()).collect()
    }

    /// Forgets every entry.
    pub(crate) fn clear(&self) {
        self.lock().items.clear();
    }
}

/// Masks the values of `token` and `access_token` in a raw query.
pub(crate) fn redact_query(raw: &str) -> String {
    raw.split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _))
                if k.eq_ignore_ascii_case("token") || k.eq_ignore_ascii_case("access_token") =>
            {
                format!("{k}=***")
            }
            _ => kv.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_drops_the_oldest() {
        let log = RequestLog::with_capacity(Some(2));
        let entry = |p: &str| LoggedRequest {
            method: "GET".into(),
            path: p.into(),
            query: None,
            status: None,
            fault: None,
            auth_scheme: None,
        };
        let first = log.start(entry("/a"));
        log.start(entry("/b"));
        let third = log.start(entry("/c"));
        log.finish(first, Some(200), None);
        log.finish(third, Some(201), None);
        let paths: Vec<_> = log
            .snapshot()
            .into_iter()
            .map(|r| (r.path, r.status))
            .collect();
        assert_eq!(
            paths,
            [("/b".to_owned(), None), ("/c".to_owned(), Some(201))]
        );
    }

    #[test]
    fn redacts_query_tokens() {
        assert_eq!(
            redact_query("a=1&token=s3cret&access_token=x"),
            "a=1&token=***&access_token=***"
        );
    }
}
