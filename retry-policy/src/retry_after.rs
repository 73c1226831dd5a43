//! Parsing `Retry-After` (RFC 9110, section 10.2.3): delay-seconds or an HTTP date, measured
//! against the response's own `Date` when it has one.

use std::time::{Duration, SystemTime};

use http::HeaderMap;
use http::header::{DATE, RETRY_AFTER};

/// The wait a response's `Retry-After` header asks for.
///
/// An HTTP date is measured against the response's `Date` header, so that a client whose clock
/// is off still waits what the server meant; only a response without a valid `Date` is
/// measured against `now` (the caller's clock, such as [`Clock::system_now`](crate::Clock::system_now)).
/// No header, or one that does not parse, gives `None`.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use http::HeaderMap;
/// use retry_policy::retry_after;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("date", "Wed, 21 Oct 2015 07:28:00 GMT".parse()?);
/// headers.insert("retry-after", "Wed, 21 Oct 2015 07:28:03 GMT".parse()?);
/// // Whatever the local clock says, the server asked for 3 s.
/// assert_eq!(retry_after(&headers, SystemTime::now()), Some(Duration::from_secs(3)));
/// # Ok::<(), http::header::InvalidHeaderValue>(())
/// ```
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    let reference = headers
        .get(DATE)
        .and_then(|date| date.to_str().ok())
        .and_then(|date| httpdate::parse_http_date(date).ok())
        .unwrap_or(now);
    parse_retry_after(value, reference)
}

/// Turns a `Retry-After` value into a wait, measured from `now` (pass the response's `Date`;
/// [`retry_after`] does).
///
/// Accepts delay-seconds (`"120"`) and HTTP dates (`"Wed, 21 Oct 2015 07:28:00 GMT"`); a date in
/// the past gives zero. Anything else gives `None`, so the schedule alone decides.
/// The caller passes `now`, so this function reads no clock.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use retry_policy::parse_retry_after;
///
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_400);
/// assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(
///     parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
///     Some(Duration::from_secs(80))
/// );
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits to fit still means "a long time"; the policy's cap bounds it.
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_past_date_means_no_wait() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn negative_and_fractional_values_are_ignored() {
        let now = SystemTime::UNIX_EPOCH;
        for value in ["-1", "1.5", "", " ", "1e3", "0x10"] {
            assert_eq!(parse_retry_after(value, now), None, "{value:?}");
        }
    }

    #[test]
    fn a_date_is_measured_against_the_response_date_else_the_clock() {
        let server = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let local = server + Duration::from_secs(3600);
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, local), None);
        let at = httpdate::fmt_http_date(server + Duration::from_secs(5));
        headers.insert(RETRY_AFTER, at.parse().unwrap());
        // No Date: the local clock, an hour ahead, says the date has passed.
        assert_eq!(retry_after(&headers, local), Some(Duration::ZERO));
        headers.insert(DATE, httpdate::fmt_http_date(server).parse().unwrap());
        assert_eq!(retry_after(&headers, local), Some(Duration::from_secs(5)));
        headers.insert(DATE, "yesterday".parse().unwrap());
        assert_eq!(retry_after(&headers, server), Some(Duration::from_secs(5)));
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers, local), Some(Duration::from_secs(7)));
    }

    proptest! {
        #[test]
        fn any_text_parses_without_panicking(value in ".*", secs in any::<u64>()) {
            let _ = parse_retry_after(&value, SystemTime::UNIX_EPOCH);
            prop_assert_eq!(
                parse_retry_after(&secs.to_string(), SystemTime::UNIX_EPOCH),
                Some(Duration::from_secs(secs))
            );
        }

        #[test]
        fn a_date_in_the_future_waits_until_then(ahead in 0u64..10_000_000, base in 0u64..4_000_000_000) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(base);
            let date = httpdate::fmt_http_date(now + Duration::from_secs(ahead));
            prop_assert_eq!(parse_retry_after(&date, now), Some(Duration::from_secs(ahead)));
        }
    }
}
