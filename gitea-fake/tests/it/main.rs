//! Integration tests of gitea-fake over HTTP: API fidelity, token scopes, faults, fleet, swagger conformance, CLI.

mod cli;
mod common;
mod conformance;
mod faults;
mod fleet;
mod gitea_facts;
mod non_atomic;
mod pull_lifecycle;
mod read_api;
mod robustness;
mod scopes;
mod third_party;
mod write_api;
