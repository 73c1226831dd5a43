//! `propagate.toml`: what to propagate, to whom, and how the pull requests look.
//!
//! Parsing is strict (unknown keys are errors) and everything is validated here, before any
//! network call, so a typo fails in one line instead of half-way through 800 repositories.

use std::{path::Path, time::Duration};

use serde::Deserialize;

use crate::repo::RepoName;

/// A validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Gitea's base URL, without `/api/v1`.
    pub gitea_url: String,
    /// Allow plain http to a host other than loopback (never for production).
    pub allow_insecure_http: bool,
    /// The runtime's own repository, `owner/repo`, whose version file names the release.
    pub runtime_repo: Option<RepoName>,
    /// The runtime's package name in `requirements.txt`.
    pub package: String,
    /// The version file's path in every consumer.
    pub version_file: String,
    /// The requirements file's path in every consumer.
    pub requirements_file: String,
    /// Which repositories are consumers.
    pub consumers: Consumers,
    /// How the pull requests look.
    pub pull_request: PullRequestConfig,
    /// The retry policy of the PR POST (and of reads and the commit when switched on).
    pub retry: retry_policy::Policy,
    /// Retry reads too (`[retry] reads`); off by default: a failed read fails its consumer loudly.
    pub retry_reads: bool,
    /// Retry the bump commit too (`[retry] commit`), inspecting the branch before each re-send;
    /// off by default.
    pub retry_commit: bool,
    /// Runs from the top per consumer within one invocation, the first included
    /// (`[retry] passes`, default [`DEFAULT_PASSES`]); a consumer is run again only after a
    /// transient failure (5xx, transport error, timeout).
    pub passes: u32,
}

/// Passes per consumer unless `[retry] passes` says otherwise.
pub const DEFAULT_PASSES: u32 = 6;

/// The most passes `[retry] passes` accepts.
pub const MAX_PASSES: u32 = 20;

/// The consumers: explicit repositories, and every repository of some orgs with a version file.
#[derive(Clone, Debug, Default)]
pub struct Consumers {
    /// Explicit `owner/repo` names.
    pub repos: Vec<RepoName>,
    /// Orgs whose repositories are discovered.
    pub orgs: Vec<String>,
}

/// The pull request's title, body, labels and people.
#[derive(Clone, Debug)]
pub struct PullRequestConfig {
    /// Title template; `{package}` and `{version}` are replaced.
    pub title: String,
    /// Body template; `{package}`, `{version}` and `{old_version}` are replaced.
    pub body: String,
    /// Label names, resolved to ids per repository; an unknown label is an error.
    pub labels: Vec<String>,
    /// Assignee logins.
    pub assignees: Vec<String>,
    /// Reviewer logins.
    pub reviewers: Vec<String>,
}

/// Why a configuration was rejected. Always one line, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("config {path}: {message}")]
pub struct ConfigError {
    path: String,
    message: String,
}

/// The default PR title.
pub const DEFAULT_TITLE: &str = "Bump {package} to {version}";
/// The default PR body.
pub const DEFAULT_BODY: &str = "The runtime released {version}.\n\nThis pull request bumps `{package}` from {old_version} to {version}; the list below says what changed in each file, line by line. It was opened by `cargo xtask propagate`; re-running it never opens a second one.";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    gitea_url: Option<String>,
    #[serde(default)]
    allow_insecure_http: bool,
    runtime_repo: Option<String>,
    package: Option<String>,
    #[serde(default = "default_version_file")]
    version_file: String,
    #[serde(default = "default_requirements_file")]
    requirements_file: String,
    #[serde(default)]
    consumers: RawConsumers,
    #[serde(default)]
    pull_request: RawPullRequest,
    #[serde(default)]
    retry: RawRetry,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsumers {
    #[serde(default)]
    repos: Vec<String>,
    #[serde(default)]
    orgs: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPullRequest {
    title: Option<String>,
    body: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    assignees: Vec<String>,
    #[serde(default)]
    reviewers: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetry {
    max_retries: Option<u32>,
    base_delay_ms: Option<u64>,
    max_delay_ms: Option<u64>,
    attempt_timeout_ms: Option<u64>,
    #[serde(default)]
    reads: bool,
    #[serde(default)]
    commit: bool,
    passes: Option<u32>,
}

fn default_version_file() -> String {
    "runtime-version".to_owned()
}

fn default_requirements_file() -> String {
    "requirements.txt".to_owned()
}

impl Config {
    /// A config with every default, as a minimal `propagate.toml` naming these would give.
    ///
    /// The URL is not checked here; the client checks it when it is built.
    pub fn with_defaults(gitea_url: &str, package: &str, consumers: Consumers) -> Config {
        Config {
            gitea_url: gitea_url.trim_end_matches('/').to_owned(),
            allow_insecure_http: false,
            runtime_repo: None,
            package: package.to_owned(),
            version_file: default_version_file(),
            requirements_file: default_requirements_file(),
            consumers,
            pull_request: PullRequestConfig {
                title: DEFAULT_TITLE.to_owned(),
                body: DEFAULT_BODY.to_owned(),
                labels: Vec::new(),
                assignees: Vec::new(),
                reviewers: Vec::new(),
            },
            retry: gitea_api::default_retry_policy(),
            retry_reads: false,
            retry_commit: false,
            passes: DEFAULT_PASSES,
        }
    }

    /// Reads and validates a config file.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the file and the first problem found.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
            path: shown.clone(),
            message: format!("cannot read it: {err}"),
        })?;
        Config::parse(&text, &shown)
    }

    /// Parses and validates config text; `origin` names it in errors.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming `origin` and the first problem found.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let fail = |message: String| ConfigError {
            path: origin.to_owned(),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|err| fail(one_line_toml_error(&err)))?;
        let gitea_url = raw.gitea_url.ok_or_else(|| {
            fail("missing `gitea_url`; add gitea_url = \"https://gitea.example.com\"".to_owned())
        })?;
        gitea_api::check_base_url(&gitea_url, raw.allow_insecure_http)
            .map_err(|err| fail(format!("gitea_url {err}")))?;
        let package = raw
            .package
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| {
                fail("missing `package`, the runtime's name in requirements.txt".to_owned())
            })?;
        let runtime_repo = raw
            .runtime_repo
            .as_deref()
            .map(RepoName::parse)
            .transpose()
            .map_err(|m| fail(format!("runtime_repo: {m}")))?;
        let repos = raw
            .consumers
            .repos
            .iter()
            .map(|r| RepoName::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| fail(format!("consumers.repos: {m}")))?;
        if repos.is_empty() && raw.consumers.orgs.is_empty() {
            return Err(fail(
                "no consumers; list [consumers] repos = [\"owner/repo\"] or orgs = [\"org\"]"
                    .to_owned(),
            ));
        }
        for file in [&raw.version_file, &raw.requirements_file] {
            if file.is_empty() || file.starts_with('/') || file.split('/').any(|s| s == "..") {
                return Err(fail(format!(
                    "{file:?} is not a relative file path in the repository"
                )));
            }
        }
        let retry = build_policy(&raw.retry).map_err(fail)?;
        let passes = raw.retry.passes.unwrap_or(DEFAULT_PASSES);
        if !(1..=MAX_PASSES).contains(&passes) {
            return Err(fail(format!(
                "[retry] passes = {passes}: give 1 (no re-run) to {MAX_PASSES}"
            )));
        }
        Ok(Config {
            gitea_url: gitea_url.trim_end_matches('/').to_owned(),
            allow_insecure_http: raw.allow_insecure_http,
            runtime_repo,
            package,
            version_file: raw.version_file,
            requirements_file: raw.requirements_file,
            consumers: Consumers {
                repos,
                orgs: raw.consumers.orgs,
            },
            pull_request: PullRequestConfig {
                title: raw
                    .pull_request
                    .title
                    .unwrap_or_else(|| DEFAULT_TITLE.to_owned()),
                body: raw
                    .pull_request
                    .body
                    .unwrap_or_else(|| DEFAULT_BODY.to_owned()),
                labels: raw.pull_request.labels,
                assignees: raw.pull_request.assignees,
                reviewers: raw.pull_request.reviewers,
            },
            retry,
            retry_reads: raw.retry.reads,
            retry_commit: raw.retry.commit,
            passes,
        })
    }
}

fn build_policy(raw: &RawRetry) -> Result<retry_policy::Policy, String> {
    let mut builder = gitea_api::default_retry_policy().to_builder();
    if let Some(n) = raw.max_retries {
        builder = builder.max_retries(n);
    }
    if let Some(ms) = raw.base_delay_ms {
        builder = builder.base_delay(Duration::from_millis(ms));
    }
    if let Some(ms) = raw.max_delay_ms {
        builder = builder.cap(Duration::from_millis(ms));
    }
    if let Some(ms) = raw.attempt_timeout_ms {
        builder = builder.attempt_timeout(Duration::from_millis(ms));
    }
    builder.build().map_err(|err| format!("[retry]: {err}"))
}

fn one_line_toml_error(err: &toml::de::Error) -> String {
    let message = err.message().trim().replace('\n', " ");
    match err.span() {
        Some(span) => format!("{message} (at byte {})", span.start),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
gitea_url = "https://gitea.example.com/"
package = "platform-runtime"
[consumers]
repos = ["team/svc"]
"#;

    #[test]
    fn minimal_config_gets_the_seed_defaults() {
        let config = Config::parse(MINIMAL, "t.toml").unwrap();
        assert_eq!(config.gitea_url, "https://gitea.example.com");
        assert_eq!(config.version_file, "runtime-version");
        assert_eq!(config.requirements_file, "requirements.txt");
        assert_eq!(config.retry.max_retries(), 3);
        assert_eq!(
            config.retry.attempt_timeout(),
            Some(Duration::from_secs(30))
        );
        assert_eq!(config.consumers.repos[0].to_string(), "team/svc");
    }

    #[test]
    fn retry_settings_reach_the_policy() {
        let text = format!(
            "{MINIMAL}[retry]\nmax_retries = 5\nbase_delay_ms = 250\nmax_delay_ms = 9000\nattempt_timeout_ms = 4000\n"
        );
        let retry = Config::parse(&text, "t.toml").unwrap().retry;
        assert_eq!(
            (
                retry.max_retries(),
                retry.base_delay(),
                retry.cap(),
                retry.attempt_timeout()
            ),
            (
                5,
                Duration::from_millis(250),
                Duration::from_millis(9000),
                Some(Duration::from_secs(4))
            )
        );
    }

    fn error_of(text: &str) -> String {
        let err = Config::parse(text, "p.toml").unwrap_err().to_string();
        assert!(!err.contains('\n'), "one line: {err}");
        assert!(err.starts_with("config p.toml: "), "{err}");
        err
    }

    #[test]
    fn rejects_malformed_toml_unknown_keys_and_missing_url() {
        assert!(error_of("gitea_url = ").contains("at byte"));
        assert!(error_of(&format!("{MINIMAL}\ncolour = 1")).contains("unknown field"));
        assert!(
            error_of("package = \"p\"\n[consumers]\nrepos=[\"a/b\"]")
                .contains("missing `gitea_url`")
        );
    }

    #[test]
    fn rejects_urls_without_scheme_and_plain_http_off_loopback() {
        let with_url = |url: &str| MINIMAL.replace("https://gitea.example.com/", url);
        assert!(error_of(&with_url("gitea.example.com")).contains("no scheme"));
        assert!(error_of(&with_url("http://gitea.example.com")).contains("plain http"));
        assert!(error_of(&with_url("https://me:secret@gitea.example.com")).contains("credentials"));
        assert!(Config::parse(&with_url("http://127.0.0.1:3000"), "t").is_ok());
        assert!(Config::parse(&with_url("http://[::1]:3000"), "t").is_ok());
    }

    #[test]
    fn reads_and_commit_retry_are_off_unless_asked_for() {
        let config = Config::parse(MINIMAL, "t.toml").unwrap();
        assert!(!config.retry_reads && !config.retry_commit);
        let text = format!("{MINIMAL}\n[retry]\nreads = true\ncommit = true\n");
        let config = Config::parse(&text, "t.toml").unwrap();
        assert!(config.retry_reads && config.retry_commit);
    }

    #[test]
    fn passes_default_to_six_and_stay_within_one_to_twenty() {
        assert_eq!(Config::parse(MINIMAL, "t").unwrap().passes, DEFAULT_PASSES);
        let with = |n: &str| format!("{MINIMAL}\n[retry]\npasses = {n}\n");
        assert_eq!(Config::parse(&with("1"), "t").unwrap().passes, 1);
        assert!(error_of(&with("0")).contains("[retry] passes = 0"));
        assert!(error_of(&with("21")).contains("give 1 (no re-run) to 20"));
    }

    #[test]
    fn the_documented_example_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/propagate.toml");
        let config = Config::load(&path).unwrap();
        assert_eq!(config.consumers.orgs, ["platform"]);
        assert_eq!(config.retry.cap(), Duration::from_secs(30));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_errors_are_one_line(text in "\\PC{0,200}") {
            if let Err(err) = Config::parse(&text, "p.toml") {
                proptest::prop_assert!(!err.to_string().contains('\n'));
            }
        }

        #[test]
        fn never_panics_on_config_like_text(
            url in "[a-z]{0,5}(://)?[a-z0-9.:@/\\[\\]]{0,30}",
            extra in "[a-z_]{0,12} = [0-9\"a-z]{0,6}",
        ) {
            let text = format!("gitea_url = {url:?}\npackage = \"p\"\n{extra}\n[consumers]\nrepos = [\"a/b\"]\n");
            if let Err(err) = Config::parse(&text, "p.toml") {
                proptest::prop_assert!(!err.to_string().contains('\n'));
            }
        }
    }

    #[test]
    fn rejects_bad_repo_names_and_empty_consumers() {
        assert!(error_of(&MINIMAL.replace("team/svc", "just-a-name")).contains("owner/repo"));
        assert!(error_of("gitea_url = \"https://g\"\npackage = \"p\"").contains("no consumers"));
    }
}
