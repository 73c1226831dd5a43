//! An in-memory Gitea 1.26 HTTP API with deterministic fault injection, for tests, demos
//! and benchmarks.
//!
//! The fake reproduces Gitea's paths, statuses, JSON bodies (`application/json;charset=utf-8`
//! with a trailing newline), pagination headers and quirks for the endpoints a dependency
//! bump needs: version, the token's user, repositories, contents (single, batch and
//! multi-file commits), branches (deleting them too), pull requests (closing them too),
//! comments on them, and labels. A [`FaultPlan`] injects statuses, delays, connection
//! resets, truncated bodies and "apply, then fail" answers; a request log records every call
//! (never the token). [`fleet`] seeds consumer repositories in chosen states.
//!
//! ```
//! use gitea_fake::{Fault, FaultRule, FakeGitea, Match, Scope, Trigger, fleet};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! rt.block_on(async {
//!     let fake = FakeGitea::start().await?;
//!     fake.store().add_token("s3cret", "bot", Scope::Write);
//!     fleet::seed_fleet(fake.store(), &fleet::demo_fleet_spec());
//!     // The first PR creation fails with 503.
//!     fake.faults().add(FaultRule::new(
//!         Match::any().method("POST").path("/api/v1/repos/*/*/pulls"),
//!         Trigger::Nth(1),
//!         Fault::status(503),
//!     ));
//!     let url = format!("{}/api/v1/repos/platform/checkout", fake.base_url());
//!     let resp = reqwest::Client::new()
//!         .get(url)
//!         .header("Authorization", "token s3cret")
//!         .send()
//!         .await?;
//!     assert_eq!(resp.status(), 200);
//!     let log = fake.requests();
//!     assert_eq!(log[0].auth_scheme.as_deref(), Some("token"));
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })
//! # }
//! ```
#![deny(missing_docs)]
#![recursion_limit = "256"]

mod app;
mod auth;
mod clock;
mod fail;
mod faults;
pub mod fleet;
mod log;
mod pagination;
mod render;
mod respond;
mod routes;
mod scope;
mod server;
mod service;
mod store;
mod urlenc;

pub use faults::{Body, Fault, FaultPlan, FaultRule, Match, Trigger};
pub use log::LoggedRequest;
pub use routes::served_routes;
pub use scope::{ScopeCategory, ScopeLevel, ScopeParseError, TokenScopes};
pub use server::{DEFAULT_VERSION, FakeGitea, FakeGiteaBuilder};
pub use store::{CommentSnapshot, PullSnapshot, PullState, RepoOptions, Scope, Store, StoreError};
