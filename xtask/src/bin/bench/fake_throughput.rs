//! Part 4: the fake is never the bottleneck. Simple GETs against the gitea-fake binary.

use std::{path::Path, time::Instant};

use futures_util::{StreamExt, stream};

use crate::{
    fake_process::FakeProcess,
    fleet,
    report::{Figure, Section},
    stats::{Target, median},
};

#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) requests: usize,
    pub(crate) in_flight: usize,
    pub(crate) rounds: usize,
}

pub(crate) fn run(fake_bin: &Path, settings: Settings) -> anyhow::Result<Section> {
    let fake = FakeProcess::start(fake_bin, 1)?;
    let url = format!(
        "{}/api/v1/repos/{}/{}",
        fake.base_url,
        fleet::ORG,
        fleet::consumer_name(0)
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (samples, failures) = runtime.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build()?;
        let auth = format!("token {}", fleet::TOKEN);
        let get = |client: &reqwest::Client| {
            let request = client.get(&url).header("authorization", &auth);
            async move {
                match request.send().await {
                    Ok(r) if r.status() == reqwest::StatusCode::OK => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        };
        let round = |requests: usize| {
            let client = &client;
            let get = &get;
            async move {
                let started = Instant::now();
                let ok = stream::iter(0..requests)
                    .map(|_| get(client))
                    .buffer_unordered(settings.in_flight)
                    .filter(|ok| std::future::ready(*ok))
                    .count()
                    .await;
                (
                    requests as f64 / started.elapsed().as_secs_f64(),
                    requests - ok,
                )
            }
        };
        round(settings.requests / 10).await;
        let mut samples = Vec::new();
        let mut failures = 0;
        for _ in 0..settings.rounds {
            let (rps, failed) = round(settings.requests).await;
            samples.push(rps);
            failures += failed;
        }
        anyhow::Ok((samples, failures))
    })?;
    drop(fake);
    let mut notes =
        vec!["the client shares the two cores with the fake, so this is a lower bound".to_owned()];
    if failures > 0 {
        notes.push(format!(
            "{failures} request(s) failed: the figure is suspect"
        ));
    }
    Ok(Section {
        id: "fake_throughput",
        title: "4. The fake is never the bottleneck".to_owned(),
        method: format!(
            "GET /api/v1/repos/{{owner}}/{{repo}} with a token against the gitea-fake binary, {} GETs, \
             {} in flight; {} rounds, median",
            settings.requests, settings.in_flight, settings.rounds
        ),
        figures: vec![Figure::new(
            "gitea-fake simple GETs",
            median(&samples),
            "req/s",
            Some(Target::AtLeast(5000.0)),
        )],
        notes,
    })
}
