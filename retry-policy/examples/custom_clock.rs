//! A custom `Sleeper` and `Clock`: time that only moves when the retrier sleeps, so a whole
//! retry schedule, time limit included, runs in an instant and the same way every time.
//!
//! `cargo run -p retry-policy --example custom_clock`

use std::future::{Future, ready};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use retry_policy::{Clock, Outcome, Policy, Retrier, Sleeper};

/// A simulated clock: `sleep` returns at once and moves it forward, and it logs every wait.
#[derive(Clone)]
struct Simulated {
    elapsed: Arc<Mutex<Duration>>,
    start: Instant,
}

impl Sleeper for Simulated {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let mut elapsed = self.elapsed.lock().unwrap();
        *elapsed += delay;
        println!("  (sleeping {delay:?}; the clock now says +{:?})", *elapsed);
        Box::pin(ready(()))
    }
}

impl Clock for Simulated {
    fn now(&self) -> Instant {
        self.start + *self.elapsed.lock().unwrap()
    }

    fn system_now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + *self.elapsed.lock().unwrap()
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let time = Simulated {
        elapsed: Arc::default(),
        start: Instant::now(),
    };
    // Up to 10 retries, but none may start later than 20 s after the first attempt.
    let policy = Policy::builder()
        .max_retries(10)
        .time_limit(Duration::from_secs(20))
        .build()
        .unwrap();
    let retrier = Retrier::with_timer(policy, time.clone(), time.clone());
    let report = retrier
        .run(
            |attempt| async move {
                println!("attempt {attempt}: the server answers 503");
                Ok::<u16, ()>(503)
            },
            |status| Outcome::Status(*status.as_ref().unwrap()).into(),
        )
        .await;
    println!(
        "{} attempts, waits {:?}, stopped: {}",
        report.attempts, report.delays, report.stop
    );
}
