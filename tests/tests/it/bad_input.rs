//! The bad-input matrix, through the library against real sockets: for each bad input, one line
//! that says what is wrong, the exit code the command line would give, no write, no panic.
//! Usage errors (versions, config, a missing token) are run through the binary in
//! `xtask/tests/cli.rs`.

use crate::common::*;
use cascade::{
    config::Config,
    repo::RepoName,
    report::{ConsumerResult, Outcome, Report, StopReason},
    run::{self, RunOptions},
};
use gitea_api::Token;
use gitea_fake::{Fault, FaultRule, Match, RepoOptions, Scope, Trigger, fleet::ConsumerState::*};
use loopback::{Reply, Server};

const APP: &str = "platform/app";

/// A fleet with one hand-made consumer, `platform/app`, holding `files` on `main`.
async fn app_with(files: &[(&str, &[u8])]) -> Fleet {
    let mut fleet = fleet(&[]).await;
    let store = fleet.fake.store();
    store.create_repo("platform", "app", RepoOptions::default());
    store.create_label("platform", "app", "dependencies");
    store
        .commit_files("platform", "app", "main", files, "seed")
        .unwrap();
    fleet.config.consumers.repos = vec![RepoName::parse(APP).unwrap()];
    fleet
}

fn row<'a>(report: &'a Report, repo: &str) -> &'a ConsumerResult {
    report.consumers.iter().find(|r| r.repo == repo).unwrap()
}

/// The consumer failed with a one-line detail containing `needle`; the run exits 1.
fn failed_with(report: &Report, repo: &str, needle: &str) {
    let row = row(report, repo);
    assert_eq!(row.outcome, Outcome::Failed, "{row:?}");
    let detail = row.detail.as_deref().unwrap_or_default();
    assert!(detail.contains(needle), "{detail:?} lacks {needle:?}");
    assert!(!detail.contains('\n'), "{detail:?}");
    assert_eq!(report.exit_code(), 1);
}

/// No bump branch and no PR in `repo`.
fn untouched(fleet: &Fleet, repo: &str) {
    let (owner, name) = repo.split_once('/').unwrap();
    let store = fleet.fake.store();
    assert!(!store.branches(owner, name).iter().any(|b| b == BRANCH));
    assert!(store.pulls(owner, name).is_empty());
}

/// A setup error: one line containing `needle`, exit code 2, nothing written.
async fn setup_fails(fleet: &Fleet, token: &str, needle: &str) {
    let client = run::connect(&fleet.config, Token::new(token)).unwrap();
    let err = run::propagate_with(&client, &fleet.config, &RunOptions::default(), &mut |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(needle), "{err:?} lacks {needle:?}");
    assert!(!err.contains('\n'), "{err:?}");
    assert_eq!(writes(&fleet.fake.requests()), Vec::<&_>::new());
}

const PIN: &[u8] = b"requests==2.32.3\nplatform-runtime==1.4.2\n";

// Token and permissions.

#[tokio::test(start_paused = true)]
async fn token_unknown_is_a_401_at_preflight() {
    let fleet = fleet(&[("a", Behind)]).await;
    setup_fails(&fleet, "not-a-known-token", "rejected the token (401)").await;
}

#[tokio::test(start_paused = true)]
async fn token_without_write_scope_stops_the_run_in_one_line_before_any_write() {
    let fleet = fleet(&[("a", Behind)]).await;
    let scopes: gitea_fake::TokenScopes = "read:repository,read:organization,read:user"
        .parse()
        .unwrap();
    fleet
        .fake
        .store()
        .add_token("read-only", xtask::demo::DEMO_USER, scopes);
    setup_fails(&fleet, "read-only", "lacks scope write:repository").await;
    untouched(&fleet, "platform/a");
}

/// Gitea before 1.24 has no read that needs the write scope, so the preflight cannot see a
/// missing `write:repository`: the first refused commit stops the run.
#[tokio::test(start_paused = true)]
async fn token_read_only_stops_the_run_at_the_first_403_naming_a_missing_scope() {
    let names: Vec<String> = (0..30).map(|i| format!("svc-{i:02}")).collect();
    let named: Vec<(&str, _)> = names.iter().map(|n| (n.as_str(), Behind)).collect();
    let old = gitea_fake::FakeGitea::builder()
        .version("1.21.0")
        .start()
        .await;
    let fleet = fleet_on(old.unwrap(), &named);
    let store = fleet.fake.store();
    store.add_token("read-only", xtask::demo::DEMO_USER, Scope::Read);
    let client = run::connect(&fleet.config, Token::new("read-only")).unwrap();
    let options = RunOptions {
        jobs: 4,
        ..RunOptions::default()
    };
    let report = run::propagate_with(&client, &fleet.config, &options, &mut |_| {})
        .await
        .unwrap();
    let stopped = report.stopped.as_ref().expect("the run stopped");
    assert_eq!(stopped.reason, StopReason::MissingScope);
    assert!(stopped.cause.contains("required scope"), "{stopped:?}");
    assert_eq!(report.exit_code(), 2);
    let line = report.stop_line().unwrap();
    assert!(
        !line.contains('\n') && line.ends_with("re-run to continue"),
        "{line}"
    );
    let failed = report.summary.get(&Outcome::Failed).copied().unwrap_or(0);
    assert!(
        (1..=4).contains(&failed),
        "only those in flight: {report:#?}"
    );
    assert_eq!(
        report.summary.get(&Outcome::NotAttempted).copied(),
        Some(30 - failed),
        "{report:#?}"
    );
    for name in &names {
        untouched(&fleet, &format!("platform/{name}"));
    }
    let log = fleet.fake.requests();
    let tried = writes(&log);
    assert!(
        tried.len() == failed && tried.iter().all(|w| w.status == Some(403)),
        "one refused write per consumer in flight: {tried:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn repo_archived_is_skipped_without_a_write() {
    let fleet = fleet(&[("a", Archived)]).await;
    let report = propagate_default(&fleet).await;
    assert_eq!(outcome_of(&report, "platform/a"), Outcome::Skipped);
    assert_eq!(writes(&fleet.fake.requests()), Vec::<&_>::new());
    assert_eq!(report.exit_code(), 0);
}

#[tokio::test(start_paused = true)]
async fn repo_archived_after_it_was_read_fails_the_write_with_423() {
    let fleet = fleet(&[("a", Behind)]).await;
    fleet.fake.faults().add(FaultRule::new(
        Match::any()
            .method("POST")
            .path("/api/v1/repos/*/*/contents"),
        Trigger::Always,
        Fault::status(423),
    ));
    let report = propagate_default(&fleet).await;
    failed_with(&report, "platform/a", "HTTP 423");
    untouched(&fleet, "platform/a");
}

#[tokio::test(start_paused = true)]
async fn repo_unknown_fails_that_consumer_with_404_and_not_the_others() {
    let mut fleet = fleet(&[("a", Behind)]).await;
    fleet
        .config
        .consumers
        .repos
        .push(RepoName::parse("platform/ghost").unwrap());
    let report = propagate_default(&fleet).await;
    failed_with(&report, "platform/ghost", "HTTP 404");
    assert_eq!(outcome_of(&report, "platform/a"), Outcome::Created);
}

#[tokio::test(start_paused = true)]
async fn org_unknown_is_a_setup_error() {
    let mut fleet = fleet(&[("a", Behind)]).await;
    fleet.config.consumers.orgs = vec!["ghost-org".to_owned()];
    setup_fails(
        &fleet,
        xtask::demo::DEMO_TOKEN,
        "cannot list the repositories of org",
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn repo_empty_is_skipped_without_a_write() {
    let fleet = fleet(&[("a", Empty)]).await;
    let report = propagate_default(&fleet).await;
    let row = row(&report, "platform/a");
    assert_eq!(row.outcome, Outcome::Skipped);
    assert_eq!(row.detail.as_deref(), Some("empty repository"));
    assert_eq!(writes(&fleet.fake.requests()), Vec::<&_>::new());
}

// File contents.

#[tokio::test(start_paused = true)]
async fn runtime_version_not_utf8_fails_the_consumer() {
    let fleet = app_with(&[
        ("runtime-version", b"1.4.\xff\n"),
        ("requirements.txt", PIN),
    ])
    .await;
    let report = propagate_default(&fleet).await;
    failed_with(&report, APP, "runtime-version is not UTF-8");
    untouched(&fleet, APP);
}

#[tokio::test(start_paused = true)]
async fn runtime_version_over_one_mib_fails_the_consumer() {
    let mut big = b"1.4.2\n".to_vec();
    big.resize(1024 * 1024 + 1, b' ');
    let fleet = app_with(&[("runtime-version", &big), ("requirements.txt", PIN)]).await;
    let report = propagate_default(&fleet).await;
    failed_with(
        &report,
        APP,
        "\"runtime-version\" (1048577 bytes) is over the 1 MiB limit",
    );
    untouched(&fleet, APP);
}

#[tokio::test(start_paused = true)]
async fn requirements_over_one_mib_fail_the_consumer() {
    let mut big = PIN.to_vec();
    big.resize(1024 * 1024 + 1, b'\n');
    let fleet = app_with(&[("runtime-version", b"1.4.2\n"), ("requirements.txt", &big)]).await;
    let report = propagate_default(&fleet).await;
    failed_with(
        &report,
        APP,
        "\"requirements.txt\" (1048577 bytes) is over the 1 MiB limit for a file read",
    );
    untouched(&fleet, APP);
}

#[tokio::test(start_paused = true)]
async fn runtime_version_of_the_release_invalid_is_a_setup_error() {
    let mut fleet = fleet(&[("a", Behind)]).await;
    fleet
        .fake
        .store()
        .commit_files(
            "platform",
            "runtime",
            "main",
            &[("runtime-version", b"v1.5.0\n")],
            "oops",
        )
        .unwrap();
    fleet.config.retry = retry_policy::Policy::default();
    setup_fails(
        &fleet,
        xtask::demo::DEMO_TOKEN,
        "cannot read the release version from platform/runtime",
    )
    .await;
}

/// Runs `platform/app` with `requirements` and returns its row and the file on the bump branch.
async fn bump_requirements(requirements: &[u8]) -> (ConsumerResult, Vec<u8>) {
    let fleet = app_with(&[
        ("runtime-version", b"1.4.2\n"),
        ("requirements.txt", requirements),
    ])
    .await;
    let report = propagate_default(&fleet).await;
    let row = row(&report, APP).clone();
    assert_eq!(row.outcome, Outcome::Created, "{row:?}");
    assert_eq!(
        fleet
            .fake
            .store()
            .file("platform", "app", BRANCH, "runtime-version"),
        Some(b"1.5.0\n".to_vec())
    );
    let file = fleet
        .fake
        .store()
        .file("platform", "app", BRANCH, "requirements.txt")
        .unwrap();
    (row, file)
}

#[tokio::test(start_paused = true)]
async fn requirements_crlf_keeps_every_line_ending() {
    let (_, file) = bump_requirements(b"requests==2.32.3\r\nplatform-runtime==1.4.2\r\n").await;
    assert_eq!(file, b"requests==2.32.3\r\nplatform-runtime==1.5.0\r\n");
}

#[tokio::test(start_paused = true)]
async fn requirements_without_a_pin_are_left_alone_and_said_so() {
    let (row, file) = bump_requirements(b"requests==2.32.3\nplatform-runtime\n").await;
    assert_eq!(file, b"requests==2.32.3\nplatform-runtime\n");
    let detail = row.detail.unwrap();
    assert!(
        detail.contains("lists platform-runtime without a version"),
        "{detail}"
    );
}

#[tokio::test(start_paused = true)]
async fn requirements_with_a_ge_specifier_are_left_alone_and_said_so() {
    let (row, file) = bump_requirements(b"platform-runtime>=1.4\n").await;
    assert_eq!(file, b"platform-runtime>=1.4\n");
    assert!(row.detail.unwrap().contains("not an == pin"));
}

#[tokio::test(start_paused = true)]
async fn requirements_with_another_name_normalisation_are_rewritten() {
    let (_, file) = bump_requirements(b"PLATFORM.runtime[fast]==1.4.2  # pinned\n").await;
    assert_eq!(file, b"PLATFORM.runtime[fast]==1.5.0  # pinned\n");
}

// Server replies.

#[tokio::test(start_paused = true)]
async fn reply_html_error_page_fails_the_consumer_naming_the_status() {
    let fleet = fleet(&[("a", Behind)]).await;
    fleet.fake.faults().add(FaultRule::new(
        Match::any().method("GET").path("/api/v1/repos/platform/a"),
        Trigger::Always,
        Fault::proxy_html(502),
    ));
    let report = propagate_default(&fleet).await;
    failed_with(&report, "platform/a", "HTTP 502 with a non-JSON body");
    untouched(&fleet, "platform/a");
}

#[tokio::test(start_paused = true)]
async fn reply_truncated_body_fails_the_consumer_as_a_transport_error() {
    let fleet = fleet(&[("a", Behind)]).await;
    fleet.fake.faults().add(FaultRule::new(
        Match::any().method("GET").path("/api/v1/repos/platform/a"),
        Trigger::Always,
        Fault::TruncateBody,
    ));
    let report = propagate_default(&fleet).await;
    failed_with(&report, "platform/a", "transport error");
    untouched(&fleet, "platform/a");
}

/// A config for a raw server with one consumer, `platform/app`.
fn raw_config(base_url: &str, consumers: &str) -> Config {
    let text = format!("gitea_url = \"{base_url}\"\npackage = \"platform-runtime\"\n{consumers}");
    Config::parse(&text, "raw.toml").unwrap()
}

const VERSION: &str = "{\"version\":\"1.26.4\"}";

async fn raw_run(server: &Server, consumers: &str) -> Report {
    let config = raw_config(server.base_url(), consumers);
    let client = run::connect(&config, Token::new("raw-server-token-5d41")).unwrap();
    let options = RunOptions {
        version: Some(cascade::version::RuntimeVersion::parse(NEW).unwrap()),
        ..RunOptions::default()
    };
    run::propagate_with(&client, &config, &options, &mut |_| {})
        .await
        .unwrap()
}

const ONE_REPO: &str = "[consumers]\nrepos = [\"platform/app\"]";

#[tokio::test(start_paused = true)]
async fn reply_200_with_invalid_json_fails_the_consumer_naming_the_endpoint() {
    let server = Server::handler(|request| match request.target.as_str() {
        "/api/v1/version" => Reply::json(200, VERSION),
        _ => Reply::json(200, "{\"id\": 1, \"name\": "),
    })
    .await;
    let report = raw_run(&server, ONE_REPO).await;
    failed_with(
        &report,
        APP,
        "GET /repos/{owner}/{repo}: HTTP 200 body could not be decoded",
    );
    // The scope preflight could not tell whose the repository is, so it probed nothing there.
    assert!(server.requests().iter().all(|r| r.method == "GET"));
}

#[tokio::test(start_paused = true)]
async fn reply_redirect_loop_fails_the_consumer_at_the_first_hop() {
    let server = Server::handler(|request| match request.target.as_str() {
        "/api/v1/version" => Reply::json(200, VERSION),
        other => Reply::json(302, "").header("Location", other.to_owned()),
    })
    .await;
    let report = raw_run(&server, ONE_REPO).await;
    let origin = server.base_url();
    failed_with(
        &report,
        APP,
        &format!("GET /repos/{{owner}}/{{repo}}: HTTP 302 redirect to {origin}, not followed"),
    );
    // No redirect was followed: the scope preflight's ownership check of the repository, the
    // token's user, then the consumer's own read, each sent once.
    assert_eq!(
        server.lines(),
        [
            "GET /api/v1/version",
            "GET /api/v1/repos/platform/app",
            "GET /api/v1/user",
            "GET /api/v1/repos/platform/app",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn reply_absurd_total_count_is_not_trusted() {
    let server = Server::handler(|request| match request.target.as_str() {
        "/api/v1/version" => Reply::json(200, VERSION),
        t if t.starts_with("/api/v1/orgs/platform/repos") => Reply::json(
            200,
            "[{\"id\":1,\"name\":\"app\",\"full_name\":\"platform/app\",\"owner\":{\"login\":\"platform\"},\"default_branch\":\"main\",\"empty\":true}]",
        )
        .header("X-Total-Count", "18446744073709551615"),
        _ => Reply::json(404, "{\"message\":\"not found\"}"),
    })
    .await;
    let report = raw_run(&server, "[consumers]\norgs = [\"platform\"]").await;
    assert!(report.consumers.is_empty(), "{report:#?}");
    // One first page for the scope preflight, one for discovery; never a page 2.
    let listings: Vec<_> = server
        .lines()
        .into_iter()
        .filter(|r| r.contains("/orgs/platform/repos"))
        .collect();
    assert_eq!(listings.len(), 2, "{listings:?}");
    assert!(
        listings.iter().all(|r| r.contains("page=1")),
        "{listings:?}"
    );
}

/// A repository as Gitea lists it, owned by `owner`.
fn repo_json(id: u32, full_name: &str, owner: &str) -> String {
    format!(
        "{{\"id\":{id},\"name\":\"app\",\"full_name\":\"{full_name}\",\"owner\":{{\"login\":\"{owner}\"}},\"default_branch\":\"main\",\"empty\":false}}"
    )
}

#[tokio::test(start_paused = true)]
async fn reply_org_listing_repositories_owned_elsewhere_skips_them_unread() {
    let listing = format!(
        "[{},{},{}]",
        repo_json(1, "victim/app", "victim"),
        repo_json(2, "platform/app", "victim"),
        repo_json(3, "victim/other", "platform"),
    );
    let server = Server::handler(move |request| match request.path() {
        "/api/v1/version" => Reply::json(200, VERSION),
        "/api/v1/orgs/platform/repos" => Reply::json(200, listing.clone()),
        _ => Reply::json(404, "{\"message\":\"not found\"}"),
    })
    .await;
    let (logs, _guards) = crate::common::logs::capture(tracing::Level::WARN);
    let report = raw_run(&server, "[consumers]\norgs = [\"platform\"]").await;
    assert!(report.consumers.is_empty(), "{report:#?}");
    let warnings = logs.text();
    for skipped in [
        "victim/app is owned by victim, not platform",
        "platform/app is owned by victim, not platform",
        "victim/other is owned by victim, not platform",
    ] {
        assert!(warnings.contains(skipped), "{warnings}");
    }
    // The listing twice (the scope preflight's first page, then discovery), the token's user,
    // and none of the listed repositories: the preflight probes only the org's own.
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/v1/version",
            "/api/v1/orgs/platform/repos",
            "/api/v1/user",
            "/api/v1/orgs/platform/repos"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn reply_a_listed_repository_now_owned_elsewhere_is_skipped_and_not_touched() {
    let server = Server::handler(|request| match request.path() {
        "/api/v1/version" => Reply::json(200, VERSION),
        "/api/v1/repos/platform/app" => {
            Reply::json(200, repo_json(1, "elsewhere/app", "elsewhere"))
        }
        _ => Reply::json(404, "{\"message\":\"not found\"}"),
    })
    .await;
    let report = raw_run(&server, ONE_REPO).await;
    let row = row(&report, APP);
    assert_eq!(row.outcome, Outcome::Skipped, "{row:?}");
    assert_eq!(
        row.detail.as_deref(),
        Some("elsewhere/app is owned by elsewhere, not platform; not touched")
    );
    // The repository itself twice (the scope preflight's ownership check, then the consumer's),
    // the token's user, and nothing of the repository's contents.
    assert_eq!(
        server.lines(),
        [
            "GET /api/v1/version",
            "GET /api/v1/repos/platform/app",
            "GET /api/v1/user",
            "GET /api/v1/repos/platform/app",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn reply_hostile_text_is_escaped_and_the_token_redacted_in_table_json_and_logs() {
    const CANARY: &str = "canary-hostile-7e1f0c";
    let server = Server::handler(|request| match request.path() {
        "/api/v1/version" => Reply::json(200, VERSION),
        "/api/v1/repos/platform/app" => {
            let echoed = request.header("authorization").unwrap_or_default();
            let login = format!("evil\u{1b}]0;{echoed}\u{7}\u{1b}[2J\u{202e}txt");
            let body = serde_json::json!({
                "id": 1, "name": "app", "full_name": "elsewhere/app\u{1b}[31m",
                "owner": {"login": login}, "default_branch": "main", "empty": false,
            });
            Reply::json(200, body.to_string())
        }
        _ => Reply::json(404, "{\"message\":\"not found\"}"),
    })
    .await;
    let (logs, _guards) = crate::common::logs::capture(tracing::Level::INFO);
    let config = raw_config(server.base_url(), ONE_REPO);
    let client = run::connect(&config, Token::new(CANARY)).unwrap();
    let options = RunOptions {
        version: Some(cascade::version::RuntimeVersion::parse(NEW).unwrap()),
        ..RunOptions::default()
    };
    let report = run::propagate_with(&client, &config, &options, &mut |_| {})
        .await
        .unwrap();
    let detail = row(&report, APP).detail.clone().unwrap_or_default();
    assert!(
        detail.starts_with("elsewhere/app\\u{1b}[31m is owned by evil\\u{1b}]0;token ***\\u{7}"),
        "{detail}"
    );
    let shown = [
        ("the detail", detail),
        ("the table", report.table()),
        ("the JSON", serde_json::to_string(&report).unwrap()),
        ("the logs", logs.text()),
    ];
    for (what, text) in shown {
        assert!(!text.contains(CANARY), "the token in {what}: {text}");
        for c in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(!text.contains(c), "{c:?} in {what}: {text}");
        }
    }
    assert!(
        logs.text().contains("is owned by evil"),
        "the warning was logged"
    );
}
