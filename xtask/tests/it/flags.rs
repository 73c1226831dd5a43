//! The run-control flags through the real binary: `--deadline` and `--max-rps`.

use crate::cli::{MINIMAL, config_file, propagate};

/// Exit code 2 with `needle` on the first line of stderr; nothing on stdout.
fn refused(args: &[&str], needle: &str) {
    let config = config_file(&format!("flags-{}", args.join("-")), MINIMAL);
    let output = propagate(&config, Some("t"), args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty(), "{output:?}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains(needle), "{first:?} lacks {needle:?}");
}

#[test]
fn deadline_without_a_unit_is_refused_saying_how_to_write_it() {
    refused(
        &["--deadline", "90"],
        "has no unit; write it as 90s, 30m, 2h or 1h30m",
    );
    refused(&["--deadline", "0s"], "is zero");
}

#[test]
fn max_rps_too_low_for_the_jobs_is_refused_before_any_request() {
    refused(
        &["--max-rps", "1", "--jobs", "64"],
        "use --jobs 15 or fewer",
    );
    refused(&["--max-rps", "0"], "--max-rps");
}
