//! Small inputs through the real binary: a busy port, `demo --serve`'s config file, and
//! `lint-workflows` on directories. The server test sends a real SIGINT.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

fn xtask() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.env_remove("RUST_LOG");
    cmd
}

fn dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("inputs-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn demo_on_a_busy_port_names_the_address() {
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    for args in [
        vec!["demo", "--serve", "--listen", &addr],
        vec!["demo", "--listen", &addr],
    ] {
        let output = xtask().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("error: cannot listen on {addr}: ")),
            "{stderr}"
        );
        assert!(stderr.contains("--listen 127.0.0.1:0"), "{stderr}");
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn demo_serve_never_overwrites_a_file_and_removes_only_its_own() {
    let tmp = dir("serve");
    let port = free_port();
    let mine = tmp.join(format!("runtime-cascade-demo-{port}.toml"));
    std::fs::write(&mine, "# my own edits\n").unwrap();
    let mut child = xtask()
        .args(["demo", "--serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("TMPDIR", &tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("Ctrl-C stops the server.");
        printed.push(line);
        if done {
            break;
        }
    }
    let printed = printed.join("\n");
    let theirs = tmp.join(format!("runtime-cascade-demo-{port}-2.toml"));
    assert!(
        printed.contains(&format!(
            "{} exists and is not this server's config; left as it is",
            mine.display()
        )),
        "{printed}"
    );
    assert!(
        printed.contains(&format!(
            "cargo xtask propagate --config {} --dry-run",
            theirs.display()
        )),
        "{printed}"
    );
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "# my own edits\n");
    let config = std::fs::read_to_string(&theirs).unwrap();
    assert!(
        config.contains(&format!("gitea_url = \"http://127.0.0.1:{port}\"")),
        "{config}"
    );

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "Ctrl-C is a clean stop");
    assert!(!theirs.exists(), "the server removes the config it created");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "# my own edits\n");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const LEAKY: &str =
    "jobs:\n  x:\n    steps:\n      - run: git clone https://bot:hunter2@gitea.example.com/a/b\n";

#[test]
fn lint_workflows_scans_a_directory_like_the_default() {
    let repo = dir("lint-repo");
    write(&repo.join(".gitea/workflows/release.yml"), LEAKY);
    write(&repo.join(".github/workflows/ci.yaml"), "on: push\n");
    write(&repo.join("notes.txt"), LEAKY);
    let output = xtask().arg("lint-workflows").arg(&repo).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let release = repo.join(".gitea/workflows/release.yml");
    assert_eq!(
        stdout.trim_end(),
        format!(
            "{}:4: password in URL user-info (use an Authorization header)",
            release.display()
        )
    );
    assert!(!stdout.contains("hunter2"));
    assert!(
        stderr.contains("2 file(s) scanned, 1 finding(s)"),
        "{stderr}"
    );

    let workflows = repo.join(".gitea/workflows");
    let output = xtask()
        .arg("lint-workflows")
        .arg(&workflows)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("1 file(s) scanned, 1 finding(s)"));
}

#[test]
fn lint_workflows_on_a_directory_without_workflows_says_so() {
    let empty = dir("lint-empty");
    let output = xtask().arg("lint-workflows").arg(&empty).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("no .yml or .yaml file there"), "{stderr}");
    assert!(
        stderr.contains("0 file(s) scanned, 0 finding(s)"),
        "{stderr}"
    );
}

#[test]
fn exclude_is_repeatable_and_takes_globs_as_only_does() {
    use gitea_fake::fleet::ConsumerState::Behind;
    let served = crate::cli::serve(
        "inputs-exclude",
        "tok",
        &[
            ("api-a", Behind),
            ("api-b", Behind),
            ("web", Behind),
            ("cron", Behind),
        ],
    );
    let output = xtask()
        .arg("propagate")
        .arg("--config")
        .arg(&served.config)
        .args(["--only", "platform/api-*", "--only", "platform/web"])
        .args(["--exclude", "platform/*-b", "--exclude", "platform/w?b"])
        .arg("--json")
        .env("GITEA_TOKEN", "tok")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let repos: Vec<&str> = report["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["repo"].as_str().unwrap())
        .collect();
    assert_eq!(repos, ["platform/api-a"]);
    assert!(served.fake.store().pulls("platform", "cron").is_empty());

    let output = xtask()
        .arg("drift")
        .arg("--config")
        .arg(&served.config)
        .args(["--exclude", "platform/nope-*"])
        .env("GITEA_TOKEN", "tok")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--exclude platform/nope-*: matches no consumer"),
        "{stderr}"
    );
}

#[test]
fn a_missing_config_file_says_which_and_what_to_do_in_one_line() {
    let dir = dir("missing-config");
    for args in [
        vec!["propagate", "--version", "1.5.0"],
        vec!["drift", "--config", "nowhere.toml"],
    ] {
        let output = xtask().args(&args).current_dir(&dir).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        let shown = if args[0] == "drift" {
            "nowhere.toml"
        } else {
            "propagate.toml"
        };
        assert!(
            stderr.starts_with(&format!("error: config {shown}: cannot read it: ")),
            "{stderr}"
        );
        assert!(
            stderr.contains("pass --config PATH, or start one from docs/examples/propagate.toml"),
            "{stderr}"
        );
    }
}
