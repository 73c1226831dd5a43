//! The cascade's report: one row per consumer, a summary, the exit code.

use std::{collections::BTreeMap, fmt};

use serde::Serialize;

use crate::plan::PullRef;

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
        }
    }

    /// Outcomes that need a human and make the run exit 1.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            Outcome::Failed | Outcome::Conflict | Outcome::NeedsHuman
        )
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
}

impl Report {
    /// Builds the report; rows are sorted by repository whatever order the work finished in.
    ///
    /// `dry_run`, `gitea_url`, `started_at` and `duration_ms` are left empty; the run that
    /// produced the rows fills them in.
    pub fn new(version: String, mut consumers: Vec<ConsumerResult>, api_calls: u64) -> Report {
        consumers.sort_by(|a, b| a.repo.cmp(&b.repo));
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
        }
    }

    /// 0 when no consumer needs attention, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        let attention = self.consumers.iter().any(|c| c.outcome.needs_attention());
        u8::from(attention)
    }

    /// The human-readable table and summary line.
    pub fn table(&self) -> String {
        let rows: Vec<[String; 3]> = self
            .consumers
            .iter()
            .map(|c| {
                let mut last = c.pr.as_ref().map(|pr| pr.url.clone()).unwrap_or_default();
                if let Some(detail) = &c.detail {
                    if !last.is_empty() {
                        last.push_str("  ");
                    }
                    last.push_str(detail);
                }
                [c.repo.clone(), c.outcome.to_string(), last]
            })
            .collect();
        let mut out = render_table(["REPOSITORY", "OUTCOME", "PR / DETAIL"], &rows);
        out.push_str(&summary_line(
            &format!("for {}", self.version),
            &self.summary,
            self.api_calls,
        ));
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
        ConsumerResult {
            repo: repo.to_owned(),
            outcome,
            old_version: None,
            pr: None,
            detail: None,
        }
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
                    {"repo": "o/a", "outcome": "created", "old_version": "1.4.2", "pr": {"number": 3, "url": "http://g/o/a/pulls/3"}},
                    {"repo": "o/b", "outcome": "up-to-date"}
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
}
