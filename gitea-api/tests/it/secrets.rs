//! The token travels only in the `Authorization` header: never in a URL, an error or `Debug`.

use crate::common::{ORG, READ_TOKEN, REPO, TOKEN, assert_no_token, client, client_with, fake};
use futures_util::TryStreamExt;
use gitea_api::{ChangeFileOperation, ChangeFiles, CreatePullRequest, PullStateFilter, RetryScope};
use gitea_fake::{Fault, FaultRule, Match, Trigger};

#[tokio::test(start_paused = true)]
async fn the_canary_is_in_no_url_error_or_debug() {
    let fake = fake().await;
    let client = client(&fake);
    let read_only = client_with(&fake, READ_TOKEN, RetryScope::ReadsOnly);
    assert!(!format!("{client:?}").contains(TOKEN));

    client.get_repo(ORG, REPO).await.unwrap();
    client
        .get_file_contents(ORG, REPO, &["runtime-version", "x"], Some("main"))
        .await
        .unwrap();
    let _: Vec<_> = client.list_org_repos(ORG).try_collect().await.unwrap();
    let _: Vec<_> = client
        .list_pulls(ORG, REPO, PullStateFilter::Open)
        .try_collect()
        .await
        .unwrap();

    let mut errors = vec![
        client.get_repo(ORG, "nope").await.unwrap_err(),
        client
            .get_contents(ORG, REPO, "nope", None)
            .await
            .unwrap_err(),
        client
            .create_pull_request(ORG, REPO, &CreatePullRequest::new("x", "main", "t"))
            .await
            .unwrap_err(),
        read_only
            .create_branch(ORG, REPO, "b", None)
            .await
            .unwrap_err(),
        client
            .change_files(
                ORG,
                REPO,
                &ChangeFiles {
                    files: vec![ChangeFileOperation::update(
                        "runtime-version",
                        "x",
                        "0".repeat(40),
                    )],
                    ..ChangeFiles::default()
                },
            )
            .await
            .unwrap_err(),
    ];
    fake.faults().add(FaultRule::new(
        Match::any(),
        Trigger::Always,
        Fault::proxy_html(502),
    ));
    errors.push(client.get_repo(ORG, REPO).await.unwrap_err());
    errors.push(read_only.get_repo(ORG, REPO).await.unwrap_err());
    fake.faults().clear();
    fake.faults()
        .add(FaultRule::new(Match::any(), Trigger::Always, Fault::Reset));
    errors.push(client.get_repo(ORG, REPO).await.unwrap_err());
    fake.faults().clear();
    for err in &errors {
        assert_no_token(err);
    }

    let log = fake.requests();
    assert!(log.len() > 10);
    for request in &log {
        let url = format!(
            "{} {}?{}",
            request.method,
            request.path,
            request.query.as_deref().unwrap_or("")
        );
        assert!(!url.contains(TOKEN) && !url.contains(READ_TOKEN), "{url}");
        assert!(!url.contains("token="), "{url}");
        assert_eq!(request.auth_scheme.as_deref(), Some("token"), "{url}");
    }
}

#[test]
fn builder_refuses_unsafe_settings_without_echoing_them() {
    use gitea_api::{Client, Token};
    let plain = Client::builder("http://git.example.com")
        .token(Token::new(TOKEN))
        .build()
        .unwrap_err();
    assert!(plain.to_string().contains("allow_insecure_http"), "{plain}");
    assert!(
        Client::builder("http://git.example.com")
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
    let creds = Client::builder(&format!("https://bot:{TOKEN}@git.example.com"))
        .build()
        .unwrap_err();
    assert_no_token(&creds);
    let spaced = Client::builder("https://git.example.com")
        .token(Token::new(format!("{TOKEN} x")))
        .build()
        .unwrap_err();
    assert_no_token(&spaced);
    let builder = Client::builder("https://git.example.com").token(Token::new(TOKEN));
    assert!(!format!("{builder:?}").contains(TOKEN));
}
