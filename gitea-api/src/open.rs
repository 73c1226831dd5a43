//! The duplicate-safe PR open: the one write this crate retries, and how it never makes two PRs.

use retry_policy::{Attempt, Outcome, Retrier};

use crate::{Client, CreatePullRequest, Error, PullRequest};

/// How the PR in an [`Opened`] came to be.
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
    /// The pull request from the request's head into its base.
    pub pull: PullRequest,
    /// Whether this call created it or found it.
    pub origin: Origin,
}

impl Opened {
    fn new(pull: PullRequest, origin: Origin) -> Self {
        Self { pull, origin }
    }

    /// Whether a POST of this call created the PR.
    pub fn is_created(&self) -> bool {
        self.origin == Origin::Created
    }
}

impl Client {
    /// Opens the pull request `pull` in `owner/repo`, retrying under `retrier`, without ever
    /// making a second one.
    ///
    /// - The first attempt POSTs. Every later attempt first looks the PR up by base and head
    ///   ([`get_pull_by_base_head`](Self::get_pull_by_base_head)) and stops when an open one is
    ///   there, so an attempt whose answer was lost (a timeout, a reset, a proxy's 502 after
    ///   Gitea wrote the PR) is found instead of repeated. A blind re-POST could make two PRs:
    ///   Gitea's duplicate check is not atomic (go-gitea/gitea#20906).
    /// - A 409 "pull request already exists" is success: the PR it names (`issue_id: N`) is read
    ///   and returned as [`Origin::Existing`].
    /// - Which failures are retried is the retrier's call: with its default classifier, 500,
    ///   502, 503, 504, connection errors and timeouts. Every other 4xx ends the call after one
    ///   POST. The retrier's policy sets the schedule (1 s, 2 s, 4 s… by default) and its
    ///   sleeper and clock are used for the waits, so tests can run on a paused clock.
    ///
    /// The client's [`RetryScope`](crate::RetryScope) still applies to each single request:
    /// with [`ReadsOnly`](crate::RetryScope::ReadsOnly) a look-up is retried inside its attempt.
    ///
    /// ```
    /// use gitea_api::{Client, CreatePullRequest, Origin, Token};
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
    ///
    /// let first = client.open_pull_request("bot", "app", &request, &retrier).await?;
    /// assert_eq!(first.origin, Origin::Created);
    /// // Opening it again is not an error: the 409 names the PR that is already open.
    /// let again = client.open_pull_request("bot", "app", &request, &retrier).await?;
    /// assert_eq!((again.origin, again.pull.number), (Origin::Existing, first.pull.number));
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
    ) -> Result<Opened, Error> {
        let attempt = |n| self.open_attempt(owner, repo, pull, n);
        retrier.run(attempt, observe).await.result
    }

    /// One attempt: on a retry, look the PR up first; then POST.
    async fn open_attempt(
        &self,
        owner: &str,
        repo: &str,
        pull: &CreatePullRequest,
        attempt: u32,
    ) -> Result<Opened, Error> {
        if attempt > 1
            && let Some(found) = self.find_open(owner, repo, pull).await?
        {
            return Ok(Opened::new(found, Origin::Existing));
        }
        let err = match self.create_pull_request(owner, repo, pull).await {
            Ok(created) => return Ok(Opened::new(created, Origin::Created)),
            Err(err) if err.is_pull_already_exists() => err,
            Err(err) => return Err(err),
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

/// What one attempt looks like to the retrier.
fn observe(result: &Result<Opened, Error>) -> Attempt {
    match result {
        Ok(_) => Outcome::Status(201).into(),
        Err(err) => err.as_attempt(),
    }
}
