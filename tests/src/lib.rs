//! The reliability suite's plans: the fault soak's fleet and fault mix, and the bad inputs tried.
//!
//! The end-to-end tests in `tests/` run the cascade against gitea-fake under these plans, and
//! `docs/reliability.md` shows them; a test regenerates that page's table from the constants here,
//! so the page cannot drift from what the suite does.
//!
//! ```
//! use cascade_tests::soak;
//! assert_eq!(soak::fleet().len(), soak::CONSUMERS);
//! assert!(!soak::fault_rules(soak::DEFAULT_AT_5.level, soak::SEED).is_empty());
//! assert!(cascade_tests::record::render().contains("duplicate PRs"));
//! ```
#![deny(missing_docs)]

pub mod record;
pub mod soak;
