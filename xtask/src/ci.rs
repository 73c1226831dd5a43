//! `cargo xtask ci`: the whole quality gate, the same locally and in CI.

use std::{path::PathBuf, process::ExitCode};

use xshell::{Shell, cmd};

pub(crate) fn run() -> anyhow::Result<ExitCode> {
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());

    cmd!(sh, "{cargo} fmt --all -- --check").run()?;
    cmd!(
        sh,
        "{cargo} clippy --workspace --all-targets --all-features --locked -- -D warnings"
    )
    .run()?;
    cmd!(sh, "{cargo} test --workspace --all-features --locked").run()?;
    Ok(ExitCode::SUCCESS)
}

fn project_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
