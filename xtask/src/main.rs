//! `cargo xtask`: the runtime cascade and the project's own automation.
//!
//! See <https://github.com/matklad/cargo-xtask>. Every task is a subcommand; `--help` on each one
//! shows its flags and examples.

mod bench;
mod cascade_cmd;
mod ci;
mod cli;
mod demo_cmd;
mod duration;
mod lint;
mod lint_cmd;
mod mutants;
mod output;
mod progress;
mod signals;
mod token_source;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, error::ErrorKind};

fn main() -> ExitCode {
    // Only to keep stdout one JSON document when the command line itself is wrong; once parsed,
    // each command knows its own `--json`.
    let json = std::env::args_os().skip(1).any(|arg| arg == "--json");
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            err.exit()
        }
        Err(err) => {
            if json {
                let first = err.to_string();
                let first = first.lines().next().unwrap_or_default();
                let message = first.strip_prefix("error: ").unwrap_or(first);
                output::Sink::stdout_only(true).error_on_stdout_only(message);
            }
            let _ = err.print();
            return ExitCode::from(2);
        }
    };
    match cli.run() {
        Ok(code) => code,
        Err(err) => {
            let message = format!("{err:#}");
            output::Sink::stdout_only(json).error(&message);
            ExitCode::from(2)
        }
    }
}

/// The workspace root, whatever directory `cargo xtask` was started from.
fn project_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
