//! SIGINT and SIGTERM during `propagate`: the first stops the run starting consumers (those in
//! flight finish, then the report is printed and the exit code is 130); a second exits at once.

use std::time::Duration;

use cascade::run::Interrupt;

/// The exit code of an interrupted run, as a shell reports a process killed by SIGINT.
pub(crate) const INTERRUPTED: i32 = 130;

/// Listens for the signals on the current tokio runtime. The handlers are installed before this
/// returns, so a signal sent from then on never kills the process the default way.
///
/// # Errors
///
/// When the signal handlers cannot be installed.
pub(crate) fn listen(interrupt: Interrupt, grace: Duration) -> std::io::Result<()> {
    let mut signals = Signals::install()?;
    tokio::spawn(async move {
        let first = signals.next().await;
        eprintln!(
            "{first} received: starting no more consumers; those in flight finish within {}s, then the report; send it again to exit at once",
            grace.as_secs()
        );
        interrupt.interrupt(&format!("{first} received"));
        let second = signals.next().await;
        eprintln!("{second} received again: exiting at once; re-run to continue");
        std::process::exit(INTERRUPTED);
    });
    Ok(())
}

#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// The name of the next signal.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> std::io::Result<Signals> {
        Ok(Signals)
    }

    async fn next(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
