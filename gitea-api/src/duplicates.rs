//! Duplicate PRs of ours: finding the open PRs of one head and base that the token's user
//! opened, keeping the oldest and closing the others with a comment naming it.

use futures_util::TryStreamExt;

use crate::endpoints::matches_base_head;
use crate::{Client, Error, PullRequest, PullStateFilter};

/// When [`Client::open_pull_request`] looks for duplicates of ours.
///
/// Gitea checks for an open PR of the same head and base before it inserts a new one, but not
/// atomically (go-gitea/gitea#20906), so two POSTs in flight together can both succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DuplicateCheck {
    /// Only when this call's own POSTs leave doubt: an answer lost or timed out (a transport
    /// error or a 5xx, after which the write may have landed), or a 409. Costs nothing when
    /// the first POST answers 201. Right for a head branch the caller has just created itself,
    /// whose only other opener can be a client that adopts it, and checks.
    WhenInDoubt,
    /// After every open, however it went: for a head branch the caller did not just create,
    /// from which another client may be opening the same PR at this moment.
    Always,
}

/// What the look for duplicates found.
#[derive(Debug)]
#[non_exhaustive]
pub enum Duplicates {
    /// Not looked for: [`DuplicateCheck::WhenInDoubt`], and the first POST answered 201.
    NotChecked,
    /// Looked for: the other open PRs of ours for the same head and base (none when empty),
    /// oldest first, each with the result of closing it.
    Checked(Vec<Duplicate>),
    /// The open PRs or the token's user could not be read: duplicates may remain.
    Unknown(Error),
}

impl Duplicates {
    /// The duplicates found, whether or not closing them worked.
    pub fn found(&self) -> &[Duplicate] {
        match self {
            Duplicates::Checked(found) => found,
            Duplicates::NotChecked | Duplicates::Unknown(_) => &[],
        }
    }
}

/// A duplicate PR of ours, and what closing it gave.
#[derive(Debug)]
#[non_exhaustive]
pub struct Duplicate {
    /// The duplicate, as listed before it was closed.
    pub pull: PullRequest,
    /// `Ok` once the comment naming the kept PR is posted and the PR closed. When the comment
    /// fails, the PR is left open, so nothing is closed without saying why.
    pub closed: Result<(), Error>,
}

impl Client {
    /// Finds the open PRs from `head` into `base` that the token's user opened; when there is
    /// more than one, keeps the oldest and closes each other one, after a comment naming the
    /// kept PR. Returns the kept PR (or `fallback` when none of ours is open, as when a 409
    /// named someone else's PR) and the duplicates.
    ///
    /// PRs opened by anyone else are never touched. "Ours" is [`current_user`](Self::current_user);
    /// the open PRs are listed in full ([`list_pulls`](Self::list_pulls)).
    pub async fn close_duplicate_pulls(
        &self,
        owner: &str,
        repo: &str,
        base: &str,
        head: &str,
        fallback: PullRequest,
    ) -> (PullRequest, Duplicates) {
        let mut ours = match self.open_pulls_of_ours(owner, repo, base, head).await {
            Ok(ours) => ours,
            Err(err) => return (fallback, Duplicates::Unknown(err)),
        };
        if ours.len() < 2 {
            let kept = ours.pop().unwrap_or(fallback);
            return (kept, Duplicates::Checked(Vec::new()));
        }
        ours.sort_by_key(|pr| pr.number);
        let kept = ours.remove(0);
        let mut closed = Vec::with_capacity(ours.len());
        for duplicate in ours {
            let result = self.close_duplicate(owner, repo, &duplicate, &kept).await;
            closed.push(Duplicate {
                pull: duplicate,
                closed: result,
            });
        }
        (kept, Duplicates::Checked(closed))
    }

    async fn open_pulls_of_ours(
        &self,
        owner: &str,
        repo: &str,
        base: &str,
        head: &str,
    ) -> Result<Vec<PullRequest>, Error> {
        let me = self.current_user().await?;
        let open: Vec<PullRequest> = self
            .list_pulls(owner, repo, PullStateFilter::Open)
            .try_collect()
            .await?;
        Ok(open
            .into_iter()
            .filter(|pr| pr.is_open() && matches_base_head(pr, base, head))
            .filter(|pr| {
                pr.user
                    .as_ref()
                    .is_some_and(|u| u.login.eq_ignore_ascii_case(&me.login))
            })
            .collect())
    }

    async fn close_duplicate(
        &self,
        owner: &str,
        repo: &str,
        duplicate: &PullRequest,
        kept: &PullRequest,
    ) -> Result<(), Error> {
        let note = duplicate_note(kept);
        self.create_issue_comment(owner, repo, duplicate.number, &note)
            .await?;
        self.close_pull_request(owner, repo, duplicate.number)
            .await
            .map(drop)
    }
}

/// The comment on a duplicate: which PR stays open, and why there were two.
fn duplicate_note(kept: &PullRequest) -> String {
    format!(
        "Closing this pull request as a duplicate of #{} ({}), which stays open for the same \
         branches. It was opened twice because Gitea's check for an existing pull request is not \
         atomic (go-gitea/gitea#20906), by a retried or concurrent run of the same bot.",
        kept.number, kept.html_url
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_names_the_kept_pull() {
        let kept = PullRequest {
            number: 4,
            html_url: "https://g/o/r/pulls/4".to_owned(),
            ..PullRequest::default()
        };
        let note = duplicate_note(&kept);
        assert!(
            note.contains("duplicate of #4 (https://g/o/r/pulls/4)"),
            "{note}"
        );
        assert!(!note.contains('\n'));
    }
}
