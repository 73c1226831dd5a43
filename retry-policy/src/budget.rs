//! A retry budget shared by many requests, so an outage cannot multiply the load on a server.
//!
//! Counting retries per request does not bound the load: if every one of 500 requests fails, a
//! limit of 3 retries each makes 2000 calls. A budget instead lets the retries of all requests
//! together add at most a fixed fraction of extra load, plus a small reserve so that a client
//! with little traffic can still retry. This follows Finagle's `RetryBudget` and tower's
//! `TpsBudget`; time is passed in, never read.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The window is split into this many slots; a whole slot expires at once.
const SLOTS: usize = 10;
/// Fixed-point scale: a deposit is worth this many units.
const UNIT: i64 = 1000;

/// A budget of retries shared by every clone (the state sits behind an `Arc`).
///
/// Call [`deposit`](Self::deposit) once per original request and
/// [`try_withdraw`](Self::try_withdraw) before each retry. Over any window of `ttl`, retries are
/// held to `retry_ratio` times the requests deposited, plus `min_per_sec * ttl` retries of reserve.
///
/// # Default
///
/// A 10 s window, a reserve of 10 retries per second and a ratio of 0.2 (20 % extra load), the
/// defaults of Finagle and tower.
///
/// # Example
///
/// ```
/// use std::time::{Duration, Instant};
/// use retry_policy::RetryBudget;
///
/// let budget = RetryBudget::new(Duration::from_secs(10), 0, 0.2)?;
/// let now = Instant::now();
/// for _ in 0..10 {
///     budget.deposit(now);
/// }
/// let granted = (0..10).filter(|_| budget.try_withdraw(now)).count();
/// assert_eq!(granted, 2);
/// # Ok::<(), retry_policy::BudgetError>(())
/// ```
#[derive(Clone, Debug)]
pub struct RetryBudget {
    shared: Arc<Shared>,
}

/// Why [`RetryBudget::new`] refused its values.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetError {
    /// The window was shorter than 1 s or longer than 60 s.
    #[error("the budget window must be between 1 s and 60 s, got {0:?}")]
    TtlOutOfRange(Duration),
    /// The ratio was not 0 and not between 0.001 and 1000.
    #[error("the retry ratio must be 0 or between 0.001 and 1000, got {0}")]
    RatioOutOfRange(f64),
}

#[derive(Debug)]
struct Shared {
    slot_len: Duration,
    deposit_amount: i64,
    withdraw_amount: i64,
    reserve: i64,
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
    balance: i64,
}

impl RetryBudget {
    /// Creates a budget over a window of `ttl` that allows `retry_ratio` retries per request
    /// (0.2 means 20 % extra load) plus a reserve of `min_per_sec` retries per second.
    ///
    /// # Errors
    ///
    /// [`BudgetError`] when `ttl` is outside 1 s to 60 s, or `retry_ratio` is neither 0 nor in
    /// 0.001 to 1000 (or is not a number).
    pub fn new(ttl: Duration, min_per_sec: u32, retry_ratio: f64) -> Result<Self, BudgetError> {
        if ttl < Duration::from_secs(1) || ttl > Duration::from_secs(60) {
            return Err(BudgetError::TtlOutOfRange(ttl));
        }
        let (deposit_amount, withdraw_amount) = if retry_ratio == 0.0 {
            (0, 1)
        } else if (0.001..=1000.0).contains(&retry_ratio) {
            // Rounding the price of a retry up keeps the ratio an upper bound.
            let withdraw = (UNIT as f64 / retry_ratio).ceil();
            (UNIT, withdraw.clamp(1.0, 1_000_000.0) as i64)
        } else {
            return Err(BudgetError::RatioOutOfRange(retry_ratio));
        };
        // The window is at most 60 s, so this cannot overflow.
        let ttl_millis = i128::from(u32::try_from(ttl.as_millis()).unwrap_or(u32::MAX));
        let reserve = i128::from(min_per_sec) * i128::from(withdraw_amount) * ttl_millis / 1000;
        Ok(RetryBudget {
            shared: Arc::new(Shared {
                slot_len: ttl / SLOTS as u32,
                deposit_amount,
                withdraw_amount,
                reserve: i64::try_from(reserve).unwrap_or(i64::MAX),
                window: Mutex::default(),
            }),
        })
    }

    /// Records one original request at `now`, earning a fraction of a retry.
    pub fn deposit(&self, now: Instant) {
        let shared = &*self.shared;
        let mut window = shared.window.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = window.current(now, shared.slot_len);
        slot.balance = slot.balance.saturating_add(shared.deposit_amount);
    }

    /// Takes one retry from the budget at `now`; `false` when it is spent.
    pub fn try_withdraw(&self, now: Instant) -> bool {
        let shared = &*self.shared;
        let mut window = shared.window.lock().unwrap_or_else(PoisonError::into_inner);
        let available = window
            .balance(now, shared.slot_len)
            .saturating_add(shared.reserve);
        if available < shared.withdraw_amount {
            return false;
        }
        let slot = window.current(now, shared.slot_len);
        slot.balance = slot.balance.saturating_sub(shared.withdraw_amount);
        true
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        let shared = Shared {
            slot_len: Duration::from_secs(1),
            deposit_amount: UNIT,
            withdraw_amount: 5 * UNIT,
            reserve: 10 * 10 * 5 * UNIT,
            window: Mutex::default(),
        };
        RetryBudget {
            shared: Arc::new(shared),
        }
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
                balance: 0,
            };
        }
        slot
    }

    fn balance(&mut self, now: Instant, slot_len: Duration) -> i64 {
        let generation = self.generation(now, slot_len);
        self.slots
            .iter()
            .filter(|slot| {
                slot.generation
                    .is_some_and(|g| generation.saturating_sub(g) < SLOTS as u64)
            })
            .fold(0i64, |sum, slot| sum.saturating_add(slot.balance))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const TTL: Duration = Duration::from_secs(10);

    #[test]
    fn rejects_bad_windows_and_ratios() {
        for ttl in [
            Duration::ZERO,
            Duration::from_millis(999),
            Duration::from_secs(61),
        ] {
            assert_eq!(
                RetryBudget::new(ttl, 1, 0.2).unwrap_err(),
                BudgetError::TtlOutOfRange(ttl)
            );
        }
        for ratio in [-0.1, 0.0001, 1000.5, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                RetryBudget::new(TTL, 1, ratio),
                Err(BudgetError::RatioOutOfRange(_))
            ));
        }
    }

    #[test]
    fn a_fan_out_during_an_outage_adds_a_fifth_of_the_load() {
        let budget = RetryBudget::new(TTL, 0, 0.2).unwrap();
        let now = Instant::now();
        let mut calls = 0;
        for _ in 0..500 {
            budget.deposit(now);
            calls += 1;
            for _ in 0..3 {
                if !budget.try_withdraw(now) {
                    break;
                }
                calls += 1;
            }
        }
        assert_eq!(calls, 600);
    }

    #[test]
    fn clones_share_one_budget() {
        let budget = RetryBudget::new(TTL, 0, 1.0).unwrap();
        let clone = budget.clone();
        let now = Instant::now();
        budget.deposit(now);
        assert!(clone.try_withdraw(now));
        assert!(!budget.try_withdraw(now));
    }

    #[test]
    fn the_reserve_comes_back_once_the_window_has_passed() {
        let budget = RetryBudget::new(Duration::from_secs(1), 2, 0.0).unwrap();
        let start = Instant::now();
        let granted = |at: Instant| (0..5).filter(|_| budget.try_withdraw(at)).count();
        assert_eq!(granted(start), 2);
        assert_eq!(granted(start + Duration::from_millis(500)), 0);
        assert_eq!(granted(start + Duration::from_secs(2)), 2);
    }

    #[test]
    fn the_default_matches_ten_seconds_ten_per_second_a_fifth() {
        let budget = RetryBudget::default();
        let now = Instant::now();
        assert_eq!((0..200).filter(|_| budget.try_withdraw(now)).count(), 100);
        for _ in 0..10 {
            budget.deposit(now);
        }
        assert_eq!((0..200).filter(|_| budget.try_withdraw(now)).count(), 2);
    }

    proptest! {
        #[test]
        fn never_more_retries_than_ratio_times_requests_plus_reserve(
            ratio in prop_oneof![Just(0.0), 0.001f64..=2.0, 0.001f64..=1000.0],
            min_per_sec in 0u32..5,
            ttl_secs in 1u64..=60,
            ops in proptest::collection::vec((any::<bool>(), 0u32..900), 0..300),
        ) {
            let ttl = Duration::from_secs(ttl_secs);
            let budget = RetryBudget::new(ttl, min_per_sec, ratio).unwrap();
            let start = Instant::now();
            let mut ops = ops;
            // Every instant lies within 90 % of one window, so nothing expires.
            ops.sort_by_key(|&(_, permille)| permille);
            let (mut requests, mut retries) = (0u32, 0u32);
            for (is_request, permille) in ops {
                let now = start + ttl * permille / 1000;
                if is_request {
                    budget.deposit(now);
                    requests += 1;
                } else if budget.try_withdraw(now) {
                    retries += 1;
                }
                let bound = ratio * f64::from(requests) + f64::from(min_per_sec) * ttl_secs as f64;
                prop_assert!(f64::from(retries) <= bound + 1e-9, "{retries} > {bound}");
            }
        }
    }
}
