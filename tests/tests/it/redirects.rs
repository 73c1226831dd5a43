//! A redirect on any request of a run, to another origin that bounces once to itself, sends
//! nothing there: not the token, not the commit, not the PR. The consumer fails naming the
//! target's origin and `gitea_url`, and the redirected request is not retried.

use cascade::report::Outcome;
use gitea_fake::{Fault, FaultRule, Match, Trigger, fleet::ConsumerState::Behind};
use loopback::{Reply, Server};

use crate::common::*;

const CODES: [u16; 5] = [301, 302, 303, 307, 308];

/// The requests of one consumer that a proxy in front of Gitea redirects: a read, the commit
/// and the PR POST.
const STAGES: [(&str, &str); 3] = [
    ("GET", "/api/v1/repos/platform/a"),
    ("POST", "/api/v1/repos/platform/a/contents"),
    ("POST", "/api/v1/repos/platform/a/pulls"),
];

/// The other origin: it bounces once to itself, then accepts anything.
async fn other_origin(status: u16) -> Server {
    Server::handler(move |request| match request.path() {
        "/bounced" => Reply::json(201, "{}"),
        _ => Reply::redirect(status, format!("{}/bounced", request.origin)),
    })
    .await
}

#[tokio::test(start_paused = true)]
async fn a_redirect_on_a_read_the_commit_or_the_pr_post_sends_nothing_elsewhere() {
    for status in CODES {
        for (method, path) in STAGES {
            let case = format!("HTTP {status} on {method} {path}");
            let fleet = fleet(&[("a", Behind)]).await;
            let other = other_origin(status).await;
            fleet.fake.faults().add(FaultRule::new(
                Match::any().method(method).path(path),
                Trigger::Always,
                Fault::redirect(status, other.url(path)),
            ));
            let report = propagate_default(&fleet).await;

            let row = &report.consumers[0];
            assert_eq!(row.outcome, Outcome::Failed, "{case}: {row:?}");
            let detail = row.detail.as_deref().unwrap_or_default();
            let origin = format!("redirect to {},", other.base_url());
            assert!(detail.contains(&origin), "{case}: {detail}");
            assert!(detail.contains("gitea_url"), "{case}: {detail}");
            assert!(!detail.contains("/api/v1"), "{case}: {detail}");

            assert_eq!(
                other.lines(),
                Vec::<String>::new(),
                "{case} reached the other origin"
            );
            let log = fleet.fake.requests();
            assert_eq!(calls_to(&log, method, path), 1, "{case} was retried");
            assert!(bump_prs(&fleet.fake, "platform/a").is_empty(), "{case}");
            let branches = fleet.fake.store().branches("platform", "a");
            let branch_written = branches.iter().any(|b| b == BRANCH);
            assert_eq!(
                branch_written,
                path.ends_with("/pulls"),
                "{case}: {branches:?}"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_redirect_of_the_preflight_is_a_setup_error_naming_the_origin() {
    let fleet = fleet(&[("a", Behind)]).await;
    let other = other_origin(308).await;
    fleet.fake.faults().add(FaultRule::new(
        Match::any().method("GET").path("/api/v1/version"),
        Trigger::Always,
        Fault::redirect(308, other.url("/api/v1/version?token=x")),
    ));
    let err = cascade::run::propagate_with(
        &client(&fleet),
        &fleet.config,
        &cascade::run::RunOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(&format!("HTTP 308 redirect to {},", other.base_url())),
        "{err}"
    );
    assert!(
        err.contains("gitea_url") && !err.contains("token=x"),
        "{err}"
    );
    assert_eq!(other.lines(), Vec::<String>::new());
    assert_eq!(writes(&fleet.fake.requests()), Vec::<&_>::new());
}
