//! The fault soak: a 300-consumer fleet in mixed states, and faults on every endpoint.

use std::time::Duration;

use gitea_fake::{Fault, FaultRule, Match, Trigger, fleet::ConsumerState};

/// The seed of every random draw of the soak; change it to replay another schedule.
pub const SEED: u64 = 0x5eed_2026_1127;

/// Consumers in the soak fleet.
pub const CONSUMERS: usize = 300;

/// Runs from the top before the fleet must have converged.
pub const MAX_RUNS: usize = 3;

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

/// One line of the fault mix.
#[derive(Clone, Copy, Debug)]
pub struct FaultSpec {
    /// What is injected, as the page shows it.
    pub name: &'static str,
    /// Share of the requests in `scope` that get it, in per mille.
    pub per_mille: u32,
    /// Where it applies.
    pub scope: Scope,
    /// A short key, also used to pick the fault.
    pub label: &'static str,
}

/// The soak's fault mix. Shares are exact marginal probabilities per request: each rule's
/// trigger is conditioned on the rules before it not firing. The 429 goes to writes only: it is
/// final by design, so on reads it would fail some converged consumer in every run and no run
/// could ever come back clean.
pub const FAULTS: [FaultSpec; 10] = [
    spec("HTTP 500 (Gitea JSON)", 25, Scope::Every, "status 500"),
    spec("HTTP 502 (Gitea JSON)", 25, Scope::Every, "status 502"),
    spec("HTTP 503 (Gitea JSON)", 25, Scope::Every, "status 503"),
    spec("HTTP 504 (Gitea JSON)", 25, Scope::Every, "status 504"),
    spec("HTTP 502 proxy HTML page", 5, Scope::Every, "proxy 502"),
    spec(
        "HTTP 503 with Retry-After: 3",
        5,
        Scope::Every,
        "retry-after 503",
    ),
    spec("connection reset", 30, Scope::Every, "reset"),
    spec(
        "delay past the 30 s attempt timeout",
        10,
        Scope::Every,
        "delay",
    ),
    spec("HTTP 429 (never retried)", 10, Scope::Writes, "status 429"),
    spec("applied, then HTTP 502", 20, Scope::Writes, "apply-then"),
];

const fn spec(name: &'static str, per_mille: u32, scope: Scope, label: &'static str) -> FaultSpec {
    FaultSpec {
        name,
        per_mille,
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
            "status 429" => Fault::status(429),
            "reset" => Fault::Reset,
            "delay" => Fault::Delay(ATTEMPT_TIMEOUT + Duration::from_secs(1)),
            _ => Fault::apply_then(Fault::status(502)),
        }
    }
}

/// The fault plan: one rule per [`FAULTS`] line (one per write path for [`Scope::Writes`]),
/// each with its own seed derived from `seed`. Rules of scope [`Scope::Writes`] come last, so the
/// shares of the others stay exact.
pub fn fault_rules(seed: u64) -> Vec<FaultRule> {
    rules_with_origin(seed)
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

/// Folds gitea-fake's per-rule counts (`FaultPlan::fired`, rules added in [`fault_rules`]
/// order) into counts per [`FAULTS`] line.
pub fn fired_per_fault(fired: &[u64]) -> [u64; FAULTS.len()] {
    let mut counts = [0; FAULTS.len()];
    for ((origin, _), n) in rules_with_origin(0).iter().zip(fired) {
        counts[*origin] += n;
    }
    counts
}

fn rules_with_origin(seed: u64) -> Vec<(usize, FaultRule)> {
    let mut every_before = 0u32;
    let mut rules = Vec::new();
    for (i, f) in FAULTS.iter().enumerate() {
        let rule_seed = seed.wrapping_add(i as u64 * 0x9e37_79b9);
        let remaining = f64::from(1000 - every_before);
        let p = f64::from(f.per_mille) / remaining;
        let trigger = Trigger::Probability { p, seed: rule_seed };
        match f.scope {
            Scope::Every => {
                every_before += f.per_mille;
                rules.push((i, FaultRule::new(Match::any(), trigger, f.fault())));
            }
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

/// Total share of requests on every endpoint that get a fault, in per mille.
pub fn every_endpoint_per_mille() -> u32 {
    FAULTS
        .iter()
        .filter(|f| f.scope == Scope::Every)
        .map(|f| f.per_mille)
        .sum()
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
        assert_eq!(fault_rules(SEED).len(), FAULTS.len() + writes);
        assert!(every_endpoint_per_mille() < 1000);
    }
}
