//! The runtime cascade as a library: everything `cargo xtask propagate` and `drift` decide and do.
//!
//! [`run`] is the entry point: it connects, checks the server and the token (and its
//! [`scopes`]), resolves the
//! version, and runs [`propagate`] or [`drift`]. [`plan`] is the pure core: a function from what
//! was observed of one consumer to its next action. `config`, `version`, `repo` and
//! `requirements` are validated input; [`report`] is what a run tells its caller.

#![deny(missing_docs)]

pub mod body;
pub mod config;
pub mod drift;
pub mod interrupt;
pub mod plan;
pub mod propagate;
pub mod repo;
pub mod report;
pub mod requirements;
pub mod run;
pub mod sanitize;
pub mod scopes;
pub mod template;
pub mod version;

mod apply;
mod breaker;
mod fanout;
mod passes;
mod timestamp;
