//! Repository names, and the `owner/repo` globs of `--only` and `--exclude`.

/// An `owner/repo` name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepoName {
    /// The owner (user or org).
    pub owner: String,
    /// The repository.
    pub name: String,
}

impl RepoName {
    /// Parses `owner/repo`.
    ///
    /// # Errors
    ///
    /// A one-line message when the text is not two non-empty path-safe segments.
    pub fn parse(text: &str) -> Result<Self, String> {
        let valid_segment = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        match text.split_once('/') {
            Some((owner, name)) if valid_segment(owner) && valid_segment(name) => Ok(RepoName {
                owner: owner.to_owned(),
                name: name.to_owned(),
            }),
            _ => Err(format!(
                "{text:?} is not a repository name; write it as owner/repo"
            )),
        }
    }
}

impl std::fmt::Display for RepoName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// An `owner/repo` glob, as `--only` and `--exclude` take it: `*` matches any run of characters
/// within one segment (never the `/`), `?` one character, and the rest must equal, ignoring ASCII
/// case as Gitea does for names. `platform/*`, `*/billing-?`, `platform/api-*` and a plain
/// `platform/checkout` are all patterns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepoPattern {
    owner: String,
    name: String,
}

impl RepoPattern {
    /// Parses `owner/repo` where either segment may hold `*` and `?`.
    ///
    /// ```
    /// use cascade::repo::{RepoName, RepoPattern};
    ///
    /// let pattern = RepoPattern::parse("platform/api-*")?;
    /// assert!(pattern.matches(&RepoName::parse("platform/api-gateway")?));
    /// assert!(pattern.matches(&RepoName::parse("Platform/API-v2")?));
    /// assert!(!pattern.matches(&RepoName::parse("platform/web")?));
    /// assert!(!RepoPattern::parse("*")?.is_exact());
    /// # Ok::<(), String>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A one-line message when the text is not two non-empty segments of name characters and
    /// wildcards. A bare `*` is `*/*`.
    pub fn parse(text: &str) -> Result<RepoPattern, String> {
        let text = if text == "*" { "*/*" } else { text };
        let valid_segment = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '*' | '?'))
        };
        match text.split_once('/') {
            Some((owner, name)) if valid_segment(owner) && valid_segment(name) => Ok(RepoPattern {
                owner: owner.to_owned(),
                name: name.to_owned(),
            }),
            _ => Err(format!(
                "{text:?} is not a repository pattern; write it as owner/repo, with * or ? in either part"
            )),
        }
    }

    /// Whether `repo` matches.
    pub fn matches(&self, repo: &RepoName) -> bool {
        glob(self.owner.as_bytes(), repo.owner.as_bytes())
            && glob(self.name.as_bytes(), repo.name.as_bytes())
    }

    /// Whether the pattern has no wildcard, so it names exactly one repository.
    pub fn is_exact(&self) -> bool {
        !format!("{}{}", self.owner, self.name).contains(['*', '?'])
    }
}

impl std::fmt::Display for RepoPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl From<RepoName> for RepoPattern {
    fn from(name: RepoName) -> RepoPattern {
        RepoPattern {
            owner: name.owner,
            name: name.name,
        }
    }
}

/// Which consumers a run visits: `--only` (none means all) minus `--exclude`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Visit only the consumers matching one of these; all when empty.
    pub only: Vec<RepoPattern>,
    /// Never visit the consumers matching one of these.
    pub exclude: Vec<RepoPattern>,
}

impl Selection {
    /// Whether the run visits `name`.
    pub fn selects(&self, name: &RepoName) -> bool {
        let included = self.only.is_empty() || self.only.iter().any(|p| p.matches(name));
        included && !self.exclude.iter().any(|p| p.matches(name))
    }

    /// The first pattern, `--only`'s then `--exclude`'s, that matches none of `consumers`, with
    /// its flag: most likely a typo, which would silently bump (or skip) the wrong repositories.
    pub fn unmatched<'a>(
        &'a self,
        consumers: &[&RepoName],
    ) -> Option<(&'static str, &'a RepoPattern)> {
        let matches_none = |p: &&RepoPattern| !consumers.iter().any(|name| p.matches(name));
        let only = self.only.iter().find(matches_none).map(|p| ("--only", p));
        only.or_else(|| {
            self.exclude
                .iter()
                .find(matches_none)
                .map(|p| ("--exclude", p))
        })
    }
}

/// `*` and `?` over bytes (names are ASCII), ignoring ASCII case; linear, with one backtrack
/// point per `*` as usual.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> RepoName {
        RepoName::parse(s).unwrap()
    }

    #[test]
    fn patterns_match_within_a_segment_ignoring_case() {
        let cases = [
            ("platform/*", "platform/checkout", true),
            ("platform/*", "payments/checkout", false),
            ("*/checkout", "payments/checkout", true),
            ("*", "a/b", true),
            ("platform/api-*", "platform/api-", true),
            ("platform/api-*", "platform/api", false),
            ("platform/svc-??", "platform/svc-07", true),
            ("platform/svc-??", "platform/svc-7", false),
            ("platform/*-*-x", "platform/a-b-c-x", true),
            ("platform/*a", "platform/banana", true),
            ("platform/*a", "platform/bananas", false),
            ("Platform/CheckOut", "platform/checkout", true),
            ("platform/checkout", "platform/checkout2", false),
            ("p*/c*", "platform/checkout", true),
        ];
        for (pattern, repo, want) in cases {
            let p = RepoPattern::parse(pattern).unwrap();
            assert_eq!(p.matches(&name(repo)), want, "{pattern} vs {repo}");
        }
        assert!(RepoPattern::parse("platform/checkout").unwrap().is_exact());
        assert!(!RepoPattern::parse("platform/svc-?").unwrap().is_exact());
    }

    #[test]
    fn rejects_patterns_that_are_not_owner_slash_repo() {
        for bad in [
            "",
            "platform",
            "platform/",
            "/x",
            "a/b/c",
            "a/**/b",
            "a b/c",
            "../x",
            "a/[bc]",
        ] {
            let err = RepoPattern::parse(bad).unwrap_err();
            assert!(err.contains("owner/repo"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn a_selection_is_only_minus_exclude_and_names_a_pattern_that_matches_nothing() {
        let patterns = |ps: &[&str]| ps.iter().map(|p| RepoPattern::parse(p).unwrap()).collect();
        let selection = Selection {
            only: patterns(&["platform/*", "payments/checkout"]),
            exclude: patterns(&["platform/legacy-*", "platform/nothing-*"]),
        };
        assert!(selection.selects(&name("platform/api")));
        assert!(selection.selects(&name("payments/checkout")));
        assert!(!selection.selects(&name("payments/ledger")));
        assert!(!selection.selects(&name("platform/legacy-portal")));
        let all = [
            name("platform/api"),
            name("platform/legacy-portal"),
            name("payments/checkout"),
        ];
        let refs: Vec<&RepoName> = all.iter().collect();
        let (flag, pattern) = selection.unmatched(&refs).unwrap();
        assert_eq!(
            (flag, pattern.to_string().as_str()),
            ("--exclude", "platform/nothing-*")
        );
        assert!(Selection::default().selects(&name("a/b")));
        assert_eq!(Selection::default().unmatched(&[]), None);
    }

    proptest::proptest! {
        #[test]
        fn an_exact_pattern_matches_only_its_name(owner in "[a-z0-9-]{1,8}", repo in "[a-z0-9.-]{1,8}", other in "[a-z0-9-]{1,8}") {
            proptest::prop_assume!(repo != "." && repo != "..");
            let full = format!("{}/{}", owner, repo);
            let sibling = format!("{}/{}", owner, other);
            let exact = RepoPattern::parse(&full).unwrap();
            proptest::prop_assert!(exact.matches(&name(&full)));
            proptest::prop_assert_eq!(exact.matches(&name(&sibling)), other == repo);
            let star = RepoPattern::parse(&format!("{}/*", owner)).unwrap();
            proptest::prop_assert!(star.matches(&name(&sibling)));
        }
    }

    #[test]
    fn parses_owner_slash_repo_only() {
        assert_eq!(
            RepoName::parse("a-b/c.d_e").unwrap().to_string(),
            "a-b/c.d_e"
        );
        for bad in [
            "", "a", "a/", "/b", "a/b/c", "../b", "a/..", "a b/c", "a/b?x",
        ] {
            let err = RepoName::parse(bad).unwrap_err();
            assert!(err.contains("owner/repo"), "{bad:?}: {err}");
        }
    }
}
