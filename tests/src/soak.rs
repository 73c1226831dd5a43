//! The fault soak: a 300-consumer fleet in mixed states, and transient faults on every endpoint
//! at two levels (the default config at 5 %, the flaky-network settings at 25 %).

use std::time::Duration;

use gitea_fake::{Fault, FaultRule, Match, Trigger, fleet::ConsumerState};

/// The seed of every random draw of the soak; change it to replay another schedule.
pub const SEED: u64 = 0x5eed_2026_1127;

/// The seeds each soak plan is run with: [`SEED`] and two more.
pub const SEEDS: [u64; 3] = [SEED, 1, 2];

/// Consumers in the soak fleet.
pub const CONSUMERS: usize = 300;

/// The per-attempt timeout of the soak's policy (the seed default); a delay fault exceeds it.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// Paths the cascade writes to: the multi-file commit and the PR POST.
pub const WRITE_PATHS: [&str; 2] = ["/api/v1/repos/*/*/contents", "/api/v1/repos/*/*/pulls"];

/// Which requests a fault of the mix applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every request, reads and writes, on every endpoint.
    Every,
    /// The commit and the PR POST ([`WRITE_PATHS`]).
    Writes,
}

/// One line of the fault mix: a transient fault and its weight within its scope's share.
#[derive(Clone, Copy, Debug)]
pub struct FaultSpec {
    /// What is injected, as the page shows it.
    pub name: &'static str,
    /// Its part of its scope's share, in percent; the weights of a scope add up to 100.
    pub weight: u32,
    /// Where it applies.
    pub scope: Scope,
    /// A short key, also used to pick the fault.
    pub label: &'static str,
}

/// The transient fault mix: every fault here is one another attempt, or another pass, can get
/// past. Every endpoint gets the [`Scope::Every`] lines; the writes get the "apply, then fail"
/// lines on top (the write lands, its answer is lost).
pub const FAULTS: [FaultSpec; 12] = [
    spec("HTTP 500 (Gitea JSON)", 10, Scope::Every, "status 500"),
    spec("HTTP 502 (Gitea JSON)", 10, Scope::Every, "status 502"),
    spec("HTTP 503 (Gitea JSON)", 10, Scope::Every, "status 503"),
    spec("HTTP 504 (Gitea JSON)", 10, Scope::Every, "status 504"),
    spec("HTTP 502 proxy HTML page", 10, Scope::Every, "proxy 502"),
    spec(
        "HTTP 503 with Retry-After: 3",
        5,
        Scope::Every,
        "retry-after 503",
    ),
    spec("connection reset", 20, Scope::Every, "reset"),
    spec("body cut off mid-way", 20, Scope::Every, "cut body"),
    spec(
        "delay past the 30 s attempt timeout",
        5,
        Scope::Every,
        "delay",
    ),
    spec(
        "applied, then HTTP 502",
        40,
        Scope::Writes,
        "apply-then 502",
    ),
    spec("applied, then reset", 30, Scope::Writes, "apply-then reset"),
    spec(
        "applied, then body cut off",
        30,
        Scope::Writes,
        "apply-then cut",
    ),
];

const fn spec(name: &'static str, weight: u32, scope: Scope, label: &'static str) -> FaultSpec {
    FaultSpec {
        name,
        weight,
        scope,
        label,
    }
}

impl FaultSpec {
    /// The fault gitea-fake injects.
    pub fn fault(&self) -> Fault {
        match self.label {
            "status 500" => Fault::status(500),
            "status 502" => Fault::status(502),
            "status 503" => Fault::status(503),
            "status 504" => Fault::status(504),
            "proxy 502" => Fault::proxy_html(502),
            "retry-after 503" => Fault::status(503).retry_after(3),
            "reset" => Fault::Reset,
            "cut body" => Fault::TruncateBody,
            "delay" => Fault::Delay(ATTEMPT_TIMEOUT + Duration::from_secs(1)),
            "apply-then 502" => Fault::apply_then(Fault::status(502)),
            "apply-then reset" => Fault::apply_then(Fault::Reset),
            _ => Fault::apply_then(Fault::TruncateBody),
        }
    }

    /// Its share of the requests in its scope at `level`, in basis points (1/100 of a percent).
    pub fn basis_points(&self, level: Level) -> u32 {
        let scope = match self.scope {
            Scope::Every => level.every_bp,
            Scope::Writes => level.writes_extra_bp,
        };
        scope * self.weight / 100
    }
}

/// How often the mix fires, in basis points (1/100 of a percent) of the requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    /// Share of every request, reads and writes, that gets a fault.
    pub every_bp: u32,
    /// Share of the writes that get an "apply, then fail" fault on top.
    pub writes_extra_bp: u32,
}

/// A soak plan: a fault level and the config it runs with.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// What the page calls it.
    pub name: &'static str,
    /// How often faults fire.
    pub level: Level,
    /// Whether the config has the runbook's flaky-network settings (`[retry] reads = true`,
    /// `commit = true`); otherwise it is the default config (reads and commit single-shot).
    pub flaky_settings: bool,
}

/// The default config against 5 % transient faults on every request (6 % on writes).
pub const DEFAULT_AT_5: Plan = Plan {
    name: "default config, 5 %",
    level: Level {
        every_bp: 500,
        writes_extra_bp: 100,
    },
    flaky_settings: false,
};

/// The flaky-network settings against 25 % transient faults on every request (30 % on writes).
pub const FLAKY_AT_25: Plan = Plan {
    name: "flaky-network settings, 25 %",
    level: Level {
        every_bp: 2500,
        writes_extra_bp: 500,
    },
    flaky_settings: true,
};

/// The soak plans.
pub const PLANS: [Plan; 2] = [DEFAULT_AT_5, FLAKY_AT_25];

/// The fault plan: one rule per [`FAULTS`] line (one per write path for [`Scope::Writes`]),
/// each with its own seed derived from `seed`. Shares are exact marginal probabilities per
/// request: each rule's trigger is conditioned on the rules before it not firing. Rules of
/// scope [`Scope::Writes`] come last, so the shares of the others stay exact.
pub fn fault_rules(level: Level, seed: u64) -> Vec<FaultRule> {
    rules_with_origin(level, seed)
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

/// Folds gitea-fake's per-rule counts (`FaultPlan::fired`, rules added in [`fault_rules`]
/// order) into counts per [`FAULTS`] line.
pub fn fired_per_fault(fired: &[u64]) -> [u64; FAULTS.len()] {
    let mut counts = [0; FAULTS.len()];
    for ((origin, _), n) in rules_with_origin(DEFAULT_AT_5.level, 0).iter().zip(fired) {
        counts[*origin] += n;
    }
    counts
}

fn rules_with_origin(level: Level, seed: u64) -> Vec<(usize, FaultRule)> {
    let mut before = [0u32; 2];
    let mut rules = Vec::new();
    for (i, f) in FAULTS.iter().enumerate() {
        let rule_seed = seed.wrapping_add(i as u64 * 0x9e37_79b9);
        let fired_before = &mut before[usize::from(f.scope == Scope::Writes)];
        let remaining = f64::from(10_000 - *fired_before);
        let p = f64::from(f.basis_points(level)) / remaining;
        *fired_before += f.basis_points(level);
        let trigger = Trigger::Probability { p, seed: rule_seed };
        match f.scope {
            Scope::Every => rules.push((i, FaultRule::new(Match::any(), trigger, f.fault()))),
            Scope::Writes => {
                for path in WRITE_PATHS {
                    let matcher = Match::any().method("POST").path(path);
                    rules.push((i, FaultRule::new(matcher, trigger.clone(), f.fault())));
                }
            }
        }
    }
    rules
}

/// One block of the fleet, repeated until [`CONSUMERS`] are seeded.
pub const FLEET_PATTERN: [ConsumerState; 20] = {
    use ConsumerState::*;
    [
        Behind,
        Behind,
        Behind,
        Behind,
        Behind,
        Behind,
        UpToDate,
        UpToDate,
        UpToDate,
        Orphan,
        OpenPr,
        Declined,
        ForeignBranch,
        Archived,
        Empty,
        MissingVersionFile,
        Crlf,
        OtherPinStyle,
        Ahead,
        NoPin,
    ]
};

/// The soak fleet: `svc-000` ... in [`FLEET_PATTERN`] order.
pub fn fleet() -> Vec<(String, ConsumerState)> {
    (0..CONSUMERS)
        .map(|i| {
            (
                format!("svc-{i:03}"),
                FLEET_PATTERN[i % FLEET_PATTERN.len()],
            )
        })
        .collect()
}

/// Whether a consumer in `state` must end with exactly one open bump PR.
pub fn needs_bump(state: ConsumerState) -> bool {
    use ConsumerState::*;
    matches!(
        state,
        Behind | Orphan | OpenPr | Crlf | OtherPinStyle | NoPin
    )
}

/// Whether a consumer in `state` must be left exactly as seeded.
pub fn untouchable(state: ConsumerState) -> bool {
    use ConsumerState::*;
    matches!(state, Declined | ForeignBranch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fleet_has_every_state_and_the_right_size() {
        let fleet = fleet();
        assert_eq!(fleet.len(), CONSUMERS);
        for state in ConsumerState::ALL {
            assert!(fleet.iter().any(|(_, s)| *s == state), "{state:?}");
        }
    }

    #[test]
    fn one_rule_per_fault_and_two_for_write_faults() {
        let writes = FAULTS.iter().filter(|f| f.scope == Scope::Writes).count();
        assert_eq!(
            fault_rules(DEFAULT_AT_5.level, SEED).len(),
            FAULTS.len() + writes
        );
    }

    #[test]
    fn the_weights_of_each_scope_add_up_to_the_level() {
        for plan in PLANS {
            let sum = |scope| {
                FAULTS
                    .iter()
                    .filter(|f| f.scope == scope)
                    .map(|f| f.basis_points(plan.level))
                    .sum::<u32>()
            };
            assert_eq!(sum(Scope::Every), plan.level.every_bp, "{plan:?}");
            assert_eq!(sum(Scope::Writes), plan.level.writes_extra_bp, "{plan:?}");
        }
    }
}
