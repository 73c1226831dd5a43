//! The demo's code path: every outcome appears and each consumer meets its expected outcome.

use std::collections::BTreeSet;

use cascade::report::Outcome;
use xtask::demo;

#[tokio::test(start_paused = true)]
async fn demo_reaches_every_expected_outcome() {
    let fleet = demo::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let result = demo::run(&fleet, &mut |_| {}).await.unwrap();
    assert_eq!(result.mismatches, []);
    let seen: BTreeSet<Outcome> = result.report.consumers.iter().map(|c| c.outcome).collect();
    for outcome in [
        Outcome::UpToDate,
        Outcome::Proposed,
        Outcome::Declined,
        Outcome::Created,
        Outcome::Adopted,
        Outcome::Conflict,
        Outcome::Skipped,
    ] {
        assert!(seen.contains(&outcome), "{outcome} missing from the demo");
    }
    let retried = fleet
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/pulls") && r.status == Some(503))
        .count();
    assert_eq!(
        retried as u64,
        demo::INJECTED_503S,
        "the demo shows the retry at work"
    );
}
