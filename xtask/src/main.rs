//! `cargo xtask`: the runtime cascade and the project's own automation.
//!
//! See <https://github.com/matklad/cargo-xtask>. Every task is a subcommand; `--help` on each one
//! shows its flags and examples.

mod bench;
mod cascade_cmd;
mod ci;
mod cli;
mod demo_cmd;
mod lint;
mod lint_cmd;
mod mutants;
mod token_source;

use std::{path::PathBuf, process::ExitCode};

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
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
