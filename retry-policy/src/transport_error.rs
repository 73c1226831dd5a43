//! Reducing transport errors (`std::io`, any error chain and, with the `reqwest` feature,
//! `reqwest` and `reqwest-middleware` errors) to a [`TransportKind`].

use std::error::Error as StdError;
use std::io;

use crate::attempt_timeout::AttemptTimedOut;
use crate::classify::TransportKind;

impl TransportKind {
    /// Classifies an I/O error by its kind: refused or unreachable is
    /// [`Connect`](TransportKind::Connect), `TimedOut` is [`Timeout`](TransportKind::Timeout),
    /// reset, aborted, broken pipe and unexpected end of file are
    /// [`Reset`](TransportKind::Reset), anything else [`Other`](TransportKind::Other).
    pub fn from_io_error(error: &io::Error) -> Self {
        match error.kind() {
            io::ErrorKind::ConnectionRefused
            | io::ErrorKind::AddrNotAvailable
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NotConnected => TransportKind::Connect,
            io::ErrorKind::TimedOut => TransportKind::Timeout,
            kind if is_reset_kind(kind) => TransportKind::Reset,
            _ => TransportKind::Other,
        }
    }

    /// Classifies an HTTP client's error by walking its source chain, for clients this crate
    /// does not know (hyper-util's, tonic's):
    ///
    /// - an [`AttemptTimedOut`](crate::AttemptTimedOut) is a [`Timeout`](TransportKind::Timeout);
    /// - a `hyper::Error` that is an incomplete message or a cancelled request is a
    ///   [`Reset`](TransportKind::Reset), and a hyper timeout a `Timeout`;
    /// - an I/O error of kind `InvalidData` is a [`Tls`](TransportKind::Tls) failure (that is how
    ///   rustls reports a certificate it does not trust), and any other I/O error is classified
    ///   by [`from_io_error`](Self::from_io_error);
    /// - a chain with none of these is [`Other`](TransportKind::Other).
    pub fn from_error(error: &(dyn StdError + 'static)) -> Self {
        let mut next = Some(error);
        while let Some(cause) = next {
            if let Some(kind) = known_cause(cause) {
                return kind;
            }
            next = cause_of(cause);
        }
        TransportKind::Other
    }
}

/// The next link of an error chain. An I/O error's `source()` skips the error it wraps (it is
/// that error's own source), so for those the wrapped error itself is the next link: rustls's
/// certificate error sits inside two of them.
fn cause_of<'e>(error: &'e (dyn StdError + 'static)) -> Option<&'e (dyn StdError + 'static)> {
    match error.downcast_ref::<io::Error>() {
        Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
        None => error.source(),
    }
}

/// What one link of an error chain says, if it is a kind of error we know.
fn known_cause(cause: &(dyn StdError + 'static)) -> Option<TransportKind> {
    if cause.is::<AttemptTimedOut>() {
        return Some(TransportKind::Timeout);
    }
    #[cfg(any(feature = "reqwest", feature = "tower"))]
    if let Some(error) = cause.downcast_ref::<hyper::Error>() {
        if error.is_incomplete_message() || error.is_canceled() {
            return Some(TransportKind::Reset);
        }
        if error.is_timeout() {
            return Some(TransportKind::Timeout);
        }
        return None;
    }
    let io = cause.downcast_ref::<io::Error>()?;
    if is_tls(io) {
        return Some(TransportKind::Tls);
    }
    match TransportKind::from_io_error(io) {
        TransportKind::Other => None,
        kind => Some(kind),
    }
}

fn is_reset_kind(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
    )
}

/// rustls (through tokio-rustls and hyper-rustls) reports every failed handshake, an untrusted
/// certificate included, as an I/O error of kind `InvalidData`.
fn is_tls(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::InvalidData
}

/// Whether some link of the chain is an I/O error that [`is_tls`].
#[cfg(feature = "reqwest")]
fn chain_has_tls_failure(error: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(cause) = next {
        if cause.downcast_ref::<io::Error>().is_some_and(is_tls) {
            return true;
        }
        next = cause_of(cause);
    }
    false
}

#[cfg(feature = "reqwest")]
impl TransportKind {
    /// Classifies a `reqwest` error.
    ///
    /// A connect error gives [`Connect`](TransportKind::Connect), or [`Tls`](TransportKind::Tls)
    /// when the TLS handshake failed (an untrusted certificate, a protocol mismatch; detected as
    /// rustls reports it, an I/O error of kind `InvalidData`). A timeout gives
    /// [`Timeout`](TransportKind::Timeout). A connection that was closed before the response was
    /// complete (hyper's incomplete message, or an I/O error `ConnectionReset`,
    /// `ConnectionAborted`, `BrokenPipe` or `UnexpectedEof` anywhere in the source chain) gives
    /// [`Reset`](TransportKind::Reset); so does a body cut off mid-way, which reqwest reports
    /// as a decode error caused by an unexpected end of file. Everything else, including
    /// builder and redirect errors and a body that arrived whole but could not be decoded, gives
    /// [`Other`](TransportKind::Other).
    pub fn from_reqwest_error(error: &reqwest::Error) -> Self {
        if error.is_connect() {
            return if chain_has_tls_failure(error) {
                TransportKind::Tls
            } else {
                TransportKind::Connect
            };
        }
        if error.is_timeout() {
            return TransportKind::Timeout;
        }
        // Builder and redirect errors carry no I/O cause, so the walk below finds them `Other`.
        let mut source = error.source();
        while let Some(cause) = source {
            let reset = match cause.downcast_ref::<hyper::Error>() {
                Some(error) => error.is_incomplete_message(),
                None => cause
                    .downcast_ref::<io::Error>()
                    .is_some_and(|error| is_reset_kind(error.kind())),
            };
            if reset {
                return TransportKind::Reset;
            }
            source = cause_of(cause);
        }
        TransportKind::Other
    }

    /// Classifies a `reqwest-middleware` error: a `reqwest` error as in
    /// [`from_reqwest_error`](Self::from_reqwest_error), an
    /// [`AttemptTimedOut`](crate::AttemptTimedOut) as [`Timeout`](TransportKind::Timeout), any
    /// other middleware error as [`Other`](TransportKind::Other).
    pub fn from_middleware_error(error: &reqwest_middleware::Error) -> Self {
        match error {
            reqwest_middleware::Error::Reqwest(error) => Self::from_reqwest_error(error),
            reqwest_middleware::Error::Middleware(error) if error.is::<AttemptTimedOut>() => {
                TransportKind::Timeout
            }
            reqwest_middleware::Error::Middleware(_) => TransportKind::Other,
        }
    }
}

#[cfg(feature = "reqwest")]
impl crate::AttemptError for reqwest::Error {
    /// The status for an error made by `error_for_status`, the transport kind otherwise.
    fn outcome(&self) -> crate::Outcome {
        match self.status() {
            Some(status) => crate::Outcome::Status(status.as_u16()),
            None => crate::Outcome::Transport(TransportKind::from_reqwest_error(self)),
        }
    }
}

#[cfg(feature = "reqwest")]
impl crate::AttemptError for reqwest_middleware::Error {
    fn outcome(&self) -> crate::Outcome {
        match self {
            reqwest_middleware::Error::Reqwest(error) => error.outcome(),
            other => crate::Outcome::Transport(TransportKind::from_middleware_error(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_kinds_map_to_transport_kinds() {
        let kinds = [
            io::ErrorKind::ConnectionRefused,
            io::ErrorKind::TimedOut,
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::UnexpectedEof,
            io::ErrorKind::InvalidData,
            io::ErrorKind::PermissionDenied,
        ]
        .map(|kind| TransportKind::from_io_error(&io::Error::from(kind)));
        assert_eq!(
            kinds,
            [
                TransportKind::Connect,
                TransportKind::Timeout,
                TransportKind::Reset,
                TransportKind::Reset,
                TransportKind::Other,
                TransportKind::Other
            ]
        );
    }

    #[derive(Debug, thiserror::Error)]
    #[error("client error")]
    struct Wrapper(#[source] io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("not a transport error")]
    struct Unrelated;

    #[test]
    fn the_chain_is_walked_to_the_first_known_cause() {
        let kind = |error: &(dyn StdError + 'static)| TransportKind::from_error(error);
        let wrapped = |io_kind| Wrapper(io::Error::from(io_kind));
        assert_eq!(
            kind(&wrapped(io::ErrorKind::ConnectionRefused)),
            TransportKind::Connect
        );
        assert_eq!(
            kind(&wrapped(io::ErrorKind::InvalidData)),
            TransportKind::Tls
        );
        assert_eq!(
            kind(&wrapped(io::ErrorKind::BrokenPipe)),
            TransportKind::Reset
        );
        assert_eq!(kind(&wrapped(io::ErrorKind::Other)), TransportKind::Other);
        assert_eq!(kind(&Unrelated), TransportKind::Other);
        let timed_out = AttemptTimedOut::new(std::time::Duration::from_secs(1));
        assert_eq!(kind(&timed_out), TransportKind::Timeout);
    }

    #[cfg(feature = "reqwest")]
    #[test]
    fn a_middleware_error_is_a_timeout_only_when_it_is_the_attempt_timeout() {
        let timed_out = reqwest_middleware::Error::middleware(AttemptTimedOut::new(
            std::time::Duration::from_secs(1),
        ));
        assert_eq!(
            TransportKind::from_middleware_error(&timed_out),
            TransportKind::Timeout
        );
        let other = reqwest_middleware::Error::middleware(Unrelated);
        assert_eq!(
            TransportKind::from_middleware_error(&other),
            TransportKind::Other
        );
    }

    /// reqwest reports a body that ends before its declared length as a decode error whose
    /// cause is an unexpected end of file: a cut body, which another attempt may get past.
    #[cfg(feature = "reqwest")]
    #[tokio::test]
    async fn a_body_cut_mid_way_is_a_reset() {
        use loopback::{Reply, Server};

        let reply = Reply::json(200, vec![b' '; 1000]).cut_after(100);
        let server = Server::scripted(vec![reply]).await;
        let response = reqwest::get(server.url("/")).await.unwrap();
        let err = response.bytes().await.unwrap_err();
        assert!(err.is_decode(), "reqwest calls it a decode error: {err:?}");
        assert_eq!(
            TransportKind::from_reqwest_error(&err),
            TransportKind::Reset
        );
    }
}
