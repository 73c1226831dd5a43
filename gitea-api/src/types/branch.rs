//! A branch and its head commit, as Gitea returns them.

use serde::{Deserialize, Serialize};

use super::null_default;

/// A branch (swagger `Branch`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// Branch name, such as `bump/runtime-1.2.3`.
    pub name: String,
    /// The head commit, when the server sent one.
    #[serde(default)]
    pub commit: Option<BranchCommit>,
    /// Whether branch protection applies.
    #[serde(default, deserialize_with = "null_default")]
    pub protected: bool,
    /// Whether the token's user may push to it.
    #[serde(default, deserialize_with = "null_default")]
    pub user_can_push: bool,
}

/// The head commit of a [`Branch`] (swagger `PayloadCommit`, reduced).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchCommit {
    /// The commit sha.
    #[serde(default, deserialize_with = "null_default")]
    pub id: String,
    /// The commit message.
    #[serde(default, deserialize_with = "null_default")]
    pub message: String,
    /// Commit time (RFC 3339), when present.
    #[serde(default)]
    pub timestamp: Option<String>,
}
