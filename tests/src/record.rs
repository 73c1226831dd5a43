//! The figures `docs/reliability.md` shows. The plans are constants of [`crate::soak`]; the
//! results are the constants below, which the suite's tests assert equal to what they measure
//! (every draw is seeded and the clock is tokio's paused one, so the figures replay exactly).
//! `tests/tests/it/reliability_doc.rs` regenerates the page's table from them.

use crate::soak::{self, FAULTS};

/// What one soak run (one invocation, one plan, one seed) measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoakFigures {
    /// The fault plan's seed.
    pub seed: u64,
    /// Rows by the pass they settled on: `by_pass[0]` on the first, ... (at most
    /// `cascade::config::DEFAULT_PASSES` passes).
    pub by_pass: [usize; PASSES],
    /// `failed` rows in the report.
    pub failed: usize,
    /// Requests the fake saw, retries and re-runs included.
    pub calls: usize,
    /// Faults injected per [`FAULTS`] line.
    pub faults_per_kind: [u64; FAULTS.len()],
    /// Consumers that needed a bump PR (including those seeded with one).
    pub needs_bump: usize,
    /// Of those, how many had no open bump PR after the run.
    pub without_pr: usize,
    /// Bump PRs beyond one per consumer.
    pub duplicates: usize,
    /// Bump branches without any PR after the run.
    pub orphans: usize,
}

/// The passes of the default config.
pub const PASSES: usize = 6;

/// [`soak::DEFAULT_AT_5`], one invocation per seed of [`soak::SEEDS`].
pub const SOAK_DEFAULT_AT_5: [SoakFigures; 3] = [
    settled(
        0x5eed_2026_1127,
        [241, 45, 10, 3, 0, 1],
        1721,
        [11, 11, 10, 7, 6, 4, 22, 15, 1, 2, 1, 1],
    ),
    settled(
        1,
        [253, 35, 6, 3, 3, 0],
        1667,
        [10, 7, 13, 6, 10, 2, 14, 15, 2, 0, 0, 0],
    ),
    settled(
        2,
        [253, 35, 10, 2, 0, 0],
        1672,
        [8, 5, 5, 8, 6, 7, 14, 17, 3, 2, 1, 2],
    ),
];

/// [`soak::FLAKY_AT_25`], one invocation per seed of [`soak::SEEDS`].
pub const SOAK_FLAKY_AT_25: [SoakFigures; 3] = [
    settled(
        0x5eed_2026_1127,
        [292, 8, 0, 0, 0, 0],
        2090,
        [51, 53, 54, 45, 61, 33, 105, 114, 24, 7, 3, 4],
    ),
    settled(
        1,
        [292, 8, 0, 0, 0, 0],
        2082,
        [55, 67, 51, 50, 61, 33, 96, 106, 23, 5, 9, 3],
    ),
    settled(
        2,
        [298, 2, 0, 0, 0, 0],
        2037,
        [55, 54, 36, 53, 48, 20, 105, 93, 24, 8, 6, 5],
    ),
];

/// A run in which every consumer settled: no `failed` row, every PR there once, no orphan.
const fn settled(
    seed: u64,
    by_pass: [usize; PASSES],
    calls: usize,
    faults_per_kind: [u64; FAULTS.len()],
) -> SoakFigures {
    SoakFigures {
        seed,
        by_pass,
        failed: 0,
        calls,
        faults_per_kind,
        needs_bump: 165,
        without_pr: 0,
        duplicates: 0,
        orphans: 0,
    }
}

/// The figures of a plan.
pub fn soak_figures(plan: &soak::Plan) -> &'static [SoakFigures; 3] {
    if plan.flaky_settings {
        &SOAK_FLAKY_AT_25
    } else {
        &SOAK_DEFAULT_AT_5
    }
}

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
    calls: 1976,
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
    no_retry_calls: 170,
    unlimited_calls: 290,
    budget_calls: 178,
};

/// Gitea killed mid-run (its listener and connections dropped) under a run of `consumers`
/// consumers, `jobs` at a time, after `kill_at` requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KilledFigures {
    /// The request after which Gitea died.
    pub kill_at: usize,
    /// Consumers of the run.
    pub consumers: usize,
    /// Consumers in flight at once.
    pub jobs: usize,
    /// Consumer passes started after Gitea died, before the breaker stopped the run.
    pub attempted_after: usize,
    /// Consumers with a row other than `not-attempted` or `interrupted`.
    pub done: usize,
    /// `not-attempted` rows.
    pub not_attempted: usize,
}

/// The kill mid-run of `tests/tests/it/stops.rs`.
pub const KILLED: KilledFigures = KilledFigures {
    kill_at: 200,
    consumers: 120,
    jobs: 8,
    attempted_after: 11,
    done: 56,
    not_attempted: 64,
};

/// Kill points tried, each on a fresh 40-consumer fleet, and the requests of an unkilled run.
pub const KILL_POINTS: [usize; 8] = [97, 63, 52, 122, 132, 115, 112, 143];

/// Requests of an unkilled run of the kill fleet.
pub const KILL_FULL_RUN_CALLS: usize = 193;

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
const FLAGS: &str = "xtask/tests/it/flags.rs";

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
        "flags",
        FLAGS,
        "deadline_without_a_unit_is_refused_saying_how_to_write_it",
        "exit 2, says how to write a duration",
    ),
    bad(
        "flags",
        FLAGS,
        "max_rps_too_low_for_the_jobs_is_refused_before_any_request",
        "exit 2, names the most jobs the rate allows",
    ),
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
        "token_without_write_scope_stops_the_run_in_one_line_before_any_write",
        "setup error naming `write:repository`, exit 2, nothing written",
    ),
    bad(
        "permissions",
        CLI,
        "a_token_missing_a_scope_stops_with_exit_2_in_one_line_naming_it",
        "exit 2, one line naming `read:issue`, nothing written (real run and dry run)",
    ),
    bad(
        "permissions",
        LIB,
        "token_read_only_stops_the_run_at_the_first_403_naming_a_missing_scope",
        "Gitea < 1.24 (no write-scope check): the run stops, in-flight consumers `failed` (HTTP 403), the rest `not-attempted`, exit 2, nothing written",
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
        "ignored; page 1 only",
    ),
    bad(
        "reply",
        LIB,
        "reply_org_listing_repositories_owned_elsewhere_skips_them_unread",
        "ignored with a warning, never read",
    ),
    bad(
        "reply",
        LIB,
        "reply_a_listed_repository_now_owned_elsewhere_is_skipped_and_not_touched",
        "`skipped`, nothing else read",
    ),
    bad(
        "reply",
        LIB,
        "reply_hostile_text_is_escaped_and_the_token_redacted_in_table_json_and_logs",
        "`skipped`; ANSI and bidi escaped, the echoed token `***`",
    ),
];

/// The generated part of `docs/reliability.md`.
pub fn render() -> String {
    let mut out = String::new();
    let seeds: Vec<String> = soak::SEEDS.iter().map(|s| format!("`{s:#x}`")).collect();
    out.push_str(&format!(
        "### Fault soak: {} consumers, one invocation per plan and seed (seeds {})\n\n",
        soak::CONSUMERS,
        seeds.join(", ")
    ));
    out.push_str("| fault | where |");
    for plan in soak::PLANS {
        out.push_str(&format!(" {}: share, injected |", plan.name));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(soak::PLANS.len()));
    out.push('\n');
    let injected = |plan: &soak::Plan, i: usize| -> u64 {
        soak_figures(plan)
            .iter()
            .map(|f| f.faults_per_kind[i])
            .sum()
    };
    for (i, f) in FAULTS.iter().enumerate() {
        let scope = match f.scope {
            soak::Scope::Every => "every request",
            soak::Scope::Writes => "writes no other fault hit",
        };
        out.push_str(&format!("| {} | {scope} |", f.name));
        for plan in &soak::PLANS {
            out.push_str(&format!(
                " {}, {} |",
                basis_points(f.basis_points(plan.level)),
                injected(plan, i)
            ));
        }
        out.push('\n');
    }
    out.push_str("| **all** | |");
    for plan in &soak::PLANS {
        let total: u64 = (0..FAULTS.len()).map(|i| injected(plan, i)).sum();
        out.push_str(&format!(
            " {} of every request, {} more of writes, **{total}** |",
            basis_points(plan.level.every_bp),
            basis_points(plan.level.writes_extra_bp)
        ));
    }
    out.push_str("\n\n");
    out.push_str(
        "| plan | seed | rows settled on pass 1, 2, 3, ... | `failed` rows | requests | consumers without their PR | duplicate PRs | bump branches without a PR |\n|---|---|---|---|---|---|---|---|\n",
    );
    for plan in &soak::PLANS {
        for f in soak_figures(plan) {
            let last = f.by_pass.iter().rposition(|n| *n > 0).map_or(1, |i| i + 1);
            out.push_str(&format!(
                "| {} | `{:#x}` | {} | {} | {} | {} of {} | {} | {} |\n",
                plan.name,
                f.seed,
                join(&f.by_pass[..last]),
                f.failed,
                f.calls,
                f.without_pr,
                f.needs_bump,
                f.duplicates,
                f.orphans
            ));
        }
    }
    out.push_str("\n| other result | figure |\n|---|---|\n");
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
    row(
        &mut out,
        "Gitea killed mid-run (the circuit breaker)",
        format!(
            "{} consumers, --jobs {}, killed after request {}: {} consumer passes started after it, {} done, {} `not-attempted`; one line, exit code 3; the re-run converged, 0 duplicates, 0 orphans",
            KILLED.consumers,
            KILLED.jobs,
            KILLED.kill_at,
            KILLED.attempted_after,
            KILLED.done,
            KILLED.not_attempted
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

fn join<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `25` -> `0.25 %`, `500` -> `5 %`.
fn basis_points(n: u32) -> String {
    let whole = n / 100;
    match n % 100 {
        0 => format!("{whole} %"),
        frac if frac % 10 == 0 => format!("{whole}.{} %", frac / 10),
        frac => format!("{whole}.{frac:02} %"),
    }
}
