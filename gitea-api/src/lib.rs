//! A small, hand-written, typed client for the Gitea 1.26 endpoints a dependency cascade needs.
//!
//! - [`Client`] is built with [`Client::builder`]: a validated base URL (`https`, or plain
//!   `http` to loopback only unless [`ClientBuilder::allow_insecure_http`]), a [`Token`] sent
//!   only as `Authorization: token …`, a user agent and a [`retry_policy::Policy`], which
//!   alone sets the attempt timeout (30 s in [`default_retry_policy`]).
//! - [`Client::open_pull_request`] is the duplicate-safe PR open, and the only write that is
//!   retried: under a [`retry_policy::Retrier`] you pass in, each re-POST is preceded by a
//!   look-up by base and head, and a 409 "already exists" counts as the existing PR. Gitea's
//!   duplicate check is not atomic, so a blind re-POST could make two PRs.
//! - Every other request, the raw [`Client::create_pull_request`] included, is sent once by
//!   default, so a failure before the PR is loud and re-running from the top is safe.
//!   [`RetryScope::ReadsOnly`] retries reads (never writes) under the client's policy.
//!   [`Client::api_calls`] counts every request sent, retries included.
//! - Endpoints added after Gitea 1.20 fall back on older servers: the batch file read (1.24)
//!   to one GET per file, and the PR lookup by base and head (1.22) to listing open PRs. The
//!   server version, and the token's user ([`Client::current_user`]), are read once per
//!   client.
//! - Besides reads, the writes a bump bot makes: one commit for several files, a branch, a PR,
//!   a comment ([`Client::create_issue_comment`]), closing a PR
//!   ([`Client::close_pull_request`]) and deleting a branch ([`Client::delete_branch`]).
//! - Lists are [`Stream`](futures_util::Stream)s that follow `Link: rel="next"` at 50 per page.
//! - Every failure is one [`Error`] with predicates such as [`Error::is_not_found`],
//!   [`Error::is_branch_already_exists`] and [`Error::pull_already_exists`].
//!
//! # Example
//!
//! Against the in-memory gitea-fake (a dev-dependency) on loopback:
//!
//! ```
//! use gitea_api::{
//!     ChangeFileOperation, ChangeFiles, Client, CreatePullRequest, DuplicateCheck, Origin, Token,
//! };
//! use gitea_fake::{FakeGitea, RepoOptions, Scope};
//! use retry_policy::{Policy, Retrier};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeGitea::start().await?;
//! let store = fake.store();
//! store.add_user("bot");
//! store.add_org("platform");
//! store.add_org_member("platform", "bot");
//! store.add_token("s3cr3t", "bot", Scope::Write);
//! store.create_repo("platform", "app", RepoOptions::default());
//! store.commit_files("platform", "app", "main", &[("runtime-version", b"1.2.3\n")], "seed")?;
//!
//! let client = Client::builder(fake.base_url()).token(Token::new("s3cr3t")).build()?;
//! let repo = client.get_repo("platform", "app").await?;
//! let file = client
//!     .get_contents("platform", "app", "runtime-version", Some(&repo.default_branch))
//!     .await?;
//! assert_eq!(file.bytes, b"1.2.3\n");
//!
//! let branch = "bump/runtime-1.3.0";
//! if client.get_branch("platform", "app", branch).await?.is_none() {
//!     let change = ChangeFiles {
//!         files: vec![ChangeFileOperation::update("runtime-version", "1.3.0\n", file.sha)],
//!         branch: Some(repo.default_branch.clone()),
//!         new_branch: Some(branch.to_owned()),
//!         message: Some("Bump runtime to 1.3.0".to_owned()),
//!         ..ChangeFiles::default()
//!     };
//!     client.change_files("platform", "app", &change).await?;
//! }
//! // Retried on 5xx and timeouts (1 s, 2 s, 4 s), looking the PR up before each re-POST; a 409
//! // "already exists" comes back as the existing PR.
//! let request = CreatePullRequest::new(branch, &repo.default_branch, "Bump runtime to 1.3.0");
//! let retrier = Retrier::new(Policy::default());
//! // We just created the branch, so a duplicate is looked for only if this open leaves doubt.
//! let check = DuplicateCheck::WhenInDoubt;
//! let opened = client.open_pull_request("platform", "app", &request, &retrier, check).await?;
//! assert_eq!((opened.origin, opened.pull.number), (Origin::Created, 1));
//! assert_eq!(client.api_calls(), 5);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod base_url;
mod builder;
mod client;
mod duplicates;
mod endpoints;
mod error;
mod error_body;
mod link;
mod open;
mod paginate;
mod path;
mod rate_limit;
mod read_body;
mod request;
mod token;
mod types;
mod version;

pub use base_url::{BaseUrlError, check_base_url};
pub use builder::{
    ClientBuilder, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_MAX_FILE_BYTES, RetryScope,
    default_retry_policy,
};
pub use client::Client;
pub use duplicates::{Duplicate, DuplicateCheck, Duplicates};
pub use error::Error;
pub use open::{Opened, Origin};
pub use token::{Token, TokenError};
pub use types::{
    Branch, BranchCommit, ChangeFileOperation, ChangeFiles, ChangedFile, Comment, Commit,
    CommitParent, CommitRange, CreatePullRequest, EditPullRequest, FileCommit, FileContent,
    FileOperation, FileSummary, GitCommit, Identity, Label, Permissions, PrBranch, PullRequest,
    PullState, PullStateFilter, Repository, UpdateFile, User,
};
pub use version::ServerVersion;
