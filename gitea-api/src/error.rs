//! The one error type of the crate, and the predicates the cascade branches on.

use std::error::Error as StdError;
use std::time::Duration;

use retry_policy::{Outcome, TransportKind};

/// Everything that can go wrong talking to Gitea.
///
/// Every variant that comes from a request names its `endpoint` as a template such as
/// `GET /repos/{owner}/{repo}`, never as a concrete URL, so no query string or secret can leak into
/// a message. The token never appears in `Display` or `Debug`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Gitea answered with a non-2xx status and its JSON error body (or an empty one).
    #[error("{endpoint}: HTTP {status}: {}", describe(.message, .errors))]
    Api {
        /// The endpoint template.
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
        /// Gitea's `message` (empty when the body had none).
        message: String,
        /// Gitea's `url` (a link to its swagger page), when sent.
        url: Option<String>,
        /// Gitea's `errors` list (empty when `null` or absent).
        errors: Vec<String>,
        /// The `Retry-After` delay the response asked for, if any.
        retry_after: Option<Duration>,
    },
    /// A non-2xx status whose body was not Gitea's JSON, such as a proxy's HTML 502 page.
    #[error("{endpoint}: HTTP {status} with a non-JSON body: {snippet:?}")]
    NonJson {
        /// The endpoint template.
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
        /// A short, single-line, sanitised extract of the body.
        snippet: String,
        /// The `Retry-After` delay the response asked for, if any.
        retry_after: Option<Duration>,
    },
    /// No complete response arrived: connect failure, timeout, reset.
    #[error("{endpoint}: transport error ({kind:?}): {}", causes(source.as_ref()))]
    Transport {
        /// The endpoint template.
        endpoint: &'static str,
        /// How the transport failed.
        kind: TransportKind,
        /// The underlying error, stripped of its URL.
        #[source]
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
    /// A 3xx answer. The client follows no redirect: the token and the request body would go
    /// wherever it points. Only the target's origin is kept, never its path or query.
    #[error(
        "{endpoint}: HTTP {status} redirect to {target}, not followed; set gitea_url (the client's base URL) to the address Gitea answers on itself"
    )]
    Redirected {
        /// The endpoint template.
        endpoint: &'static str,
        /// The HTTP status (301, 302, 303, 307, 308...).
        status: u16,
        /// The target's origin (`scheme://host:port`), or a note that `Location` was missing
        /// or unreadable.
        target: String,
    },
    /// A 2xx response whose body was not the expected JSON.
    #[error("{endpoint}: HTTP {status} body could not be decoded: {detail}")]
    Decode {
        /// The endpoint template.
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
        /// What the decoder said.
        detail: String,
    },
    /// A well-formed response that makes no sense for the request (a directory where a file was
    /// asked for, a pagination loop, a body larger than the client accepts).
    #[error("{endpoint}: unexpected response: {reason}")]
    InvalidResponse {
        /// The endpoint template.
        endpoint: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A file over the client's size limit
    /// ([`ClientBuilder::max_file_bytes`](crate::ClientBuilder::max_file_bytes)), or an answer
    /// that grew past what files of that size can take; reading stopped there.
    #[error("{endpoint}: {what} is over the {} limit for a file read", size(*.limit))]
    TooLarge {
        /// The endpoint template.
        endpoint: &'static str,
        /// Which file, or which answer, named by the paths asked for.
        what: String,
        /// The per-file limit in bytes.
        limit: u64,
    },
    /// The client could not be built from the given settings.
    #[error("invalid client configuration: {0}")]
    InvalidConfig(String),
    /// An argument cannot be sent as given (an empty owner, a `..` path segment).
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

/// The messages of `err` and its sources on one line, without repeats, at most 300 characters,
/// so a redirect loop or a reset says so instead of just "Other".
fn causes(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text: String = e
            .to_string()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if !parts.iter().any(|p| p.contains(text.as_str())) {
            parts.push(text);
        }
        next = e.source();
    }
    let line = parts.join(": ");
    match line.char_indices().nth(300) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line,
    }
}

/// `1 MiB` for whole mebibytes, `N-byte` otherwise.
fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes}-byte")
    }
}

fn describe(message: &str, errors: &[String]) -> String {
    let message = if message.is_empty() {
        "(no message)"
    } else {
        message
    };
    if errors.is_empty() {
        message.to_owned()
    } else {
        format!("{message} [{}]", errors.join("; "))
    }
}

impl Error {
    /// The HTTP status of a response error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. }
            | Self::NonJson { status, .. }
            | Self::Redirected { status, .. }
            | Self::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Gitea's `message`, for an [`Error::Api`].
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Api { message, .. } => Some(message),
            _ => None,
        }
    }

    /// The delay a 429 or 503 (or any error response) asked for in `Retry-After`, in seconds or
    /// as an HTTP date.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } | Self::NonJson { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The endpoint template the failed request was for.
    pub fn endpoint(&self) -> Option<&'static str> {
        match self {
            Self::Api { endpoint, .. }
            | Self::NonJson { endpoint, .. }
            | Self::Transport { endpoint, .. }
            | Self::Redirected { endpoint, .. }
            | Self::TooLarge { endpoint, .. }
            | Self::Decode { endpoint, .. }
            | Self::InvalidResponse { endpoint, .. } => Some(endpoint),
            _ => None,
        }
    }

    /// 404 with Gitea's JSON body (or an empty one). A 404 HTML page from something in front of
    /// Gitea is not "not found": it is an [`Error::NonJson`] and says nothing about the object.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Api { status: 404, .. })
    }

    /// 401: the token is missing, unknown or invalid.
    pub fn is_unauthorized(&self) -> bool {
        self.api_status() == Some(401)
    }

    /// 403: the token lacks a scope or the user a permission.
    pub fn is_forbidden(&self) -> bool {
        self.api_status() == Some(403)
    }

    /// 403 `token does not have at least one of required scope(s): [...]`: the token lacks a scope
    /// the route needs (Gitea's `tokenRequiresScopes`), which no other consumer will have either.
    pub fn is_missing_scope(&self) -> bool {
        self.missing_scopes().is_some()
    }

    /// For a 403 from Gitea's token scope check, the scopes the route asked for (any one of
    /// which Gitea's wording says would do; for a route of several categories it wants them
    /// all), such as `["read:issue"]`. `None` for any other error, including a 403 for a
    /// missing permission, which no token scope fixes.
    ///
    /// Gitea 1.26 writes `token does not have at least one of required scope(s),
    /// required=[write:repository], token scope=read:repository`.
    ///
    /// ```
    /// # use gitea_api::Error;
    /// let err = Error::Api {
    ///     endpoint: "GET /repos/{owner}/{repo}/labels",
    ///     status: 403,
    ///     message: "token does not have at least one of required scope(s), required=[read:issue], token scope=write:repository".into(),
    ///     url: None,
    ///     errors: vec![],
    ///     retry_after: None,
    /// };
    /// assert_eq!(err.missing_scopes(), Some(vec!["read:issue".to_owned()]));
    /// ```
    pub fn missing_scopes(&self) -> Option<Vec<String>> {
        if self.api_status() != Some(403) {
            return None;
        }
        parse_required_scopes(self.message()?)
    }

    /// 423: the repository is archived (or a mirror, for content writes).
    pub fn is_archived(&self) -> bool {
        self.api_status() == Some(423)
    }

    /// The branch to create exists already: 422 `branch already exists [name: …]` from a
    /// contents write with `new_branch`, or 409 `The branch already exists.` from
    /// `POST /branches`.
    pub fn is_branch_already_exists(&self) -> bool {
        matches!(self.api_status(), Some(409 | 422))
            && self.message_contains("branch already exists")
    }

    /// 409 `pull request already exists for these targets […]`.
    pub fn is_pull_already_exists(&self) -> bool {
        self.api_status() == Some(409) && self.message_contains("pull request already exists")
    }

    /// For a duplicate-PR 409, the number of the open PR, parsed from `issue_id: N` (which holds
    /// the PR number despite its name).
    pub fn pull_already_exists(&self) -> Option<u64> {
        if !self.is_pull_already_exists() {
            return None;
        }
        parse_issue_id(self.message()?)
    }

    /// 422 (or 409) `sha does not match [given: …, expected: …]`: the file changed since it was read.
    pub fn is_sha_mismatch(&self) -> bool {
        matches!(self.api_status(), Some(409 | 422)) && self.message_contains("sha does not match")
    }

    /// A 3xx answer, which the client does not follow.
    pub fn is_redirect(&self) -> bool {
        matches!(self, Self::Redirected { .. })
    }

    /// A file, or an answer carrying files, over the client's size limit.
    pub fn is_too_large(&self) -> bool {
        matches!(self, Self::TooLarge { .. })
    }

    /// No complete response arrived.
    pub fn is_transport(&self) -> bool {
        matches!(self, Self::Transport { .. })
    }

    /// How the transport failed, for [`Error::Transport`].
    pub fn transport_kind(&self) -> Option<TransportKind> {
        match self {
            Self::Transport { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// What this error looks like to a [`retry_policy::Classifier`]: the status for a response
    /// error (JSON or not, or a redirect), the transport kind for a transport error, `None`
    /// otherwise.
    pub fn outcome(&self) -> Option<Outcome> {
        match self {
            Self::Transport { kind, .. } => Some(Outcome::Transport(*kind)),
            Self::Redirected { status, .. } => Some(Outcome::Status(*status)),
            _ => self.api_status().map(Outcome::Status),
        }
    }

    /// This error as the [`retry_policy::Attempt`] a [`retry_policy::Retrier`] learns from:
    /// [`outcome`](Self::outcome) with the response's `Retry-After`. An error that is neither a
    /// response nor a transport failure (a decode error, invalid input) is `Transport(Other)`,
    /// which the strict classifier never retries.
    pub fn as_attempt(&self) -> retry_policy::Attempt<'static> {
        let outcome = self
            .outcome()
            .unwrap_or(Outcome::Transport(TransportKind::Other));
        retry_policy::Attempt::from(outcome).with_retry_after(self.retry_after())
    }

    fn api_status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::NonJson { status, .. } => Some(*status),
            _ => None,
        }
    }

    fn message_contains(&self, needle: &str) -> bool {
        self.message()
            .is_some_and(|m| m.to_ascii_lowercase().contains(needle))
    }
}

/// Lets [`retry_policy::Retrier::retry`] retry any call of this client in one line.
impl retry_policy::AttemptError for Error {
    fn outcome(&self) -> Outcome {
        self.as_attempt().outcome
    }

    fn retry_after(&self) -> Option<Duration> {
        Error::retry_after(self)
    }
}

/// Reads the scopes of `… required scope(s), required=[a b], token scope=…` (or the shorter
/// `required scope(s): [a b]`).
fn parse_required_scopes(message: &str) -> Option<Vec<String>> {
    let (_, rest) = message.split_once("required scope(s)")?;
    let rest = rest.trim_start_matches([',', ':', ' ']);
    let rest = rest.strip_prefix("required=").unwrap_or(rest);
    let inner = rest.strip_prefix('[')?.split_once(']')?.0;
    let scopes: Vec<String> = inner
        .split([' ', ','])
        .filter(|s| s.contains(':'))
        .map(str::to_owned)
        .collect();
    (!scopes.is_empty()).then_some(scopes)
}

/// Reads `N` from `… issue_id: N, …`.
fn parse_issue_id(message: &str) -> Option<u64> {
    let (_, rest) = message.split_once("issue_id:")?;
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn api(status: u16, message: &str) -> Error {
        Error::Api {
            endpoint: "POST /repos/{owner}/{repo}/pulls",
            status,
            message: message.to_owned(),
            url: Some("http://h/api/swagger".to_owned()),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    const DUPLICATE: &str = "pull request already exists for these targets [id: 12, issue_id: 3, head_repo_id: 7, base_repo_id: 7, head_branch: bump/runtime-1.2.3, base_branch: main]";

    #[test]
    fn duplicate_pull_gives_its_number() {
        assert_eq!(api(409, DUPLICATE).pull_already_exists(), Some(3));
        assert!(api(409, DUPLICATE).is_pull_already_exists());
        assert_eq!(api(422, DUPLICATE).pull_already_exists(), None);
        assert_eq!(
            api(409, "pull request already exists for these targets").pull_already_exists(),
            None
        );
        assert!(api(409, "pull request already exists for these targets").is_pull_already_exists());
    }

    #[test]
    fn branch_exists_from_both_endpoints() {
        assert!(
            api(422, "branch already exists [name: bump/runtime-1.2.3]").is_branch_already_exists()
        );
        assert!(api(409, "The branch already exists.").is_branch_already_exists());
        assert!(
            !api(404, "branch does not exist [repo_id: 7 name: nope]").is_branch_already_exists()
        );
    }

    /// The message of Gitea 1.26's `tokenRequiresScopes` (routers/api/v1/api.go).
    #[test]
    fn a_403_naming_required_scopes_is_a_missing_scope_and_a_permission_403_is_not() {
        let scope = "token does not have at least one of required scope(s): [write:repository]";
        assert!(api(403, scope).is_missing_scope());
        assert!(!api(403, "user should have a permission to write to a repo").is_missing_scope());
        assert!(!api(401, scope).is_missing_scope());
    }

    #[test]
    fn scope_403s_name_the_missing_scopes() {
        let gitea = "token does not have at least one of required scope(s), required=[read:user read:organization], token scope=write:repository";
        assert_eq!(
            api(403, gitea).missing_scopes(),
            Some(vec!["read:user".to_owned(), "read:organization".to_owned()])
        );
        let short = "token does not have at least one of required scope(s): [read:issue]";
        assert_eq!(
            api(403, short).missing_scopes(),
            Some(vec!["read:issue".to_owned()])
        );
        assert_eq!(api(401, gitea).missing_scopes(), None);
        assert_eq!(
            api(403, "user should have a permission to write to a repo").missing_scopes(),
            None
        );
        assert_eq!(
            api(403, "token scope is limited to public repos").missing_scopes(),
            None
        );
    }

    #[test]
    fn status_predicates() {
        assert!(api(404, "not found").is_not_found());
        assert!(api(401, "token is required").is_unauthorized());
        assert!(api(403, "user should have a permission to write to a repo").is_forbidden());
        assert!(api(423, "o/r is archived").is_archived());
        assert!(api(422, "sha does not match [given: a, expected: b]").is_sha_mismatch());
        let html = Error::NonJson {
            endpoint: "GET /version",
            status: 502,
            snippet: "Bad Gateway".into(),
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(html.outcome(), Some(Outcome::Status(502)));
        assert!(!html.is_not_found());
        assert_eq!(html.retry_after(), Some(Duration::from_secs(3)));
        let html404 = Error::NonJson {
            endpoint: "GET /version",
            status: 404,
            snippet: "nginx".into(),
            retry_after: None,
        };
        assert!(!html404.is_not_found());
    }

    #[test]
    fn display_names_endpoint_status_and_message() {
        let mut err = api(404, "GetContentsOrList");
        if let Error::Api { errors, .. } = &mut err {
            errors.push("object does not exist [id: , rel_path: x]".to_owned());
        }
        assert_eq!(
            err.to_string(),
            "POST /repos/{owner}/{repo}/pulls: HTTP 404: GetContentsOrList [object does not exist [id: , rel_path: x]]"
        );
    }

    #[test]
    fn transport_display_names_the_cause_on_one_line() {
        let err = Error::Transport {
            endpoint: "GET /version",
            kind: TransportKind::Reset,
            source: Box::new(std::io::Error::other("connection reset\nby peer")),
        };
        assert_eq!(
            err.to_string(),
            "GET /version: transport error (Reset): connection reset by peer"
        );
        let long = Error::Transport {
            endpoint: "GET /version",
            kind: TransportKind::Other,
            source: Box::new(std::io::Error::other("x".repeat(500))),
        };
        assert!(long.to_string().ends_with("x..."));
    }

    #[test]
    fn error_is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }

    proptest! {
        #[test]
        fn scope_parser_never_panics(message in ".{0,160}") {
            let _ = parse_required_scopes(&message);
            let _ = api(403, &message).missing_scopes();
        }

        #[test]
        fn issue_id_parser_never_panics(message in ".{0,120}") {
            let _ = parse_issue_id(&message);
            let _ = api(409, &message).pull_already_exists();
        }

        #[test]
        fn issue_id_round_trips(n in any::<u64>()) {
            let message = format!("pull request already exists for these targets [id: 1, issue_id: {n}, head_repo_id: 2]");
            prop_assert_eq!(api(409, &message).pull_already_exists(), Some(n));
        }
    }
}
