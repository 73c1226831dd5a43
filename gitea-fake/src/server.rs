//! The server handle and its accept loop. Each connection is served by hyper directly so
//! an injected fault can drop it with a TCP reset.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::app::App;
use crate::faults::FaultPlan;
use crate::log::{LoggedRequest, RequestLog};
use crate::routes;
use crate::service::{self, Shared};
use crate::store::Store;

/// The Gitea version the fake presents by default.
pub const DEFAULT_VERSION: &str = "1.26.4";

/// A running fake Gitea. Dropping it shuts the server and its connections down.
#[derive(Debug)]
pub struct FakeGitea {
    base_url: String,
    addr: SocketAddr,
    store: Store,
    faults: FaultPlan,
    log: RequestLog,
    _shutdown: watch::Sender<()>,
}

/// Configures a [`FakeGitea`] before it starts.
#[derive(Debug, Clone)]
pub struct FakeGiteaBuilder {
    version: String,
    listen: SocketAddr,
    latency: Duration,
    store: Store,
    log_capacity: Option<usize>,
    pull_check_gap: Option<Duration>,
}

impl FakeGitea {
    /// Starts a fake on `127.0.0.1` with an ephemeral port, version 1.26.4 and empty state.
    ///
    /// # Errors
    /// When the listening socket cannot be bound.
    pub async fn start() -> io::Result<FakeGitea> {
        FakeGitea::builder().start().await
    }

    /// A builder with the defaults of [`FakeGitea::start`].
    pub fn builder() -> FakeGiteaBuilder {
        FakeGiteaBuilder {
            version: DEFAULT_VERSION.to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            latency: Duration::ZERO,
            store: Store::new(),
            log_capacity: None,
            pull_check_gap: None,
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash; the API is under `/api/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The state, for seeding and inspection.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The fault plan.
    pub fn faults(&self) -> &FaultPlan {
        &self.faults
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log.snapshot()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.log.clear();
    }
}

impl FakeGiteaBuilder {
    /// The version to present, e.g. `1.21.0`. Older versions lack what they lacked: before
    /// 1.20 `POST /contents`, before 1.22 `GET /pulls/{base}/{head}` and before 1.24
    /// `file-contents` answer 404; before 1.25 the default 404 message is the localised
    /// "The target couldn't be found."; before 1.26 `PUT /contents/{path}` requires `sha`.
    pub fn version(mut self, version: &str) -> FakeGiteaBuilder {
        version.clone_into(&mut self.version);
        self
    }

    /// The address to listen on (default `127.0.0.1:0`).
    pub fn listen(mut self, addr: SocketAddr) -> FakeGiteaBuilder {
        self.listen = addr;
        self
    }

    /// Delays every answer by `latency` (for benchmarks).
    pub fn latency(mut self, latency: Duration) -> FakeGiteaBuilder {
        self.latency = latency;
        self
    }

    /// Serves an existing store (e.g. one seeded before start).
    pub fn store(mut self, store: Store) -> FakeGiteaBuilder {
        self.store = store;
        self
    }

    /// Keeps only the newest `max` entries in the request log (default: all), for
    /// long-running servers such as the command line's.
    pub fn max_logged_requests(mut self, max: usize) -> FakeGiteaBuilder {
        self.log_capacity = Some(max);
        self
    }

    /// Opt-in: makes `POST /repos/{o}/{r}/pulls` check, then wait `gap` on tokio's clock with
    /// the store unlocked, then insert without checking again, as Gitea does: its handler
    /// looks for an open PR of the same branches (GetUnmergedPullRequest) before
    /// NewPullRequest runs the mergeability check and inserts in a transaction of its own, so
    /// two POSTs within `gap` of each other both make a PR (go-gitea/gitea#20906). By default
    /// the check and the insert are atomic.
    pub fn non_atomic_pull_create(mut self, gap: Duration) -> FakeGiteaBuilder {
        self.pull_check_gap = Some(gap);
        self
    }

    /// Binds and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// When the listening socket cannot be bound.
    pub async fn start(self) -> io::Result<FakeGitea> {
        let listener = TcpListener::bind(self.listen).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let mut app = App::new(self.store.clone(), base_url.clone(), self.version);
        app.pull_check_gap = self.pull_check_gap;
        let app = Arc::new(app);
        let faults = FaultPlan::default();
        let log = RequestLog::with_capacity(self.log_capacity);
        let shared = Arc::new(Shared {
            router: routes::router(app.clone()),
            app,
            faults: faults.clone(),
            log: log.clone(),
            latency: self.latency,
        });
        let (tx, rx) = watch::channel(());
        tokio::spawn(accept_loop(listener, shared, rx));
        Ok(FakeGitea {
            base_url,
            addr,
            store: self.store,
            faults,
            log,
            _shutdown: tx,
        })
    }
}

/// Accepts connections until the handle is dropped.
async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => serve(stream, shared.clone(), shutdown.clone()),
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

/// Serves one connection on its own task.
fn serve(stream: TcpStream, shared: Arc<Shared>, mut shutdown: watch::Receiver<()>) {
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResettableIo {
        inner: stream,
        reset: reset.clone(),
    });
    let svc = service_fn(move |req| {
        let shared = shared.clone();
        let reset = reset.clone();
        async move {
            // A task of its own, so the answer is completed (side effects and log included)
            // even when the client hangs up first, as a real server would.
            let out = tokio::spawn(service::handle(shared, req))
                .await
                .unwrap_or(Err(service::Dropped));
            if out.is_err() {
                reset.store(true, Ordering::SeqCst);
            }
            out
        }
    });
    tokio::spawn(async move {
        let conn = http1::Builder::new().serve_connection(io, svc);
        tokio::select! {
            _ = conn => {}
            _ = shutdown.changed() => {}
        }
    });
}

/// A TCP stream that closes with RST instead of FIN once `reset` is set.
#[derive(Debug)]
struct ResettableIo {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableIo {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.reset.load(Ordering::SeqCst) {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
