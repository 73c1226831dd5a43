//! Test timers: a sleeper whose waits end only when the test says so, and a clock whose wall
//! time starts where the test wants it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use retry_policy::{Clock, Sleeper};
use tokio::sync::Notify;

/// A sleeper whose every wait lasts until [`release`](Self::release): to look at the world
/// while a retrier is waiting, with no timer running.
#[derive(Clone, Default)]
pub struct Gate {
    asleep: Arc<AtomicUsize>,
    open: Arc<Notify>,
}

impl Gate {
    /// Yields until a retrier is waiting on this gate.
    pub async fn until_asleep(&self) {
        until("the retrier waits", || {
            self.asleep.load(Ordering::SeqCst) > 0
        })
        .await;
    }

    /// Ends the waits.
    pub fn release(&self) {
        self.open.notify_waiters();
    }
}

impl Sleeper for Gate {
    fn sleep(&self, _: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.asleep.fetch_add(1, Ordering::SeqCst);
        let open = Arc::clone(&self.open);
        Box::pin(async move { open.notified().await })
    }
}

/// Yields to the runtime until `done` holds, a bounded number of times: the runtime polls its
/// sockets every few dozen tasks, so a few thousand turns are plenty for loopback I/O.
pub async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..20_000 {
        if done() {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("gave up waiting until {what}");
}

/// tokio's clock, with the wall clock starting at a chosen time.
pub struct WallClock {
    wall: SystemTime,
    start: tokio::time::Instant,
}

impl WallClock {
    pub fn starting_at(wall: SystemTime) -> Self {
        WallClock {
            wall,
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for WallClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn system_now(&self) -> SystemTime {
        self.wall + self.start.elapsed()
    }
}
