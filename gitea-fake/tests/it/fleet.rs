//! The seeded fleet, observed through HTTP as a client would see it.

use crate::common::{b64, get};
use gitea_fake::fleet::{self, ConsumerState, FleetSpec};
use gitea_fake::{FakeGitea, Scope};
use reqwest::StatusCode;

async fn demo() -> (FakeGitea, Vec<fleet::SeededConsumer>) {
    let f = FakeGitea::start().await.unwrap();
    f.store()
        .add_token(crate::common::TOKEN, "bot", Scope::Write);
    let seeded = fleet::seed_fleet(f.store(), &fleet::demo_fleet_spec());
    (f, seeded)
}

fn name_of(seeded: &[fleet::SeededConsumer], state: ConsumerState) -> String {
    seeded
        .iter()
        .find(|c| c.state == state)
        .unwrap()
        .full_name
        .clone()
}

async fn file(
    f: &FakeGitea,
    repo: &str,
    path: &str,
    git_ref: &str,
) -> (StatusCode, Option<String>) {
    let r = get(
        f,
        &format!("/api/v1/repos/{repo}/contents/{path}?ref={git_ref}"),
    )
    .await;
    let content = r.json()["content"].as_str().map(str::to_owned);
    (r.status, content)
}

#[tokio::test]
async fn demo_fleet_states_are_visible_over_http() {
    let (f, seeded) = demo().await;
    assert!(seeded.len() >= 12);
    let spec = fleet::demo_fleet_spec();
    assert_eq!(spec.org, "platform");
    // The runtime repository announces the new version.
    let (_, rv) = file(&f, "platform/runtime", "runtime-version", "main").await;
    assert_eq!(rv, Some(b64("1.5.0\n")));

    let versions = [
        (ConsumerState::Behind, "1.4.2\n"),
        (ConsumerState::UpToDate, "1.5.0\n"),
        (ConsumerState::Ahead, "1.6.0\n"),
        (ConsumerState::Crlf, "1.4.2\r\n"),
    ];
    for (state, version) in versions {
        let repo = name_of(&seeded, state);
        let (_, rv) = file(&f, &repo, "runtime-version", "main").await;
        assert_eq!(rv, Some(b64(version)), "{state:?}");
    }
    let missing = name_of(&seeded, ConsumerState::MissingVersionFile);
    assert_eq!(
        file(&f, &missing, "runtime-version", "main").await.0,
        StatusCode::NOT_FOUND
    );

    let orphan = name_of(&seeded, ConsumerState::Orphan);
    let branch = get(
        &f,
        &format!("/api/v1/repos/{orphan}/branches/bump%2Fruntime-1.5.0"),
    )
    .await;
    assert_eq!(branch.status, StatusCode::OK);
    let open = get(&f, &format!("/api/v1/repos/{orphan}/pulls?state=open")).await;
    assert_eq!(open.header("x-total-count"), Some("0"));

    let open_pr = name_of(&seeded, ConsumerState::OpenPr);
    let pr = get(
        &f,
        &format!("/api/v1/repos/{open_pr}/pulls/main/bump/runtime-1.5.0"),
    )
    .await;
    assert_eq!(pr.json()["state"], "open");
    let declined = name_of(&seeded, ConsumerState::Declined);
    let pr = get(
        &f,
        &format!("/api/v1/repos/{declined}/pulls/main/bump/runtime-1.5.0"),
    )
    .await;
    assert_eq!(pr.json()["state"], "closed");
    assert_eq!(pr.json()["merged"], false);

    let foreign = name_of(&seeded, ConsumerState::ForeignBranch);
    let (_, rv) = file(&f, &foreign, "runtime-version", "bump/runtime-1.5.0").await;
    assert_eq!(rv, Some(b64("1.4.2\n")));
    let (_, reqs) = file(&f, &foreign, "requirements.txt", "bump/runtime-1.5.0").await;
    assert!(decode(&reqs.unwrap()).ends_with("httpx==0.27.2\n"));
    let branch = get(
        &f,
        &format!("/api/v1/repos/{foreign}/branches/bump/runtime-1.5.0"),
    )
    .await;
    assert_eq!(
        branch.json()["commit"]["message"],
        "WIP: try the new runtime\n"
    );
    let branch = get(
        &f,
        &format!("/api/v1/repos/{orphan}/branches/bump/runtime-1.5.0"),
    )
    .await;
    assert_eq!(
        branch.json()["commit"]["message"],
        "Bump platform-runtime to 1.5.0\n"
    );

    let archived = name_of(&seeded, ConsumerState::Archived);
    assert_eq!(
        get(&f, &format!("/api/v1/repos/{archived}")).await.json()["archived"],
        true
    );
    let empty = name_of(&seeded, ConsumerState::Empty);
    assert_eq!(
        get(&f, &format!("/api/v1/repos/{empty}")).await.json()["empty"],
        true
    );

    let style = name_of(&seeded, ConsumerState::OtherPinStyle);
    let (_, reqs) = file(&f, &style, "requirements.txt", "main").await;
    let text = decode(&reqs.unwrap());
    assert!(
        text.contains("Platform_Runtime[extra]==1.4.2 ; python_version >= \"3.9\"  # pinned\n"),
        "{text}"
    );
    let no_pin = name_of(&seeded, ConsumerState::NoPin);
    let (_, reqs) = file(&f, &no_pin, "requirements.txt", "main").await;
    let text = decode(&reqs.unwrap());
    assert!(text.contains("platform-runtime>=1.4\n") && !text.contains("platform-runtime=="));

    let behind = name_of(&seeded, ConsumerState::Behind);
    let labels = get(&f, &format!("/api/v1/repos/{behind}/labels")).await;
    assert_eq!(labels.json()[0]["name"], "dependencies");
}

fn decode(b64: &str) -> String {
    use base64::Engine as _;
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn orphan_branch_differs_from_main_only_by_the_bump() {
    let f = FakeGitea::start().await.unwrap();
    let spec = FleetSpec {
        org: "o".into(),
        package: "rt".into(),
        old_version: "2.0.0".into(),
        new_version: "2.1.0".into(),
        consumers: vec![
            ("c".into(), ConsumerState::Orphan),
            ("w".into(), ConsumerState::Crlf),
        ],
    };
    let seeded = fleet::seed_fleet(f.store(), &spec);
    assert_eq!(seeded.len(), 2);
    let s = f.store();
    let b = fleet::bump_branch("2.1.0");
    let mut main_files = s.files("o", "c", "main");
    let mut bump_files = s.files("o", "c", &b);
    main_files.sort();
    bump_files.sort();
    assert_eq!(main_files, bump_files);
    for path in main_files {
        let (m, n) = (
            s.file("o", "c", "main", &path).unwrap(),
            s.file("o", "c", &b, &path).unwrap(),
        );
        let expected = String::from_utf8(m).unwrap().replace("2.0.0", "2.1.0");
        assert_eq!(String::from_utf8(n).unwrap(), expected, "{path}");
    }
    assert!(s.pulls("o", "c").is_empty());
    assert_eq!(
        s.commit_messages("o", "c", &b).len(),
        s.commit_messages("o", "c", "main").len() + 1
    );
}
