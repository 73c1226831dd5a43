//! Gitea killed mid-run, through the real binary: the circuit breaker stops the run within
//! `--jobs` plus its threshold of consumer passes, the last line says what happened and "re-run
//! to continue", the exit code is 3 (docs/runbook.md, "Exit codes"), and a re-run against the
//! restarted Gitea leaves one PR per consumer and no orphan branch.

use gitea_fake::FakeGitea;

use crate::{
    cli::{Served, propagate},
    signals::{CONSUMERS, TOKEN, assert_one_pr_each_and_no_orphan, fleet, read_until, start},
};

#[test]
fn gitea_killed_mid_run_ends_in_one_line_with_exit_code_3_and_a_rerun_converges() {
    // One consumer at a time; svc-05's first read is held, so the kill finds it in flight.
    let served = fleet("killed", 60_000);
    let (store, addr, config) = (
        served.fake.store().clone(),
        served.fake.local_addr(),
        served.config.clone(),
    );
    let (child, mut stderr) = start(&config);
    read_until(&mut stderr, "platform/svc-04: ");
    let Served { fake, .. } = served;
    drop(fake);
    let rest: String = stderr.map(|l| l.unwrap() + "\n").collect();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{rest}");
    let last = rest.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("stopped: Gitea failed 10 consumer passes in a row")
            && last.ends_with("nothing is half-written; re-run to continue"),
        "the last line: {rest}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["stopped"]["reason"], "circuit-breaker", "{report}");
    let rows = report["consumers"].as_array().unwrap();
    assert_eq!(rows.len(), CONSUMERS);
    let outcome = |i: usize| rows[i]["outcome"].as_str().unwrap().to_owned();
    assert!((0..5).all(|i| outcome(i) == "created"), "{report}");
    // After the kill: at most --jobs (1) plus the breaker's 10 consumers were tried.
    let tried_after = (5..CONSUMERS)
        .filter(|i| outcome(*i) != "not-attempted")
        .count();
    assert!(
        (1..=11).contains(&tried_after),
        "{tried_after} tried after the kill: {report}"
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let restarted = runtime
        .block_on(FakeGitea::builder().listen(addr).store(store).start())
        .unwrap();
    let rerun = propagate(&config, Some(TOKEN), &[]);
    assert_eq!(rerun.status.code(), Some(0), "{rerun:?}");
    assert_one_pr_each_and_no_orphan(restarted.store());
}
