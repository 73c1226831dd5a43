//! Token scopes as Gitea 1.26 models them (`models/auth/access_token_scope.go`): a level
//! (`read`, or `write`, which implies read) per category, `all` for every category, and
//! `public-only`, which limits the token to public repositories and organisations.

use std::fmt;
use std::str::FromStr;

/// A scope category, in the order Gitea writes them when it normalises a token's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ScopeCategory {
    /// `activitypub`.
    ActivityPub,
    /// `admin`.
    Admin,
    /// `misc` (a placeholder in Gitea: no route asks for it).
    Misc,
    /// `notification`.
    Notification,
    /// `organization`: `GET /orgs/{org}/repos` and the other org routes.
    Organization,
    /// `package`.
    Package,
    /// `issue`: issues, comments, labels and milestones, of pull requests too.
    Issue,
    /// `repository`: repositories, contents, branches and pull requests.
    Repository,
    /// `user`.
    User,
}

impl ScopeCategory {
    /// Every category, in Gitea's order.
    pub const ALL: [ScopeCategory; 9] = [
        ScopeCategory::ActivityPub,
        ScopeCategory::Admin,
        ScopeCategory::Misc,
        ScopeCategory::Notification,
        ScopeCategory::Organization,
        ScopeCategory::Package,
        ScopeCategory::Issue,
        ScopeCategory::Repository,
        ScopeCategory::User,
    ];

    /// The name Gitea uses, e.g. `repository`.
    pub fn name(self) -> &'static str {
        match self {
            ScopeCategory::ActivityPub => "activitypub",
            ScopeCategory::Admin => "admin",
            ScopeCategory::Misc => "misc",
            ScopeCategory::Notification => "notification",
            ScopeCategory::Organization => "organization",
            ScopeCategory::Package => "package",
            ScopeCategory::Issue => "issue",
            ScopeCategory::Repository => "repository",
            ScopeCategory::User => "user",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// What a scope allows within its category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScopeLevel {
    /// `read:…`: what a GET needs.
    Read,
    /// `write:…`: what POST, PUT, PATCH and DELETE need; implies read.
    Write,
}

impl ScopeLevel {
    /// The level a request method needs, as Gitea's `tokenRequiresScopes` decides it.
    pub fn for_method(method: &str) -> ScopeLevel {
        match method {
            "POST" | "PUT" | "PATCH" | "DELETE" => ScopeLevel::Write,
            _ => ScopeLevel::Read,
        }
    }

    /// `read` or `write`.
    pub fn name(self) -> &'static str {
        match self {
            ScopeLevel::Read => "read",
            ScopeLevel::Write => "write",
        }
    }
}

/// One scope such as `write:repository`, as Gitea names it in its 403 answers.
pub(crate) fn scope_name(level: ScopeLevel, category: ScopeCategory) -> String {
    format!("{}:{}", level.name(), category.name())
}

/// The scopes of one token.
///
/// ```
/// use gitea_fake::{ScopeCategory, ScopeLevel, TokenScopes};
/// let s: TokenScopes = "write:repository,read:organization".parse().unwrap();
/// assert!(s.allows(ScopeLevel::Read, ScopeCategory::Repository));
/// assert!(!s.allows(ScopeLevel::Read, ScopeCategory::Issue));
/// // Gitea stores and shows a token's scope normalised, in its own category order.
/// assert_eq!(s.to_string(), "read:organization,write:repository");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenScopes {
    read: u16,
    write: u16,
    public_only: bool,
}

/// A scope string Gitea would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid access token scope: {0}")]
pub struct ScopeParseError(String);

impl TokenScopes {
    /// No scope at all: every scoped route answers 403.
    pub fn none() -> TokenScopes {
        TokenScopes::default()
    }

    /// `all`: write in every category.
    pub fn all() -> TokenScopes {
        let bits = ScopeCategory::ALL.iter().fold(0, |b, c| b | c.bit());
        TokenScopes {
            read: bits,
            write: bits,
            public_only: false,
        }
    }

    /// Read in every category: a read-only token.
    pub fn read_only() -> TokenScopes {
        TokenScopes {
            write: 0,
            ..TokenScopes::all()
        }
    }

    /// These scopes plus `level` in `category`.
    pub fn with(mut self, level: ScopeLevel, category: ScopeCategory) -> TokenScopes {
        self.read |= category.bit();
        if level == ScopeLevel::Write {
            self.write |= category.bit();
        }
        self
    }

    /// These scopes limited to public repositories and organisations (`public-only`).
    pub fn public_only(mut self) -> TokenScopes {
        self.public_only = true;
        self
    }

    /// Whether a request needing `level` in `category` passes.
    pub fn allows(&self, level: ScopeLevel, category: ScopeCategory) -> bool {
        let bits = match level {
            ScopeLevel::Read => self.read,
            ScopeLevel::Write => self.write,
        };
        bits & category.bit() != 0
    }

    /// Whether `public-only` is set.
    pub fn is_public_only(&self) -> bool {
        self.public_only
    }

    /// Parses Gitea's comma-separated form (`write:repository,read:organization`, `all`,
    /// `public-only`); empty items are skipped, as Gitea skips them.
    ///
    /// # Errors
    /// [`ScopeParseError`] naming the first unknown item, with Gitea's wording.
    pub fn parse(text: &str) -> Result<TokenScopes, ScopeParseError> {
        let mut scopes = TokenScopes::none();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "all" {
                let public_only = scopes.public_only;
                scopes = TokenScopes {
                    public_only,
                    ..TokenScopes::all()
                };
                continue;
            }
            if item == "public-only" {
                scopes.public_only = true;
                continue;
            }
            let parsed = item.split_once(':').and_then(|(level, category)| {
                let level = match level {
                    "read" => ScopeLevel::Read,
                    "write" => ScopeLevel::Write,
                    _ => return None,
                };
                let category = ScopeCategory::ALL
                    .into_iter()
                    .find(|c| c.name() == category)?;
                Some((level, category))
            });
            match parsed {
                Some((level, category)) => scopes = scopes.with(level, category),
                None => return Err(ScopeParseError(item.to_owned())),
            }
        }
        Ok(scopes)
    }
}

impl FromStr for TokenScopes {
    type Err = ScopeParseError;

    fn from_str(s: &str) -> Result<TokenScopes, ScopeParseError> {
        TokenScopes::parse(s)
    }
}

/// Gitea's normalised form (`toScope`): `public-only` first, then per category its highest
/// level, and `all` in place of write in every category.
impl fmt::Display for TokenScopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if self.public_only {
            parts.push("public-only".to_owned());
        }
        if self.write == TokenScopes::all().write {
            parts.push("all".to_owned());
        } else {
            for c in ScopeCategory::ALL {
                if self.allows(ScopeLevel::Write, c) {
                    parts.push(scope_name(ScopeLevel::Write, c));
                } else if self.allows(ScopeLevel::Read, c) {
                    parts.push(scope_name(ScopeLevel::Read, c));
                }
            }
        }
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_implies_read_and_all_covers_everything() {
        let w = TokenScopes::none().with(ScopeLevel::Write, ScopeCategory::Repository);
        assert!(w.allows(ScopeLevel::Read, ScopeCategory::Repository));
        assert!(!w.allows(ScopeLevel::Read, ScopeCategory::Issue));
        for c in ScopeCategory::ALL {
            assert!(TokenScopes::all().allows(ScopeLevel::Write, c));
            assert!(TokenScopes::read_only().allows(ScopeLevel::Read, c));
            assert!(!TokenScopes::read_only().allows(ScopeLevel::Write, c));
        }
    }

    #[test]
    fn parses_and_normalises_like_gitea() {
        // Expected strings follow Gitea's toScope order (access_token_scope.go).
        let cases = [
            (
                "write:repository,read:organization",
                "read:organization,write:repository",
            ),
            ("read:repository,write:repository", "write:repository"),
            ("all", "all"),
            ("public-only,all", "public-only,all"),
            ("read:issue,,read:user", "read:issue,read:user"),
            ("", ""),
        ];
        for (input, normal) in cases {
            assert_eq!(
                TokenScopes::parse(input).unwrap().to_string(),
                normal,
                "{input}"
            );
        }
        assert_eq!(
            TokenScopes::parse("write:repo").unwrap_err().to_string(),
            "invalid access token scope: write:repo"
        );
        assert!(TokenScopes::parse("admin").is_err());
        assert!(TokenScopes::parse("public-only").unwrap().is_public_only());
    }

    #[test]
    fn level_follows_the_method() {
        for m in ["POST", "PUT", "PATCH", "DELETE"] {
            assert_eq!(ScopeLevel::for_method(m), ScopeLevel::Write);
        }
        for m in ["GET", "HEAD", "OPTIONS"] {
            assert_eq!(ScopeLevel::for_method(m), ScopeLevel::Read);
        }
    }
}
