//! The repository's labels, for resolving configured label names to ids.

use futures_util::TryStreamExt;

use crate::paginate::paginate;
use crate::{Client, Error, Label};

impl Client {
    /// `GET /repos/{owner}/{repo}/labels`, every page, collected.
    ///
    /// # Errors
    ///
    /// [`Error::is_not_found`] for an unknown repository; otherwise any request [`Error`].
    pub async fn list_labels(&self, owner: &str, repo: &str) -> Result<Vec<Label>, Error> {
        const EP: &str = "GET /repos/{owner}/{repo}/labels";
        let url = self.repo_url(owner, repo).map(|u| u.lit("labels").build());
        paginate(self.clone(), EP, url).try_collect().await
    }
}
