//! No redirect is followed. Gitea, or a proxy in front of it, answering 3xx to another origin
//! must not carry the token, commit contents or PR text there: reqwest's default policy re-sends
//! the original headers on every hop and strips `Authorization` only when the host differs from
//! the previous hop, so a bounce (the other origin redirecting once to itself) used to deliver it.

use gitea_api::{
    ChangeFileOperation, ChangeFiles, Client, CreatePullRequest, DuplicateCheck, Error, RetryScope,
    Token,
};
use loopback::{Reply, Server};
use retry_policy::{Policy, Retrier};

use crate::common::{ORG, REPO, TOKEN};

const CODES: [u16; 5] = [301, 302, 303, 307, 308];

/// The other origin: it bounces once to itself, then accepts anything.
async fn other_origin(status: u16) -> Server {
    Server::handler(move |request| match request.path() {
        "/bounced" => Reply::json(201, "{}"),
        _ => Reply::redirect(status, format!("{}/bounced", request.origin)),
    })
    .await
}

/// Our "Gitea": it redirects every request to the same path and a query on `other`.
async fn redirecting_to(other: &Server, status: u16) -> Server {
    let other = other.base_url().to_owned();
    Server::handler(move |request| {
        Reply::redirect(
            status,
            format!("{other}{}?secret=in-the-query", request.target),
        )
    })
    .await
}

/// A client that retries reads, to show that a redirect is not retried.
fn client(base: &str) -> Client {
    Client::builder(base)
        .token(Token::new(TOKEN))
        .retry_scope(RetryScope::ReadsOnly)
        .build()
        .unwrap()
}

fn commit() -> ChangeFiles {
    ChangeFiles {
        files: vec![ChangeFileOperation::update(
            "runtime-version",
            "1.3.0\n",
            "0".repeat(40),
        )],
        branch: Some("main".to_owned()),
        new_branch: Some("bump/runtime-1.3.0".to_owned()),
        message: Some("Bump runtime to 1.3.0".to_owned()),
        ..ChangeFiles::default()
    }
}

fn assert_names_only_the_origin(err: &Error, status: u16, other: &Server) {
    assert!(err.is_redirect(), "{err:?}");
    assert_eq!(err.status(), Some(status));
    let shown = err.to_string();
    assert!(
        shown.contains(&format!("redirect to {},", other.base_url())),
        "{shown}"
    );
    assert!(shown.contains("gitea_url"), "{shown}");
    assert!(
        !shown.contains("/api/v1") && !shown.contains("secret"),
        "{shown}"
    );
    assert!(!shown.contains(TOKEN) && !format!("{err:?}").contains(TOKEN));
}

#[tokio::test(start_paused = true)]
async fn a_redirect_to_another_origin_is_an_error_on_a_read_the_commit_and_the_pr_post() {
    for status in CODES {
        let other = other_origin(status).await;
        let gitea = redirecting_to(&other, status).await;
        let client = client(gitea.base_url());

        let read = client.get_repo(ORG, REPO).await.unwrap_err();
        assert_names_only_the_origin(&read, status, &other);
        let write = client.change_files(ORG, REPO, &commit()).await.unwrap_err();
        assert_names_only_the_origin(&write, status, &other);
        let request = CreatePullRequest::new("bump/runtime-1.3.0", "main", "Bump runtime to 1.3.0");
        let retrier = Retrier::new(Policy::default());
        let pr = client
            .open_pull_request(ORG, REPO, &request, &retrier, DuplicateCheck::WhenInDoubt)
            .await
            .unwrap_err();
        assert_names_only_the_origin(&pr, status, &other);

        assert_eq!(
            other.lines(),
            Vec::<String>::new(),
            "HTTP {status} reached the other origin"
        );
        // One request each, not retried, and each carried the token that must not travel on.
        let seen = gitea.requests();
        assert_eq!(seen.len(), 3, "HTTP {status}: {:?}", gitea.lines());
        for request in &seen {
            assert_eq!(
                request.header("authorization"),
                Some(format!("token {TOKEN}").as_str())
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_redirect_within_the_origin_or_without_a_location_is_an_error_too() {
    let gitea = Server::scripted(vec![
        Reply::redirect(308, "/gitea/api/v1/version"),
        Reply::status(302),
    ])
    .await;
    let client = client(gitea.base_url());
    let relative = client.version().await.unwrap_err();
    assert!(
        relative
            .to_string()
            .contains(&format!("redirect to {},", gitea.base_url())),
        "{relative}"
    );
    let nowhere = client.version().await.unwrap_err();
    assert!(
        nowhere.to_string().contains("no Location header"),
        "{nowhere}"
    );
    assert_eq!(gitea.requests().len(), 2);
}
