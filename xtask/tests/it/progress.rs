//! Progress through the real binary. Without a terminal, discovery says the pages it fetched,
//! and the consumer lines count consumers only (a listed repository without a version file is
//! not one), so the last line reads `[N/N]` for the N consumers, after about a hundred lines. On
//! a terminal (a pseudo-terminal from util-linux's `script`), the bar is drawn and log lines
//! never land on its line.

use gitea_fake::fleet::ConsumerState;

use crate::cli::{propagate, serve};

const TOKEN: &str = "progress-token";

#[test]
fn without_a_terminal_discovery_shows_pages_and_the_lines_count_consumers_only() {
    let names: Vec<String> = (0..150).map(|i| format!("svc-{i:03}")).collect();
    // Every fifth repository of the org pins the runtime but has no version file: no consumer.
    let consumers: Vec<(&str, ConsumerState)> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let state = if i % 5 == 0 {
                ConsumerState::MissingVersionFile
            } else {
                ConsumerState::Behind
            };
            (name.as_str(), state)
        })
        .collect();
    let served = serve("progress-lines", TOKEN, &consumers);
    let text = std::fs::read_to_string(&served.config).unwrap();
    let (head, rest) = text.split_once("repos = [").unwrap();
    let (_, tail) = rest.split_once(']').unwrap();
    std::fs::write(&served.config, format!("{head}orgs = [\"platform\"]{tail}")).unwrap();

    let output = propagate(&served.config, Some(TOKEN), &["--json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["consumers"].as_array().unwrap().len(),
        120,
        "{stderr}"
    );

    // 151 repositories (the runtime's own included) at the fake's 50 a page: 4 pages.
    assert!(
        stderr.contains("discovering org platform: 1 page(s), 50 repositories\n"),
        "{stderr}"
    );
    assert!(stderr.contains("150 repositories to visit\n"), "{stderr}");
    let counts: Vec<(usize, usize)> = stderr
        .lines()
        .filter_map(|line| {
            let (count, _) = line.strip_prefix('[')?.split_once("] ")?;
            let (done, total) = count.split_once('/')?;
            Some((done.parse().ok()?, total.parse().ok()?))
        })
        .collect();
    assert!(
        counts.iter().all(|(done, total)| done <= total),
        "{counts:?}"
    );
    assert_eq!(counts.last(), Some(&(120, 120)), "{stderr}");
    assert!((50..=101).contains(&counts.len()), "{} lines", counts.len());
}

/// The line segments a terminal would show (split at carriage returns and newlines).
fn segments(raw: &str) -> Vec<&str> {
    raw.split(['\r', '\n']).collect()
}

#[test]
fn on_a_terminal_the_bar_is_drawn_and_log_lines_never_share_its_line() {
    let demo = format!("{} demo", env!("CARGO_BIN_EXE_xtask"));
    let run = std::process::Command::new("script")
        .args(["--quiet", "--return", "--command", &demo, "/dev/null"])
        .output();
    let output = match run {
        Ok(output) => output,
        Err(err) => {
            eprintln!("skipped: util-linux's `script` cannot run here ({err})");
            return;
        }
    };
    let raw = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{raw}");
    let bar = |segment: &str| segment.contains('\u{2588}') || segment.contains('\u{2591}');
    assert!(
        segments(&raw).iter().any(|s| bar(s) && s.contains("14/14")),
        "no bar reached 14/14: {raw}"
    );
    // The demo's fake answers the first three PR POSTs with a 503, each retried with a WARN
    // line while the bar is on screen.
    let warnings: Vec<&str> = segments(&raw)
        .into_iter()
        .filter(|s| s.contains("retrying after status 503"))
        .collect();
    assert_eq!(warnings.len(), 3, "{raw}");
    for line in warnings {
        assert!(!bar(line), "a log line landed on the bar's line: {line:?}");
    }
    assert!(
        raw.contains("self-check: all 14 consumers reached the outcome"),
        "{raw}"
    );
}
