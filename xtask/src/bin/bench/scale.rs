//! Part 3: scale. The cascade runs in a child process of its own (so its peak RSS is its own)
//! against the gitea-fake binary in another process, with no injected latency.

use std::{
    path::Path,
    process::{Command, Stdio},
    time::Instant,
};

use anyhow::{Context, bail};
use cascade::{report::Outcome, run};
use gitea_api::Token;
use serde::{Deserialize, Serialize};

use crate::{
    fake_process::FakeProcess,
    fleet,
    report::{Figure, Section, cpu_seconds, kib_field, thousands},
    stats::{Target, median, ratio},
};

#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) small: usize,
    pub(crate) large: usize,
    pub(crate) jobs: usize,
    pub(crate) rounds: usize,
    /// The RSS target applies at 100,000 consumers only.
    pub(crate) full_size: bool,
}

/// What the child reports on its stdout, as one JSON line.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct ChildReport {
    wall_secs: f64,
    calls: u64,
    created: usize,
    vmhwm_kib: Option<u64>,
    /// CPU seconds of the cascade's process, and of the fake's during the run.
    cpu_secs: Option<f64>,
    #[serde(default)]
    fake_cpu_secs: Option<f64>,
}

/// The child: run the cascade against `url` and report.
pub(crate) fn child(url: &str, consumers: usize, jobs: usize) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(async {
        let config = fleet::config(url, consumers)?;
        let client = run::connect(&config, Token::new(fleet::TOKEN.to_owned()))?;
        run::preflight(&client, &config).await?;
        let before = client.api_calls();
        let started = Instant::now();
        let report =
            run::propagate_with(&client, &config, &fleet::options(jobs)?, &mut |_| {}).await?;
        let wall_secs = started.elapsed().as_secs_f64();
        anyhow::Ok(ChildReport {
            wall_secs,
            calls: report.api_calls - before,
            created: report.summary.get(&Outcome::Created).copied().unwrap_or(0),
            vmhwm_kib: None,
            cpu_secs: None,
            fake_cpu_secs: None,
        })
    })?;
    drop(runtime);
    let vmhwm_kib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| kib_field(&status, "VmHWM:"));
    println!(
        "{}",
        serde_json::to_string(&ChildReport {
            vmhwm_kib,
            cpu_secs: cpu_seconds("/proc/self/stat"),
            ..report
        })?
    );
    Ok(())
}

fn measure(fake_bin: &Path, consumers: usize, jobs: usize) -> anyhow::Result<ChildReport> {
    let fake = FakeProcess::start(fake_bin, consumers)?;
    let fake_cpu_before = fake.cpu_seconds();
    let output = Command::new(std::env::current_exe()?)
        .args(["scale-child", "--url", &fake.base_url])
        .args([
            "--consumers",
            &consumers.to_string(),
            "--jobs",
            &jobs.to_string(),
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("cannot start the cascade's child process")?;
    let fake_cpu_secs = fake
        .cpu_seconds()
        .zip(fake_cpu_before)
        .map(|(after, before)| after - before);
    drop(fake);
    if !output.status.success() {
        bail!("the cascade's child process failed ({})", output.status);
    }
    let mut report: ChildReport = serde_json::from_slice(&output.stdout)
        .context("the cascade's child process printed no report")?;
    report.fake_cpu_secs = fake_cpu_secs;
    if report.created != consumers {
        bail!("the cascade created {} of {consumers} PRs", report.created);
    }
    Ok(report)
}

pub(crate) fn run(
    fake_bin: &Path,
    settings: Settings,
    progress: &dyn Fn(&str),
) -> anyhow::Result<Section> {
    let mut small = Vec::new();
    let mut large = Vec::new();
    for round in 1..=settings.rounds {
        progress(&format!(
            "part 3, round {round}: {} consumers",
            settings.small
        ));
        small.push(measure(fake_bin, settings.small, settings.jobs)?);
        progress(&format!(
            "part 3, round {round}: {} consumers",
            settings.large
        ));
        large.push(measure(fake_bin, settings.large, settings.jobs)?);
    }
    Ok(section(settings, &small, &large))
}

fn section(settings: Settings, small: &[ChildReport], large: &[ChildReport]) -> Section {
    let wall = |s: &[ChildReport]| median(&s.iter().map(|r| r.wall_secs).collect::<Vec<_>>());
    // The highest peak of any round: memory is judged on its worst run.
    let peak = |s: &[ChildReport]| {
        s.iter()
            .filter_map(|r| r.vmhwm_kib)
            .max()
            .map(|kib| kib as f64 / 1024.0)
    };
    let calls = |s: &[ChildReport], n: usize| {
        median(
            &s.iter()
                .map(|r| r.calls as f64 / n as f64)
                .collect::<Vec<_>>(),
        )
    };
    let cpu = |s: &[ChildReport]| {
        median(
            &s.iter()
                .filter_map(|r| Some(r.cpu_secs? + r.fake_cpu_secs?))
                .collect::<Vec<_>>(),
        )
    };
    let (small_wall, large_wall) = (wall(small), wall(large));
    let scale = settings.large as f64 / settings.small as f64;
    let (s, l) = (
        thousands(settings.small as f64),
        thousands(settings.large as f64),
    );
    let rss_target = settings.full_size.then_some(Target::AtMost(64.0));
    let figures = vec![
        Figure::info(format!("wall time, {s} consumers"), small_wall, "s"),
        Figure::info(format!("wall time, {l} consumers"), large_wall, "s"),
        Figure::new(
            format!("wall {l} / wall {s}"),
            ratio(large_wall, small_wall),
            "x",
            Some(Target::AtMost(scale * 1.1)),
        ),
        Figure::info(
            format!("calls per consumer, {l}"),
            calls(large, settings.large),
            "calls",
        ),
        Figure::info(format!("CPU time, cascade + fake, {s}"), cpu(small), "s"),
        Figure::info(format!("CPU time, cascade + fake, {l}"), cpu(large), "s"),
        Figure::info(
            format!("CPU {l} / CPU {s}"),
            ratio(cpu(large), cpu(small)),
            "x",
        ),
        Figure::info(format!("cascade peak RSS (VmHWM), {s}"), peak(small), "MiB"),
        Figure::new(
            format!("cascade peak RSS (VmHWM), {l}"),
            peak(large),
            "MiB",
            rss_target,
        ),
    ];
    let mut notes = Vec::new();
    if !settings.full_size {
        notes.push(
            "quick mode: scaled down from 10,000 and 100,000 consumers; the 64 MiB target applies \
             at 100,000 only"
                .to_owned(),
        );
    }
    Section {
        id: "scale",
        title: "3. Scale".to_owned(),
        method: format!(
            "{s} and {l} consumers all behind, --jobs {}, no injected latency; the cascade in a \
             child process, the gitea-fake binary in another; {} rounds of small then large, \
             median wall, highest peak RSS",
            settings.jobs, settings.rounds
        ),
        figures,
        notes,
    }
}
