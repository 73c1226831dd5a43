//! `cargo xtask lint-workflows`: the shell around `xtask::lint`.

use std::{path::PathBuf, process::ExitCode};

use crate::lint;

pub(crate) fn run(paths: Vec<PathBuf>) -> anyhow::Result<ExitCode> {
    let paths = if paths.is_empty() {
        let root = std::env::current_dir()?;
        lint::default_paths(&root)
    } else {
        let mut files = Vec::new();
        for path in paths {
            if path.is_dir() {
                let found = lint::paths_in_dir(&path);
                if found.is_empty() {
                    eprintln!(
                        "lint-workflows: {}: no .yml or .yaml file there nor in its .gitea/workflows or .github/workflows",
                        path.display()
                    );
                }
                files.extend(found);
            } else {
                files.push(path);
            }
        }
        files
    };
    let mut n_findings = 0;
    for path in &paths {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) => anyhow::bail!("cannot read {}: {err}", path.display()),
        };
        for finding in lint::scan(&text) {
            println!("{}:{}: {}", path.display(), finding.line, finding.what);
            n_findings += 1;
        }
    }
    eprintln!(
        "lint-workflows: {} file(s) scanned, {n_findings} finding(s)",
        paths.len()
    );
    Ok(if n_findings == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
