//! The runtime cascade as a library, so the end-to-end tests in `tests/` can drive it in-process.
//!
//! The binary in `main.rs` is a thin shell over these modules: it parses flags, reads the token
//! and maps outcomes to exit codes.

pub mod cascade;
pub mod lint;
pub mod repo;
pub mod requirements;
pub mod version;
