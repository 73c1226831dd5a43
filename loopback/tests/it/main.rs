//! The server's behaviours, seen from a raw TCP client so nothing in between hides them.

use std::time::Duration;

use loopback::{Reply, Server, dead_url};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends `request` raw and reads until the server closes; the error if the read fails.
async fn exchange(server: &Server, request: &str) -> std::io::Result<String> {
    let address = server.base_url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(address).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn body_of(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

#[tokio::test(start_paused = true)]
async fn a_script_answers_in_order_and_repeats_its_last_step() {
    let server = Server::scripted(vec![Reply::status(503), Reply::json(200, "{}")]).await;
    let get = "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n";
    let statuses: Vec<String> = [
        exchange(&server, get).await.unwrap(),
        exchange(&server, get).await.unwrap(),
        exchange(&server, get).await.unwrap(),
    ]
    .iter()
    .map(|r| r.lines().next().unwrap().to_owned())
    .collect();
    assert_eq!(
        statuses,
        [
            "HTTP/1.1 503 Loopback",
            "HTTP/1.1 200 Loopback",
            "HTTP/1.1 200 Loopback"
        ]
    );
    assert_eq!(server.lines(), ["GET /a?x=1", "GET /a?x=1", "GET /a?x=1"]);
}

#[tokio::test(start_paused = true)]
async fn each_request_is_recorded_with_headers_and_body_plain_or_chunked() {
    let server = Server::handler(|_| Reply::status(201)).await;
    let plain = "POST /p HTTP/1.1\r\nAuthorization: token t1\r\nContent-Length: 5\r\n\r\nhello";
    let chunked =
        "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
    exchange(&server, plain).await.unwrap();
    exchange(&server, chunked).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path(), "/p");
    assert_eq!(requests[0].header("authorization"), Some("token t1"));
    assert_eq!(requests[0].body, b"hello");
    assert_eq!(requests[1].line(), "PUT /c");
    assert_eq!(requests[1].body_text(), "abcde");
    assert_eq!(requests[1].index, 1);
}

#[tokio::test(start_paused = true)]
async fn a_redirect_names_its_target_and_a_handler_knows_its_own_origin() {
    let server =
        Server::handler(|request| Reply::redirect(307, format!("{}/next", request.origin))).await;
    let response = exchange(&server, "GET / HTTP/1.1\r\n\r\n").await.unwrap();
    assert!(response.starts_with("HTTP/1.1 307 "), "{response}");
    assert!(
        response.contains(&format!("Location: {}/next\r\n", server.base_url())),
        "{response}"
    );
}

#[tokio::test(start_paused = true)]
async fn echoed_headers_come_back_as_json() {
    let server = Server::scripted(vec![Reply::echo_headers(400)]).await;
    let response = exchange(
        &server,
        "GET / HTTP/1.1\r\nAuthorization: token \"s\"\r\n\r\n",
    )
    .await
    .unwrap();
    assert_eq!(body_of(&response), r#"{"Authorization":"token \"s\""}"#);
}

#[tokio::test(start_paused = true)]
async fn a_cut_body_declares_its_full_length_and_stops_short() {
    let server = Server::scripted(vec![Reply::json(200, "0123456789").cut_after(4)]).await;
    let response = exchange(&server, "GET / HTTP/1.1\r\n\r\n").await.unwrap();
    assert!(response.contains("Content-Length: 10\r\n"), "{response}");
    assert_eq!(body_of(&response), "0123");
    assert_eq!(server.body_bytes_sent(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_body_can_omit_or_misstate_its_length() {
    let server = Server::scripted(vec![
        Reply::status(200)
            .repeated_body(b'a', 100_000)
            .without_length(),
        Reply::status(200).body("abc").declaring_length(1),
    ])
    .await;
    let omitted = exchange(&server, "GET / HTTP/1.1\r\n\r\n").await.unwrap();
    assert!(
        !omitted.to_ascii_lowercase().contains("content-length"),
        "{omitted}"
    );
    assert_eq!(body_of(&omitted).len(), 100_000);
    let lying = exchange(&server, "GET / HTTP/1.1\r\n\r\n").await.unwrap();
    assert!(lying.contains("Content-Length: 1\r\n"), "{lying}");
    assert_eq!(body_of(&lying), "abc");
}

#[tokio::test(start_paused = true)]
async fn reset_and_close_answer_nothing_in_their_own_way() {
    let server = Server::scripted(vec![Reply::reset(), Reply::close()]).await;
    let reset = exchange(&server, "GET / HTTP/1.1\r\n\r\n").await;
    assert_eq!(
        reset.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::ConnectionReset)
    );
    let closed = exchange(&server, "GET / HTTP/1.1\r\n\r\n").await.unwrap();
    assert_eq!(closed, "");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_hang_never_answers_until_the_server_is_dropped() {
    let server = Server::scripted(vec![Reply::hang()]).await;
    let waited = tokio::time::timeout(
        Duration::from_secs(3600),
        exchange(&server, "GET / HTTP/1.1\r\n\r\n"),
    )
    .await;
    assert!(waited.is_err(), "{waited:?}");

    let address = server.base_url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
    while server.requests().len() < 2 {
        tokio::task::yield_now().await;
    }
    drop(server);
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(1), stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the connection outlived its server");
}

#[tokio::test(start_paused = true)]
async fn a_delay_runs_on_the_paused_clock() {
    let server = Server::scripted(vec![Reply::status(200).delayed(Duration::from_secs(600))]).await;
    let started = tokio::time::Instant::now();
    exchange(&server, "GET / HTTP/1.1\r\n\r\n").await.unwrap();
    exchange(&server, "GET / HTTP/1.1\r\n\r\n").await.unwrap();
    assert_eq!(started.elapsed().as_secs(), 1200);
    assert_eq!(server.gaps_ms(), [600_000]);
}

#[tokio::test(start_paused = true)]
async fn nobody_listens_on_a_dead_url() {
    let url = dead_url();
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    assert!(TcpStream::connect(address).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn an_awaiting_close_reply_records_when_the_client_let_go() {
    let server = Server::scripted(vec![Reply::json(200, "{}").awaiting_close()]).await;
    let address = server.base_url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(server.closes().is_empty(), "the connection is still open");
    let held = tokio::time::Instant::now();
    drop(stream);
    while server.closes().is_empty() {
        tokio::task::yield_now().await;
    }
    let closes = server.closes();
    assert_eq!((closes[0].index, closes[0].at), (0, held));
}
