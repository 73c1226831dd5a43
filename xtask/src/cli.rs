//! The command line: one subcommand per task.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::ci;

/// Propagate a runtime release to every consumer repository, and the project's own tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run what CI runs: cargo fmt --check, clippy -D warnings, every test and doctest.
    #[command(after_help = "Example:\n  cargo xtask ci")]
    Ci,
}

impl Cli {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Ci => ci::run(),
        }
    }
}
