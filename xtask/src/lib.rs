//! The runtime cascade as a library, so the end-to-end tests in `tests/` can drive it in-process.
//!
//! The binary in `main.rs` is a thin shell over these modules: it parses flags, reads the token,
//! prints and maps outcomes to exit codes. [`app`] is the entry point: it connects, checks the
//! server and the token, resolves the version, and runs [`cascade`] or [`drift`].

pub mod app;
pub mod cascade;
pub mod config;
pub mod demo;
pub mod drift;
mod fanout;
pub mod lint;
pub mod repo;
pub mod requirements;
pub mod version;
