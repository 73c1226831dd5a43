//! End-to-end tests of the cascade against gitea-fake live in `tests/`; this crate has no code of
//! its own.
