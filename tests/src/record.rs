//! The figures `docs/reliability.md` shows. The plans are constants of [`crate::soak`]; the
//! results are the constants below, which the suite's tests assert equal to what they measure
//! (every draw is seeded and the clock is tokio's paused one, so the figures replay exactly).
//! `tests/tests/it/reliability_doc.rs` regenerates the page's table from them.

use crate::soak::{self, FAULTS};

/// What the 300-consumer fault soak measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoakFigures {
    /// Runs from the top (at most [`soak::MAX_RUNS`]).
    pub runs: usize,
    /// `failed` rows per run.
    pub failed_per_run: [usize; soak::MAX_RUNS],
    /// Requests the fake saw per run, retries included.
    pub calls_per_run: [usize; soak::MAX_RUNS],
    /// Faults injected per [`FAULTS`] line, all runs together.
    pub faults_per_kind: [u64; FAULTS.len()],
    /// Consumers that needed a bump PR (including those seeded with one).
    pub needs_bump: usize,
    /// Of those, how many had no open bump PR after the last run.
    pub without_pr: usize,
    /// Bump PRs beyond one per consumer.
    pub duplicates: usize,
    /// Bump branches without any PR after the last run.
    pub orphans: usize,
}

/// The fault soak with the fault mix, [`soak::SEED`].
pub const SOAK: SoakFigures = SoakFigures {
    runs: 3,
    failed_per_run: [131, 128, 127],
    calls_per_run: [961, 937, 935],
    faults_per_kind: [66, 81, 69, 64, 7, 15, 70, 32, 1, 8],
    needs_bump: 165,
    without_pr: 22,
    duplicates: 0,
    orphans: 7,
};

/// The same soak with `[retry] reads = true` and `commit = true`, [`soak::SEED`].
pub const SOAK_RETRYING: SoakFigures = SoakFigures {
    runs: 2,
    failed_per_run: [1, 0, 0],
    calls_per_run: [1551, 1380, 0],
    faults_per_kind: [79, 78, 74, 65, 10, 14, 69, 40, 1, 10],
    needs_bump: 165,
    without_pr: 0,
    duplicates: 0,
    orphans: 0,
};

/// Other seeds of the soak with `[retry] reads` and `commit`, and the runs each took.
pub const OTHER_SEEDS: [(u64, usize); 3] = [(1, 3), (2, 2), (3, 3)];

/// The seed incident alone: 0 to 3 HTTP 503s in a row on each consumer's PR POST, one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedIncidentFigures {
    /// 503s injected.
    pub injected: u64,
    /// Requests of the run.
    pub calls: u64,
    /// `failed` rows.
    pub failed: usize,
}

/// The seed incident over the soak fleet.
pub const SEED_INCIDENT: SeedIncidentFigures = SeedIncidentFigures {
    injected: 230,
    calls: 1809,
    failed: 0,
};

/// A fleet-wide PR POST outage on 40 consumers, all in flight at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutageFigures {
    /// Consumers that reached the PR POST.
    pub pr_posts: usize,
    /// Requests without any retry.
    pub no_retry_calls: u64,
    /// Requests with the seed schedule and no budget.
    pub unlimited_calls: u64,
    /// Requests with a shared budget of ratio [`OUTAGE_BUDGET_RATIO_PERCENT`] and no reserve.
    pub budget_calls: u64,
}

/// The budget's ratio in the outage test, in percent.
pub const OUTAGE_BUDGET_RATIO_PERCENT: u32 = 20;

/// The PR POST outage.
pub const OUTAGE: OutageFigures = OutageFigures {
    pr_posts: 20,
    no_retry_calls: 166,
    unlimited_calls: 286,
    budget_calls: 174,
};

/// Kill points tried, each on a fresh 40-consumer fleet, and the requests of an unkilled run.
pub const KILL_POINTS: [usize; 8] = [99, 39, 7, 153, 24, 39, 73, 133];

/// Requests of an unkilled run of the kill fleet.
pub const KILL_FULL_RUN_CALLS: usize = 169;

/// One bad input of the matrix: where it is tested and what it must give.
#[derive(Clone, Copy, Debug)]
pub struct BadInput {
    /// The family, as in the issue.
    pub family: &'static str,
    /// The test file, relative to the workspace root.
    pub file: &'static str,
    /// The test function's name.
    pub test: &'static str,
    /// What the platform engineer gets.
    pub expect: &'static str,
}

const CLI: &str = "xtask/tests/it/cli.rs";
const LIB: &str = "tests/tests/it/bad_input.rs";

const fn bad(
    family: &'static str,
    file: &'static str,
    test: &'static str,
    expect: &'static str,
) -> BadInput {
    BadInput {
        family,
        file,
        test,
        expect,
    }
}

/// Every bad input tried.
pub const BAD_INPUTS: &[BadInput] = &[
    bad("version", CLI, "version_invalid", "exit 2, one line"),
    bad(
        "version",
        CLI,
        "version_with_a_v_prefix",
        "exit 2, one line",
    ),
    bad("version", CLI, "version_empty", "exit 2, one line"),
    bad(
        "config",
        CLI,
        "config_malformed_toml",
        "exit 2, one line with the byte offset",
    ),
    bad("config", CLI, "config_unknown_key", "exit 2, one line"),
    bad(
        "config",
        CLI,
        "config_missing_gitea_url",
        "exit 2, one line",
    ),
    bad(
        "config",
        CLI,
        "config_url_without_scheme",
        "exit 2, one line",
    ),
    bad(
        "config",
        CLI,
        "config_plain_http_to_a_non_loopback_host",
        "exit 2, one line",
    ),
    bad("token", CLI, "token_missing", "exit 2, one line"),
    bad(
        "token",
        CLI,
        "token_unknown_is_rejected_with_exit_2",
        "exit 2, one line (401)",
    ),
    bad(
        "token",
        LIB,
        "token_unknown_is_a_401_at_preflight",
        "setup error, nothing written",
    ),
    bad(
        "permissions",
        LIB,
        "token_read_only_fails_the_consumer_on_the_write_with_403",
        "`failed` (HTTP 403), exit 1, nothing written",
    ),
    bad(
        "state",
        LIB,
        "repo_archived_is_skipped_without_a_write",
        "`skipped`, exit 0",
    ),
    bad(
        "state",
        LIB,
        "repo_archived_after_it_was_read_fails_the_write_with_423",
        "`failed` (HTTP 423), exit 1",
    ),
    bad(
        "state",
        LIB,
        "repo_unknown_fails_that_consumer_with_404_and_not_the_others",
        "`failed` (HTTP 404), others go on",
    ),
    bad(
        "state",
        LIB,
        "org_unknown_is_a_setup_error",
        "setup error, exit 2",
    ),
    bad(
        "state",
        LIB,
        "repo_empty_is_skipped_without_a_write",
        "`skipped` (empty repository)",
    ),
    bad(
        "file",
        LIB,
        "runtime_version_not_utf8_fails_the_consumer",
        "`failed`, nothing written",
    ),
    bad(
        "file",
        LIB,
        "runtime_version_over_one_mib_fails_the_consumer",
        "`failed`, nothing written",
    ),
    bad(
        "file",
        LIB,
        "requirements_over_one_mib_fail_the_consumer",
        "`failed` (over the 1 MiB file-read cap), nothing written",
    ),
    bad(
        "file",
        LIB,
        "runtime_version_of_the_release_invalid_is_a_setup_error",
        "setup error, exit 2",
    ),
    bad(
        "file",
        LIB,
        "requirements_crlf_keeps_every_line_ending",
        "`created`, CRLF kept byte for byte",
    ),
    bad(
        "file",
        LIB,
        "requirements_without_a_pin_are_left_alone_and_said_so",
        "`created`, the line left alone, said so",
    ),
    bad(
        "file",
        LIB,
        "requirements_with_a_ge_specifier_are_left_alone_and_said_so",
        "`created`, `>=` left alone, said so",
    ),
    bad(
        "file",
        LIB,
        "requirements_with_another_name_normalisation_are_rewritten",
        "`created`, pin rewritten in place",
    ),
    bad(
        "reply",
        LIB,
        "reply_html_error_page_fails_the_consumer_naming_the_status",
        "`failed` (HTTP 502 non-JSON)",
    ),
    bad(
        "reply",
        LIB,
        "reply_truncated_body_fails_the_consumer_as_a_transport_error",
        "`failed` (transport error)",
    ),
    bad(
        "reply",
        LIB,
        "reply_200_with_invalid_json_fails_the_consumer_naming_the_endpoint",
        "`failed` (body could not be decoded)",
    ),
    bad(
        "reply",
        LIB,
        "reply_redirect_loop_fails_the_consumer_at_the_first_hop",
        "`failed` (redirect not followed, target origin named)",
    ),
    bad(
        "reply",
        LIB,
        "reply_absurd_total_count_is_not_trusted",
        "ignored; 2 requests",
    ),
];

/// The generated part of `docs/reliability.md`.
pub fn render() -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "### Fault soak: {} consumers, seed `{:#x}`\n\n",
        soak::CONSUMERS,
        soak::SEED
    ));
    out.push_str(
        "| fault | share of requests | where | injected (default) | injected (retrying) |\n|---|---|---|---|---|\n",
    );
    for ((f, n), m) in FAULTS
        .iter()
        .zip(SOAK.faults_per_kind)
        .zip(SOAK_RETRYING.faults_per_kind)
    {
        let scope = match f.scope {
            soak::Scope::Every => "every endpoint",
            soak::Scope::Writes => "the commit and the PR POST",
        };
        out.push_str(&format!(
            "| {} | {} | {scope} | {n} | {m} |\n",
            f.name,
            per_mille(f.per_mille)
        ));
    }
    let total = |f: &SoakFigures| f.faults_per_kind.iter().sum::<u64>();
    out.push_str(&format!(
        "| **all** | {} on every request, {} on writes | | **{}** | **{}** |\n\n",
        per_mille(soak::every_endpoint_per_mille()),
        per_mille(soak::every_endpoint_per_mille() + write_only_per_mille()),
        total(&SOAK),
        total(&SOAK_RETRYING),
    ));
    out.push_str(
        "| soak result | default config (reads and commit single-shot) | `[retry] reads = true`, `commit = true` |\n|---|---|---|\n",
    );
    let both = |out: &mut String, k: &str, f: &dyn Fn(&SoakFigures) -> String| {
        out.push_str(&format!("| {k} | {} | {} |\n", f(&SOAK), f(&SOAK_RETRYING)));
    };
    both(&mut out, "runs from the top (at most 3)", &|f| {
        f.runs.to_string()
    });
    both(&mut out, "`failed` rows per run", &|f| {
        join(&f.failed_per_run[..f.runs])
    });
    both(&mut out, "requests per run", &|f| {
        join(&f.calls_per_run[..f.runs])
    });
    both(
        &mut out,
        "consumers still without their PR after the last run",
        &|f| format!("{} of {}", f.without_pr, f.needs_bump),
    );
    both(&mut out, "duplicate PRs", &|f| f.duplicates.to_string());
    both(
        &mut out,
        "bump branches without a PR after the last run",
        &|f| f.orphans.to_string(),
    );
    let seeds: Vec<String> = OTHER_SEEDS
        .iter()
        .map(|(seed, runs)| format!("seed {seed}: {runs}"))
        .collect();
    out.push_str(&format!(
        "\nRuns to converge for other seeds with `[retry] reads` and `commit`: {}; no duplicate, no orphan.\n\n",
        seeds.join(", ")
    ));
    out.push_str("| other result | figure |\n|---|---|\n");
    let row = |out: &mut String, k: &str, v: String| out.push_str(&format!("| {k} | {v} |\n"));
    row(
        &mut out,
        "seed incident alone (0 to 3 503s per PR POST), one run",
        format!(
            "{} 503s injected, {} requests, {} `failed`, every PR opened once",
            SEED_INCIDENT.injected, SEED_INCIDENT.calls, SEED_INCIDENT.failed
        ),
    );
    row(
        &mut out,
        "PR POST outage, 40 consumers",
        format!(
            "{} PR POSTs; {} requests without retry, {} with the seed schedule, {} with a {} % budget",
            OUTAGE.pr_posts,
            OUTAGE.no_retry_calls,
            OUTAGE.unlimited_calls,
            OUTAGE.budget_calls,
            OUTAGE_BUDGET_RATIO_PERCENT
        ),
    );
    row(
        &mut out,
        "kills (request number of an unkilled run's total)",
        format!(
            "{} of {KILL_FULL_RUN_CALLS}: each re-run converged, 0 duplicates, 0 orphans",
            join(&KILL_POINTS)
        ),
    );
    out.push_str(&format!(
        "\n### Bad inputs: {} tried\n\n| family | test | gives |\n|---|---|---|\n",
        BAD_INPUTS.len()
    ));
    for b in BAD_INPUTS {
        out.push_str(&format!(
            "| {} | `{}` (`{}`) | {} |\n",
            b.family, b.test, b.file, b.expect
        ));
    }
    out
}

fn write_only_per_mille() -> u32 {
    FAULTS
        .iter()
        .filter(|f| f.scope == soak::Scope::Writes)
        .map(|f| f.per_mille)
        .sum()
}

fn join<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `25` -> `2.5 %`.
fn per_mille(n: u32) -> String {
    if n.is_multiple_of(10) {
        format!("{} %", n / 10)
    } else {
        format!("{}.{} %", n / 10, n % 10)
    }
}
