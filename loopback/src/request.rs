//! One request as the server read it off the socket, and the parser that reads it.

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::Instant;

/// One request as the server saw it: nothing is normalised except header-name lookups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method, as sent (`GET`, `POST`, ...).
    pub method: String,
    /// The request target, with its query (`/api/v1/version?x=1`).
    pub target: String,
    /// The headers in the order they came, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
    /// When the head was read, on tokio's clock (paused in tests).
    pub at: Instant,
    /// The 0-based number of this request on its server.
    pub index: usize,
    /// The server's own base URL (`http://127.0.0.1:port`), for replies that point back at it.
    pub origin: String,
}

impl Request {
    /// The first value of a header, looked up case-insensitively.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The target without its query.
    #[must_use]
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// `METHOD target`, the way logs print a request.
    #[must_use]
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }

    /// The body as text (lossy).
    #[must_use]
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The method, target, headers and body of one request.
pub(crate) struct Parsed {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// Reads one request, head and body (`Content-Length` or chunked); `None` when the peer went
/// away first or sent no request line.
pub(crate) async fn read(stream: &mut (impl AsyncRead + Unpin)) -> Option<Parsed> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(at) = find(&buf, b"\r\n\r\n") {
            break at + 4;
        }
        read_more(stream, &mut buf).await?;
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let value = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let mut rest = buf.split_off(head_end);
    let body = if value("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(stream, &mut rest).await?
    } else {
        let length = value("content-length").and_then(|v| v.parse::<usize>().ok());
        let length = length.unwrap_or(0);
        while rest.len() < length {
            read_more(stream, &mut rest).await?;
        }
        rest.truncate(length);
        rest
    };
    Some(Parsed {
        method,
        target,
        headers,
        body,
    })
}

async fn read_chunked(stream: &mut (impl AsyncRead + Unpin), buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    let mut at = 0;
    loop {
        let line_end = loop {
            if let Some(end) = find(&buf[at..], b"\r\n") {
                break at + end;
            }
            read_more(stream, buf).await?;
        };
        let size_text = String::from_utf8_lossy(&buf[at..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        at = line_end + 2;
        if size == 0 {
            while find(&buf[at..], b"\r\n").is_none() {
                read_more(stream, buf).await?;
            }
            return Some(body);
        }
        while buf.len() < at + size + 2 {
            read_more(stream, buf).await?;
        }
        body.extend_from_slice(&buf[at..at + size]);
        at += size + 2;
    }
}

async fn read_more(stream: &mut (impl AsyncRead + Unpin), buf: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 8192];
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
