//! The server's version, as `GET /version` reports it.

use std::fmt;

/// The version a Gitea server reports.
///
/// Gitea answers `1.26.4` or `1.22.0+dev-12-gabcdef`; Forgejo answers `11.0.1+gitea-1.22.0`, and
/// the Gitea version after `+gitea-` is the one that counts for API features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVersion {
    raw: String,
    gitea: Option<(u64, u64, u64)>,
}

impl ServerVersion {
    /// Parses a version string as the server reports it. Unparseable strings are kept, with
    /// [`ServerVersion::gitea`] returning `None`.
    pub fn parse(raw: &str) -> Self {
        let raw = raw.trim();
        let gitea = match raw.split_once("+gitea-") {
            Some((_, compat)) => triple(compat),
            None => triple(raw),
        };
        Self {
            raw: raw.to_owned(),
            gitea,
        }
    }

    /// The string the server sent.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The Gitea version as (major, minor, patch), when it could be read.
    pub fn gitea(&self) -> Option<(u64, u64, u64)> {
        self.gitea
    }

    /// `Some(true)` when the server is at least `major.minor`, `None` when the version is unknown.
    pub fn at_least(&self, major: u64, minor: u64) -> Option<bool> {
        self.gitea.map(|(ma, mi, _)| (ma, mi) >= (major, minor))
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Reads a leading `X.Y[.Z]`, ignoring a `v` prefix and any pre-release or build suffix.
fn triple(s: &str) -> Option<(u64, u64, u64)> {
    let s = s.trim().trim_start_matches(['v', 'V']);
    let core = s.split(['-', '+', ' ']).next()?;
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
    use proptest::prelude::*;

    #[test]
    fn reads_gitea_and_forgejo_versions() {
        let cases = [
            ("1.26.4", Some((1, 26, 4))),
            ("1.22.0+dev-12-gabcdef", Some((1, 22, 0))),
            ("1.21.0-rc1", Some((1, 21, 0))),
            ("v1.24", Some((1, 24, 0))),
            ("11.0.1+gitea-1.22.0", Some((1, 22, 0))),
            ("development", None),
            ("", None),
        ];
        for (raw, want) in cases {
            assert_eq!(ServerVersion::parse(raw).gitea(), want, "{raw}");
        }
    }

    #[test]
    fn compares_by_major_and_minor() {
        let v = ServerVersion::parse("1.21.9");
        assert_eq!(v.at_least(1, 22), Some(false));
        assert_eq!(v.at_least(1, 21), Some(true));
        assert_eq!(ServerVersion::parse("x").at_least(1, 0), None);
    }

    proptest! {
        #[test]
        fn parse_never_panics(raw in ".{0,60}") {
            let v = ServerVersion::parse(&raw);
            prop_assert_eq!(v.raw(), raw.trim());
        }
    }
}
