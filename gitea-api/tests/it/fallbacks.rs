//! The fallbacks for endpoints newer than the server, against gitea-fake emulating Gitea 1.21.

use crate::common::{
    BASE_HEAD, FILE_CONTENTS, HEAD, ORG, PULLS, REPO, bump_pull, client, count, fake_version,
};
use gitea_fake::PullState as Seeded;

#[tokio::test(start_paused = true)]
async fn batch_read_falls_back_to_one_get_per_file() {
    let fake = fake_version("1.21.0").await;
    let client = client(&fake);
    assert_eq!(client.version().await.unwrap().raw(), "1.21.0");
    let files = client
        .get_file_contents(
            ORG,
            REPO,
            &["runtime-version", "missing", "requirements.txt"],
            None,
        )
        .await
        .unwrap();
    assert_eq!(files[0].as_ref().unwrap().bytes, b"1.2.3\n");
    assert!(files[1].is_none());
    assert!(files[2].is_some());
    assert_eq!(count(&fake, "POST", FILE_CONTENTS), 0);
    assert_eq!(
        count(&fake, "GET", "/api/v1/repos/platform/app/contents/missing"),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn pull_lookup_falls_back_to_listing_open_pulls() {
    let fake = fake_version("1.21.0").await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    fake.store().create_branch(ORG, REPO, "other", "main");
    fake.store()
        .create_pull(ORG, REPO, "other", "main", "other", "", Seeded::Open);
    fake.store()
        .create_pull(ORG, REPO, HEAD, "main", "closed", "", Seeded::Closed);
    let client = client(&fake);
    assert!(bump_pull(&client).await.is_none());
    let open = fake
        .store()
        .create_pull(ORG, REPO, HEAD, "main", "open", "", Seeded::Open);
    let pr = bump_pull(&client).await.unwrap();
    assert_eq!(pr.number as i64, open);
    assert_eq!(count(&fake, "GET", BASE_HEAD), 0);
    let lists: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == PULLS)
        .collect();
    assert_eq!(lists.len(), 2);
    assert!(
        lists
            .iter()
            .all(|r| r.query.as_deref().is_some_and(|q| q.contains("state=open")))
    );
}

#[tokio::test(start_paused = true)]
async fn version_is_asked_once_for_several_fallbacks() {
    let fake = fake_version("1.21.0").await;
    let client = client(&fake);
    client
        .get_file_contents(ORG, REPO, &["runtime-version"], None)
        .await
        .unwrap();
    bump_pull(&client).await;
    client
        .get_file_contents(ORG, REPO, &["requirements.txt"], None)
        .await
        .unwrap();
    assert_eq!(count(&fake, "GET", "/api/v1/version"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_1_24_server_has_the_batch_but_a_1_22_server_does_not() {
    let fake = fake_version("1.24.0").await;
    client(&fake)
        .get_file_contents(ORG, REPO, &["runtime-version"], None)
        .await
        .unwrap();
    assert_eq!(count(&fake, "POST", FILE_CONTENTS), 1);

    let fake = fake_version("1.22.0").await;
    let client = client(&fake);
    client
        .get_file_contents(ORG, REPO, &["runtime-version"], None)
        .await
        .unwrap();
    assert_eq!(count(&fake, "POST", FILE_CONTENTS), 0);
    assert!(bump_pull(&client).await.is_none());
    assert_eq!(count(&fake, "GET", BASE_HEAD), 1);
    assert_eq!(count(&fake, "GET", PULLS), 0);
}
