//! `cargo xtask drift`: which consumers are behind the runtime, and whether a bump PR is open.
//!
//! It only reads: the version file on each default branch (one call), and only for consumers
//! that are behind, their open PRs (one more per page), which hold the bump PR and any older
//! bump PRs still open; without an open bump PR, one more look-up tells a declined one. Explicitly listed repositories cost one more call for
//! their default branch; discovered ones get it from the org listing.

use std::{collections::BTreeMap, sync::Arc};

use futures_util::TryStreamExt;
use gitea_api::{Client, PullStateFilter};
use serde::Serialize;

use crate::{
    apply::pull,
    config::Config,
    fanout,
    plan::{
        Listing, Membership, Observation, ObservedFile, OpenPull, PullRef, PullState, Standing,
        Target, membership, older_bumps, read_version, standing,
    },
    propagate::{RunError, Seed},
    repo::{RepoName, Selection},
    report::{render_table, summary_line, tally},
    sanitize,
    version::RuntimeVersion,
};

/// Where one consumer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftStatus {
    /// On the runtime's version.
    Current,
    /// Behind, and a bump PR is open.
    BehindPrOpen,
    /// Behind, and no bump PR is open: the cascade missed it, or it was declined.
    BehindNoPr,
    /// Newer than the runtime's version.
    Ahead,
    /// No version file, not an `X.Y.Z` version, or unreadable.
    Unknown,
    /// Not a target (archived), as propagate skips it; the detail says why.
    Skipped,
}

impl std::fmt::Display for DriftStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DriftStatus {
    /// Statuses that make `drift` exit 1.
    pub fn needs_attention(self) -> bool {
        matches!(self, DriftStatus::BehindNoPr | DriftStatus::Unknown)
    }

    /// The name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DriftStatus::Current => "current",
            DriftStatus::BehindPrOpen => "behind-pr-open",
            DriftStatus::BehindNoPr => "behind-no-pr",
            DriftStatus::Ahead => "ahead",
            DriftStatus::Unknown => "unknown",
            DriftStatus::Skipped => "skipped",
        }
    }
}

/// One consumer's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DriftRow {
    /// `owner/repo`.
    pub repo: String,
    /// Where it stands.
    pub status: DriftStatus,
    /// The version on its default branch, when readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// The open bump PR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pr: Option<PullRef>,
    /// Why, for `unknown`; a note otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The whole fleet.
#[derive(Clone, Debug, Serialize)]
pub struct DriftReport {
    /// The runtime's version.
    pub version: String,
    /// The Gitea the run talked to: its base URL, as in the config.
    pub gitea_url: String,
    /// When the run started: RFC 3339, UTC, milliseconds (`2026-09-01T02:00:00.000Z`).
    pub started_at: String,
    /// How long the run took, from its first request to its last row, in milliseconds.
    pub duration_ms: u64,
    /// Every consumer once, sorted by repository.
    pub consumers: Vec<DriftRow>,
    /// How many consumers have each status.
    pub summary: BTreeMap<DriftStatus, usize>,
    /// HTTP requests sent.
    pub api_calls: u64,
}

impl DriftReport {
    /// 1 when any consumer is behind without a PR or unknown, 0 otherwise.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.consumers.iter().any(|c| c.status.needs_attention()))
    }

    /// The human-readable table and summary line.
    pub fn table(&self) -> String {
        let rows: Vec<[String; 4]> = self
            .consumers
            .iter()
            .map(|row| {
                let status = match (row.status, &row.pr) {
                    (DriftStatus::BehindPrOpen, Some(pr)) => {
                        format!("behind (PR #{} open)", pr.number)
                    }
                    (DriftStatus::BehindNoPr, _) => "behind (no PR)".to_owned(),
                    (DriftStatus::Skipped, _) => {
                        let why = row.detail.as_deref().unwrap_or("not a target");
                        format!("skipped ({why})")
                    }
                    (status, _) => status.as_str().to_owned(),
                };
                let detail = match row.status {
                    DriftStatus::Skipped => String::new(),
                    _ => row.detail.clone().unwrap_or_default(),
                };
                [
                    row.repo.clone(),
                    row.current.clone().unwrap_or_else(|| "-".to_owned()),
                    status,
                    detail,
                ]
            })
            .collect();
        let mut out = render_table(["REPOSITORY", "VERSION", "STATUS", "DETAIL"], &rows);
        out.push_str(&summary_line(
            &format!("against {}", self.version),
            &self.summary,
            self.api_calls,
        ));
        out
    }
}

/// Reports every consumer's drift against `version`.
///
/// # Errors
///
/// A [`RunError`] when the consumers cannot be resolved.
pub async fn run(
    client: &Client,
    config: &Config,
    version: &RuntimeVersion,
    selection: &Selection,
    jobs: usize,
) -> Result<DriftReport, RunError> {
    let exclude: Vec<RepoName> = config.runtime_repo.iter().cloned().collect();
    let seeds = crate::propagate::resolve_consumers(
        client,
        &config.consumers,
        selection,
        &exclude,
        &mut |_| {},
    )
    .await?;
    let shared = Arc::new((client.clone(), config.clone(), version.clone()));
    let items = seeds
        .into_iter()
        .map(|seed| (seed.name.to_string(), seed))
        .collect();
    let mut rows = Vec::new();
    fanout::run_bounded(
        items,
        jobs,
        |seed| {
            let shared = Arc::clone(&shared);
            async move {
                let (client, config, version) = &*shared;
                check(client, config, version, seed).await
            }
        },
        |repo| {
            Some(unknown(
                repo,
                "internal error (a bug: please report it)".to_owned(),
            ))
        },
        &mut |row: Option<DriftRow>| rows.extend(row.map(|row| sanitize::drift_row(row, client))),
    )
    .await;
    rows.sort_by(|a, b| a.repo.cmp(&b.repo));
    let summary = tally(rows.iter().map(|row| row.status));
    Ok(DriftReport {
        version: version.to_string(),
        gitea_url: config.gitea_url.clone(),
        started_at: String::new(),
        duration_ms: 0,
        consumers: rows,
        summary,
        api_calls: client.api_calls(),
    })
}

async fn check(
    client: &Client,
    config: &Config,
    version: &RuntimeVersion,
    seed: Seed,
) -> Option<DriftRow> {
    let repo = seed.name.to_string();
    let discovered = seed.repository.is_some();
    let (owner, name) = (&seed.name.owner, &seed.name.name);
    let repository = match seed.repository {
        Some(repository) => *repository,
        None => match client.get_repo(owner, name).await {
            Ok(repository) => repository,
            Err(err) => return Some(unknown(repo, err.to_string())),
        },
    };
    if let Some(why) = crate::propagate::foreign_owner(owner, &repository) {
        return Some(unknown(repo, why));
    }
    let branch = &repository.default_branch;
    let file = if repository.empty {
        None
    } else {
        match client
            .get_contents(owner, name, &config.version_file, Some(branch))
            .await
        {
            Ok(file) => Some(file),
            Err(err) if err.is_not_found() => None,
            Err(err) => return Some(unknown(repo, err.to_string())),
        }
    };
    let obs = Observation {
        repo: seed.name.clone(),
        listing: if discovered {
            Listing::Discovered
        } else {
            Listing::Named
        },
        default_branch: branch.clone(),
        archived: repository.archived,
        empty: repository.empty,
        version_file: file.map(|file| ObservedFile {
            sha: file.sha,
            bytes: file.bytes,
        }),
        requirements: None,
        included: Vec::new(),
        bump_pull: None,
        bump_branch: None,
    };
    let bytes = match (membership(&obs, &config.version_file), &obs.version_file) {
        (Membership::Consumer, Some(file)) => &file.bytes,
        (Membership::NotAConsumer, _) => return None,
        (Membership::Unreadable(why), _) => return Some(unknown(repo, why)),
        (Membership::Consumer, None) => return Some(unknown(repo, "no version file".to_owned())),
        (Membership::Archived, file) => {
            let current = file
                .as_ref()
                .and_then(|f| read_version(&f.bytes, &config.version_file).ok());
            return Some(DriftRow {
                repo,
                status: DriftStatus::Skipped,
                current: current.map(|v| v.to_string()),
                pr: None,
                detail: Some("archived".to_owned()),
            });
        }
    };
    let current = match read_version(bytes, &config.version_file) {
        Ok(current) => current,
        Err(reason) => return Some(unknown(repo, reason)),
    };
    let row = |status, pr, detail| DriftRow {
        repo: repo.clone(),
        status,
        current: Some(current.to_string()),
        pr,
        detail,
    };
    match standing(&current, version) {
        Standing::Behind => {}
        Standing::Current => return Some(row(DriftStatus::Current, None, None)),
        Standing::Ahead => return Some(row(DriftStatus::Ahead, None, None)),
    }
    let bump_branch = version.bump_branch();
    let open = match open_pulls(client, &seed.name).await {
        Ok(open) => open,
        Err(err) => {
            let why = format!("behind, but the PR look-up failed: {err}");
            return Some(row(DriftStatus::Unknown, None, Some(why)));
        }
    };
    let older = older_note(config, version, &open, branch);
    let current = open
        .iter()
        .find(|pull| pull.same_repo && pull.base == *branch && pull.head == bump_branch);
    if let Some(pull) = current {
        return Some(row(DriftStatus::BehindPrOpen, Some(pull.pr.clone()), older));
    }
    // No open bump PR: one more look-up tells a closed (declined) one from none.
    match pull::find(client, owner, name, branch, &bump_branch).await {
        Ok(Some(pr)) if pr.state == PullState::Open => {
            Some(row(DriftStatus::BehindPrOpen, Some(pr), older))
        }
        Ok(Some(pr)) => {
            let why = format!("bump PR #{} is closed", pr.number);
            let why = [Some(why), older].into_iter().flatten().collect::<Vec<_>>();
            Some(row(DriftStatus::BehindNoPr, None, Some(why.join("; "))))
        }
        Ok(None) => Some(row(DriftStatus::BehindNoPr, None, older)),
        Err(err) => Some(row(
            DriftStatus::Unknown,
            None,
            Some(format!("behind, but the PR look-up failed: {err}")),
        )),
    }
}

/// The consumer's open PRs (one call per page).
async fn open_pulls(client: &Client, repo: &RepoName) -> Result<Vec<OpenPull>, gitea_api::Error> {
    client
        .list_pulls(&repo.owner, &repo.name, PullStateFilter::Open)
        .map_ok(|pr| pull::open_pull(&pr))
        .try_collect()
        .await
}

/// The open bump PRs of releases older than `version`, which propagate supersedes (or, with
/// `supersede = false`, leaves beside the new one); `None` when there are none.
fn older_note(
    config: &Config,
    version: &RuntimeVersion,
    open: &[OpenPull],
    default_branch: &str,
) -> Option<String> {
    let target = Target {
        version: version.clone(),
        package: config.package.clone(),
        version_file: config.version_file.clone(),
        requirements_file: config.requirements_file.clone(),
    };
    let older = older_bumps(open, &target, default_branch);
    if older.is_empty() {
        return None;
    }
    let listed: Vec<String> = older
        .iter()
        .map(|o| format!("#{} ({})", o.pr.number, o.version))
        .collect();
    let what = if config.pull_request.supersede {
        "propagate supersedes it if it is still the bot's"
    } else {
        "superseding is off"
    };
    Some(format!(
        "older bump PR {} still open; {what}",
        listed.join(", ")
    ))
}

fn unknown(repo: String, detail: String) -> DriftRow {
    DriftRow {
        repo,
        status: DriftStatus::Unknown,
        current: None,
        pr: None,
        detail: Some(detail),
    }
}
