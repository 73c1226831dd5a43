//! Integration tests of gitea-api against gitea-fake and raw loopback servers.

mod branches;
mod commits;
mod common;
mod contents;
mod duplicates;
mod fallbacks;
mod labels;
mod open;
mod pull_writes;
mod pulls;
mod raw;
mod redirects;
mod repos;
mod retry;
mod secrets;
mod size_cap;
