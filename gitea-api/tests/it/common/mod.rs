//! Shared set-up for the tests against gitea-fake.
#![allow(dead_code, unreachable_pub)]

use gitea_api::{Client, PullRequest, RetryScope, Token};
use gitea_fake::{FakeGitea, RepoOptions, Scope};

/// The write token; a canary that must never appear in a URL, log or error.
pub const TOKEN: &str = "canary-5f2d9c1e7a";
/// A read-only token.
pub const READ_TOKEN: &str = "canary-read-0b7e";
pub const ORG: &str = "platform";
pub const REPO: &str = "app";
/// The bump branch the tests open pull requests from.
pub const HEAD: &str = "bump/runtime-1.3.0";

/// Paths of `platform/app` as the fake logs them.
pub const REPO_PATH: &str = "/api/v1/repos/platform/app";
pub const PULLS: &str = "/api/v1/repos/platform/app/pulls";
/// `GET /pulls/{base}/{head}` for `main` and [`HEAD`].
pub const BASE_HEAD: &str = "/api/v1/repos/platform/app/pulls/main/bump/runtime-1.3.0";
pub const FILE_CONTENTS: &str = "/api/v1/repos/platform/app/file-contents";

/// A fake with org `platform`, user `bot` (tokens [`TOKEN`], [`READ_TOKEN`]) and repository
/// `platform/app` holding `runtime-version` and `requirements.txt` on `main`.
pub async fn fake() -> FakeGitea {
    seed(FakeGitea::start().await.unwrap())
}

/// The same, from a configured builder.
pub async fn fake_from(builder: gitea_fake::FakeGiteaBuilder) -> FakeGitea {
    seed(builder.start().await.unwrap())
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

/// A file of `platform/app` on `branch`, as the fake holds it.
pub fn stored(fake: &FakeGitea, branch: &str, path: &str) -> Option<Vec<u8>> {
    fake.store().file(ORG, REPO, branch, path)
}

/// Options for an archived repository.
pub fn archived() -> RepoOptions {
    RepoOptions {
        archived: true,
        ..RepoOptions::default()
    }
}

/// The client's answer for the pull request from [`HEAD`] into `main`.
pub async fn bump_pull(client: &Client) -> Option<PullRequest> {
    client
        .get_pull_by_base_head(ORG, REPO, "main", HEAD)
        .await
        .unwrap()
}
