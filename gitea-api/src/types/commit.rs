//! A commit as the commits API lists it, reduced to what tells who made it and what it changed.

use serde::{Deserialize, Serialize};

use super::{Identity, User, null_default};

/// A commit (swagger `Commit`), reduced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// The commit sha.
    #[serde(default, deserialize_with = "null_default")]
    pub sha: String,
    /// The Gitea user the git author's e-mail belongs to; `None` when it belongs to nobody.
    #[serde(default)]
    pub author: Option<User>,
    /// The Gitea user the git committer's e-mail belongs to; `None` when it belongs to nobody.
    #[serde(default)]
    pub committer: Option<User>,
    /// The git side: message, author and committer identities.
    #[serde(default, rename = "commit")]
    pub git: GitCommit,
    /// The parents' shas, in order.
    #[serde(default, deserialize_with = "null_default")]
    pub parents: Vec<CommitParent>,
    /// The files it changed against its first parent, when the server listed them.
    #[serde(default)]
    pub files: Option<Vec<ChangedFile>>,
}

/// The git side of a [`Commit`] (swagger `RepoCommit`), reduced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitCommit {
    /// The full message.
    #[serde(default, deserialize_with = "null_default")]
    pub message: String,
    /// The git author, as written in the commit (anyone can write anything there).
    #[serde(default, deserialize_with = "null_default")]
    pub author: Identity,
    /// The git committer, as written in the commit.
    #[serde(default, deserialize_with = "null_default")]
    pub committer: Identity,
}

/// A parent of a [`Commit`] (swagger `CommitMeta`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitParent {
    /// Its sha.
    #[serde(default, deserialize_with = "null_default")]
    pub sha: String,
}

/// A file a [`Commit`] changed (swagger `CommitAffectedFiles`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedFile {
    /// Its path.
    #[serde(default, deserialize_with = "null_default")]
    pub filename: String,
    /// `added`, `removed` or `modified`.
    #[serde(default, deserialize_with = "null_default")]
    pub status: String,
}

/// The first commits of a range and how many it holds in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitRange {
    /// Newest first, at most as many as asked for.
    pub commits: Vec<Commit>,
    /// How many commits the range holds (`X-Total-Count`).
    pub total: u64,
}
