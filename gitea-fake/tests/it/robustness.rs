//! Hostile input never panics the fake: every answer is a Gitea-shaped JSON body.

use crate::common::{call, fake};
use reqwest::Method;

#[tokio::test]
async fn odd_paths_and_queries_get_gitea_answers() {
    let f = fake().await;
    let auth = format!("token {}", crate::common::TOKEN);
    for path in [
        "/api/v1/repos/%FF/x",
        "/api/v1/repos/acme/app/contents/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/repos/acme/app/contents/%00",
        "/api/v1/repos/acme/app/branches/%",
        "/api/v1/repos/acme/app/pulls?limit=99999999999999999999999&page=-9223372036854775808",
        "/api/v1/repos/acme/app/pulls?page=18446744073709551615&limit=50",
        "/api/v1/repos/acme/app/pulls?state=%ZZ&&&=&limit",
        "/api/v1/repos/acme/app/pulls/-1",
        "/api/v1/repos/acme/app/pulls/main/",
        "/api/v1/repos/acme/app/contents/runtime-version?ref=",
        "/api/v1/repos/acme/app/contents/runtime-version?ref=..",
        "/api/v1/orgs/acme/repos?limit=0&page=0",
        "/api/v1/",
        "/",
    ] {
        let r = call(&f, Method::GET, path, Some(&auth), None).await;
        assert!(r.status.as_u16() < 500, "{path}: {}", r.status);
    }
}

#[tokio::test]
async fn odd_bodies_get_422_or_clean_errors() {
    let f = fake().await;
    let auth = format!("token {}", crate::common::TOKEN);
    let bodies = [
        "",
        "null",
        "[]",
        "42",
        "\"str\"",
        "{\"files\":null}",
        "{\"files\":[null]}",
        "{\"files\":[{}]}",
        "{\"files\":[{\"operation\":\"explode\",\"path\":\"x\"}]}",
        "{\"files\":[{\"operation\":\"create\",\"path\":\"\"}]}",
        "{\"head\":[],\"base\":{},\"title\":null}",
        "{\"labels\":[\"x\"]}",
        "{\"content\":\"====\"}",
        "{\"new_branch_name\":\"a b\"}",
        "{\"new_branch_name\":\"x\",\"old_ref_name\":\"\"}",
    ];
    let targets = [
        (Method::POST, "/api/v1/repos/acme/app/contents"),
        (Method::PUT, "/api/v1/repos/acme/app/contents/x.txt"),
        (Method::POST, "/api/v1/repos/acme/app/pulls"),
        (Method::POST, "/api/v1/repos/acme/app/branches"),
        (Method::POST, "/api/v1/repos/acme/app/file-contents"),
    ];
    for (m, path) in targets {
        for body in bodies {
            let r = call(&f, m.clone(), path, Some(&auth), Some(body)).await;
            // Gitea's own 500: ChangeRepoFiles rejects an unknown operation after binding.
            let unknown_op = body.contains("explode") && path.ends_with("/contents");
            if unknown_op {
                assert_eq!(r.status.as_u16(), 500, "{m} {path} {body}: {}", r.text);
                continue;
            }
            assert!(
                r.status.as_u16() < 500,
                "{m} {path} {body}: {} {}",
                r.status,
                r.text
            );
        }
    }
}
