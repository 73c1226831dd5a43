//! Tests of the xtask binary: the real command line against gitea-fake.

mod cli;
mod flags;
mod inputs;
mod json;
mod killed;
mod progress;
mod releases;
mod signals;
