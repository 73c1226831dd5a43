//! A loopback HTTP/1.1 server that answers `200` with an empty body at once, on its own thread
//! and runtime so it never competes with the client's scheduler.

use std::{convert::Infallible, net::SocketAddr, thread::JoinHandle};

use hyper::{Response, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::{net::TcpListener, sync::oneshot};

/// The running server; dropping it stops it.
#[derive(Debug)]
pub(crate) struct Loopback {
    pub(crate) url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Loopback {
    pub(crate) fn start() -> anyhow::Result<Loopback> {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel::<std::io::Result<SocketAddr>>();
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("loopback-200".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(err) => {
                        let _ = addr_tx.send(Err(err));
                        return;
                    }
                };
                runtime.block_on(serve(addr_tx, stopped));
            })?;
        let addr = addr_rx.recv()??;
        Ok(Loopback {
            url: format!("http://{addr}/"),
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    addr_tx: std::sync::mpsc::Sender<std::io::Result<SocketAddr>>,
    mut stopped: oneshot::Receiver<()>,
) {
    let listener = match TcpListener::bind(("127.0.0.1", 0)).await {
        Ok(listener) => listener,
        Err(err) => {
            let _ = addr_tx.send(Err(err));
            return;
        }
    };
    let _ = addr_tx.send(listener.local_addr());
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let ok =
                service_fn(|_request| async { Ok::<_, Infallible>(Response::new(String::new())) });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), ok)
                .await;
        });
    }
}
