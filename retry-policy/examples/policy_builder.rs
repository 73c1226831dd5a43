//! Building policies: the schedule each gives, and the one-line errors of bad values.
//!
//! `cargo run -p retry-policy --example policy_builder`

use std::time::Duration;

use retry_policy::{Jitter, Policy, PolicyError, SplitMix64};

fn main() -> Result<(), PolicyError> {
    // The default: at most 4 calls, 1 s, 2 s and 4 s apart, no jitter, no attempt timeout.
    let default = Policy::default();
    println!("default: {}", schedule(&default, 3));

    // A client of a busy API: 5 retries from 250 ms, tripling, capped at 10 s, with jitter so
    // that many clients do not retry in step, each attempt given 5 s, and no retry later than
    // 30 s after the first attempt.
    let busy = Policy::builder()
        .max_retries(5)
        .base_delay(Duration::from_millis(250))
        .factor(3)
        .cap(Duration::from_secs(10))
        .jitter(Jitter::Equal)
        .attempt_timeout(Duration::from_secs(5))
        .time_limit(Duration::from_secs(30))
        .build()?;
    println!("busy, before jitter: {}", schedule(&busy, 5));
    // Jitter draws from a random source you pass in; a fixed seed replays the same delays.
    let mut rng = SplitMix64::new(7);
    let jittered: Vec<String> = (0..5)
        .map(|retry| format!("{:?}", busy.delay(retry, None, &mut rng)))
        .collect();
    println!("busy, with equal jitter (seed 7): {}", jittered.join(", "));

    // Change a few values of an existing policy.
    let patient = busy
        .to_builder()
        .max_retries(8)
        .without_time_limit()
        .build()?;
    println!("patient: {}", schedule(&patient, 8));

    // Bad values are refused when the policy is built, with a message naming them.
    for bad in [
        Policy::builder().base_delay(Duration::ZERO).build(),
        Policy::builder().cap(Duration::from_millis(10)).build(),
        Policy::builder().attempt_timeout(Duration::ZERO).build(),
    ] {
        if let Err(error) = bad {
            println!("refused: {error}");
        }
    }
    Ok(())
}

/// The unjittered delays before each of the first `retries` retries.
fn schedule(policy: &Policy, retries: u32) -> String {
    let delays: Vec<String> = (0..retries)
        .map(|retry| format!("{:?}", policy.backoff(retry)))
        .collect();
    delays.join(", ")
}
