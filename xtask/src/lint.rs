//! `cargo xtask lint-workflows`: credentials embedded in URLs in CI workflow files.
//!
//! A token in a URL ends up in logs, process lists and proxies; a token in a header does not.
//! This scanner reads workflow files as text, line by line, so it sees `run:` scripts, block
//! scalars and folded lines alike. It never prints the secret, only where and what.

use std::{
    fmt,
    path::{Path, PathBuf},
};

/// One credential found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    /// 1-based line number.
    pub(crate) line: usize,
    /// What was found, without the secret.
    pub(crate) what: Kind,
}

/// The kinds of credential in a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `https://user:password@host`.
    PasswordInUserInfo,
    /// `https://${{ secrets.X }}@host` or `https://$TOKEN@host`.
    ExpressionInUserInfo,
    /// `https://oauth2:...@host`, GitLab and Gitea's token-as-password convention.
    OAuth2UserInfo,
    /// `?token=` or `&token=`.
    TokenQuery,
    /// `?access_token=` or `&access_token=`.
    AccessTokenQuery,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::PasswordInUserInfo => "password in URL user-info (use an Authorization header)",
            Kind::ExpressionInUserInfo => {
                "secret expression in URL user-info (use an Authorization header)"
            }
            Kind::OAuth2UserInfo => "oauth2 token in URL user-info (use an Authorization header)",
            Kind::TokenQuery => "token in URL query ?token= (use an Authorization header)",
            Kind::AccessTokenQuery => {
                "token in URL query ?access_token= (use an Authorization header)"
            }
        })
    }
}

/// Scans one file's text.
///
/// Whole-line comments (YAML or shell) are not run, so only a literal password there counts:
/// the secret is in the file itself.
pub(crate) fn scan(text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let is_comment = line.trim_start().starts_with('#');
        for what in scan_line(line) {
            if is_comment && what != Kind::PasswordInUserInfo {
                continue;
            }
            findings.push(Finding {
                line: index + 1,
                what,
            });
        }
    }
    findings
}

/// The workflow files of a repository: `.gitea/workflows` and `.github/workflows`, `*.yml`
/// and `*.yaml`, sorted.
pub(crate) fn default_paths(root: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for dir in [".gitea/workflows", ".github/workflows"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_yaml = path
                .extension()
                .is_some_and(|ext| ext == "yml" || ext == "yaml");
            if is_yaml {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
}

/// The workflow files a directory argument stands for: the defaults with the directory as the
/// repository root, and the `*.yml` and `*.yaml` files in the directory itself (so both
/// `lint-workflows .` and `lint-workflows .gitea/workflows` work), sorted, each once.
pub(crate) fn paths_in_dir(dir: &Path) -> Vec<PathBuf> {
    let mut paths = default_paths(dir);
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let is_yaml = path
                .extension()
                .is_some_and(|ext| ext == "yml" || ext == "yaml");
            if is_yaml && path.is_file() {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

fn scan_line(line: &str) -> Vec<Kind> {
    let mut kinds = Vec::new();
    let mut rest = line;
    while let Some(pos) = rest.find("://") {
        let after = &rest[pos + 3..];
        let url_len = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>'))
            .unwrap_or(after.len());
        let url = expand_expression_spaces(after, url_len);
        if let Some(kind) = userinfo_kind(&url) {
            kinds.push(kind);
        }
        rest = &after[url_len.min(after.len())..];
    }
    for (needle, kind) in [
        ("token=", Kind::TokenQuery),
        ("access_token=", Kind::AccessTokenQuery),
    ] {
        let hit = ['?', '&'].iter().any(|sep| {
            line.match_indices(&format!("{sep}{needle}"))
                .any(|(i, _)| has_value(&line[i + 1 + needle.len()..]))
        });
        if hit {
            kinds.push(kind);
        }
    }
    kinds
}

/// A `${{ secrets.X }}` expression contains spaces; the URL's authority runs to its `}}`.
fn expand_expression_spaces(after: &str, url_len: usize) -> String {
    let head = &after[..url_len];
    if let Some(open) = head.find("${{")
        && let Some(close) = after[open..].find("}}")
    {
        let end = open + close + 2;
        let tail_len = after[end..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\''))
            .unwrap_or(after.len() - end);
        return after[..end + tail_len].to_owned();
    }
    head.to_owned()
}

fn userinfo_kind(url: &str) -> Option<Kind> {
    let authority_end = url.find(['/', '?', '#']).unwrap_or(url.len());
    let authority = &url[..authority_end];
    let at = authority.rfind('@')?;
    let userinfo = &authority[..at];
    if userinfo.is_empty() {
        return None;
    }
    let is_expression = |s: &str| s.contains("${{") || s.contains('$');
    let (user, password) = match userinfo.split_once(':') {
        Some((user, password)) => (user, Some(password)),
        None => (userinfo, None),
    };
    if user.eq_ignore_ascii_case("oauth2") {
        return Some(Kind::OAuth2UserInfo);
    }
    if is_expression(userinfo) {
        return Some(Kind::ExpressionInUserInfo);
    }
    match password {
        Some(password) if !password.is_empty() => Some(Kind::PasswordInUserInfo),
        _ => None,
    }
}

fn has_value(after_equals: &str) -> bool {
    after_equals
        .chars()
        .next()
        .is_some_and(|c| !c.is_whitespace() && c != '&')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(usize, Kind)> {
        scan(text).into_iter().map(|f| (f.line, f.what)).collect()
    }

    #[test]
    fn finds_each_kind_of_credential_in_a_url() {
        let text = r#"jobs:
  push:
    steps:
      - run: git push https://bot:hunter2@gitea.example.com/o/r.git
      - run: git clone https://${{ secrets.GITEA_TOKEN }}@gitea.example.com/o/r.git
      - run: git clone "https://oauth2:${{ secrets.T }}@gitea.example.com/o/r.git"
      - run: curl https://gitea.example.com/api/v1/version?token=${{ secrets.T }}
      - run: curl "https://gitea.example.com/api/v1/repos?limit=1&access_token=$TOKEN"
      - run: git clone https://$GITEA_TOKEN@gitea.example.com/o/r.git
"#;
        assert_eq!(
            kinds(text),
            [
                (4, Kind::PasswordInUserInfo),
                (5, Kind::ExpressionInUserInfo),
                (6, Kind::OAuth2UserInfo),
                (7, Kind::TokenQuery),
                (8, Kind::AccessTokenQuery),
                (9, Kind::ExpressionInUserInfo),
            ]
        );
    }

    #[test]
    fn finds_credentials_in_block_scalars_and_multi_line_run_steps() {
        let text = r#"    steps:
      - name: push
        run: |
          set -eu
          git remote add origin \
            https://ci:${{ secrets.PASS }}@gitea.example.com/o/r.git
      - name: folded
        run: >
          curl -fsS
          "https://gitea.example.com/api/v1/user?access_token=${{ secrets.T }}"
"#;
        assert_eq!(
            kinds(text),
            [
                (6, Kind::ExpressionInUserInfo),
                (10, Kind::AccessTokenQuery)
            ]
        );
    }

    #[test]
    fn accepts_header_auth_plain_urls_and_ssh_users() {
        let text = r#"    steps:
      - run: |
          curl -H "Authorization: token ${{ secrets.GITEA_TOKEN }}" https://gitea.example.com/api/v1/version
          git clone https://gitea.example.com/o/r.git
          git clone ssh://git@gitea.example.com/o/r.git
          git clone git@gitea.example.com:o/r.git
          echo "see https://docs.example.com/page?tokenizer=fast&mytoken=1"
          curl "https://gitea.example.com/api/v1/repos/search?q=token"
      - uses: actions/checkout@v4
        with:
          token: ${{ secrets.GITEA_TOKEN }}
"#;
        assert_eq!(kinds(text), []);
    }

    #[test]
    fn commented_lines_count_only_for_literal_passwords() {
        let text = r#"# git clone https://${{ secrets.T }}@gitea.example.com/o/r.git
    # curl https://gitea.example.com/api/v1/version?token=$T
      # git push https://bot:hunter2@gitea.example.com/o/r.git
"#;
        assert_eq!(kinds(text), [(3, Kind::PasswordInUserInfo)]);
    }

    #[test]
    fn findings_never_print_the_secret() {
        for finding in scan("run: git push https://bot:hunter2@h/o/r.git?token=sekrit") {
            let shown = finding.what.to_string();
            assert!(
                !shown.contains("hunter2") && !shown.contains("sekrit"),
                "{shown}"
            );
        }
    }

    #[test]
    fn the_example_workflows_pass() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
        let mut checked = 0;
        for entry in std::fs::read_dir(&root).unwrap().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            assert_eq!(scan(&text), [], "{}", entry.path().display());
            checked += 1;
        }
        assert!(checked > 0, "no example workflows in {}", root.display());
    }

    /// The steps of a workflow job, each as its lines (a step starts with `- ` under `steps:`).
    fn steps(text: &str) -> Vec<Vec<&str>> {
        let mut steps: Vec<Vec<&str>> = Vec::new();
        for line in text.lines().skip_while(|l| l.trim() != "steps:").skip(1) {
            if line.trim_start().starts_with("- ") && line.starts_with("      - ") {
                steps.push(Vec::new());
            }
            if let Some(step) = steps.last_mut() {
                step.push(line);
            }
        }
        steps
    }

    #[test]
    fn the_example_workflow_keeps_the_token_out_of_the_build_and_pins_actions() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/propagate.yml");
        let text = std::fs::read_to_string(&path).unwrap();
        let steps = steps(&text);
        let with = |needle: &str| -> Vec<&Vec<&str>> {
            steps
                .iter()
                .filter(|s| s.iter().any(|l| l.contains(needle)))
                .collect()
        };
        let build = with("cargo build --locked --release -p xtask");
        assert_eq!(build.len(), 1, "one build step");
        assert!(
            !build[0]
                .iter()
                .any(|l| l.contains("secrets.") || l.contains("env:")),
            "the build step sees no secret: {:?}",
            build[0]
        );
        let secret = with("secrets.");
        assert_eq!(secret.len(), 1, "the secret reaches one step only");
        assert!(
            secret[0].iter().any(|l| l.contains("umask 077")),
            "it only writes a 0600 file: {:?}",
            secret[0]
        );
        let runs = with("./target/release/xtask");
        assert_eq!(runs.len(), 2, "propagate and drift run the built binary");
        for run in runs {
            assert!(run.iter().any(|l| l.contains("--token-file")), "{run:?}");
        }
        assert!(
            !text.contains("cargo xtask"),
            "nothing compiles with the token around"
        );
        assert!(text.contains("persist-credentials: false"));
        for line in text
            .lines()
            .filter(|l| l.trim_start().starts_with("- uses:"))
        {
            let pin = line.split('@').nth(1).unwrap_or_default();
            let (sha, tag) = pin.split_once(" # ").unwrap_or((pin, ""));
            let pinned = sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit());
            assert!(
                pinned && tag.starts_with('v'),
                "not pinned by sha and tag: {line}"
            );
        }
    }
}
