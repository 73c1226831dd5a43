//! Reducing `reqwest` and `reqwest-middleware` errors to a [`TransportKind`].

use std::error::Error as StdError;
use std::io;

use crate::classify::TransportKind;

impl TransportKind {
    /// Classifies a `reqwest` error.
    ///
    /// Connect errors give [`Connect`](TransportKind::Connect) and timeouts
    /// [`Timeout`](TransportKind::Timeout). A connection that was closed before the response was
    /// complete (hyper's incomplete message, or an I/O error `ConnectionReset`,
    /// `ConnectionAborted`, `BrokenPipe` or `UnexpectedEof` anywhere in the source chain) gives
    /// [`Reset`](TransportKind::Reset). Everything else, including builder, redirect and decode
    /// errors, gives [`Other`](TransportKind::Other).
    pub fn from_reqwest_error(error: &reqwest::Error) -> Self {
        if error.is_connect() {
            return TransportKind::Connect;
        }
        if error.is_timeout() {
            return TransportKind::Timeout;
        }
        if error.is_builder() || error.is_redirect() || error.is_decode() {
            return TransportKind::Other;
        }
        let mut source = error.source();
        while let Some(cause) = source {
            if is_reset(cause) {
                return TransportKind::Reset;
            }
            source = cause.source();
        }
        TransportKind::Other
    }

    /// Classifies a `reqwest-middleware` error: a `reqwest` error as in
    /// [`from_reqwest_error`](Self::from_reqwest_error), a middleware error as
    /// [`Other`](TransportKind::Other).
    pub fn from_middleware_error(error: &reqwest_middleware::Error) -> Self {
        match error {
            reqwest_middleware::Error::Reqwest(error) => Self::from_reqwest_error(error),
            reqwest_middleware::Error::Middleware(_) => TransportKind::Other,
        }
    }
}

fn is_reset(cause: &(dyn StdError + 'static)) -> bool {
    if let Some(error) = cause.downcast_ref::<hyper::Error>() {
        return error.is_incomplete_message();
    }
    cause.downcast_ref::<io::Error>().is_some_and(|error| {
        matches!(
            error.kind(),
            io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof
        )
    })
}
