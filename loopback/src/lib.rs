//! A raw HTTP/1.1 server on loopback for tests: scripted or driven by a handler, recording every
//! request, and able to answer the way hostile servers and broken networks do.
//!
//! It is raw (hand-written over a TCP socket) so that it can do what no well-behaved server
//! framework does: redirect to another origin, echo the request's headers back, cut a body
//! mid-way, lie about or omit `Content-Length`, hang, reset or close the connection. Each
//! connection carries one request; timing uses tokio's clock, so tests run on a paused clock.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use loopback::{Reply, Server};
//!
//! let server = Server::scripted(vec![Reply::reset(), Reply::json(200, "{}")]).await;
//! let other = Server::handler(|request| Reply::redirect(302, request.origin.clone() + "/again")).await;
//! assert!(server.url("/api/v1/version").starts_with("http://127.0.0.1:"));
//! assert_ne!(server.base_url(), other.base_url());
//! assert!(server.requests().is_empty());
//! # }
//! ```
#![deny(missing_docs)]

mod reply;
mod request;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

pub use reply::Reply;
pub use request::Request;

type Responder = dyn Fn(&Request) -> Reply + Send + Sync;

/// A running server on `127.0.0.1`; it stops, connections included, when dropped.
#[derive(Debug)]
pub struct Server {
    origin: String,
    log: Arc<Mutex<Vec<Request>>>,
    closes: Arc<Mutex<Vec<Close>>>,
    sent: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl Server {
    /// A server answering request `n` with `steps[n]`; the last step repeats.
    ///
    /// # Panics
    ///
    /// When `steps` is empty, or no loopback port can be bound.
    pub async fn scripted(steps: Vec<Reply>) -> Server {
        assert!(!steps.is_empty(), "a script needs at least one step");
        Server::handler(move |request| steps[request.index.min(steps.len() - 1)].clone()).await
    }

    /// A server answering each request with what `handler` returns for it.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    pub async fn handler(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let origin = format!("http://{}", listener.local_addr().expect("local address"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let closes = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(AtomicU64::new(0));
        let shared = Shared {
            origin: origin.clone(),
            log: Arc::clone(&log),
            closes: Arc::clone(&closes),
            sent: Arc::clone(&sent),
            handler: Arc::new(handler),
        };
        let task = tokio::spawn(accept(listener, Arc::new(shared)));
        Server {
            origin,
            log,
            closes,
            sent,
            task,
        }
    }

    /// The base URL, `http://127.0.0.1:<port>` (no trailing slash).
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.origin
    }

    /// The base URL followed by `path_and_query`.
    #[must_use]
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.origin)
    }

    /// Every request read so far, in arrival order.
    ///
    /// # Panics
    ///
    /// When a handler panicked while the log was locked.
    #[must_use]
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().expect("request log").clone()
    }

    /// When clients closed the connections of [`Reply::awaiting_close`] replies, in order.
    ///
    /// # Panics
    ///
    /// When a handler panicked while the log was locked.
    #[must_use]
    pub fn closes(&self) -> Vec<Close> {
        self.closes.lock().expect("close log").clone()
    }

    /// Every request read so far as `METHOD target` lines.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        self.requests().iter().map(Request::line).collect()
    }

    /// The time between consecutive requests, in whole milliseconds of tokio's clock.
    #[must_use]
    pub fn gaps_ms(&self) -> Vec<u128> {
        self.requests()
            .windows(2)
            .map(|w| (w[1].at - w[0].at).as_millis())
            .collect()
    }

    /// Response body bytes written to sockets so far, over all connections: how much of a
    /// large body a client read before it gave up.
    #[must_use]
    pub fn body_bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A URL on a loopback port that nobody listens on.
///
/// # Panics
///
/// When no loopback port can be bound.
#[must_use]
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}

/// A client closing the connection of an [`Reply::awaiting_close`] reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Close {
    /// The index of the request the connection carried.
    pub index: usize,
    /// When the server saw the connection end, on tokio's clock.
    pub at: Instant,
}

struct Shared {
    origin: String,
    log: Arc<Mutex<Vec<Request>>>,
    closes: Arc<Mutex<Vec<Close>>>,
    sent: Arc<AtomicU64>,
    handler: Arc<Responder>,
}

/// Accepts connections until aborted; the connections live in a `JoinSet`, so aborting this
/// task ends them too (a hanging one included).
async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { return };
                connections.spawn(serve(stream, Arc::clone(&shared)));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let Some(parsed) = request::read(&mut stream).await else {
        return;
    };
    let request = {
        let mut log = shared.log.lock().expect("request log");
        let request = Request {
            method: parsed.method,
            target: parsed.target,
            headers: parsed.headers,
            body: parsed.body,
            at: Instant::now(),
            index: log.len(),
            origin: shared.origin.clone(),
        };
        log.push(request.clone());
        request
    };
    let reply = (shared.handler)(&request);
    let awaits_close = reply.awaits_close();
    reply.perform(&mut stream, &request, &shared.sent).await;
    if awaits_close {
        let close = Close {
            index: request.index,
            at: Instant::now(),
        };
        shared.closes.lock().expect("close log").push(close);
    }
}
