//! What every handler shares: the store, the base URL and the emulated version.

use crate::store::Store;

/// Shared server context.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) store: Store,
    pub(crate) base_url: String,
    pub(crate) version: String,
    /// When set, `POST /pulls` checks, waits this long, then inserts (see
    /// `FakeGiteaBuilder::non_atomic_pull_create`).
    pub(crate) pull_check_gap: Option<std::time::Duration>,
    numeric: (u64, u64),
}

impl App {
    /// A context for `base_url` presenting itself as Gitea `version`.
    pub(crate) fn new(store: Store, base_url: String, version: String) -> App {
        let numeric = parse_version(&version);
        App {
            store,
            base_url,
            version,
            pull_check_gap: None,
            numeric,
        }
    }

    /// `{base}/api/swagger`, the `url` of every error body.
    pub(crate) fn swagger_url(&self) -> String {
        format!("{}/api/swagger", self.base_url)
    }

    /// `{base}/api/v1`.
    pub(crate) fn api(&self) -> String {
        format!("{}/api/v1", self.base_url)
    }

    /// Whether the emulated version is at least `major.minor`.
    pub(crate) fn at_least(&self, major: u64, minor: u64) -> bool {
        self.numeric >= (major, minor)
    }
}

/// `(major, minor)` of a version such as `1.26.4` or `11.0.1+gitea-1.22.0`; unknown parts are 0.
fn parse_version(v: &str) -> (u64, u64) {
    let mut it = v
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u64>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_major_minor() {
        let a = App::new(Store::new(), "http://h".into(), "1.21.0".into());
        assert!(a.at_least(1, 20) && !a.at_least(1, 22));
        let b = App::new(Store::new(), "http://h".into(), "garbage".into());
        assert!(!b.at_least(1, 0));
    }
}
