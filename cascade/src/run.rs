//! From a validated config and a token to a finished run: connect, check, resolve the version,
//! run. Shared by `propagate`, `drift` and `demo`, so all three fail the same way.
//!
//! Every [`SetupError`] happens before anything is written; [`SetupError::exit_code`] is 2 for
//! all but an interrupt (130) or a deadline (3) that came before any consumer started.

use std::{num::NonZeroU32, time::Duration};

use gitea_api::{Client, RetryScope, Token};
use retry_policy::Retrier;

pub use crate::interrupt::Interrupt;
pub use crate::propagate::Progress;
use crate::{
    config::Config,
    drift::{self, DriftReport},
    plan::{self, Target},
    propagate::{self, Settings},
    repo::Selection,
    report::Report,
    scopes::{self, MissingScopes, ScopeNeeds},
    timestamp::Started,
    version::RuntimeVersion,
};

/// What the command line asked for, beyond the config.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// `--version`; otherwise the runtime repository's version file is read.
    pub version: Option<RuntimeVersion>,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--jobs`.
    pub jobs: usize,
    /// `--only` and `--exclude`: which consumers to visit.
    pub selection: Selection,
    /// `--deadline`: the whole run's time, from its start; then no consumer is started.
    pub deadline: Option<Duration>,
    /// Stops the run when the operator asks (SIGINT, SIGTERM).
    pub interrupt: Interrupt,
    /// `--max-rps`: at most this many requests per second, all consumers together.
    pub max_rps: Option<NonZeroU32>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            version: None,
            dry_run: false,
            jobs: 8,
            selection: Selection::default(),
            deadline: None,
            interrupt: Interrupt::new(),
            max_rps: None,
        }
    }
}

/// A failure before any write; always one line, naming what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The client could not be built from the config.
    #[error("cannot use gitea_url: {0}")]
    Client(Box<gitea_api::Error>),
    /// Gitea did not answer.
    #[error("cannot reach Gitea at {url}: {source}; check gitea_url and the network")]
    Unreachable {
        /// The base URL.
        url: String,
        /// Why.
        source: Box<gitea_api::Error>,
    },
    /// Gitea (or the proxy in front of it) answered, with an error status, every try.
    #[error(
        "Gitea at {url} answered {status} to each of {attempts} tries: {source}; it is reachable but failing, try again later"
    )]
    Failing {
        /// The base URL.
        url: String,
        /// The last status.
        status: u16,
        /// How many times it was asked.
        attempts: u32,
        /// The last answer.
        source: Box<gitea_api::Error>,
    },
    /// Gitea rejected the token.
    #[error("Gitea at {url} rejected the token (401); check GITEA_TOKEN or --token-file")]
    Unauthorized {
        /// The base URL.
        url: String,
    },
    /// `--jobs` too high for `--max-rps`: requests would wait past their attempt timeout.
    #[error(
        "--max-rps {max_rps} with --jobs {jobs}: a request could queue behind {jobs} others at {max_rps} per second, past half its {timeout_secs} s attempt timeout; use --jobs {max_jobs} or fewer, or a higher --max-rps"
    )]
    RateTooLow {
        /// `--max-rps`.
        max_rps: u32,
        /// `--jobs`.
        jobs: usize,
        /// The most jobs the rate allows.
        max_jobs: usize,
        /// The attempt timeout, in seconds.
        timeout_secs: u64,
    },
    /// The token lacks a scope the run needs.
    #[error(transparent)]
    MissingScopes(#[from] MissingScopes),
    /// No `--version` and no `runtime_repo` to read it from.
    #[error("no version to propagate: pass --version X.Y.Z or set runtime_repo in the config")]
    NoVersion,
    /// The runtime repository's version file could not be read or parsed.
    #[error("cannot read the release version from {repo}: {reason}")]
    RuntimeVersion {
        /// The runtime repository.
        repo: String,
        /// Why.
        reason: String,
    },
    /// Consumers could not be resolved, or the run stopped before any consumer started.
    #[error(transparent)]
    Run(#[from] propagate::RunError),
}

impl SetupError {
    /// 130 for an interrupt, 3 for the deadline, 2 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            SetupError::Run(propagate::RunError::Interrupted { .. }) => 130,
            SetupError::Run(propagate::RunError::DeadlineBeforeStart) => 3,
            _ => 2,
        }
    }
}

/// Builds the client the cascade uses: the `[retry]` policy (which alone sets the attempt
/// timeout), and no middleware retry
/// but for reads when `[retry] reads` is on (the PR POST is retried by the duplicate-safe
/// `open_pull_request`, under the run's retrier).
///
/// # Errors
///
/// [`SetupError::Client`] for a URL the client refuses.
pub fn connect(config: &Config, token: Token) -> Result<Client, SetupError> {
    connect_capped(config, token, None)
}

/// [`connect`], with at most `max_rps` requests per second (`--max-rps`): one token bucket
/// shared by every consumer, counting every attempt.
///
/// # Errors
///
/// [`SetupError::Client`] for a URL the client refuses.
pub fn connect_capped(
    config: &Config,
    token: Token,
    max_rps: Option<NonZeroU32>,
) -> Result<Client, SetupError> {
    let mut builder = Client::builder(&config.gitea_url);
    if let Some(per_second) = max_rps {
        builder = builder.max_requests_per_second(per_second);
    }
    builder
        .token(token)
        .user_agent(concat!("runtime-cascade/", env!("CARGO_PKG_VERSION")))
        .retry_policy(config.retry.clone())
        .retry_scope(if config.retry_reads {
            RetryScope::ReadsOnly
        } else {
            RetryScope::Disabled
        })
        .allow_insecure_http(config.allow_insecure_http)
        // Every file read is capped like the version file, so memory stays bounded by
        // jobs × cap whatever a consumer holds or a server sends.
        .max_file_bytes(plan::MAX_VERSION_FILE_BYTES)
        .build()
        .map_err(|err| SetupError::Client(Box::new(err)))
}

/// With `--max-rps N`, a request may wait its turn behind one of every other consumer in
/// flight, within its attempt timeout: so `--jobs` must stay under N times half the attempt
/// timeout, or requests would time out before they are sent.
///
/// # Errors
///
/// [`SetupError::RateTooLow`] naming the most jobs the rate allows.
pub fn check_rate(config: &Config, options: &RunOptions) -> Result<(), SetupError> {
    let Some(per_second) = options.max_rps else {
        return Ok(());
    };
    let timeout = config
        .retry
        .attempt_timeout()
        .unwrap_or(gitea_api::DEFAULT_ATTEMPT_TIMEOUT);
    let queued = u128::from(per_second.get()) * timeout.as_millis() / 2_000;
    let max_jobs = usize::try_from(queued).unwrap_or(usize::MAX).max(1);
    if options.jobs > max_jobs {
        return Err(SetupError::RateTooLow {
            max_rps: per_second.get(),
            jobs: options.jobs,
            max_jobs,
            timeout_secs: timeout.as_secs(),
        });
    }
    Ok(())
}

/// Checks that Gitea answers and accepts the token: `GET /version`, a read before any write,
/// retried under the config's policy. The token's scopes are checked next, by
/// [`scopes::check`].
///
/// # Errors
///
/// [`SetupError::Unauthorized`], [`SetupError::Failing`] (an error status, such as a 503, every
/// try) or [`SetupError::Unreachable`] (no answer).
pub async fn preflight(client: &Client, config: &Config) -> Result<(), SetupError> {
    let retrier = Retrier::new(config.retry.clone());
    let report = retrier.run(|_| client.version(), propagate::observe).await;
    let url = config.gitea_url.clone();
    match report.result {
        Ok(_) => Ok(()),
        Err(err) if err.is_unauthorized() => Err(SetupError::Unauthorized { url }),
        Err(source) => match source.status() {
            Some(status) => Err(SetupError::Failing {
                url,
                status,
                attempts: report.attempts,
                source: Box::new(source),
            }),
            None => Err(SetupError::Unreachable {
                url,
                source: Box::new(source),
            }),
        },
    }
}

/// The version to propagate: `--version`, or the runtime repository's version file.
///
/// # Errors
///
/// [`SetupError::NoVersion`] or [`SetupError::RuntimeVersion`].
pub async fn resolve_version(
    client: &Client,
    config: &Config,
    requested: Option<RuntimeVersion>,
) -> Result<RuntimeVersion, SetupError> {
    if let Some(version) = requested {
        return Ok(version);
    }
    let repo = config.runtime_repo.as_ref().ok_or(SetupError::NoVersion)?;
    let fail = |reason: String| SetupError::RuntimeVersion {
        repo: repo.to_string(),
        reason,
    };
    let file = client
        .get_contents(&repo.owner, &repo.name, &config.version_file, None)
        .await
        .map_err(|err| fail(err.to_string()))?;
    plan::read_version(&file.bytes, &config.version_file).map_err(fail)
}

/// Connects, checks, resolves the version and runs the cascade.
///
/// # Errors
///
/// A [`SetupError`]; nothing was written then.
pub async fn propagate(
    config: &Config,
    token: Token,
    options: &RunOptions,
    on_progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<Report, SetupError> {
    check_rate(config, options)?;
    let client = connect_capped(config, token, options.max_rps)?;
    propagate_with(&client, config, options, on_progress).await
}

/// [`propagate()`] with a client the caller built (tests inject retry sleepers this way).
///
/// # Errors
///
/// A [`SetupError`]; nothing was written then.
pub async fn propagate_with(
    client: &Client,
    config: &Config,
    options: &RunOptions,
    on_progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<Report, SetupError> {
    propagate_with_retrier(
        client,
        config,
        options,
        retry_policy::Retrier::new(config.retry.clone()),
        on_progress,
    )
    .await
}

/// [`propagate_with`] with an explicit PR POST retrier (a shared budget, a fixed seed).
///
/// # Errors
///
/// A [`SetupError`]; nothing was written then.
pub async fn propagate_with_retrier(
    client: &Client,
    config: &Config,
    options: &RunOptions,
    retrier: retry_policy::Retrier,
    on_progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<Report, SetupError> {
    let started = Started::now();
    let deadline = options.deadline.map(|d| tokio::time::Instant::now() + d);
    let stops = propagate::Stops {
        deadline,
        interrupt: options.interrupt.clone(),
    };
    stops.guard(preflight(client, config)).await??;
    let needs = ScopeNeeds {
        labels: !config.pull_request.labels.is_empty(),
        write: !options.dry_run,
        own_user: true,
    };
    stops
        .guard(scopes::check(client, config, &options.selection, needs))
        .await??;
    let version = stops
        .guard(resolve_version(client, config, options.version.clone()))
        .await??;
    let settings = Settings {
        target: Target {
            version,
            package: config.package.clone(),
            version_file: config.version_file.clone(),
            requirements_file: config.requirements_file.clone(),
        },
        pull_request: config.pull_request.clone(),
        commit: config.commit.clone(),
        retrier,
        jobs: options.jobs,
        passes: config.passes,
        breaker: crate::breaker::DEFAULT_THRESHOLD,
        deadline,
        interrupt: options.interrupt.clone(),
        dry_run: options.dry_run,
        retry_commit: config.retry_commit,
        exclude: config.runtime_repo.iter().cloned().collect(),
    };
    let mut report = propagate::propagate(
        client,
        settings,
        &config.consumers,
        &options.selection,
        on_progress,
    )
    .await?;
    report.dry_run = options.dry_run;
    report.gitea_url = config.gitea_url.clone();
    report.started_at = started.at();
    report.duration_ms = started.elapsed_ms();
    Ok(report)
}

/// Connects, checks, resolves the version and reports drift.
///
/// # Errors
///
/// A [`SetupError`].
pub async fn drift(
    config: &Config,
    token: Token,
    options: &RunOptions,
) -> Result<DriftReport, SetupError> {
    check_rate(config, options)?;
    let client = connect_capped(config, token, options.max_rps)?;
    drift_with(&client, config, options).await
}

/// [`drift()`] with a client the caller built.
///
/// # Errors
///
/// A [`SetupError`].
pub async fn drift_with(
    client: &Client,
    config: &Config,
    options: &RunOptions,
) -> Result<DriftReport, SetupError> {
    let started = Started::now();
    preflight(client, config).await?;
    scopes::check(client, config, &options.selection, ScopeNeeds::default()).await?;
    let version = resolve_version(client, config, options.version.clone()).await?;
    let mut report = drift::run(client, config, &version, &options.selection, options.jobs).await?;
    report.started_at = started.at();
    report.duration_ms = started.elapsed_ms();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_rate(jobs: usize, per_second: u32) -> Result<(), SetupError> {
        let config = Config::with_defaults("https://g", "p", Default::default());
        let options = RunOptions {
            jobs,
            max_rps: NonZeroU32::new(per_second),
            ..RunOptions::default()
        };
        check_rate(&config, &options)
    }

    #[test]
    fn jobs_stay_under_the_rate_times_half_the_attempt_timeout() {
        assert!(with_rate(8, 1).is_ok(), "8 waits of 1 s within 15 s");
        assert!(with_rate(15, 1).is_ok());
        let err = with_rate(16, 1).unwrap_err().to_string();
        assert!(err.contains("use --jobs 15 or fewer"), "{err}");
        assert!(!err.contains('\n'));
        assert!(with_rate(256, 20).is_ok());
        let none = RunOptions::default();
        let config = Config::with_defaults("https://g", "p", Default::default());
        assert!(check_rate(&config, &none).is_ok());
    }
}
