//! The cascade's report: one row per consumer, a summary, the exit code.

use std::{collections::BTreeMap, fmt};

use serde::Serialize;

use crate::plan::{PullRef, Superseded};

/// Where one consumer ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The default branch already has the version.
    UpToDate,
    /// An open bump PR already existed.
    Proposed,
    /// A bump PR was closed without merging; not reopened.
    Declined,
    /// This run wrote the bump commit and opened the PR.
    Created,
    /// This run opened the PR for a bump branch left without one.
    Adopted,
    /// The bump branch has changes that are not ours.
    Conflict,
    /// Not a target (archived, empty, no version file, ahead).
    Skipped,
    /// Something went wrong; the detail says what.
    Failed,
    /// Bumping would half-bump the consumer (a hashed pin, a specifier that excludes the new
    /// version...): nothing was written; the detail says what a human should change.
    NeedsHuman,
    /// Dry run: would write the bump and open the PR.
    WouldCreate,
    /// Dry run: would open the PR for the existing branch.
    WouldAdopt,
    /// The run stopped (circuit breaker, deadline, interrupt, a token problem) before this
    /// consumer was started; a re-run continues with it.
    NotAttempted,
    /// The run stopped while this consumer was in flight: it stopped before its commit, or was cut
    /// off after the grace period; the detail says which, and a re-run continues with it.
    Interrupted,
}

impl Outcome {
    /// The name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::UpToDate => "up-to-date",
            Outcome::Proposed => "proposed",
            Outcome::Declined => "declined",
            Outcome::Created => "created",
            Outcome::Adopted => "adopted",
            Outcome::Conflict => "conflict",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
            Outcome::NeedsHuman => "needs-human",
            Outcome::WouldCreate => "would-create",
            Outcome::WouldAdopt => "would-adopt",
            Outcome::NotAttempted => "not-attempted",
            Outcome::Interrupted => "interrupted",
        }
    }

    /// Outcomes that make the run exit non-zero: a human must look (`failed`, `conflict`), or a
    /// re-run must continue (`not-attempted`, `interrupted`).
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            Outcome::Failed
                | Outcome::Conflict
                | Outcome::NeedsHuman
                | Outcome::NotAttempted
                | Outcome::Interrupted
        )
    }

    /// Whether the consumer was dealt with in this run: every outcome but `not-attempted` and
    /// `interrupted`.
    pub fn is_done(self) -> bool {
        !matches!(self, Outcome::NotAttempted | Outcome::Interrupted)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One consumer's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsumerResult {
    /// `owner/repo`.
    pub repo: String,
    /// Where it ended.
    pub outcome: Outcome,
    /// The version on its default branch when the run read it (absent when it could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_version: Option<String>,
    /// The bump PR, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pr: Option<PullRef>,
    /// A one-line reason or note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The pass this row comes from: 1 when the consumer's first run from the top settled it, 2
    /// when one re-run was needed, and so on; 0 when it was not attempted.
    pub pass: u32,
    /// What failed on the passes before, oldest first, one line each (`pass 1: …`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
    /// The open bump PRs of older releases this consumer's bump PR superseded, or left open
    /// and why (`[pull_request] supersede`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub superseded: Vec<Superseded>,
}

impl ConsumerResult {
    /// A row of the first pass, without PR, detail or earlier failures.
    pub fn new(repo: String, outcome: Outcome) -> ConsumerResult {
        ConsumerResult {
            repo,
            outcome,
            old_version: None,
            pr: None,
            detail: None,
            pass: 1,
            failures: Vec::new(),
            superseded: Vec::new(),
        }
    }

    /// The row with this detail.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> ConsumerResult {
        self.detail = Some(detail.into());
        self
    }

    /// The PR / DETAIL cell of the table: the PR's URL, the detail, and for a consumer that
    /// needed more than one pass, which pass and what failed before.
    fn last_cell(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.pr.as_ref().map(|pr| pr.url.clone()));
        parts.extend(self.detail.clone());
        if self.pass > 1 {
            let before = self
                .failures
                .iter()
                .map(|f| f.split_once(": ").map_or(f.as_str(), |(_, why)| why))
                .collect::<Vec<_>>()
                .join("; ");
            parts.push(format!("[pass {}, after: {before}]", self.pass));
        }
        parts.join("  ")
    }
}

/// Why a run stopped before every consumer was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StopReason {
    /// Gitea kept failing: the circuit breaker tripped.
    CircuitBreaker,
    /// `--deadline` passed.
    Deadline,
    /// The operator sent SIGINT or SIGTERM.
    Interrupted,
    /// Gitea rejected the token (401) mid-run.
    Unauthorized,
    /// Gitea answered 403 naming a scope the token lacks.
    MissingScope,
}

/// How and why a run stopped early.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stopped {
    /// Why.
    pub reason: StopReason,
    /// What happened, on one line.
    pub cause: String,
}

/// The whole run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The version propagated.
    pub version: String,
    /// Whether this was a dry run, which writes nothing.
    pub dry_run: bool,
    /// The Gitea the run talked to: its base URL, as in the config.
    pub gitea_url: String,
    /// When the run started: RFC 3339, UTC, milliseconds (`2026-09-01T02:00:00.000Z`).
    pub started_at: String,
    /// How long the run took, from its first request to its last row, in milliseconds.
    pub duration_ms: u64,
    /// Every consumer exactly once, sorted by repository.
    pub consumers: Vec<ConsumerResult>,
    /// How many consumers ended in each outcome.
    pub summary: BTreeMap<Outcome, usize>,
    /// HTTP requests sent, retries included.
    pub api_calls: u64,
    /// Why the run stopped before every consumer was done, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stopped>,
}

impl Report {
    /// Builds the report; rows are sorted by repository whatever order the work finished in.
    ///
    /// `dry_run`, `gitea_url`, `started_at` and `duration_ms` are left empty; the run that
    /// produced the rows fills them in.
    pub fn new(version: String, mut consumers: Vec<ConsumerResult>, api_calls: u64) -> Report {
        // Unstable, so in place: each repository has one row, and a stable sort would allocate
        // a scratch copy of up to half the rows at the run's peak.
        consumers.sort_unstable_by(|a, b| a.repo.cmp(&b.repo));
        let summary = tally(consumers.iter().map(|c| c.outcome));
        Report {
            version,
            dry_run: false,
            gitea_url: String::new(),
            started_at: String::new(),
            duration_ms: 0,
            consumers,
            summary,
            api_calls,
            stopped: None,
        }
    }

    /// The exit code: 130 when interrupted, 2 when the token turned out unusable mid-run, 3 when
    /// the circuit breaker or the deadline stopped the run; otherwise 1 when a consumer needs
    /// attention and 0 when none does.
    pub fn exit_code(&self) -> u8 {
        match self.stopped.as_ref().map(|s| s.reason) {
            Some(StopReason::Interrupted) => 130,
            Some(StopReason::Unauthorized | StopReason::MissingScope) => 2,
            Some(StopReason::CircuitBreaker | StopReason::Deadline) => 3,
            None => u8::from(self.consumers.iter().any(|c| c.outcome.needs_attention())),
        }
    }

    /// For a run that stopped early, the one line that ends its output: what happened, how many
    /// consumers were done, that nothing is half-written, and "re-run to continue".
    pub fn stop_line(&self) -> Option<String> {
        let stopped = self.stopped.as_ref()?;
        let total = self.consumers.len();
        let done = self
            .consumers
            .iter()
            .filter(|c| c.outcome.is_done())
            .count();
        let count = |outcome| self.summary.get(&outcome).copied().unwrap_or(0);
        let mut left = vec![format!("{} not attempted", count(Outcome::NotAttempted))];
        if count(Outcome::Interrupted) > 0 {
            left.push(format!("{} interrupted", count(Outcome::Interrupted)));
        }
        let tally = format!("{done} of {total} consumer(s) done, {}", left.join(", "));
        let safe = "nothing is half-written";
        Some(match stopped.reason {
            StopReason::Interrupted => format!(
                "interrupted: re-run to continue ({}; {tally}; {safe})",
                stopped.cause
            ),
            _ => format!(
                "stopped: {}; {tally}; {safe}; re-run to continue",
                stopped.cause
            ),
        })
    }

    /// The human-readable table and summary line.
    pub fn table(&self) -> String {
        let rows: Vec<[String; 3]> = self
            .consumers
            .iter()
            .map(|c| [c.repo.clone(), c.outcome.to_string(), c.last_cell()])
            .collect();
        let mut out = render_table(["REPOSITORY", "OUTCOME", "PR / DETAIL"], &rows);
        out.push_str(&summary_line(
            &format!("for {}", self.version),
            &self.summary,
            self.api_calls,
        ));
        if let Some(line) = self.stop_line() {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

/// How many times each key occurs.
pub(crate) fn tally<K: Ord>(keys: impl Iterator<Item = K>) -> BTreeMap<K, usize> {
    let mut counts = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// The line under a table: `N consumer(s) <what>: 2 created, 1 failed; 7 API call(s)`.
pub(crate) fn summary_line<K: fmt::Display>(
    what: &str,
    counts: &BTreeMap<K, usize>,
    api_calls: u64,
) -> String {
    let total: usize = counts.values().sum();
    let parts = counts
        .iter()
        .map(|(key, n)| format!("{n} {key}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("\n{total} consumer(s) {what}: {parts}; {api_calls} API call(s)\n")
}

/// Renders left-aligned columns separated by two spaces; the last column is not padded.
pub fn render_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut push_row = |cells: Vec<&str>| {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    push_row(header.to_vec());
    for row in rows {
        push_row(row.iter().map(String::as_str).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PullState;

    fn row(repo: &str, outcome: Outcome) -> ConsumerResult {
        ConsumerResult::new(repo.to_owned(), outcome)
    }

    #[test]
    fn rows_are_sorted_and_summary_counts_every_consumer_once() {
        let report = Report::new(
            "1.5.0".to_owned(),
            vec![
                row("o/zeta", Outcome::Created),
                row("o/alpha", Outcome::UpToDate),
                row("o/mid", Outcome::Created),
            ],
            9,
        );
        let repos: Vec<_> = report.consumers.iter().map(|c| c.repo.as_str()).collect();
        assert_eq!(repos, ["o/alpha", "o/mid", "o/zeta"]);
        assert_eq!(report.summary[&Outcome::Created], 2);
        assert_eq!(report.summary.values().sum::<usize>(), 3);
        assert_eq!(report.exit_code(), 0);
    }

    #[test]
    fn failed_conflict_and_needs_human_make_exit_code_one() {
        for outcome in [Outcome::Failed, Outcome::Conflict, Outcome::NeedsHuman] {
            let report = Report::new("1.5.0".to_owned(), vec![row("o/a", outcome)], 1);
            assert_eq!(report.exit_code(), 1);
        }
    }

    #[test]
    fn json_has_the_documented_shape() {
        let mut created = row("o/a", Outcome::Created);
        created.old_version = Some("1.4.2".to_owned());
        created.pr = Some(PullRef {
            number: 3,
            url: "http://g/o/a/pulls/3".to_owned(),
            state: PullState::Open,
        });
        let mut report = Report::new(
            "1.5.0".to_owned(),
            vec![created, row("o/b", Outcome::UpToDate)],
            7,
        );
        report.gitea_url = "https://g".to_owned();
        report.started_at = "2026-09-01T02:00:00.000Z".to_owned();
        report.duration_ms = 1234;
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "version": "1.5.0",
                "dry_run": false,
                "gitea_url": "https://g",
                "started_at": "2026-09-01T02:00:00.000Z",
                "duration_ms": 1234,
                "consumers": [
                    {"repo": "o/a", "outcome": "created", "old_version": "1.4.2", "pr": {"number": 3, "url": "http://g/o/a/pulls/3"}, "pass": 1},
                    {"repo": "o/b", "outcome": "up-to-date", "pass": 1}
                ],
                "summary": {"up-to-date": 1, "created": 1},
                "api_calls": 7
            })
        );
    }

    #[test]
    fn table_aligns_columns_and_ends_with_a_summary() {
        let report = Report::new("1.5.0".to_owned(), vec![row("o/a", Outcome::Skipped)], 2);
        let table = report.table();
        assert!(
            table.starts_with("REPOSITORY  OUTCOME  PR / DETAIL\no/a         skipped\n"),
            "{table}"
        );
        assert!(table.contains("1 consumer(s) for 1.5.0: 1 skipped; 2 API call(s)"));
    }

    #[test]
    fn a_consumer_settled_on_a_later_pass_says_which_and_what_failed_before() {
        let mut created = row("o/a", Outcome::Created);
        created.pass = 3;
        created.failures = vec![
            "pass 1: GET /repos/{owner}/{repo}: HTTP 503: busy".to_owned(),
            "pass 2: POST /repos/{owner}/{repo}/contents: transport error (Reset)".to_owned(),
        ];
        let report = Report::new("1.5.0".to_owned(), vec![created], 9);
        let table = report.table();
        assert!(
            table.contains(
                "created  [pass 3, after: GET /repos/{owner}/{repo}: HTTP 503: busy; POST /repos/{owner}/{repo}/contents: transport error (Reset)]"
            ),
            "{table}"
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["consumers"][0]["pass"], 3);
        assert_eq!(
            json["consumers"][0]["failures"].as_array().unwrap().len(),
            2
        );
    }

    fn stopped(reason: StopReason, cause: &str) -> Report {
        let mut not_attempted = row("o/c", Outcome::NotAttempted);
        not_attempted.pass = 0;
        let mut report = Report::new(
            "1.5.0".to_owned(),
            vec![
                row("o/a", Outcome::Created),
                row("o/b", Outcome::Failed),
                not_attempted,
            ],
            5,
        );
        report.stopped = Some(Stopped {
            reason,
            cause: cause.to_owned(),
        });
        report
    }

    #[test]
    fn a_stopped_run_ends_with_one_line_and_its_own_exit_code() {
        let report = stopped(
            StopReason::CircuitBreaker,
            "Gitea failed 10 consumers in a row",
        );
        assert_eq!(report.exit_code(), 3);
        let line = report.stop_line().unwrap();
        assert_eq!(
            line,
            "stopped: Gitea failed 10 consumers in a row; 2 of 3 consumer(s) done, 1 not attempted; nothing is half-written; re-run to continue"
        );
        assert!(report.table().ends_with(&format!("{line}\n")));
        assert_eq!(stopped(StopReason::Deadline, "d").exit_code(), 3);
        assert_eq!(stopped(StopReason::Unauthorized, "u").exit_code(), 2);
        assert_eq!(stopped(StopReason::MissingScope, "m").exit_code(), 2);
        let interrupted = stopped(StopReason::Interrupted, "SIGINT");
        assert_eq!(interrupted.exit_code(), 130);
        assert!(
            interrupted
                .stop_line()
                .unwrap()
                .starts_with("interrupted: re-run to continue (SIGINT; 2 of 3")
        );
        let json = serde_json::to_value(&interrupted).unwrap();
        assert_eq!(
            json["stopped"],
            serde_json::json!({"reason": "interrupted", "cause": "SIGINT"})
        );
    }

    #[test]
    fn not_attempted_and_interrupted_rows_need_attention_and_are_not_done() {
        for outcome in [Outcome::NotAttempted, Outcome::Interrupted] {
            assert!(outcome.needs_attention() && !outcome.is_done());
            let report = Report::new("1.5.0".to_owned(), vec![row("o/a", outcome)], 1);
            assert_eq!(report.exit_code(), 1);
        }
        assert_eq!(Outcome::NotAttempted.as_str(), "not-attempted");
        assert!(
            Report::new("1.5.0".to_owned(), vec![], 0)
                .stop_line()
                .is_none()
        );
    }
}
