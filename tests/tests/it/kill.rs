//! Kill mid-run: the cascade is dropped after a seeded number of requests (as when the process is
//! killed), the server finishes what it received, and a re-run from the top converges with no
//! duplicate PR and no orphan branch.

use std::time::Duration;

use crate::common::*;
use cascade::{
    report::Outcome,
    run::{self, RunOptions},
};
use cascade_tests::{record, soak};

/// Consumers per fleet, and the kill points tried (one fresh fleet each).
const CONSUMERS: usize = 40;
const KILLS: u64 = record::KILL_POINTS.len() as u64;

/// A kill point in `1..=max`, drawn from the soak seed (SplitMix64).
fn kill_point(i: u64, max: usize) -> usize {
    let mut z = soak::SEED.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    1 + (z % max as u64) as usize
}

async fn kill_fleet() -> Fleet {
    let named: Vec<(String, _)> = soak::fleet().into_iter().take(CONSUMERS).collect();
    let named: Vec<(&str, _)> = named.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    fleet(&named).await
}

/// Resolves once the fake has seen `n` requests. It checks after every other task has had its
/// turn; no fault is injected, so the run needs no timer while this spins.
async fn requests_seen(fleet: &Fleet, n: usize) {
    while fleet.fake.requests().len() < n {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_run_killed_at_any_point_converges_on_the_next_run() {
    let full = kill_fleet().await;
    let calls_of_a_full_run = propagate_default(&full).await.api_calls as usize;
    assert_eq!(calls_of_a_full_run, record::KILL_FULL_RUN_CALLS);
    let points: Vec<usize> = (0..KILLS)
        .map(|i| kill_point(i, calls_of_a_full_run))
        .collect();
    assert_eq!(points, record::KILL_POINTS, "update cascade_tests::record");
    for i in 0..KILLS {
        let fleet = kill_fleet().await;
        let kill_at = kill_point(i, calls_of_a_full_run);
        let client = client(&fleet);
        let options = RunOptions::default();
        let mut on_progress = |_: run::Progress<'_>| {};
        let killed = tokio::select! {
            _ = run::propagate_with(&client, &fleet.config, &options, &mut on_progress) => false,
            () = requests_seen(&fleet, kill_at) => true,
        };
        assert!(
            killed,
            "kill point {kill_at} of {calls_of_a_full_run}, seen {}",
            fleet.fake.requests().len()
        );
        // The server finishes the requests it had received, as a real one does.
        tokio::time::sleep(Duration::from_secs(60)).await;

        let rerun = propagate_default(&fleet).await;
        assert_eq!(
            rerun.summary.get(&Outcome::Failed),
            None,
            "killed at {kill_at}: {rerun:#?}"
        );
        for consumer in &fleet.seeded {
            let (owner, name) = consumer.full_name.split_once('/').unwrap();
            let store = fleet.fake.store();
            let bump_prs = bump_prs(&fleet.fake, &consumer.full_name);
            let open = count_open(&bump_prs);
            let what = format!(
                "killed at {kill_at}: {} {:?}",
                consumer.full_name, consumer.state
            );
            assert!(bump_prs.len() <= 1, "duplicate PRs, {what}");
            assert_eq!(
                open,
                usize::from(soak::needs_bump(consumer.state)),
                "{what}"
            );
            let branch = store.branches(owner, name).iter().any(|b| b == BRANCH);
            let foreign = consumer.state == gitea_fake::fleet::ConsumerState::ForeignBranch;
            assert!(!branch || !bump_prs.is_empty() || foreign, "orphan, {what}");
        }
    }
}
