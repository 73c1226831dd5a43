//! The `gitea-fake` binary: prints its base URL and the seeded repositories, then serves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn binary_seeds_the_demo_fleet_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gitea-fake"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--fleet",
            "demo",
            "--token",
            "TOKEN",
            "--token",
            "DOC:write:repository,read:organization",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.contains("token(s) registered");
        lines.push(line);
        if done {
            break;
        }
    }
    let text = lines.join("\n");
    let base = lines[0].rsplit(' ').next().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{text}");
    for repo in [
        "platform/runtime",
        "platform/checkout (Behind)",
        "platform/inventory (Orphan)",
    ] {
        assert!(text.contains(repo), "{text}");
    }
    assert!(!text.contains("TOKEN"), "the token is never printed");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = |token: &'static str, path: &'static str| {
        rt.block_on(async {
            reqwest::Client::new()
                .get(format!("{base}/api/v1/repos/platform/checkout{path}"))
                .header("Authorization", format!("token {token}"))
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    assert_eq!(status("TOKEN", ""), 200);
    assert_eq!(
        status("TOKEN", "/labels"),
        200,
        "a bare token has scope `all`"
    );
    assert_eq!(status("DOC", ""), 200);
    assert_eq!(status("DOC", "/labels"), 403, "labels need read:issue");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn unknown_token_scope_is_a_clap_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_gitea-fake"))
        .args(["--listen", "127.0.0.1:0", "--token", "T:write:repo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid access token scope: write:repo"),
        "{err}"
    );
}

#[test]
fn bad_listen_address_is_a_clap_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_gitea-fake"))
        .args(["--listen", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
