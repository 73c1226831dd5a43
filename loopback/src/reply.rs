//! What the server does with one request, from a plain answer to the ways hostile servers fail.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::Request;

/// Gitea's JSON content type.
const JSON: &str = "application/json;charset=utf-8";

/// The answer to one request: a response, or hanging, resetting or closing the connection,
/// optionally after a delay on tokio's clock.
///
/// Every response carries `Connection: close`; each connection carries one request.
#[derive(Clone, Debug)]
pub struct Reply {
    delay: Option<Duration>,
    action: Action,
    await_close: bool,
}

#[derive(Clone, Debug)]
enum Action {
    Respond(Response),
    Hang,
    Reset,
    Close,
}

#[derive(Clone, Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
    echo_headers: bool,
    length: Length,
    cut_after: Option<u64>,
}

#[derive(Clone, Debug)]
enum Body {
    Bytes(Vec<u8>),
    Repeat(u8, u64),
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Bytes(bytes) => bytes.len() as u64,
            Body::Repeat(_, len) => *len,
        }
    }
}

/// What `Content-Length` says.
#[derive(Clone, Copy, Debug)]
enum Length {
    /// The body's true length.
    Exact,
    /// Nothing: the body ends when the connection closes.
    Omitted,
    /// This number, whatever the body is.
    Declared(u64),
}

impl Reply {
    fn respond(status: u16) -> Reply {
        Reply {
            delay: None,
            action: Action::Respond(Response {
                status,
                headers: Vec::new(),
                body: Body::Bytes(Vec::new()),
                echo_headers: false,
                length: Length::Exact,
                cut_after: None,
            }),
            await_close: false,
        }
    }

    /// This status with an empty body.
    #[must_use]
    pub fn status(status: u16) -> Reply {
        Reply::respond(status)
    }

    /// This status with a JSON body, typed the way Gitea types it.
    #[must_use]
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::respond(status)
            .header("Content-Type", JSON)
            .body(body)
    }

    /// A redirect: this status (301, 302, 303, 307, 308...) with `Location: location`.
    #[must_use]
    pub fn redirect(status: u16, location: impl Into<String>) -> Reply {
        Reply::respond(status).header("Location", location)
    }

    /// This status with the request's headers echoed back as a JSON object (name to value),
    /// the way a misconfigured proxy or a hostile server reflects a token.
    #[must_use]
    pub fn echo_headers(status: u16) -> Reply {
        let mut reply = Reply::respond(status).header("Content-Type", JSON);
        reply.response().echo_headers = true;
        reply
    }

    /// Read the request and never answer, holding the connection open.
    #[must_use]
    pub fn hang() -> Reply {
        Reply {
            delay: None,
            action: Action::Hang,
            await_close: false,
        }
    }

    /// Read the request, then reset the connection (RST) without answering.
    #[must_use]
    pub fn reset() -> Reply {
        Reply {
            delay: None,
            action: Action::Reset,
            await_close: false,
        }
    }

    /// Read the request, then close the connection (FIN) without answering.
    #[must_use]
    pub fn close() -> Reply {
        Reply {
            delay: None,
            action: Action::Close,
            await_close: false,
        }
    }

    /// Adds a response header.
    ///
    /// # Panics
    ///
    /// When the reply is not a response (hang, reset, close).
    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.response()
            .headers
            .push((name.to_owned(), value.into()));
        self
    }

    /// Sets the response body.
    ///
    /// # Panics
    ///
    /// When the reply is not a response.
    #[must_use]
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.response().body = Body::Bytes(body.into());
        self
    }

    /// Sets a body of `len` copies of `byte`, written in chunks so a large one costs the server
    /// no memory.
    ///
    /// # Panics
    ///
    /// When the reply is not a response.
    #[must_use]
    pub fn repeated_body(mut self, byte: u8, len: u64) -> Reply {
        self.response().body = Body::Repeat(byte, len);
        self
    }

    /// Sends no `Content-Length`: the body ends when the server closes the connection.
    ///
    /// # Panics
    ///
    /// When the reply is not a response.
    #[must_use]
    pub fn without_length(mut self) -> Reply {
        self.response().length = Length::Omitted;
        self
    }

    /// Sends `Content-Length: len` whatever the body is: a server that lies about its size.
    ///
    /// # Panics
    ///
    /// When the reply is not a response.
    #[must_use]
    pub fn declaring_length(mut self, len: u64) -> Reply {
        self.response().length = Length::Declared(len);
        self
    }

    /// Sends the head as usual (declaring the whole length), then only the first `bytes` of
    /// the body, then closes: a body cut mid-way.
    ///
    /// # Panics
    ///
    /// When the reply is not a response.
    #[must_use]
    pub fn cut_after(mut self, bytes: u64) -> Reply {
        self.response().cut_after = Some(bytes);
        self
    }

    /// After the response, keeps the connection open until the client closes it, and records
    /// when it did ([`Server::closes`](crate::Server::closes)): to see when a client let go of
    /// a response it did not read.
    ///
    /// # Panics
    ///
    /// When the reply is not a response.
    #[must_use]
    pub fn awaiting_close(mut self) -> Reply {
        self.response();
        self.await_close = true;
        self
    }

    /// Whether the server waits for the client to close after this reply.
    pub(crate) fn awaits_close(&self) -> bool {
        self.await_close
    }

    /// Waits this long on tokio's clock before doing anything else.
    #[must_use]
    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }

    fn response(&mut self) -> &mut Response {
        match &mut self.action {
            Action::Respond(response) => response,
            other => panic!("only a response has headers and a body, not {other:?}"),
        }
    }

    /// Does what this reply says on `stream`; body bytes written are added to `sent`.
    pub(crate) async fn perform(
        self,
        stream: &mut tokio::net::TcpStream,
        request: &Request,
        sent: &AtomicU64,
    ) {
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        match self.action {
            Action::Respond(response) => {
                let _ = response.write(stream, request, sent).await;
                if self.await_close {
                    let mut sink = [0u8; 1024];
                    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                } else {
                    let _ = stream.shutdown().await;
                }
            }
            Action::Hang => std::future::pending::<()>().await,
            Action::Reset => {
                let _ = stream.set_zero_linger();
            }
            Action::Close => {
                let _ = stream.shutdown().await;
            }
        }
    }
}

impl Response {
    async fn write(
        mut self,
        out: &mut (impl AsyncWrite + Unpin),
        request: &Request,
        sent: &AtomicU64,
    ) -> std::io::Result<()> {
        if self.echo_headers {
            self.body = Body::Bytes(headers_as_json(&request.headers).into_bytes());
        }
        let mut head = format!("HTTP/1.1 {} Loopback\r\nConnection: close\r\n", self.status);
        let declared = match self.length {
            Length::Exact => Some(self.body.len()),
            Length::Omitted => None,
            Length::Declared(len) => Some(len),
        };
        if let Some(len) = declared {
            head.push_str(&format!("Content-Length: {len}\r\n"));
        }
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        out.write_all(head.as_bytes()).await?;
        let to_send = self
            .cut_after
            .map_or(self.body.len(), |cut| cut.min(self.body.len()));
        match &self.body {
            Body::Bytes(bytes) => {
                out.write_all(&bytes[..to_send as usize]).await?;
                sent.fetch_add(to_send, Ordering::Relaxed);
            }
            Body::Repeat(byte, _) => {
                let chunk = vec![*byte; 64 * 1024];
                let mut left = to_send;
                while left > 0 {
                    let n = left.min(chunk.len() as u64);
                    out.write_all(&chunk[..n as usize]).await?;
                    sent.fetch_add(n, Ordering::Relaxed);
                    left -= n;
                }
            }
        }
        out.flush().await
    }
}

fn headers_as_json(headers: &[(String, String)]) -> String {
    let fields: Vec<String> = headers
        .iter()
        .map(|(name, value)| format!("{}:{}", json_string(name), json_string(value)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
