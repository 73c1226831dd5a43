//! Two releases in a row through the real binary: a 1.5.0 propagate, then a 1.5.1 propagate,
//! leave exactly one open bump PR per consumer (the 1.5.1 one) and delete the 1.5.0 branches,
//! with the bump commits written as the `[commit]` identity, which ownership still knows as ours.

use gitea_api::Identity;
use gitea_fake::{PullState, fleet::ConsumerState::Behind};

use crate::cli::{config_file, propagate, serve};

const REPOS: [&str; 2] = ["checkout", "search"];

fn open_bump_heads(fake: &gitea_fake::FakeGitea, repo: &str) -> Vec<String> {
    fake.store()
        .pulls("platform", repo)
        .into_iter()
        .filter(|pr| pr.state == PullState::Open && pr.head.starts_with("bump/runtime-"))
        .map(|pr| pr.head)
        .collect()
}

/// The git author and committer of the head of `branch`, read through the commits API.
fn head_identities(config: &std::path::Path, repo: &str, branch: &str) -> (Identity, Identity) {
    let config = cascade::config::Config::load(config).unwrap();
    let client = cascade::run::connect(&config, gitea_api::Token::new("tok")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let range = runtime
        .block_on(client.commits_not_in("platform", repo, branch, "main", 2))
        .unwrap();
    assert_eq!(range.total, 1, "{range:?}");
    let git = &range.commits[0].git;
    (git.author.clone(), git.committer.clone())
}

#[test]
fn a_150_then_a_151_propagate_leave_one_open_bump_pr_per_consumer() {
    let served = serve(
        "releases",
        "tok",
        &[("checkout", Behind), ("search", Behind)],
    );
    let mut text = std::fs::read_to_string(&served.config).unwrap();
    text.push_str(
        "[commit]\nauthor = { name = \"Platform Bot\", email = \"platform-bot@example.com\" }\n",
    );
    let config = config_file("releases-with-author", &text);

    let first = propagate(&config, Some("tok"), &["--version", "1.5.0"]);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    for repo in REPOS {
        assert_eq!(open_bump_heads(&served.fake, repo), ["bump/runtime-1.5.0"]);
    }

    let second = propagate(&config, Some("tok"), &["--version", "1.5.1", "--json"]);
    assert_eq!(second.status.code(), Some(0), "{second:?}");
    let report: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    let bot = Identity {
        name: "Platform Bot".to_owned(),
        email: "platform-bot@example.com".to_owned(),
    };
    for repo in REPOS {
        assert_eq!(open_bump_heads(&served.fake, repo), ["bump/runtime-1.5.1"]);
        let branches = served.fake.store().branches("platform", repo);
        assert!(
            !branches.iter().any(|b| b == "bump/runtime-1.5.0"),
            "{repo}: {branches:?}"
        );
        let row = report["consumers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["repo"] == format!("platform/{repo}"))
            .unwrap();
        assert_eq!(row["outcome"], "created", "{row}");
        assert_eq!(row["superseded"][0]["action"], "closed", "{row}");
        assert_eq!(
            head_identities(&config, repo, "bump/runtime-1.5.1"),
            (bot.clone(), bot.clone()),
            "an author alone is the committer too"
        );
    }
}
