//! Part 1: what the retry middleware costs on the happy path, beside plain reqwest and
//! reqwest-retry, against a loopback server that answers 200 at once.

use std::time::Instant;

use futures_util::{StreamExt, stream};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use reqwest_retry::RetryTransientMiddleware;
use retry_policies::policies::ExponentialBackoff;
use retry_policy::{Policy, RetryMiddleware};

use crate::{
    alloc,
    loopback::Loopback,
    report::{Figure, Section},
    stats::{Target, difference, median, ratio},
};

/// How much load each round sends.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) requests: usize,
    pub(crate) in_flight: usize,
    pub(crate) rounds: usize,
    pub(crate) quick: bool,
    /// Run only this stack (0 plain, 1 ours, 2 reqwest-retry, 3 bare), for a profiler.
    pub(crate) only_stack: Option<usize>,
}

/// The three stacks, in the order each round runs them.
#[derive(Debug)]
enum Stack {
    Plain(reqwest::Client),
    Ours(ClientWithMiddleware),
    ReqwestRetry(ClientWithMiddleware),
    /// reqwest-middleware with no middleware: the floor every middleware starts from.
    Bare(ClientWithMiddleware),
}

impl Stack {
    const NAMES: [&'static str; 4] = [
        "plain reqwest",
        "reqwest-middleware + RetryMiddleware (ours)",
        "reqwest-middleware + RetryTransientMiddleware",
        "reqwest-middleware, no middleware",
    ];

    fn all() -> anyhow::Result<[Stack; 4]> {
        // Each stack gets its own connection pool, warmed before the first measured round.
        let reqwest = || reqwest::Client::builder().no_proxy().build();
        Ok([
            Stack::Plain(reqwest()?),
            Stack::Ours(
                ClientBuilder::new(reqwest()?)
                    .with(RetryMiddleware::new(Policy::default()))
                    .build(),
            ),
            Stack::ReqwestRetry(
                ClientBuilder::new(reqwest()?)
                    .with(RetryTransientMiddleware::new_with_policy(
                        ExponentialBackoff::builder().build_with_max_retries(3),
                    ))
                    .build(),
            ),
            Stack::Bare(ClientBuilder::new(reqwest()?).build()),
        ])
    }

    /// One GET; `true` when it answered 200 and its body was read to the end.
    async fn get(&self, url: &str) -> bool {
        let response = match self {
            Stack::Plain(client) => client.get(url).send().await.ok(),
            Stack::Ours(client) | Stack::ReqwestRetry(client) | Stack::Bare(client) => {
                client.get(url).send().await.ok()
            }
        };
        match response {
            Some(response) if response.status() == reqwest::StatusCode::OK => {
                response.bytes().await.is_ok()
            }
            _ => false,
        }
    }
}

/// One round of one stack.
#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    requests_per_second: f64,
    allocations_per_request: f64,
    failures: usize,
}

/// What one slice of a round measured.
#[derive(Clone, Copy, Debug, Default)]
struct Slice {
    seconds: f64,
    allocations: u64,
    failures: usize,
}

impl std::ops::AddAssign for Slice {
    fn add_assign(&mut self, other: Slice) {
        self.seconds += other.seconds;
        self.allocations += other.allocations;
        self.failures += other.failures;
    }
}

async fn slice(stack: &Stack, url: &str, requests: usize, in_flight: usize) -> Slice {
    let allocations = alloc::allocations();
    let started = Instant::now();
    let succeeded = stream::iter(0..requests)
        .map(|_| stack.get(url))
        .buffer_unordered(in_flight)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await;
    Slice {
        seconds: started.elapsed().as_secs_f64(),
        allocations: alloc::allocations().saturating_sub(allocations),
        failures: requests - succeeded,
    }
}

pub(crate) fn run(settings: Settings) -> anyhow::Result<Section> {
    let server = Loopback::start()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let url = server.url.as_str();
    let samples = runtime.block_on(async {
        let stacks = Stack::all()?;
        let wanted = |i: usize| settings.only_stack.is_none_or(|only| only == i);
        let per_slice = (settings.requests / SLICES).max(settings.in_flight);
        for (_, stack) in stacks.iter().enumerate().filter(|(i, _)| wanted(*i)) {
            slice(stack, url, per_slice, settings.in_flight).await;
        }
        let mut samples: [Vec<Sample>; 4] = Default::default();
        for r in 0..settings.rounds {
            // A round is SLICES turns of every stack, each turn starting one stack later
            // (A B C D, B C D A, ...): a burst of load from elsewhere hits every stack alike.
            let mut totals = [Slice::default(); 4];
            for turn in 0..SLICES {
                for i in (0..stacks.len()).map(|k| (k + r + turn) % stacks.len()) {
                    if wanted(i) {
                        totals[i] += slice(&stacks[i], url, per_slice, settings.in_flight).await;
                    }
                }
            }
            let requests = (per_slice * SLICES) as f64;
            for (i, total) in totals.iter().enumerate().filter(|(i, _)| wanted(*i)) {
                samples[i].push(Sample {
                    requests_per_second: requests / total.seconds,
                    allocations_per_request: total.allocations as f64 / requests,
                    failures: total.failures,
                });
            }
        }
        anyhow::Ok(samples)
    })?;
    drop(server);
    Ok(section(settings, &samples))
}

/// Turns per round: each stack's requests of a round are sent in this many slices.
const SLICES: usize = 10;

fn section(settings: Settings, samples: &[Vec<Sample>; 4]) -> Section {
    let rps = |i: usize| {
        median(
            &samples[i]
                .iter()
                .map(|s| s.requests_per_second)
                .collect::<Vec<_>>(),
        )
    };
    let allocs = |i: usize| {
        median(
            &samples[i]
                .iter()
                .map(|s| s.allocations_per_request)
                .collect::<Vec<_>>(),
        )
    };
    let (plain, ours, peer) = (rps(0), rps(1), rps(2));
    let mut figures: Vec<Figure> = Stack::NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| Figure::info(*name, rps(i), "req/s"))
        .collect();
    figures.push(Figure::new(
        "ours / plain",
        ratio(ours, plain),
        "x",
        Some(Target::AtLeast(0.96)),
    ));
    figures.push(Figure::new(
        "ours / reqwest-retry",
        ratio(ours, peer),
        "x",
        Some(Target::AtLeast(1.0)),
    ));
    figures.push(Figure::info(
        "allocations per request, plain",
        allocs(0),
        "allocs",
    ));
    figures.push(Figure::info(
        "  added by RetryMiddleware (ours)",
        difference(allocs(1), allocs(0)),
        "allocs",
    ));
    figures.push(Figure::info(
        "  added by RetryTransientMiddleware",
        difference(allocs(2), allocs(0)),
        "allocs",
    ));
    figures.push(Figure::new(
        "  ours minus RetryTransientMiddleware",
        difference(allocs(1), allocs(2)),
        "allocs",
        // Counted process-wide, so a stray allocation elsewhere can move a median by a hair.
        Some(Target::AtMost(0.05)),
    ));
    figures.push(Figure::info(
        "  added by reqwest-middleware alone",
        difference(allocs(3), allocs(0)),
        "allocs",
    ));
    figures.push(Figure::info(
        "reqwest-middleware alone / plain",
        ratio(rps(3), plain),
        "x",
    ));
    let failures: usize = samples.iter().flatten().map(|s| s.failures).sum();
    let mut notes = vec![
        "allocations are counted process-wide (client and server); the server's share is the \
         same for every stack, so the differences are the middleware's"
            .to_owned(),
    ];
    if failures > 0 {
        notes.push(format!(
            "{failures} request(s) failed: the figures are suspect"
        ));
    }
    if settings.quick {
        notes.push(
            "quick mode: rounds of a few milliseconds, so the ratios are only a smoke test; \
             the allocation counts are exact"
                .to_owned(),
        );
    }
    Section {
        id: "retry_overhead",
        title: "1. Retry middleware overhead on the happy path".to_owned(),
        method: format!(
            "{} GETs, {} in flight, loopback 200 server on its own thread; {} rounds, each of 10 turns A B C D in rotating order; medians",
            settings.requests, settings.in_flight, settings.rounds
        ),
        figures,
        notes,
    }
}
