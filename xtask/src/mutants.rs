//! `cargo xtask mutants`: cargo-mutants on the pure cores, and the score per set.
//!
//! Two sets: retry-policy with all its features, and the product's pure modules (planner,
//! requirements, versions, config). Each is mutated and tested on its own package's tests only,
//! so a set takes minutes, not hours. Exclusions, each with its reason, live in
//! `.cargo/mutants.toml` and `#[mutants::skip]`; docs/testing.md explains the figures.

use std::{fmt, path::Path, process::ExitCode};

use anyhow::Context as _;
use xshell::{Shell, cmd};

/// One group of files mutated together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Set {
    /// retry-policy, every feature.
    RetryPolicy,
    /// cascade's planner (with superseding), requirements (with its reader and parser), versions
    /// and config (with its error locator).
    Cascade,
}

impl Set {
    fn name(self) -> &'static str {
        match self {
            Set::RetryPolicy => "retry-policy",
            Set::Cascade => "cascade",
        }
    }

    /// The arguments that select this set's mutants and features.
    fn args(self) -> Vec<&'static str> {
        match self {
            Set::RetryPolicy => vec!["--package", "retry-policy", "--all-features"],
            Set::Cascade => vec![
                "--package",
                "cascade",
                "--file",
                "cascade/src/plan.rs",
                "--file",
                "cascade/src/plan/*.rs",
                "--file",
                "cascade/src/requirements.rs",
                "--file",
                "cascade/src/requirements/*.rs",
                "--file",
                "cascade/src/version.rs",
                "--file",
                "cascade/src/config.rs",
                "--file",
                "cascade/src/config/*.rs",
            ],
        }
    }
}

/// What one set's run found, read back from cargo-mutants' `mutants.out`.
#[derive(Debug)]
struct Score {
    caught: usize,
    missed: Vec<String>,
    timeouts: Vec<String>,
    unviable: usize,
}

impl Score {
    fn read(out: &Path) -> anyhow::Result<Score> {
        let lines = |name: &str| -> anyhow::Result<Vec<String>> {
            let path = out.join(name);
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
            };
            Ok(text.lines().map(str::to_owned).collect())
        };
        Ok(Score {
            caught: lines("caught.txt")?.len(),
            missed: lines("missed.txt")?,
            timeouts: lines("timeout.txt")?,
            unviable: lines("unviable.txt")?.len(),
        })
    }

    /// Caught / (caught + missed), the measure; timeouts count as neither.
    fn percent(&self) -> f64 {
        let judged = self.caught + self.missed.len();
        if judged == 0 {
            return 100.0;
        }
        100.0 * self.caught as f64 / judged as f64
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.1} % ({} caught, {} missed, {} timeouts, {} unviable)",
            self.percent(),
            self.caught,
            self.missed.len(),
            self.timeouts.len(),
            self.unviable
        )
    }
}

pub(crate) fn run(sets: &[Set], jobs: Option<u16>) -> anyhow::Result<ExitCode> {
    let sh = Shell::new()?;
    let root = crate::project_root();
    sh.change_dir(&root);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    if cmd!(sh, "{cargo} mutants --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_err()
    {
        eprintln!("cargo-mutants is missing: installing it with cargo install --locked");
        cmd!(sh, "{cargo} install --locked cargo-mutants").run()?;
    }
    let sets = if sets.is_empty() {
        vec![Set::RetryPolicy, Set::Cascade]
    } else {
        sets.to_vec()
    };
    let jobs_args: Vec<String> = jobs
        .map(|n| vec!["--jobs".to_owned(), n.to_string()])
        .unwrap_or_default();
    let mut scores = Vec::new();
    for set in sets {
        let output = root.join("target").join("mutants").join(set.name());
        let args = set.args();
        let jobs_args = &jobs_args;
        // A surviving mutant makes cargo-mutants exit non-zero; the score below says why.
        let _ = cmd!(
            sh,
            "{cargo} mutants {args...} {jobs_args...} --output {output} --no-times"
        )
        .run();
        let score = Score::read(&output.join("mutants.out"))?;
        scores.push((set, score));
    }
    println!("\nmutation score (caught / (caught + missed)):");
    let mut all_judged = true;
    for (set, score) in &scores {
        println!("  {:<13} {score}", set.name());
        for missed in &score.missed {
            println!("    missed:  {missed}");
        }
        for timeout in &score.timeouts {
            println!("    timeout: {timeout}");
        }
        all_judged &= score.missed.is_empty();
    }
    Ok(if all_judged {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_reads_the_outcome_files_and_counts_timeouts_as_neither() {
        let dir = std::env::temp_dir().join(format!("xtask-mutants-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("caught.txt"), "a\nb\nc\n").unwrap();
        std::fs::write(
            dir.join("missed.txt"),
            "src/x.rs:1:1: replace f -> bool with true\n",
        )
        .unwrap();
        std::fs::write(dir.join("timeout.txt"), "t\n").unwrap();
        let score = Score::read(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(score.caught, 3);
        assert_eq!(score.missed.len(), 1);
        assert_eq!(score.timeouts.len(), 1);
        assert_eq!(score.unviable, 0);
        assert_eq!(format!("{:.1}", score.percent()), "75.0");
    }
}
