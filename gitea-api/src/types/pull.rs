//! A pull request, its branches and state, and the body that creates one.

use serde::{Deserialize, Serialize};

use super::{Keyed, Label, Repository, User, null_default};

/// A pull request (swagger `PullRequest`), reduced to the fields the cascade reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// Global numeric id.
    pub id: i64,
    /// The per-repository number (Gitea's "index"), as in `#12`.
    pub number: u64,
    /// `open` or `closed`; a merged PR is `closed` with [`merged`](Self::merged) set.
    #[serde(default, deserialize_with = "null_default")]
    pub state: PullState,
    /// Whether it was merged.
    #[serde(default, deserialize_with = "null_default")]
    pub merged: bool,
    /// Title.
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    /// Description; empty when none.
    #[serde(default, deserialize_with = "null_default")]
    pub body: String,
    /// Web page of the PR.
    #[serde(default, deserialize_with = "null_default")]
    pub html_url: String,
    /// The head (source) branch.
    #[serde(default, deserialize_with = "null_default")]
    pub head: PrBranch,
    /// The base (target) branch.
    #[serde(default, deserialize_with = "null_default")]
    pub base: PrBranch,
    /// Labels.
    #[serde(default, deserialize_with = "null_default")]
    pub labels: Vec<Label>,
    /// The author.
    #[serde(default)]
    pub user: Option<User>,
    /// Assignees.
    #[serde(default, deserialize_with = "null_default")]
    pub assignees: Vec<User>,
    /// Requested reviewers.
    #[serde(default, deserialize_with = "null_default")]
    pub requested_reviewers: Vec<User>,
    /// Whether it is a draft.
    #[serde(default, deserialize_with = "null_default")]
    pub draft: bool,
    /// Creation time (RFC 3339).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Merge time, when merged.
    #[serde(default)]
    pub merged_at: Option<String>,
    /// Close time, when closed.
    #[serde(default)]
    pub closed_at: Option<String>,
}

impl PullRequest {
    /// Open and not merged: the only kind that blocks creating another PR for the same branches.
    pub fn is_open(&self) -> bool {
        self.state == PullState::Open && !self.merged
    }
}

impl Keyed for PullRequest {
    fn key(&self) -> i64 {
        self.id
    }
}

/// One side of a [`PullRequest`] (swagger `PRBranchInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrBranch {
    /// The ref: the branch name while the branch exists; once a head branch is deleted Gitea
    /// reports the PR's own ref, `refs/pull/N/head`. Use [`branch`](Self::branch) for the name.
    #[serde(rename = "ref", default, deserialize_with = "null_default")]
    pub ref_name: String,
    /// The branch name, which Gitea keeps after the branch is deleted (GitHub-style servers
    /// write `owner:branch`).
    #[serde(default, deserialize_with = "null_default")]
    pub label: String,
    /// The commit sha the branch pointed at.
    #[serde(default, deserialize_with = "null_default")]
    pub sha: String,
    /// Id of the repository holding the branch.
    #[serde(default, deserialize_with = "null_default")]
    pub repo_id: i64,
    /// The repository holding the branch, when sent (absent when it was deleted).
    #[serde(default)]
    pub repo: Option<Box<Repository>>,
}

impl PrBranch {
    /// The branch this side was opened from or into, deleted or not: the label without any
    /// `owner:` prefix, or else the ref without `refs/heads/`.
    ///
    /// ```
    /// use gitea_api::PrBranch;
    /// let deleted = PrBranch {
    ///     ref_name: "refs/pull/7/head".into(),
    ///     label: "bump/runtime-1.3.0".into(),
    ///     ..PrBranch::default()
    /// };
    /// assert_eq!(deleted.branch(), "bump/runtime-1.3.0");
    /// ```
    pub fn branch(&self) -> &str {
        if !self.label.is_empty() {
            return self.label.rsplit_once(':').map_or(&self.label, |(_, b)| b);
        }
        match self.ref_name.strip_prefix("refs/heads/") {
            Some(branch) => branch,
            None if self.ref_name.starts_with("refs/") => "",
            None => &self.ref_name,
        }
    }
}

/// The state of a [`PullRequest`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum PullState {
    /// Open (possibly a draft).
    #[default]
    Open,
    /// Closed or merged.
    Closed,
    /// A state this client does not know.
    #[serde(other)]
    Unknown,
}

/// Which pull requests [`Client::list_pulls`](crate::Client::list_pulls) asks for.
///
/// It is always sent, because Gitea returns every PR when `state` is missing, despite its swagger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PullStateFilter {
    /// `state=open`.
    Open,
    /// `state=closed`, merged ones included.
    Closed,
    /// `state=all`.
    All,
}

impl PullStateFilter {
    /// The query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::All => "all",
        }
    }
}

/// The body of `POST /repos/{owner}/{repo}/pulls` (swagger `CreatePullRequestOption`).
///
/// ```
/// use gitea_api::CreatePullRequest;
/// let pr = CreatePullRequest::new("bump/runtime-1.2.3", "main", "Bump runtime to 1.2.3")
///     .body("Automated.")
///     .labels([3]);
/// assert_eq!(pr.labels, [3]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreatePullRequest {
    /// Source branch: `branch` or `owner:branch`.
    pub head: String,
    /// Target branch.
    pub base: String,
    /// Title.
    pub title: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Label ids (see [`Label::id`]); Gitea silently ignores unknown ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<i64>,
    /// Logins to assign.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assignees: Vec<String>,
    /// Logins to request a review from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<String>,
    /// Team names to request a review from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub team_reviewers: Vec<String>,
    /// Milestone id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<i64>,
}

impl CreatePullRequest {
    /// A PR from `head` into `base` with a title and nothing else.
    pub fn new(head: impl Into<String>, base: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            head: head.into(),
            base: base.into(),
            title: title.into(),
            ..Self::default()
        }
    }

    /// Sets the description.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sets the label ids.
    pub fn labels(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.labels = ids.into_iter().collect();
        self
    }

    /// Sets the assignees' logins.
    pub fn assignees<S: Into<String>>(mut self, logins: impl IntoIterator<Item = S>) -> Self {
        self.assignees = logins.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the reviewers' logins.
    pub fn reviewers<S: Into<String>>(mut self, logins: impl IntoIterator<Item = S>) -> Self {
        self.reviewers = logins.into_iter().map(Into::into).collect();
        self
    }
}

/// The body of `PATCH /repos/{owner}/{repo}/pulls/{index}` (swagger `EditPullRequestOption`),
/// reduced to what a bot changes; fields left `None` are not sent, so Gitea leaves them alone.
///
/// ```
/// use gitea_api::{EditPullRequest, PullState};
/// let close = EditPullRequest::close();
/// assert_eq!(close.state, Some(PullState::Closed));
/// assert_eq!(serde_json::to_string(&close).unwrap(), r#"{"state":"closed"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EditPullRequest {
    /// A new title (Gitea ignores an empty one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A new description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `Open` reopens, `Closed` closes; Gitea answers 412 for a merged PR, and for
    /// [`PullState::Unknown`], which it does not know either.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<PullState>,
}

impl EditPullRequest {
    /// Closes the PR and changes nothing else.
    pub fn close() -> Self {
        Self {
            state: Some(PullState::Closed),
            ..Self::default()
        }
    }

    /// Sets the title.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sets the state: [`PullState::Open`] reopens, [`PullState::Closed`] closes.
    #[must_use]
    pub fn state(mut self, state: PullState) -> Self {
        self.state = Some(state);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_gitea_pull_with_nulls_and_unknown_fields() {
        let json = r#"{"id":9,"number":3,"state":"closed","merged":true,"title":"t","body":"",
            "assignees":null,"requested_reviewers":null,"labels":[{"id":1,"name":"deps","color":"ff0000","url":"u"}],
            "head":{"ref":"bump/x","label":"bump/x","sha":"abc","repo_id":7,"repo":null},
            "base":{"ref":"main","label":"main","sha":"def","repo_id":7},
            "merged_at":"2026-01-01T00:00:00Z","closed_at":null,"milestone":null,"new_field":{"x":1}}"#;
        let pr: PullRequest = serde_json::from_str(json).unwrap();
        assert_eq!(pr.number, 3);
        assert_eq!(pr.head.ref_name, "bump/x");
        assert!(!pr.is_open());
        assert!(pr.assignees.is_empty());
        assert_eq!(pr.labels[0].name, "deps");
    }

    #[test]
    fn unknown_state_is_kept_apart() {
        let pr: PullRequest =
            serde_json::from_str(r#"{"id":1,"number":1,"state":"weird"}"#).unwrap();
        assert_eq!(pr.state, PullState::Unknown);
        assert!(!pr.is_open());
    }

    #[test]
    fn create_body_skips_empty_fields() {
        let body = serde_json::to_value(CreatePullRequest::new("h", "b", "t")).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"head": "h", "base": "b", "title": "t"})
        );
    }
}
