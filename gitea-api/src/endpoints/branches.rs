//! Branch endpoints: read one branch, create one, delete one.

use reqwest::Method;
use serde::Serialize;

use crate::request::Kind;
use crate::{Branch, Client, Error};

#[derive(Serialize)]
struct CreateBranchWire<'a> {
    new_branch_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    old_ref_name: Option<&'a str>,
}

impl Client {
    /// `GET /repos/{owner}/{repo}/branches/{branch}`; `None` when the branch does not exist.
    ///
    /// # Errors
    ///
    /// A 404 is `Ok(None)` (Gitea cannot tell a missing branch from a missing repository here;
    /// read the repository first). Any other request [`Error`] is returned.
    pub async fn get_branch(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
    ) -> Result<Option<Branch>, Error> {
        const EP: &str = "GET /repos/{owner}/{repo}/branches/{branch}";
        let url = self
            .repo_url(owner, repo)?
            .lit("branches")
            .segs("branch", branch)?
            .build();
        match self.get_json(EP, url, Kind::Read).await {
            Ok(branch) => Ok(Some(branch)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `DELETE /repos/{owner}/{repo}/branches/{branch}`: deletes the branch. Sent once. Gitea
    /// also closes the open PRs from it, and retargets the open PRs into it to the default
    /// branch.
    ///
    /// # Errors
    ///
    /// [`Error::is_not_found`] when the branch does not exist (its `errors` say so; the same
    /// status for an empty repository or an unknown one); [`Error::is_forbidden`] (403) for
    /// the default branch, a protected one, or a token without write access;
    /// [`Error::is_archived`] (423); [`Error::is_unauthorized`] (401) without a token;
    /// otherwise any request [`Error`].
    pub async fn delete_branch(&self, owner: &str, repo: &str, branch: &str) -> Result<(), Error> {
        const EP: &str = "DELETE /repos/{owner}/{repo}/branches/{branch}";
        let url = self
            .repo_url(owner, repo)?
            .lit("branches")
            .segs("branch", branch)?
            .build();
        self.call(EP, Method::DELETE, url, None, Kind::Write)
            .await
            .map(drop)
    }

    /// `POST /repos/{owner}/{repo}/branches`: creates `new_branch` from `old_ref` (a branch, tag
    /// or commit) or, when `None`, from the default branch. Never retried.
    ///
    /// # Errors
    ///
    /// [`Error::is_branch_already_exists`] (409) when it exists; 404 for an empty repository;
    /// [`Error::is_archived`] (423); [`Error::is_forbidden`] without write access; a 500 for an
    /// unknown `old_ref` (a Gitea quirk); otherwise any request [`Error`].
    pub async fn create_branch(
        &self,
        owner: &str,
        repo: &str,
        new_branch: &str,
        old_ref: Option<&str>,
    ) -> Result<Branch, Error> {
        const EP: &str = "POST /repos/{owner}/{repo}/branches";
        let url = self.repo_url(owner, repo)?.lit("branches").build();
        let body = CreateBranchWire {
            new_branch_name: new_branch,
            old_ref_name: old_ref,
        };
        self.send_json(EP, Method::POST, url, &body, Kind::Write)
            .await
    }
}
