//! `cargo xtask bench`: builds the gitea-fake binary and the bench binary in release, then runs
//! the bench (xtask/src/bin/bench). The figures are explained in docs/benchmarks.md.

use std::{path::PathBuf, process::ExitCode};

use xshell::{Shell, cmd};

pub(crate) fn run(quick: bool, json: bool) -> anyhow::Result<ExitCode> {
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    cmd!(
        sh,
        "{cargo} build --release --quiet --package gitea-fake --bin gitea-fake"
    )
    .run()?;
    let quick = quick.then_some("--quick");
    let json = json.then_some("--json");
    cmd!(
        sh,
        "{cargo} run --release --quiet --package xtask --bin bench -- {quick...} {json...}"
    )
    .run()?;
    Ok(ExitCode::SUCCESS)
}

fn project_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
