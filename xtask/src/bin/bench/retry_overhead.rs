//! Part 1: what the retry middleware costs on the happy path, beside plain reqwest, reqwest-retry
//! and the floor of any retrying middleware, against a loopback server that answers 200 at once.

use std::time::Instant;

use futures_util::{StreamExt, stream};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use reqwest_retry::RetryTransientMiddleware;
use retry_policies::policies::ExponentialBackoff;
use retry_policy::{Policy, RetryMiddleware};

use crate::{
    alloc,
    floor::KeepCopy,
    loopback::Loopback,
    report::{Figure, Section},
    stats::{Target, difference, median, quartiles, ratio},
};

/// How much load each round sends.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) requests: usize,
    pub(crate) in_flight: usize,
    pub(crate) rounds: usize,
    pub(crate) quick: bool,
    /// Run only this stack (0 plain, 1 ours, 2 reqwest-retry, 3 bare, 4 floor), for a profiler.
    pub(crate) only_stack: Option<usize>,
}

/// The stacks, in the order each round starts them.
#[derive(Debug)]
enum Stack {
    Plain(reqwest::Client),
    Ours(ClientWithMiddleware),
    ReqwestRetry(ClientWithMiddleware),
    /// reqwest-middleware with no middleware: where every middleware starts from.
    Bare(ClientWithMiddleware),
    /// reqwest-middleware with [`KeepCopy`]: the least any retrying middleware costs.
    Floor(ClientWithMiddleware),
}

/// How many stacks part 1 compares.
const STACKS: usize = 5;

impl Stack {
    const NAMES: [&'static str; STACKS] = [
        "plain reqwest",
        "reqwest-middleware + RetryMiddleware (ours)",
        "reqwest-middleware + RetryTransientMiddleware",
        "reqwest-middleware, no middleware",
        "reqwest-middleware + a kept copy only (floor)",
    ];

    fn all() -> anyhow::Result<[Stack; STACKS]> {
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
            Stack::Floor(ClientBuilder::new(reqwest()?).with(KeepCopy).build()),
        ])
    }

    /// One GET; `true` when it answered 200 and its body was read to the end.
    async fn get(&self, url: &str) -> bool {
        let response = match self {
            Stack::Plain(client) => client.get(url).send().await.ok(),
            Stack::Ours(client)
            | Stack::ReqwestRetry(client)
            | Stack::Bare(client)
            | Stack::Floor(client) => client.get(url).send().await.ok(),
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
    let measured = runtime.block_on(async {
        let stacks = Stack::all()?;
        let wanted = |i: usize| settings.only_stack.is_none_or(|only| only == i);
        let per_slice = (settings.requests / SLICES).max(settings.in_flight);
        for (_, stack) in stacks.iter().enumerate().filter(|(i, _)| wanted(*i)) {
            slice(stack, url, per_slice, settings.in_flight).await;
        }
        let mut measured = Measured::default();
        for r in 0..settings.rounds {
            // A round is SLICES turns of every stack, each turn starting one stack later
            // (A B C D E, B C D E A, ...): a burst of load from elsewhere hits every stack alike.
            let mut totals = [Slice::default(); STACKS];
            for turn in 0..SLICES {
                for i in (0..stacks.len()).map(|k| (k + r + turn) % stacks.len()) {
                    if wanted(i) {
                        let one = slice(&stacks[i], url, per_slice, settings.in_flight).await;
                        measured.turn_seconds[i].push(one.seconds);
                        totals[i] += one;
                    }
                }
            }
            let requests = (per_slice * SLICES) as f64;
            for (i, total) in totals.iter().enumerate().filter(|(i, _)| wanted(*i)) {
                measured.rounds[i].push(Sample {
                    requests_per_second: requests / total.seconds,
                    allocations_per_request: total.allocations as f64 / requests,
                    failures: total.failures,
                });
            }
        }
        anyhow::Ok(measured)
    })?;
    drop(server);
    Ok(section(settings, &measured))
}

/// Everything part 1 measured, per stack.
#[derive(Debug, Default)]
struct Measured {
    /// One sample per round.
    rounds: [Vec<Sample>; STACKS],
    /// How long each turn took, in the same order for every stack: turn k of two stacks ran
    /// within a few milliseconds of each other.
    turn_seconds: [Vec<f64>; STACKS],
}

impl Measured {
    /// Stack `a`'s throughput relative to stack `b`'s, turn by turn (both sent the same number
    /// of requests in each turn), so that a slow spell of the machine cancels out of each pair.
    fn paired_ratios(&self, a: usize, b: usize) -> Vec<f64> {
        self.turn_seconds[b]
            .iter()
            .zip(&self.turn_seconds[a])
            .filter_map(|(b, a)| ratio(Some(*b), Some(*a)))
            .collect()
    }

    /// The median of [`paired_ratios`](Self::paired_ratios).
    fn paired(&self, a: usize, b: usize) -> Option<f64> {
        median(&self.paired_ratios(a, b))
    }
}

/// Turns per round: each stack's requests of a round are sent in this many slices.
const SLICES: usize = 10;

fn section(settings: Settings, measured: &Measured) -> Section {
    let samples = &measured.rounds;
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
    let (plain, ours, peer, bare, floor) = (0, 1, 2, 3, 4);
    let mut figures: Vec<Figure> = Stack::NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| Figure::info(*name, rps(i), "req/s"))
        .collect();
    figures.push(Figure::new(
        "ours / plain",
        measured.paired(ours, plain),
        "x",
        Some(Target::AtLeast(0.96)),
    ));
    figures.push(Figure::new(
        "ours / reqwest-retry",
        measured.paired(ours, peer),
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
        difference(allocs(ours), allocs(plain)),
        "allocs",
    ));
    figures.push(Figure::info(
        "  added by RetryTransientMiddleware",
        difference(allocs(peer), allocs(plain)),
        "allocs",
    ));
    figures.push(Figure::new(
        "  ours minus RetryTransientMiddleware",
        difference(allocs(ours), allocs(peer)),
        "allocs",
        // Counted process-wide, so a stray allocation elsewhere can move a median by a hair.
        Some(Target::AtMost(0.05)),
    ));
    figures.push(Figure::info(
        "  added by reqwest-middleware alone",
        difference(allocs(bare), allocs(plain)),
        "allocs",
    ));
    figures.push(Figure::info(
        "  added by the floor",
        difference(allocs(floor), allocs(plain)),
        "allocs",
    ));
    figures.push(Figure::info(
        "reqwest-middleware alone / plain",
        measured.paired(bare, plain),
        "x",
    ));
    figures.push(Figure::info(
        "floor / plain",
        measured.paired(floor, plain),
        "x",
    ));
    figures.push(Figure::info(
        "ours / floor",
        measured.paired(ours, floor),
        "x",
    ));
    let failures: usize = samples.iter().flatten().map(|s| s.failures).sum();
    let mut notes = vec![
        "allocations are counted process-wide (client and server); the server's share is the \
         same for every stack, so the differences are the middleware's"
            .to_owned(),
        "the floor keeps a copy of each request in a boxed future and does nothing else: the \
         least any retrying middleware on reqwest-middleware costs"
            .to_owned(),
    ];
    let spread = measured.paired_ratios(ours, plain);
    if let Some((low, high)) = quartiles(&spread) {
        notes.push(format!(
            "ours / plain over {} turns: quartiles {low:.3} to {high:.3}",
            spread.len()
        ));
    }
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
            "{} GETs, {} in flight, loopback 200 server on its own thread; {} rounds, each of 10 turns A B C D E in rotating order; rates are medians of rounds, ratios medians of the turns' side-by-side pairs",
            settings.requests, settings.in_flight, settings.rounds
        ),
        figures,
        notes,
    }
}
