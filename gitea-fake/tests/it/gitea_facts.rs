//! Facts read in Gitea 1.26.4's handlers, services and integration tests where the fake once
//! differed; each test names the Gitea code or test it follows.

use crate::common::{Resp, b64, blob_sha, call, fake, get, get_anon, send};
use gitea_fake::{FakeGitea, PullState, RepoOptions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CONTENTS: &str = "/api/v1/repos/acme/app/contents";
const BUMP: &str = "bump/runtime-2.0.0";

async fn post(f: &FakeGitea, path: &str, body: &Value) -> Resp {
    send(f, Method::POST, path, &body.to_string()).await
}

/// handleGetFileContents and the binding of GetFilesOptions (`Files … binding:"Required"`):
/// the POST binds, the GET form decodes `body` itself.
#[tokio::test]
async fn batch_read_binds_files_like_get_file_contents_post_and_get() {
    let f = fake().await;
    let auth = format!("token {}", crate::common::TOKEN);
    let path = "/api/v1/repos/acme/app/file-contents";
    for body in [r#"{"files":[]}"#, "{}"] {
        let r = call(&f, Method::POST, path, Some(&auth), Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.message(), "[Files]: Required");
    }
    let empty = get(&f, &format!("{path}?body=%7B%22files%22%3A%5B%5D%7D")).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.json(), json!([]));
    for query in ["", "?body=", "?body=%7Bnot-json", "?body=%5B1%5D"] {
        let r = get(&f, &format!("{path}{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(r.message(), "invalid body parameter");
    }
    let missing_ref = get(
        &f,
        &format!("{path}?ref=nope&body=%7B%22files%22%3A%5B%22a%22%5D%7D"),
    )
    .await;
    assert_eq!(missing_ref.status, StatusCode::NOT_FOUND);
}

/// changeFilesCommitMessage (routers/api/v1/repo/file.go), as TestAPIChangeFiles expects:
/// "Add %v\nUpdate %v\nDelete %v\n".
#[tokio::test]
async fn change_files_without_a_message_writes_one_line_per_kind_like_test_api_change_files() {
    let f = fake().await;
    f.store()
        .commit_files("acme", "app", "main", &[("old.txt", b"o")], "seed")
        .unwrap();
    let body = json!({"files": [
        {"operation": "create", "path": "new/a.txt", "content": b64("a")},
        {"operation": "update", "path": "runtime-version", "content": b64("2.0.0\n")},
        {"operation": "create", "path": "new/b.txt", "content": b64("b")},
        {"operation": "delete", "path": "old.txt"},
    ]});
    let r = post(&f, CONTENTS, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.json()["commit"]["message"],
        "Add new/a.txt, new/b.txt\nUpdate runtime-version\nDelete old.txt\n"
    );
    let one = json!({"files": [{"operation": "create", "path": "c.txt", "content": b64("c")}]});
    let r = post(&f, CONTENTS, &one).await;
    assert_eq!(r.json()["commit"]["message"], "Add c.txt\n");
}

/// handleCheckErrors (services/repository/files/update.go): without `sha`, the last commit
/// id is the branch head, so an update or delete goes through; the file must still exist.
#[tokio::test]
async fn update_and_delete_without_sha_are_accepted_like_change_repo_files() {
    let f = fake().await;
    let body = json!({"files": [
        {"operation": "update", "path": "runtime-version", "content": b64("3.0.0\n")},
        {"operation": "delete", "path": "requirements.txt"},
    ]});
    let r = post(&f, CONTENTS, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let store = f.store();
    assert_eq!(
        store
            .file("acme", "app", "main", "runtime-version")
            .unwrap(),
        b"3.0.0\n"
    );
    assert!(
        store
            .file("acme", "app", "main", "requirements.txt")
            .is_none()
    );
    let gone = json!({"files": [{"operation": "update", "path": "nope", "content": b64("x")}]});
    let r = post(&f, CONTENTS, &gone).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.message(), "object does not exist [id: , rel_path: nope]");
}

/// ChangeRepoFiles with ForcePush (1.26) and TestAPIChangeFiles' "creating a file in a branch
/// that already exists with force": the branch is rebuilt from `branch` plus the change.
#[tokio::test]
async fn force_push_rebuilds_an_existing_branch_like_test_api_change_files() {
    let f = fake().await;
    let store = f.store();
    store.create_branch("acme", "app", BUMP, "main");
    store
        .commit_files("acme", "app", BUMP, &[("stray.txt", b"s")], "someone else")
        .unwrap();
    let change = |force: bool| {
        json!({"branch": "main", "new_branch": BUMP, "force_push": force, "message": "Bump",
               "files": [{"operation": "update", "path": "runtime-version",
                          "content": b64("2.0.0\n"), "sha": blob_sha(b"1.0.0\n")}]})
    };
    let refused = post(&f, CONTENTS, &change(false)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.message(),
        format!("branch already exists [name: {BUMP}]")
    );
    let forced = post(&f, CONTENTS, &change(true)).await;
    assert_eq!(forced.status, StatusCode::CREATED, "{}", forced.text);
    let parent = &forced.json()["commit"]["parents"][0]["sha"];
    assert_eq!(
        parent.as_str(),
        store.branch_head("acme", "app", "main").as_deref()
    );
    assert_eq!(
        store.files("acme", "app", BUMP),
        ["requirements.txt", "runtime-version"]
    );
    assert_eq!(
        store.file("acme", "app", BUMP, "runtime-version").unwrap(),
        b"2.0.0\n"
    );

    // Before 1.26 the field does not exist, and the branch stays refused.
    let old = FakeGitea::builder()
        .version("1.25.5")
        .start()
        .await
        .unwrap();
    crate::common::seed(&old);
    old.store().create_branch("acme", "app", BUMP, "main");
    let r = post(&old, CONTENTS, &change(true)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// TestEmptyRepoAddFileByAPI (tests/integration/empty_repo_test.go): the first commit into
/// an empty repository, on `new_branch`, makes that branch the default one.
#[tokio::test]
async fn first_commit_makes_new_branch_the_default_like_test_empty_repo_add_file_by_api() {
    let f = fake().await;
    let opts = RepoOptions {
        empty: true,
        ..RepoOptions::default()
    };
    f.store().create_repo("acme", "void", opts);
    let body = json!({"new_branch": "new_branch", "message": "init", "content": b64("newly-added-api-file")});
    let r = send(
        &f,
        Method::PUT,
        "/api/v1/repos/acme/void/contents/new-file.txt",
        &body.to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.json()["content"]["html_url"],
        format!(
            "{}/acme/void/src/branch/new_branch/new-file.txt",
            f.base_url()
        )
    );
    let repo = get(&f, "/api/v1/repos/acme/void").await.json();
    assert_eq!(repo["default_branch"], "new_branch");
    assert_eq!(repo["empty"], false);
}

/// CleanGitTreePath (services/repository/files/file.go) cleans each path as
/// `path.Clean("/" + p)` does and refuses only `.git` components.
#[tokio::test]
async fn tree_paths_are_cleaned_like_clean_git_tree_path() {
    let f = fake().await;
    let body =
        json!({"files": [{"operation": "create", "path": "../docs/./x.md", "content": b64("x")}]});
    let r = post(&f, CONTENTS, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["files"][0]["path"], "docs/x.md");
    assert_eq!(
        f.store().file("acme", "app", "main", "docs/x.md").unwrap(),
        b"x"
    );
    let nested = json!({"files": [{"operation": "create", "path": "runtime-version/x", "content": b64("x")}]});
    let r = post(&f, CONTENTS, &nested).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.message(),
        "a file exists where you\u{2019}re trying to create a subdirectory [path: runtime-version]"
    );
}

/// applySorts (models/issues/issue_search.go) behind ListPullRequests.
#[tokio::test]
async fn pulls_sort_oldest_is_honoured_like_apply_sorts() {
    let f = fake().await;
    for i in 1..=3 {
        let head = format!("f{i}");
        f.store().create_branch("acme", "app", &head, "main");
        f.store()
            .create_pull("acme", "app", &head, "main", "t", "", PullState::Open);
    }
    let numbers = |r: Resp| -> Vec<i64> {
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["number"].as_i64().unwrap())
            .collect()
    };
    let pulls = "/api/v1/repos/acme/app/pulls?state=open";
    assert_eq!(numbers(get(&f, pulls).await), [3, 2, 1]);
    assert_eq!(
        numbers(get(&f, &format!("{pulls}&sort=oldest")).await),
        [1, 2, 3]
    );
    assert_eq!(
        numbers(get(&f, &format!("{pulls}&sort=leastupdate")).await),
        [1, 2, 3]
    );
    assert_eq!(
        numbers(get(&f, &format!("{pulls}&base_branch=main")).await),
        [3, 2, 1]
    );
    assert!(numbers(get(&f, &format!("{pulls}&base_branch=dev")).await).is_empty());
}

/// ToAPIPullRequest (services/convert/pull.go): `Assignees: util.SliceNilAsEmpty(…)`.
#[tokio::test]
async fn assignees_are_an_empty_list_like_to_api_pull_request() {
    let f = fake().await;
    f.store().create_branch("acme", "app", BUMP, "main");
    let n = f
        .store()
        .create_pull("acme", "app", BUMP, "main", "t", "", PullState::Open);
    let v = get(&f, &format!("/api/v1/repos/acme/app/pulls/{n}"))
        .await
        .json();
    assert_eq!(v["assignees"], json!([]));
    assert_eq!(v["requested_reviewers"], json!([]));
    assert_eq!(v["assignee"], Value::Null);
}

/// GetHeadOwnerAndRepo (routers/common/compare.go) behind CreatePullRequest: another owner
/// without a fork is a 400; an unknown owner a 404.
#[tokio::test]
async fn head_of_another_user_without_a_fork_is_400_like_get_head_owner_and_repo() {
    let f = fake().await;
    f.store().add_user("otheruser");
    f.store().create_branch("acme", "app", BUMP, "main");
    let pr = |head: &str| json!({"head": head, "base": "main", "title": "Bump"});
    let pulls = "/api/v1/repos/acme/app/pulls";
    let r = post(&f, pulls, &pr(&format!("otheruser:{BUMP}"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.message(),
        "the user otheruser does not have a fork of the base repository"
    );
    let r = post(&f, pulls, &pr(&format!("ghost:{BUMP}"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = post(&f, pulls, &pr(&format!("otheruser/app:{BUMP}"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = post(&f, pulls, &pr(&format!("acme/app:{BUMP}"))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["head"]["ref"], BUMP);
    assert!(f.store().pulls("otheruser", "app").is_empty());
}

/// ToAPIPullRequest: once the head branch is gone, `head.ref` is `pr.GetGitHeadRefName()`
/// (`refs/pull/N/head`) while `head.label` keeps the branch; deleting the branch closed the
/// PR (AdjustPullsCausedByBranchDeleted, services/pull/pull.go).
#[tokio::test]
async fn deleted_head_branch_reads_refs_pull_like_to_api_pull_request() {
    let f = fake().await;
    let store = f.store();
    store.create_branch("acme", "app", BUMP, "main");
    store
        .commit_files(
            "acme",
            "app",
            BUMP,
            &[("runtime-version", b"2.0.0\n")],
            "bump",
        )
        .unwrap();
    let head = store.branch_head("acme", "app", BUMP).unwrap();
    store.create_branch("acme", "app", "dev", "main");
    let n = store.create_pull("acme", "app", BUMP, "main", "Bump", "", PullState::Open);
    let child = store.create_pull("acme", "app", "main", "dev", "Child", "", PullState::Open);
    assert!(store.delete_branch("acme", "app", BUMP));
    assert!(store.delete_branch("acme", "app", "dev"));
    assert!(!store.delete_branch("acme", "app", "dev"));
    let v = get(&f, &format!("/api/v1/repos/acme/app/pulls/{n}"))
        .await
        .json();
    assert_eq!(v["head"]["ref"], format!("refs/pull/{n}/head"));
    assert_eq!(v["head"]["label"], BUMP);
    assert_eq!(v["head"]["sha"], head);
    assert_eq!(v["state"], "closed");
    assert_eq!(v["merged"], false);
    // The lookup by base and head still finds it: Gitea matches on the stored head branch.
    let by = get(&f, &format!("/api/v1/repos/acme/app/pulls/main/{BUMP}")).await;
    assert_eq!(by.json()["number"], n);
    // A PR into the deleted branch is retargeted (RetargetChildrenOnMerge, on by default).
    let c = get(&f, &format!("/api/v1/repos/acme/app/pulls/{child}"))
        .await
        .json();
    assert_eq!(c["base"]["ref"], "main");
    assert_eq!(c["state"], "open");
}

/// The version rule shared with the gitea-api client: Forgejo answers
/// `11.0.1+gitea-1.22.0` and has what Gitea 1.22 has; a dev build `1.27.0+dev-12-gabc1234`
/// is 1.27; `development` (a build without a version) has everything.
#[tokio::test]
async fn forgejo_and_dev_versions_are_served_and_gated_by_their_gitea_level() {
    let cases = [
        ("11.0.1+gitea-1.22.0", true, false),
        ("1.27.0+dev-12-gabc1234", true, true),
        ("development", true, true),
        ("1.21.11", false, false),
    ];
    for (version, by_base_head, batch) in cases {
        let f = FakeGitea::builder().version(version).start().await.unwrap();
        crate::common::seed(&f);
        f.store().create_branch("acme", "app", BUMP, "main");
        f.store()
            .create_pull("acme", "app", BUMP, "main", "t", "", PullState::Open);
        assert_eq!(
            get_anon(&f, "/api/v1/version").await.json(),
            json!({"version": version})
        );
        let pr = get(&f, &format!("/api/v1/repos/acme/app/pulls/main/{BUMP}")).await;
        assert_eq!(pr.status == StatusCode::OK, by_base_head, "{version}");
        let files = get(
            &f,
            "/api/v1/repos/acme/app/file-contents?body=%7B%22files%22%3A%5B%22runtime-version%22%5D%7D",
        )
        .await;
        assert_eq!(files.status == StatusCode::OK, batch, "{version}");
    }
}

/// ChangeFiles (routers/api/v1/repo/file.go) passes `author` and `committer` on as
/// IdentityOptions; CommitTree's makeGitUserSignature (services/repository/files/temp_repo.go)
/// fills each empty field from the other identity, then from the doer: an author alone is the
/// committer too, and neither is the token's user. ToCommit (services/convert) then shows each
/// identity in `commit` and, at the top level, the user its e-mail belongs to (GetUserByEmail),
/// `null` when it is nobody's.
#[tokio::test]
async fn change_files_author_and_committer_like_make_git_user_signature() {
    let f = fake().await;
    f.store().add_user("alice");
    let bot = json!({"name": "Platform Bot", "email": "platform-bot@example.com"});
    let alice = json!({"name": "Alice", "email": "Alice@noreply.localhost"});
    let cases = [
        (
            "both",
            json!({"author": bot, "committer": alice}),
            (&bot, &alice),
        ),
        ("author only", json!({"author": bot}), (&bot, &bot)),
        (
            "committer only",
            json!({"committer": alice}),
            (&alice, &alice),
        ),
        (
            "a name only",
            json!({"author": {"name": "Platform Bot"}}),
            (
                &json!({"name": "Platform Bot", "email": "bot@noreply.localhost"}),
                &json!({"name": "Platform Bot", "email": "bot@noreply.localhost"}),
            ),
        ),
        (
            "neither",
            json!({"author": null}),
            (
                &json!({"name": "bot", "email": "bot@noreply.localhost"}),
                &json!({"name": "bot", "email": "bot@noreply.localhost"}),
            ),
        ),
    ];
    for (i, (case, identities, (author, committer))) in cases.iter().enumerate() {
        let branch = format!("b{i}");
        let mut body = json!({
            "new_branch": branch,
            "files": [{"operation": "create", "path": format!("f{i}"), "content": b64("x")}],
        });
        for (key, value) in identities.as_object().unwrap() {
            body[key] = value.clone();
        }
        let r = post(&f, CONTENTS, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{case}: {}", r.text);
        let written = &r.json()["commit"];
        for (who, want) in [("author", author), ("committer", committer)] {
            assert_eq!(written[who]["name"], want["name"], "{case}: {who}");
            assert_eq!(written[who]["email"], want["email"], "{case}: {who}");
        }
        let listed = get(
            &f,
            &format!("/api/v1/repos/acme/app/commits?sha={branch}&limit=1"),
        )
        .await
        .json();
        let listed = &listed[0];
        for (who, want) in [("author", author), ("committer", committer)] {
            assert_eq!(listed["commit"][who]["name"], want["name"], "{case}: {who}");
            assert_eq!(
                listed["commit"][who]["email"], want["email"],
                "{case}: {who}"
            );
            assert!(listed["commit"][who]["date"].is_string(), "{case}: {who}");
            let email = want["email"].as_str().unwrap().to_lowercase();
            let user = match email.as_str() {
                "bot@noreply.localhost" => json!("bot"),
                "alice@noreply.localhost" => json!("alice"),
                _ => Value::Null,
            };
            assert_eq!(
                listed[who]["login"].clone(),
                user,
                "{case}: top-level {who}"
            );
            if user.is_null() {
                assert!(listed[who].is_null(), "{case}: {who} is nobody's");
            }
        }
        let branch_head = get(&f, &format!("/api/v1/repos/acme/app/branches/{branch}"))
            .await
            .json();
        assert_eq!(
            branch_head["commit"]["author"]["name"], author["name"],
            "{case}"
        );
    }
}
