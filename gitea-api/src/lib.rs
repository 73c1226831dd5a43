//! A small, hand-written, typed client for the Gitea 1.26 endpoints a dependency cascade needs.
//!
//! This first increment holds the building blocks: the redacting [`Token`], the [`Error`] enum
//! with its predicates, the typed requests and responses, and [`ServerVersion`]. The client
//! itself follows once the retry middleware has landed.
//!
//! ```
//! use gitea_api::Token;
//! assert_eq!(Token::new("s3cr3t").to_string(), "Token(***)");
//! ```
#![deny(missing_docs)]
// The URL, pagination and error-body helpers are used by the client, which is not here yet.
#![allow(dead_code, unused_imports)]

mod base_url;
mod error;
mod error_body;
mod link;
mod path;
mod token;
mod types;
mod version;

pub use error::Error;
pub use token::Token;
pub use types::{
    Branch, BranchCommit, ChangeFileOperation, ChangeFiles, CreatePullRequest, FileCommit,
    FileContent, FileOperation, FileSummary, Identity, Label, Permissions, PrBranch, PullRequest,
    PullState, PullStateFilter, Repository, UpdateFile, User,
};
pub use version::ServerVersion;
