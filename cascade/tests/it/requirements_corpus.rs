//! Whole requirements files in the shapes pip-compile, uv (`uv pip compile`, `uv export`), poetry
//! export, pip freeze and people write them, each with its exact expected bytes or its refusal.
//! The fixtures are in `requirements/`; `*.bumped.txt` is the expected file after a bump from
//! 1.4.2 to 1.5.0. A `.gitattributes` there keeps CRLF and missing final newlines byte-exact.

use cascade::{
    requirements::{Bump, Decision, LineChange, RefusalKind, check_bump, decide},
    version::RuntimeVersion,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/it/requirements/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn versions() -> (RuntimeVersion, RuntimeVersion) {
    let parse = |v| RuntimeVersion::parse(v).unwrap();
    (parse("1.4.2"), parse("1.5.0"))
}

fn with_bump<T>(f: impl FnOnce(&Bump<'_>) -> T) -> T {
    let (current, new) = versions();
    f(&Bump {
        file: "requirements.txt",
        package: "platform-runtime",
        current: &current,
        new: &new,
    })
}

/// What each line that names the package becomes: `(line, None)` for bumped, or the reason it
/// was left alone.
type Lines<'a> = &'a [(usize, Option<&'a str>)];

fn assert_bumped(input: &str, expected: &str, lines: Lines<'_>) {
    let (before, after) = (fixture(input), fixture(expected));
    let Decision::Rewrite {
        content,
        lines: reports,
    } = with_bump(|bump| decide(&before, bump))
    else {
        panic!("{input}: expected a rewrite");
    };
    assert_eq!(
        String::from_utf8_lossy(&content),
        String::from_utf8_lossy(&after),
        "{input}"
    );
    assert_eq!(content, after, "{input}: byte for byte");
    let got: Vec<(usize, Option<String>)> = reports
        .iter()
        .map(|r| match &r.change {
            LineChange::Bumped { from, to } => {
                assert_eq!((from.as_str(), to.as_str()), ("1.4.2", "1.5.0"));
                (r.line, None)
            }
            LineChange::LeftAlone(why) => (r.line, Some(why.clone())),
        })
        .collect();
    let want: Vec<(usize, Option<String>)> = lines
        .iter()
        .map(|(n, why)| (*n, why.map(str::to_owned)))
        .collect();
    assert_eq!(got, want, "{input}");
    assert_eq!(with_bump(|bump| check_bump(&before, &after, bump)), Ok(()));
    assert!(
        with_bump(|bump| check_bump(&before, &before, bump)).is_err(),
        "{input}: leaving it unbumped is a half-bump"
    );
}

fn assert_refused(input: &str, kind: RefusalKind, reason: &str) {
    let before = fixture(input);
    let Decision::Refuse(refusal) = with_bump(|bump| decide(&before, bump)) else {
        panic!("{input}: expected a refusal");
    };
    assert_eq!(refusal.reason(), reason, "{input}");
    assert_eq!(refusal.kind, kind, "{input}");
    assert_eq!(
        with_bump(|bump| check_bump(&before, &before, bump)),
        Err(refusal),
        "{input}: a commit that leaves it alone is refused for the same reason"
    );
}

const HASHED: RefusalKind = RefusalKind::Hashed;

fn hashed_reason(line: usize) -> String {
    format!(
        "hashed pin in requirements.txt line {line}: regenerate the lock with platform-runtime 1.5.0"
    )
}

#[test]
fn pip_compile_without_hashes_bumps_the_pin_and_keeps_the_via_blocks() {
    assert_bumped("pip-compile.txt", "pip-compile.bumped.txt", &[(13, None)]);
}

#[test]
fn pip_compile_generate_hashes_is_refused() {
    assert_refused("pip-compile-hashes.txt", HASHED, &hashed_reason(15));
}

#[test]
fn uv_pip_compile_with_an_index_url_and_extras_is_bumped() {
    assert_bumped(
        "uv-pip-compile.txt",
        "uv-pip-compile.bumped.txt",
        &[(15, None)],
    );
}

#[test]
fn uv_universal_duplicates_bump_only_the_current_version() {
    assert_bumped(
        "uv-universal-duplicates.txt",
        "uv-universal-duplicates.bumped.txt",
        &[(9, None), (11, Some("pins 2.0.1, not the current 1.4.2"))],
    );
}

#[test]
fn uv_universal_hashes_with_a_marker_before_the_backslash_are_refused() {
    assert_refused("uv-universal-hashes.txt", HASHED, &hashed_reason(13));
}

#[test]
fn uv_export_with_hashes_is_refused() {
    assert_refused("uv-export.txt", HASHED, &hashed_reason(14));
}

#[test]
fn uv_export_without_hashes_is_bumped_and_its_editable_project_ignored() {
    assert_bumped(
        "uv-export-no-hashes.txt",
        "uv-export-no-hashes.bumped.txt",
        &[(8, None)],
    );
}

#[test]
fn poetry_export_with_hashes_is_refused() {
    assert_refused("poetry-export.txt", HASHED, &hashed_reason(4));
}

#[test]
fn poetry_export_without_hashes_is_bumped_under_its_marker() {
    assert_bumped(
        "poetry-export-without-hashes.txt",
        "poetry-export-without-hashes.bumped.txt",
        &[(4, None)],
    );
}

#[test]
fn hand_written_crlf_without_final_newline_bumps_both_pin_forms() {
    assert_bumped(
        "hand-written-crlf.txt",
        "hand-written-crlf.bumped.txt",
        &[(7, None), (9, None)],
    );
}

#[test]
fn a_compatible_release_that_excludes_the_new_version_is_refused() {
    assert_refused(
        "hand-written-compatible-release.txt",
        RefusalKind::Excludes,
        "requirements.txt line 2 requires platform-runtime `~=1.4.0`, which excludes 1.5.0: change it to admit 1.5.0, then re-run",
    );
}

#[test]
fn a_wildcard_pin_is_refused() {
    assert_refused(
        "hand-written-wildcard.txt",
        RefusalKind::Excludes,
        "requirements.txt line 1 requires platform-runtime `==1.4.*`, which excludes 1.5.0: change it to admit 1.5.0, then re-run",
    );
}

#[test]
fn peep_hash_comments_are_refused() {
    assert_refused("peep.txt", HASHED, &hashed_reason(6));
}

#[test]
fn a_latin_1_file_is_refused() {
    assert_refused(
        "latin-1.txt",
        RefusalKind::NotUtf8,
        "requirements.txt is not UTF-8 (byte 3 is not): save it as UTF-8, then re-run",
    );
}

#[test]
fn a_marker_on_continuation_lines_is_bumped() {
    assert_bumped("continuation.txt", "continuation.bumped.txt", &[(2, None)]);
}

#[test]
fn pip_freeze_with_an_editable_checkout_is_bumped() {
    assert_bumped("pip-freeze.txt", "pip-freeze.bumped.txt", &[(3, None)]);
}

#[test]
fn the_runtime_from_a_git_url_is_refused() {
    assert_refused(
        "git-url.txt",
        RefusalKind::DirectUrl,
        "requirements.txt line 1 takes platform-runtime from a URL or path (`platform-runtime @ git+https://git.example.com/platform/runtime.git@v1.4.2`): point it at 1.5.0 by hand",
    );
}

#[test]
fn a_file_without_the_package_is_kept_and_names_its_includes() {
    let before = fixture("no-pin.txt");
    assert_eq!(
        with_bump(|bump| decide(&before, bump)),
        Decision::Keep {
            lines: Vec::new(),
            includes: vec!["constraints.txt".to_owned()],
        }
    );
    assert_eq!(with_bump(|bump| check_bump(&before, &before, bump)), Ok(()));
}
