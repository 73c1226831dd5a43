//! The reliability suite's plans: the fault soak's fleet and fault mix, and the bad inputs tried.
//!
//! The end-to-end tests in `tests/` run the cascade against gitea-fake under these plans, and
//! `docs/reliability.md` shows them; a test regenerates that page's table from the constants here,
//! so the page cannot drift from what the suite does.
//!
//! ```
//! let rules = cascade_tests::soak::fault_rules(cascade_tests::soak::SEED);
//! assert_eq!(rules.len(), cascade_tests::soak::FAULTS.len());
//! ```
#![deny(missing_docs)]

pub mod record;
pub mod soak;
