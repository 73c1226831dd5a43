//! `cargo xtask demo`: the shell around `xtask::demo`.

use std::{net::SocketAddr, process::ExitCode};

use xtask::demo;

use crate::cascade_cmd::{ProgressOutput, init_tracing, runtime};

pub(crate) fn run(serve: bool, listen: Option<SocketAddr>) -> anyhow::Result<ExitCode> {
    init_tracing(0);
    let runtime = runtime()?;
    runtime.block_on(async {
        let default_listen = if serve { "127.0.0.1:3000" } else { "127.0.0.1:0" };
        let listen = match listen {
            Some(addr) => addr,
            None => default_listen.parse()?,
        };
        let fleet = demo::start(listen).await?;
        if serve {
            return serve_forever(&fleet).await;
        }
        println!(
            "gitea-fake (Gitea 1.26 API) at {} with {} consumers of {}; the first {} PR POSTs get a 503",
            fleet.fake.base_url(),
            fleet.seeded.len(),
            fleet.spec.package,
            demo::INJECTED_503S
        );
        println!(
            "propagating {} -> {}\n",
            fleet.spec.old_version, fleet.spec.new_version
        );
        let mut progress = ProgressOutput::new();
        let result = demo::run(&fleet, &mut |event| progress.show(event)).await;
        progress.finish();
        let result = result?;
        print!("{}", result.report.table());
        println!("\nDrift after the cascade:\n");
        print!("{}", result.drift.table());
        println!();
        if result.mismatches.is_empty() {
            println!(
                "self-check: all {} consumers reached the outcome their seeded state calls for",
                fleet.seeded.len()
            );
            return Ok(ExitCode::SUCCESS);
        }
        for (repo, expected, actual) in &result.mismatches {
            let actual = actual.map_or("no row".to_owned(), |o| o.to_string());
            eprintln!("self-check: {repo} expected {expected}, got {actual}");
        }
        Ok(ExitCode::FAILURE)
    })
}

async fn serve_forever(fleet: &demo::DemoFleet) -> anyhow::Result<ExitCode> {
    let config_path = std::env::temp_dir().join("runtime-cascade-demo.toml");
    std::fs::write(&config_path, demo::config_toml(fleet))?;
    let config = config_path.display();
    println!(
        "gitea-fake is serving the demo fleet at {}",
        fleet.fake.base_url()
    );
    for consumer in &fleet.seeded {
        println!("  {:<32} {:?}", consumer.full_name, consumer.state);
    }
    println!("\nFrom another terminal, as against a real Gitea:\n");
    println!("  export GITEA_TOKEN={}", demo::DEMO_TOKEN);
    println!("  cargo xtask propagate --config {config} --dry-run");
    println!("  cargo xtask propagate --config {config}");
    println!("  cargo xtask drift --config {config}");
    println!("\nCtrl-C stops the server.");
    tokio::signal::ctrl_c().await?;
    Ok(ExitCode::SUCCESS)
}
