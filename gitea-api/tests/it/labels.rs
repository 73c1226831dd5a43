//! Labels, which Gitea lists with `X-Total-Count` but no `Link` header (ListLabels).

use crate::common::{ORG, REPO, client, fake};

#[tokio::test(start_paused = true)]
async fn every_label_is_listed_without_a_link_header() {
    let fake = fake().await;
    for i in 0..120 {
        fake.store()
            .create_label(ORG, REPO, &format!("label-{i:03}"));
    }
    let labels = client(&fake).list_labels(ORG, REPO).await.unwrap();
    assert_eq!(labels.len(), 120);
    assert_eq!(labels[0].name, "label-000");
    let pages: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/labels"))
        .collect();
    assert_eq!(pages.len(), 3, "50 + 50 + a short page of 20");
    assert!(pages.iter().all(|p| p.status == Some(200)));
}

#[tokio::test(start_paused = true)]
async fn a_short_first_page_is_the_last() {
    let fake = fake().await;
    fake.store().create_label(ORG, REPO, "dependencies");
    let labels = client(&fake).list_labels(ORG, REPO).await.unwrap();
    assert_eq!(labels.len(), 1);
    let asked = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/labels"))
        .count();
    assert_eq!(asked, 1);
}
