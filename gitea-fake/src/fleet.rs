//! Consumer fleets: repositories that pin the runtime in `runtime-version` and in a `==`
//! pin in `requirements.txt`, seeded in chosen states.

use crate::store::{PullState, RepoOptions, Store};

/// The state one consumer repository is seeded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConsumerState {
    /// Both files already hold the new version.
    UpToDate,
    /// Both files hold the old version; nothing else exists.
    Behind,
    /// Behind, and branch `bump/runtime-<new>` holds exactly the bumped files in one commit
    /// `"Bump <package> to <new>"` by [`BOT`], with no PR.
    Orphan,
    /// Behind, with the bump branch and an open PR from it.
    OpenPr,
    /// Behind, with the bump branch and a closed, unmerged PR from it.
    Declined,
    /// Behind, and the bump branch exists with someone else's commit ([`HUMAN`]'s "WIP: try
    /// the new runtime", adding a line to `requirements.txt`), not the bump.
    ForeignBranch,
    /// Behind and archived.
    Archived,
    /// An empty repository (no commits).
    Empty,
    /// `requirements.txt` pins the old version but `runtime-version` is missing.
    MissingVersionFile,
    /// Behind, with CRLF line endings in both files.
    Crlf,
    /// Behind, with the pin written as another normalisation of the name, with extras,
    /// a marker and a comment: `Platform_Runtime[extra]==1.4.2 ; python_version >= "3.9"  # pinned`.
    OtherPinStyle,
    /// Both files hold a version newer than the new one.
    Ahead,
    /// `runtime-version` is behind; `requirements.txt` has `package>=x.y` but no `==` pin.
    NoPin,
}

impl ConsumerState {
    /// Every state, in declaration order.
    pub const ALL: [ConsumerState; 13] = [
        ConsumerState::UpToDate,
        ConsumerState::Behind,
        ConsumerState::Orphan,
        ConsumerState::OpenPr,
        ConsumerState::Declined,
        ConsumerState::ForeignBranch,
        ConsumerState::Archived,
        ConsumerState::Empty,
        ConsumerState::MissingVersionFile,
        ConsumerState::Crlf,
        ConsumerState::OtherPinStyle,
        ConsumerState::Ahead,
        ConsumerState::NoPin,
    ];
}

/// What to seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetSpec {
    /// The organisation owning every repository.
    pub org: String,
    /// The pinned package, e.g. `platform-runtime`.
    pub package: String,
    /// The version consumers are behind on.
    pub old_version: String,
    /// The version just released.
    pub new_version: String,
    /// Consumer repositories and their states.
    pub consumers: Vec<(String, ConsumerState)>,
}

/// One seeded consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededConsumer {
    /// `org/name`.
    pub full_name: String,
    /// The state it was seeded in.
    pub state: ConsumerState,
}

/// The user whose commits seeded bump branches ([`ConsumerState::Orphan`], `OpenPr`,
/// `Declined`) are authored by: the bot that runs the cascade. Seeding does not create it.
pub const BOT: &str = "cascade-bot";

/// The user (created by seeding) who authors the foreign commit of
/// [`ConsumerState::ForeignBranch`].
pub const HUMAN: &str = "alice";

/// The default branch of seeded repositories.
pub const DEFAULT_BRANCH: &str = "main";

/// The name of the runtime's own repository in the org.
pub const RUNTIME_REPO: &str = "runtime";

/// The branch a bump to `version` is made on.
pub fn bump_branch(version: &str) -> String {
    format!("bump/runtime-{version}")
}

/// The demo fleet: org `platform`, package `platform-runtime`, 1.4.2 → 1.5.0, fourteen
/// consumers covering every [`ConsumerState`] (`Behind` twice).
pub fn demo_fleet_spec() -> FleetSpec {
    use ConsumerState::*;
    let consumers = [
        ("billing-api", UpToDate),
        ("checkout", Behind),
        ("search", Behind),
        ("inventory", Orphan),
        ("notifications", OpenPr),
        ("reports", Declined),
        ("ledger", ForeignBranch),
        ("legacy-portal", Archived),
        ("sandbox", Empty),
        ("analytics", MissingVersionFile),
        ("payments-gateway", Crlf),
        ("ml-pipeline", OtherPinStyle),
        ("edge-proxy", Ahead),
        ("docs-site", NoPin),
    ];
    FleetSpec {
        org: "platform".to_owned(),
        package: "platform-runtime".to_owned(),
        old_version: "1.4.2".to_owned(),
        new_version: "1.5.0".to_owned(),
        consumers: consumers
            .iter()
            .map(|(n, s)| ((*n).to_owned(), *s))
            .collect(),
    }
}

/// A version newer than `v`: the next minor for `x.y.z`, else `v` with `.1` appended.
fn newer_than(v: &str) -> String {
    let parts: Vec<&str> = v.split('.').collect();
    match parts.as_slice() {
        [major, minor, _] => match minor.parse::<u64>() {
            Ok(m) => format!("{major}.{}.0", m + 1),
            Err(_) => format!("{v}.1"),
        },
        _ => format!("{v}.1"),
    }
}

/// The name written in another PEP 503 spelling: `platform-runtime` → `Platform_Runtime`.
fn other_spelling(package: &str) -> String {
    package
        .split(['-', '_', '.'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect::<Vec<_>>()
        .join("_")
}

/// The two files of a consumer at `version`, with `nl` as line ending.
fn files(package: &str, version: &str, nl: &str, pin_line: Option<String>) -> (String, String) {
    let pin = pin_line.unwrap_or_else(|| format!("{package}=={version}"));
    let reqs = [
        "requests==2.32.3".to_owned(),
        pin,
        "pyyaml==6.0.2".to_owned(),
    ]
    .iter()
    .map(|l| format!("{l}{nl}"))
    .collect::<String>();
    (format!("{version}{nl}"), reqs)
}

/// Seeds `spec` into `store`: the org, one repository per consumer, and `<org>/runtime`
/// whose `runtime-version` holds the new version. Each consumer also gets a
/// `dependencies` label. Returns the consumers (not the runtime repository).
pub fn seed_fleet(store: &Store, spec: &FleetSpec) -> Vec<SeededConsumer> {
    store.add_org(&spec.org);
    store.add_user(HUMAN);
    let org = spec.org.as_str();
    store.create_repo(org, RUNTIME_REPO, RepoOptions::default());
    let runtime_version = format!("{}\n", spec.new_version);
    let runtime_files: [(&str, &[u8]); 2] = [
        ("runtime-version", runtime_version.as_bytes()),
        ("README.md", b"# runtime\n"),
    ];
    let _ = store.commit_files(org, RUNTIME_REPO, DEFAULT_BRANCH, &runtime_files, "Release");
    spec.consumers
        .iter()
        .map(|(name, state)| {
            seed_consumer(store, spec, name, *state);
            SeededConsumer {
                full_name: format!("{org}/{name}"),
                state: *state,
            }
        })
        .collect()
}

/// Seeds one consumer.
fn seed_consumer(store: &Store, spec: &FleetSpec, name: &str, state: ConsumerState) {
    use ConsumerState::*;
    let org = spec.org.as_str();
    let (old, new) = (spec.old_version.as_str(), spec.new_version.as_str());
    store.create_repo(
        org,
        name,
        RepoOptions {
            empty: state == Empty,
            ..RepoOptions::default()
        },
    );
    if state == Empty {
        return;
    }
    store.create_label(org, name, "dependencies");
    let nl = if state == Crlf { "\r\n" } else { "\n" };
    let version = match state {
        UpToDate => new.to_owned(),
        Ahead => newer_than(new),
        _ => old.to_owned(),
    };
    let pin = match state {
        OtherPinStyle => Some(format!(
            "{}[extra]=={version} ; python_version >= \"3.9\"  # pinned",
            other_spelling(&spec.package)
        )),
        NoPin => Some(format!("{}>={}", spec.package, major_minor(old))),
        _ => None,
    };
    let (rv, reqs) = files(&spec.package, &version, nl, pin);
    let mut main: Vec<(&str, &[u8])> = vec![("requirements.txt", reqs.as_bytes())];
    if state != MissingVersionFile {
        main.push(("runtime-version", rv.as_bytes()));
    }
    main.push(("README.md", b"# consumer\n"));
    let _ = store.commit_files(org, name, DEFAULT_BRANCH, &main, "Pin the runtime");
    let branch = bump_branch(new);
    match state {
        Orphan | OpenPr | Declined => {
            let (brv, breqs) = files(&spec.package, new, nl, None);
            let bumped: [(&str, &[u8]); 2] = [
                ("runtime-version", brv.as_bytes()),
                ("requirements.txt", breqs.as_bytes()),
            ];
            let msg = format!("Bump {} to {new}", spec.package);
            let _ = store.commit_files_as(org, name, &branch, &bumped, &msg, Some(BOT));
            let title = format!("Bump {} to {new}", spec.package);
            let pr_state = match state {
                OpenPr => Some(PullState::Open),
                Declined => Some(PullState::Closed),
                _ => None,
            };
            if let Some(s) = pr_state {
                store.create_pull(org, name, &branch, DEFAULT_BRANCH, &title, "", s);
            }
        }
        ForeignBranch => {
            let foreign = format!("{reqs}httpx==0.27.2{nl}");
            let edited: [(&str, &[u8]); 1] = [("requirements.txt", foreign.as_bytes())];
            let wip = "WIP: try the new runtime";
            let _ = store.commit_files_as(org, name, &branch, &edited, wip, Some(HUMAN));
        }
        _ => {}
    }
    if state == Archived {
        store.set_archived(org, name, true);
    }
}

/// `x.y` of `x.y.z`.
fn major_minor(v: &str) -> String {
    v.split('.').take(2).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_covers_every_state() {
        let spec = demo_fleet_spec();
        for s in ConsumerState::ALL {
            assert!(spec.consumers.iter().any(|(_, x)| *x == s), "{s:?}");
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(newer_than("1.5.0"), "1.6.0");
        assert_eq!(newer_than("2"), "2.1");
        assert_eq!(other_spelling("platform-runtime"), "Platform_Runtime");
        assert_eq!(major_minor("1.4.2"), "1.4");
    }

    #[test]
    fn orphan_branch_holds_exactly_the_bump() {
        let store = Store::new();
        let spec = FleetSpec {
            consumers: vec![
                ("a".into(), ConsumerState::Orphan),
                ("c".into(), ConsumerState::Crlf),
            ],
            ..demo_fleet_spec()
        };
        seed_fleet(&store, &spec);
        let b = bump_branch("1.5.0");
        assert_eq!(
            store.file("platform", "a", &b, "runtime-version").unwrap(),
            b"1.5.0\n"
        );
        let reqs = String::from_utf8(store.file("platform", "a", &b, "requirements.txt").unwrap())
            .unwrap();
        assert!(reqs.contains("platform-runtime==1.5.0\n"));
        assert!(store.pulls("platform", "a").is_empty());
        assert_eq!(
            store
                .file("platform", "c", "main", "runtime-version")
                .unwrap(),
            b"1.4.2\r\n"
        );
        assert_eq!(
            store
                .file("platform", "runtime", "main", "runtime-version")
                .unwrap(),
            b"1.5.0\n"
        );
    }
}
