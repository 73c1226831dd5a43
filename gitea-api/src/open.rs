//! The duplicate-safe PR open: the one write this crate retries, and how it never makes two PRs.

use std::sync::atomic::{AtomicBool, Ordering};

use retry_policy::{Attempt, Outcome, Retrier};

use crate::{Client, CreatePullRequest, DuplicateCheck, Duplicates, Error, PullRequest};

/// How the PR in an [`Opened`] came to be.
///
/// When a duplicate of ours was closed, this is about the PR kept: the oldest of ours, which a
/// POST of this call may not have created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// A POST of this call answered 201 with it.
    Created,
    /// It was already open: found by the look-up before a re-POST (perhaps left by an earlier
    /// attempt whose answer was lost), or named by a 409 "pull request already exists".
    Existing,
}

/// What [`Client::open_pull_request`] did.
#[derive(Debug)]
#[non_exhaustive]
pub struct Opened {
    /// The pull request from the request's head into its base: the oldest of ours when a
    /// duplicate was found.
    pub pull: PullRequest,
    /// Whether this call created it or found it.
    pub origin: Origin,
    /// The duplicates of ours that were found and closed, if they were looked for.
    pub duplicates: Duplicates,
}

impl Opened {
    fn new(pull: PullRequest, origin: Origin) -> Self {
        Self {
            pull,
            origin,
            duplicates: Duplicates::NotChecked,
        }
    }

    /// Whether a POST of this call created the PR.
    pub fn is_created(&self) -> bool {
        self.origin == Origin::Created
    }
}

impl Client {
    /// Opens the pull request `pull` in `owner/repo`, retrying under `retrier`, without ever
    /// making a second one itself, and closing any second one of ours it then finds.
    ///
    /// - The first attempt POSTs. Every later attempt first looks the PR up by base and head
    ///   ([`get_pull_by_base_head`](Self::get_pull_by_base_head)) and stops when an open one is
    ///   there, so an attempt whose answer was lost (a timeout, a reset, a proxy's 502 after
    ///   Gitea wrote the PR) is found instead of repeated.
    /// - A 409 "pull request already exists" is success: the PR it names (`issue_id: N`) is read
    ///   and returned as [`Origin::Existing`].
    /// - Which failures are retried is the retrier's call: with its default classifier, 500,
    ///   502, 503, 504, connection errors and timeouts. Every other 4xx ends the call after one
    ///   POST. The retrier's policy sets the schedule (1 s, 2 s, 4 s… by default) and its
    ///   sleeper and clock are used for the waits, so tests can run on a paused clock.
    /// - Gitea's duplicate check is not atomic (go-gitea/gitea#20906): a POST still running
    ///   when its answer was lost, or another client's POST, can add a second PR. So after a
    ///   lost or timed-out answer or a 409, or after every open with
    ///   [`DuplicateCheck::Always`], the open PRs of the head and base are listed
    ///   ([`close_duplicate_pulls`](Self::close_duplicate_pulls)): when more than one of the
    ///   token's user is open, the oldest is kept and returned, and each other one is closed with
    ///   a comment naming it. What was found is in [`Opened::duplicates`]; a failure there does
    ///   not fail the open. A POST that lands on the server after that listing is not seen.
    ///
    /// The client's [`RetryScope`](crate::RetryScope) still applies to each single request:
    /// with [`ReadsOnly`](crate::RetryScope::ReadsOnly) a look-up is retried inside its attempt.
    ///
    /// ```
    /// use gitea_api::{Client, CreatePullRequest, DuplicateCheck, Origin, Token};
    /// use gitea_fake::{FakeGitea, RepoOptions, Scope};
    /// use retry_policy::{Policy, Retrier};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = FakeGitea::start().await?;
    /// fake.store().add_token("s3cr3t", "bot", Scope::Write);
    /// fake.store().create_repo("bot", "app", RepoOptions::default());
    /// fake.store().create_branch("bot", "app", "bump/x", "main");
    /// let client = Client::builder(fake.base_url()).token(Token::new("s3cr3t")).build()?;
    /// let retrier = Retrier::new(Policy::default());
    /// let request = CreatePullRequest::new("bump/x", "main", "Bump x");
    /// let check = DuplicateCheck::WhenInDoubt;
    ///
    /// let first = client.open_pull_request("bot", "app", &request, &retrier, check).await?;
    /// assert_eq!(first.origin, Origin::Created);
    /// // Opening it again is not an error: the 409 names the PR that is already open.
    /// let again = client.open_pull_request("bot", "app", &request, &retrier, check).await?;
    /// assert_eq!((again.origin, again.pull.number), (Origin::Existing, first.pull.number));
    /// assert!(again.duplicates.found().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The last attempt's error: a 4xx other than 409 (404 when the head branch does not exist,
    /// 422 for head equal to base or a missing title, [`Error::is_archived`],
    /// [`Error::is_unauthorized`], [`Error::is_forbidden`]), or, once the retrier stops, the
    /// final 5xx or transport error, of the POST or of a look-up.
    pub async fn open_pull_request(
        &self,
        owner: &str,
        repo: &str,
        pull: &CreatePullRequest,
        retrier: &Retrier,
        check: DuplicateCheck,
    ) -> Result<Opened, Error> {
        let doubt = AtomicBool::new(false);
        let attempt = |n| self.open_attempt(owner, repo, pull, n, &doubt);
        let opened = retrier.run(attempt, observe).await.result?;
        if check == DuplicateCheck::WhenInDoubt && !doubt.load(Ordering::Relaxed) {
            return Ok(opened);
        }
        let created = opened.is_created().then_some(opened.pull.number);
        let (kept, duplicates) = self
            .close_duplicate_pulls(owner, repo, &pull.base, &pull.head, opened.pull)
            .await;
        let origin = if created == Some(kept.number) {
            Origin::Created
        } else {
            Origin::Existing
        };
        Ok(Opened {
            pull: kept,
            origin,
            duplicates,
        })
    }

    /// One attempt: on a retry, look the PR up first; then POST. Sets `doubt` when the POST
    /// may have landed without saying so, or met a 409.
    async fn open_attempt(
        &self,
        owner: &str,
        repo: &str,
        pull: &CreatePullRequest,
        attempt: u32,
        doubt: &AtomicBool,
    ) -> Result<Opened, Error> {
        if attempt > 1
            && let Some(found) = self.find_open(owner, repo, pull).await?
        {
            return Ok(Opened::new(found, Origin::Existing));
        }
        let err = match self.create_pull_request(owner, repo, pull).await {
            Ok(created) => return Ok(Opened::new(created, Origin::Created)),
            Err(err) if err.is_pull_already_exists() => {
                doubt.store(true, Ordering::Relaxed);
                err
            }
            Err(err) => {
                if may_have_landed(&err) {
                    doubt.store(true, Ordering::Relaxed);
                }
                return Err(err);
            }
        };
        let existing = match err.pull_already_exists() {
            Some(number) => self.get_pull(owner, repo, number).await?,
            None => self.find_open(owner, repo, pull).await?.ok_or(err)?,
        };
        Ok(Opened::new(existing, Origin::Existing))
    }

    /// The open PR from the request's head into its base, if any.
    async fn find_open(
        &self,
        owner: &str,
        repo: &str,
        pull: &CreatePullRequest,
    ) -> Result<Option<PullRequest>, Error> {
        let found = self
            .get_pull_by_base_head(owner, repo, &pull.base, &pull.head)
            .await?;
        Ok(found.filter(PullRequest::is_open))
    }
}

/// Whether a failed POST may still have created the PR: anything but a 4xx, which is Gitea
/// refusing it. No complete answer arrived, a 5xx came (perhaps from a proxy after Gitea wrote
/// the PR), or a 2xx whose body could not be read.
fn may_have_landed(err: &Error) -> bool {
    err.status()
        .is_none_or(|status| !(400..500).contains(&status))
}

/// What one attempt looks like to the retrier.
fn observe(result: &Result<Opened, Error>) -> Attempt<'static> {
    match result {
        Ok(_) => Outcome::Status(201).into(),
        Err(err) => err.as_attempt(),
    }
}
