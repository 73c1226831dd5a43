//! A cap on the requests per second a client sends, shared by all its clones: one token bucket
//! of one token (so requests are evenly spaced, never in bursts), refilled on tokio's clock.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};
use tokio::time::Instant;

/// When each request may go: the pure core of the cap.
#[derive(Debug)]
pub(crate) struct Schedule {
    interval: Duration,
    /// The earliest time the next request may be sent.
    next_free: Option<Instant>,
}

impl Schedule {
    /// At most `per_second` requests per second.
    pub(crate) fn new(per_second: NonZeroU32) -> Schedule {
        Schedule {
            interval: Duration::from_secs(1) / per_second.get(),
            next_free: None,
        }
    }

    /// Books the next slot for a request asked for at `now`; returns when it may be sent.
    pub(crate) fn reserve(&mut self, now: Instant) -> Instant {
        let at = self.next_free.map_or(now, |free| free.max(now));
        self.next_free = Some(at + self.interval);
        at
    }
}

/// Beneath the retry middleware, so every attempt waits for its slot.
#[derive(Clone, Debug)]
pub(crate) struct RateLimit {
    schedule: Arc<Mutex<Schedule>>,
}

impl RateLimit {
    pub(crate) fn new(per_second: NonZeroU32) -> RateLimit {
        RateLimit {
            schedule: Arc::new(Mutex::new(Schedule::new(per_second))),
        }
    }
}

#[async_trait::async_trait]
impl Middleware for RateLimit {
    async fn handle(
        &self,
        request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let at = self
            .schedule
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .reserve(Instant::now());
        tokio::time::sleep_until(at).await;
        next.run(request, extensions).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_spaced_by_the_interval_and_idle_time_is_not_saved_up() {
        let mut schedule = Schedule::new(NonZeroU32::new(4).unwrap());
        let start = Instant::now();
        let ms = |at: Instant| (at - start).as_millis();
        let booked: Vec<u128> = (0..3).map(|_| ms(schedule.reserve(start))).collect();
        assert_eq!(booked, [0, 250, 500]);
        let later = start + Duration::from_secs(10);
        assert_eq!(ms(schedule.reserve(later)), 10_000, "no burst after idling");
        assert_eq!(ms(schedule.reserve(later)), 10_250);
    }
}
