//! The architecture invariant, checked mechanically: the core modules never read a clock,
//! sleep, draw randomness of their own or touch I/O. Only code, not comments or tests, counts.

const CORE: [(&str, &str); 4] = [
    ("policy.rs", include_str!("../../src/policy.rs")),
    ("classify.rs", include_str!("../../src/classify.rs")),
    ("budget.rs", include_str!("../../src/budget.rs")),
    ("random.rs", include_str!("../../src/random.rs")),
];

const FORBIDDEN: [&str; 10] = [
    "Instant::now",
    "SystemTime::now",
    "sleep",
    "tokio",
    "RandomState",
    "rand::",
    "std::fs",
    "std::net",
    "std::thread",
    "std::env",
];

#[test]
fn the_core_never_reads_the_clock_sleeps_or_draws_its_own_randomness() {
    for (file, source) in CORE {
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        for (number, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for word in FORBIDDEN {
                assert!(
                    !line.contains(word),
                    "src/{file}:{}: `{word}` in the core: {line}",
                    number + 1
                );
            }
        }
    }
}
