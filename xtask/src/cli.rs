//! The command line: one subcommand per task.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use std::path::PathBuf;

use crate::{ci, lint_cmd};

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
    /// Find credentials embedded in URLs in CI workflow files; exit 1 on any finding.
    ///
    /// Scans .gitea/workflows/*.yml and .github/workflows/*.yml under the current directory, or
    /// the files given. Each finding is printed as file:line: what, never with the secret.
    #[command(
        after_help = "Examples:\n  cargo xtask lint-workflows\n  cargo xtask lint-workflows docs/examples/propagate.yml"
    )]
    LintWorkflows {
        /// Workflow files to scan instead of the defaults.
        paths: Vec<PathBuf>,
    },
}

impl Cli {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Ci => ci::run(),
            Command::LintWorkflows { paths } => lint_cmd::run(paths),
        }
    }
}
