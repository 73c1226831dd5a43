//! Duplicate PRs of ours after an open: which are kept, which are closed with a comment, which
//! are never touched, and what happens when the look for them fails. Duplicates are seeded in
//! the store, or made by two opens at once against the fake's non-atomic create.

use std::time::Duration;

use crate::common::{HEAD, ORG, PULLS, REPO, client, fake, fake_from};
use gitea_api::{CreatePullRequest, DuplicateCheck, Duplicates, Origin};
use gitea_fake::{FakeGitea, Fault, FaultRule, Match, PullState as Seeded, Trigger};
use retry_policy::{Policy, Retrier};

/// A fake with the bump branch and one open PR from it per poster, in order; returns the
/// PR numbers.
async fn fake_with_pulls(posters: &[&str]) -> (FakeGitea, Vec<i64>) {
    let fake = fake().await;
    let store = fake.store();
    store.create_branch(ORG, REPO, HEAD, "main");
    let numbers = posters
        .iter()
        .map(|poster| {
            let n = store.create_pull(ORG, REPO, HEAD, "main", "Bump", "", Seeded::Open);
            store.set_pull_poster(ORG, REPO, n, poster);
            n
        })
        .collect();
    (fake, numbers)
}

fn request() -> CreatePullRequest {
    CreatePullRequest::new(HEAD, "main", "Bump runtime to 1.3.0")
}

async fn open(fake: &FakeGitea, check: DuplicateCheck) -> gitea_api::Opened {
    let retrier = Retrier::new(Policy::default());
    client(fake)
        .open_pull_request(ORG, REPO, &request(), &retrier, check)
        .await
        .unwrap()
}

fn state(fake: &FakeGitea, number: i64) -> Seeded {
    let pulls = fake.store().pulls(ORG, REPO);
    pulls.iter().find(|p| p.number == number).unwrap().state
}

#[tokio::test(start_paused = true)]
async fn after_a_409_a_second_pull_of_ours_is_closed_naming_the_oldest() {
    let (fake, n) = fake_with_pulls(&["bot", "bot"]).await;
    let opened = open(&fake, DuplicateCheck::WhenInDoubt).await;
    assert_eq!(
        (opened.origin, opened.pull.number),
        (Origin::Existing, n[0] as u64)
    );
    let found = opened.duplicates.found();
    assert_eq!(found.len(), 1, "{:?}", opened.duplicates);
    assert_eq!(found[0].pull.number, n[1] as u64);
    assert!(found[0].closed.is_ok(), "{:?}", found[0].closed);
    assert_eq!(
        (state(&fake, n[0]), state(&fake, n[1])),
        (Seeded::Open, Seeded::Closed)
    );
    let comments = fake.store().comments(ORG, REPO, n[1]);
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].poster, "bot");
    let kept = format!("duplicate of #{} ({})", n[0], opened.pull.html_url);
    assert!(comments[0].body.contains(&kept), "{}", comments[0].body);
    assert!(fake.store().comments(ORG, REPO, n[0]).is_empty());
}

#[tokio::test(start_paused = true)]
async fn pulls_opened_by_anyone_else_are_never_touched() {
    let (fake, n) = fake_with_pulls(&["alice", "bot", "bot", "carol"]).await;
    let opened = open(&fake, DuplicateCheck::WhenInDoubt).await;
    assert_eq!(
        opened.pull.number, n[1] as u64,
        "the oldest of ours is kept"
    );
    assert_eq!(opened.duplicates.found().len(), 1);
    let states: Vec<_> = n.iter().map(|&x| state(&fake, x)).collect();
    assert_eq!(
        states,
        [Seeded::Open, Seeded::Open, Seeded::Closed, Seeded::Open]
    );
    for foreign in [n[0], n[3]] {
        assert!(fake.store().comments(ORG, REPO, foreign).is_empty());
    }
}

#[tokio::test(start_paused = true)]
async fn a_409_naming_someone_else_s_pull_keeps_it_and_closes_nothing() {
    let (fake, n) = fake_with_pulls(&["alice"]).await;
    let opened = open(&fake, DuplicateCheck::WhenInDoubt).await;
    assert_eq!(
        (opened.origin, opened.pull.number),
        (Origin::Existing, n[0] as u64)
    );
    assert!(matches!(&opened.duplicates, Duplicates::Checked(d) if d.is_empty()));
    assert_eq!(state(&fake, n[0]), Seeded::Open);
}

#[tokio::test(start_paused = true)]
async fn a_clean_201_is_checked_only_when_asked() {
    for (check, listed) in [
        (DuplicateCheck::WhenInDoubt, 0),
        (DuplicateCheck::Always, 1),
    ] {
        let (fake, _) = fake_with_pulls(&[]).await;
        let opened = open(&fake, check).await;
        assert_eq!(opened.origin, Origin::Created, "{check:?}");
        let listings = fake
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == PULLS)
            .count();
        assert_eq!(listings, listed, "{check:?}");
        let checked = matches!(&opened.duplicates, Duplicates::Checked(d) if d.is_empty());
        assert_eq!(checked, listed == 1, "{check:?}: {:?}", opened.duplicates);
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_comment_leaves_the_duplicate_open_and_unclosed() {
    let (fake, n) = fake_with_pulls(&["bot", "bot"]).await;
    let comments = Match::any()
        .method("POST")
        .path("/api/v1/repos/*/*/issues/*/comments");
    fake.faults().add(FaultRule::new(
        comments,
        Trigger::Always,
        Fault::status(503),
    ));
    let opened = open(&fake, DuplicateCheck::WhenInDoubt).await;
    let found = opened.duplicates.found();
    assert_eq!(found.len(), 1);
    let err = found[0].closed.as_ref().unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(state(&fake, n[1]), Seeded::Open);
    let patched = fake
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count();
    assert_eq!(patched, 0, "no PR is closed without its comment");
}

#[tokio::test(start_paused = true)]
async fn a_failed_listing_is_reported_and_the_open_still_succeeds() {
    let (fake, n) = fake_with_pulls(&["bot", "bot"]).await;
    let listing = Match::any().method("GET").path(PULLS);
    fake.faults()
        .add(FaultRule::new(listing, Trigger::Always, Fault::status(503)));
    let opened = open(&fake, DuplicateCheck::WhenInDoubt).await;
    assert_eq!(opened.pull.number, n[0] as u64);
    let Duplicates::Unknown(err) = &opened.duplicates else {
        panic!("{:?}", opened.duplicates)
    };
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(
        (state(&fake, n[0]), state(&fake, n[1])),
        (Seeded::Open, Seeded::Open)
    );
}

/// Two clients of the same user opening the same PR at once, against a Gitea whose duplicate
/// check and insert are 2 s apart; returns the fake and the PR each open returned.
async fn race(check: DuplicateCheck) -> (FakeGitea, [u64; 2]) {
    let builder = FakeGitea::builder().non_atomic_pull_create(Duration::from_secs(2));
    let fake = fake_from(builder).await;
    fake.store().create_branch(ORG, REPO, HEAD, "main");
    let (a, b) = (client(&fake), client(&fake));
    let (retrier, request) = (Retrier::new(Policy::default()), request());
    let (ra, rb) = tokio::join!(
        a.open_pull_request(ORG, REPO, &request, &retrier, check),
        b.open_pull_request(ORG, REPO, &request, &retrier, check),
    );
    (fake, [ra.unwrap().pull.number, rb.unwrap().pull.number])
}

fn posts_created(fake: &FakeGitea) -> usize {
    let log = fake.requests();
    let created = |r: &&gitea_fake::LoggedRequest| r.status == Some(201);
    log.iter()
        .filter(|r| r.method == "POST" && r.path == PULLS)
        .filter(created)
        .count()
}

#[tokio::test(start_paused = true)]
async fn two_opens_at_once_that_both_get_a_201_leave_one_open_pull_with_always() {
    let (fake, kept) = race(DuplicateCheck::Always).await;
    assert_eq!(kept, [1, 1], "both opens return the kept PR");
    assert_eq!(
        posts_created(&fake),
        2,
        "the race happened: both POSTs made a PR"
    );
    let pulls = fake.store().pulls(ORG, REPO);
    let open: Vec<_> = pulls.iter().filter(|p| p.state == Seeded::Open).collect();
    assert_eq!(open.len(), 1, "{pulls:?}");
    assert_eq!(open[0].number, 1, "the oldest is kept");
    let comments = fake.store().comments(ORG, REPO, 2);
    assert!(!comments.is_empty());
    assert!(comments.iter().all(|c| c.body.contains("duplicate of #1")));
}

/// The limit `DuplicateCheck::Always` exists for: two clean 201s leave no doubt to either
/// open, so neither looks.
#[tokio::test(start_paused = true)]
async fn with_when_in_doubt_two_clean_201s_stay_two_pulls() {
    let (fake, returned) = race(DuplicateCheck::WhenInDoubt).await;
    assert_eq!(returned, [1, 2]);
    assert_eq!(posts_created(&fake), 2);
    let pulls = fake.store().pulls(ORG, REPO);
    assert_eq!(pulls.iter().filter(|p| p.state == Seeded::Open).count(), 2);
}
