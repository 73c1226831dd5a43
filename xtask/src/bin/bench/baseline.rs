//! The seed's design, kept only as the baseline of part 2: one consumer at a time, every read
//! and pre-check a request of its own, then one write per file and the PR.

use anyhow::{Context, bail};
use gitea_api::{Client, CreatePullRequest, UpdateFile};

use crate::fleet;

/// Bumps every consumer in turn; returns how many got a PR.
pub(crate) async fn run(client: &Client, consumers: usize) -> anyhow::Result<usize> {
    let mut opened = 0;
    for i in 0..consumers {
        let repo = fleet::consumer_name(i);
        bump(client, fleet::ORG, &repo)
            .await
            .with_context(|| format!("baseline on {}/{repo}", fleet::ORG))?;
        opened += 1;
    }
    Ok(opened)
}

/// GET repo, GET each file, GET branch, GET PR; then POST branch, PUT each file, POST PR.
async fn bump(client: &Client, owner: &str, repo: &str) -> anyhow::Result<()> {
    let base = client.get_repo(owner, repo).await?.default_branch;
    let version_file = client
        .get_contents(owner, repo, "runtime-version", Some(&base))
        .await?;
    let requirements = client
        .get_contents(owner, repo, "requirements.txt", Some(&base))
        .await?;
    let branch = format!("bump/runtime-{}", fleet::NEW_VERSION);
    if client.get_branch(owner, repo, &branch).await?.is_some() {
        bail!("{branch} already exists");
    }
    if client
        .get_pull_by_base_head(owner, repo, &base, &branch)
        .await?
        .is_some()
    {
        bail!("a PR from {branch} already exists");
    }
    client
        .create_branch(owner, repo, &branch, Some(&base))
        .await?;
    let old_pin = format!("{}=={}", fleet::PACKAGE, fleet::OLD_VERSION);
    let new_pin = format!("{}=={}", fleet::PACKAGE, fleet::NEW_VERSION);
    let bumped_requirements =
        String::from_utf8_lossy(&requirements.bytes).replace(&old_pin, &new_pin);
    let writes = [
        (version_file, format!("{}\n", fleet::NEW_VERSION)),
        (requirements, bumped_requirements),
    ];
    for (file, content) in writes {
        let change = UpdateFile {
            content: content.into_bytes(),
            sha: Some(file.sha),
            branch: Some(branch.clone()),
            message: Some(format!("Bump {} to {}", fleet::PACKAGE, fleet::NEW_VERSION)),
            ..UpdateFile::default()
        };
        client.update_file(owner, repo, &file.path, &change).await?;
    }
    let title = format!("Bump {} to {}", fleet::PACKAGE, fleet::NEW_VERSION);
    client
        .create_pull_request(owner, repo, &CreatePullRequest::new(&branch, &base, &title))
        .await?;
    Ok(())
}
