//! The results: sections of figures, printed as a table or as one JSON document.

use std::fmt::Write as _;

use serde::Serialize;

use crate::stats::{Status, Target, judge};

/// One measured figure, with its target and whether it was met.
#[derive(Debug, Serialize)]
pub(crate) struct Figure {
    pub(crate) name: String,
    pub(crate) value: Option<f64>,
    pub(crate) unit: &'static str,
    pub(crate) target: Option<Target>,
    pub(crate) status: Status,
}

impl Figure {
    pub(crate) fn new(
        name: impl Into<String>,
        value: Option<f64>,
        unit: &'static str,
        target: Option<Target>,
    ) -> Figure {
        Figure {
            name: name.into(),
            value,
            unit,
            target,
            status: judge(value, target),
        }
    }

    /// A figure reported for information only.
    pub(crate) fn info(name: impl Into<String>, value: Option<f64>, unit: &'static str) -> Figure {
        Figure::new(name, value, unit, None)
    }
}

/// One part of the benchmark.
#[derive(Debug, Serialize)]
pub(crate) struct Section {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    /// How it was measured: sizes, rounds, scaling in quick mode.
    pub(crate) method: String,
    pub(crate) figures: Vec<Figure>,
    pub(crate) notes: Vec<String>,
}

/// The machine the run was made on.
#[derive(Debug, Serialize)]
pub(crate) struct Machine {
    pub(crate) cores: usize,
    pub(crate) memory_mib: Option<u64>,
    pub(crate) load_average_1m: Option<f64>,
}

impl Machine {
    pub(crate) fn read() -> Machine {
        let memory_mib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| kib_field(&text, "MemTotal:"))
            .map(|kib| kib / 1024);
        let load_average_1m = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|text| text.split_whitespace().next()?.parse().ok());
        Machine {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory_mib,
            load_average_1m,
        }
    }
}

/// A `Name:   1234 kB` field of a /proc status-like file, in KiB.
pub(crate) fn kib_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// User plus system CPU seconds of a process, from its `/proc/<pid>/stat` (fields 14 and 15,
/// in clock ticks of 1/100 s, the value of `CLK_TCK` on Linux).
pub(crate) fn cpu_seconds(stat_path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// The whole run.
#[derive(Debug, Serialize)]
pub(crate) struct Document {
    pub(crate) mode: &'static str,
    pub(crate) machine: Machine,
    pub(crate) sections: Vec<Section>,
}

impl Document {
    pub(crate) fn missed(&self) -> usize {
        self.sections
            .iter()
            .flat_map(|s| &s.figures)
            .filter(|f| matches!(f.status, Status::Missed | Status::Unmeasured))
            .count()
    }

    /// The readable table.
    pub(crate) fn table(&self) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let _ = writeln!(
            out,
            "cargo xtask bench ({} run) on {} cores, {} MiB, load {} at start",
            self.mode,
            m.cores,
            m.memory_mib.map_or("?".to_owned(), |v| v.to_string()),
            m.load_average_1m
                .map_or("?".to_owned(), |v| format!("{v:.2}")),
        );
        for section in &self.sections {
            let _ = writeln!(out, "\n{}\n  {}", section.title, section.method);
            let _ = writeln!(
                out,
                "  {:<44} {:>16}  {:<12} status",
                "figure", "value", "target"
            );
            for f in &section.figures {
                let _ = writeln!(
                    out,
                    "  {:<44} {:>16}  {:<12} {}",
                    f.name,
                    format_value(f.value, f.unit),
                    f.target.map_or(String::new(), |t| format_target(t, f.unit)),
                    f.status.as_str()
                );
            }
            for note in &section.notes {
                let _ = writeln!(out, "  note: {note}");
            }
        }
        let missed = self.missed();
        let _ = writeln!(
            out,
            "\n{}",
            if missed == 0 {
                "every target met".to_owned()
            } else {
                format!("{missed} figure(s) missed or unmeasured")
            }
        );
        out
    }
}

fn format_value(value: Option<f64>, unit: &str) -> String {
    let Some(v) = value else {
        return "-".to_owned();
    };
    match unit {
        "x" => format!("{v:.3}"),
        "req/s" => format!("{} req/s", thousands(v)),
        "s" => format!("{v:.3} s"),
        "ms" => format!("{v:.1} ms"),
        "MiB" => format!("{v:.1} MiB"),
        "calls" | "allocs" => format!("{v:.2} {unit}"),
        _ => format!("{v:.3} {unit}"),
    }
}

fn format_target(target: Target, unit: &str) -> String {
    let (sign, t) = match target {
        Target::AtLeast(t) => ("≥", t),
        Target::AtMost(t) => ("≤", t),
    };
    match unit {
        "req/s" => format!("{sign} {}", thousands(t)),
        "x" => format!("{sign} {t}"),
        _ => format!("{sign} {t} {unit}"),
    }
}

/// `12345.6` → `12,346`.
pub(crate) fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(12345.6), "12,346");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(-1234.0), "-1,234");
    }

    #[test]
    fn cpu_seconds_of_this_process_are_read() {
        assert!(cpu_seconds("/proc/self/stat").is_some_and(|s| s >= 0.0));
        assert_eq!(cpu_seconds("/proc/no-such-process/stat"), None);
    }

    #[test]
    fn kib_fields_are_read_from_proc_status_lines() {
        let text = "Name:\tbench\nVmHWM:\t   51234 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(kib_field(text, "VmHWM:"), Some(51234));
        assert_eq!(kib_field(text, "VmPeak:"), None);
    }
}
