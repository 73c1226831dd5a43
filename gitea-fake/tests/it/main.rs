//! Integration tests of gitea-fake over HTTP: API fidelity, faults, fleet, swagger conformance, CLI.

mod cli;
mod common;
mod conformance;
mod faults;
mod fleet;
mod non_atomic;
mod pull_lifecycle;
mod read_api;
mod robustness;
mod write_api;
