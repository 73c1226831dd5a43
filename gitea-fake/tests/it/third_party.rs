//! The fake driven by a client nobody here wrote: PyPI's `gitea-api-client`, generated from
//! Gitea's swagger, installed in a throwaway venv. Skipped, with a message saying so, when
//! Python, venv or the package cannot be had; a failure of the client itself fails the test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{READ_TOKEN, TOKEN, fake};

/// The package and the version the script was written against.
const PACKAGE: &str = "gitea-api-client==1.27.3";
const LABEL: &str = "dependencies";

/// A venv removed when dropped.
struct Venv(PathBuf);

impl Drop for Venv {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Venv {
    fn python(&self) -> PathBuf {
        self.0.join("bin").join("python")
    }
}

/// The last line a failed command printed, to say why it failed.
fn last_line(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr);
    let text = if text.trim().is_empty() {
        String::from_utf8_lossy(&output.stdout)
    } else {
        text
    };
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no output")
        .trim()
        .to_owned()
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("{:?} could not start: {e}", command.get_program()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{}: {}", output.status, last_line(&output)))
    }
}

/// A fresh venv with the package, or why there is none.
fn venv_with_client(dir: &Path) -> Result<Venv, String> {
    let venv = Venv(dir.to_owned());
    run(Command::new("python3").args(["-m", "venv"]).arg(dir))
        .map_err(|e| format!("python3 -m venv: {e}"))?;
    run(Command::new(venv.python()).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--timeout",
        "30",
        "--retries",
        "1",
        PACKAGE,
    ]))
    .map_err(|e| format!("pip install {PACKAGE}: {e}"))?;
    Ok(venv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_generated_from_giteas_swagger_drives_the_fake() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("gitea-api-client-venv-{}", std::process::id()));
    let venv = match tokio::task::spawn_blocking(move || venv_with_client(&dir))
        .await
        .unwrap()
    {
        Ok(venv) => venv,
        Err(why) => {
            eprintln!(
                "skipped: the third-party client check of gitea-fake did not run, because {why}"
            );
            return;
        }
    };
    let f = fake().await;
    f.store().create_label("acme", "app", LABEL);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/third_party_client.py");
    let base = f.base_url().to_owned();
    let python = venv.python();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([&base, TOKEN, READ_TOKEN, "acme", "app", LABEL])
            .output()
    })
    .await
    .unwrap()
    .expect("the venv's python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "gitea-api-client failed against the fake:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every check ran, and what the client wrote is in the store.
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok: ")).count(),
        17,
        "{stdout}"
    );
    let pulls = f.store().pulls("acme", "app");
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    assert_eq!(
        f.store()
            .file("acme", "app", "bump/py-client", "runtime-version"),
        Some(b"9.9.9\n".to_vec())
    );
}
