//! Named tests for each shape pip, pip-compile, uv and poetry write, and the two properties: a
//! rewrite changes only version tokens of pins at the current version, and no output is ever
//! half-bumped. Whole files in the tools' own shapes are in `cascade/tests/it/requirements.rs`.

use proptest::prelude::*;

use super::*;

const HASH_A: &str = "0c0f2b3e5a9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b";
const HASH_B: &str = "f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff00";

fn decide_at(content: &[u8], current: &str) -> Decision {
    let current = RuntimeVersion::parse(current).unwrap();
    let new = RuntimeVersion::parse("1.5.0").unwrap();
    let bump = Bump {
        file: "requirements.txt",
        package: "platform-runtime",
        current: &current,
        new: &new,
    };
    decide(content, &bump)
}

fn check(before: &[u8], after: &[u8]) -> Result<(), Refusal> {
    let current = RuntimeVersion::parse("1.4.2").unwrap();
    let new = RuntimeVersion::parse("1.5.0").unwrap();
    let bump = Bump {
        file: "requirements.txt",
        package: "platform-runtime",
        current: &current,
        new: &new,
    };
    check_bump(before, after, &bump)
}

fn rewritten_at(content: &str, current: &str) -> String {
    match decide_at(content.as_bytes(), current) {
        Decision::Rewrite { content, .. } => String::from_utf8(content).unwrap(),
        other => panic!("expected a rewrite of {content:?}, got {other:?}"),
    }
}

fn rewritten(content: &str) -> String {
    rewritten_at(content, "1.4.2")
}

fn refused(content: &str) -> Refusal {
    match decide_at(content.as_bytes(), "1.4.2") {
        Decision::Refuse(refusal) => refusal,
        other => panic!("expected a refusal of {content:?}, got {other:?}"),
    }
}

/// The lines of a file that is left alone, as `(line, why)`.
fn kept(content: &str) -> Vec<(usize, String)> {
    match decide_at(content.as_bytes(), "1.4.2") {
        Decision::Keep { lines, .. } => lines
            .into_iter()
            .map(|l| match l.change {
                LineChange::LeftAlone(why) => (l.line, why),
                LineChange::Bumped { .. } => panic!("kept but bumped: {l:?}"),
            })
            .collect(),
        other => panic!("expected {content:?} to be left alone, got {other:?}"),
    }
}

#[test]
fn rewrites_a_plain_pin_and_keeps_every_other_byte() {
    assert_eq!(
        rewritten("requests==2.31.0\nplatform-runtime==1.4.2\nflask>=2\n"),
        "requests==2.31.0\nplatform-runtime==1.5.0\nflask>=2\n"
    );
}

#[test]
fn keeps_crlf_extras_markers_comments_and_a_missing_final_newline() {
    assert_eq!(
        rewritten("a==1\r\nPlatform_Runtime[fast] == 1.4.2 ; python_version >= \"3.9\"  # pinned"),
        "a==1\r\nPlatform_Runtime[fast] == 1.5.0 ; python_version >= \"3.9\"  # pinned"
    );
    assert_eq!(
        rewritten("platform-runtime[a, b]==1.4.2;python_version<'3.13'\r\n"),
        "platform-runtime[a, b]==1.5.0;python_version<'3.13'\r\n"
    );
}

#[test]
fn matches_names_after_pep503_normalisation_and_nothing_else() {
    for name in [
        "platform.runtime",
        "PLATFORM__runtime",
        "Platform-_.Runtime",
    ] {
        let line = format!("{name}==1.4.2\n");
        assert_eq!(rewritten(&line), format!("{name}==1.5.0\n"));
    }
    assert_eq!(normalize_name("Platform_.Runtime"), "platform-runtime");
    let others = "platform-runtime-extras==1.4.2\nplatformruntime==1.4.2\nrequests==1.4.2\nother[platform-runtime]==1.4.2\n";
    assert_eq!(kept(others), []);
}

#[test]
fn equality_is_pep_440_equality() {
    assert_eq!(
        rewritten_at("platform-runtime==1.4\n", "1.4.0"),
        "platform-runtime==1.5.0\n"
    );
    assert_eq!(
        rewritten("platform-runtime==1.4.2.0\nplatform-runtime==v1.4.2\n"),
        "platform-runtime==1.5.0\nplatform-runtime==1.5.0\n"
    );
    assert_eq!(
        kept("platform-runtime==1.4.2.1\nplatform-runtime==1.4.2+local\n"),
        [
            (1, "pins 1.4.2.1, not the current 1.4.2".to_owned()),
            (2, "pins 1.4.2+local, not the current 1.4.2".to_owned()),
        ]
    );
}

#[test]
fn arbitrary_equality_pins_are_rewritten_and_do_not_hide_an_exact_pin() {
    assert_eq!(
        rewritten("platform-runtime===1.4.2\nother===anything-goes\nplatform-runtime==1.4.2\n"),
        "platform-runtime===1.5.0\nother===anything-goes\nplatform-runtime==1.5.0\n"
    );
    assert_eq!(
        kept("platform-runtime===1.4.2.0\n"),
        [(1, "pins 1.4.2.0, not the current 1.4.2".to_owned())],
        "=== compares strings, as packaging does"
    );
    assert_eq!(
        kept("platform-runtime===1.4.2#c\n"),
        [(1, "pins 1.4.2#c, not the current 1.4.2".to_owned())],
        "a `#` without a space before it starts no comment, so it is part of the arbitrary version"
    );
}

#[test]
fn duplicate_marker_pins_bump_only_the_current_version_and_never_downgrade() {
    let input = "platform-runtime==1.4.2 ; python_full_version < '3.14'\n\
                 platform-runtime==2.5.1 ; python_full_version >= '3.14'\n\
                 platform-runtime==1.3.0 ; sys_platform == 'win32'\n";
    let Decision::Rewrite { content, lines } = decide_at(input.as_bytes(), "1.4.2") else {
        panic!("expected a rewrite");
    };
    assert_eq!(
        String::from_utf8(content).unwrap(),
        "platform-runtime==1.5.0 ; python_full_version < '3.14'\n\
         platform-runtime==2.5.1 ; python_full_version >= '3.14'\n\
         platform-runtime==1.3.0 ; sys_platform == 'win32'\n"
    );
    let changes: Vec<_> = lines.iter().map(|l| (l.line, l.change.clone())).collect();
    assert_eq!(
        changes,
        [
            (
                1,
                LineChange::Bumped {
                    from: "1.4.2".to_owned(),
                    to: "1.5.0".to_owned()
                }
            ),
            (
                2,
                LineChange::LeftAlone("pins 2.5.1, not the current 1.4.2".to_owned())
            ),
            (
                3,
                LineChange::LeftAlone("pins 1.3.0, not the current 1.4.2".to_owned())
            ),
        ]
    );
}

#[test]
fn hashed_pins_are_refused_with_what_to_do() {
    let reason =
        "hashed pin in requirements.txt line 2: regenerate the lock with platform-runtime 1.5.0";
    let shapes = [
        format!(
            "a==1\nplatform-runtime==1.4.2 \\\n    --hash=sha256:{HASH_A} \\\n    --hash=sha256:{HASH_B}\n"
        ),
        format!("a==1\nplatform-runtime==1.4.2 --hash=sha256:{HASH_A}\n"),
        format!(
            "a==1\nplatform-runtime==1.4.2 ; python_full_version < '3.14' \\\n    --hash=sha256:{HASH_A}\n"
        ),
        format!("a==1\nplatform-runtime==1.4.2 --hash sha256:{HASH_A}\n"),
    ];
    for input in &shapes {
        let refusal = refused(input);
        assert_eq!(refusal.reason(), reason, "{input:?}");
        assert_eq!((refusal.kind, refusal.line), (RefusalKind::Hashed, Some(2)));
    }
}

#[test]
fn peep_hash_comments_are_hashes_too() {
    let input = "# sha256: lvpN706AIAvoJ8P1EUfdez-ohzuSB-MyXUNPrzCjUeY\nplatform-runtime==1.4.2\n";
    assert_eq!(refused(input).kind, RefusalKind::Hashed);
    assert_eq!(
        rewritten("# sha256: abc\nrequests==2\nplatform-runtime==1.4.2\n"),
        "# sha256: abc\nrequests==2\nplatform-runtime==1.5.0\n",
        "the comment belongs to the next requirement only"
    );
}

#[test]
fn a_peep_hash_comment_that_ends_a_continuation_counts_for_both_lines_it_touches() {
    // pip joins the comment into the line it ends; peep read it as the next line's hash.
    assert_eq!(
        refused("platform-runtime==1.4.2 \\\n# sha256: abc\nrequests==2\n").kind,
        RefusalKind::Hashed
    );
    assert_eq!(
        refused("requests==2 \\\n# sha256: abc\nplatform-runtime==1.4.2\n").kind,
        RefusalKind::Hashed
    );
    assert_eq!(
        rewritten("requests==2 \\\n# a plain comment\nplatform-runtime==1.4.2\n"),
        "requests==2 \\\n# a plain comment\nplatform-runtime==1.5.0\n"
    );
}

#[test]
fn a_hashed_pin_of_another_version_under_another_marker_is_left_alone() {
    let input = format!(
        "platform-runtime==1.3.0 ; python_version < '3.9' \\\n    --hash=sha256:{HASH_A}\n"
    );
    assert_eq!(
        kept(&input),
        [(1, "pins 1.3.0, not the current 1.4.2".to_owned())]
    );
}

#[test]
fn a_hashed_lock_regenerated_at_the_new_version_is_left_alone() {
    let input = format!("platform-runtime==1.5.0 \\\n    --hash=sha256:{HASH_A}\n");
    assert_eq!(kept(&input), [(1, "already pins 1.5.0".to_owned())]);
}

#[test]
fn specifiers_that_exclude_the_new_version_are_refused() {
    for spec in [
        "~=1.4.0",
        "<1.5",
        "==1.4.*",
        "!=1.5.0",
        "<2,==1.4.2",
        ">=1.4, <1.5",
    ] {
        let refusal = refused(&format!("platform-runtime{spec}\n"));
        assert_eq!(
            refusal.reason(),
            format!(
                "requirements.txt line 1 requires platform-runtime `{spec}`, which excludes 1.5.0: change it to admit 1.5.0, then re-run"
            )
        );
        assert_eq!(refusal.kind, RefusalKind::Excludes);
    }
    assert_eq!(
        refused("platform-runtime (>=1.4,<1.5)\n").kind,
        RefusalKind::Excludes
    );
}

#[test]
fn specifiers_that_admit_the_new_version_are_left_alone_and_said_so() {
    assert_eq!(
        kept(
            "platform-runtime>=1.4\nplatform-runtime~=1.4\nPlatform-Runtime (>=1,<2)\nplatform-runtime!=1.4.1\nplatform-runtime\n"
        ),
        [
            (1, "`>=1.4` is not an == pin; it admits 1.5.0".to_owned()),
            (2, "`~=1.4` is not an == pin; it admits 1.5.0".to_owned()),
            (3, "`>=1,<2` is not an == pin; it admits 1.5.0".to_owned()),
            (4, "`!=1.4.1` is not an == pin; it admits 1.5.0".to_owned()),
            (5, "lists platform-runtime without a version".to_owned()),
        ]
    );
    assert_eq!(
        kept("platform-runtime>=2\nplatform-runtime==1.5.0\n"),
        [
            (1, "`>=2` does not admit the current 1.4.2".to_owned()),
            (2, "already pins 1.5.0".to_owned()),
        ]
    );
}

#[test]
fn a_hash_sign_is_a_comment_only_at_line_start_or_after_white_space() {
    assert_eq!(
        rewritten("platform-runtime==1.4.2 #pinned\n"),
        "platform-runtime==1.5.0 #pinned\n"
    );
    assert_eq!(
        rewritten("platform-runtime==1.4.2 #\n"),
        "platform-runtime==1.5.0 #\n"
    );
    assert_eq!(
        rewritten("platform-runtime==1.4.2\t# pinned"),
        "platform-runtime==1.5.0\t# pinned"
    );
    assert_eq!(
        refused("platform-runtime==1.4.2#pinned\n").reason(),
        "requirements.txt line 1: `platform-runtime==1.4.2#pinned` cannot be read as a requirement (`==1.4.2#pinned` is not a PEP 440 version clause): fix it by hand, then re-run"
    );
    assert_eq!(
        refused("platform-runtime==1.4.2#").kind,
        RefusalKind::Invalid
    );
    assert_eq!(
        kept("# platform-runtime==1.4.2\n  #platform-runtime==1.4.2\n#\n"),
        []
    );
}

#[test]
fn via_blocks_and_headers_stay_as_they_are() {
    let input = "#\n# This file is autogenerated by pip-compile with Python 3.12\n#\nplatform-runtime==1.4.2\n    # via\n    #   -r requirements.in\n    #   platform-runtime==1.4.2\nrequests==2.32.3\n    # via platform-runtime\n";
    assert_eq!(
        rewritten(input),
        input.replacen("==1.4.2\n", "==1.5.0\n", 1)
    );
}

#[test]
fn continuation_lines_are_joined_as_pip_joins_them() {
    assert_eq!(
        rewritten("platform-runtime==1.4.2 \\\n    ; python_version >= \"3.9\"\n"),
        "platform-runtime==1.5.0 \\\n    ; python_version >= \"3.9\"\n"
    );
    assert_eq!(
        rewritten("platform-runtime \\\n  == \\\n  1.4.2\n"),
        "platform-runtime \\\n  == \\\n  1.5.0\n"
    );
    assert_eq!(
        kept("-r base.txt \\\nplatform-runtime==1.4.2\n"),
        [],
        "pip reads the second line as more options of the first"
    );
    let split = refused("platform-runtime==1.4.\\\n2\n");
    assert_eq!(split.kind, RefusalKind::SplitVersion);
    assert_eq!(
        split.reason(),
        "requirements.txt line 1: the version of platform-runtime is split by a `\\` continuation: join it on one line, then re-run"
    );
}

#[test]
fn option_lines_are_not_requirements_but_an_editable_of_the_package_is_refused() {
    let input = "--index-url https://pypi.example.com/simple\n--extra-index-url=https://mirror.example.com/simple\n-r base.txt\n-c constraints.txt\n--requirement=dev.txt\n-e .\n--hash=sha256:abc\n--pre\n";
    let Decision::Keep { lines, includes } = decide_at(input.as_bytes(), "1.4.2") else {
        panic!("options only");
    };
    assert_eq!(lines, []);
    assert_eq!(includes, ["base.txt", "constraints.txt", "dev.txt"]);
    for editable in [
        "-e git+https://git.example.com/platform/runtime.git@v1.4.2#egg=platform_runtime",
        "--editable=git+https://git.example.com/r.git#egg=Platform-Runtime[fast]",
        "-egit+https://git.example.com/r.git#subdirectory=x&egg=platform-runtime",
    ] {
        assert_eq!(refused(editable).kind, RefusalKind::DirectUrl, "{editable}");
    }
}

#[test]
fn direct_references_to_the_package_are_refused_and_others_ignored() {
    assert_eq!(
        refused("platform-runtime @ git+https://git.example.com/platform/runtime.git@v1.4.2\n")
            .reason(),
        "requirements.txt line 1 takes platform-runtime from a URL or path (`platform-runtime @ git+https://git.example.com/platform/runtime.git@v1.4.2`): point it at 1.5.0 by hand"
    );
    for line in [
        "platform-runtime[fast]@https://files.example.com/x.whl",
        "https://files.example.com/platform_runtime-1.4.2-py3-none-any.whl",
        "./wheels/platform_runtime-1.4.2-py3-none-any.whl",
        "../dist/platform-runtime-1.4.2.tar.gz",
        "git+https://git.example.com/platform/runtime.git#egg=platform-runtime",
        "file:platform_runtime-1.4.2.tar.gz",
        "C:\\wheels\\platform_runtime-1.4.2-py3-none-any.whl",
        "platform-runtime[fast] @ file:platform_runtime-1.4.2.tar.gz",
    ] {
        assert_eq!(refused(line).kind, RefusalKind::DirectUrl, "{line}");
    }
    assert_eq!(
        kept(
            "requests @ https://files.example.com/requests-2.0.tar.gz\n./vendor/other-1.4.2.tar.gz\n"
        ),
        []
    );
}

#[test]
fn lines_of_the_package_that_pip_cannot_read_are_refused() {
    for (line, why) in [
        ("platform-runtime==", "no version after `==`"),
        (
            "_platform-runtime==1.4.2",
            "a name starts and ends with a letter or digit",
        ),
        (
            ".platform-runtime==1.4.2",
            "a name starts and ends with a letter or digit",
        ),
        (
            "platform-runtime-==1.4.2",
            "a name starts and ends with a letter or digit",
        ),
        (
            "platform-runtime 1.4.2",
            "`1.4.2` has no comparison operator",
        ),
        (
            "platform-runtime[fast==1.4.2",
            "its extras lack a closing `]`",
        ),
        ("platform-runtime==1.4.2,", "it has an empty version clause"),
        ("platform-runtime (==1.4.2", "its `(` is not closed"),
        (
            "platform-runtime==${RUNTIME_VERSION}",
            "its version `${RUNTIME_VERSION}` is an environment variable, expanded only when pip runs",
        ),
    ] {
        let refusal = refused(line);
        assert_eq!(refusal.kind, RefusalKind::Invalid, "{line}");
        assert!(refusal.reason().contains(&format!("({why})")), "{refusal}");
    }
    assert_eq!(
        kept("-platform-runtime==1.4.2\nrequests==\n_other==1\n"),
        [],
        "an option line, and broken lines of other packages"
    );
}

#[test]
fn files_that_are_not_utf8_or_too_large_are_refused() {
    let latin1 = b"# caf\xe9\nplatform-runtime==1.4.2\n";
    let Decision::Refuse(refusal) = decide_at(latin1, "1.4.2") else {
        panic!("not UTF-8");
    };
    assert_eq!(
        refusal.reason(),
        "requirements.txt is not UTF-8 (byte 5 is not): save it as UTF-8, then re-run"
    );
    assert_eq!((refusal.kind, refusal.line), (RefusalKind::NotUtf8, None));

    let pin = b"platform-runtime==1.4.2\n";
    let mut at_limit = vec![b'\n'; MAX_REQUIREMENTS_BYTES - pin.len()];
    at_limit.extend_from_slice(pin);
    assert!(matches!(
        decide_at(&at_limit, "1.4.2"),
        Decision::Rewrite { .. }
    ));
    at_limit.insert(0, b'\n');
    let Decision::Refuse(refusal) = decide_at(&at_limit, "1.4.2") else {
        panic!("over the limit");
    };
    assert_eq!(
        refusal.reason(),
        "requirements.txt is 1048577 bytes, over the 1 MiB limit: bump platform-runtime in it by hand"
    );
}

#[test]
fn a_utf8_byte_order_mark_is_skipped_as_pip_skips_it() {
    assert_eq!(
        rewritten("\u{feff}platform-runtime==1.4.2\n"),
        "\u{feff}platform-runtime==1.5.0\n"
    );
}

#[test]
fn one_refusal_refuses_the_whole_file_and_counts_the_others() {
    let input = "platform-runtime==1.4.2\nplatform-runtime~=1.4.0 ; os_name == 'nt'\nplatform-runtime<1.5 ; os_name == 'posix'\n";
    let refusal = refused(input);
    assert_eq!(refusal.line, Some(2));
    assert!(
        refusal
            .reason()
            .ends_with("(1 more line(s) of requirements.txt refused too)"),
        "{refusal}"
    );
}

#[test]
fn the_invariant_accepts_the_planned_bytes_and_nothing_else() {
    let before = b"a==1\nplatform-runtime==1.4.2\nplatform-runtime==2.5.1 ; os_name == 'nt'\n";
    let planned = b"a==1\nplatform-runtime==1.5.0\nplatform-runtime==2.5.1 ; os_name == 'nt'\n";
    assert_eq!(check(before, planned), Ok(()));
    let half_bumped = check(before, before).unwrap_err();
    assert_eq!(half_bumped.kind, RefusalKind::Inconsistent);
    assert_eq!(
        half_bumped.reason(),
        "the requirements.txt to commit is not exactly its pins of 1.4.2 bumped to 1.5.0; nothing written (a bug: please report it)"
    );
    for wrong in [
        &b"a==2\nplatform-runtime==1.5.0\nplatform-runtime==2.5.1 ; os_name == 'nt'\n"[..],
        b"a==1\nplatform-runtime==1.5.0\nplatform-runtime==1.5.0 ; os_name == 'nt'\n",
        b"a==1\nplatform-runtime==1.5.0\nplatform-runtime==2.5.1 ; os_name == 'nt'",
        b"a==1\nplatform-runtime==1.5.1\nplatform-runtime==2.5.1 ; os_name == 'nt'\n",
    ] {
        assert_eq!(
            check(before, wrong).unwrap_err().kind,
            RefusalKind::Inconsistent
        );
    }
    let hashed = format!("platform-runtime==1.4.2 --hash=sha256:{HASH_A}\n");
    assert_eq!(
        check(hashed.as_bytes(), hashed.as_bytes())
            .unwrap_err()
            .kind,
        RefusalKind::Hashed,
        "a commit that leaves a hashed pin behind is refused for that reason"
    );
    let unpinned = b"platform-runtime>=1\n";
    assert_eq!(check(unpinned, unpinned), Ok(()));
}

#[test]
fn summaries_name_each_line_old_and_new() {
    let input =
        "platform-runtime==1.4.2 ; os_name == 'posix'\nplatform-runtime==2.5.1 ; os_name == 'nt'\n";
    let Decision::Rewrite { lines, .. } = decide_at(input.as_bytes(), "1.4.2") else {
        panic!("expected a rewrite");
    };
    assert_eq!(
        summarize("requirements.txt", &lines).as_deref(),
        Some(
            "requirements.txt line 1: 1.4.2 -> 1.5.0; line 2: left alone, pins 2.5.1, not the current 1.4.2"
        )
    );
    assert_eq!(
        markdown("requirements.txt", &lines),
        [
            "`requirements.txt` line 1: `platform-runtime==1.4.2 ; os_name == 'posix'`, 1.4.2 -> 1.5.0",
            "`requirements.txt` line 2, left alone: `platform-runtime==2.5.1 ; os_name == 'nt'`; pins 2.5.1, not the current 1.4.2",
        ]
    );
    assert_eq!(summarize("requirements.txt", &[]), None);
}

#[test]
fn shown_text_escapes_control_characters_and_is_bounded() {
    let refusal = refused("platform-runtime==1.4.2\x1b[31m\n");
    assert!(refusal.reason().contains("1.4.2\\u{1b}[31m"), "{refusal}");
    let long = format!("platform-runtime=={}\n", "9".repeat(300));
    assert!(refused(&long).reason().chars().count() < 400);
}

#[test]
fn version_file_keeps_its_line_ending() {
    assert_eq!(rewrite_version_file(b"1.4.2\n", "1.5.0"), b"1.5.0\n");
    assert_eq!(rewrite_version_file(b"1.4.2\r\n", "1.5.0"), b"1.5.0\r\n");
    assert_eq!(rewrite_version_file(b"1.4.2", "1.5.0"), b"1.5.0");
}

// Properties.

/// One generated line: its text before and after the bump, and whether it refuses the file.
#[derive(Clone, Debug)]
struct Generated {
    before: String,
    after: String,
    refuses: Option<RefusalKind>,
    /// Its first physical line holds the pin (not a comment above it).
    pin_offset: usize,
    bumps: bool,
}

fn plain(text: &str) -> Generated {
    Generated {
        before: text.to_owned(),
        after: text.to_owned(),
        refuses: None,
        pin_offset: 0,
        bumps: false,
    }
}

fn pin_head() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("platform-runtime"),
            Just("Platform_Runtime"),
            Just("platform.runtime"),
            Just("PLATFORM-RUNTIME")
        ],
        prop_oneof![Just(""), Just("[fast]"), Just("[a, b]")],
        prop_oneof![Just("=="), Just(" == "), Just("== "), Just("===")],
    )
        .prop_map(|(name, extras, op)| format!("{name}{extras}{op}"))
}

fn pin_tail() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(""),
        Just(" ; python_version >= \"3.9\""),
        Just("  # pinned"),
        Just(" ; sys_platform == 'linux'  # x"),
        Just(" \\\n    ; python_full_version < '3.14'"),
    ]
}

fn generated_line() -> impl Strategy<Value = Generated> {
    let current = (
        pin_head(),
        prop_oneof![Just("1.4.2"), Just("1.4.2.0")],
        pin_tail(),
    )
        .prop_map(|(head, version, tail)| {
            let version = if head.ends_with("===") {
                "1.4.2"
            } else {
                version
            };
            Generated {
                before: format!("{head}{version}{tail}"),
                after: format!("{head}1.5.0{tail}"),
                refuses: None,
                pin_offset: 0,
                bumps: true,
            }
        });
    let other = (
        pin_head().prop_filter("not ===", |h| !h.ends_with("===")),
        prop_oneof![
            Just("1.3.0"),
            Just("2.5.1"),
            Just("1.4.1"),
            Just("1.4.2+local"),
            Just("1.5.0")
        ],
        pin_tail(),
    )
        .prop_map(|(head, version, tail)| plain(&format!("{head}{version}{tail}")));
    let admits = prop_oneof![
        Just("platform-runtime>=1.4"),
        Just("platform-runtime~=1.4"),
        Just("platform_runtime>=1,<2 ; os_name == 'posix'"),
        Just("platform-runtime!=1.4.1"),
        Just("platform-runtime"),
        Just("platform-runtime (>=1.0)"),
    ]
    .prop_map(plain);
    let unrelated = prop_oneof![
        Just("requests==1.4.2".to_owned()),
        Just("platform-runtime-extras==1.4.2".to_owned()),
        Just("other[platform-runtime]==1.4.2".to_owned()),
        Just(format!(
            "numpy==2.1.3 ; python_full_version < '3.14' \\\n    --hash=sha256:{HASH_A}"
        )),
        Just("# platform-runtime==1.4.2".to_owned()),
        Just("    # via\n    #   -r requirements.in\n    #   platform-runtime".to_owned()),
        Just("-r base.txt".to_owned()),
        Just("--index-url https://pypi.example.com/simple".to_owned()),
        Just("-e .".to_owned()),
        Just(String::new()),
    ]
    .prop_map(|text| plain(&text));
    let refusing = (
        pin_head().prop_filter("not ===", |h| !h.ends_with("===")),
        prop_oneof![
            Just((
                format!("1.4.2 \\\n    --hash=sha256:{HASH_A} \\\n    --hash=sha256:{HASH_B}"),
                RefusalKind::Hashed,
                0
            )),
            Just((
                format!("1.4.2 --hash=sha256:{HASH_A}"),
                RefusalKind::Hashed,
                0
            )),
            Just(("PEEP".to_owned(), RefusalKind::Hashed, 1)),
        ],
    )
        .prop_map(|(head, (tail, kind, pin_offset))| {
            let text = if tail == "PEEP" {
                format!("# sha256: {HASH_A}\n{head}1.4.2")
            } else {
                format!("{head}{tail}")
            };
            Generated {
                refuses: Some(kind),
                pin_offset,
                ..plain(&text)
            }
        });
    let excludes = prop_oneof![
        Just("platform-runtime~=1.4.0"),
        Just("platform-runtime<1.5 ; os_name == 'nt'"),
        Just("platform-runtime==1.4.*"),
        Just("platform-runtime!=1.5.0"),
        Just("platform-runtime<2,==1.4.2"),
    ]
    .prop_map(|text| Generated {
        refuses: Some(RefusalKind::Excludes),
        ..plain(text)
    });
    prop_oneof![
        4 => current,
        3 => other,
        2 => admits,
        6 => unrelated,
        1 => refusing,
        1 => excludes,
    ]
}

fn joined(lines: &[String], eol: &str, final_newline: bool) -> String {
    let mut out = lines.join("\n").replace('\n', eol);
    if final_newline && !out.is_empty() {
        out.push_str(eol);
    }
    out
}

/// A naive, independent reading: does this physical line, outside comments and continuations,
/// still pin the current version with `==` or `===`?
fn naive_pins_current(line: &str) -> bool {
    let rest = line.trim_start();
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(rest.len());
    if name_len == 0 || normalize_name(&rest[..name_len]) != "platform-runtime" {
        return false;
    }
    let mut rest = rest[name_len..].trim_start();
    if rest.starts_with('[') {
        let Some(end) = rest.find(']') else {
            return false;
        };
        rest = rest[end + 1..].trim_start();
    }
    let rest = rest.strip_prefix('(').unwrap_or(rest).trim_start();
    let (arbitrary, rest) = match rest.strip_prefix("===") {
        Some(rest) => (true, rest),
        None => match rest.strip_prefix("==") {
            Some(rest) => (false, rest),
            None => return false,
        },
    };
    let rest = rest.trim_start();
    if arbitrary {
        // packaging reads an arbitrary version up to whitespace, `;` or `)`: `===1.4.2#c` is
        // the string "1.4.2#c", a pin of something else.
        let version_len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ';' | ')'))
            .unwrap_or(rest.len());
        return rest[..version_len].eq_ignore_ascii_case("1.4.2");
    }
    let version_len = rest
        .find(|c: char| {
            !(c.is_ascii_alphanumeric() || matches!(c, '.' | '!' | '+' | '-' | '_' | '*'))
        })
        .unwrap_or(rest.len());
    let version = &rest[..version_len];
    version.parse::<pep440_rs::Version>().ok() == "1.4.2".parse().ok() && !version.ends_with(".*")
}

/// The lines pip reads, joined at `\\` continuations the way pip joins them (a comment line ends
/// a continuation), comment lines left out.
fn joined_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let comment = line.trim_start().starts_with('#');
        if line.ends_with('\\') && !comment {
            pending
                .get_or_insert_with(String::new)
                .push_str(line.trim_matches('\\'));
            continue;
        }
        let mut joined = pending.take().unwrap_or_default();
        if !comment {
            joined.push_str(line);
        }
        out.push(joined);
    }
    out.extend(pending);
    out
}

/// Lines shaped like requirements, slot by slot (prefix, name, extras, operator, version, tail),
/// each slot drawn from right and wrong forms, with raw fragments mixed in.
fn soup_line() -> impl Strategy<Value = String> {
    let slot = |options: &'static [&'static str]| proptest::sample::select(options);
    let structured = (
        slot(&["", "", " ", "\t", "#", "-r a.txt ", "\u{a0}", "-e "]),
        slot(&[
            "platform-runtime",
            "Platform_Runtime",
            "platform.runtime",
            "requests",
            "",
            "_platform-runtime",
            "platform-runtime-",
        ]),
        slot(&["", "", "[x]", "[x", " "]),
        slot(&[
            "==",
            "==",
            "===",
            "~=",
            ">=",
            "<",
            "!=",
            "",
            "(==",
            " == ",
            "@ https://h/x.whl",
        ]),
        slot(&[
            "1.4.2", "1.4.2", "1.4", "1.4.2.0", "1.5.0", "2.5.1", "1.4.*", "", "${V}", "1.4.2)",
            "v1.4.2",
        ]),
        slot(&[
            "",
            "",
            " ; python_version < '3.9'",
            " #c",
            "#c",
            ",<2",
            " --hash=sha256:ab",
            " \\",
            "\\",
            " -r x",
            "\t# c",
        ]),
    )
        .prop_map(|(a, b, c, d, e, f)| format!("{a}{b}{c}{d}{e}{f}"));
    let raw = slot(&[
        "# sha256: z",
        "    --hash=sha256:cd",
        "    # via x",
        "\\",
        "",
        "git+https://h/r#egg=platform-runtime",
        "-e git+https://h/r#egg=platform_runtime",
        ".0",
        "1",
        "é",
        "\u{feff}platform-runtime==1.4.2",
    ])
    .prop_map(str::to_owned);
    prop_oneof![4 => structured, 1 => raw]
}

fn soup() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(soup_line(), 0..12),
        prop_oneof![Just("\n"), Just("\r\n")],
        any::<bool>(),
    )
        .prop_map(|(lines, eol, final_newline)| {
            let mut text = lines.join(eol);
            if final_newline {
                text.push_str(eol);
            }
            text
        })
}

proptest! {
    /// Files built from lines whose fate is known: the exact bytes, the refusal, the line numbers.
    #[test]
    fn generated_files_get_exactly_the_expected_bytes_or_refusal(
        lines in proptest::collection::vec(generated_line(), 0..8),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let before: Vec<String> = lines.iter().map(|l| l.before.clone()).collect();
        let after: Vec<String> = lines.iter().map(|l| l.after.clone()).collect();
        let input = joined(&before, eol, final_newline);
        let mut number = 1;
        let mut first_refusal = None;
        let mut bumped_lines = Vec::new();
        for line in &lines {
            if let Some(kind) = line.refuses {
                first_refusal.get_or_insert((kind, number + line.pin_offset));
            }
            if line.bumps {
                bumped_lines.push(number);
            }
            number += line.before.split('\n').count();
        }
        let decision = decide_at(input.as_bytes(), "1.4.2");
        match (first_refusal, decision) {
            (Some((kind, line)), Decision::Refuse(refusal)) => {
                prop_assert_eq!((refusal.kind, refusal.line), (kind, Some(line)));
            }
            (None, Decision::Rewrite { content, lines: reports }) => {
                prop_assert_eq!(String::from_utf8(content).unwrap(), joined(&after, eol, final_newline));
                let bumped: Vec<usize> = reports
                    .iter()
                    .filter(|r| matches!(r.change, LineChange::Bumped { .. }))
                    .map(|r| r.line)
                    .collect();
                prop_assert_eq!(bumped, bumped_lines);
            }
            (None, Decision::Keep { .. }) => prop_assert!(bumped_lines.is_empty()),
            (expected, decision) => {
                prop_assert!(false, "expected {:?}, got {:?} for {:?}", expected, decision, input);
            }
        }
    }

    /// Whatever the input, the file the bump leaves (rewritten or kept) never pins the current
    /// version, and a rewrite changes one version token per changed line, from a version equal to
    /// the current one to the new one.
    #[test]
    fn no_output_is_ever_half_bumped(input in soup()) {
        let decision = decide_at(input.as_bytes(), "1.4.2");
        let output = match &decision {
            Decision::Refuse(_) => return Ok(()),
            Decision::Keep { .. } => input.clone(),
            Decision::Rewrite { content, .. } => String::from_utf8(content.clone()).unwrap(),
        };
        for line in joined_lines(&output) {
            prop_assert!(!naive_pins_current(&line), "{:?} still pins 1.4.2 in {:?}", line, output);
        }
        let Decision::Rewrite { .. } = decision else { return Ok(()) };
        let (old_lines, new_lines): (Vec<_>, Vec<_>) = (input.split('\n').collect(), output.split('\n').collect());
        prop_assert_eq!(old_lines.len(), new_lines.len());
        for (old, new) in old_lines.iter().zip(&new_lines) {
            if old == new {
                continue;
            }
            let token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '!' | '+' | '*' | '_' | '-');
            let prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
            let start = old[..prefix].rfind(|c: char| !token(c)).map_or(0, |i| i + 1);
            let old_end = old[start..].find(|c: char| !token(c)).map_or(old.len(), |i| start + i);
            let new_end = new[start..].find(|c: char| !token(c)).map_or(new.len(), |i| start + i);
            prop_assert_eq!(&new[start..new_end], "1.5.0");
            prop_assert_eq!(old[start..old_end].parse::<pep440_rs::Version>().ok(), "1.4.2".parse().ok());
            prop_assert_eq!(&old[old_end..], &new[new_end..]);
        }
        prop_assert_eq!(check(input.as_bytes(), output.as_bytes()), Ok(()));
        let again = decide_at(output.as_bytes(), "1.4.2");
        prop_assert!(matches!(again, Decision::Keep { .. }), "{:?}", again);
    }

    /// No input makes the reader panic.
    #[test]
    fn never_panics_on_any_input(content in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = decide_at(&content, "1.4.2");
    }
}

#[test]
fn includes_are_read_in_every_form_pip_accepts_and_never_from_comments_or_requirements() {
    let content = "\u{feff}-r first.txt\n\
        --requirement second.txt\n\
        --requirement=third.txt\n\
        -rglued.txt\n\
        -c pins.txt # a comment\n\
        --constraint=more-pins.txt\n\
        -r \\\n    continued.txt\n\
        # -r commented.txt\n\
        flask==3.0.3  # via -r requirements.in\n\
        -e ./local\n";
    assert_eq!(
        includes(content.as_bytes()),
        [
            "first.txt",
            "second.txt",
            "third.txt",
            "glued.txt",
            "pins.txt",
            "more-pins.txt",
            "continued.txt"
        ]
    );
    assert!(includes(b"\xff-r latin1.txt\n").is_empty());
}
