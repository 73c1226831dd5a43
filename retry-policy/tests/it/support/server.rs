//! A raw TCP server that answers each request with the next step of a script.
//!
//! It is raw so it can also fail the way real networks do: reset the connection, or close it
//! before answering. Every connection carries one request (`connection: close`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// What the server does with one request; the last step of a script repeats.
#[derive(Clone, Debug)]
pub enum Step {
    /// Answer with this status and an empty body.
    Status(u16),
    /// Answer with this status and these extra headers.
    StatusWith(u16, Vec<(&'static str, String)>),
    /// Reset the connection (RST) after reading the request.
    Reset,
    /// Close the connection after reading the request, without answering.
    Close,
    /// Wait this long (on tokio's clock), then answer with the status.
    Delay(Duration, u16),
}

/// One request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub method: String,
    pub target: String,
    pub at: Instant,
}

pub struct Server {
    port: u16,
    calls: Arc<Mutex<Vec<Call>>>,
    task: JoinHandle<()>,
}

impl Server {
    pub async fn start(script: Vec<Step>) -> Server {
        assert!(!script.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let log = calls.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (log, script) = (log.clone(), script.clone());
                tokio::spawn(async move { serve(stream, &log, &script).await });
            }
        });
        Server { port, calls, task }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://127.0.0.1:{}{path_and_query}", self.port)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// The time between consecutive requests, in whole milliseconds.
    pub fn gaps_ms(&self) -> Vec<u128> {
        let calls = self.calls();
        calls
            .windows(2)
            .map(|w| (w[1].at - w[0].at).as_millis())
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A URL on a loopback port that nobody listens on.
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}

async fn serve(mut stream: TcpStream, log: &Mutex<Vec<Call>>, script: &[Step]) {
    let Some((method, target)) = read_request(&mut stream).await else {
        return;
    };
    let step = {
        let mut calls = log.lock().unwrap();
        calls.push(Call {
            method,
            target,
            at: Instant::now(),
        });
        script[(calls.len() - 1).min(script.len() - 1)].clone()
    };
    let (status, headers) = match step {
        Step::Status(status) => (status, Vec::new()),
        Step::StatusWith(status, headers) => (status, headers),
        Step::Delay(delay, status) => {
            tokio::time::sleep(delay).await;
            (status, Vec::new())
        }
        Step::Reset => {
            stream.set_zero_linger().unwrap();
            return;
        }
        Step::Close => return,
    };
    let mut response =
        format!("HTTP/1.1 {status} Scripted\r\ncontent-length: 0\r\nconnection: close\r\n");
    for (name, value) in headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads one request (head and body) and returns its method and target.
async fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(at) = find(&buf, b"\r\n\r\n") {
            break at + 4;
        }
        read_more(stream, &mut buf).await?;
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let request_line = String::from_utf8_lossy(&buf[..head_end])
        .lines()
        .next()?
        .to_owned();
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    if head.contains("transfer-encoding: chunked") {
        while find(&buf[head_end..], b"0\r\n\r\n").is_none() {
            read_more(stream, &mut buf).await?;
        }
    } else if let Some(length) = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok())
    {
        while buf.len() < head_end + length {
            read_more(stream, &mut buf).await?;
        }
    }
    Some((method, target))
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk).await.ok()?;
    if n == 0 {
        return None;
    }
    buf.extend_from_slice(&chunk[..n]);
    Some(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
