//! Bounded fan-out: run one task per item, at most `jobs` at a time, on every core.
//!
//! A panicking task is caught and turned into a result for its item, so one bug never takes the
//! other items with it and every item is accounted for.

use std::{future::Future, panic::AssertUnwindSafe};

use futures_util::FutureExt;
use tokio::task::JoinSet;

/// Runs `task` on each item with at most `jobs` in flight; `on_done` sees each result as it
/// finishes. `on_panic` makes a result from the item's label when its task panicked.
pub(crate) async fn run_bounded<I, T, F, Fut>(
    items: Vec<(String, I)>,
    jobs: usize,
    task: F,
    on_panic: fn(String) -> T,
    on_done: &mut (dyn FnMut(T) + Send),
) where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let jobs = jobs.max(1);
    let mut pending = items.into_iter();
    let mut running = JoinSet::new();
    loop {
        while running.len() < jobs {
            let Some((label, item)) = pending.next() else {
                break;
            };
            let work = AssertUnwindSafe(task(item)).catch_unwind();
            running.spawn(async move { work.await.unwrap_or_else(|_| on_panic(label)) });
        }
        match running.join_next().await {
            Some(Ok(result)) => on_done(result),
            Some(Err(join_error)) => {
                // Tasks are only cancelled when this future is dropped, which ends the loop too.
                debug_assert!(join_error.is_cancelled(), "{join_error}");
            }
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bounds_concurrency_and_accounts_for_panics() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let items: Vec<(String, u32)> = (0..40).map(|i| (format!("item-{i}"), i)).collect();
        let mut results = Vec::new();
        let (in_flight2, peak2) = (in_flight.clone(), peak.clone());
        run_bounded(
            items,
            3,
            move |i| {
                let (in_flight, peak) = (in_flight2.clone(), peak2.clone());
                async move {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    if i == 7 {
                        panic!("boom");
                    }
                    format!("ok-{i}")
                }
            },
            |label| format!("panicked-{label}"),
            &mut |r| results.push(r),
        )
        .await;
        assert_eq!(results.len(), 40);
        assert!(results.contains(&"panicked-item-7".to_owned()));
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }
}
