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
    assert_eq!(count(&fake, "GET", FILE_CONTENTS), 0);
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
    assert_eq!(count(&fake, "GET", FILE_CONTENTS), 1);

    let fake = fake_version("1.22.0").await;
    let client = client(&fake);
    client
        .get_file_contents(ORG, REPO, &["runtime-version"], None)
        .await
        .unwrap();
    assert_eq!(count(&fake, "GET", FILE_CONTENTS), 0);
    assert!(bump_pull(&client).await.is_none());
    assert_eq!(count(&fake, "GET", BASE_HEAD), 1);
    assert_eq!(count(&fake, "GET", PULLS), 0);
}

/// The version rule the client shares with gitea-fake: for each version string the fake
/// serves exactly the endpoints the client expects of it, so the client asks for the batch
/// read and the PR look-up by base and head exactly where they exist.
#[tokio::test(start_paused = true)]
async fn client_and_fake_read_every_version_string_alike() {
    // (version, has the 1.24 batch read, has the 1.22 look-up by base and head)
    let cases = [
        ("1.26.4", true, true),
        ("v1.24.0", true, true),
        ("1.27.0+dev-12-gabc1234", true, true),
        ("11.0.1+gitea-1.22.0", false, true),
        ("1.21.11", false, false),
        ("development", true, true),
    ];
    for (version, batch, base_head) in cases {
        let fake = fake_version(version).await;
        fake.store().create_branch(ORG, REPO, HEAD, "main");
        fake.store()
            .create_pull(ORG, REPO, HEAD, "main", "t", "", Seeded::Open);
        let client = client(&fake);
        let level = client.version().await.unwrap();
        assert_eq!(level.raw(), version);
        assert_eq!(level.at_least(1, 24).unwrap_or(true), batch, "{version}");
        assert_eq!(
            level.at_least(1, 22).unwrap_or(true),
            base_head,
            "{version}"
        );
        client
            .get_file_contents(ORG, REPO, &["runtime-version"], None)
            .await
            .unwrap();
        assert!(bump_pull(&client).await.is_some(), "{version}");
        assert_eq!(
            count(&fake, "GET", FILE_CONTENTS),
            usize::from(batch),
            "{version}"
        );
        assert_eq!(
            count(&fake, "GET", BASE_HEAD),
            usize::from(base_head),
            "{version}"
        );
        // Nothing was asked that the server lacks: no 404 anywhere.
        assert!(
            fake.requests().iter().all(|r| r.status == Some(200)),
            "{version}: {:?}",
            fake.requests()
        );
    }
}

/// Once a PR's head branch is gone, Gitea reports `head.ref` as `refs/pull/N/head`
/// (ToAPIPullRequest); the listing fallback still finds the PR by its label.
#[tokio::test(start_paused = true)]
async fn the_listing_fallback_matches_a_pull_whose_head_branch_is_gone() {
    let fake = fake_version("1.21.0").await;
    // Seeded open without its branch, as a PR whose head was deleted by a force-push race.
    let n = fake
        .store()
        .create_pull(ORG, REPO, HEAD, "main", "open", "", Seeded::Open);
    let pr = bump_pull(&client(&fake)).await.unwrap();
    assert_eq!(pr.number as i64, n);
    assert_eq!(pr.head.ref_name, format!("refs/pull/{n}/head"));
    assert_eq!(pr.head.branch(), HEAD);
}
