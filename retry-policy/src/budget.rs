//! A retry budget shared by many requests, so an outage cannot multiply the load on a server.
//!
//! Counting retries per request does not bound the load: if every one of 500 requests fails, a
//! limit of 3 retries each makes 2000 calls. A budget instead lets the retries of all requests
//! together add at most a fixed fraction of extra load, with a small reserve so that a client
//! with little traffic can still retry. Time is passed in, never read.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The window is split into this many slots; a whole slot expires at once.
const SLOTS: usize = 10;
/// The ratio is kept in millionths, rounded down so that it stays an upper bound.
const PPM: u64 = 1_000_000;

/// A budget of retries shared by every clone (the state sits behind an `Arc`).
///
/// Call [`deposit`](Self::deposit) once per original request and
/// [`try_withdraw`](Self::try_withdraw) before each retry.
///
/// # The arithmetic
///
/// Take any window of [`window`](RetryBudgetBuilder::window) (10 s by default), in which `R`
/// requests were deposited and `W` retries withdrawn. A retry is granted only while
///
/// ```text
/// W + 1 <= max(ratio × R, min(reserve, R))
/// ```
///
/// so `W <= max(⌊ratio × R⌋, min(reserve, R))`:
///
/// - the reserve lets a quiet client retry, but never more than once per request of the
///   window, so with `ratio <= 1` the calls (`R + W`) never exceed `2 × R`: no burst, large or
///   small, can more than double the load;
/// - once `R >= reserve / ratio` (50 requests with the defaults) the reserve no longer counts
///   and the retries stay within `ratio × R`: a burst of 100 requests to a server that answers
///   every one with 503 makes at most 100 + 20 = 120 calls.
///
/// A withdrawal whose retry never starts (the caller was cancelled while waiting) can be handed
/// back with [`refund`](Self::refund); the [`Retrier`](crate::Retrier) does so by itself.
///
/// # Default
///
/// A window of 10 s, a ratio of 0.2 (20 % extra load) and a reserve of 10 retries.
///
/// # Example
///
/// ```
/// use std::time::{Duration, Instant};
/// use retry_policy::RetryBudget;
///
/// let budget = RetryBudget::builder().ratio(0.2).reserve(0).build()?;
/// let now = Instant::now();
/// for _ in 0..10 {
///     budget.deposit(now);
/// }
/// let granted = (0..10).filter(|_| budget.try_withdraw(now).is_some()).count();
/// assert_eq!(granted, 2);
/// # Ok::<(), retry_policy::BudgetError>(())
/// ```
#[derive(Clone, Debug)]
pub struct RetryBudget {
    shared: Arc<Shared>,
}

/// Builds a [`RetryBudget`]; starts from the defaults listed there.
#[derive(Clone, Debug)]
#[must_use]
pub struct RetryBudgetBuilder {
    window: Duration,
    ratio: f64,
    reserve: u32,
}

/// One retry taken from a [`RetryBudget`], to [`refund`](RetryBudget::refund) if the retry never
/// starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "a withdrawal is either spent on a retry or refunded"]
pub struct Withdrawal {
    generation: u64,
}

/// Why a [`RetryBudgetBuilder`] refused its values.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetError {
    /// The window was shorter than 1 s or longer than 60 s.
    #[error("the budget window must be between 1 s and 60 s, got {0:?}")]
    WindowOutOfRange(Duration),
    /// The ratio was not between 0 and 1.
    #[error("the retry ratio must be between 0 and 1 (0.2 is 20 % extra load), got {0}")]
    RatioOutOfRange(f64),
}

#[derive(Debug)]
struct Shared {
    slot_len: Duration,
    ratio_ppm: u64,
    reserve: u64,
    ratio: f64,
    window_len: Duration,
    window: Mutex<Window>,
}

#[derive(Debug, Default)]
struct Window {
    epoch: Option<Instant>,
    latest: u64,
    slots: [Slot; SLOTS],
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    generation: Option<u64>,
    requests: u64,
    retries: u64,
}

impl RetryBudget {
    /// Starts a builder from the defaults.
    pub fn builder() -> RetryBudgetBuilder {
        RetryBudgetBuilder {
            window: Duration::from_secs(10),
            ratio: 0.2,
            reserve: 10,
        }
    }

    /// The retries allowed per request, on top of the reserve.
    pub fn ratio(&self) -> f64 {
        self.shared.ratio
    }

    /// The retries a quiet window may take before the ratio has earned them (at most one per
    /// request of the window).
    pub fn reserve(&self) -> u32 {
        u32::try_from(self.shared.reserve).unwrap_or(u32::MAX)
    }

    /// The window over which requests and retries are counted.
    pub fn window(&self) -> Duration {
        self.shared.window_len
    }

    /// Records one original request at `now`.
    pub fn deposit(&self, now: Instant) {
        let mut window = self.lock();
        let slot = window.current(now, self.shared.slot_len);
        slot.requests = slot.requests.saturating_add(1);
    }

    /// Takes one retry from the budget at `now`; `None` when the window allows no more.
    pub fn try_withdraw(&self, now: Instant) -> Option<Withdrawal> {
        let shared = &*self.shared;
        let mut window = self.lock();
        let (requests, retries) = window.totals(now, shared.slot_len);
        let wanted = retries.saturating_add(1);
        let by_ratio = u128::from(wanted) * u128::from(PPM)
            <= u128::from(requests) * u128::from(shared.ratio_ppm);
        let by_reserve = wanted <= shared.reserve.min(requests);
        if !(by_ratio || by_reserve) {
            return None;
        }
        let generation = window.generation(now, shared.slot_len);
        let slot = window.current(now, shared.slot_len);
        slot.retries = slot.retries.saturating_add(1);
        Some(Withdrawal { generation })
    }

    /// Hands back a withdrawal whose retry never started. A withdrawal that has already left
    /// the window no longer counts, so refunding it changes nothing.
    pub fn refund(&self, withdrawal: Withdrawal) {
        let mut window = self.lock();
        let slot = &mut window.slots[(withdrawal.generation % SLOTS as u64) as usize];
        if slot.generation == Some(withdrawal.generation) {
            slot.retries = slot.retries.saturating_sub(1);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        self.shared
            .window
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::builder()
            .build()
            .unwrap_or_else(|_| unreachable!("the defaults are valid"))
    }
}

impl RetryBudgetBuilder {
    /// Sets the window over which requests and retries are counted (default 10 s; 1 s to 60 s).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Sets the retries allowed per request (default 0.2, that is 20 % extra load; 0 to 1).
    pub fn ratio(mut self, ratio: f64) -> Self {
        self.ratio = ratio;
        self
    }

    /// Sets how many retries a quiet window may take before the ratio has earned them
    /// (default 10). However large, it never grants more than one retry per request of the
    /// window; 0 turns it off.
    pub fn reserve(mut self, reserve: u32) -> Self {
        self.reserve = reserve;
        self
    }

    /// Checks the values and returns the budget.
    ///
    /// # Errors
    ///
    /// [`BudgetError`] when the window is outside 1 s to 60 s, or the ratio outside 0 to 1 (or
    /// not a number).
    pub fn build(self) -> Result<RetryBudget, BudgetError> {
        if !(Duration::from_secs(1)..=Duration::from_secs(60)).contains(&self.window) {
            return Err(BudgetError::WindowOutOfRange(self.window));
        }
        if !(0.0..=1.0).contains(&self.ratio) {
            return Err(BudgetError::RatioOutOfRange(self.ratio));
        }
        // Rounded down, so the ratio never grants more than asked.
        let ratio_ppm = (self.ratio * PPM as f64).floor() as u64;
        Ok(RetryBudget {
            shared: Arc::new(Shared {
                slot_len: self.window / SLOTS as u32,
                ratio_ppm,
                reserve: u64::from(self.reserve),
                ratio: self.ratio,
                window_len: self.window,
                window: Mutex::default(),
            }),
        })
    }
}

impl Window {
    /// The slot generation of `now`; instants that arrive late count as the latest seen.
    fn generation(&mut self, now: Instant, slot_len: Duration) -> u64 {
        let epoch = *self.epoch.get_or_insert(now);
        let since = now.saturating_duration_since(epoch).as_nanos() / slot_len.as_nanos().max(1);
        let generation = u64::try_from(since).unwrap_or(u64::MAX).max(self.latest);
        self.latest = generation;
        generation
    }

    fn current(&mut self, now: Instant, slot_len: Duration) -> &mut Slot {
        let generation = self.generation(now, slot_len);
        let slot = &mut self.slots[(generation % SLOTS as u64) as usize];
        if slot.generation != Some(generation) {
            *slot = Slot {
                generation: Some(generation),
                ..Slot::default()
            };
        }
        slot
    }

    /// Requests and retries in the window that ends at `now`.
    fn totals(&mut self, now: Instant, slot_len: Duration) -> (u64, u64) {
        let generation = self.generation(now, slot_len);
        self.slots
            .iter()
            .filter(|slot| {
                slot.generation
                    .is_some_and(|g| generation.saturating_sub(g) < SLOTS as u64)
            })
            .fold((0u64, 0u64), |(requests, retries), slot| {
                (
                    requests.saturating_add(slot.requests),
                    retries.saturating_add(slot.retries),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn budget(ratio: f64, reserve: u32) -> RetryBudget {
        RetryBudget::builder()
            .ratio(ratio)
            .reserve(reserve)
            .build()
            .unwrap()
    }

    /// A burst of `requests` at one instant against a server that always fails, each request
    /// retrying up to 3 times while the budget allows: the calls made.
    fn burst(budget: &RetryBudget, requests: u32) -> u32 {
        let now = Instant::now();
        let mut calls = 0;
        for _ in 0..requests {
            budget.deposit(now);
            calls += 1;
            for _ in 0..3 {
                if budget.try_withdraw(now).is_none() {
                    break;
                }
                calls += 1;
            }
        }
        calls
    }

    #[test]
    fn rejects_bad_windows_and_ratios() {
        for window in [
            Duration::ZERO,
            Duration::from_millis(999),
            Duration::from_millis(60_001),
        ] {
            assert_eq!(
                RetryBudget::builder().window(window).build().unwrap_err(),
                BudgetError::WindowOutOfRange(window)
            );
        }
        for ratio in [-0.1, 1.0001, 1000.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                RetryBudget::builder().ratio(ratio).build(),
                Err(BudgetError::RatioOutOfRange(_))
            ));
        }
        for window in [Duration::from_secs(1), Duration::from_secs(60)] {
            assert!(RetryBudget::builder().window(window).build().is_ok());
        }
        for ratio in [0.0, 1.0] {
            assert!(RetryBudget::builder().ratio(ratio).build().is_ok());
        }
    }

    #[test]
    fn the_default_lets_a_burst_of_a_hundred_make_a_hundred_and_twenty_calls() {
        let budget = RetryBudget::default();
        assert_eq!(
            (budget.window(), budget.ratio(), budget.reserve()),
            (Duration::from_secs(10), 0.2, 10)
        );
        assert_eq!(burst(&budget, 100), 120);
    }

    #[test]
    fn a_small_burst_at_most_doubles_and_a_lone_request_retries_once() {
        let calls: Vec<u32> = [1, 5, 10, 49, 50, 500]
            .into_iter()
            .map(|n| burst(&RetryBudget::default(), n))
            .collect();
        // max(0.2 n, min(10, n)) retries on top of n requests.
        assert_eq!(calls, [2, 10, 20, 59, 60, 600]);
    }

    #[test]
    fn clones_share_one_budget() {
        let budget = budget(1.0, 0);
        let clone = budget.clone();
        let now = Instant::now();
        budget.deposit(now);
        assert!(clone.try_withdraw(now).is_some());
        assert!(budget.try_withdraw(now).is_none());
    }

    #[test]
    fn a_refund_gives_the_retry_back() {
        let budget = budget(0.0, 1);
        let now = Instant::now();
        budget.deposit(now);
        let taken = budget.try_withdraw(now).unwrap();
        assert!(budget.try_withdraw(now).is_none());
        budget.refund(taken);
        assert!(budget.try_withdraw(now).is_some());
    }

    #[test]
    fn a_refund_after_the_window_changes_nothing() {
        let budget = budget(0.0, 1);
        let start = Instant::now();
        budget.deposit(start);
        let taken = budget.try_withdraw(start).unwrap();
        let later = start + Duration::from_secs(10);
        budget.deposit(later);
        let again = budget.try_withdraw(later).unwrap();
        budget.refund(taken);
        assert!(budget.try_withdraw(later).is_none());
        budget.refund(again);
        assert!(budget.try_withdraw(later).is_some());
    }

    #[test]
    fn requests_and_retries_leave_the_window_exactly_after_it() {
        let budget = budget(0.0, 5);
        let start = Instant::now();
        budget.deposit(start);
        assert!(budget.try_withdraw(start).is_some());
        let edge = start + Duration::from_secs(10);
        // At 9.999 s the request still counts, and so does its retry: nothing is left.
        assert!(
            budget
                .try_withdraw(edge - Duration::from_millis(1))
                .is_none()
        );
        // At 10 s both have left the window: no request, so no reserve either.
        assert!(budget.try_withdraw(edge).is_none());
        budget.deposit(edge);
        assert!(budget.try_withdraw(edge).is_some());
    }

    #[test]
    fn a_lone_request_grants_its_retry_until_the_window_edge_and_not_at_it() {
        let start = Instant::now();
        let edge = start + Duration::from_secs(10);
        for (at, granted) in [
            (start + Duration::from_secs(1), true),
            (edge - Duration::from_nanos(1), true),
            (edge, false),
        ] {
            let budget = budget(0.0, 1);
            budget.deposit(start);
            assert_eq!(budget.try_withdraw(at).is_some(), granted, "at {at:?}");
        }
    }

    proptest! {
        #[test]
        fn retries_never_exceed_the_documented_bound(
            ratio in prop_oneof![Just(0.0), Just(1.0), 0.0f64..=1.0],
            reserve in 0u32..20,
            window_secs in 1u64..=60,
            ops in proptest::collection::vec((0u8..3, 0u32..900), 0..300),
        ) {
            let window = Duration::from_secs(window_secs);
            let budget = RetryBudget::builder()
                .window(window)
                .ratio(ratio)
                .reserve(reserve)
                .build()
                .unwrap();
            let start = Instant::now();
            let mut ops = ops;
            // Every instant lies within 90 % of one window, so nothing expires.
            ops.sort_by_key(|&(_, permille)| permille);
            let (mut requests, mut retries) = (0u64, 0u64);
            let mut taken = Vec::new();
            for (op, permille) in ops {
                let now = start + window * permille / 1000;
                match op {
                    0 => {
                        budget.deposit(now);
                        requests += 1;
                    }
                    1 => {
                        if let Some(withdrawal) = budget.try_withdraw(now) {
                            retries += 1;
                            taken.push(withdrawal);
                        }
                    }
                    _ => {
                        if let Some(withdrawal) = taken.pop() {
                            budget.refund(withdrawal);
                            retries -= 1;
                        }
                    }
                }
                let by_ratio = (ratio * requests as f64 + 1e-9).floor() as u64;
                let bound = by_ratio.max(u64::from(reserve).min(requests));
                prop_assert!(retries <= bound, "{retries} > {bound}");
                prop_assert!(retries <= requests);
            }
        }
    }
}
