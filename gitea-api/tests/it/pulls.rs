//! Pull requests against gitea-fake.

use std::collections::HashSet;

use crate::common::{HEAD, ORG, PULLS, REPO, bump_pull, client, count, fake};
use futures_util::TryStreamExt;
use gitea_api::{CreatePullRequest, PullState, PullStateFilter};
use gitea_fake::PullState as Seeded;

#[tokio::test(start_paused = true)]
async fn create_pull_request_with_labels_then_duplicate_gives_its_number() {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    let label = fake.store().create_label(ORG, REPO, "dependencies");
    let client = client(&fake);
    let request = CreatePullRequest::new(HEAD, "main", "Bump runtime to 1.3.0")
        .body("Automated.")
        .labels([label]);
    let pr = client
        .create_pull_request(ORG, REPO, &request)
        .await
        .unwrap();
    assert_eq!(pr.state, PullState::Open);
    assert!(pr.is_open());
    assert_eq!(
        (pr.head.ref_name.as_str(), pr.base.ref_name.as_str()),
        (HEAD, "main")
    );
    assert_eq!(pr.labels.iter().map(|l| l.id).collect::<Vec<_>>(), [label]);
    let snapshot = &fake.store().pulls(ORG, REPO)[0];
    assert_eq!(snapshot.body, "Automated.");

    let duplicate = client
        .create_pull_request(ORG, REPO, &request)
        .await
        .unwrap_err();
    assert!(duplicate.is_pull_already_exists(), "{duplicate}");
    assert_eq!(duplicate.pull_already_exists(), Some(pr.number));
    assert_eq!(fake.store().pulls(ORG, REPO).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn create_pull_request_errors() {
    let fake = fake().await;
    let client = client(&fake);
    let no_head = client
        .create_pull_request(ORG, REPO, &CreatePullRequest::new(HEAD, "main", "t"))
        .await
        .unwrap_err();
    assert!(no_head.is_not_found(), "{no_head}");
    let same = client
        .create_pull_request(ORG, REPO, &CreatePullRequest::new("main", "main", "t"))
        .await
        .unwrap_err();
    assert_eq!(same.status(), Some(422), "{same}");
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    let no_title = client
        .create_pull_request(ORG, REPO, &CreatePullRequest::new(HEAD, "main", ""))
        .await
        .unwrap_err();
    assert_eq!(no_title.status(), Some(422), "{no_title}");
    fake.store().set_archived(ORG, REPO, true);
    let archived = client
        .create_pull_request(ORG, REPO, &CreatePullRequest::new(HEAD, "main", "t"))
        .await
        .unwrap_err();
    assert!(archived.is_archived(), "{archived}");
    let anonymous = gitea_api::Client::builder(fake.base_url()).build().unwrap();
    let unauthorized = anonymous
        .create_pull_request(ORG, REPO, &CreatePullRequest::new(HEAD, "main", "t"))
        .await
        .unwrap_err();
    assert!(unauthorized.is_unauthorized(), "{unauthorized}");
    assert!(fake.store().pulls(ORG, REPO).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_closed_pull_does_not_block_a_new_one() {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    fake.store()
        .create_pull(ORG, REPO, HEAD, "main", "old", "", Seeded::Closed);
    let pr = client(&fake)
        .create_pull_request(ORG, REPO, &CreatePullRequest::new(HEAD, "main", "new"))
        .await
        .unwrap();
    assert!(pr.is_open());
}

#[tokio::test(start_paused = true)]
async fn list_pulls_sends_state_and_pages_completely() {
    let fake = fake().await;
    for i in 0..60 {
        let head = format!("b{i}");
        fake.store().create_branch(ORG, REPO, &head, "main");
        let state = if i % 5 == 0 {
            Seeded::Closed
        } else {
            Seeded::Open
        };
        fake.store()
            .create_pull(ORG, REPO, &head, "main", &format!("pr {i}"), "", state);
    }
    fake.clear_requests();
    let client = client(&fake);
    let open: Vec<_> = client
        .list_pulls(ORG, REPO, PullStateFilter::Open)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(open.len(), 48);
    assert!(open.iter().all(|p| p.is_open()));
    assert_eq!(
        open.iter().map(|p| p.number).collect::<HashSet<_>>().len(),
        48
    );
    let all: Vec<_> = client
        .list_pulls(ORG, REPO, PullStateFilter::All)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 60);
    assert_eq!(all.iter().map(|p| p.id).collect::<HashSet<_>>().len(), 60);
    let closed: Vec<_> = client
        .list_pulls(ORG, REPO, PullStateFilter::Closed)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(closed.len(), 12);
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.query.as_deref().is_some_and(|q| q.contains("state=")))
    );
}

#[tokio::test(start_paused = true)]
async fn list_pulls_unknown_repo() {
    let fake = fake().await;
    let result: Result<Vec<_>, _> = client(&fake)
        .list_pulls(ORG, "nope", PullStateFilter::Open)
        .try_collect()
        .await;
    assert!(result.unwrap_err().is_not_found());
}

#[tokio::test(start_paused = true)]
async fn get_pull_by_base_head_uses_the_direct_endpoint() {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    let number = fake
        .store()
        .create_pull(ORG, REPO, HEAD, "main", "t", "", Seeded::Open);
    let client = client(&fake);
    let pr = bump_pull(&client).await.unwrap();
    assert_eq!(pr.number as i64, number);
    assert!(
        client
            .get_pull_by_base_head(ORG, REPO, "main", "bump/other")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(count(&fake, "GET", PULLS), 0, "no listing on 1.26");
}

#[tokio::test(start_paused = true)]
async fn get_pull_by_base_head_prefers_an_open_pull() {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    fake.store()
        .create_pull(ORG, REPO, HEAD, "main", "merged", "", Seeded::Merged);
    let client = client(&fake);
    let only_merged = bump_pull(&client).await.unwrap();
    assert!(only_merged.merged && !only_merged.is_open());
    let open = fake
        .store()
        .create_pull(ORG, REPO, HEAD, "main", "open", "", Seeded::Open);
    let found = bump_pull(&client).await.unwrap();
    assert_eq!(found.number as i64, open);
    assert!(found.is_open());
}

#[tokio::test(start_paused = true)]
async fn a_base_branch_with_a_slash_is_one_path_segment() {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, "release/1.x", "main");
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    let client = client(&fake);
    let pr = client
        .create_pull_request(ORG, REPO, &CreatePullRequest::new(HEAD, "release/1.x", "t"))
        .await
        .unwrap();
    let found = client
        .get_pull_by_base_head(ORG, REPO, "release/1.x", HEAD)
        .await
        .unwrap();
    assert_eq!(found.map(|p| p.number), Some(pr.number));
    assert!(bump_pull(&client).await.is_none());
}
