//! The real binary: exit codes, one-line errors on stderr, and a canary token at `-vvv`.
//!
//! Usage errors need no server. The others start gitea-fake on a multi-thread runtime in this
//! process and run `xtask propagate` against it; no test sleeps.

use std::{
    path::PathBuf,
    process::{Command, Output},
};

use gitea_fake::{
    FakeGitea, Fault, FaultRule, Match, Scope, Trigger,
    fleet::{self, ConsumerState, FleetSpec},
};

pub(crate) const MINIMAL: &str = "gitea_url = \"https://gitea.example.com\"\npackage = \"platform-runtime\"\n[consumers]\nrepos = [\"platform/a\"]\n";

/// Writes `text` to a config file named after the test.
pub(crate) fn config_file(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `xtask propagate --config <file> <args>` with `token` in `GITEA_TOKEN` (or none).
pub(crate) fn propagate(config: &PathBuf, token: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.arg("propagate")
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("GITEA_TOKEN");
    if let Some(token) = token {
        cmd.env("GITEA_TOKEN", token);
    }
    cmd.output().unwrap()
}

/// Exit code 2, nothing on stdout, and exactly one line on stderr containing `needle`.
pub(crate) fn usage_error(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty(), "{output:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(needle), "{stderr:?} lacks {needle:?}");
}

fn version_error(name: &str, version: &str, needle: &str) {
    let config = config_file(name, MINIMAL);
    let output = propagate(&config, Some("t"), &["--version", version]);
    usage_error(&output, needle);
}

#[test]
fn version_invalid() {
    version_error("version-invalid", "1.5", "--version");
}

#[test]
fn version_with_a_v_prefix() {
    version_error("version-v", "v1.2.3", "--version");
}

#[test]
fn version_empty() {
    version_error("version-empty", "", "--version");
}

#[test]
fn version_with_build_metadata_is_refused_naming_the_accepted_form() {
    version_error(
        "version-build",
        "1.5.0+build.1",
        "--version: \"1.5.0+build.1\" is not a release version (build metadata \"+build.1\" is not accepted); write it as X.Y.Z, e.g. 1.5.0",
    );
}

#[test]
fn version_pre_release_is_refused_naming_the_accepted_form() {
    version_error(
        "version-rc",
        "1.5.0-rc.1",
        "--version: \"1.5.0-rc.1\" is not a release version (pre-release \"-rc.1\" is not accepted); write it as X.Y.Z, e.g. 1.5.0",
    );
}

fn config_error(name: &str, text: &str, needle: &str) {
    let config = config_file(name, text);
    usage_error(&propagate(&config, Some("t"), &[]), needle);
}

#[test]
fn config_malformed_toml() {
    config_error(
        "malformed",
        "gitea_url = \n[consumers",
        "line 2, column 11: unclosed table, expected `]`; the line: [consumers",
    );
}

#[test]
fn config_error_names_the_line_and_column_and_shows_the_line() {
    config_error(
        "located",
        &format!("{MINIMAL}[pull_request]\nlabels = \"dependencies\"\n"),
        "line 6, column 10: invalid type: string \"dependencies\", expected a sequence; the line: labels = \"dependencies\"",
    );
}

#[test]
fn config_title_with_an_unknown_placeholder_names_the_valid_ones() {
    config_error(
        "placeholder",
        &format!("{MINIMAL}[pull_request]\ntitle = \"Bump {{pkg}} to {{version}}\"\n"),
        "line 6, column 15: [pull_request] title: unknown placeholder {pkg}; the valid ones are {package}, {version}, {old_version}",
    );
}

#[test]
fn config_unknown_key() {
    config_error(
        "unknown-key",
        &format!("{MINIMAL}colour = \"blue\"\n"),
        "unknown field",
    );
}

#[test]
fn config_missing_gitea_url() {
    config_error(
        "missing-url",
        &MINIMAL.replace("gitea_url = \"https://gitea.example.com\"\n", ""),
        "missing `gitea_url`",
    );
}

#[test]
fn config_url_without_scheme() {
    config_error(
        "no-scheme",
        &MINIMAL.replace("https://gitea.example.com", "gitea.example.com"),
        "no scheme",
    );
}

#[test]
fn config_plain_http_to_a_non_loopback_host() {
    config_error(
        "plain-http",
        &MINIMAL.replace("https://", "http://"),
        "plain http",
    );
}

#[test]
fn token_missing() {
    let config = config_file("token-missing", MINIMAL);
    usage_error(&propagate(&config, None, &[]), "GITEA_TOKEN");
}

/// A fake on its own runtime with `consumers` in org `platform`, the bot's write token `token`,
/// and a config for it with a 1 ms retry base delay.
pub(crate) struct Served {
    pub(crate) fake: FakeGitea,
    /// Serves the fake; declared last so it outlives the handle.
    _runtime: tokio::runtime::Runtime,
    pub(crate) config: PathBuf,
}

pub(crate) fn serve(name: &str, token: &str, consumers: &[(&str, ConsumerState)]) -> Served {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let fake = runtime.block_on(FakeGitea::start()).unwrap();
    let spec = FleetSpec {
        consumers: consumers
            .iter()
            .map(|(n, s)| ((*n).to_owned(), *s))
            .collect(),
        ..fleet::demo_fleet_spec()
    };
    fleet::seed_fleet(fake.store(), &spec);
    fake.store().add_user(fleet::BOT);
    fake.store().add_org_member("platform", fleet::BOT);
    fake.store().add_token(token, fleet::BOT, Scope::Write);
    let repos: Vec<String> = consumers
        .iter()
        .map(|(n, _)| format!("\"platform/{n}\""))
        .collect();
    let text = format!(
        "gitea_url = \"{}\"\nruntime_repo = \"platform/runtime\"\npackage = \"platform-runtime\"\n[consumers]\nrepos = [{}]\n[retry]\nbase_delay_ms = 1\nmax_delay_ms = 4\n",
        fake.base_url(),
        repos.join(", ")
    );
    let config = config_file(name, &text);
    Served {
        fake,
        config,
        _runtime: runtime,
    }
}

#[test]
fn token_unknown_is_rejected_with_exit_2() {
    let served = serve(
        "token-unknown",
        "the-real-token",
        &[("a", ConsumerState::Behind)],
    );
    let output = propagate(&served.config, Some("not-the-token"), &[]);
    usage_error(&output, "rejected the token (401)");
    assert!(served.fake.store().pulls("platform", "a").is_empty());
}

/// Labels are issue routes in Gitea: a token with the other scopes stops the real binary
/// before any write, exit code 2, one line naming `read:issue`.
#[test]
fn a_token_missing_a_scope_stops_with_exit_2_in_one_line_naming_it() {
    let served = serve("scope-missing", "tok", &[("a", ConsumerState::Behind)]);
    let store = served.fake.store();
    store.create_label("platform", "a", "dependencies");
    let scopes: gitea_fake::TokenScopes = "write:repository,read:organization,read:user"
        .parse()
        .unwrap();
    store.add_token("no-issue", fleet::BOT, scopes);
    let mut text = std::fs::read_to_string(&served.config).unwrap();
    text.push_str("[pull_request]\nlabels = [\"dependencies\"]\n");
    let config = config_file("scope-missing-labels", &text);
    for args in [&[][..], &["--dry-run"][..]] {
        let output = propagate(&config, Some("no-issue"), args);
        usage_error(&output, "lacks scope read:issue ([pull_request] labels)");
    }
    assert!(store.pulls("platform", "a").is_empty());
    assert_eq!(store.branches("platform", "a"), ["main"]);
}

#[test]
fn exit_0_when_every_consumer_settles() {
    use ConsumerState::*;
    let served = serve(
        "exit-0",
        "tok",
        &[("a", Behind), ("b", UpToDate), ("c", Orphan)],
    );
    let output = propagate(&served.config, Some("tok"), &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(served.fake.store().pulls("platform", "a").len(), 1);
}

#[test]
fn exit_1_when_a_consumer_conflicts_or_fails() {
    use ConsumerState::*;
    let served = serve("exit-1", "tok", &[("a", Behind), ("b", ForeignBranch)]);
    let output = propagate(&served.config, Some("tok"), &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(served.fake.store().pulls("platform", "a").len(), 1);
}

/// Writes `token` to a file named after the test with `mode`.
#[cfg(unix)]
fn token_file(name: &str, token: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}.token"));
    std::fs::write(&path, format!("{token}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

#[cfg(unix)]
#[test]
fn a_token_file_open_to_group_or_others_is_refused_like_ssh() {
    let config = config_file("token-file-open", MINIMAL);
    for mode in [0o644, 0o640, 0o604, 0o660] {
        let file = token_file("open", "t", mode);
        let output = propagate(&config, None, &["--token-file", file.to_str().unwrap()]);
        usage_error(&output, &format!("mode {mode:04o}"));
        usage_error(&output, &format!("run chmod 600 {}", file.display()));
    }
}

#[cfg(unix)]
#[test]
fn a_private_token_file_is_used() {
    let served = serve("token-file-private", "tok", &[("a", ConsumerState::Behind)]);
    let file = token_file("private", "tok", 0o600);
    let args = ["--token-file", file.to_str().unwrap()];
    let output = propagate(&served.config, None, &args);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(served.fake.store().pulls("platform", "a").len(), 1);
}

#[test]
fn allow_insecure_http_warns_once_on_stderr() {
    let served = serve("insecure-http", "tok", &[("a", ConsumerState::Behind)]);
    let text = std::fs::read_to_string(&served.config).unwrap();
    let config = config_file(
        "insecure-http-on",
        &format!("allow_insecure_http = true\n{text}"),
    );
    let output = propagate(&config, Some("tok"), &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("allow_insecure_http") && warnings[0].contains("clear text"));

    let quiet = propagate(&served.config, Some("tok"), &[]);
    assert!(
        !String::from_utf8_lossy(&quiet.stderr).contains("warning:"),
        "{quiet:?}"
    );
}

const CANARY: &str = "canary-7c1d0e5b93a4f8e2";

#[test]
fn a_canary_token_is_never_printed_even_at_trace_level_under_faults() {
    let consumers: Vec<(String, ConsumerState)> = (0..40)
        .map(|i| (format!("svc-{i:02}"), ConsumerState::ALL[i % 13]))
        .collect();
    let named: Vec<(&str, ConsumerState)> =
        consumers.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let served = serve("canary", CANARY, &named);
    let faults = [
        Fault::status(503),
        Fault::proxy_html(502),
        Fault::Reset,
        Fault::status(401),
        Fault::apply_then(Fault::status(504)),
    ];
    for (i, fault) in faults.into_iter().enumerate() {
        served.fake.faults().add(FaultRule::new(
            Match::any().path("/api/v1/repos/**"),
            Trigger::Probability {
                p: 0.04,
                seed: 7 + i as u64,
            },
            fault,
        ));
    }
    let output = propagate(&served.config, Some(CANARY), &["-vvv", "--json"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stdout.contains(CANARY), "canary in stdout");
    assert!(!stderr.contains(CANARY), "canary in stderr");
    assert!(
        stderr.lines().count() > 40,
        "-vvv logs: {} lines",
        stderr.lines().count()
    );
    let fired: u64 = served.fake.faults().fired().iter().sum();
    assert!(fired > 0, "faults were injected");
    for req in served.fake.requests() {
        let url = format!("{}?{}", req.path, req.query.unwrap_or_default());
        assert!(!url.contains(CANARY), "canary in {url}");
        assert_eq!(req.auth_scheme.as_deref(), Some("token"));
    }
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("the JSON report");
    let attention = report["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| matches!(c["outcome"].as_str(), Some("failed" | "conflict")));
    // An injected 401 stops the run at its first occurrence (a token problem, exit 2).
    let expected = match report["stopped"]["reason"].as_str() {
        Some("unauthorized" | "missing-scope") => 2,
        Some(other) => panic!("stopped for {other}: {stderr}"),
        None => i32::from(attention),
    };
    assert_eq!(output.status.code(), Some(expected), "{stderr}");
}
