//! `cargo xtask ci`: the whole quality gate, the same locally and in CI.

use std::process::ExitCode;

use xshell::{Shell, cmd};

pub(crate) fn run() -> anyhow::Result<ExitCode> {
    let sh = Shell::new()?;
    sh.change_dir(crate::project_root());
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
