//! A repository and the permissions the token has on it.

use serde::{Deserialize, Serialize};

use super::{Keyed, User, null_default};

/// A repository (swagger `Repository`), reduced to the fields the cascade reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repository {
    /// Numeric id; org listings are ordered by it.
    pub id: i64,
    /// Repository name without the owner.
    pub name: String,
    /// `owner/name`.
    #[serde(default, deserialize_with = "null_default")]
    pub full_name: String,
    /// The owner, when sent.
    #[serde(default)]
    pub owner: Option<User>,
    /// The default branch; set even for an empty repository.
    #[serde(default, deserialize_with = "null_default")]
    pub default_branch: String,
    /// True for a repository without commits.
    #[serde(default, deserialize_with = "null_default")]
    pub empty: bool,
    /// Archived repositories refuse writes with 423.
    #[serde(default, deserialize_with = "null_default")]
    pub archived: bool,
    /// Mirrors refuse content writes.
    #[serde(default, deserialize_with = "null_default")]
    pub mirror: bool,
    /// Whether this is a fork.
    #[serde(default, deserialize_with = "null_default")]
    pub fork: bool,
    /// Whether the repository is private.
    #[serde(default, deserialize_with = "null_default")]
    pub private: bool,
    /// Whether pull requests are enabled.
    #[serde(default, deserialize_with = "null_default")]
    pub has_pull_requests: bool,
    /// The token user's permissions, when authenticated.
    #[serde(default)]
    pub permissions: Option<Permissions>,
    /// Web page of the repository.
    #[serde(default, deserialize_with = "null_default")]
    pub html_url: String,
    /// HTTP clone URL.
    #[serde(default, deserialize_with = "null_default")]
    pub clone_url: String,
}

/// The token user's permissions on a [`Repository`] (swagger `Permission`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// Admin rights.
    #[serde(default, deserialize_with = "null_default")]
    pub admin: bool,
    /// Write rights.
    #[serde(default, deserialize_with = "null_default")]
    pub push: bool,
    /// Read rights.
    #[serde(default, deserialize_with = "null_default")]
    pub pull: bool,
}

impl Keyed for Repository {
    fn key(&self) -> i64 {
        self.id
    }
}
