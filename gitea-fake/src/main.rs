//! `gitea-fake`: serve an in-memory Gitea on a port, optionally seeded with a fleet.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use gitea_fake::{FakeGitea, Scope, TokenScopes, fleet};

/// An in-memory Gitea 1.26 with fault injection.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Seed a fleet of repositories.
    #[arg(long, value_enum)]
    fleet: Option<Fleet>,
    /// Seed N consumers, all behind (platform/consumer-00000 …, platform-runtime 1.4.2 → 1.5.0),
    /// writable with the `--token` tokens; for `cargo xtask bench`.
    #[arg(long, value_name = "N")]
    consumers: Option<usize>,
    /// A token of user `bot`, as TOKEN (scope `all`) or TOKEN:SCOPES with Gitea's scope
    /// names, e.g. `T:write:repository,read:organization`; may be repeated.
    #[arg(long, value_name = "TOKEN[:SCOPES]", value_parser = parse_token)]
    token: Vec<(String, TokenScopes)>,
    /// A read-only token (user `reader`, read in every category); may be repeated.
    #[arg(long)]
    read_token: Vec<String>,
    /// The Gitea version to present, e.g. 1.21.0.
    #[arg(long, default_value = gitea_fake::DEFAULT_VERSION)]
    gitea_version: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Fleet {
    /// The demo fleet: org `platform`, 1.4.2 → 1.5.0, every consumer state.
    Demo,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let fake = match FakeGitea::builder()
        .listen(args.listen)
        .version(&args.gitea_version)
        .max_logged_requests(10_000)
        .start()
        .await
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!("gitea-fake: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    for (t, scopes) in &args.token {
        fake.store().add_token(t, fleet::BOT, *scopes);
    }
    for t in &args.read_token {
        fake.store().add_token(t, "reader", Scope::Read);
    }
    println!(
        "gitea-fake {} listening on {}",
        args.gitea_version,
        fake.base_url()
    );
    println!("API: {}/api/v1", fake.base_url());
    if let Some(Fleet::Demo) = args.fleet {
        let spec = fleet::demo_fleet_spec();
        let seeded = fleet::seed_fleet(fake.store(), &spec);
        println!(
            "seeded fleet: package {} {} -> {}",
            spec.package, spec.old_version, spec.new_version
        );
        println!(
            "  {}/{} (the runtime itself)",
            spec.org,
            fleet::RUNTIME_REPO
        );
        for c in seeded {
            println!("  {} ({:?})", c.full_name, c.state);
        }
    }
    if !args.token.is_empty() {
        println!(
            "{} write token(s) registered for user {}",
            args.token.len(),
            fleet::BOT
        );
    }
    if let Some(n) = args.consumers {
        seed_behind(&fake, n);
    }
    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("gitea-fake: cannot wait for Ctrl-C; exiting");
        return ExitCode::FAILURE;
    }
    println!("gitea-fake: shutting down");
    ExitCode::SUCCESS
}

/// `TOKEN` (scope `all`) or `TOKEN:SCOPES`; the token itself cannot contain `:`.
fn parse_token(text: &str) -> Result<(String, TokenScopes), String> {
    let (token, scopes) = match text.split_once(':') {
        Some((token, scopes)) => (token, scopes.parse().map_err(|e| format!("{e}"))?),
        None => (text, TokenScopes::all()),
    };
    if token.is_empty() {
        return Err("the token before `:` is empty".to_owned());
    }
    Ok((token.to_owned(), scopes))
}

/// `--consumers N`: the benchmark fleet. The last line printed tells that seeding is done.
fn seed_behind(fake: &FakeGitea, n: usize) {
    let spec = fleet::FleetSpec {
        org: "platform".to_owned(),
        package: "platform-runtime".to_owned(),
        old_version: "1.4.2".to_owned(),
        new_version: "1.5.0".to_owned(),
        consumers: (0..n)
            .map(|i| (format!("consumer-{i:05}"), fleet::ConsumerState::Behind))
            .collect(),
    };
    fleet::seed_fleet(fake.store(), &spec);
    fake.store().add_org_member(&spec.org, fleet::BOT);
    println!(
        "seeded {n} behind consumers: {}/consumer-00000 … ({} {} -> {})",
        spec.org, spec.package, spec.old_version, spec.new_version
    );
}
