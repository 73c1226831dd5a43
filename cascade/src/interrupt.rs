//! Asking a running cascade to stop: what a signal handler holds.

use std::sync::Arc;

use tokio::sync::watch;

/// A handle that asks a run to stop starting consumers; clones share it.
///
/// The first [`interrupt`](Self::interrupt) wins; its cause ends up in the report's stop line.
///
/// ```
/// use cascade::interrupt::Interrupt;
///
/// let interrupt = Interrupt::new();
/// let handler = interrupt.clone();
/// handler.interrupt("SIGINT received");
/// handler.interrupt("SIGTERM received");
/// assert_eq!(interrupt.cause().as_deref(), Some("SIGINT received"));
/// ```
#[derive(Clone, Debug)]
pub struct Interrupt {
    cause: Arc<watch::Sender<Option<String>>>,
}

impl Default for Interrupt {
    fn default() -> Self {
        Interrupt::new()
    }
}

impl Interrupt {
    /// A handle nobody has used yet.
    pub fn new() -> Interrupt {
        Interrupt {
            cause: Arc::new(watch::Sender::new(None)),
        }
    }

    /// Asks the run to stop; `cause` says why (`SIGINT received`). Later calls change nothing.
    pub fn interrupt(&self, cause: &str) {
        self.cause.send_if_modified(|current| {
            if current.is_some() {
                return false;
            }
            *current = Some(cause.to_owned());
            true
        });
    }

    /// The cause, once interrupted.
    pub fn cause(&self) -> Option<String> {
        self.cause.borrow().clone()
    }

    /// Resolves with the cause once interrupted (at once if it already was).
    pub(crate) async fn interrupted(&self) -> String {
        let mut receiver = self.cause.subscribe();
        let cause = receiver
            .wait_for(Option::is_some)
            .await
            .map(|cause| cause.clone().unwrap_or_default());
        match cause {
            Ok(cause) => cause,
            // The sender lives in `self`, so it cannot be dropped while this waits.
            Err(_) => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_waiter_wakes_with_the_first_cause() {
        let interrupt = Interrupt::new();
        let waiter = tokio::spawn({
            let interrupt = interrupt.clone();
            async move { interrupt.interrupted().await }
        });
        tokio::task::yield_now().await;
        interrupt.interrupt("SIGTERM received");
        interrupt.interrupt("SIGINT received");
        assert_eq!(waiter.await.unwrap(), "SIGTERM received");
        assert_eq!(interrupt.interrupted().await, "SIGTERM received");
    }
}
