//! Files a requirements file pulls in with `-r` or `-c`: where they are in the repository, and
//! the rule that a bump never leaves one of them pinning the runtime at the old version.

use super::{Included, Target};
use crate::{
    requirements::{Decision, decide},
    version::RuntimeVersion,
};

/// At most this many files are read through `-r` and `-c`, nested includes counted; a consumer
/// that includes more needs a human.
pub const MAX_INCLUDED_FILES: usize = 16;

/// Where `-r written` (or `-c written`) in the repository file `including` points, as pip
/// resolves it: relative to the including file's directory. `None` for a URL, an absolute path,
/// or a path that leaves the repository.
///
/// ```
/// use cascade::plan::include_path;
///
/// assert_eq!(include_path("deps/requirements.txt", "../base.txt").as_deref(), Some("base.txt"));
/// assert_eq!(include_path("requirements.txt", "https://example.com/r.txt"), None);
/// ```
pub fn include_path(including: &str, written: &str) -> Option<String> {
    if written.contains("://") || written.starts_with('/') || written.contains('\\') {
        return None;
    }
    let directory = including
        .rsplit_once('/')
        .map_or("", |(directory, _)| directory);
    let mut parts: Vec<&str> = Vec::new();
    for part in directory.split('/').chain(written.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The one-line reason a human must bump this consumer, when a file the requirements file
/// includes pins the runtime at `current`, asks for a version the bump cannot give, or could
/// not be read; `Ok` when none of them names the runtime in a way the bump would break.
///
/// # Errors
///
/// The reason, naming the included file and what to do.
pub(super) fn check(
    included: &[Included],
    target: &Target,
    current: &RuntimeVersion,
) -> Result<(), String> {
    let including = &target.requirements_file;
    let package = &target.package;
    for file in included {
        match file {
            Included::Unread { written, why } => {
                return Err(format!(
                    "{including} includes {written}, which {why}: the bot cannot tell whether it \
                     pins {package}; bump by hand"
                ));
            }
            Included::File { path, file: None } => {
                return Err(format!(
                    "{including} includes {path}, which is not on the default branch: fix the \
                     include, then re-run"
                ));
            }
            Included::File {
                path,
                file: Some(file),
            } => match decide(&file.bytes, &target.bump_of(path, current)) {
                Decision::Keep { .. } => {}
                Decision::Rewrite { .. } => {
                    return Err(format!(
                        "{path}, which {including} includes, pins {package} {current}: the bot \
                         rewrites only {including}; move the pin there, or bump {path} by hand"
                    ));
                }
                Decision::Refuse(refusal) => return Err(refusal.to_string()),
            },
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{
        Action, BranchProbe, Observation, Settled, plan,
        tests::{behind, file, target},
    };

    fn included(path: &str, content: &str) -> Included {
        Included::File {
            path: path.to_owned(),
            file: file(content),
        }
    }

    /// A consumer at 1.4.2 with no bump PR, whose requirements file is `requirements` and
    /// includes `included`.
    fn consumer(requirements: &str, included: Vec<Included>) -> Observation {
        Observation {
            requirements: file(requirements),
            included,
            bump_pull: Some(None),
            ..behind()
        }
    }

    fn needs_human(obs: &Observation) -> String {
        match plan(obs, &target(), BranchProbe::FromWrite) {
            Action::Settle(Settled::NeedsHuman(reason)) => reason,
            other => panic!("expected needs-human, got {other:?}"),
        }
    }

    #[test]
    fn an_included_file_pinning_the_old_version_needs_a_human_and_nothing_is_written() {
        let obs = consumer(
            "-r base.txt\nflask==3.0.3\n",
            vec![included("base.txt", "platform-runtime==1.4.2\n")],
        );
        assert_eq!(
            needs_human(&obs),
            "base.txt, which requirements.txt includes, pins platform-runtime 1.4.2: the bot \
             rewrites only requirements.txt; move the pin there, or bump base.txt by hand"
        );
        // Also when requirements.txt pins it too: bumping one file would leave the other behind.
        let both = consumer(
            "-c constraints.txt\nplatform-runtime==1.4.2\n",
            vec![included("constraints.txt", "platform-runtime==1.4.2\n")],
        );
        assert!(needs_human(&both).starts_with("constraints.txt, which requirements.txt"));
    }

    #[test]
    fn a_nested_include_counts_like_a_direct_one() {
        let obs = consumer(
            "-r base.txt\n",
            vec![
                included("base.txt", "-r common/pins.txt\nflask==3.0.3\n"),
                included("common/pins.txt", "platform-runtime == 1.4.2\n"),
            ],
        );
        assert!(needs_human(&obs).starts_with("common/pins.txt, which requirements.txt"));
    }

    #[test]
    fn an_include_that_cannot_be_read_needs_a_human() {
        let url = consumer(
            "-r https://example.com/base.txt\n",
            vec![Included::Unread {
                written: "https://example.com/base.txt".to_owned(),
                why: "is a URL or lies outside the repository".to_owned(),
            }],
        );
        assert_eq!(
            needs_human(&url),
            "requirements.txt includes https://example.com/base.txt, which is a URL or lies \
             outside the repository: the bot cannot tell whether it pins platform-runtime; bump \
             by hand"
        );
        let missing = consumer(
            "-r base.txt\n",
            vec![Included::File {
                path: "base.txt".to_owned(),
                file: None,
            }],
        );
        assert_eq!(
            needs_human(&missing),
            "requirements.txt includes base.txt, which is not on the default branch: fix the \
             include, then re-run"
        );
    }

    #[test]
    fn an_included_hashed_pin_is_refused_with_its_own_reason() {
        let obs = consumer(
            "-r lock.txt\n",
            vec![included(
                "lock.txt",
                "platform-runtime==1.4.2 \\\n    --hash=sha256:0123\n",
            )],
        );
        assert_eq!(
            needs_human(&obs),
            "hashed pin in lock.txt line 1: regenerate the lock with platform-runtime 1.5.0"
        );
    }

    #[test]
    fn includes_that_leave_the_runtime_alone_let_the_bump_go_ahead() {
        let obs = consumer(
            "-r base.txt\nplatform-runtime==1.4.2\n",
            vec![included(
                "base.txt",
                "flask==3.0.3\nplatform-runtime>=1.4\n",
            )],
        );
        let Action::Create(commit) = plan(&obs, &target(), BranchProbe::FromWrite) else {
            panic!("expected create");
        };
        let paths: Vec<&str> = commit.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["runtime-version", "requirements.txt"]);
    }

    #[test]
    fn include_paths_resolve_like_pip_relative_to_the_including_file() {
        let cases = [
            ("requirements.txt", "base.txt", Some("base.txt")),
            ("requirements.txt", "./deps/base.txt", Some("deps/base.txt")),
            ("deps/requirements.txt", "base.txt", Some("deps/base.txt")),
            ("deps/requirements.txt", "../base.txt", Some("base.txt")),
            ("deps/requirements.txt", "a//b.txt", Some("deps/a/b.txt")),
            ("requirements.txt", "../outside.txt", None),
            ("requirements.txt", "/etc/passwd", None),
            ("requirements.txt", "https://example.com/r.txt", None),
            ("requirements.txt", "file:///tmp/r.txt", None),
            ("requirements.txt", "sub\\base.txt", None),
            ("requirements.txt", ".", None),
        ];
        for (including, written, want) in cases {
            assert_eq!(
                include_path(including, written).as_deref(),
                want,
                "{including} -r {written}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn an_include_path_never_leaves_the_repository(
            including in "[a-z./]{0,24}",
            written in "\\PC{0,32}",
        ) {
            if let Some(path) = include_path(&including, &written) {
                proptest::prop_assert!(!path.starts_with('/'));
                proptest::prop_assert!(
                    path.split('/').all(|part| !matches!(part, "" | "." | "..")),
                    "{:?}",
                    path
                );
            }
        }

        #[test]
        fn reading_includes_never_panics(content in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = crate::requirements::includes(&content);
        }
    }
}
