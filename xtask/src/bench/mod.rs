//! `cargo xtask bench`: builds the gitea-fake binary and the bench binary in release, then runs
//! the bench (xtask/src/bin/bench). The figures are explained in docs/benchmarks.md.

use std::process::ExitCode;

use xshell::{Shell, cmd};

pub(crate) fn run(quick: bool, json: bool) -> anyhow::Result<ExitCode> {
    let sh = Shell::new()?;
    sh.change_dir(crate::project_root());
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
