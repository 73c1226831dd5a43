//! Edge cases gitea-fake does not produce, against a tiny raw HTTP server on loopback: absurd
//! pagination headers, bodies that do not decode, unknown server versions.

use futures_util::TryStreamExt;
use gitea_api::{Client, Error, Repository};
use loopback::{Reply, Request, Server};

/// Starts a server answering each request (method, target with query) with `handler`.
async fn serve(handler: impl Fn(&str, &str) -> Reply + Send + Sync + 'static) -> Server {
    Server::handler(move |request: &Request| handler(&request.method, &request.target)).await
}

fn client(base: &str) -> Client {
    Client::builder(base).build().unwrap()
}

/// Every repository of org `o`, page after page.
async fn org_repos(base: &str) -> Result<Vec<Repository>, Error> {
    client(base).list_org_repos("o").try_collect().await
}

fn repos(ids: impl Iterator<Item = i64>) -> String {
    let items: Vec<String> = ids
        .map(|id| format!(r#"{{"id":{id},"name":"r{id}","extra":[1]}}"#))
        .collect();
    format!("[{}]\n", items.join(","))
}

fn page_of(target: &str) -> u64 {
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
}

#[tokio::test(start_paused = true)]
async fn an_absurd_total_count_is_ignored() {
    let server = serve(|_, _| {
        Reply::json(200, repos(1..=2)).header("X-Total-Count", "18446744073709551615")
    })
    .await;
    let all = org_repos(server.base_url()).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(server.lines().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_plausible_count_asks_once_more_and_a_repeated_page_ends_the_list() {
    let server = serve(|_, _| Reply::json(200, repos(1..=2)).header("X-Total-Count", "5")).await;
    let all = org_repos(server.base_url()).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(server.lines().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn short_pages_of_a_server_with_a_smaller_page_size_are_followed_by_the_count() {
    // A Gitea with `MAX_RESPONSE_ITEMS = 20` and a list without `Link`, such as labels.
    let server = serve(|_, target| {
        let page = i64::try_from(page_of(target)).unwrap();
        let first = (page - 1) * 20 + 1;
        let ids = first..=(page * 20).min(45);
        Reply::json(200, repos(ids)).header("X-Total-Count", "45")
    })
    .await;
    let all = org_repos(server.base_url()).await.unwrap();
    assert_eq!(all.len(), 45);
    assert_eq!(server.lines().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn full_pages_without_link_are_followed_until_an_empty_one() {
    let server = serve(|_, target| match page_of(target) {
        1 => Reply::json(200, repos(1..=50)),
        2 => Reply::json(200, repos(51..=100)),
        _ => Reply::json(200, "[]\n"),
    })
    .await;
    let all = org_repos(server.base_url()).await.unwrap();
    assert_eq!(all.len(), 100);
    assert_eq!(server.lines().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_link_that_does_not_advance_is_an_error_not_a_loop() {
    let server = serve(|_, _| {
        Reply::json(200, repos(1..=3)).header(
            "Link",
            "<http://h/api/v1/orgs/o/repos?limit=50&page=1>; rel=\"next\"",
        )
    })
    .await;
    let result = org_repos(server.base_url()).await;
    assert!(
        matches!(result, Err(Error::InvalidResponse { .. })),
        "{result:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_foreign_next_link_is_resolved_against_our_base_and_shifted_items_come_once() {
    let server = serve(|_, target| match page_of(target) {
        1 => Reply::json(200, repos(1..=50)).header(
            "Link",
            "<https://elsewhere.invalid/api/v1/orgs/o/repos?limit=50&page=2>; rel=\"next\"",
        ),
        _ => Reply::json(200, repos(45..=60)),
    })
    .await;
    let all = org_repos(server.base_url()).await.unwrap();
    assert_eq!(all.len(), 60);
    let log = server.lines();
    assert_eq!(log.len(), 2);
    assert!(
        log[1].starts_with("GET /api/v1/orgs/o/repos?") && log[1].contains("page=2"),
        "{log:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_2xx_with_an_invalid_body_is_a_decode_error_naming_the_endpoint() {
    let server = serve(|_, _| Reply::json(200, r#"{"id":"not a number"}"#)).await;
    let err = client(server.base_url())
        .get_repo("o", "r")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("GET /repos/{owner}/{repo}:"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_directory_is_not_a_file() {
    let server = serve(|_, _| Reply::json(200, r#"[{"type":"file","path":"d/a"}]"#)).await;
    let err = client(server.base_url())
        .get_contents("o", "r", "d", None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn an_html_404_is_not_a_missing_branch() {
    let server = serve(|_, _| Reply::json(404, "<html><body>nginx</body></html>")).await;
    let err = client(server.base_url())
        .get_branch("o", "r", "b")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NonJson { status: 404, .. }), "{err:?}");
}

const CONTENT: &str =
    r#"{"path":"a","sha":"s1","type":"file","encoding":"base64","content":"eAo="}"#;

#[tokio::test(start_paused = true)]
async fn an_unknown_version_tries_new_endpoints_and_falls_back_on_404() {
    let server = serve(|method, target| match (method, target) {
        ("GET", "/api/v1/version") => Reply::json(200, r#"{"version":"development"}"#),
        ("GET", t) if t.starts_with("/api/v1/repos/o/r/contents/a") => Reply::json(200, CONTENT),
        ("GET", t) if t.starts_with("/api/v1/repos/o/r/pulls?") => Reply::json(200, "[]"),
        _ => Reply::json(404, r#"{"message":"not found","url":"u","errors":null}"#),
    })
    .await;
    let client = client(server.base_url());
    let files = client
        .get_file_contents("o", "r", &["a"], None)
        .await
        .unwrap();
    assert_eq!(files[0].as_ref().unwrap().bytes, b"x\n");
    assert!(
        client
            .get_pull_by_base_head("o", "r", "main", "b")
            .await
            .unwrap()
            .is_none()
    );
    let log = server.lines();
    let paths: Vec<&str> = log
        .iter()
        .map(|l| l.split('?').next().unwrap_or(""))
        .collect();
    assert_eq!(
        paths,
        [
            "GET /api/v1/version",
            "GET /api/v1/repos/o/r/file-contents",
            "GET /api/v1/repos/o/r/contents/a",
            "GET /api/v1/repos/o/r/pulls/main/b",
            "GET /api/v1/repos/o/r/pulls",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_405_on_the_batch_falls_back_even_on_a_new_server() {
    let server = serve(|method, target| match (method, target) {
        ("GET", "/api/v1/version") => Reply::json(200, r#"{"version":"1.26.4"}"#),
        (_, t) if t.contains("/file-contents") => Reply::json(405, ""),
        _ => Reply::json(200, CONTENT),
    })
    .await;
    let files = client(server.base_url())
        .get_file_contents("o", "r", &["a"], Some("main"))
        .await
        .unwrap();
    assert_eq!(files[0].as_ref().unwrap().sha, "s1");
}

#[tokio::test(start_paused = true)]
async fn a_short_batch_answer_is_completed_and_an_empty_one_refused() {
    let server = serve(|_, target| match target {
        "/api/v1/version" => Reply::json(200, r#"{"version":"1.26.4"}"#),
        _ => Reply::json(200, format!("[{CONTENT}]")),
    })
    .await;
    let files = client(server.base_url())
        .get_file_contents("o", "r", &["a", "a", "a"], None)
        .await
        .unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(server.lines().len(), 4);

    let server = serve(|_, target| match target {
        "/api/v1/version" => Reply::json(200, r#"{"version":"1.26.4"}"#),
        _ => Reply::json(200, "[]"),
    })
    .await;
    let err = client(server.base_url())
        .get_file_contents("o", "r", &["a"], None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
}

/// The size cap holds inside the retry loop too: a body over 64 MiB is refused as an invalid
/// response, once, and never retried.
#[tokio::test]
async fn a_body_over_the_size_cap_is_refused_and_not_retried() {
    let server = serve(|_, _| Reply::json(200, "").repeated_body(b' ', 64 * 1024 * 1024 + 1)).await;
    let client = Client::builder(server.base_url())
        .retry_scope(gitea_api::RetryScope::ReadsOnly)
        .build()
        .unwrap();
    let err = client.version().await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidResponse { reason, .. } if reason.contains("larger than")),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

/// `max_requests_per_second(10)`: twenty requests from clones of one client, all at once, reach
/// the server 100 ms apart on tokio's paused clock; retries wait for their turn too.
#[tokio::test(start_paused = true)]
async fn the_rate_cap_spaces_every_request_of_every_clone() {
    let server = serve(|_, target| match target {
        "/api/v1/repos/o/flaky" => Reply::status(503),
        _ => Reply::json(200, r#"{"id":1,"name":"r","full_name":"o/r"}"#),
    })
    .await;
    let client = Client::builder(server.base_url())
        .max_requests_per_second(std::num::NonZeroU32::new(10).unwrap())
        .retry_scope(gitea_api::RetryScope::ReadsOnly)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let gets = (0..20).map(|_| {
        let client = client.clone();
        async move { client.get_repo("o", "r").await }
    });
    for result in futures_util::future::join_all(gets).await {
        result.unwrap();
    }
    assert_eq!(server.gaps_ms(), vec![100; 19]);
    assert!(started.elapsed() >= std::time::Duration::from_millis(1_900));

    let err = client.get_repo("o", "flaky").await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    let requests = server.requests();
    assert_eq!(requests.len(), 24, "three retries after the first 503");
    assert!(
        server.gaps_ms().iter().all(|gap| *gap >= 100),
        "{:?}",
        server.gaps_ms()
    );
}
