//! Which requests are retried, and how failures look, against gitea-fake with injected faults.

mod common;

use std::time::Duration;

use common::{ORG, REPO, TOKEN, client, client_with, count, fake};
use gitea_api::{
    ChangeFileOperation, ChangeFiles, CreatePullRequest, Error, RetryScope, Token, UpdateFile,
};
use gitea_fake::{FakeGitea, Fault, FaultRule, Match, Trigger};
use retry_policy::TransportKind;

const HEAD: &str = "bump/runtime-1.3.0";
const PULLS: &str = "/api/v1/repos/platform/app/pulls";

fn fail(fake: &FakeGitea, method: &str, path: &str, trigger: Trigger, fault: Fault) {
    fake.faults().add(FaultRule::new(
        Match::any().method(method).path(path),
        trigger,
        fault,
    ));
}

#[tokio::test(start_paused = true)]
async fn a_503_on_the_pull_post_is_retried_and_the_pull_created() {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    fail(
        &fake,
        "POST",
        "/api/v1/repos/*/*/pulls",
        Trigger::Nth(1),
        Fault::status(503),
    );
    let client = client(&fake);
    let pr = client
        .create_pull_request(ORG, REPO, &CreatePullRequest::new(HEAD, "main", "t"))
        .await
        .unwrap();
    assert!(pr.is_open());
    assert_eq!(count(&fake, "POST", PULLS), 2);
    assert_eq!(client.api_calls(), 2);
    assert_eq!(fake.store().pulls(ORG, REPO).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_lost_answer_to_the_pull_post_ends_as_a_recognised_duplicate() {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    fail(
        &fake,
        "POST",
        "/api/v1/repos/*/*/pulls",
        Trigger::Nth(1),
        Fault::apply_then(Fault::status(502)),
    );
    let err = client(&fake)
        .create_pull_request(ORG, REPO, &CreatePullRequest::new(HEAD, "main", "t"))
        .await
        .unwrap_err();
    let number = fake.store().pulls(ORG, REPO)[0].number as u64;
    assert_eq!(err.pull_already_exists(), Some(number), "{err}");
    assert_eq!(fake.store().pulls(ORG, REPO).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn scope_disabled_sends_the_pull_post_once() {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    fail(
        &fake,
        "POST",
        "/api/v1/repos/*/*/pulls",
        Trigger::Nth(1),
        Fault::status(503),
    );
    let client = client_with(&fake, TOKEN, RetryScope::Disabled);
    let err = client
        .create_pull_request(ORG, REPO, &CreatePullRequest::new(HEAD, "main", "t"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(count(&fake, "POST", PULLS), 1);
}

/// Runs `call` with every request to `method path` failing with 503 and returns how many
/// times the fake saw it, and the error.
async fn with_503<F, Fut, T>(scope: RetryScope, method: &str, path: &str, call: F) -> (usize, Error)
where
    F: FnOnce(gitea_api::Client) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    T: std::fmt::Debug,
{
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, "taken", "main");
    fail(&fake, method, path, Trigger::Always, Fault::status(503));
    let err = call(client_with(&fake, TOKEN, scope)).await.unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    (count(&fake, method, path), err)
}

fn change() -> ChangeFiles {
    ChangeFiles {
        files: vec![ChangeFileOperation::update(
            "runtime-version",
            "1.3.0\n",
            "0".repeat(40),
        )],
        new_branch: Some(HEAD.into()),
        ..ChangeFiles::default()
    }
}

fn put() -> UpdateFile {
    UpdateFile {
        content: b"1.3.0\n".to_vec(),
        sha: Some("0".repeat(40)),
        ..UpdateFile::default()
    }
}

#[tokio::test(start_paused = true)]
async fn pre_post_calls_are_single_shot_by_default() {
    let scope = RetryScope::PullRequestCreate;
    let repo = "/api/v1/repos/platform/app";
    let (n, _) = with_503(scope, "GET", repo, |c| async move {
        c.get_repo(ORG, REPO).await
    })
    .await;
    assert_eq!(n, 1, "get_repo");
    let path = "/api/v1/repos/platform/app/contents/runtime-version";
    let (n, _) = with_503(scope, "GET", path, |c| async move {
        c.get_contents(ORG, REPO, "runtime-version", None).await
    })
    .await;
    assert_eq!(n, 1, "get_contents");
    let path = "/api/v1/repos/platform/app/file-contents";
    let (n, _) = with_503(scope, "POST", path, |c| async move {
        c.get_file_contents(ORG, REPO, &["runtime-version"], None)
            .await
    })
    .await;
    assert_eq!(n, 1, "get_file_contents");
    let path = "/api/v1/repos/platform/app/branches/taken";
    let (n, _) = with_503(scope, "GET", path, |c| async move {
        c.get_branch(ORG, REPO, "taken").await
    })
    .await;
    assert_eq!(n, 1, "get_branch");
    let path = "/api/v1/repos/platform/app/pulls/main/bump/runtime-1.3.0";
    let (n, _) = with_503(scope, "GET", path, |c| async move {
        c.get_pull_by_base_head(ORG, REPO, "main", HEAD).await
    })
    .await;
    assert_eq!(n, 1, "get_pull_by_base_head");
    let (n, _) = with_503(scope, "GET", PULLS, |c| async move {
        c.get_pull_by_base_head(ORG, REPO, "main", HEAD).await?;
        futures_util::TryStreamExt::try_collect::<Vec<_>>(c.list_pulls(
            ORG,
            REPO,
            gitea_api::PullStateFilter::Open,
        ))
        .await
    })
    .await;
    assert_eq!(n, 1, "list_pulls");
    let path = "/api/v1/repos/platform/app/contents";
    let (n, _) = with_503(scope, "POST", path, |c| async move {
        c.change_files(ORG, REPO, &change()).await
    })
    .await;
    assert_eq!(n, 1, "change_files");
    let path = "/api/v1/repos/platform/app/contents/runtime-version";
    let (n, _) = with_503(scope, "PUT", path, |c| async move {
        c.update_file(ORG, REPO, "runtime-version", &put()).await
    })
    .await;
    assert_eq!(n, 1, "update_file");
    let path = "/api/v1/repos/platform/app/branches";
    let (n, _) = with_503(scope, "POST", path, |c| async move {
        c.create_branch(ORG, REPO, "new", None).await
    })
    .await;
    assert_eq!(n, 1, "create_branch");
    let (n, _) = with_503(scope, "GET", "/api/v1/version", |c| async move {
        c.version().await
    })
    .await;
    assert_eq!(n, 1, "version");
}

#[tokio::test(start_paused = true)]
async fn idempotent_reads_retries_gets_but_not_writes() {
    let scope = RetryScope::IdempotentReads;
    let repo = "/api/v1/repos/platform/app";
    let (n, _) = with_503(scope, "GET", repo, |c| async move {
        c.get_repo(ORG, REPO).await
    })
    .await;
    assert!(n > 1, "get_repo retried: {n}");
    let path = "/api/v1/repos/platform/app/branches/taken";
    let (n, _) = with_503(scope, "GET", path, |c| async move {
        c.get_branch(ORG, REPO, "taken").await
    })
    .await;
    assert!(n > 1, "get_branch retried: {n}");
    let path = "/api/v1/repos/platform/app/contents";
    let (n, _) = with_503(scope, "POST", path, |c| async move {
        c.change_files(ORG, REPO, &change()).await
    })
    .await;
    assert_eq!(n, 1, "change_files");
    let path = "/api/v1/repos/platform/app/contents/runtime-version";
    let (n, _) = with_503(scope, "PUT", path, |c| async move {
        c.update_file(ORG, REPO, "runtime-version", &put()).await
    })
    .await;
    assert_eq!(n, 1, "update_file");
    let path = "/api/v1/repos/platform/app/branches";
    let (n, _) = with_503(scope, "POST", path, |c| async move {
        c.create_branch(ORG, REPO, "new", None).await
    })
    .await;
    assert_eq!(n, 1, "create_branch");
}

#[tokio::test(start_paused = true)]
async fn idempotent_reads_recover_from_one_503() {
    let fake = fake().await;
    fail(
        &fake,
        "GET",
        "/api/v1/repos/platform/app",
        Trigger::Nth(1),
        Fault::status(503),
    );
    let client = client_with(&fake, TOKEN, RetryScope::IdempotentReads);
    let repo = client.get_repo(ORG, REPO).await.unwrap();
    assert_eq!(repo.name, REPO);
    assert_eq!(client.api_calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_proxy_html_page_gives_status_and_a_clean_snippet() {
    let fake = fake().await;
    fail(
        &fake,
        "GET",
        "/api/v1/repos/platform/app",
        Trigger::Always,
        Fault::proxy_html(502),
    );
    let err = client(&fake).get_repo(ORG, REPO).await.unwrap_err();
    let Error::NonJson {
        status,
        snippet,
        endpoint,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 502);
    assert_eq!(*endpoint, "GET /repos/{owner}/{repo}");
    assert!(
        !snippet.contains('<') && !snippet.contains('\n') && snippet.len() < 200,
        "{snippet}"
    );
    assert!(err.to_string().contains("502"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn transport_failures_keep_their_kind() {
    let fake = fake().await;
    fail(
        &fake,
        "GET",
        "/api/v1/repos/platform/app",
        Trigger::Always,
        Fault::Reset,
    );
    let err = client(&fake).get_repo(ORG, REPO).await.unwrap_err();
    assert_eq!(err.transport_kind(), Some(TransportKind::Reset), "{err:?}");
    assert!(err.is_transport());

    fake.faults().clear();
    fail(
        &fake,
        "GET",
        "/api/v1/repos/platform/app",
        Trigger::Always,
        Fault::Delay(Duration::from_secs(120)),
    );
    let client = gitea_api::Client::builder(fake.base_url())
        .token(Token::new(TOKEN))
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = client.get_repo(ORG, REPO).await.unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportKind::Timeout),
        "{err:?}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let nobody = gitea_api::Client::builder(&format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let err = nobody.version().await.unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportKind::Connect),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_truncated_body_is_a_transport_error_naming_the_endpoint() {
    let fake = fake().await;
    fail(
        &fake,
        "GET",
        "/api/v1/repos/platform/app",
        Trigger::Always,
        Fault::TruncateBody,
    );
    let err = client(&fake).get_repo(ORG, REPO).await.unwrap_err();
    assert_eq!(err.endpoint(), Some("GET /repos/{owner}/{repo}"));
    assert!(
        err.is_transport() || matches!(err, Error::Decode { .. }),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_kept_on_the_error() {
    let fake = fake().await;
    fail(
        &fake,
        "GET",
        "/api/v1/repos/platform/app",
        Trigger::Always,
        Fault::status(503).retry_after(7),
    );
    let err = client(&fake).get_repo(ORG, REPO).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)), "{err:?}");
    assert_eq!(err.observed(), Some(retry_policy::Observed::Status(503)));
}
