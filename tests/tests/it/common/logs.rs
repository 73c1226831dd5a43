//! A `tracing` subscriber for one test, writing into a buffer the test reads.

use std::{
    io,
    sync::{Arc, Mutex},
};

/// Everything the subscriber writes, shared with the test.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Keeps a capture this thread's subscriber until dropped.
pub struct Guards {
    _default: tracing::subscriber::DefaultGuard,
    _second: tracing::Dispatch,
}

/// The capture and the guards that keep it this thread's subscriber, at `level` and above.
pub fn capture(level: tracing::Level) -> (Captured, Guards) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    // Other tests of this binary run on other threads without a subscriber. With a single
    // registered dispatcher, tracing-core asks only the registering thread's default whether a
    // new callsite is wanted, so a callsite first hit on another thread would be cached as
    // "never" and silenced here too. A second registered dispatcher makes every callsite ask
    // each thread's own default instead.
    let second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let guards = Guards {
        _default: guard,
        _second: second,
    };
    (captured, guards)
}
