//! The figures `docs/reliability.md` shows, rendered from the suite's constants.

use crate::soak;

/// The table of faults injected by the soak, as a Markdown table.
pub fn fault_table() -> String {
    let mut out = String::from("| fault | share of requests | where |\n|---|---|---|\n");
    for f in soak::FAULTS {
        let scope = match f.scope {
            soak::Scope::Every => "every endpoint",
            soak::Scope::Writes => "the commit and the PR POST",
        };
        out.push_str(&format!(
            "| {} | {} | {scope} |\n",
            f.name,
            per_mille(f.per_mille)
        ));
    }
    out
}

/// `25` -> `2.5 %`.
fn per_mille(n: u32) -> String {
    if n.is_multiple_of(10) {
        format!("{} %", n / 10)
    } else {
        format!("{}.{} %", n / 10, n % 10)
    }
}
