//! The duplicate-safe PR open against gitea-fake with injected faults: how many POSTs, which
//! look-ups before them (read from the fake's request log), and how many PRs it leaves.

use std::time::Duration;

use crate::common::{
    BASE_HEAD, HEAD, ORG, PULLS, READ_TOKEN, REPO, TOKEN, client, client_with, count, fake,
    fake_version,
};
use gitea_api::{
    Client, CreatePullRequest, DuplicateCheck, Error, Opened, Origin, RetryScope, Token,
};
use gitea_fake::{FakeGitea, Fault, FaultRule, Match, PullState as Seeded, Trigger};
use retry_policy::{Policy, Retrier};

fn bump_request() -> CreatePullRequest {
    CreatePullRequest::new(HEAD, "main", "Bump runtime to 1.3.0")
}

/// The default policy (3 retries: 1 s, 2 s, 4 s) on tokio's clock, which the tests pause.
fn retrier() -> Retrier {
    Retrier::new(Policy::default())
}

/// A fake whose repository has the bump branch.
async fn fake_with_branch() -> FakeGitea {
    let fake = fake().await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    fake
}

fn on(fake: &FakeGitea, method: &str, path: &str, trigger: Trigger, fault: Fault) {
    let rule = FaultRule::new(Match::any().method(method).path(path), trigger, fault);
    fake.faults().add(rule);
}

async fn open(client: &Client) -> Result<Opened, Error> {
    let check = DuplicateCheck::WhenInDoubt;
    client
        .open_pull_request(ORG, REPO, &bump_request(), &retrier(), check)
        .await
}

/// The requests to the PR endpoints, in order: `POST` (the create), `LOOK` (the look-up by
/// base and head) and `LIST` (the open PRs, listed by the look-up's fallback on old servers
/// and by the look for duplicates).
fn pull_traffic(fake: &FakeGitea) -> Vec<&'static str> {
    fake.requests()
        .iter()
        .filter_map(|r| match (r.method.as_str(), r.path.as_str()) {
            ("POST", PULLS) => Some("POST"),
            ("GET", BASE_HEAD) => Some("LOOK"),
            ("GET", PULLS) => Some("LIST"),
            _ => None,
        })
        .collect()
}

/// Every POST after the first comes right after a look-up.
fn assert_each_re_post_follows_a_look_up(fake: &FakeGitea) {
    let traffic = pull_traffic(fake);
    for (i, call) in traffic.iter().enumerate().skip(1) {
        if *call == "POST" {
            let before = traffic[i - 1];
            let looked = matches!(before, "LOOK" | "LIST");
            assert!(looked, "re-POST without a look-up: {traffic:?}");
        }
    }
}

fn open_pulls(fake: &FakeGitea) -> usize {
    let pulls = fake.store().pulls(ORG, REPO);
    pulls.iter().filter(|p| p.state == Seeded::Open).count()
}

#[tokio::test(start_paused = true)]
async fn a_503_then_a_lost_answer_then_a_409_give_exactly_one_pull() {
    let fake = fake_with_branch().await;
    on(&fake, "POST", PULLS, Trigger::Nth(1), Fault::status(503));
    on(
        &fake,
        "POST",
        PULLS,
        Trigger::Nth(2),
        Fault::apply_then(Fault::status(502)),
    );
    // The look-up before the third POST misses the PR the second one wrote, as it does when
    // that write lands just after the look-up; so the third POST meets Gitea's 409.
    on(&fake, "GET", BASE_HEAD, Trigger::Nth(2), Fault::status(404));
    let opened = open(&client(&fake)).await.unwrap();
    assert_eq!(opened.origin, Origin::Existing);
    assert!(opened.pull.is_open());
    let stored = fake.store().pulls(ORG, REPO);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(opened.pull.number, stored[0].number as u64);
    let traffic = pull_traffic(&fake);
    assert_eq!(traffic, ["POST", "LOOK", "POST", "LOOK", "POST", "LIST"]);
    assert_each_re_post_follows_a_look_up(&fake);
    assert!(
        opened.duplicates.found().is_empty(),
        "{:?}",
        opened.duplicates
    );
    let by_number = format!("{PULLS}/{}", opened.pull.number);
    assert_eq!(
        count(&fake, "GET", &by_number),
        1,
        "the 409's PR is read by its number"
    );
}

#[tokio::test(start_paused = true)]
async fn a_503_is_retried_after_a_look_up_and_creates_the_pull() {
    let fake = fake_with_branch().await;
    on(&fake, "POST", PULLS, Trigger::Nth(1), Fault::status(503));
    let client = client(&fake);
    let opened = open(&client).await.unwrap();
    assert_eq!(opened.origin, Origin::Created);
    assert!(opened.is_created() && opened.pull.is_open());
    assert_eq!(pull_traffic(&fake), ["POST", "LOOK", "POST", "LIST"]);
    assert_eq!(
        client.api_calls(),
        6,
        "the POSTs, /version, the look-up, and after the doubtful 503 /user and the listing"
    );
    assert_eq!(fake.store().pulls(ORG, REPO).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_lost_answer_is_found_by_the_look_up_not_posted_again() {
    for lost in [
        Fault::apply_then(Fault::status(502)),
        Fault::apply_then(Fault::Reset),
        Fault::apply_then(Fault::TruncateBody),
    ] {
        let fake = fake_with_branch().await;
        on(&fake, "POST", PULLS, Trigger::Nth(1), lost.clone());
        let opened = open(&client(&fake)).await.unwrap();
        assert_eq!(opened.origin, Origin::Existing, "{lost:?}");
        assert_eq!(pull_traffic(&fake), ["POST", "LOOK", "LIST"], "{lost:?}");
        assert_eq!(fake.store().pulls(ORG, REPO).len(), 1, "{lost:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_post_that_landed_is_found_by_the_look_up() {
    let fake = fake_with_branch().await;
    let slow = Fault::apply_then(Fault::Delay(Duration::from_secs(120)));
    on(&fake, "POST", PULLS, Trigger::Nth(1), slow);
    let client = Client::builder(fake.base_url())
        .token(Token::new(TOKEN))
        .retry_policy(
            Policy::builder()
                .attempt_timeout(Duration::from_secs(5))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let opened = open(&client).await.unwrap();
    assert_eq!(opened.origin, Origin::Existing);
    assert_eq!(pull_traffic(&fake), ["POST", "LOOK", "LIST"]);
    assert_eq!(fake.store().pulls(ORG, REPO).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_409_is_the_existing_pull_with_its_number() {
    let fake = fake_with_branch().await;
    let number = fake
        .store()
        .create_pull(ORG, REPO, HEAD, "main", "by hand", "", Seeded::Open);
    let opened = open(&client(&fake)).await.unwrap();
    assert_eq!(opened.origin, Origin::Existing);
    assert_eq!(opened.pull.number, number as u64);
    assert_eq!(opened.pull.title, "by hand");
    assert_eq!(pull_traffic(&fake), ["POST", "LIST"]);
    assert_eq!(fake.store().pulls(ORG, REPO).len(), 1);
}

/// A request Gitea refuses with a 4xx, and the status it answers.
#[derive(Debug, Clone, Copy)]
enum Refused {
    NoHeadBranch,
    HeadEqualsBase,
    Archived,
    ReadOnlyToken,
    Anonymous,
}

impl Refused {
    const ALL: [Refused; 5] = [
        Refused::NoHeadBranch,
        Refused::HeadEqualsBase,
        Refused::Archived,
        Refused::ReadOnlyToken,
        Refused::Anonymous,
    ];

    fn status(self) -> u16 {
        match self {
            Refused::NoHeadBranch => 404,
            Refused::HeadEqualsBase => 422,
            Refused::Archived => 423,
            Refused::ReadOnlyToken => 403,
            Refused::Anonymous => 401,
        }
    }

    /// Sets the fake up and returns the client and request that Gitea refuses.
    fn arrange(self, fake: &FakeGitea) -> (Client, CreatePullRequest) {
        if !matches!(self, Refused::NoHeadBranch) {
            fake.store().create_branch(ORG, REPO, HEAD, "main");
        }
        let client = match self {
            Refused::ReadOnlyToken => client_with(fake, READ_TOKEN, RetryScope::default()),
            Refused::Anonymous => Client::builder(fake.base_url()).build().unwrap(),
            _ => client(fake),
        };
        if matches!(self, Refused::Archived) {
            fake.store().set_archived(ORG, REPO, true);
        }
        let request = match self {
            Refused::HeadEqualsBase => CreatePullRequest::new("main", "main", "t"),
            _ => bump_request(),
        };
        (client, request)
    }
}

#[tokio::test(start_paused = true)]
async fn a_4xx_is_one_post_and_no_look_up() {
    for refused in Refused::ALL {
        let fake = fake().await;
        let (client, request) = refused.arrange(&fake);
        let err = client
            .open_pull_request(ORG, REPO, &request, &retrier(), DuplicateCheck::Always)
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(refused.status()), "{refused:?}: {err}");
        assert_eq!(pull_traffic(&fake), ["POST"], "{refused:?}");
        assert!(fake.store().pulls(ORG, REPO).is_empty(), "{refused:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_final_503_comes_back_after_four_posts_each_retry_after_a_look_up() {
    let fake = fake_with_branch().await;
    on(&fake, "POST", PULLS, Trigger::Always, Fault::status(503));
    let err = open(&client(&fake)).await.unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(count(&fake, "POST", PULLS), 4);
    assert_each_re_post_follows_a_look_up(&fake);
    assert!(fake.store().pulls(ORG, REPO).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_failing_look_up_is_an_attempt_of_its_own() {
    let fake = fake_with_branch().await;
    on(
        &fake,
        "POST",
        PULLS,
        Trigger::Nth(1),
        Fault::apply_then(Fault::status(502)),
    );
    on(&fake, "GET", BASE_HEAD, Trigger::Nth(1), Fault::status(503));
    let opened = open(&client(&fake)).await.unwrap();
    assert_eq!(opened.origin, Origin::Existing);
    assert_eq!(pull_traffic(&fake), ["POST", "LOOK", "LOOK", "LIST"]);
    assert_eq!(fake.store().pulls(ORG, REPO).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn on_gitea_1_21_the_look_up_lists_the_open_pulls() {
    let fake = fake_version("1.21.0").await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    on(
        &fake,
        "POST",
        PULLS,
        Trigger::Nth(1),
        Fault::apply_then(Fault::status(504)),
    );
    let opened = open(&client(&fake)).await.unwrap();
    assert_eq!(opened.origin, Origin::Existing);
    assert_eq!(count(&fake, "GET", BASE_HEAD), 0);
    assert_eq!(pull_traffic(&fake), ["POST", "LIST", "LIST"]);
    assert_eq!(open_pulls(&fake), 1);
}

#[tokio::test(start_paused = true)]
async fn create_pull_request_is_sent_once_under_every_scope() {
    for scope in [RetryScope::Disabled, RetryScope::ReadsOnly] {
        let fake = fake_with_branch().await;
        on(&fake, "POST", PULLS, Trigger::Nth(1), Fault::status(503));
        let err = client_with(&fake, TOKEN, scope)
            .create_pull_request(ORG, REPO, &bump_request())
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(503), "{scope:?}");
        assert_eq!(count(&fake, "POST", PULLS), 1, "{scope:?}");
    }
}
