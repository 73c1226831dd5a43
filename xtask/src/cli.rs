//! The command line: one subcommand per task.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use std::{net::SocketAddr, path::PathBuf};

use crate::{cascade_cmd, ci, demo_cmd, lint_cmd};

/// Propagate a runtime release to every consumer repository, and the project's own tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open one bump PR in every consumer that is behind the runtime release.
    ///
    /// For each consumer: read the repository and both files, plan one outcome, then write both
    /// files in one commit on bump/runtime-X.Y.Z and open the PR (the only retried write).
    /// A consumer that failed for a transient reason is run again from the top, up to
    /// [retry] passes times. Re-running is safe. Exit code 0 when no consumer failed or
    /// conflicts, 1 otherwise, 2 for usage, config, token or connection problems (then nothing
    /// was written) and for a token refused mid-run, 3 when Gitea kept failing or --deadline
    /// passed, 130 on SIGINT or SIGTERM; a stopped run ends with one line, re-run to continue.
    #[command(after_help = PROPAGATE_EXAMPLES)]
    Propagate {
        #[command(flatten)]
        common: cascade_cmd::CommonArgs,
        /// Only observe (GETs) and print what would happen; nothing is written.
        #[arg(long)]
        dry_run: bool,
        /// The whole run's time (90s, 30m, 1h30m): then no consumer is started; those in flight
        /// finish, every other gets a not-attempted row, and the exit code is 3.
        #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse)]
        deadline: Option<std::time::Duration>,
    },
    /// Report every consumer's runtime version against the release; only reads.
    ///
    /// Exit code 1 when any consumer is behind without an open bump PR, or unknown; 0 otherwise;
    /// 2 for usage, config, token or connection problems.
    #[command(after_help = DRIFT_EXAMPLES)]
    Drift {
        #[command(flatten)]
        common: cascade_cmd::CommonArgs,
    },
    /// Run the cascade on an embedded fake Gitea with a seeded fleet, then drift; self-checking.
    ///
    /// Needs no server and no token. Every outcome is represented, and the first PR POSTs get
    /// transient 503s. Exit code 0 when every consumer reached the outcome its seeded state calls
    /// for, 1 otherwise (naming them).
    #[command(
        after_help = "Examples:\n  cargo xtask demo\n  cargo xtask demo --serve   # keep the fake running; prints the propagate command"
    )]
    Demo {
        /// Keep the fake running and print the commands to run against it from another terminal.
        #[arg(long)]
        serve: bool,
        /// Where the fake listens (default 127.0.0.1:3000 with --serve, any free port otherwise).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Measure retry overhead, cascade speed against its physical limit, scale and the fake.
    ///
    /// Every figure is a ratio or a median of interleaved rounds in the same run, printed with its
    /// target and whether it was met. Builds both binaries in release; takes a few minutes.
    #[command(
        after_help = "Examples:\n  cargo xtask bench\n  cargo xtask bench --quick   # smoke run, a few seconds\n  cargo xtask bench --json > bench.json"
    )]
    Bench {
        /// A smoke run of a few seconds, scaled down (the output says how).
        #[arg(long)]
        quick: bool,
        /// Print one JSON document instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Mutation testing of the pure cores with cargo-mutants; prints the score per set.
    ///
    /// Mutates retry-policy (all features) and cascade's planner, requirements, versions and
    /// config, one operator or return value at a time, and runs that package's tests against each
    /// mutant. Installs cargo-mutants with `cargo install --locked` when it is missing. Takes tens
    /// of minutes on two cores; not part of `cargo xtask ci`. Exit code 1 when a mutant survived.
    #[command(
        after_help = "Examples:\n  cargo xtask mutants\n  cargo xtask mutants --set cascade --jobs 2"
    )]
    Mutants {
        /// Only these sets (repeatable); default: every set.
        #[arg(long, value_enum)]
        set: Vec<crate::mutants::Set>,
        /// Mutants built and tested in parallel (cargo-mutants' --jobs).
        #[arg(long, value_name = "N")]
        jobs: Option<u16>,
    },
    /// Run what CI runs: cargo fmt --check, clippy -D warnings, docs, every test and doctest.
    #[command(after_help = "Example:\n  cargo xtask ci")]
    Ci,
    /// Find credentials embedded in URLs in CI workflow files; exit 1 on any finding.
    ///
    /// Scans .gitea/workflows/*.yml and .github/workflows/*.yml (and .yaml) under the current
    /// directory, or the files given; a directory given is scanned the same way as a repository
    /// root, plus the workflow files directly in it. Each finding is printed as file:line: what,
    /// never with the secret.
    #[command(
        after_help = "Examples:\n  cargo xtask lint-workflows\n  cargo xtask lint-workflows docs/examples/propagate.yml\n  cargo xtask lint-workflows ../other-repo .gitea/workflows"
    )]
    LintWorkflows {
        /// Workflow files, or directories to scan like the default, instead of the defaults.
        paths: Vec<PathBuf>,
    },
}

impl Cli {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Propagate {
                common,
                dry_run,
                deadline,
            } => cascade_cmd::propagate(&common, dry_run, deadline),
            Command::Drift { common } => cascade_cmd::drift(&common),
            Command::Demo { serve, listen } => demo_cmd::run(serve, listen),
            Command::Bench { quick, json } => crate::bench::run(quick, json),
            Command::Ci => ci::run(),
            Command::Mutants { set, jobs } => crate::mutants::run(&set, jobs),
            Command::LintWorkflows { paths } => lint_cmd::run(paths),
        }
    }
}

const PROPAGATE_EXAMPLES: &str = "Examples:
  GITEA_TOKEN=... cargo xtask propagate --config propagate.toml --version 1.5.0
  cargo xtask propagate --config propagate.toml --dry-run --token-file ~/.gitea-token
  cargo xtask propagate --config propagate.toml --only platform/billing --json > report.json
  cargo xtask propagate --config propagate.toml --only 'platform/api-*' --exclude '*/legacy-*' --output report.json
  cargo xtask propagate --config propagate.toml --deadline 45m --max-rps 20";

const DRIFT_EXAMPLES: &str = "Examples:
  GITEA_TOKEN=... cargo xtask drift --config propagate.toml
  cargo xtask drift --config propagate.toml --version 1.5.0 --json";
