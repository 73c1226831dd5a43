//! Time, injected: the [`Sleeper`] that waits between attempts and the [`Clock`] that tells the
//! time, with tokio's and a virtual implementation for tests.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// Waits between attempts (and, in the HTTP adapters, times an attempt out).
pub trait Sleeper: Send + Sync {
    /// Returns a future that completes after `delay`.
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// Tells the time, for the time limit, the [`RetryBudget`](crate::RetryBudget) and HTTP-date
/// `Retry-After` values that come without a `Date` header.
pub trait Clock: Send + Sync {
    /// The current instant, for measuring durations.
    fn now(&self) -> Instant;

    /// The current wall-clock time, for comparing with HTTP dates.
    fn system_now(&self) -> SystemTime;
}

/// Sleeps with `tokio::time::sleep`, so tokio's paused clock drives it in tests.
#[cfg(feature = "tokio")]
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

/// Reads `tokio::time::Instant::now()`, so it follows tokio's paused clock in tests.
///
/// Its wall-clock time is the system time when the clock was made plus tokio's elapsed time
/// since, so it too follows the paused clock.
#[cfg(feature = "tokio")]
#[derive(Clone, Copy, Debug)]
pub struct TokioClock {
    system: SystemTime,
    instant: tokio::time::Instant,
}

/// A sleeper and clock in virtual time, for tests: `sleep` returns at once, records the delay
/// and moves the virtual clock forward by it. Clones share the same time and record.
///
/// ```
/// use std::time::{Duration, Instant, SystemTime};
/// use retry_policy::{Clock, InstantSleeper, Sleeper};
///
/// # futures_lite_block_on(async {
/// let start = Instant::now();
/// let time = InstantSleeper::new(start);
/// time.sleep(Duration::from_secs(2)).await;
/// assert_eq!(time.now(), start + Duration::from_secs(2));
/// assert_eq!(time.system_now(), SystemTime::UNIX_EPOCH + Duration::from_secs(2));
/// assert_eq!(time.delays(), [Duration::from_secs(2)]);
/// # });
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct InstantSleeper {
    state: Arc<Mutex<VirtualTime>>,
}

#[derive(Debug)]
struct VirtualTime {
    now: Instant,
    system: SystemTime,
    delays: Vec<Duration>,
}

#[cfg(feature = "tokio")]
impl Sleeper for TokioSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(delay))
    }
}

#[cfg(feature = "tokio")]
impl TokioClock {
    /// A clock whose wall-clock time starts at the system time now.
    pub fn new() -> Self {
        TokioClock {
            system: SystemTime::now(),
            instant: tokio::time::Instant::now(),
        }
    }
}

#[cfg(feature = "tokio")]
impl Default for TokioClock {
    fn default() -> Self {
        TokioClock::new()
    }
}

#[cfg(feature = "tokio")]
impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn system_now(&self) -> SystemTime {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.instant);
        self.system.checked_add(elapsed).unwrap_or(self.system)
    }
}

impl InstantSleeper {
    /// Starts virtual time at `start`, with the wall clock at the Unix epoch.
    pub fn new(start: Instant) -> Self {
        let state = VirtualTime {
            now: start,
            system: SystemTime::UNIX_EPOCH,
            delays: Vec::new(),
        };
        InstantSleeper {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// Sets the virtual wall-clock time.
    #[must_use]
    pub fn with_system_time(self, system: SystemTime) -> Self {
        self.lock().system = system;
        self
    }

    /// Every delay slept so far, in order.
    pub fn delays(&self) -> Vec<Duration> {
        self.lock().delays.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VirtualTime> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Sleeper for InstantSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let mut time = self.lock();
        time.now = time.now.checked_add(delay).unwrap_or(time.now);
        time.system = time.system.checked_add(delay).unwrap_or(time.system);
        time.delays.push(delay);
        Box::pin(std::future::ready(()))
    }
}

impl Clock for InstantSleeper {
    fn now(&self) -> Instant {
        self.lock().now
    }

    fn system_now(&self) -> SystemTime {
        self.lock().system
    }
}
