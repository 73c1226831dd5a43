//! Which requests are retried, and how failures look, against gitea-fake with injected faults.

use std::time::Duration;

use crate::common::{
    BASE_HEAD, FILE_CONTENTS, HEAD, ORG, PULLS, REPO, REPO_PATH, TOKEN, client, client_with, count,
    fake,
};
use futures_util::TryStreamExt as _;
use gitea_api::{
    ChangeFileOperation, ChangeFiles, Client, CreatePullRequest, Error, PullStateFilter,
    RetryScope, Token, UpdateFile,
};
use gitea_fake::{FakeGitea, Fault, FaultRule, Match, Trigger};
use retry_policy::{Policy, TransportKind};

fn fail(fake: &FakeGitea, method: &str, path: &str, trigger: Trigger, fault: Fault) {
    fake.faults().add(FaultRule::new(
        Match::any().method(method).path(path),
        trigger,
        fault,
    ));
}

/// Makes `GET /repos/platform/app` answer with `fault` when `trigger` fires.
fn fail_get_repo(fake: &FakeGitea, trigger: Trigger, fault: Fault) {
    fail(fake, "GET", REPO_PATH, trigger, fault);
}

/// A client call that sends one request, named for the table-driven retry tests.
#[derive(Debug, Clone, Copy)]
enum Call {
    Version,
    GetRepo,
    GetContents,
    GetFileContents,
    GetBranch,
    GetPullByBaseHead,
    /// The fallback listing behind `get_pull_by_base_head` once the look-up failed.
    ListPulls,
    ChangeFiles,
    UpdateFile,
    CreateBranch,
    CreatePull,
    CreateComment,
    ClosePull,
    DeleteBranch,
    CurrentUser,
}

impl Call {
    /// The request that fails, as the fake logs it.
    fn request(self) -> (&'static str, &'static str) {
        match self {
            Call::Version => ("GET", "/api/v1/version"),
            Call::GetRepo => ("GET", REPO_PATH),
            Call::GetContents => ("GET", "/api/v1/repos/platform/app/contents/runtime-version"),
            Call::GetFileContents => ("GET", FILE_CONTENTS),
            Call::GetBranch => ("GET", "/api/v1/repos/platform/app/branches/taken"),
            Call::GetPullByBaseHead => ("GET", BASE_HEAD),
            Call::ListPulls => ("GET", PULLS),
            Call::ChangeFiles => ("POST", "/api/v1/repos/platform/app/contents"),
            Call::UpdateFile => ("PUT", "/api/v1/repos/platform/app/contents/runtime-version"),
            Call::CreateBranch => ("POST", "/api/v1/repos/platform/app/branches"),
            Call::CreatePull => ("POST", PULLS),
            Call::CreateComment => ("POST", "/api/v1/repos/platform/app/issues/1/comments"),
            Call::ClosePull => ("PATCH", "/api/v1/repos/platform/app/pulls/1"),
            Call::DeleteBranch => ("DELETE", "/api/v1/repos/platform/app/branches/taken"),
            Call::CurrentUser => ("GET", "/api/v1/user"),
        }
    }

    async fn run(self, c: &Client) -> Result<(), Error> {
        match self {
            Call::Version => c.version().await.map(drop),
            Call::GetRepo => c.get_repo(ORG, REPO).await.map(drop),
            Call::GetContents => c
                .get_contents(ORG, REPO, "runtime-version", None)
                .await
                .map(drop),
            Call::GetFileContents => c
                .get_file_contents(ORG, REPO, &["runtime-version"], None)
                .await
                .map(drop),
            Call::GetBranch => c.get_branch(ORG, REPO, "taken").await.map(drop),
            Call::GetPullByBaseHead => c
                .get_pull_by_base_head(ORG, REPO, "main", HEAD)
                .await
                .map(drop),
            Call::ListPulls => {
                c.get_pull_by_base_head(ORG, REPO, "main", HEAD).await?;
                c.list_pulls(ORG, REPO, PullStateFilter::Open)
                    .try_collect::<Vec<_>>()
                    .await
                    .map(drop)
            }
            Call::ChangeFiles => c.change_files(ORG, REPO, &change()).await.map(drop),
            Call::UpdateFile => c
                .update_file(ORG, REPO, "runtime-version", &put())
                .await
                .map(drop),
            Call::CreateBranch => c.create_branch(ORG, REPO, "new", None).await.map(drop),
            Call::CreatePull => c
                .create_pull_request(ORG, REPO, &CreatePullRequest::new("taken", "main", "t"))
                .await
                .map(drop),
            Call::CreateComment => c.create_issue_comment(ORG, REPO, 1, "x").await.map(drop),
            Call::ClosePull => c.close_pull_request(ORG, REPO, 1).await.map(drop),
            Call::DeleteBranch => c.delete_branch(ORG, REPO, "taken").await,
            Call::CurrentUser => c.current_user().await.map(drop),
        }
    }
}

/// Runs `call` under `scope` with its request always failing with 503, and returns how many
/// times the fake saw that request.
async fn sends_under_503(scope: RetryScope, call: Call) -> usize {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, "taken", "main");
    let (method, path) = call.request();
    fail(&fake, method, path, Trigger::Always, Fault::status(503));
    let err = call
        .run(&client_with(&fake, TOKEN, scope))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503), "{call:?}: {err}");
    count(&fake, method, path)
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
    let calls = [
        Call::GetRepo,
        Call::GetContents,
        Call::GetFileContents,
        Call::GetBranch,
        Call::GetPullByBaseHead,
        Call::ListPulls,
        Call::ChangeFiles,
        Call::UpdateFile,
        Call::CreateBranch,
        Call::CreatePull,
        Call::CreateComment,
        Call::ClosePull,
        Call::DeleteBranch,
        Call::CurrentUser,
        Call::Version,
    ];
    for call in calls {
        let n = sends_under_503(RetryScope::default(), call).await;
        assert_eq!(n, 1, "{call:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn reads_only_retries_gets_but_neither_writes_nor_the_pull_post() {
    for call in [
        Call::GetRepo,
        Call::GetBranch,
        Call::GetFileContents,
        Call::GetPullByBaseHead,
        Call::CurrentUser,
    ] {
        let n = sends_under_503(RetryScope::ReadsOnly, call).await;
        assert_eq!(n, 4, "{call:?} retried");
    }
    for call in [
        Call::ChangeFiles,
        Call::UpdateFile,
        Call::CreateBranch,
        Call::CreatePull,
        Call::CreateComment,
        Call::ClosePull,
        Call::DeleteBranch,
    ] {
        let n = sends_under_503(RetryScope::ReadsOnly, call).await;
        assert_eq!(n, 1, "{call:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn retried_reads_recover_from_one_503() {
    let fake = fake().await;
    fail_get_repo(&fake, Trigger::Nth(1), Fault::status(503));
    let client = client_with(&fake, TOKEN, RetryScope::ReadsOnly);
    let repo = client.get_repo(ORG, REPO).await.unwrap();
    assert_eq!(repo.name, REPO);
    assert_eq!(client.api_calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_proxy_html_page_gives_status_and_a_clean_snippet() {
    let fake = fake().await;
    fail_get_repo(&fake, Trigger::Always, Fault::proxy_html(502));
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
    fail_get_repo(&fake, Trigger::Always, Fault::Reset);
    let err = client(&fake).get_repo(ORG, REPO).await.unwrap_err();
    assert_eq!(err.transport_kind(), Some(TransportKind::Reset), "{err:?}");
    assert!(err.is_transport());

    fake.faults().clear();
    fail_get_repo(
        &fake,
        Trigger::Always,
        Fault::Delay(Duration::from_secs(120)),
    );
    let err = client(&fake).get_repo(ORG, REPO).await.unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportKind::Timeout),
        "{err:?}"
    );

    let nobody = Client::builder(&loopback::dead_url()).build().unwrap();
    let err = nobody.version().await.unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportKind::Connect),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_truncated_body_is_a_reset_naming_the_endpoint() {
    let fake = fake().await;
    fail_get_repo(&fake, Trigger::Always, Fault::TruncateBody);
    let err = client(&fake).get_repo(ORG, REPO).await.unwrap_err();
    assert_eq!(err.endpoint(), Some("GET /repos/{owner}/{repo}"));
    assert_eq!(err.transport_kind(), Some(TransportKind::Reset), "{err:?}");
    assert_eq!(
        err.outcome(),
        Some(retry_policy::Outcome::Transport(TransportKind::Reset)),
        "a cut answer is retried where retries are allowed"
    );
    assert_eq!(
        count(&fake, "GET", REPO_PATH),
        1,
        "reads are not retried here"
    );
}

/// The body is read inside the retry loop, so a cut body is retried like a reset wherever a
/// request may be retried: here a read under `ReadsOnly`.
#[tokio::test(start_paused = true)]
async fn a_truncated_body_is_retried_where_the_request_may_be() {
    let fake = fake().await;
    fail_get_repo(&fake, Trigger::FirstN(2), Fault::TruncateBody);
    let reads = client_with(&fake, TOKEN, RetryScope::ReadsOnly);
    let repo = reads.get_repo(ORG, REPO).await.unwrap();
    assert_eq!(repo.name, REPO);
    assert_eq!(count(&fake, "GET", REPO_PATH), 3);
    assert_eq!(reads.api_calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_kept_on_the_error() {
    let fake = fake().await;
    fail_get_repo(&fake, Trigger::Always, Fault::status(503).retry_after(7));
    let err = client(&fake).get_repo(ORG, REPO).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)), "{err:?}");
    assert_eq!(err.outcome(), Some(retry_policy::Outcome::Status(503)));
}

/// Issue 11: the policy is the one owner of the attempt timeout. Set on the policy alone, it is
/// what bounds a request (it used to be overridden by the client builder's 30 s).
#[tokio::test(start_paused = true)]
async fn the_policy_alone_sets_the_attempt_timeout() {
    let fake = fake().await;
    fail_get_repo(
        &fake,
        Trigger::Always,
        Fault::Delay(Duration::from_secs(120)),
    );
    let timed = |policy: Option<Policy>| {
        let mut builder = Client::builder(fake.base_url()).token(Token::new(TOKEN));
        if let Some(policy) = policy {
            builder = builder.retry_policy(policy);
        }
        let client = builder.build().unwrap();
        async move {
            let started = tokio::time::Instant::now();
            let err = client.get_repo(ORG, REPO).await.unwrap_err();
            assert_eq!(
                err.transport_kind(),
                Some(TransportKind::Timeout),
                "{err:?}"
            );
            started.elapsed()
        }
    };
    let five = Policy::builder()
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert_eq!(timed(Some(five)).await, Duration::from_secs(5));
    assert_eq!(timed(None).await, gitea_api::DEFAULT_ATTEMPT_TIMEOUT);
}
