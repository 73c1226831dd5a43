//! The runtime version: `MAJOR.MINOR.PATCH`, nothing else.

use std::fmt;

/// A runtime release version: exactly `MAJOR.MINOR.PATCH`, three decimal numbers without leading
/// zeros.
///
/// Pre-releases (`1.5.0-rc.1`) and build metadata (`1.5.0+build.1`) are refused, and so are
/// `v1.2.3`, `1.2` and an empty string. The version ends up in a branch name, in pins and in
/// every consumer's `runtime-version`, and the cascade compares versions to decide who is behind:
/// with only `X.Y.Z` that comparison is the plain order of three numbers, with no precedence
/// rules for a build tag or a release candidate to get wrong. The same parser reads `--version`,
/// the runtime repository's version file and every consumer's, so a consumer whose file holds a
/// pre-release is not a version the cascade can reason about: it is reported with this error.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuntimeVersion {
    major: u64,
    minor: u64,
    patch: u64,
}

/// Why a string is not a runtime version.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{shown:?} is not a release version ({reason}); write it as X.Y.Z, e.g. 1.5.0")]
pub struct VersionError {
    shown: String,
    reason: String,
}

impl RuntimeVersion {
    /// Parses a version, tolerating surrounding whitespace (a file's final newline) only.
    ///
    /// ```
    /// use cascade::version::RuntimeVersion;
    ///
    /// assert_eq!(RuntimeVersion::parse("1.5.0\n")?.bump_branch(), "bump/runtime-1.5.0");
    /// let err = RuntimeVersion::parse("1.5.0-rc.1").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#""1.5.0-rc.1" is not a release version (pre-release "-rc.1" is not accepted); write it as X.Y.Z, e.g. 1.5.0"#
    /// );
    /// # Ok::<(), cascade::version::VersionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`VersionError`] naming the input and the accepted form.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let trimmed = input.trim();
        let error = |reason: String| VersionError {
            shown: shorten(trimmed),
            reason,
        };
        if trimmed.is_empty() {
            return Err(error("it is empty".to_owned()));
        }
        if trimmed.starts_with(['v', 'V']) {
            return Err(error("drop the leading 'v'".to_owned()));
        }
        let (core, tail) = match trimmed.find(['-', '+']) {
            Some(at) => trimmed.split_at(at),
            None => (trimmed, ""),
        };
        if let Some(build) = tail.strip_prefix('+') {
            return Err(error(format!(
                "build metadata {:?} is not accepted",
                shorten(&format!("+{build}"))
            )));
        }
        if !tail.is_empty() {
            let pre = tail.split('+').next().unwrap_or(tail);
            return Err(error(format!(
                "pre-release {:?} is not accepted",
                shorten(pre)
            )));
        }
        let parts: Vec<&str> = core.split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            return Err(error(format!(
                "it has {} dot-separated part(s), not 3",
                parts.len()
            )));
        };
        let number = |part: &str, name: &str| -> Result<u64, VersionError> {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error(format!("{name} {:?} is not a number", shorten(part))));
            }
            if part.len() > 1 && part.starts_with('0') {
                return Err(error(format!("{name} {part:?} has a leading zero")));
            }
            part.parse()
                .map_err(|_| error(format!("{name} {:?} is too large", shorten(part))))
        };
        Ok(RuntimeVersion {
            major: number(major, "major")?,
            minor: number(minor, "minor")?,
            patch: number(patch, "patch")?,
        })
    }

    /// The branch that carries the bump to this version: `bump/runtime-X.Y.Z`.
    pub fn bump_branch(&self) -> String {
        format!("{BUMP_BRANCH_PREFIX}{self}")
    }

    /// The version a bump branch name carries, when it is exactly `bump/runtime-X.Y.Z`.
    ///
    /// ```
    /// use cascade::version::RuntimeVersion;
    ///
    /// let v = RuntimeVersion::from_bump_branch("bump/runtime-1.4.2").unwrap();
    /// assert_eq!(v.to_string(), "1.4.2");
    /// assert!(RuntimeVersion::from_bump_branch("bump/runtime-1.4.2-fix").is_none());
    /// assert!(RuntimeVersion::from_bump_branch("feature/x").is_none());
    /// ```
    pub fn from_bump_branch(branch: &str) -> Option<RuntimeVersion> {
        let version = branch.strip_prefix(BUMP_BRANCH_PREFIX)?;
        let parsed = RuntimeVersion::parse(version).ok()?;
        (parsed.to_string() == version).then_some(parsed)
    }
}

/// Every bump branch starts with this.
pub const BUMP_BRANCH_PREFIX: &str = "bump/runtime-";

impl fmt::Display for RuntimeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
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
    fn accepts_x_y_z_and_a_trailing_newline() {
        assert_eq!(
            RuntimeVersion::parse("1.5.0\n").unwrap().to_string(),
            "1.5.0"
        );
        assert_eq!(
            RuntimeVersion::parse(" 10.0.12\r\n").unwrap().bump_branch(),
            "bump/runtime-10.0.12"
        );
        assert_eq!(RuntimeVersion::parse("0.0.0").unwrap().to_string(), "0.0.0");
    }

    #[test]
    fn refuses_pre_releases_and_build_metadata_naming_the_accepted_form() {
        for (bad, why) in [
            ("1.5.0-rc.1", "pre-release \"-rc.1\" is not accepted"),
            ("2.0.0-alpha", "pre-release \"-alpha\" is not accepted"),
            ("1.5.0-rc.1+b7", "pre-release \"-rc.1\" is not accepted"),
            (
                "1.5.0+build.1",
                "build metadata \"+build.1\" is not accepted",
            ),
            ("1.5.0+", "build metadata \"+\" is not accepted"),
        ] {
            let err = RuntimeVersion::parse(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad:?}: {err}");
            assert!(err.ends_with("write it as X.Y.Z, e.g. 1.5.0"), "{err}");
        }
    }

    #[test]
    fn rejects_v_prefix_empty_partial_and_leading_zeros() {
        for bad in [
            "v1.2.3",
            "",
            "  ",
            "1.2",
            "1.2.3.4",
            "latest",
            "01.2.3",
            "1.02.3",
            "1..3",
            "1.2.x",
            "1.2.3 4",
            "١.٢.٣",
            "99999999999999999999.0.0",
        ] {
            let err = RuntimeVersion::parse(bad).unwrap_err().to_string();
            assert!(err.contains("is not a release version"), "{bad:?}: {err}");
            assert!(!err.contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn orders_numerically_part_by_part() {
        let parse = |s| RuntimeVersion::parse(s).unwrap();
        assert!(parse("1.10.0") > parse("1.9.9"));
        assert!(parse("2.0.0") > parse("1.99.99"));
        assert!(parse("1.5.1") > parse("1.5.0"));
    }

    #[test]
    fn bump_branches_round_trip_and_nothing_else_is_one() {
        let v = RuntimeVersion::parse("1.5.0").unwrap();
        assert_eq!(RuntimeVersion::from_bump_branch(&v.bump_branch()), Some(v));
        for other in [
            "bump/runtime-1.5",
            "bump/runtime-1.5.0-rc.1",
            "bump/runtime-01.5.0",
            "bump/runtime-1.5.0/x",
            "bump/other-1.5.0",
            "main",
        ] {
            assert_eq!(RuntimeVersion::from_bump_branch(other), None, "{other}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_errors_are_one_line(input in "\\PC{0,80}|[0-9.vV\\r\\n+-]{0,40}") {
            if let Err(err) = RuntimeVersion::parse(&input) {
                proptest::prop_assert!(!err.to_string().contains('\n'));
            }
        }

        #[test]
        fn display_round_trips(major in 0u64..1_000_000, minor in 0u64..1000, patch in 0u64..1000) {
            let text = format!("{major}.{minor}.{patch}");
            let parsed = RuntimeVersion::parse(&text).unwrap();
            proptest::prop_assert_eq!(parsed.to_string(), text);
        }
    }
}
