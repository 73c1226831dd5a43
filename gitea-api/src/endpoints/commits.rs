//! `GET /repos/{owner}/{repo}/commits`: the commits of one ref that another ref lacks.

use crate::request::Kind;
use crate::{Client, Commit, CommitRange, Error};

impl Client {
    /// The commits reachable from `head` and not from `base` (`git log head --not base`),
    /// newest first: at most `limit` of them (1 to 50), with the range's total count. Each
    /// lists the files it changed; diff stats and signature checks are not asked for.
    ///
    /// `head` and `base` are branch names or commit shas. Asking for one more commit than the
    /// caller accepts tells "exactly n" from "more", whatever the range's size.
    ///
    /// # Errors
    ///
    /// [`Error::is_not_found`] for an unknown repository or `head`; 409 for an empty
    /// repository; [`Error::InvalidInput`] for a `limit` outside 1 to 50; otherwise any request
    /// [`Error`].
    pub async fn commits_not_in(
        &self,
        owner: &str,
        repo: &str,
        head: &str,
        base: &str,
        limit: u32,
    ) -> Result<CommitRange, Error> {
        const EP: &str = "GET /repos/{owner}/{repo}/commits";
        if !(1..=50).contains(&limit) {
            return Err(Error::InvalidInput {
                what: "limit",
                reason: format!("{limit} is not between 1 and 50"),
            });
        }
        let url = self
            .repo_url(owner, repo)?
            .lit("commits")
            .query("sha", head)
            .query("not", base)
            .query("limit", &limit.to_string())
            .query("stat", "false")
            .query("verification", "false")
            .query("files", "true")
            .build();
        let reply = self
            .call(EP, reqwest::Method::GET, url, None, Kind::Read)
            .await?;
        let commits: Vec<Commit> = self.decode(EP, &reply)?;
        let total = reply
            .headers
            .get("x-total-count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(commits.len() as u64)
            .max(commits.len() as u64);
        Ok(CommitRange { commits, total })
    }
}
