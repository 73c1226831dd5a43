//! The fault soak's harness: seed the fleet, run the cascade once (one invocation: its passes
//! re-run what failed transiently), and check what the fleet looks like afterwards.

#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, BTreeSet};

use cascade::{
    report::{Outcome, Report},
    run::{self, RunOptions},
};
use cascade_tests::{
    record::{self, SoakFigures},
    soak::{self, FAULTS, Plan},
};
use gitea_api::Token;
use gitea_fake::{LoggedRequest, Scope, fleet::ConsumerState};

use crate::common::{BRANCH, Fleet, NEW, OLD, bump_prs, count_open, fleet};

/// What one run from the top produced.
pub struct RunRecord {
    /// The report, or the setup error's one line (exit code 2, nothing written).
    pub result: Result<Report, String>,
    /// Every request the fake saw during the run.
    pub log: Vec<LoggedRequest>,
}

/// A finished soak.
pub struct Soak {
    pub fleet: Fleet,
    pub plan: Plan,
    pub seed: u64,
    pub runs: Vec<RunRecord>,
    /// Faults injected per `FAULTS` line.
    pub fired: [u64; FAULTS.len()],
}

/// The seeded state of one consumer, to compare with afterwards.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    main: Vec<(String, Option<Vec<u8>>)>,
    branches: Vec<(String, Option<String>)>,
    pulls: Vec<(i64, String, String)>,
}

const FILES: [&str; 3] = ["runtime-version", "requirements.txt", "README.md"];

/// The soak fleet for `plan`, with `token` accepted by the fake as a write token of the bot.
pub async fn soak_fleet(token: &str, plan: Plan) -> Fleet {
    let named = soak::fleet();
    let named: Vec<(&str, ConsumerState)> = named.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let mut fleet = fleet(&named).await;
    fleet
        .fake
        .store()
        .add_token(token, xtask::demo::DEMO_USER, Scope::Write);
    fleet.config.retry_reads = plan.flaky_settings;
    fleet.config.retry_commit = plan.flaky_settings;
    fleet
}

/// Runs the soak: one invocation of the cascade under `plan`'s faults drawn from `seed`.
pub async fn run_soak(fleet: Fleet, token: &str, plan: Plan, seed: u64) -> Soak {
    let before = snapshots(&fleet);
    for rule in soak::fault_rules(plan.level, seed) {
        fleet.fake.faults().add(rule);
    }
    fleet.fake.clear_requests();
    let client = run::connect(&fleet.config, Token::new(token.to_owned())).expect("client builds");
    let result = run::propagate_with(&client, &fleet.config, &RunOptions::default(), &mut |_| {})
        .await
        .map_err(|err| err.to_string());
    let runs = vec![RunRecord {
        result,
        log: fleet.fake.requests(),
    }];
    let fired = soak::fired_per_fault(&fleet.fake.faults().fired());
    fleet.fake.faults().clear();
    let soak = Soak {
        fleet,
        plan,
        seed,
        runs,
        fired,
    };
    soak.check_untouched(&before);
    soak
}

fn snapshots(fleet: &Fleet) -> BTreeMap<String, Snapshot> {
    fleet
        .seeded
        .iter()
        .map(|c| (c.full_name.clone(), snapshot(fleet, &c.full_name)))
        .collect()
}

fn snapshot(fleet: &Fleet, repo: &str) -> Snapshot {
    let (owner, name) = repo.split_once('/').unwrap();
    let store = fleet.fake.store();
    Snapshot {
        main: FILES
            .iter()
            .map(|f| ((*f).to_owned(), store.file(owner, name, "main", f)))
            .collect(),
        branches: store
            .branches(owner, name)
            .into_iter()
            .map(|b| {
                let head = store.branch_head(owner, name, &b);
                (b, head)
            })
            .collect(),
        pulls: store
            .pulls(owner, name)
            .into_iter()
            .map(|p| (p.number, p.head, format!("{:?}", p.state)))
            .collect(),
    }
}

/// Figures of a finished soak.
#[derive(Debug, Default)]
pub struct Figures {
    /// Rows by the pass they settled on.
    pub by_pass: Vec<usize>,
    pub failed: usize,
    pub calls: usize,
    pub faults: u64,
    pub duplicates: usize,
    pub orphans: usize,
    /// Consumers that needed a bump.
    pub bumped: usize,
    /// Of those, how many have no open bump PR yet.
    pub unconverged: usize,
}

impl Figures {
    /// The figures `cascade_tests::record` pins.
    pub fn pinned(&self, seed: u64, faults_per_kind: [u64; FAULTS.len()]) -> SoakFigures {
        let mut by_pass = [0; record::PASSES];
        for (pass, n) in self.by_pass.iter().enumerate() {
            by_pass[pass] = *n;
        }
        SoakFigures {
            seed,
            by_pass,
            failed: self.failed,
            calls: self.calls,
            faults_per_kind,
            needs_bump: self.bumped,
            without_pr: self.unconverged,
            duplicates: self.duplicates,
            orphans: self.orphans,
        }
    }

    /// Every consumer settled in the one invocation: no `failed` row, every consumer that
    /// needed a bump has its PR, and no bump branch lacks one.
    pub fn assert_settled(&self) {
        assert_eq!(self.failed, 0, "failed rows: {self:?}");
        assert_eq!(self.unconverged, 0, "consumers without their PR: {self:?}");
        assert_eq!(self.orphans, 0, "bump branches without a PR: {self:?}");
    }
}

impl Soak {
    /// The default branch of every consumer, and every `declined` and `conflict` consumer as a
    /// whole, are exactly as seeded.
    fn check_untouched(&self, before: &BTreeMap<String, Snapshot>) {
        for consumer in &self.fleet.seeded {
            let now = snapshot(&self.fleet, &consumer.full_name);
            let then = &before[&consumer.full_name];
            assert_eq!(now.main, then.main, "{}: main changed", consumer.full_name);
            if soak::untouchable(consumer.state) {
                assert_eq!(&now, then, "{} was touched", consumer.full_name);
            }
        }
    }

    /// Every safety assertion of the soak (convergence is [`Figures::assert_converged`]);
    /// returns its figures.
    pub fn check(&self) -> Figures {
        let mut figures = Figures {
            faults: self.fired.iter().sum(),
            ..Figures::default()
        };
        let passes = self.fleet.config.passes;
        for (i, run) in self.runs.iter().enumerate() {
            let report = match &run.result {
                Ok(report) => report,
                Err(line) => {
                    assert!(!line.contains('\n'), "setup error of run {i} is one line");
                    assert!(
                        crate::common::writes(&run.log).is_empty(),
                        "run {i} failed in setup ({line}) yet wrote"
                    );
                    figures.failed += self.fleet.seeded.len();
                    figures.calls += run.log.len();
                    continue;
                }
            };
            self.check_report(i, report);
            check_attempts(i, &run.log, passes);
            figures.failed += report.summary.get(&Outcome::Failed).copied().unwrap_or(0);
            figures.calls += run.log.len();
            for row in &report.consumers {
                let pass = row.pass as usize;
                assert!((1..=passes as usize).contains(&pass), "{row:?}");
                assert_eq!(row.failures.len(), pass - 1, "{row:?}");
                if figures.by_pass.len() < pass {
                    figures.by_pass.resize(pass, 0);
                }
                figures.by_pass[pass - 1] += 1;
            }
        }
        for consumer in &self.fleet.seeded {
            let (dups, orphan, converged) =
                self.check_consumer(&consumer.full_name, consumer.state);
            figures.duplicates += dups;
            figures.orphans += usize::from(orphan);
            if soak::needs_bump(consumer.state) {
                figures.bumped += 1;
                figures.unconverged += usize::from(!converged);
            }
        }
        assert_eq!(figures.duplicates, 0, "duplicate PRs");
        figures
    }

    /// Each consumer exactly once, a summary that adds up, no panic, the exit code of the rows.
    fn check_report(&self, run: usize, report: &Report) {
        let seeded: BTreeSet<&str> = self
            .fleet
            .seeded
            .iter()
            .map(|c| c.full_name.as_str())
            .collect();
        let rows: Vec<&str> = report.consumers.iter().map(|c| c.repo.as_str()).collect();
        let unique: BTreeSet<&str> = rows.iter().copied().collect();
        assert_eq!(rows.len(), unique.len(), "run {run}: a consumer twice");
        assert_eq!(unique, seeded, "run {run}: not every consumer reported");
        assert_eq!(report.summary.values().sum::<usize>(), seeded.len());
        for row in &report.consumers {
            let detail = row.detail.as_deref().unwrap_or_default();
            assert!(
                !detail.contains("internal error"),
                "run {run}: panic: {row:?}"
            );
            assert!(
                !detail.contains('\n'),
                "run {run}: detail of one line: {row:?}"
            );
            if row.outcome == Outcome::Failed {
                assert!(!detail.is_empty(), "run {run}: failed without a reason");
            }
        }
        let attention = report
            .consumers
            .iter()
            .any(|c| matches!(c.outcome, Outcome::Failed | Outcome::Conflict));
        assert_eq!(report.exit_code(), u8::from(attention), "run {run}");
    }

    /// Returns (duplicate PRs, whether an orphan branch is left, whether it has converged) and
    /// checks the bump's files wherever the bump branch exists.
    fn check_consumer(&self, repo: &str, state: ConsumerState) -> (usize, bool, bool) {
        let (owner, name) = repo.split_once('/').unwrap();
        let store = self.fleet.fake.store();
        let bump_prs = bump_prs(&self.fleet.fake, repo);
        let open = count_open(&bump_prs);
        let has_branch = store.branches(owner, name).iter().any(|b| b == BRANCH);
        let orphan = has_branch && bump_prs.is_empty() && state != ConsumerState::ForeignBranch;
        let duplicates = bump_prs.len().saturating_sub(1);
        assert!(open <= 1, "{repo} ({state:?}): {open} open bump PRs");
        if soak::needs_bump(state) && has_branch {
            for file in ["runtime-version", "requirements.txt", "README.md"] {
                let main = store.file(owner, name, "main", file).unwrap();
                let expected = if file == "README.md" {
                    main
                } else {
                    let text = String::from_utf8(main).unwrap();
                    text.replace(&format!("=={OLD}"), &format!("=={NEW}"))
                        .replace(&format!("{OLD}\n"), &format!("{NEW}\n"))
                        .replace(&format!("{OLD}\r\n"), &format!("{NEW}\r\n"))
                        .into_bytes()
                };
                let bumped = store.file(owner, name, BRANCH, file);
                assert_eq!(
                    bumped.as_ref(),
                    Some(&expected),
                    "{repo}: {file} on {BRANCH}"
                );
            }
        } else if !soak::untouchable(state) {
            assert!(bump_prs.is_empty(), "{repo} ({state:?}) got a PR");
            assert!(!has_branch, "{repo} ({state:?}) got a branch");
        }
        (duplicates, orphan, open == 1)
    }
}

/// No request is sent more than `max_retries + 1` times in a row within a pass (so at most
/// `passes` times that over a run), and no 4xx is repeated.
///
/// A request is its method, path and query. Its attempts are consecutive entries of the same
/// request in the log while the answers are retriable (5xx, no answer, or a delay the client gave
/// up on); a final answer (2xx, 3xx, 4xx) ends it, and the next entry is a new request. A 4xx is
/// never followed by the same request in the run, except the look-ups of the bump PR and the bump
/// branch: their 404 means "none yet", and they are asked again by design before each re-POST of
/// the PR and after a failed commit; and the commit, whose 422 "branch already exists" on a later
/// pass is how that pass learns that an earlier pass's commit landed (a re-run from the top).
pub fn check_attempts(run: usize, log: &[LoggedRequest], passes: u32) {
    let max_calls = (1 + retry_policy::Policy::default().max_retries() as usize) * passes as usize;
    let mut streak: BTreeMap<(&str, &str, Option<&str>), usize> = BTreeMap::new();
    for (i, req) in log.iter().enumerate() {
        let key = (req.method.as_str(), req.path.as_str(), req.query.as_deref());
        let n = streak.entry(key).or_default();
        *n += 1;
        assert!(*n <= max_calls, "run {run}: {key:?} attempted {n} times");
        let delayed = req.fault.as_deref().is_some_and(|f| f.starts_with("delay"));
        let final_answer = req.status.is_some_and(|s| s < 500) && !delayed;
        if final_answer {
            *n = 0;
        }
        let is_lookup = req.method == "GET"
            && (req.path.contains("/pulls/")
                || req.path.contains("/branches/")
                || req.path.ends_with("/commits"));
        let is_commit_finding_the_branch =
            req.method == "POST" && req.path.ends_with("/contents") && req.status == Some(422);
        if req.status.is_some_and(|s| (400..500).contains(&s))
            && !is_lookup
            && !is_commit_finding_the_branch
        {
            let again = log[i + 1..]
                .iter()
                .any(|r| (r.method.as_str(), r.path.as_str(), r.query.as_deref()) == key);
            assert!(!again, "run {run}: {key:?} repeated after {:?}", req.status);
        }
    }
}
