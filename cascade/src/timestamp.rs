//! When a run started and how long it took, as the reports state it.
//!
//! Only the shell ([`crate::run`]) reads the clocks; this file turns what they said into the
//! report's `started_at` (RFC 3339, UTC, milliseconds) and `duration_ms`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The start of a run, read from both clocks at once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Started {
    wall: SystemTime,
    mono: tokio::time::Instant,
}

impl Started {
    /// Now. Under a paused tokio clock the duration is the virtual time the run took.
    pub(crate) fn now() -> Started {
        Started {
            wall: SystemTime::now(),
            mono: tokio::time::Instant::now(),
        }
    }

    /// `started_at` for the report.
    pub(crate) fn at(&self) -> String {
        rfc3339_utc(self.wall)
    }

    /// Milliseconds since the start, for `duration_ms`.
    pub(crate) fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.mono.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// `time` as `YYYY-MM-DDTHH:MM:SS.mmmZ`; a time before 1970 (a broken clock) is the epoch.
pub(crate) fn rfc3339_utc(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64, millis: u64) -> String {
        rfc3339_utc(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis))
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        // `date -u -d @951782400` = Tue Feb 29 00:00:00 UTC 2000 (a leap day of a 400-year leap year).
        assert_eq!(at(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        // `date -u -d @1709251199` = Thu Feb 29 23:59:59 UTC 2024.
        assert_eq!(at(1_709_251_199, 999), "2024-02-29T23:59:59.999Z");
        // `date -u -d @4102444800` = Fri Jan  1 00:00:00 UTC 2100.
        assert_eq!(at(4_102_444_800, 0), "2100-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH - Duration::from_secs(1)),
            "1970-01-01T00:00:00.000Z"
        );
    }

    proptest::proptest! {
        #[test]
        fn every_day_follows_the_one_before(days in 0u64..200_000) {
            let (y0, m0, d0) = civil_from_days(days);
            let (y1, m1, d1) = civil_from_days(days + 1);
            let next_day = (y1, m1, d1) == (y0, m0, d0 + 1);
            let next_month = (y1, m1, d1) == (y0, m0 + 1, 1) && d0 >= 28;
            let next_year = (y1, m1, d1) == (y0 + 1, 1, 1) && (m0, d0) == (12, 31);
            proptest::prop_assert!(next_day || next_month || next_year, "{:?} -> {:?}", (y0, m0, d0), (y1, m1, d1));
        }
    }
}
