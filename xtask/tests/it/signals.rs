//! A real signal sent to the real binary mid-run, with gitea-fake in this process: the first
//! SIGINT or SIGTERM stops starting consumers, lets the one in flight finish, prints the report
//! and "interrupted: re-run to continue", and exits 130; a second one exits at once. A re-run
//! then leaves one PR per consumer and no orphan branch.
//!
//! The signal is sent with the `kill` command, so the tests need no crate with unsafe code. They
//! never sleep: they block on the binary's stderr until its progress says where the run is.

use std::{
    io::{BufRead, BufReader, Lines},
    path::Path,
    process::{Child, ChildStderr, Command, Stdio},
    time::Duration,
};

use gitea_fake::{Fault, FaultRule, Match, Store, Trigger, fleet::ConsumerState};

use crate::cli::{Served, propagate, serve};

pub(crate) const TOKEN: &str = "signal-token";
pub(crate) const CONSUMERS: usize = 30;
const BRANCH: &str = "bump/runtime-1.5.0";

pub(crate) fn names() -> Vec<String> {
    (0..CONSUMERS).map(|i| format!("svc-{i:02}")).collect()
}

/// 30 consumers behind, the retry section of the config given `attempt_timeout_ms`, and the
/// first read of `platform/svc-05` held for ten minutes (past any attempt timeout here).
pub(crate) fn fleet(name: &str, attempt_timeout_ms: u64) -> Served {
    let names = names();
    let consumers: Vec<(&str, ConsumerState)> = names
        .iter()
        .map(|n| (n.as_str(), ConsumerState::Behind))
        .collect();
    let served = serve(name, TOKEN, &consumers);
    let mut text = std::fs::read_to_string(&served.config).unwrap();
    text.push_str(&format!("attempt_timeout_ms = {attempt_timeout_ms}\n"));
    std::fs::write(&served.config, text).unwrap();
    served.fake.faults().add(FaultRule::new(
        Match::any()
            .method("GET")
            .path("/api/v1/repos/platform/svc-05"),
        Trigger::FirstN(1),
        Fault::Delay(Duration::from_secs(600)),
    ));
    served
}

/// `xtask propagate --jobs 1 --json`, one consumer at a time in name order, stdout and stderr
/// piped.
pub(crate) fn start(config: &Path) -> (Child, Lines<BufReader<ChildStderr>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["propagate", "--jobs", "1", "--json", "--config"])
        .arg(config)
        .env_remove("RUST_LOG")
        .env("GITEA_TOKEN", TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    (child, stderr)
}

/// Reads stderr up to and including the first line containing `needle`; returns what it read.
pub(crate) fn read_until(stderr: &mut Lines<BufReader<ChildStderr>>, needle: &str) -> String {
    let mut seen = String::new();
    for line in stderr.by_ref() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains(needle) {
            return seen;
        }
    }
    panic!("stderr ended before {needle:?}:\n{seen}");
}

fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal}");
}

/// One open bump PR in every consumer and no bump branch without a PR.
pub(crate) fn assert_one_pr_each_and_no_orphan(store: &Store) {
    for name in names() {
        let prs: Vec<_> = store
            .pulls("platform", &name)
            .into_iter()
            .filter(|pr| pr.head == BRANCH)
            .collect();
        assert_eq!(prs.len(), 1, "{name}: {prs:?}");
        assert!(
            store
                .branches("platform", &name)
                .contains(&BRANCH.to_owned()),
            "{name}"
        );
    }
}

#[test]
fn sigint_mid_run_finishes_what_is_in_flight_reports_and_exits_130_then_a_rerun_converges() {
    let served = fleet("signal-int", 2_000);
    let (child, mut stderr) = start(&served.config);
    read_until(&mut stderr, "platform/svc-04: ");
    send(&child, "INT");
    let rest: String = stderr.map(|l| l.unwrap() + "\n").collect();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{rest}");
    assert!(
        rest.contains("SIGINT received: starting no more consumers"),
        "{rest}"
    );
    let last = rest.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("interrupted: re-run to continue (SIGINT received; ")
            && last.ends_with("nothing is half-written)"),
        "the last line: {rest}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["stopped"]["reason"], "interrupted");
    let rows = report["consumers"].as_array().unwrap();
    assert_eq!(rows.len(), CONSUMERS);
    for (i, row) in rows.iter().enumerate() {
        let outcome = row["outcome"].as_str().unwrap();
        match i {
            0..=4 => assert_eq!(outcome, "created", "{row}"),
            5 => assert!(
                matches!(outcome, "failed" | "interrupted" | "not-attempted"),
                "in flight, or not started yet: {row}"
            ),
            _ => assert_eq!(outcome, "not-attempted", "{row}"),
        }
    }

    let rerun = propagate(&served.config, Some(TOKEN), &[]);
    assert_eq!(rerun.status.code(), Some(0), "{rerun:?}");
    assert_one_pr_each_and_no_orphan(served.fake.store());
}

#[test]
fn a_second_signal_exits_at_once_without_waiting_for_the_consumer_in_flight() {
    // svc-05's read would hold the run for the whole minute of its attempt timeout.
    let served = fleet("signal-twice", 60_000);
    let (child, mut stderr) = start(&served.config);
    read_until(&mut stderr, "platform/svc-04: ");
    send(&child, "TERM");
    read_until(&mut stderr, "SIGTERM received: starting no more consumers");
    send(&child, "INT");
    let rest: String = stderr.map(|l| l.unwrap() + "\n").collect();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{rest}");
    assert!(
        rest.contains("SIGINT received again: exiting at once; re-run to continue"),
        "{rest}"
    );
    assert!(
        output.stdout.is_empty(),
        "no report: the run did not wait for the consumer in flight"
    );

    served.fake.faults().clear();
    let rerun = propagate(&served.config, Some(TOKEN), &[]);
    assert_eq!(rerun.status.code(), Some(0), "{rerun:?}");
    assert_one_pr_each_and_no_orphan(served.fake.store());
}
