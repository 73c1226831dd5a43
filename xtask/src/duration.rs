//! `--deadline DURATION`: `90s`, `30m`, `2h`, `1h30m`, `500ms`.

use std::time::Duration;

/// The longest deadline accepted: a week.
const MAX: Duration = Duration::from_secs(7 * 24 * 3600);

/// Parses a duration written as one or more `<number><unit>` parts, units `ms`, `s`, `m`, `h`
/// (`1h30m`). Refuses a bare number, an unknown unit, zero, and anything over a week, with one
/// line that says how to write it.
///
/// # Errors
///
/// A one-line message naming what was wrong.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    let hint = "write it as 90s, 30m, 2h or 1h30m";
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(format!("an empty duration; {hint}"));
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("{text:?} is not a duration; {hint}"));
        }
        let (number, after) = rest.split_at(digits);
        let unit_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, after) = after.split_at(unit_len);
        let number: u64 = number
            .parse()
            .map_err(|_| format!("{text:?}: {number} is too large; {hint}"))?;
        let unit_ms = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "" => return Err(format!("{text:?} has no unit; {hint}")),
            other => return Err(format!("{text:?}: unknown unit {other:?}; {hint}")),
        };
        let part = number
            .checked_mul(unit_ms)
            .map(Duration::from_millis)
            .filter(|part| *part <= MAX)
            .ok_or_else(|| format!("{text:?} is longer than a week"))?;
        total += part;
        rest = after;
    }
    if total.is_zero() {
        return Err(format!("{text:?} is zero; give a positive duration"));
    }
    if total > MAX {
        return Err(format!("{text:?} is longer than a week"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_combinations() {
        let secs = |text| parse(text).map(|d| d.as_millis());
        assert_eq!(secs("90s"), Ok(90_000));
        assert_eq!(secs("30m"), Ok(1_800_000));
        assert_eq!(secs("2h"), Ok(7_200_000));
        assert_eq!(secs("1h30m"), Ok(5_400_000));
        assert_eq!(secs("500ms"), Ok(500));
        assert_eq!(secs(" 45m "), Ok(2_700_000));
    }

    #[test]
    fn bad_durations_say_how_to_write_one() {
        for (text, needle) in [
            ("90", "no unit"),
            ("ten minutes", "not a duration"),
            ("5d", "unknown unit \"d\""),
            ("0s", "zero"),
            ("200h", "longer than a week"),
            ("99999999999999999999s", "too large"),
            ("", "empty"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(needle), "{text:?}: {err}");
            assert!(!err.contains('\n'));
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,24}") {
            if let Err(err) = parse(&text) {
                proptest::prop_assert!(!err.contains('\n'));
            }
        }
    }
}
