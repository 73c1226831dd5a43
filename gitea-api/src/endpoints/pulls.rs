//! Pull-request endpoints: list, get one, look up by base and head (with its fallback),
//! create, edit and close.

use futures_util::{Stream, TryStreamExt};
use reqwest::Method;
use url::Url;

use crate::paginate::paginate;
use crate::request::Kind;
use crate::{Client, CreatePullRequest, EditPullRequest, Error, PullRequest, PullStateFilter};

const LIST_PULLS: &str = "GET /repos/{owner}/{repo}/pulls";

impl Client {
    /// `GET /repos/{owner}/{repo}/pulls?state=…`, every page, newest first.
    ///
    /// `state` is always sent: Gitea returns every PR when it is missing.
    ///
    /// # Errors
    ///
    /// The stream yields [`Error::is_not_found`] for an unknown repository, or any request
    /// [`Error`], and then ends.
    pub fn list_pulls(
        &self,
        owner: &str,
        repo: &str,
        state: PullStateFilter,
    ) -> impl Stream<Item = Result<PullRequest, Error>> + Send + use<> {
        let url: Result<Url, Error> = self
            .repo_url(owner, repo)
            .map(|u| u.lit("pulls").query("state", state.as_str()).build());
        paginate(self.clone(), LIST_PULLS, url)
    }

    /// The PR from `head` (`branch` or `owner:branch`) into `base`, preferring an open one.
    ///
    /// On Gitea 1.22+ this asks `GET /repos/{owner}/{repo}/pulls/{base}/{head}`, where a 404
    /// means there is no such PR. That endpoint returns a PR in any state, in no particular
    /// order; when it returns a closed or merged one, the open PRs are listed as well, so an open
    /// PR is returned whenever one exists. On older servers (or an unknown version answering 404
    /// or 405) only the open PRs are listed, so a closed one is not found.
    ///
    /// # Errors
    ///
    /// Any request [`Error`], including one from `GET /version`.
    pub async fn get_pull_by_base_head(
        &self,
        owner: &str,
        repo: &str,
        base: &str,
        head: &str,
    ) -> Result<Option<PullRequest>, Error> {
        const EP: &str = "GET /repos/{owner}/{repo}/pulls/{base}/{head}";
        let has_endpoint = self.version().await?.at_least(1, 22);
        if has_endpoint != Some(false) {
            let url = self
                .repo_url(owner, repo)?
                .lit("pulls")
                .seg("base", base)?
                .segs("head", head)?
                .build();
            match self.get_json::<PullRequest>(EP, url, Kind::Read).await {
                Ok(pr) if pr.is_open() => return Ok(Some(pr)),
                Ok(pr) => {
                    let open = self.find_open_pull(owner, repo, base, head).await?;
                    return Ok(open.or(Some(pr)));
                }
                Err(e) if has_endpoint == Some(true) && e.is_not_found() => return Ok(None),
                Err(e) if matches!(e.status(), Some(404 | 405)) => {}
                Err(e) => return Err(e),
            }
        }
        self.find_open_pull(owner, repo, base, head).await
    }

    async fn find_open_pull(
        &self,
        owner: &str,
        repo: &str,
        base: &str,
        head: &str,
    ) -> Result<Option<PullRequest>, Error> {
        let pulls = self.list_pulls(owner, repo, PullStateFilter::Open);
        futures_util::pin_mut!(pulls);
        while let Some(pr) = pulls.try_next().await? {
            if pr.is_open() && matches_base_head(&pr, base, head) {
                return Ok(Some(pr));
            }
        }
        Ok(None)
    }

    /// `GET /repos/{owner}/{repo}/pulls/{index}`: the PR numbered `number`, in any state.
    ///
    /// # Errors
    ///
    /// [`Error::is_not_found`] when there is no such PR (or repository); otherwise any request
    /// [`Error`].
    pub async fn get_pull(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
    ) -> Result<PullRequest, Error> {
        const EP: &str = "GET /repos/{owner}/{repo}/pulls/{index}";
        let url = self
            .repo_url(owner, repo)?
            .lit("pulls")
            .seg("index", &number.to_string())?
            .build();
        self.get_json(EP, url, Kind::Read).await
    }

    /// `PATCH /repos/{owner}/{repo}/pulls/{number}`: changes what `edit` sets and returns the
    /// PR as Gitea then has it. Sent once. Gitea answers 201 here, and applies the title and
    /// body before it refuses a state change.
    ///
    /// # Errors
    ///
    /// [`Error::is_not_found`] for an unknown PR; 412 to change the state of a merged PR;
    /// [`Error::is_unauthorized`] (401) without a token; [`Error::is_forbidden`] without the
    /// scope or write access; otherwise any request [`Error`]. An archived repository is not
    /// refused: Gitea's route has no archive check.
    pub async fn edit_pull_request(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        edit: &EditPullRequest,
    ) -> Result<PullRequest, Error> {
        const EP: &str = "PATCH /repos/{owner}/{repo}/pulls/{index}";
        let url = self
            .repo_url(owner, repo)?
            .lit("pulls")
            .seg("index", &number.to_string())?
            .build();
        self.send_json(EP, Method::PATCH, url, edit, Kind::Write)
            .await
    }

    /// Closes the PR numbered `number` ([`edit_pull_request`](Self::edit_pull_request) with
    /// [`EditPullRequest::close`]). Closing a closed PR changes nothing and succeeds.
    ///
    /// # Errors
    ///
    /// As [`edit_pull_request`](Self::edit_pull_request); 412 for a merged PR.
    pub async fn close_pull_request(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
    ) -> Result<PullRequest, Error> {
        self.edit_pull_request(owner, repo, number, &EditPullRequest::close())
            .await
    }

    /// `POST /repos/{owner}/{repo}/pulls`, sent once.
    ///
    /// This is the raw request. To open a PR with retries and without ever making two, use
    /// [`open_pull_request`](Self::open_pull_request), which looks the PR up before each re-POST
    /// and counts a 409 as the existing PR.
    ///
    /// # Errors
    ///
    /// [`Error::pull_already_exists`] (409) with the open PR's number when one exists for the
    /// same head and base; 404 when the head branch does not exist; 422 for head equal to base or
    /// a missing field; [`Error::is_archived`] (423); [`Error::is_unauthorized`] (401) without a
    /// token; otherwise any request [`Error`].
    pub async fn create_pull_request(
        &self,
        owner: &str,
        repo: &str,
        pull: &CreatePullRequest,
    ) -> Result<PullRequest, Error> {
        const EP: &str = "POST /repos/{owner}/{repo}/pulls";
        let url = self.repo_url(owner, repo)?.lit("pulls").build();
        self.send_json(EP, Method::POST, url, pull, Kind::Write)
            .await
    }
}

/// Whether `pr` goes from `head` (`branch` or `owner:branch`) into `base` of this repository,
/// by branch name and head repository. The branch is [`PrBranch::branch`](crate::PrBranch::branch),
/// never `head.ref` alone, which reads `refs/pull/N/head` once the head branch is deleted.
pub(crate) fn matches_base_head(pr: &PullRequest, base: &str, head: &str) -> bool {
    if pr.base.branch() != base {
        return false;
    }
    match head.split_once(':') {
        Some((owner, branch)) => {
            pr.head.branch() == branch
                && pr.head.repo.as_ref().is_some_and(|r| {
                    r.owner
                        .as_ref()
                        .is_some_and(|o| o.login.eq_ignore_ascii_case(owner))
                        || r.full_name
                            .split('/')
                            .next()
                            .is_some_and(|o| o.eq_ignore_ascii_case(owner))
                })
        }
        None => {
            pr.head.branch() == head
                && (pr.head.repo_id == 0
                    || pr.base.repo_id == 0
                    || pr.head.repo_id == pr.base.repo_id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PrBranch, Repository, User};

    fn pr(head: &str, head_repo: (i64, &str), base: &str, base_repo: i64) -> PullRequest {
        let (id, owner) = head_repo;
        PullRequest {
            head: PrBranch {
                ref_name: head.to_owned(),
                label: head.to_owned(),
                repo_id: id,
                repo: Some(Box::new(Repository {
                    id,
                    full_name: format!("{owner}/app"),
                    owner: Some(User {
                        login: owner.to_owned(),
                        ..User::default()
                    }),
                    ..Repository::default()
                })),
                ..PrBranch::default()
            },
            base: PrBranch {
                ref_name: base.to_owned(),
                repo_id: base_repo,
                ..PrBranch::default()
            },
            ..PullRequest::default()
        }
    }

    #[test]
    fn a_plain_head_matches_only_the_same_repository() {
        let cases = [
            (pr("bump/x", (7, "platform"), "main", 7), true),
            (pr("bump/x", (9, "fork"), "main", 7), false),
            (pr("bump/x", (7, "platform"), "dev", 7), false),
            (pr("bump/y", (7, "platform"), "main", 7), false),
        ];
        for (pr, expected) in cases {
            assert_eq!(matches_base_head(&pr, "main", "bump/x"), expected, "{pr:?}");
        }
    }

    #[test]
    fn a_deleted_head_branch_matches_by_label_not_ref() {
        let mut closed = pr("bump/x", (7, "platform"), "main", 7);
        closed.head.ref_name = "refs/pull/3/head".to_owned();
        assert!(matches_base_head(&closed, "main", "bump/x"));
        assert!(matches_base_head(&closed, "main", "platform:bump/x"));
        closed.head.label = String::new();
        assert!(!matches_base_head(&closed, "main", "bump/x"));
        let mut github_style = pr("bump/x", (7, "platform"), "main", 7);
        github_style.head.label = "platform:bump/x".to_owned();
        assert!(matches_base_head(&github_style, "main", "bump/x"));
    }

    #[test]
    fn an_owner_head_matches_that_owner() {
        let fork = pr("bump/x", (9, "Fork"), "main", 7);
        assert!(matches_base_head(&fork, "main", "fork:bump/x"));
        assert!(!matches_base_head(&fork, "main", "platform:bump/x"));
    }
}
