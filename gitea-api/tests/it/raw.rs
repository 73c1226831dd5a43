//! Edge cases gitea-fake does not produce, against a tiny raw HTTP server on loopback: absurd
//! pagination headers, bodies that do not decode, unknown server versions.

use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use gitea_api::{Client, Error, Repository};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One canned answer: status, extra headers, body.
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn json(status: u16, body: impl Into<String>) -> Answer {
    Answer {
        status,
        headers: Vec::new(),
        body: body.into(),
    }
}

impl Answer {
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

type Handler = dyn Fn(&str, &str) -> Answer + Send + Sync;

/// Starts a server answering each request (method, path with query) with `handler`, one
/// request per connection; returns its base URL and the log of `METHOD path?query` lines.
async fn serve(
    handler: impl Fn(&str, &str) -> Answer + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    let handler: Arc<Handler> = Arc::new(handler);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let handler = Arc::clone(&handler);
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request).to_string();
                let mut words = head.split_whitespace();
                let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                seen.lock().unwrap().push(format!("{method} {target}"));
                let answer = handler(method, target);
                let mut response = format!(
                    "HTTP/1.1 {} X\r\nContent-Type: application/json;charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
                    answer.status,
                    answer.body.len()
                );
                for (name, value) in &answer.headers {
                    response.push_str(&format!("{name}: {value}\r\n"));
                }
                response.push_str("\r\n");
                response.push_str(&answer.body);
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (base, log)
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
    let (base, log) =
        serve(|_, _| json(200, repos(1..=2)).header("X-Total-Count", "18446744073709551615")).await;
    let all = org_repos(&base).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn full_pages_without_link_are_followed_until_an_empty_one() {
    let (base, log) = serve(|_, target| match page_of(target) {
        1 => json(200, repos(1..=50)),
        2 => json(200, repos(51..=100)),
        _ => json(200, "[]\n"),
    })
    .await;
    let all = org_repos(&base).await.unwrap();
    assert_eq!(all.len(), 100);
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_link_that_does_not_advance_is_an_error_not_a_loop() {
    let (base, _) = serve(|_, _| {
        json(200, repos(1..=3)).header(
            "Link",
            "<http://h/api/v1/orgs/o/repos?limit=50&page=1>; rel=\"next\"",
        )
    })
    .await;
    let result = org_repos(&base).await;
    assert!(
        matches!(result, Err(Error::InvalidResponse { .. })),
        "{result:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_foreign_next_link_is_resolved_against_our_base_and_shifted_items_come_once() {
    let (base, log) = serve(|_, target| match page_of(target) {
        1 => json(200, repos(1..=50)).header(
            "Link",
            "<https://elsewhere.invalid/api/v1/orgs/o/repos?limit=50&page=2>; rel=\"next\"",
        ),
        _ => json(200, repos(45..=60)),
    })
    .await;
    let all = org_repos(&base).await.unwrap();
    assert_eq!(all.len(), 60);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log[1].starts_with("GET /api/v1/orgs/o/repos?") && log[1].contains("page=2"),
        "{log:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_2xx_with_an_invalid_body_is_a_decode_error_naming_the_endpoint() {
    let (base, _) = serve(|_, _| json(200, r#"{"id":"not a number"}"#)).await;
    let err = client(&base).get_repo("o", "r").await.unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("GET /repos/{owner}/{repo}:"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_directory_is_not_a_file() {
    let (base, _) = serve(|_, _| json(200, r#"[{"type":"file","path":"d/a"}]"#)).await;
    let err = client(&base)
        .get_contents("o", "r", "d", None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn an_html_404_is_not_a_missing_branch() {
    let (base, _) = serve(|_, _| json(404, "<html><body>nginx</body></html>")).await;
    let err = client(&base).get_branch("o", "r", "b").await.unwrap_err();
    assert!(matches!(err, Error::NonJson { status: 404, .. }), "{err:?}");
}

const CONTENT: &str =
    r#"{"path":"a","sha":"s1","type":"file","encoding":"base64","content":"eAo="}"#;

#[tokio::test(start_paused = true)]
async fn an_unknown_version_tries_new_endpoints_and_falls_back_on_404() {
    let (base, log) = serve(|method, target| match (method, target) {
        ("GET", "/api/v1/version") => json(200, r#"{"version":"development"}"#),
        ("GET", t) if t.starts_with("/api/v1/repos/o/r/contents/a") => json(200, CONTENT),
        ("GET", t) if t.starts_with("/api/v1/repos/o/r/pulls?") => json(200, "[]"),
        _ => json(404, r#"{"message":"not found","url":"u","errors":null}"#),
    })
    .await;
    let client = client(&base);
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
    let log = log.lock().unwrap().clone();
    let paths: Vec<&str> = log
        .iter()
        .map(|l| l.split('?').next().unwrap_or(""))
        .collect();
    assert_eq!(
        paths,
        [
            "GET /api/v1/version",
            "POST /api/v1/repos/o/r/file-contents",
            "GET /api/v1/repos/o/r/contents/a",
            "GET /api/v1/repos/o/r/pulls/main/b",
            "GET /api/v1/repos/o/r/pulls",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_405_on_the_batch_falls_back_even_on_a_new_server() {
    let (base, _) = serve(|method, target| match (method, target) {
        ("GET", "/api/v1/version") => json(200, r#"{"version":"1.26.4"}"#),
        ("POST", _) => json(405, ""),
        _ => json(200, CONTENT),
    })
    .await;
    let files = client(&base)
        .get_file_contents("o", "r", &["a"], Some("main"))
        .await
        .unwrap();
    assert_eq!(files[0].as_ref().unwrap().sha, "s1");
}

#[tokio::test(start_paused = true)]
async fn a_short_batch_answer_is_completed_and_an_empty_one_refused() {
    let (base, log) = serve(|method, _| match method {
        "GET" => json(200, r#"{"version":"1.26.4"}"#),
        _ => json(200, format!("[{CONTENT}]")),
    })
    .await;
    let files = client(&base)
        .get_file_contents("o", "r", &["a", "a", "a"], None)
        .await
        .unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(log.lock().unwrap().len(), 4);

    let (base, _) = serve(|method, _| match method {
        "GET" => json(200, r#"{"version":"1.26.4"}"#),
        _ => json(200, "[]"),
    })
    .await;
    let err = client(&base)
        .get_file_contents("o", "r", &["a"], None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
}
