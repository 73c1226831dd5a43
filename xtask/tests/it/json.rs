//! `--json` and `--output`: stdout is always one JSON document, the file is written whole.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use gitea_fake::fleet::ConsumerState::*;
use serde_json::Value;

use crate::cli::{MINIMAL, config_file, serve};

/// Runs `xtask <args>` with `GITEA_TOKEN=token`.
fn xtask(args: &[&str], token: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env_remove("RUST_LOG")
        .env("GITEA_TOKEN", token)
        .output()
        .unwrap()
}

/// Exit code 2, one `error: …` line on stderr, and stdout exactly `{"error": <that line>}`.
fn json_error(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let doc: Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    let message = doc["error"].as_str().expect("an error string").to_owned();
    assert_eq!(doc.as_object().unwrap().len(), 1, "{doc}");
    assert!(stderr.contains(&message), "{stderr:?} vs {message:?}");
    message
}

fn dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("json-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names in `dir`, to see that no temporary file was left behind.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn json_config_error_is_one_error_document_on_stdout() {
    let config = config_file("json-config-error", &format!("{MINIMAL}colour = 1\n"));
    let config = config.to_str().unwrap();
    for command in ["propagate", "drift"] {
        let output = xtask(&[command, "--config", config, "--json"], "t");
        let message = json_error(&output);
        assert!(message.contains("unknown field"), "{message}");
    }
}

#[test]
fn json_usage_error_from_the_command_line_is_one_error_document_on_stdout() {
    let output = xtask(&["propagate", "--json", "--jobs", "0"], "t");
    let message = json_error(&output);
    assert!(message.contains("--jobs"), "{message}");
    let config = config_file("json-usage", MINIMAL);
    let config = config.to_str().unwrap();
    let args = [
        "drift",
        "--config",
        config,
        "--json",
        "--version",
        "1.5.0-rc.1",
    ];
    let output = xtask(&args, "t");
    let message = json_error(&output);
    assert!(message.contains("pre-release"), "{message}");
}

#[test]
fn json_connection_error_is_one_error_document_on_stdout() {
    let served = serve("json-401", "the-token", &[("a", Behind)]);
    let config = served.config.to_str().unwrap();
    let output = xtask(&["propagate", "--config", config, "--json"], "wrong-token");
    assert!(json_error(&output).contains("rejected the token (401)"));
}

#[test]
fn output_file_gets_the_full_report_and_stdout_keeps_the_table() {
    let served = serve("json-output", "tok", &[("a", Behind), ("b", UpToDate)]);
    let dir = dir("output");
    let file = dir.join("report.json");
    std::fs::write(&file, "an older report").unwrap();
    let config = served.config.to_str().unwrap();
    let args = [
        "propagate",
        "--config",
        config,
        "--output",
        file.to_str().unwrap(),
    ];
    let output = xtask(&args, "tok");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("REPOSITORY"), "{stdout}");
    assert!(stdout.contains("platform/a"), "{stdout}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(report["version"], "1.5.0");
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["gitea_url"], served.fake.base_url());
    let started = report["started_at"].as_str().unwrap();
    assert_eq!(started.len(), "2026-09-01T02:00:00.000Z".len(), "{started}");
    assert!(
        started.ends_with('Z') && started.as_bytes()[10] == b'T',
        "{started}"
    );
    assert!(report["duration_ms"].is_u64());
    let rows = report["consumers"].as_array().unwrap();
    assert_eq!(rows[0]["repo"], "platform/a");
    assert_eq!(rows[0]["outcome"], "created");
    assert_eq!(rows[0]["old_version"], "1.4.2");
    assert_eq!(rows[1]["old_version"], "1.5.0");
    assert_eq!(entries(&dir), ["report.json"]);
}

#[test]
fn output_file_of_a_dry_run_says_so() {
    let served = serve("json-dry", "tok", &[("a", Behind)]);
    let dir = dir("dry");
    let file = dir.join("dry.json");
    let config = served.config.to_str().unwrap();
    let file_arg = file.to_str().unwrap();
    let output = xtask(
        &[
            "propagate",
            "--config",
            config,
            "--dry-run",
            "--json",
            "--output",
            file_arg,
        ],
        "tok",
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let on_stdout: Value = serde_json::from_slice(&output.stdout).unwrap();
    let in_file: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(on_stdout, in_file);
    assert_eq!(in_file["dry_run"], true);
    assert!(String::from_utf8_lossy(&output.stderr).contains("would-create"));
}

#[test]
fn output_file_of_a_failed_setup_holds_the_error_document() {
    let dir = dir("setup-error");
    let file = dir.join("report.json");
    let config = config_file("json-output-error", "gitea_url = \n");
    let args = [
        "drift",
        "--config",
        config.to_str().unwrap(),
        "--output",
        file.to_str().unwrap(),
    ];
    let output = xtask(&args, "t");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "no --json: nothing on stdout");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(
        doc["error"].as_str().unwrap().starts_with("config "),
        "{doc}"
    );
    assert_eq!(entries(&dir), ["report.json"]);
}

#[test]
fn output_file_that_cannot_be_written_stops_the_run_before_any_write() {
    let served = serve("json-unwritable", "tok", &[("a", Behind)]);
    let missing = dir("unwritable").join("no-such-dir").join("report.json");
    let config = served.config.to_str().unwrap();
    let output = xtask(
        &[
            "propagate",
            "--config",
            config,
            "--json",
            "--output",
            missing.to_str().unwrap(),
        ],
        "tok",
    );
    let message = json_error(&output);
    assert!(message.starts_with("cannot write --output "), "{message}");
    assert!(served.fake.store().pulls("platform", "a").is_empty());
    assert!(served.fake.requests().is_empty(), "not even a read");
}
