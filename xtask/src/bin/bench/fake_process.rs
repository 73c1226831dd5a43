//! The gitea-fake binary in a process of its own, so its memory and CPU are not the bench's.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
};

use anyhow::{Context, bail};

use crate::fleet;

/// A running `gitea-fake --consumers N`; dropping it kills the process.
#[derive(Debug)]
pub(crate) struct FakeProcess {
    child: Child,
    pub(crate) base_url: String,
}

impl FakeProcess {
    /// Starts the fake on a free loopback port with `consumers` behind consumers and the bench's
    /// write token, and waits until it has seeded them.
    pub(crate) fn start(bin: &Path, consumers: usize) -> anyhow::Result<FakeProcess> {
        let mut child = Command::new(bin)
            .args(["--listen", "127.0.0.1:0", "--token", fleet::TOKEN])
            .args(["--consumers", &consumers.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| {
                format!(
                    "cannot start {}; build it with cargo build --release -p gitea-fake",
                    bin.display()
                )
            })?;
        let Some(stdout) = child.stdout.take() else {
            bail!("gitea-fake's stdout is not piped");
        };
        let mut lines = BufReader::new(stdout).lines();
        let mut base_url = None;
        let mut seeded = false;
        for line in lines.by_ref() {
            let line = line?;
            if let Some((_, url)) = line.split_once(" listening on ") {
                base_url = Some(url.trim().to_owned());
            }
            if line.starts_with("seeded ") && line.contains(" behind consumers") {
                seeded = true;
                break;
            }
        }
        let mut fake = FakeProcess {
            child,
            base_url: String::new(),
        };
        match (base_url, seeded) {
            (Some(url), true) => fake.base_url = url,
            _ => bail!(
                "{} exited before seeding {consumers} consumers; is it older than its --consumers flag? \
                 rebuild it with cargo build --release -p gitea-fake",
                bin.display()
            ),
        }
        // Keep reading so the fake never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(fake)
    }
}

impl FakeProcess {
    /// CPU seconds the fake has used so far.
    pub(crate) fn cpu_seconds(&self) -> Option<f64> {
        crate::report::cpu_seconds(&format!("/proc/{}/stat", self.child.id()))
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
