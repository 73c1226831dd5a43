//! `cargo xtask bench`: every figure of issue 8 as a ratio measured side by side in one run,
//! interleaved round by round, with medians. See docs/benchmarks.md.
//!
//! 1. Retry middleware overhead beside plain reqwest and reqwest-retry.
//! 2. The cascade against its physical limit, and against the seed's design.
//! 3. Scale: 10,000 and 100,000 consumers, wall time and peak RSS.
//! 4. The fake's throughput.

mod alloc;
mod baseline;
mod cascade_limit;
mod fake_process;
mod fake_throughput;
mod fleet;
mod floor;
mod loopback;
mod report;
mod retry_overhead;
mod scale;
mod stats;

use std::{path::PathBuf, process::ExitCode, time::Duration};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use report::{Document, Machine};

/// Benchmarks: retry overhead, cascade against its physical limit, scale, fake throughput.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Args {
    /// A smoke run of a few seconds, scaled down (and saying so).
    #[arg(long)]
    quick: bool,
    /// Print one JSON document on stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Rounds per part (default 5 for parts 1 and 3, 3 for parts 2 and 4; with --quick 3 for
    /// part 1 and 1 for the others).
    #[arg(long)]
    rounds: Option<usize>,
    /// Run only these parts (default: all).
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Part>,
    /// Part 1 with one stack only, for a profiler (callgrind).
    #[arg(long, value_enum, hide = true)]
    stack: Option<Stack>,
    /// Part 2 without the seed design's baseline, for profiling the cascade alone.
    #[arg(long, hide = true)]
    skip_baseline: bool,
    /// The gitea-fake binary (default: next to this one).
    #[arg(long, value_name = "PATH")]
    fake_bin: Option<PathBuf>,
    #[command(subcommand)]
    child: Option<Child>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Part {
    Retry,
    Cascade,
    Scale,
    Fake,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Stack {
    Plain,
    Ours,
    ReqwestRetry,
    Bare,
    Floor,
}

#[derive(Debug, Subcommand)]
enum Child {
    /// Internal: run the cascade once against a running fake and print a JSON report.
    #[command(hide = true)]
    ScaleChild {
        #[arg(long)]
        url: String,
        #[arg(long)]
        consumers: usize,
        #[arg(long)]
        jobs: usize,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.child {
        Some(Child::ScaleChild {
            url,
            consumers,
            jobs,
        }) => scale::child(url, *consumers, *jobs).map(|()| ExitCode::SUCCESS),
        None => run(&args),
    };
    result.unwrap_or_else(|err| {
        eprintln!("bench: error: {err:#}");
        ExitCode::from(2)
    })
}

fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let wants = |part| args.only.is_empty() || args.only.contains(&part);
    let rounds = |full| args.rounds.unwrap_or(if args.quick { 1 } else { full });
    let progress = |what: &str| eprintln!("bench: {what}");
    let machine = Machine::read();
    let mut sections = Vec::new();
    if wants(Part::Retry) {
        progress("part 1: retry middleware overhead");
        sections.push(retry_overhead::run(retry_overhead::Settings {
            requests: if args.quick { 2_000 } else { 20_000 },
            in_flight: 16,
            rounds: args.rounds.unwrap_or(if args.quick { 3 } else { 5 }),
            only_stack: args.stack.map(|stack| stack as usize),
            quick: args.quick,
        })?);
    }
    if wants(Part::Cascade) {
        sections.push(cascade_limit::run(
            cascade_limit::Settings {
                consumers: if args.quick { 8 } else { 400 },
                jobs: if args.quick { 4 } else { 32 },
                latency: Duration::from_millis(20),
                rounds: rounds(3),
                full_size: !args.quick,
                skip_baseline: args.skip_baseline,
            },
            &progress,
        )?);
    }
    if wants(Part::Scale) || wants(Part::Fake) {
        let fake_bin = fake_bin(args)?;
        if wants(Part::Scale) {
            sections.push(scale::run(
                &fake_bin,
                scale::Settings {
                    small: if args.quick { 100 } else { 10_000 },
                    large: if args.quick { 1_000 } else { 100_000 },
                    jobs: 32,
                    rounds: rounds(5),
                    full_size: !args.quick,
                },
                &progress,
            )?);
        }
        if wants(Part::Fake) {
            progress("part 4: fake throughput");
            sections.push(fake_throughput::run(
                &fake_bin,
                fake_throughput::Settings {
                    requests: if args.quick { 2_000 } else { 20_000 },
                    in_flight: 64,
                    rounds: rounds(3),
                },
            )?);
        }
    }
    sections.sort_by_key(|s| s.title.clone());
    let document = Document {
        mode: if args.quick { "quick" } else { "full" },
        machine,
        sections,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&document)?);
    } else {
        print!("{}", document.table());
    }
    Ok(ExitCode::SUCCESS)
}

/// `--fake-bin`, or `gitea-fake` next to this binary (both are built into target/release).
fn fake_bin(args: &Args) -> anyhow::Result<PathBuf> {
    if let Some(path) = &args.fake_bin {
        return Ok(path.clone());
    }
    let exe = std::env::current_exe().context("cannot find this binary")?;
    let dir = exe.parent().context("this binary has no directory")?;
    Ok(dir.join(format!("gitea-fake{}", std::env::consts::EXE_SUFFIX)))
}
