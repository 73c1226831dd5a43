//! What a `Retrier` and the middleware say about themselves: every builder step keeps the other
//! settings, the getters return what was set, and `Debug` shows the settings but not the hooks.
#![cfg(feature = "tokio")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use retry_policy::{
    Attempt, AttemptError, Classifier, Jitter, Outcome, Policy, Retrier, RetryBudget,
    StrictClassifier, TransportKind, Verdict,
};

fn policy() -> Policy {
    Policy::builder()
        .max_retries(5)
        .base_delay(Duration::from_millis(100))
        .jitter(Jitter::Full)
        .build()
        .unwrap()
}

fn budget() -> RetryBudget {
    RetryBudget::builder()
        .ratio(0.5)
        .reserve(3)
        .build()
        .unwrap()
}

/// An error type that implements only what `AttemptError` requires.
#[derive(Debug)]
struct Dropped;

impl AttemptError for Dropped {
    fn outcome(&self) -> Outcome {
        Outcome::Transport(TransportKind::Reset)
    }
}

/// Retries what the strict classifier retries, and remembers each attempt's `Retry-After`.
#[derive(Clone, Default)]
struct Witness(Arc<Mutex<Vec<Option<Duration>>>>);

impl Classifier for Witness {
    fn classify(&self, attempt: &Attempt<'_>) -> Verdict {
        self.0.lock().unwrap().push(attempt.retry_after);
        StrictClassifier.classify(attempt)
    }
}

#[test]
fn the_getters_return_what_the_retrier_was_built_with() {
    let retrier = Retrier::new(policy()).with_budget(budget());
    assert_eq!(retrier.policy(), &policy());
    let shared = retrier.budget().expect("the budget that was set");
    assert_eq!((shared.ratio(), shared.reserve()), (0.5, 3));
    assert!(Retrier::new(policy()).budget().is_none());
}

#[tokio::test(start_paused = true)]
async fn a_classifier_set_later_is_used_and_keeps_the_policy() {
    let witness = Witness::default();
    let retrier = Retrier::new(policy())
        .with_budget(budget())
        .with_classifier(witness.clone());
    assert_eq!(retrier.policy(), &policy());
    assert!(retrier.budget().is_some());
    let result: Result<(), Dropped> = retrier.retry(|| async { Err(Dropped) }).await;
    assert!(result.is_err());
    // One request in the window: the budget grants it one retry, long before the policy's 5.
    assert_eq!(witness.0.lock().unwrap().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_error_that_says_nothing_of_retry_after_gives_the_classifier_none() {
    let witness = Witness::default();
    let retrier = Retrier::new(policy()).with_classifier(witness.clone());
    let _ = retrier.retry(|| async { Err::<(), _>(Dropped) }).await;
    assert_eq!(*witness.0.lock().unwrap(), vec![None; 6]);
}

#[tokio::test(start_paused = true)]
async fn a_fixed_seed_keeps_the_policy_and_repeats_the_jitter() {
    async fn delays(seed: u64) -> Vec<Duration> {
        let delays = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&delays);
        let retrier = Retrier::new(policy())
            .with_seed(seed)
            .on_retry(move |event| seen.lock().unwrap().push(event.delay));
        assert_eq!(retrier.policy(), &policy());
        let _ = retrier.retry(|| async { Err::<(), _>(Dropped) }).await;
        delays.lock().unwrap().clone()
    }
    let first = delays(7).await;
    assert_eq!(first.len(), 5);
    assert_eq!(first, delays(7).await);
    assert_ne!(first, delays(8).await);
}

#[test]
fn debug_shows_the_settings_and_whether_hooks_are_set_never_the_hooks() {
    let retrier = Retrier::new(policy())
        .with_budget(budget())
        .on_retry(|_| {});
    let shown = format!("{retrier:?}");
    for part in [
        "Retrier {",
        "max_retries: 5",
        "ratio: 0.5",
        "on_retry: true",
        "on_give_up: false",
    ] {
        assert!(shown.contains(part), "{part:?} missing from {shown}");
    }
}

#[cfg(feature = "reqwest")]
#[test]
fn the_middleware_reports_its_retrier_and_policy() {
    let middleware =
        retry_policy::RetryMiddleware::from(Retrier::new(policy()).with_budget(budget()));
    assert_eq!(middleware.policy(), &policy());
    assert_eq!(middleware.retrier().policy(), &policy());
    assert!(middleware.retrier().budget().is_some());
}
