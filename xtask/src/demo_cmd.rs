//! `cargo xtask demo`: the shell around `xtask::demo`.

use std::{net::SocketAddr, process::ExitCode};

use xtask::demo;

use crate::{
    cascade_cmd::{init_tracing, runtime},
    progress::ProgressOutput,
};

pub(crate) fn run(serve: bool, listen: Option<SocketAddr>) -> anyhow::Result<ExitCode> {
    init_tracing(0);
    let runtime = runtime()?;
    runtime.block_on(async {
        let default_listen = if serve { "127.0.0.1:3000" } else { "127.0.0.1:0" };
        let listen = match listen {
            Some(addr) => addr,
            None => default_listen.parse()?,
        };
        let fleet = match demo::start(listen).await {
            Ok(fleet) => fleet,
            Err(err) => {
                let hint = if err.kind() == std::io::ErrorKind::AddrInUse {
                    "; another process listens there: stop it, or pass --listen 127.0.0.1:0 for any free port"
                } else {
                    ""
                };
                eprintln!("error: cannot listen on {listen}: {err}{hint}");
                return Ok(ExitCode::from(2));
            }
        };
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
    // Listen before saying "Ctrl-C stops the server", so a Ctrl-C right after it is heard.
    let stop = Stop::listen()?;
    let port = fleet.fake.local_addr().port();
    let written = write_config(&std::env::temp_dir(), port, &demo::config_toml(fleet))?;
    let config = written.path.display();
    println!(
        "gitea-fake is serving the demo fleet at {}",
        fleet.fake.base_url()
    );
    for consumer in &fleet.seeded {
        println!("  {:<32} {:?}", consumer.full_name, consumer.state);
    }
    for skipped in &written.left_alone {
        println!(
            "\n{} exists and is not this server's config; left as it is",
            skipped.display()
        );
    }
    println!("\nThe config is {config}. From another terminal, as against a real Gitea:\n");
    println!("  export GITEA_TOKEN={}", demo::DEMO_TOKEN);
    println!("  cargo xtask propagate --config {config} --dry-run");
    println!("  cargo xtask propagate --config {config}");
    println!("  cargo xtask drift --config {config}");
    println!("\nCtrl-C stops the server.");
    stop.wait().await;
    if written.created {
        let _ = std::fs::remove_file(&written.path);
    }
    Ok(ExitCode::SUCCESS)
}

/// SIGINT or SIGTERM (Ctrl-C elsewhere), listened for from creation on.
struct Stop {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Stop {
    fn listen() -> std::io::Result<Stop> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Stop {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Stop {})
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            let Stop {
                mut interrupt,
                mut terminate,
            } = self;
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The config file `--serve` points at, and what it found on the way.
struct WrittenConfig {
    path: std::path::PathBuf,
    /// This run created the file (and removes it when stopped).
    created: bool,
    /// Files with the names tried first that hold something else.
    left_alone: Vec<std::path::PathBuf>,
}

/// Writes `text` to `runtime-cascade-demo-<port>.toml` in `dir`, never over a file that holds
/// anything else: a file already holding exactly `text` is used as it is, any other is left
/// alone and the next name (`-2`, `-3`, …) is tried.
fn write_config(dir: &std::path::Path, port: u16, text: &str) -> std::io::Result<WrittenConfig> {
    use std::io::Write as _;
    let mut left_alone = Vec::new();
    for n in 1..=100u32 {
        let name = match n {
            1 => format!("runtime-cascade-demo-{port}.toml"),
            n => format!("runtime-cascade-demo-{port}-{n}.toml"),
        };
        let path = dir.join(name);
        match std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes())?;
                return Ok(WrittenConfig {
                    path,
                    created: true,
                    left_alone,
                });
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
                    return Ok(WrittenConfig {
                        path,
                        created: false,
                        left_alone,
                    });
                }
                left_alone.push(path);
            }
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::other(format!(
        "runtime-cascade-demo-{port}*.toml: 100 files of that name in {} hold other configs",
        dir.display()
    )))
}
