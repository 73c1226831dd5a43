//! Repository names.

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

#[cfg(test)]
mod tests {
    use super::*;

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
