//! `version`, `get_repo` and `list_org_repos` against gitea-fake.

use std::collections::HashSet;

use crate::common::{ORG, REPO, archived, client, client_with, count, fake};
use futures_util::TryStreamExt;
use gitea_api::RetryScope;
use gitea_fake::RepoOptions;

#[tokio::test(start_paused = true)]
async fn version_is_read_once_per_client() {
    let fake = fake().await;
    let client = client(&fake);
    let v = client.version().await.unwrap();
    assert_eq!(v.gitea().map(|(ma, mi, _)| (ma, mi)), Some((1, 26)));
    client.clone().version().await.unwrap();
    assert_eq!(count(&fake, "GET", "/api/v1/version"), 1);
}

#[tokio::test(start_paused = true)]
async fn get_repo_reads_default_branch_and_flags() {
    let fake = fake().await;
    fake.store().create_repo(ORG, "old", archived());
    fake.store().create_repo(
        ORG,
        "blank",
        RepoOptions {
            empty: true,
            ..RepoOptions::default()
        },
    );
    let client = client(&fake);
    let repo = client.get_repo(ORG, REPO).await.unwrap();
    assert_eq!(
        (repo.name.as_str(), repo.full_name.as_str()),
        (REPO, "platform/app")
    );
    assert_eq!(repo.default_branch, "main");
    assert!(!repo.archived && !repo.empty);
    assert!(client.get_repo(ORG, "old").await.unwrap().archived);
    assert!(client.get_repo(ORG, "blank").await.unwrap().empty);
    assert_eq!(client.api_calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn get_repo_not_found() {
    let fake = fake().await;
    let client = client(&fake);
    let missing = client.get_repo(ORG, "nope").await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    let no_owner = client.get_repo("nobody", REPO).await.unwrap_err();
    assert!(no_owner.is_not_found(), "{no_owner}");
    assert_eq!(no_owner.endpoint(), Some("GET /repos/{owner}/{repo}"));
}

#[tokio::test(start_paused = true)]
async fn private_repo_is_not_found_without_access() {
    let fake = fake().await;
    fake.store().add_user("eve");
    fake.store().create_repo(
        "eve",
        "secret",
        RepoOptions {
            private: true,
            ..RepoOptions::default()
        },
    );
    let err = client(&fake).get_repo("eve", "secret").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test(start_paused = true)]
async fn unknown_token_is_unauthorized() {
    let fake = fake().await;
    let client = client_with(&fake, "no-such-token", RetryScope::default());
    let err = client.get_repo(ORG, REPO).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert!(!err.to_string().contains("no-such-token"));
}

#[tokio::test(start_paused = true)]
async fn list_org_repos_follows_every_page_without_duplicates() {
    let fake = fake().await;
    for i in 0..122 {
        fake.store()
            .create_repo(ORG, &format!("svc-{i:03}"), RepoOptions::default());
    }
    fake.clear_requests();
    let repos: Vec<_> = client(&fake)
        .list_org_repos(ORG)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(repos.len(), 123);
    let names: HashSet<_> = repos.iter().map(|r| r.name.clone()).collect();
    assert_eq!(names.len(), 123);
    assert!(repos.windows(2).all(|w| w[0].id < w[1].id), "ordered by id");
    let pages = fake.requests();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(
        pages
            .iter()
            .all(|r| r.query.as_deref().is_some_and(|q| q.contains("limit=50")))
    );
}

#[tokio::test(start_paused = true)]
async fn list_org_repo_pages_yields_one_item_per_page_fetched() {
    let fake = fake().await;
    for i in 0..122 {
        fake.store()
            .create_repo(ORG, &format!("svc-{i:03}"), RepoOptions::default());
    }
    fake.clear_requests();
    let pages: Vec<Vec<_>> = client(&fake)
        .list_org_repo_pages(ORG)
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [50, 50, 23]);
    assert_eq!(fake.requests().len(), pages.len());
}

#[tokio::test(start_paused = true)]
async fn list_org_repos_unknown_org() {
    let fake = fake().await;
    let result: Result<Vec<_>, _> = client(&fake).list_org_repos("ghost").try_collect().await;
    let err = result.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test(start_paused = true)]
async fn list_org_repos_rejects_an_empty_org_without_a_request() {
    let fake = fake().await;
    let client = client(&fake);
    let result: Result<Vec<_>, _> = client.list_org_repos("").try_collect().await;
    assert!(matches!(result, Err(gitea_api::Error::InvalidInput { .. })));
    assert_eq!(client.api_calls(), 0);
}
