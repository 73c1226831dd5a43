//! Shared helpers of the HTTP tests: a started fake, a plain reqwest client, and a check
//! of every JSON answer against the swagger.
#![allow(dead_code, unreachable_pub)]

pub mod conformance;

use gitea_fake::{FakeGitea, RepoOptions, Scope};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Token of user `bot` with scope `all` (`Scope::Write`).
pub const TOKEN: &str = "write-token";
/// Token of user `reader` with read in every category (`Scope::Read`).
pub const READ_TOKEN: &str = "read-token";

/// A started fake with users `bot` (write) and `reader` (read), org `acme` and repo
/// `acme/app` holding `runtime-version` = "1.0.0\n" on `main`.
pub async fn fake() -> FakeGitea {
    let fake = FakeGitea::start().await.unwrap();
    seed(&fake);
    fake
}

/// The seeding of [`fake`].
pub fn seed(fake: &FakeGitea) {
    let s = fake.store();
    s.add_token(TOKEN, "bot", Scope::Write);
    s.add_token(READ_TOKEN, "reader", Scope::Read);
    s.add_org("acme");
    s.create_repo("acme", "app", RepoOptions::default());
    s.commit_files(
        "acme",
        "app",
        "main",
        &[
            ("runtime-version", b"1.0.0\n"),
            ("requirements.txt", b"platform-runtime==1.0.0\n"),
        ],
        "seed",
    )
    .unwrap();
}

/// One answer.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `message` of an error body.
    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Sends a request with an optional `Authorization` value and JSON body, checks the Gitea
/// JSON conventions and validates the body against the swagger.
pub async fn call(
    fake: &FakeGitea,
    method: Method,
    path_and_query: &str,
    auth: Option<&str>,
    body: Option<&str>,
) -> Resp {
    let url = format!("{}{path_and_query}", fake.base_url());
    let mut req = reqwest::Client::new().request(method.clone(), url);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(b.to_owned());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let r = Resp {
        status,
        headers,
        text,
    };
    if r.status == StatusCode::NO_CONTENT {
        check_no_content(method.as_str(), path_and_query, &r);
    } else {
        check_json(method.as_str(), path_and_query, &r);
    }
    r
}

/// A 204 as Gitea's `ctx.Status` writes it (no body, no content type), on a route whose
/// swagger entry declares 204.
pub fn check_no_content(method: &str, path_and_query: &str, r: &Resp) {
    assert!(r.text.is_empty(), "{method} {path_and_query}: {}", r.text);
    assert_eq!(r.header("content-type"), None, "{method} {path_and_query}");
    let path = path_and_query.split('?').next().unwrap_or_default();
    let template = conformance::template_for(method, path).expect("a served route");
    if let Err(e) = conformance::declares(template, method, 204) {
        panic!("swagger conformance: {e}");
    }
}

/// Gitea's JSON conventions plus swagger conformance for one answer.
pub fn check_json(method: &str, path_and_query: &str, r: &Resp) {
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8"),
        "{method} {path_and_query}"
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert!(r.text.ends_with('\n'), "no trailing newline: {}", r.text);
    let body = r.json();
    let path = path_and_query.split('?').next().unwrap_or_default();
    let outcome = match conformance::template_for(method, path) {
        Some(t) => conformance::check(t, method, r.status.as_u16(), &body),
        None => {
            assert!(
                [StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&r.status),
                "unrouted {method} {path}: {}",
                r.status
            );
            conformance::check("/version", "GET", 404, &body)
        }
    };
    if let Err(e) = outcome {
        panic!("swagger conformance: {e}\nbody: {}", r.text);
    }
}

/// Registers `token` for `user` with Gitea's scope string, e.g. `write:repository,read:issue`.
pub fn scoped_token(fake: &FakeGitea, token: &str, user: &str, scopes: &str) {
    let scopes: gitea_fake::TokenScopes = scopes.parse().unwrap();
    fake.store().add_token(token, user, scopes);
}

/// GET with `token`.
pub async fn get_as(fake: &FakeGitea, token: &str, path: &str) -> Resp {
    call(
        fake,
        Method::GET,
        path,
        Some(&format!("token {token}")),
        None,
    )
    .await
}

/// GET with the write token.
pub async fn get(fake: &FakeGitea, path: &str) -> Resp {
    call(
        fake,
        Method::GET,
        path,
        Some(&format!("token {TOKEN}")),
        None,
    )
    .await
}

/// GET without a token.
pub async fn get_anon(fake: &FakeGitea, path: &str) -> Resp {
    call(fake, Method::GET, path, None, None).await
}

/// A write with the write token.
pub async fn send(fake: &FakeGitea, method: Method, path: &str, body: &str) -> Resp {
    call(
        fake,
        method,
        path,
        Some(&format!("token {TOKEN}")),
        Some(body),
    )
    .await
}

/// Base64 of `s`.
pub fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// The git blob sha of `s`.
pub fn blob_sha(s: &[u8]) -> String {
    use sha1::Digest as _;
    let mut h = sha1::Sha1::new();
    h.update(format!("blob {}\0", s.len()).as_bytes());
    h.update(s);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
