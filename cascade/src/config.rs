//! `propagate.toml`: what to propagate, to whom, and how the pull requests look.
//!
//! Parsing is strict (unknown keys are errors) and everything is validated here, before any
//! network call, so a typo fails in one line instead of half-way through 800 repositories. An
//! error names the line and column and shows the line (see [`ConfigError`]).

mod locate;

use std::{path::Path, time::Duration};

use serde::Deserialize;
use toml::Spanned;

use crate::{
    repo::RepoName,
    template::{Template, TemplateError},
};

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
    /// Who the bump commit names as its author and committer (`[commit]`).
    pub commit: CommitConfig,
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
    /// Title template (see [`crate::template`]).
    pub title: Template,
    /// Body template; the list of what changed follows it.
    pub body: Template,
    /// A link to the release notes, as a template (`https://…/releases/tag/v{version}`); the
    /// body links to it when set.
    pub changelog_url: Option<Template>,
    /// Label names, resolved to ids per repository; an unknown label is an error.
    pub labels: Vec<String>,
    /// Assignee logins.
    pub assignees: Vec<String>,
    /// Reviewer logins.
    pub reviewers: Vec<String>,
    /// Close the open bump PRs of older releases once this release's PR exists
    /// (`supersede`, on by default); only those the bot opened from a branch still exactly its own.
    pub supersede: bool,
    /// Open the PRs as drafts (`draft`, off by default): the title gets Gitea's WIP prefix.
    pub draft: bool,
}

/// The git identities of the bump commit (`[commit] author` and `committer`), each
/// `{ name, email }`. Gitea fills a missing one from the other, and both from the token's user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitConfig {
    /// The author; when only one is set Gitea uses it for both.
    pub author: Option<gitea_api::Identity>,
    /// The committer.
    pub committer: Option<gitea_api::Identity>,
}

impl CommitConfig {
    /// The author the commit will carry when one is configured: the author, else the
    /// committer (as Gitea fills it in); `None` means the token's user.
    pub fn effective_author(&self) -> Option<&gitea_api::Identity> {
        self.author.as_ref().or(self.committer.as_ref())
    }
}

/// The longest name and e-mail Gitea binds in an `Identity` (modules/structs, `MaxSize`).
const MAX_NAME: usize = 100;
const MAX_EMAIL: usize = 254;

/// Why a configuration was rejected. Always one line: the file, then, when the problem is at a
/// place in it, `line L, column C`, the message, and the line itself.
#[derive(Debug, thiserror::Error)]
#[error("config {path}: {message}")]
pub struct ConfigError {
    path: String,
    message: String,
    location: Option<(usize, usize)>,
}

impl ConfigError {
    /// The 1-based line and column of the problem, when it is at a place in the file.
    pub fn location(&self) -> Option<(usize, usize)> {
        self.location
    }
}

/// The default PR title.
pub const DEFAULT_TITLE: &str = "Bump {package} to {version}";
/// The default PR body.
pub const DEFAULT_BODY: &str = "The runtime released {version}.\n\nThis pull request bumps `{package}` from {old_version} to {version}; the list below says what changed in each file, line by line. It was opened by `cargo xtask propagate`; re-running it never opens a second one.";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    gitea_url: Option<Spanned<String>>,
    #[serde(default)]
    allow_insecure_http: bool,
    runtime_repo: Option<Spanned<String>>,
    package: Option<Spanned<String>>,
    version_file: Option<Spanned<String>>,
    requirements_file: Option<Spanned<String>>,
    #[serde(default)]
    consumers: RawConsumers,
    #[serde(default)]
    pull_request: RawPullRequest,
    #[serde(default)]
    commit: RawCommit,
    retry: Option<Spanned<RawRetry>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommit {
    author: Option<Spanned<RawIdentity>>,
    committer: Option<Spanned<RawIdentity>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    name: String,
    email: String,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsumers {
    #[serde(default)]
    repos: Vec<Spanned<String>>,
    #[serde(default)]
    orgs: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPullRequest {
    title: Option<Spanned<String>>,
    body: Option<Spanned<String>>,
    changelog_url: Option<Spanned<String>>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    assignees: Vec<String>,
    #[serde(default)]
    reviewers: Vec<String>,
    supersede: Option<bool>,
    #[serde(default)]
    draft: bool,
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

/// A built-in template; they are valid (a unit test parses them), and would be text otherwise.
fn builtin(source: &str) -> Template {
    Template::parse(source).unwrap_or_else(|_| Template::text(source))
}

/// The text being parsed, for errors that name a place in it.
struct Source<'a> {
    text: &'a str,
    origin: &'a str,
}

impl Source<'_> {
    fn fail(&self, message: String) -> ConfigError {
        ConfigError {
            path: self.origin.to_owned(),
            message,
            location: None,
        }
    }

    fn fail_at(&self, at: usize, message: &str) -> ConfigError {
        let (message, location) = locate::locate(self.text, at, message);
        ConfigError {
            path: self.origin.to_owned(),
            message,
            location: Some(location),
        }
    }

    /// A template, or an error at the placeholder that is wrong. `span` is the TOML string's,
    /// quotes included; for a basic string on one line without escapes, that is exact.
    fn template(&self, key: &str, value: &Spanned<String>) -> Result<Template, ConfigError> {
        Template::parse(value.get_ref()).map_err(|err: TemplateError| {
            let span = value.span();
            let quoted = self.text.get(span.clone()).unwrap_or_default();
            let inner = quoted
                .find(value.get_ref().as_str())
                .filter(|_| !value.get_ref().is_empty())
                .map_or(span.start, |at| span.start + at + err.offset);
            self.fail_at(inner, &format!("[pull_request] {key}: {err}"))
        })
    }
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
                title: builtin(DEFAULT_TITLE),
                body: builtin(DEFAULT_BODY),
                changelog_url: None,
                labels: Vec::new(),
                assignees: Vec::new(),
                reviewers: Vec::new(),
                supersede: true,
                draft: false,
            },
            commit: CommitConfig::default(),
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
        let text = std::fs::read_to_string(path).map_err(|err| {
            let hint = if err.kind() == std::io::ErrorKind::NotFound {
                "; pass --config PATH, or start one from docs/examples/propagate.toml"
            } else {
                ""
            };
            ConfigError {
                path: shown.clone(),
                message: format!("cannot read it: {err}{hint}"),
                location: None,
            }
        })?;
        Config::parse(&text, &shown)
    }

    /// Parses and validates config text; `origin` names it in errors.
    ///
    /// ```
    /// use cascade::config::Config;
    ///
    /// let text = "gitea_url = \"https://gitea.example.com\"\npackage = \"p\"\ncolour = 1\n";
    /// let err = Config::parse(text, "propagate.toml").unwrap_err();
    /// assert_eq!(err.location(), Some((3, 1)));
    /// assert!(err.to_string().starts_with("config propagate.toml: line 3, column 1: unknown field `colour`"));
    /// assert!(err.to_string().ends_with("; the line: colour = 1"));
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming `origin` and the first problem found.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let src = Source { text, origin };
        let raw: RawConfig = toml::from_str(text).map_err(|err| {
            let message = err.message().trim().replace('\n', " ");
            match err.span() {
                Some(span) => src.fail_at(span.start, &message),
                None => src.fail(message),
            }
        })?;
        let gitea_url = raw.gitea_url.ok_or_else(|| {
            src.fail(
                "missing `gitea_url`; add gitea_url = \"https://gitea.example.com\"".to_owned(),
            )
        })?;
        // The line is not shown: it may hold the credentials this check refuses.
        gitea_api::check_base_url(gitea_url.get_ref(), raw.allow_insecure_http).map_err(|err| {
            let (line, column) = locate::line_column(text, gitea_url.span().start);
            ConfigError {
                path: origin.to_owned(),
                message: format!("line {line}, column {column}: gitea_url {err}"),
                location: Some((line, column)),
            }
        })?;
        let package = match raw.package {
            Some(p) if !p.get_ref().trim().is_empty() => p.into_inner(),
            Some(p) => return Err(src.fail_at(p.span().start, "`package` is empty")),
            None => {
                return Err(src
                    .fail("missing `package`, the runtime's name in requirements.txt".to_owned()));
            }
        };
        let runtime_repo = raw
            .runtime_repo
            .map(|r| {
                RepoName::parse(r.get_ref())
                    .map_err(|m| src.fail_at(r.span().start, &format!("runtime_repo: {m}")))
            })
            .transpose()?;
        let repos = raw
            .consumers
            .repos
            .iter()
            .map(|r| {
                RepoName::parse(r.get_ref())
                    .map_err(|m| src.fail_at(r.span().start, &format!("consumers.repos: {m}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if repos.is_empty() && raw.consumers.orgs.is_empty() {
            return Err(src.fail(
                "no consumers; list [consumers] repos = [\"owner/repo\"] or orgs = [\"org\"]"
                    .to_owned(),
            ));
        }
        let path = |value: Option<Spanned<String>>, default: fn() -> String| match value {
            None => Ok(default()),
            Some(file) => {
                let name = file.get_ref();
                if name.is_empty() || name.starts_with('/') || name.split('/').any(|s| s == "..") {
                    let why = format!("{name:?} is not a relative file path in the repository");
                    return Err(src.fail_at(file.span().start, &why));
                }
                Ok(file.into_inner())
            }
        };
        let version_file = path(raw.version_file, default_version_file)?;
        let requirements_file = path(raw.requirements_file, default_requirements_file)?;
        let (retry, retry_reads, retry_commit) = match &raw.retry {
            None => (gitea_api::default_retry_policy(), false, false),
            Some(table) => {
                let policy = build_policy(table.get_ref())
                    .map_err(|why| src.fail_at(table.span().start, &why))?;
                (policy, table.get_ref().reads, table.get_ref().commit)
            }
        };
        let passes = raw
            .retry
            .as_ref()
            .and_then(|table| table.get_ref().passes)
            .unwrap_or(DEFAULT_PASSES);
        if !(1..=MAX_PASSES).contains(&passes) {
            let why = format!("[retry] passes = {passes}: give 1 (no re-run) to {MAX_PASSES}");
            return Err(match &raw.retry {
                Some(table) => src.fail_at(table.span().start, &why),
                None => src.fail(why),
            });
        }
        let pr = &raw.pull_request;
        let template = |key, value: &Option<Spanned<String>>, default| match value {
            Some(value) => src.template(key, value),
            None => Ok(builtin(default)),
        };
        let title = template("title", &pr.title, DEFAULT_TITLE)?;
        let body = template("body", &pr.body, DEFAULT_BODY)?;
        let changelog_url = pr
            .changelog_url
            .as_ref()
            .map(|value| src.template("changelog_url", value))
            .transpose()?;
        let identity = |key: &str, value: &Option<Spanned<RawIdentity>>| {
            value
                .as_ref()
                .map(|value| {
                    check_identity(value.get_ref()).map_err(|why| {
                        src.fail_at(value.span().start, &format!("[commit] {key}: {why}"))
                    })
                })
                .transpose()
        };
        let commit = CommitConfig {
            author: identity("author", &raw.commit.author)?,
            committer: identity("committer", &raw.commit.committer)?,
        };
        Ok(Config {
            gitea_url: gitea_url.get_ref().trim_end_matches('/').to_owned(),
            allow_insecure_http: raw.allow_insecure_http,
            runtime_repo,
            package,
            version_file,
            requirements_file,
            consumers: Consumers {
                repos,
                orgs: raw.consumers.orgs,
            },
            pull_request: PullRequestConfig {
                title,
                body,
                changelog_url,
                labels: raw.pull_request.labels,
                assignees: raw.pull_request.assignees,
                reviewers: raw.pull_request.reviewers,
                supersede: raw.pull_request.supersede.unwrap_or(true),
                draft: raw.pull_request.draft,
            },
            commit,
            retry,
            retry_reads,
            retry_commit,
            passes,
        })
    }
}

/// A commit identity Gitea and git take as given: a name and a plausible e-mail, neither with
/// control characters (a newline would forge a header of the commit object) nor the `<` `>`
/// that delimit the e-mail in it.
fn check_identity(raw: &RawIdentity) -> Result<gitea_api::Identity, String> {
    const FIX: &str = "give name = \"Platform Bot\", email = \"platform-bot@example.com\"";
    let bad = |c: char| c.is_control() || c == '<' || c == '>';
    let (name, email) = (raw.name.trim(), raw.email.trim());
    if name.is_empty() {
        return Err(format!("the name is empty; {FIX}"));
    }
    if raw.name.chars().any(bad) {
        return Err(format!(
            "the name {:?} holds a control character, a newline, < or >; {FIX}",
            raw.name
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!(
            "the name is over {MAX_NAME} characters, Gitea's limit"
        ));
    }
    let plausible = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| bad(c) || c.is_whitespace())
        }
        None => false,
    };
    if !plausible || raw.email != email {
        return Err(format!("{:?} is not an e-mail address; {FIX}", raw.email));
    }
    if email.chars().count() > MAX_EMAIL {
        return Err(format!(
            "the e-mail is over {MAX_EMAIL} characters, Gitea's limit"
        ));
    }
    Ok(gitea_api::Identity {
        name: name.to_owned(),
        email: email.to_owned(),
    })
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
    fn a_blank_package_is_refused_at_its_line() {
        let text = MINIMAL.replace("\"platform-runtime\"", "\"   \"");
        let err = error_of(&text);
        assert!(
            err.contains("line 3, column 11: `package` is empty"),
            "{err}"
        );
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
        assert!(error_of("gitea_url = ").contains("line 1, column 13: "));
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
        assert_eq!(
            config.commit.author.map(|i| i.email),
            Some("platform-bot@example.com".to_owned())
        );
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
    fn errors_name_the_line_and_column_and_show_the_line() {
        let text = format!("{MINIMAL}\n[pull_request]\ncolour = \"blue\"\n");
        let err = Config::parse(&text, "p.toml").unwrap_err();
        assert_eq!(err.location(), Some((8, 1)));
        let err = err.to_string();
        assert!(
            err.starts_with("config p.toml: line 8, column 1: unknown field `colour`"),
            "{err}"
        );
        assert!(err.ends_with("; the line: colour = \"blue\""), "{err}");
        let bad_repo = MINIMAL.replace("\"team/svc\"", "\"team/svc\", \"nope\"");
        let err = error_of(&bad_repo);
        assert!(
            err.contains("line 5, column 22: consumers.repos: \"nope\" is not a repository name"),
            "{err}"
        );
        let retry = format!("{MINIMAL}\n[retry]\nmax_retries = \"three\"\n");
        assert!(
            error_of(&retry).contains("line 8, column 15: invalid type"),
            "{}",
            error_of(&retry)
        );
        let path = MINIMAL.replace("package", "version_file = \"/etc/passwd\"\npackage");
        assert!(error_of(&path).contains("line 3, column 16: \"/etc/passwd\" is not a relative"));
    }

    #[test]
    fn a_credential_in_gitea_url_is_located_but_never_shown() {
        let text = MINIMAL.replace(
            "https://gitea.example.com/",
            "https://bot:s3cret@gitea.example.com",
        );
        let err = error_of(&text);
        assert!(err.contains("line 2, column 13: gitea_url "), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
        let broken = "gitea_url = \"https://bot:s3cret@gitea.example.com\n";
        let err = error_of(broken);
        assert!(err.contains("line 1"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }

    #[test]
    fn templates_are_checked_at_load_naming_the_valid_placeholders() {
        let with =
            |key: &str, value: &str| format!("{MINIMAL}\n[pull_request]\n{key} = \"{value}\"\n");
        let err = error_of(&with("title", "Bump {pkg} to {version}"));
        assert!(
            err.contains("line 8, column 15: [pull_request] title: unknown placeholder {pkg}; the valid ones are {package}, {version}, {old_version}"),
            "{err}"
        );
        assert!(
            err.ends_with("; the line: title = \"Bump {pkg} to {version}\""),
            "{err}"
        );
        assert!(
            error_of(&with("body", "from {old} to {version}"))
                .contains("[pull_request] body: unknown placeholder {old}")
        );
        assert!(
            error_of(&with("changelog_url", "https://g/r/{version"))
                .contains("[pull_request] changelog_url: a { that is never closed")
        );
        let config = Config::parse(
            &with(
                "changelog_url",
                "https://g/platform/runtime/releases/tag/v{version}",
            ),
            "t",
        )
        .unwrap();
        let values = crate::template::Values {
            package: "p",
            version: "1.5.0",
            old_version: "1.4.2",
        };
        assert_eq!(
            config.pull_request.changelog_url.unwrap().render(&values),
            "https://g/platform/runtime/releases/tag/v1.5.0"
        );
        let literal = Config::parse(&with("title", "Bump {{package}}"), "t").unwrap();
        assert_eq!(literal.pull_request.title.render(&values), "Bump {package}");
    }

    #[test]
    fn superseding_is_on_unless_switched_off() {
        assert!(Config::parse(MINIMAL, "t").unwrap().pull_request.supersede);
        let off = format!("{MINIMAL}\n[pull_request]\nsupersede = false\n");
        assert!(!Config::parse(&off, "t").unwrap().pull_request.supersede);
        let bad = format!("{MINIMAL}\n[pull_request]\nsupersede = \"yes\"\n");
        assert!(
            error_of(&bad).contains("line 8, column 13: invalid type"),
            "{}",
            error_of(&bad)
        );
    }

    #[test]
    fn commit_author_and_committer_are_read_and_default_to_the_token_user() {
        let none = Config::parse(MINIMAL, "t").unwrap().commit;
        assert_eq!(none, CommitConfig::default());
        assert_eq!(none.effective_author(), None);
        let text = format!(
            "{MINIMAL}\n[commit]\nauthor = {{ name = \" Platform Bot \", email = \"platform-bot@example.com\" }}\ncommitter = {{ name = \"CI\", email = \"ci@gitea.example.com\" }}\n"
        );
        let commit = Config::parse(&text, "t").unwrap().commit;
        let author = commit.author.clone().unwrap();
        assert_eq!(
            (author.name.as_str(), author.email.as_str()),
            ("Platform Bot", "platform-bot@example.com")
        );
        assert_eq!(commit.committer.as_ref().unwrap().name, "CI");
        assert_eq!(commit.effective_author(), Some(&author));
        let only_committer = format!(
            "{MINIMAL}\n[commit]\ncommitter = {{ name = \"CI\", email = \"ci@example.com\" }}\n"
        );
        let commit = Config::parse(&only_committer, "t").unwrap().commit;
        assert_eq!(commit.author, None);
        assert_eq!(
            commit.effective_author().map(|i| i.email.as_str()),
            Some("ci@example.com"),
            "Gitea makes a lone committer the author too"
        );
    }

    #[test]
    fn a_bad_commit_identity_is_one_line_naming_the_key_and_the_fix() {
        let with = |key: &str, name: &str, email: &str| {
            format!("{MINIMAL}\n[commit]\n{key} = {{ name = {name:?}, email = {email:?} }}\n")
        };
        let err = error_of(&with("author", "  ", "bot@example.com"));
        assert!(
            err.contains("line 8, column 10: [commit] author: the name is empty; give name = \"Platform Bot\", email = \"platform-bot@example.com\""),
            "{err}"
        );
        assert!(
            err.ends_with("; the line: author = { name = \"  \", email = \"bot@example.com\" }"),
            "{err}"
        );
        for email in [
            "",
            "bot",
            "bot@",
            "@example.com",
            "a@b@c",
            "bot @example.com",
            "bot@example.com\n",
            "<bot@example.com>",
            "bot@.com",
            " bot@example.com",
        ] {
            let err = error_of(&with("committer", "Bot", email));
            assert!(
                err.contains("[commit] committer: ")
                    && err.contains("is not an e-mail address; give"),
                "{email:?}: {err}"
            );
        }
        for name in ["Bot\nEvil: x", "Bot\tx", "Bot <x@y>", "Bot\r"] {
            let err = error_of(&with("author", name, "bot@example.com"));
            assert!(
                err.contains("holds a control character, a newline, < or >"),
                "{err}"
            );
        }
        let long = "n".repeat(101);
        assert!(error_of(&with("author", &long, "b@e.x")).contains("over 100 characters"));
        let long = format!("{}@example.com", "e".repeat(250));
        assert!(error_of(&with("author", "B", &long)).contains("over 254 characters"));
        // Exactly at Gitea's limits is accepted.
        let (name, email) = ("n".repeat(100), format!("{}@example.com", "e".repeat(242)));
        assert!(Config::parse(&with("author", &name, &email), "p.toml").is_ok());
        let missing = format!("{MINIMAL}\n[commit]\nauthor = {{ name = \"Bot\" }}\n");
        assert!(
            error_of(&missing).contains("line 8, column 10: missing field `email`"),
            "{}",
            error_of(&missing)
        );
        let unknown = format!("{MINIMAL}\n[commit]\nauthr = {{ name = \"Bot\" }}\n");
        assert!(
            error_of(&unknown).contains("line 8, column 1: unknown field `authr`"),
            "{}",
            error_of(&unknown)
        );
    }

    #[test]
    fn the_built_in_templates_are_valid() {
        for source in [DEFAULT_TITLE, DEFAULT_BODY] {
            assert!(Template::parse(source).is_ok(), "{source}");
        }
    }

    #[test]
    fn rejects_bad_repo_names_and_empty_consumers() {
        assert!(error_of(&MINIMAL.replace("team/svc", "just-a-name")).contains("owner/repo"));
        assert!(error_of("gitea_url = \"https://g\"\npackage = \"p\"").contains("no consumers"));
    }
}
