//! Repository endpoints: one repository, and an org's repositories as a paginated stream.

use futures_util::Stream;
use url::Url;

use crate::paginate::{paginate, paginate_pages};
use crate::request::Kind;
use crate::{Client, Error, Repository};

const LIST_ORG_REPOS: &str = "GET /orgs/{org}/repos";

impl Client {
    /// `GET /repos/{owner}/{repo}`.
    ///
    /// # Errors
    ///
    /// [`Error::is_not_found`] for an unknown owner or repository, or a private one the token
    /// cannot see; otherwise any request [`Error`].
    pub async fn get_repo(&self, owner: &str, repo: &str) -> Result<Repository, Error> {
        const EP: &str = "GET /repos/{owner}/{repo}";
        let url = self.repo_url(owner, repo)?.build();
        self.get_json(EP, url, Kind::Read).await
    }

    /// `GET /orgs/{org}/repos`, every page, ordered by id.
    ///
    /// # Errors
    ///
    /// The stream yields [`Error::is_not_found`] for an unknown organisation (or a user name),
    /// or any request [`Error`], and then ends.
    pub fn list_org_repos(
        &self,
        org: &str,
    ) -> impl Stream<Item = Result<Repository, Error>> + Send + use<> {
        paginate(self.clone(), LIST_ORG_REPOS, self.org_repos_url(org))
    }

    /// [`list_org_repos`](Self::list_org_repos) a page at a time, for callers that show how
    /// many pages they fetched: each item holds the new repositories of one page.
    ///
    /// # Errors
    ///
    /// As [`list_org_repos`](Self::list_org_repos).
    pub fn list_org_repo_pages(
        &self,
        org: &str,
    ) -> impl Stream<Item = Result<Vec<Repository>, Error>> + Send + use<> {
        paginate_pages(self.clone(), LIST_ORG_REPOS, self.org_repos_url(org))
    }

    /// `repos/{owner}/{repo}` under the API root.
    pub(crate) fn repo_url(
        &self,
        owner: &str,
        repo: &str,
    ) -> Result<crate::path::UrlBuilder, Error> {
        self.url()
            .lit("repos")
            .seg("owner", owner)?
            .seg("repo", repo)
    }

    fn org_repos_url(&self, org: &str) -> Result<Url, Error> {
        Ok(self.url().lit("orgs").seg("org", org)?.lit("repos").build())
    }
}
