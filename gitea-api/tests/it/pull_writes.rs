//! Commenting on, closing and cleaning up after a pull request, and the token's own user,
//! against gitea-fake (whose handlers follow Gitea's CreateIssueComment, EditPullRequest,
//! DeleteBranch and GetAuthenticatedUser).

use crate::common::{HEAD, ORG, PULLS, REPO, archived, client, count, fake};
use gitea_api::{Client, CreatePullRequest, EditPullRequest, PullRequest, PullState};
use gitea_fake::{FakeGitea, PullState as Seeded};

/// A fake with the bump branch and an open PR from it, and that PR as the client reads it.
async fn with_pull() -> (FakeGitea, PullRequest) {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    let request = CreatePullRequest::new(HEAD, "main", "Bump runtime to 1.3.0");
    let pr = client(&fake)
        .create_pull_request(ORG, REPO, &request)
        .await
        .unwrap();
    (fake, pr)
}

#[tokio::test(start_paused = true)]
async fn a_comment_lands_on_the_pull_and_is_read_back() {
    let (fake, pr) = with_pull().await;
    let text = "Superseded by #2; closing.";
    let comment = client(&fake)
        .create_issue_comment(ORG, REPO, pr.number, text)
        .await
        .unwrap();
    assert_eq!(comment.body, text);
    assert_eq!(comment.user.map(|u| u.login).as_deref(), Some("bot"));
    let anchor = format!("{}#issuecomment-{}", pr.html_url, comment.id);
    assert_eq!(comment.html_url, anchor);
    let stored = fake.store().comments(ORG, REPO, pr.number as i64);
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].id, stored[0].body.as_str()), (comment.id, text));
}

#[tokio::test(start_paused = true)]
async fn comment_errors_are_gitea_s() {
    let (fake, pr) = with_pull().await;
    let client = client(&fake);
    let missing = client
        .create_issue_comment(ORG, REPO, 99, "x")
        .await
        .unwrap_err();
    assert_eq!(missing.status(), Some(500), "{missing}");
    assert_eq!(missing.message(), Some(""));
    let empty = client
        .create_issue_comment(ORG, REPO, pr.number, "")
        .await
        .unwrap_err();
    assert_eq!(empty.status(), Some(422), "{empty}");
    let anonymous = Client::builder(fake.base_url()).build().unwrap();
    let err = anonymous
        .create_issue_comment(ORG, REPO, pr.number, "x")
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    fake.store().set_archived(ORG, REPO, true);
    let err = client
        .create_issue_comment(ORG, REPO, pr.number, "x")
        .await
        .unwrap_err();
    assert!(err.is_archived(), "{err}");
    assert!(fake.store().comments(ORG, REPO, 1).is_empty());
}

#[tokio::test(start_paused = true)]
async fn close_pull_request_closes_once_and_then_changes_nothing() {
    let (fake, pr) = with_pull().await;
    let client = client(&fake);
    let closed = client
        .close_pull_request(ORG, REPO, pr.number)
        .await
        .unwrap();
    assert_eq!(
        (closed.number, closed.state),
        (pr.number, PullState::Closed)
    );
    assert!(!closed.is_open() && !closed.merged);
    assert!(closed.closed_at.is_some());
    assert_eq!(fake.store().pulls(ORG, REPO)[0].state, Seeded::Closed);
    let again = client
        .close_pull_request(ORG, REPO, pr.number)
        .await
        .unwrap();
    assert_eq!(again.state, PullState::Closed);
    let reopened = client
        .edit_pull_request(
            ORG,
            REPO,
            pr.number,
            &EditPullRequest::default().state(PullState::Open),
        )
        .await
        .unwrap();
    assert!(reopened.is_open());
    let edit = EditPullRequest::default()
        .title("Bump runtime to 1.3.1")
        .body("New body.");
    let edited = client
        .edit_pull_request(ORG, REPO, pr.number, &edit)
        .await
        .unwrap();
    assert_eq!(
        (edited.title.as_str(), edited.body.as_str()),
        ("Bump runtime to 1.3.1", "New body.")
    );
    assert_eq!(
        edited.state,
        PullState::Open,
        "a title edit leaves the state alone"
    );
}

#[tokio::test(start_paused = true)]
async fn close_errors_are_gitea_s() {
    let fake = fake().await;
    let merged = fake
        .store()
        .create_pull(ORG, REPO, HEAD, "main", "merged", "", Seeded::Merged);
    let client = client(&fake);
    let err = client
        .close_pull_request(ORG, REPO, merged as u64)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(412), "{err}");
    let err = client.close_pull_request(ORG, REPO, 99).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test(start_paused = true)]
async fn delete_branch_removes_it_and_gitea_closes_its_pulls() {
    let (fake, pr) = with_pull().await;
    let client = client(&fake);
    client.delete_branch(ORG, REPO, HEAD).await.unwrap();
    assert!(client.get_branch(ORG, REPO, HEAD).await.unwrap().is_none());
    let after = client.get_pull(ORG, REPO, pr.number).await.unwrap();
    assert_eq!(after.state, PullState::Closed);
    let again = client.delete_branch(ORG, REPO, HEAD).await.unwrap_err();
    assert!(again.is_not_found(), "{again}");
    let default = client.delete_branch(ORG, REPO, "main").await.unwrap_err();
    assert!(default.is_forbidden(), "{default}");
    fake.store().create_repo(ORG, "frozen", archived());
    fake.store().create_branch(ORG, "frozen", "old", "main");
    let frozen = client
        .delete_branch(ORG, "frozen", "old")
        .await
        .unwrap_err();
    assert!(frozen.is_archived(), "{frozen}");
    assert_eq!(count(&fake, "POST", PULLS), 1);
}

#[tokio::test(start_paused = true)]
async fn current_user_is_asked_once_per_client_and_its_clones() {
    let fake = fake().await;
    let client = client(&fake);
    let me = client.current_user().await.unwrap();
    assert_eq!(me.login, "bot");
    assert_eq!(client.clone().current_user().await.unwrap(), me);
    assert_eq!(count(&fake, "GET", "/api/v1/user"), 1);

    let anonymous = Client::builder(fake.base_url()).build().unwrap();
    for _ in 0..2 {
        let err = anonymous.current_user().await.unwrap_err();
        assert!(err.is_unauthorized(), "{err}");
    }
    assert_eq!(
        count(&fake, "GET", "/api/v1/user"),
        3,
        "an error is not cached"
    );
}
