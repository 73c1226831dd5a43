//! The demo fleet, shared by `cargo xtask demo`, the bench and the end-to-end tests.
//!
//! The command line itself is the `xtask` binary (`main.rs`); this library holds only what other
//! targets reuse: seeding gitea-fake with a consumer in every state, and the outcome each state
//! calls for.

#![deny(missing_docs)]

pub mod demo;
