//! The cascade: observe each consumer, plan one action, apply it.
//!
//! [`propagate`] resolves the consumers, then runs at most `jobs` of them at a time; each one is
//! independent, so a slow consumer never blocks the others. A consumer that failed for a
//! transient reason is run again from the top, in passes (`crate::passes`). Every consumer ends in
//! exactly one row of the [`Report`], whatever happens to it, panics and early stops included.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use futures_util::TryStreamExt;
use gitea_api::{Client, CreatePullRequest, Repository};
use retry_policy::{Outcome as AttemptOutcome, Retrier};

use crate::{
    body::{self, BodyFacts},
    config::{CommitConfig, Consumers, PullRequestConfig},
    interrupt::Interrupt,
    passes::{self, Limits},
    plan::{Observation, Target},
    repo::{RepoName, Selection},
    report::{ConsumerResult, Report},
    template::Values,
};

/// Everything one cascade run needs besides the client.
#[derive(Clone, Debug)]
pub struct Settings {
    /// What is propagated.
    pub target: Target,
    /// How the pull requests look.
    pub pull_request: PullRequestConfig,
    /// The bump commit's author and committer (`[commit]`).
    pub commit: CommitConfig,
    /// The retrier of the PR open (and of the commit with `retry_commit`): policy, sleeper,
    /// clock, optional budget.
    pub retrier: Retrier,
    /// Consumers in flight at once (at least 1).
    pub jobs: usize,
    /// Runs from the top per consumer, the first included (`[retry] passes`, at least 1).
    pub passes: u32,
    /// Transient pass failures in a row that stop the run.
    pub breaker: u32,
    /// No consumer is started, nor run again, after this instant (`--deadline`).
    pub deadline: Option<tokio::time::Instant>,
    /// Stops the run when the operator asks.
    pub interrupt: Interrupt,
    /// Observe only: nothing is written.
    pub dry_run: bool,
    /// Retry the bump commit too, inspecting the branch before each re-send.
    pub retry_commit: bool,
    /// Repositories never treated as consumers (the runtime itself).
    pub exclude: Vec<RepoName>,
}

/// A run-level failure: nothing was written, and the exit code is 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Listing an org's repositories failed.
    #[error("cannot list the repositories of org {org:?}: {source}")]
    Discovery {
        /// The org.
        org: String,
        /// Why.
        source: Box<gitea_api::Error>,
    },
    /// `--only` named a repository that is not a consumer in the config.
    #[error(
        "--only {0}: not a consumer in the config (not in [consumers] repos, nor in a listed org)"
    )]
    NotAConsumer(String),
    /// A glob of `--only` or `--exclude` matches no consumer in the config.
    #[error(
        "{flag} {pattern}: matches no consumer in the config (not in [consumers] repos, nor in a listed org)"
    )]
    NoMatch {
        /// `--only` or `--exclude`.
        flag: &'static str,
        /// The pattern as given.
        pattern: String,
    },
    /// The operator interrupted the run before any consumer was started.
    #[error("interrupted before any consumer was started ({cause}); nothing was written")]
    Interrupted {
        /// Which signal.
        cause: String,
    },
    /// The deadline passed before any consumer was started.
    #[error("the deadline passed before any consumer was started; nothing was written")]
    DeadlineBeforeStart,
}

/// What stops a run before its consumers start: the deadline and the operator.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stops {
    pub(crate) deadline: Option<tokio::time::Instant>,
    pub(crate) interrupt: Interrupt,
}

impl Stops {
    /// Runs a setup step unless the run is stopped first.
    pub(crate) async fn guard<T>(&self, step: impl Future<Output = T>) -> Result<T, RunError> {
        let deadline = async {
            match self.deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            cause = self.interrupt.interrupted() => Err(RunError::Interrupted { cause }),
            () = deadline => Err(RunError::DeadlineBeforeStart),
            out = step => Ok(out),
        }
    }
}

/// One consumer to visit: its name, and its repository when discovery already listed it
/// (boxed: a run holds a seed for every consumer not yet visited, 56 bytes each instead of 250).
#[derive(Clone, Debug)]
pub(crate) struct Seed {
    pub(crate) name: RepoName,
    pub(crate) repository: Option<Box<Repository>>,
}

/// What every consumer task shares.
pub(crate) struct Context {
    pub(crate) client: Client,
    pub(crate) settings: Settings,
    /// Set once the run stops: consumers in flight do not start their commit.
    stopping: AtomicBool,
}

/// Progress of a run, for the command line's output.
#[derive(Debug)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// Discovery fetched one more page of an org's repositories.
    Discovering {
        /// The org.
        org: &'a str,
        /// Pages of it fetched so far.
        pages: u64,
        /// Repositories listed so far (not all of them are consumers).
        repositories: usize,
    },
    /// The consumers are known.
    Started {
        /// How many repositories will be visited.
        consumers: usize,
    },
    /// A pass over a consumer starts.
    Attempt {
        /// `owner/repo`.
        repo: &'a str,
        /// 1 for its first run from the top, 2 for the first re-run, ...
        pass: u32,
    },
    /// A repository that discovery listed has no version file: it is not a consumer, and the
    /// count of consumers shrinks by one.
    NotAConsumer,
    /// One consumer has its row.
    Finished(&'a ConsumerResult),
}

/// Runs the cascade over `consumers` and reports every one of them.
///
/// `on_progress` hears how many consumers there are, then each one as it finishes.
///
/// # Errors
///
/// A [`RunError`] when the consumers cannot be resolved; then nothing was written.
pub async fn propagate(
    client: &Client,
    settings: Settings,
    consumers: &Consumers,
    selection: &Selection,
    on_progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<Report, RunError> {
    let stops = Stops {
        deadline: settings.deadline,
        interrupt: settings.interrupt.clone(),
    };
    let seeds = stops
        .guard(resolve_consumers(
            client,
            consumers,
            selection,
            &settings.exclude,
            on_progress,
        ))
        .await??;
    on_progress(Progress::Started {
        consumers: seeds.len(),
    });
    let version = settings.target.version.to_string();
    let limits = Limits {
        jobs: settings.jobs,
        passes: settings.passes.max(1),
        backoff: settings.retrier.policy().clone(),
        deadline: settings.deadline,
        grace: settings
            .retrier
            .policy()
            .attempt_timeout()
            .unwrap_or(gitea_api::DEFAULT_ATTEMPT_TIMEOUT),
        breaker: settings.breaker,
    };
    let interrupt = settings.interrupt.clone();
    let ctx = Arc::new(Context {
        client: client.clone(),
        settings,
        stopping: AtomicBool::new(false),
    });
    let (results, stopped) = passes::run(ctx, seeds, &limits, &interrupt, on_progress).await;
    let mut report = Report::new(version, results, client.api_calls());
    report.stopped = stopped;
    Ok(report)
}

/// The consumers, deduplicated and sorted: explicit repositories, then every repository of the
/// listed orgs (whose version file decides later whether it is a consumer).
pub(crate) async fn resolve_consumers(
    client: &Client,
    consumers: &Consumers,
    selection: &Selection,
    exclude: &[RepoName],
    on_progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<Vec<Seed>, RunError> {
    // A vector sorted once, not a map: at 100,000 consumers a map's nodes outweigh the seeds.
    let mut seeds: Vec<Seed> = Vec::with_capacity(consumers.repos.len());
    seeds.extend(consumers.repos.iter().map(|name| Seed {
        name: name.clone(),
        repository: None,
    }));
    for org in &consumers.orgs {
        let pages = client.list_org_repo_pages(org);
        futures_util::pin_mut!(pages);
        let (mut fetched, mut listed) = (0, 0);
        loop {
            let next = pages
                .try_next()
                .await
                .map_err(|source| RunError::Discovery {
                    org: org.clone(),
                    source: Box::new(source),
                })?;
            let Some(page) = next else { break };
            fetched += 1;
            listed += page.len();
            on_progress(Progress::Discovering {
                org,
                pages: fetched,
                repositories: listed,
            });
            for repository in page {
                if let Some(why) = foreign_owner(org, &repository) {
                    let why = crate::sanitize::text(&why, client);
                    tracing::warn!(org = %org, %why, "skipped a repository listed under the org");
                    continue;
                }
                let Ok(name) = RepoName::parse(&repository.full_name) else {
                    continue;
                };
                // An explicitly listed repository stays as listed (read on its own).
                if !consumers.repos.contains(&name) {
                    seeds.push(Seed {
                        name,
                        repository: Some(Box::new(repository)),
                    });
                }
            }
        }
    }
    seeds.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    seeds.dedup_by(|a, b| a.name == b.name);
    seeds.retain(|seed| !exclude.contains(&seed.name));
    let names: Vec<&RepoName> = seeds.iter().map(|seed| &seed.name).collect();
    match selection.unmatched(&names) {
        Some(("--only", pattern)) if pattern.is_exact() => {
            return Err(RunError::NotAConsumer(pattern.to_string()));
        }
        Some((flag, pattern)) => {
            return Err(RunError::NoMatch {
                flag,
                pattern: pattern.to_string(),
            });
        }
        None => {}
    }
    seeds.retain(|seed| selection.selects(&seed.name));
    Ok(seeds)
}

/// Why `repository`, listed under or asked for as `owner`'s, is not `owner`'s: its `owner.login`
/// or the owner in its `full_name` is someone else (a transferred repository, or a server
/// listing what is not the org's). `None` when it is `owner`'s.
pub(crate) fn foreign_owner(owner: &str, repository: &Repository) -> Option<String> {
    let login = repository.owner.as_ref().map(|user| user.login.as_str());
    let named = repository.full_name.split_once('/').map(|(o, _)| o);
    let ours = |found: Option<&str>| found.is_some_and(|f| f.eq_ignore_ascii_case(owner));
    if ours(login) && ours(named) {
        return None;
    }
    let shown = login.filter(|l| !l.eq_ignore_ascii_case(owner)).or(named);
    Some(format!(
        "{} is owned by {}, not {owner}; not touched",
        repository.full_name,
        shown.unwrap_or("nobody named")
    ))
}

/// What one attempt of a retried write produced, for the retry policy.
pub(crate) fn observe<T>(result: &Result<T, gitea_api::Error>) -> retry_policy::Attempt<'static> {
    match result {
        Ok(_) => AttemptOutcome::Status(201).into(),
        Err(err) => err.as_attempt(),
    }
}

impl Context {
    /// Whether the run has stopped, so that a consumer in flight must not start writing.
    pub(crate) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// From now on, consumers in flight stop before their commit.
    pub(crate) fn stop_before_writing(&self) {
        self.stopping.store(true, Ordering::Relaxed);
    }

    /// The configured labels' ids in this repository.
    ///
    /// The outer error is a failed request; the inner one names a label that does not exist.
    pub(crate) async fn resolve_labels(
        &self,
        owner: &str,
        repo: &str,
    ) -> Result<Result<Vec<i64>, String>, gitea_api::Error> {
        let wanted = &self.settings.pull_request.labels;
        if wanted.is_empty() {
            return Ok(Ok(Vec::new()));
        }
        let existing = self.client.list_labels(owner, repo).await?;
        let mut ids = Vec::with_capacity(wanted.len());
        for name in wanted {
            match existing.iter().find(|label| &label.name == name) {
                Some(label) => ids.push(label.id),
                None => {
                    return Ok(Err(format!(
                        "label {name:?} does not exist in {owner}/{repo}; create it there or remove it from [pull_request] labels"
                    )));
                }
            }
        }
        Ok(Ok(ids))
    }

    pub(crate) fn commit_message(&self, old_version: &str) -> String {
        let target = &self.settings.target;
        format!(
            "{}\n\n{} {old_version} -> {}, opened by cargo xtask propagate.",
            target.commit_subject(),
            target.package,
            target.version
        )
    }

    /// The PR: title and body from the templates and `changes` (see [`crate::body`]).
    pub(crate) fn pull_request(
        &self,
        obs: &Observation,
        old_version: &str,
        changes: &[String],
        labels: Vec<i64>,
    ) -> CreatePullRequest {
        let config = &self.settings.pull_request;
        let target = &self.settings.target;
        let version = target.version.to_string();
        let values = Values {
            package: &target.package,
            version: &version,
            old_version,
        };
        let facts = BodyFacts {
            changes,
            superseded_later: config.supersede,
        };
        let title = body::pull_title(config, &values);
        let mut request = CreatePullRequest::new(target.branch(), &obs.default_branch, title)
            .body(body::pull_body(config, &values, &facts));
        request.labels = labels;
        request.assignees = config.assignees.clone();
        request.reviewers = config.reviewers.clone();
        request
    }
}
