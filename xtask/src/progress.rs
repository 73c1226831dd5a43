//! Progress on stderr: a bar on a terminal, plain lines otherwise.
//!
//! The bar counts consumers only: its length starts at the repositories discovery listed and
//! shrinks by one for each that turns out to have no version file, so it ends full. While
//! discovery lists an org, a spinner shows the pages fetched. Without a terminal (CI logs), one
//! line per page batch of discovery and one line every [`Cadence`] consumers. Log lines go
//! through [`LogWriter`], which lifts the bar off the screen for each of them.

use std::io::{self, IsTerminal, Write};
use std::sync::{Mutex, PoisonError};

use cascade::run::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use tracing_subscriber::fmt::MakeWriter;

/// The bar or spinner on screen, if any: the one the log lines are written around. There is one
/// terminal, so there is one slot.
static ON_SCREEN: Mutex<Option<ProgressBar>> = Mutex::new(None);

fn put_on_screen(bar: Option<ProgressBar>) {
    *ON_SCREEN.lock().unwrap_or_else(PoisonError::into_inner) = bar;
}

/// Where the log lines go: stderr, with the progress bar hidden while each is written and drawn
/// again after it, so that a line never lands on the bar's own line.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LogWriter;

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> LogWriter {
        LogWriter
    }
}

impl Write for LogWriter {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let bar = ON_SCREEN
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match bar {
            Some(bar) => bar.suspend(|| io::stderr().write_all(line))?,
            None => io::stderr().write_all(line)?,
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// Lines written without a terminal, at most about this many for the consumers.
const LINES: usize = 100;

/// Without a terminal, a discovery line every this many pages.
const PAGES_PER_LINE: u64 = 20;

/// How often, without a terminal, a line is written: every `every` consumers done, so that a
/// run writes at most about [`LINES`] of them whatever its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cadence {
    every: usize,
}

impl Cadence {
    /// The cadence for `consumers` consumers: every one up to 100, then every `consumers / 100`
    /// rounded up.
    pub(crate) fn for_consumers(consumers: usize) -> Cadence {
        Cadence {
            every: consumers.div_ceil(LINES).max(1),
        }
    }

    /// Whether the `done`-th consumer done (1 for the first) gets a line, out of `total`: every
    /// `every`-th, and the last.
    pub(crate) fn writes(self, done: usize, total: usize) -> bool {
        done.is_multiple_of(self.every) || done == total
    }
}

/// What the user sees of a run's progress.
pub(crate) struct ProgressOutput {
    terminal: bool,
    bar: Option<ProgressBar>,
    done: usize,
    total: usize,
    cadence: Cadence,
}

impl ProgressOutput {
    pub(crate) fn new() -> Self {
        ProgressOutput {
            terminal: std::io::stderr().is_terminal(),
            bar: None,
            done: 0,
            total: 0,
            cadence: Cadence::for_consumers(0),
        }
    }

    pub(crate) fn show(&mut self, event: Progress<'_>) {
        match event {
            Progress::Discovering {
                org,
                pages,
                repositories,
            } => self.discovering(org, pages, repositories),
            Progress::Started { consumers } => self.started(consumers),
            Progress::NotAConsumer => {
                self.total = self.total.saturating_sub(1);
                if let Some(bar) = &self.bar {
                    bar.set_length(self.total as u64);
                }
            }
            Progress::Attempt { repo, pass } if pass > 1 => {
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("pass {pass}: {repo}"));
                }
            }
            Progress::Finished(row) => {
                self.done += 1;
                match &self.bar {
                    Some(bar) => {
                        bar.inc(1);
                        bar.set_message(format!("{} {}", row.repo, row.outcome));
                    }
                    None if self.cadence.writes(self.done, self.total) => eprintln!(
                        "[{}/{}] {}: {}",
                        self.done, self.total, row.repo, row.outcome
                    ),
                    None => {}
                }
            }
            _ => {}
        }
    }

    fn discovering(&mut self, org: &str, pages: u64, repositories: usize) {
        let line = format!("discovering org {org}: {pages} page(s), {repositories} repositories");
        if self.terminal {
            let spinner = self.bar.get_or_insert_with(|| {
                let spinner = ProgressBar::new_spinner();
                if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                    spinner.set_style(style);
                }
                put_on_screen(Some(spinner.clone()));
                spinner
            });
            spinner.set_message(line);
            spinner.tick();
        } else if pages == 1 || pages.is_multiple_of(PAGES_PER_LINE) {
            eprintln!("{line}");
        }
    }

    fn started(&mut self, consumers: usize) {
        self.total = consumers;
        self.cadence = Cadence::for_consumers(consumers);
        if let Some(spinner) = self.bar.take() {
            put_on_screen(None);
            spinner.finish_and_clear();
        }
        if self.terminal {
            let bar = ProgressBar::new(consumers as u64);
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
                bar.set_style(style);
            }
            put_on_screen(Some(bar.clone()));
            self.bar = Some(bar);
        } else {
            eprintln!("{consumers} repositories to visit");
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            put_on_screen(None);
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_runs_write_a_line_per_consumer_and_large_ones_about_a_hundred() {
        let small = Cadence::for_consumers(40);
        assert!((1..=40).all(|done| small.writes(done, 40)));
        for total in [101, 3_000, 100_000, 100_001] {
            let cadence = Cadence::for_consumers(total);
            let lines = (1..=total).filter(|d| cadence.writes(*d, total)).count();
            assert!((50..=101).contains(&lines), "{total}: {lines} lines");
            assert!(cadence.writes(total, total), "the last consumer always");
        }
        assert!(Cadence::for_consumers(0).writes(1, 1));
    }
}
