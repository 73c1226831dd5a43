//! Secret hygiene: a canary token used for a whole fault soak at TRACE level never shows up in the
//! logs, the report, an error's `Display` or `Debug`, or a URL the server saw.
//!
//! The command line's stdout and stderr at `-vvv` are checked in `xtask/tests/cli.rs`; the
//! example workflows pass `lint-workflows` in `xtask/src/lint.rs` (`the_example_workflows_pass`).

use crate::common::logs::capture;
use crate::common::soak_run::{run_soak, soak_fleet};
use cascade::run::{self, RunOptions};
use cascade_tests::soak;
use gitea_api::Token;
use gitea_fake::{Fault, FaultRule, Match, Trigger};

const CANARY: &str = "canary-3b9f1e6a0d2c7485";

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(CANARY), "the canary leaked into {what}");
}

#[tokio::test(start_paused = true)]
async fn a_canary_token_leaks_nowhere_during_a_fault_soak_at_trace_level() {
    let (captured, _guards) = capture(tracing::Level::TRACE);

    let fleet = soak_fleet(CANARY, soak::FLAKY_AT_25).await;
    let soak = run_soak(fleet, CANARY, soak::FLAKY_AT_25, soak::SEED).await;
    soak.check();

    let logs = captured.text();
    let lines = logs.lines().count();
    assert!(lines > 1000, "TRACE logs were captured: {lines} lines");
    assert_clean("the logs", &logs);
    for run in &soak.runs {
        match &run.result {
            Ok(report) => {
                assert_clean("the JSON report", &serde_json::to_string(report).unwrap());
                assert_clean("the report's Debug", &format!("{report:?}"));
                assert_clean("the table", &report.table());
            }
            Err(line) => assert_clean("a setup error", line),
        }
        for req in &run.log {
            let url = format!("{}?{}", req.path, req.query.as_deref().unwrap_or_default());
            assert_clean("a URL the server saw", &url);
            assert_eq!(req.auth_scheme.as_deref(), Some("token"), "{req:?}");
        }
    }

    let client = run::connect(&soak.fleet.config, Token::new(CANARY)).unwrap();
    assert_clean("the client's Debug", &format!("{client:?}"));
    soak.fleet.fake.faults().add(FaultRule::new(
        Match::any(),
        Trigger::Always,
        Fault::proxy_html(502),
    ));
    let err = run::propagate_with(
        &client,
        &soak.fleet.config,
        &RunOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap_err();
    assert_clean("a setup error's Display", &err.to_string());
    assert_clean("a setup error's Debug", &format!("{err:?}"));
    let err = client.get_repo("platform", "svc-000").await.unwrap_err();
    assert_clean("a client error's Display", &err.to_string());
    assert_clean("a client error's Debug", &format!("{err:?}"));
    assert_clean("the logs", &captured.text());
}
