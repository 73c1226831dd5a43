//! Part 2: the cascade against its physical limit, and against the seed's design, on a fake
//! that answers every request after a fixed latency.

use std::time::{Duration, Instant};

use anyhow::bail;
use cascade::{report::Outcome, run};
use gitea_api::{Client, Token};
use gitea_fake::FakeGitea;

use crate::{
    baseline, fleet,
    report::{Figure, Section},
    stats::{Target, median, ratio},
};

#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) consumers: usize,
    pub(crate) jobs: usize,
    pub(crate) latency: Duration,
    pub(crate) rounds: usize,
    /// The speed-up target applies at the size only.
    pub(crate) full_size: bool,
    /// Leave the seed design out (for profiling the cascade alone).
    pub(crate) skip_baseline: bool,
}

/// One timed run: wall seconds and the API calls it made.
#[derive(Clone, Copy, Debug)]
struct Sample {
    wall: f64,
    calls: u64,
    /// The median round trip of a bare `GET /version` on the same fake, measured just before.
    round_trip: Option<f64>,
}

/// What one call costs at least on this fake: the median of sequential bare GETs. tokio's
/// timer wakes on whole milliseconds, so an injected 20 ms is a little more in practice.
async fn probe_round_trip(base_url: &str) -> anyhow::Result<Option<f64>> {
    let client = reqwest::Client::builder().no_proxy().build()?;
    let url = format!("{base_url}/api/v1/version");
    let mut samples = Vec::new();
    for i in 0..21 {
        let started = Instant::now();
        client
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        if i > 0 {
            samples.push(started.elapsed().as_secs_f64());
        }
    }
    Ok(median(&samples))
}

/// A fresh fake with the latency and the fleet, and a client that has already checked the
/// server (so the cached `GET /version` is outside the timed part).
async fn fresh(settings: Settings) -> anyhow::Result<(FakeGitea, Client, cascade::config::Config)> {
    let fake = FakeGitea::builder()
        .latency(settings.latency)
        .start()
        .await?;
    let _ = xtask::demo::seed(&fake, &fleet::spec(settings.consumers));
    let config = fleet::config(fake.base_url(), settings.consumers)?;
    let client = run::connect(&config, Token::new(fleet::TOKEN.to_owned()))?;
    run::preflight(&client, &config).await?;
    Ok((fake, client, config))
}

async fn cascade_round(settings: Settings) -> anyhow::Result<Sample> {
    let (fake, client, config) = fresh(settings).await?;
    let round_trip = probe_round_trip(fake.base_url()).await?;
    let options = fleet::options(settings.jobs)?;
    let before = client.api_calls();
    let started = Instant::now();
    let report = run::propagate_with(&client, &config, &options, &mut |_| {}).await?;
    let wall = started.elapsed().as_secs_f64();
    let created = report.summary.get(&Outcome::Created).copied().unwrap_or(0);
    if created != settings.consumers {
        bail!(
            "the cascade created {created} of {} PRs: {:?}",
            settings.consumers,
            report.summary
        );
    }
    Ok(Sample {
        wall,
        calls: report.api_calls - before,
        round_trip,
    })
}

async fn baseline_round(settings: Settings) -> anyhow::Result<Sample> {
    let (_fake, client, _config) = fresh(settings).await?;
    let before = client.api_calls();
    let started = Instant::now();
    baseline::run(&client, settings.consumers).await?;
    let wall = started.elapsed().as_secs_f64();
    Ok(Sample {
        wall,
        calls: client.api_calls() - before,
        round_trip: None,
    })
}

pub(crate) fn run(settings: Settings, progress: &dyn Fn(&str)) -> anyhow::Result<Section> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut cascade = Vec::new();
    let mut seed_design = Vec::new();
    for round in 1..=settings.rounds {
        progress(&format!("part 2, round {round}: cascade"));
        cascade.push(runtime.block_on(cascade_round(settings))?);
        progress(&format!(
            "part 2, round {round}: baseline (one consumer at a time)"
        ));
        if !settings.skip_baseline {
            seed_design.push(runtime.block_on(baseline_round(settings))?);
        }
    }
    Ok(section(settings, &cascade, &seed_design))
}

fn section(settings: Settings, cascade: &[Sample], seed_design: &[Sample]) -> Section {
    let n = settings.consumers as f64;
    let walls = |s: &[Sample]| median(&s.iter().map(|s| s.wall).collect::<Vec<_>>());
    let per_consumer =
        |s: &[Sample]| median(&s.iter().map(|s| s.calls as f64 / n).collect::<Vec<_>>());
    let (wall, calls) = (walls(cascade), per_consumer(cascade));
    let batches = settings.consumers.div_ceil(settings.jobs.max(1)) as f64;
    let latency = settings.latency.as_secs_f64();
    let limit = calls.map(|c| c * latency * batches);
    let round_trip = median(
        &cascade
            .iter()
            .filter_map(|s| s.round_trip)
            .collect::<Vec<_>>(),
    );
    let measured_limit = calls.zip(round_trip).map(|(c, rt)| c * rt * batches);
    let baseline_wall = walls(seed_design);
    let speed_up_target = settings.full_size.then_some(Target::AtLeast(20.0));
    let figures = vec![
        Figure::info(
            "calls per consumer (report's api_calls / N)",
            calls,
            "calls",
        ),
        Figure::info("physical limit", limit, "s"),
        Figure::info("cascade wall time", wall, "s"),
        Figure::new(
            "cascade wall / limit",
            ratio(wall, limit),
            "x",
            Some(Target::AtMost(1.15)),
        ),
        Figure::info(
            "round trip of a bare GET on this fake",
            round_trip.map(|rt| rt * 1000.0),
            "ms",
        ),
        Figure::info(
            "cascade wall / limit at that round trip",
            ratio(wall, measured_limit),
            "x",
        ),
        Figure::info(
            "seed design: calls per consumer",
            per_consumer(seed_design),
            "calls",
        ),
        Figure::info("seed design wall time", baseline_wall, "s"),
        Figure::new(
            "speed-up over the seed design",
            ratio(baseline_wall, wall),
            "x",
            speed_up_target,
        ),
    ];
    let mut notes =
        vec![format!(
        "limit = calls per consumer × {:.0} ms × ceil({} / {}); every call of a consumer depends \
         on the one before, so all its calls are on the critical path",
        latency * 1000.0,
        settings.consumers,
        settings.jobs
    ), "the round trip is the median of 20 sequential GET /version on the same fake before each \
        cascade run; the limit at that round trip separates the cascade's own overhead from the \
        fake's (tokio's timer wakes on whole milliseconds, after the deadline)"
        .to_owned()];
    if !settings.full_size {
        notes.push(
            "quick mode: scaled down from 400 consumers; the 20× speed-up target applies at 400 only"
                .to_owned(),
        );
    }
    Section {
        id: "cascade_limit",
        title: "2. Cascade against its physical limit".to_owned(),
        method: format!(
            "{} consumers all behind, --jobs {}, fake latency {} ms on every response, a fresh fake \
             per run; {} rounds of cascade then seed design, medians",
            settings.consumers,
            settings.jobs,
            settings.latency.as_millis(),
            settings.rounds
        ),
        figures,
        notes,
    }
}
