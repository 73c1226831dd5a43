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
    /// The Gitea API level; None for a version without one (`development`).
    level: Option<(u64, u64, u64)>,
}

impl App {
    /// A context for `base_url` presenting itself as Gitea `version`.
    pub(crate) fn new(store: Store, base_url: String, version: String) -> App {
        let level = gitea_level(&version);
        App {
            store,
            base_url,
            version,
            pull_check_gap: None,
            level,
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

    /// Whether the emulated version is at least `major.minor`; a version without a level
    /// (`development`, a build from source) has everything.
    pub(crate) fn at_least(&self, major: u64, minor: u64) -> bool {
        self.level
            .is_none_or(|(ma, mi, _)| (ma, mi) >= (major, minor))
    }
}

/// The Gitea API level a version string stands for, by the rule the gitea-api client uses
/// too: a leading `v` is ignored; Forgejo's `11.0.1+gitea-1.22.0` counts as the Gitea
/// version after `+gitea-`; the core `X.Y[.Z]` before any `-` or `+` counts (so the dev build
/// `1.27.0+dev-12-gabc1234` is 1.27.0); anything else (`development`) has no level.
pub(crate) fn gitea_level(version: &str) -> Option<(u64, u64, u64)> {
    let v = version.trim();
    let v = v.split_once("+gitea-").map_or(v, |(_, compat)| compat);
    let core = v
        .trim()
        .trim_start_matches(['v', 'V'])
        .split(['-', '+', ' '])
        .next()?;
    let mut parts = core.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = match parts.next() {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_major_minor() {
        let a = App::new(Store::new(), "http://h".into(), "1.21.0".into());
        assert!(a.at_least(1, 20) && !a.at_least(1, 22));
        let dev = App::new(Store::new(), "http://h".into(), "development".into());
        assert!(dev.at_least(1, 26) && dev.at_least(9, 0));
    }

    #[test]
    fn forgejo_and_dev_builds_read_as_their_gitea_level() {
        let cases = [
            ("1.26.4", Some((1, 26, 4))),
            ("v1.24", Some((1, 24, 0))),
            ("1.27.0+dev-12-gabc1234", Some((1, 27, 0))),
            ("1.21.0-rc1", Some((1, 21, 0))),
            ("11.0.1+gitea-1.22.0", Some((1, 22, 0))),
            ("development", None),
            ("", None),
        ];
        for (raw, level) in cases {
            assert_eq!(gitea_level(raw), level, "{raw}");
        }
    }
}
