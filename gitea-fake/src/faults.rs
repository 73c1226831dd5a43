//! The fault plan: rules that match requests by method and path, fire on a deterministic
//! trigger, and replace or distort the answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Which requests a rule looks at.
///
/// Path patterns are matched segment by segment against the raw (still percent-encoded)
/// request path: `*` matches exactly one segment, `**` any number of segments (also none),
/// and `*` inside a segment matches any run of characters, e.g. `bump*`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Match {
    method: Option<String>,
    path: Option<String>,
}

impl Match {
    /// Matches every request.
    pub fn any() -> Match {
        Match::default()
    }

    /// Only requests with this method (case-insensitive).
    pub fn method(mut self, method: &str) -> Match {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Only requests whose path matches `pattern`.
    pub fn path(mut self, pattern: &str) -> Match {
        self.path = Some(pattern.to_owned());
        self
    }

    /// Whether a request matches.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_ok = self.path.as_deref().is_none_or(|p| {
            let pat: Vec<&str> = p.trim_matches('/').split('/').collect();
            let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
            match_segments(&pat, &segs)
        });
        method_ok && path_ok
    }
}

/// Segment-wise glob with `**`.
fn match_segments(pat: &[&str], segs: &[&str]) -> bool {
    match pat.split_first() {
        None => segs.is_empty(),
        Some((&"**", rest)) => (0..=segs.len()).any(|i| match_segments(rest, &segs[i..])),
        Some((p, rest)) => match segs.split_first() {
            Some((s, srest)) => glob(p.as_bytes(), s.as_bytes()) && match_segments(rest, srest),
            None => false,
        },
    }
}

/// `*` wildcard inside one segment.
fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        Some((c, rest)) => s
            .split_first()
            .is_some_and(|(d, srest)| c == d && glob(rest, srest)),
    }
}

/// When a matching rule fires. Counts are per rule; every rule whose pattern matches a
/// request counts it, whether or not an earlier rule fired.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Trigger {
    /// Every matching call.
    Always,
    /// Only the n-th matching call (1-based).
    Nth(u64),
    /// The first n matching calls.
    FirstN(u64),
    /// Each matching call with probability `p`, drawn from `seed`, the method, the path and
    /// how many times this rule has seen that path, so a run replays the same way whatever
    /// the interleaving of concurrent requests to different paths.
    Probability {
        /// Probability in `0.0..=1.0`.
        p: f64,
        /// Seed of the draw.
        seed: u64,
    },
}

/// The body of an injected status answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body {
    /// Gitea's `{"message","url"}` JSON.
    GiteaJson,
    /// An HTML page like a reverse proxy's (nginx) error page.
    ProxyHtml,
}

/// What happens to a request that a rule fires on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with `status` instead of running the handler.
    Status {
        /// HTTP status.
        status: u16,
        /// Body style.
        body: Body,
        /// `Retry-After` seconds, if any.
        retry_after: Option<u64>,
    },
    /// Wait this long, then answer normally. The handler runs after the wait, even when the
    /// client has given up meanwhile (as a real server finishes a request).
    Delay(Duration),
    /// Close the connection with a TCP reset before any response byte.
    Reset,
    /// Send the real status and headers, then cut the body short and drop the connection.
    TruncateBody,
    /// Answer `status` (301, 302, 307...) with `Location: location` instead of running the
    /// handler, like a reverse proxy in front of Gitea that sends clients elsewhere.
    Redirect {
        /// HTTP status.
        status: u16,
        /// The `Location` header.
        location: String,
    },
    /// Run the real handler (its side effects happen), then apply the inner fault to the
    /// answer: a status replaces it, a reset drops it, a delay holds it, a truncation cuts it.
    ApplyThen(Box<Fault>),
}

impl Fault {
    /// A status answer with Gitea's JSON body and no `Retry-After`.
    pub fn status(status: u16) -> Fault {
        Fault::Status {
            status,
            body: Body::GiteaJson,
            retry_after: None,
        }
    }

    /// A status answer with a proxy's HTML body.
    pub fn proxy_html(status: u16) -> Fault {
        Fault::Status {
            status,
            body: Body::ProxyHtml,
            retry_after: None,
        }
    }

    /// Adds `Retry-After: secs` to a status fault (other faults are unchanged).
    pub fn retry_after(self, secs: u64) -> Fault {
        match self {
            Fault::Status { status, body, .. } => Fault::Status {
                status,
                body,
                retry_after: Some(secs),
            },
            other => other,
        }
    }

    /// A redirect answer.
    pub fn redirect(status: u16, location: impl Into<String>) -> Fault {
        Fault::Redirect {
            status,
            location: location.into(),
        }
    }

    /// Runs the handler, then applies `then`.
    pub fn apply_then(then: Fault) -> Fault {
        Fault::ApplyThen(Box::new(then))
    }

    /// A short label for the request log.
    pub fn label(&self) -> String {
        match self {
            Fault::Status { status, .. } => format!("status {status}"),
            Fault::Delay(d) => format!("delay {}ms", d.as_millis()),
            Fault::Reset => "reset".to_owned(),
            Fault::TruncateBody => "truncate".to_owned(),
            Fault::Redirect { status, .. } => format!("redirect {status}"),
            Fault::ApplyThen(inner) => format!("apply-then {}", inner.label()),
        }
    }
}

/// One rule of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    matcher: Match,
    trigger: Trigger,
    fault: Fault,
}

impl FaultRule {
    /// A rule applying `fault` to requests matching `matcher` when `trigger` fires.
    pub fn new(matcher: Match, trigger: Trigger, fault: Fault) -> FaultRule {
        FaultRule {
            matcher,
            trigger,
            fault,
        }
    }
}

/// The programmable fault plan of a running fake. Cloning shares the plan.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    inner: Arc<Mutex<Vec<RuleState>>>,
}

#[derive(Debug)]
struct RuleState {
    rule: FaultRule,
    seen: u64,
    fired: u64,
    per_path: HashMap<String, u64>,
}

impl FaultPlan {
    fn lock(&self) -> MutexGuard<'_, Vec<RuleState>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends a rule. Rules are checked in the order they were added; the first one that
    /// fires supplies the fault.
    pub fn add(&self, rule: FaultRule) {
        self.lock().push(RuleState {
            rule,
            seen: 0,
            fired: 0,
            per_path: HashMap::new(),
        });
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many times each rule has fired, in the order the rules were added.
    pub fn fired(&self) -> Vec<u64> {
        self.lock().iter().map(|r| r.fired).collect()
    }

    /// Counts the request against every matching rule and returns the fault to inject.
    pub fn decide(&self, method: &str, path: &str) -> Option<Fault> {
        let mut rules = self.lock();
        let mut chosen = None;
        for rs in rules.iter_mut() {
            if !rs.rule.matcher.matches(method, path) {
                continue;
            }
            rs.seen += 1;
            let fires = match &rs.rule.trigger {
                Trigger::Always => true,
                Trigger::Nth(n) => rs.seen == *n,
                Trigger::FirstN(n) => rs.seen <= *n,
                Trigger::Probability { p, seed } => {
                    let count = rs.per_path.entry(format!("{method} {path}")).or_insert(0);
                    *count += 1;
                    unit_draw(*seed, method, path, *count) < *p
                }
            };
            if fires && chosen.is_none() {
                rs.fired += 1;
                chosen = Some(rs.rule.fault.clone());
            }
        }
        chosen
    }
}

/// A uniform draw in `[0, 1)` from the seed, the request and the call counter.
fn unit_draw(seed: u64, method: &str, path: &str, count: u64) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in method.bytes().chain([b' ']).chain(path.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let x = splitmix64(seed ^ splitmix64(h ^ splitmix64(count)));
    // 53 random bits as a fraction.
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// SplitMix64's output function.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_segments() {
        let m = Match::any().method("post").path("/api/v1/repos/*/*/pulls");
        assert!(m.matches("POST", "/api/v1/repos/o/r/pulls"));
        assert!(!m.matches("GET", "/api/v1/repos/o/r/pulls"));
        assert!(!m.matches("POST", "/api/v1/repos/o/r/pulls/1"));
        let deep = Match::any().path("/api/v1/repos/**/branches/bump*");
        assert!(deep.matches("GET", "/api/v1/repos/o/r/branches/bump%2Fruntime-1.5.0"));
        assert!(!deep.matches("GET", "/api/v1/repos/o/r/branches/main"));
        assert!(Match::any().matches("DELETE", "/anything"));
    }

    #[test]
    fn nth_and_first_n_count_per_rule() {
        let plan = FaultPlan::default();
        plan.add(FaultRule::new(
            Match::any(),
            Trigger::Nth(2),
            Fault::status(503),
        ));
        plan.add(FaultRule::new(
            Match::any(),
            Trigger::FirstN(1),
            Fault::Reset,
        ));
        assert_eq!(plan.decide("GET", "/a"), Some(Fault::Reset));
        assert_eq!(plan.decide("GET", "/a"), Some(Fault::status(503)));
        assert_eq!(plan.decide("GET", "/a"), None);
        assert_eq!(plan.fired(), vec![1, 1]);
    }

    #[test]
    fn probability_ignores_interleaving_across_paths() {
        let plan = || {
            let plan = FaultPlan::default();
            let t = Trigger::Probability { p: 0.5, seed: 9 };
            plan.add(FaultRule::new(Match::any(), t, Fault::Reset));
            plan
        };
        let draws = |plan: &FaultPlan, path: &str| {
            (0..50)
                .map(|_| plan.decide("GET", path).is_some())
                .collect::<Vec<_>>()
        };
        let sequential = plan();
        let expected: Vec<_> = (0..4)
            .map(|i| draws(&sequential, &format!("/r{i}")))
            .collect();
        let concurrent = plan();
        let got: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    let c = &concurrent;
                    s.spawn(move || draws(c, &format!("/r{i}")))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(got, expected);
    }

    #[test]
    fn probability_replays_and_is_roughly_p() {
        let run = || {
            let plan = FaultPlan::default();
            let t = Trigger::Probability { p: 0.3, seed: 42 };
            plan.add(FaultRule::new(Match::any(), t, Fault::status(500)));
            (0..1000)
                .map(|i| plan.decide("GET", &format!("/p/{}", i % 7)).is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let hits = a.iter().filter(|x| **x).count();
        assert!((200..400).contains(&hits), "{hits}");
    }
}
