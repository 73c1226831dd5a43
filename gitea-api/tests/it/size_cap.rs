//! The file-size cap holds while the answer is read: a file over the limit is refused naming
//! it, and a server that omits or misstates `Content-Length` is read no further than files of
//! that size can take, so memory stays bounded by requests in flight × cap.

use gitea_api::{Client, DEFAULT_MAX_FILE_BYTES, Token};
use loopback::{Reply, Server};

use crate::common::{ORG, REPO, TOKEN, client, fake};

const MIB: usize = 1024 * 1024;

#[tokio::test(start_paused = true)]
async fn a_file_over_the_limit_is_refused_naming_it_and_one_at_the_limit_is_read() {
    assert_eq!(DEFAULT_MAX_FILE_BYTES, MIB);
    let fake = fake().await;
    let at_limit = vec![b'1'; MIB];
    let over = vec![b'x'; MIB + 1];
    let files: [(&str, &[u8]); 2] = [("runtime-version", &at_limit), ("requirements.txt", &over)];
    fake.store()
        .commit_files(ORG, REPO, "main", &files, "large files")
        .unwrap();
    let client = client(&fake);

    let file = client
        .get_contents(ORG, REPO, "runtime-version", None)
        .await
        .unwrap();
    assert_eq!(file.bytes.len(), MIB);
    for err in [
        client
            .get_contents(ORG, REPO, "requirements.txt", None)
            .await
            .unwrap_err(),
        client
            .get_file_contents(ORG, REPO, &["runtime-version", "requirements.txt"], None)
            .await
            .unwrap_err(),
    ] {
        assert!(err.is_too_large(), "{err:?}");
        let shown = err.to_string();
        assert!(
            shown.contains("\"requirements.txt\" (1048577 bytes) is over the 1 MiB limit"),
            "{shown}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_smaller_limit_is_the_clients_own() {
    let fake = fake().await;
    let client = Client::builder(fake.base_url())
        .token(Token::new(TOKEN))
        .max_file_bytes(3)
        .build()
        .unwrap();
    let err = client
        .get_contents(ORG, REPO, "runtime-version", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("over the 3-byte limit"), "{err}");
}

/// A server whose file answers never end: a GiB of body, with no `Content-Length` or one that
/// claims the whole GiB.
async fn endless(reply: fn() -> Reply) -> Server {
    Server::handler(move |request| match request.path() {
        "/api/v1/version" => Reply::json(200, r#"{"version":"1.26.4"}"#),
        _ => reply(),
    })
    .await
}

const GIB: u64 = 1 << 30;

fn omitted() -> Reply {
    Reply::status(200).repeated_body(b'A', GIB).without_length()
}

fn claimed() -> Reply {
    Reply::status(200)
        .repeated_body(b'A', GIB)
        .declaring_length(GIB)
}

#[tokio::test(start_paused = true)]
async fn an_answer_without_or_with_a_huge_content_length_is_cut_at_the_cap() {
    for reply in [omitted as fn() -> Reply, claimed] {
        for paths in [
            &["requirements.txt"][..],
            &["runtime-version", "requirements.txt"],
        ] {
            let server = endless(reply).await;
            let client = Client::builder(server.base_url()).build().unwrap();
            let err = if paths.len() == 1 {
                client.get_contents(ORG, REPO, paths[0], None).await.err()
            } else {
                client.get_file_contents(ORG, REPO, paths, None).await.err()
            }
            .expect("refused");
            assert!(err.is_too_large(), "{err:?}");
            let shown = err.to_string();
            let named: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
            let what = format!("the answer for {} (past", named.join(", "));
            assert!(
                shown.contains(&what) && shown.contains("still coming"),
                "{shown}"
            );
            // Without the cap the general 64 MiB response limit would have been read; the
            // rest of what was sent sits in socket buffers (about 6 MiB here).
            let sent = server.body_bytes_sent();
            assert!(
                sent < 32 * MIB as u64,
                "{sent} bytes sent before the client stopped"
            );
        }
    }
}
