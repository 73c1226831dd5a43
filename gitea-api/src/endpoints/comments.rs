//! Comments on issues and pull requests.

use reqwest::Method;
use serde::Serialize;

use crate::request::Kind;
use crate::{Client, Comment, Error};

#[derive(Serialize)]
struct CreateCommentWire<'a> {
    body: &'a str,
}

impl Client {
    /// `POST /repos/{owner}/{repo}/issues/{index}/comments`: adds a comment to the issue or
    /// pull request numbered `index` (a PR's number is its issue index). Sent once.
    ///
    /// # Errors
    ///
    /// 422 for an empty `body`; [`Error::is_archived`] (423); [`Error::is_unauthorized`]
    /// (401) without a token; [`Error::is_forbidden`] without the scope; a **500** with an
    /// empty message when `index` names no issue or PR (Gitea hands that lookup's not-found
    /// to its internal-error answer); otherwise any request [`Error`].
    pub async fn create_issue_comment(
        &self,
        owner: &str,
        repo: &str,
        index: u64,
        body: &str,
    ) -> Result<Comment, Error> {
        const EP: &str = "POST /repos/{owner}/{repo}/issues/{index}/comments";
        let url = self
            .repo_url(owner, repo)?
            .lit("issues")
            .seg("index", &index.to_string())?
            .lit("comments")
            .build();
        let wire = CreateCommentWire { body };
        self.send_json(EP, Method::POST, url, &wire, Kind::Write)
            .await
    }
}
