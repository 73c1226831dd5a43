//! Typed requests and responses. Unknown fields are ignored, and fields Gitea may send as `null`
//! are `Option` (or, for lists, strings and flags, read as their empty value).

mod branch;
mod comment;
mod commit;
mod contents;
mod contents_wire;
mod label;
mod pull;
mod repo;
mod user;

pub use branch::{Branch, BranchCommit};
pub use comment::Comment;
pub use commit::{ChangedFile, Commit, CommitParent, CommitRange, GitCommit};
pub use contents::{
    ChangeFileOperation, ChangeFiles, FileCommit, FileContent, FileOperation, FileSummary,
    Identity, UpdateFile,
};
pub(crate) use contents_wire::{ContentsWire, FileResponseWire, FilesResponseWire};
pub use label::Label;
pub use pull::{
    CreatePullRequest, EditPullRequest, PrBranch, PullRequest, PullState, PullStateFilter,
};
pub use repo::{Permissions, Repository};
pub use user::User;

/// Reads `null` or a missing field as the type's default.
pub(crate) fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An item of a paginated list, identified so that a page shift never yields it twice.
pub(crate) trait Keyed {
    fn key(&self) -> i64;
}
