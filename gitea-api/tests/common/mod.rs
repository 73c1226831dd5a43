//! Shared set-up for the tests against gitea-fake.
#![allow(dead_code, unreachable_pub)]

use gitea_api::{Client, RetryScope, Token};
use gitea_fake::{FakeGitea, RepoOptions, Scope};

/// The write token; a canary that must never appear in a URL, log or error.
pub const TOKEN: &str = "canary-5f2d9c1e7a";
/// A read-only token.
pub const READ_TOKEN: &str = "canary-read-0b7e";
pub const ORG: &str = "platform";
pub const REPO: &str = "app";

/// A fake with org `platform`, user `bot` (tokens [`TOKEN`], [`READ_TOKEN`]) and repository
/// `platform/app` holding `runtime-version` and `requirements.txt` on `main`.
pub async fn fake() -> FakeGitea {
    seed(FakeGitea::start().await.unwrap())
}

/// The same, emulating another Gitea version.
pub async fn fake_version(version: &str) -> FakeGitea {
    seed(FakeGitea::builder().version(version).start().await.unwrap())
}

fn seed(fake: FakeGitea) -> FakeGitea {
    let store = fake.store();
    store.add_user("bot");
    store.add_org(ORG);
    store.add_org_member(ORG, "bot");
    store.add_token(TOKEN, "bot", Scope::Write);
    store.add_token(READ_TOKEN, "bot", Scope::Read);
    store.create_repo(ORG, REPO, RepoOptions::default());
    store
        .commit_files(
            ORG,
            REPO,
            "main",
            &[
                ("runtime-version", b"1.2.3\n"),
                ("requirements.txt", b"flask==3.0.0\nruntime==1.2.3\n"),
            ],
            "seed",
        )
        .unwrap();
    fake
}

pub fn client(fake: &FakeGitea) -> Client {
    client_with(fake, TOKEN, RetryScope::default())
}

pub fn client_with(fake: &FakeGitea, token: &str, scope: RetryScope) -> Client {
    Client::builder(fake.base_url())
        .token(Token::new(token))
        .retry_scope(scope)
        .build()
        .unwrap()
}

/// Requests in the fake's log whose method and path match.
pub fn count(fake: &FakeGitea, method: &str, path: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// Asserts that an error's `Display` and `Debug` do not contain either token.
pub fn assert_no_token(err: &gitea_api::Error) {
    for shown in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
        assert!(
            !shown.contains(TOKEN) && !shown.contains(READ_TOKEN),
            "{shown}"
        );
    }
}
