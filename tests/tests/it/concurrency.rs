//! Two cascade runs at once against a Gitea whose duplicate-PR check and insert are not atomic
//! (go-gitea/gitea#20906; the fake's `non_atomic_pull_create`), on tokio's paused clock: they
//! race on every consumer, both PR POSTs of a consumer can succeed, and yet every consumer ends
//! with exactly one open bump PR, the duplicates closed with a comment naming it.

use std::time::Duration;

use cascade::report::{Outcome, Report};
use gitea_fake::{FakeGitea, PullState, fleet::ConsumerState};

use crate::common::{BRANCH, bump_prs, count_open, fleet_on, propagate_default};

const CONSUMERS: usize = 24;

/// PR POSTs of one consumer that made a PR (201).
fn created_posts(fake: &FakeGitea, repo: &str) -> usize {
    let path = format!("/api/v1/repos/{repo}/pulls");
    fake.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == path && r.status == Some(201))
        .count()
}

fn no_failures(report: &Report) {
    for row in &report.consumers {
        assert!(
            matches!(
                row.outcome,
                Outcome::Created | Outcome::Adopted | Outcome::Proposed
            ),
            "{row:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn two_concurrent_runs_leave_exactly_one_open_pr_per_consumer() {
    let fake = FakeGitea::builder()
        .non_atomic_pull_create(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let names: Vec<String> = (0..CONSUMERS).map(|i| format!("svc-{i:02}")).collect();
    let consumers: Vec<(&str, ConsumerState)> = names
        .iter()
        .map(|n| (n.as_str(), ConsumerState::Behind))
        .collect();
    let fleet = fleet_on(fake, &consumers);

    let (a, b) = tokio::join!(propagate_default(&fleet), propagate_default(&fleet));
    no_failures(&a);
    no_failures(&b);

    let mut raced = 0;
    for consumer in &fleet.seeded {
        let repo = &consumer.full_name;
        let prs = bump_prs(&fleet.fake, repo);
        assert_eq!(count_open(&prs), 1, "{repo}: {prs:?}");
        if created_posts(&fleet.fake, repo) < 2 {
            continue;
        }
        raced += 1;
        let (owner, name) = repo.split_once('/').unwrap();
        let kept = prs.iter().find(|p| p.state == PullState::Open).unwrap();
        for closed in prs.iter().filter(|p| p.state == PullState::Closed) {
            let comments = fleet.fake.store().comments(owner, name, closed.number);
            let naming = format!("duplicate of #{}", kept.number);
            assert!(
                !comments.is_empty() && comments.iter().all(|c| c.body.contains(&naming)),
                "{repo}: {comments:?}"
            );
            assert_eq!(closed.head, BRANCH);
        }
        let rows = [&a, &b].map(|r| r.consumers.iter().find(|c| &c.repo == repo).unwrap());
        assert!(
            rows.iter()
                .all(|row| row.pr.as_ref().map(|p| p.number) == Some(kept.number as u64)),
            "{repo}: both runs report the kept PR: {rows:?}"
        );
        let noted = rows.iter().any(|row| {
            row.detail
                .as_deref()
                .is_some_and(|d| d.contains("closed duplicate PR"))
        });
        assert!(noted, "{repo}: a row names the closed duplicate: {rows:?}");
    }
    assert!(
        raced > 0,
        "the runs never made two PRs for one consumer, so this test showed nothing"
    );
}
