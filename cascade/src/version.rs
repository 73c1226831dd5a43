//! The runtime version: strict semver, nothing else.

use std::fmt;

/// A runtime release version, `MAJOR.MINOR.PATCH` with optional pre-release and build metadata.
///
/// Strict semver only: `v1.2.3`, `1.2` or an empty string are rejected, because a tag-like
/// string would end up in branch names and pins that no consumer can resolve.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuntimeVersion(semver::Version);

/// Why a string is not a runtime version.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{shown:?} is not a strict semver version ({reason}); write it as MAJOR.MINOR.PATCH, e.g. 1.5.0"
)]
pub struct VersionError {
    shown: String,
    reason: String,
}

impl RuntimeVersion {
    /// Parses a version, tolerating surrounding whitespace (a file's final newline) only.
    ///
    /// # Errors
    ///
    /// A [`VersionError`] naming the input when it is not strict semver.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let trimmed = input.trim();
        let error = |reason: &str| VersionError {
            shown: shorten(trimmed),
            reason: reason.to_owned(),
        };
        if trimmed.is_empty() {
            return Err(error("it is empty"));
        }
        if trimmed.starts_with(['v', 'V']) {
            return Err(error("drop the leading 'v'"));
        }
        match semver::Version::parse(trimmed) {
            Ok(version) => Ok(RuntimeVersion(version)),
            Err(err) => Err(error(&err.to_string())),
        }
    }

    /// The branch that carries the bump to this version: `bump/runtime-X.Y.Z`.
    pub fn bump_branch(&self) -> String {
        format!("bump/runtime-{}", self.0)
    }
}

impl fmt::Display for RuntimeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let head: String = text.chars().take(MAX).collect();
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_strict_semver_and_a_trailing_newline() {
        assert_eq!(
            RuntimeVersion::parse("1.5.0\n").unwrap().to_string(),
            "1.5.0"
        );
        assert_eq!(
            RuntimeVersion::parse("2.0.0-rc.1").unwrap().bump_branch(),
            "bump/runtime-2.0.0-rc.1"
        );
    }

    #[test]
    fn rejects_v_prefix_empty_and_partial_versions() {
        for bad in ["v1.2.3", "", "  ", "1.2", "1.2.3.4", "latest", "01.2.3"] {
            let err = RuntimeVersion::parse(bad).unwrap_err().to_string();
            assert!(err.contains("not a strict semver"), "{bad:?}: {err}");
            assert!(!err.contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn orders_by_semver_precedence() {
        let parse = |s| RuntimeVersion::parse(s).unwrap();
        assert!(parse("1.10.0") > parse("1.9.9"));
        assert!(parse("2.0.0-rc.1") < parse("2.0.0"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_errors_are_one_line(input in "\\PC{0,80}|[0-9.vV\\r\\n -]{0,40}") {
            if let Err(err) = RuntimeVersion::parse(&input) {
                proptest::prop_assert!(!err.to_string().contains('\n'));
            }
        }
    }
}
