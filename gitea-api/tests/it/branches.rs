//! Branches and labels against gitea-fake.

use crate::common::{ORG, READ_TOKEN, REPO, client, client_with, fake};
use gitea_api::RetryScope;

#[tokio::test(start_paused = true)]
async fn get_branch_some_and_none() {
    let fake = fake().await;
    fake.store()
        .create_branch(ORG, REPO, "bump/runtime-1.3.0", "main");
    let client = client(&fake);
    let branch = client
        .get_branch(ORG, REPO, "bump/runtime-1.3.0")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(branch.name, "bump/runtime-1.3.0");
    let head = fake.store().branch_head(ORG, REPO, "main").unwrap();
    assert_eq!(branch.commit.unwrap().id, head);
    assert!(
        client
            .get_branch(ORG, REPO, "bump/runtime-9.9.9")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test(start_paused = true)]
async fn create_branch_and_its_errors() {
    let fake = fake().await;
    let client = client(&fake);
    let created = client
        .create_branch(ORG, REPO, "feature/x", None)
        .await
        .unwrap();
    assert_eq!(created.name, "feature/x");
    let from_ref = client
        .create_branch(ORG, REPO, "feature/y", Some("feature/x"))
        .await
        .unwrap();
    assert_eq!(from_ref.name, "feature/y");
    assert!(
        fake.store()
            .branches(ORG, REPO)
            .contains(&"feature/y".to_owned())
    );

    let exists = client
        .create_branch(ORG, REPO, "feature/x", None)
        .await
        .unwrap_err();
    assert!(exists.is_branch_already_exists(), "{exists}");
    assert_eq!(exists.status(), Some(409));

    let read_only = client_with(&fake, READ_TOKEN, RetryScope::default());
    let forbidden = read_only
        .create_branch(ORG, REPO, "feature/z", None)
        .await
        .unwrap_err();
    assert!(forbidden.is_forbidden(), "{forbidden}");

    fake.store().set_archived(ORG, REPO, true);
    let archived = client
        .create_branch(ORG, REPO, "feature/z", None)
        .await
        .unwrap_err();
    assert!(archived.is_archived(), "{archived}");
}

#[tokio::test(start_paused = true)]
async fn list_labels_with_ids() {
    let fake = fake().await;
    let deps = fake.store().create_label(ORG, REPO, "dependencies");
    let auto = fake.store().create_label(ORG, REPO, "automated");
    let client = client(&fake);
    let labels = client.list_labels(ORG, REPO).await.unwrap();
    let mut pairs: Vec<_> = labels.iter().map(|l| (l.id, l.name.as_str())).collect();
    pairs.sort();
    assert_eq!(pairs, [(deps, "dependencies"), (auto, "automated")]);
    let err = client.list_labels(ORG, "nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
