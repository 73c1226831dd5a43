//! The bump pull request's title and body: the configured templates, then what the bump
//! changed, file by file and line by line, what closing it means, and the release notes.
//!
//! Pure: everything comes from the plan ([`crate::plan::BumpCommit::changes`]) and the config.

use crate::{config::PullRequestConfig, template::Values};

/// What the body says besides the templates.
#[derive(Clone, Copy, Debug)]
pub struct BodyFacts<'a> {
    /// One Markdown list item per file and per requirements line the bump changed or left alone.
    pub changes: &'a [String],
    /// Whether a later release's bump PR closes this one (`[pull_request] supersede`).
    pub superseded_later: bool,
}

/// The title prefix that makes a Gitea PR a draft ("work in progress"): the first of Gitea's
/// default `[repository.pull-request] WORK_IN_PROGRESS_PREFIXES` (`WIP:`, `[WIP]`), as its web
/// UI writes it. Gitea has no draft field on create; its API reports `draft` from the title.
pub const DRAFT_PREFIX: &str = "WIP: ";

/// Whether `title` starts with one of Gitea's default WIP prefixes, compared as Gitea does
/// (upper-cased).
pub fn has_draft_prefix(title: &str) -> bool {
    let upper = title.to_uppercase();
    ["WIP:", "[WIP]"]
        .iter()
        .any(|prefix| upper.starts_with(prefix))
}

/// The PR title: the title template, with [`DRAFT_PREFIX`] when the PR is opened as a draft
/// (`[pull_request] draft`) and the title does not already say so.
pub fn pull_title(config: &PullRequestConfig, values: &Values<'_>) -> String {
    let title = config.title.render(values);
    if config.draft && !has_draft_prefix(&title) {
        format!("{DRAFT_PREFIX}{title}")
    } else {
        title
    }
}

/// The PR body.
///
/// ```
/// use cascade::{body::{BodyFacts, pull_body}, config::{Config, Consumers}, template::{Template, Values}};
///
/// let mut config = Config::with_defaults("https://g", "platform-runtime", Consumers::default()).pull_request;
/// config.body = Template::parse("Bump to {version}.")?;
/// config.changelog_url = Some(Template::parse("https://g/platform/runtime/releases/tag/v{version}")?);
/// let values = Values { package: "platform-runtime", version: "1.5.0", old_version: "1.4.2" };
/// let changes = ["`runtime-version`: 1.4.2 -> 1.5.0".to_owned()];
/// let body = pull_body(&config, &values, &BodyFacts { changes: &changes, superseded_later: true });
/// assert!(body.starts_with("Bump to 1.5.0.\n\n### What changed\n\n- `runtime-version`: 1.4.2 -> 1.5.0\n"));
/// assert!(body.contains("Release notes: https://g/platform/runtime/releases/tag/v1.5.0"));
/// assert!(body.contains("Closing this pull request without merging declines 1.5.0"));
/// # Ok::<(), cascade::template::TemplateError>(())
/// ```
pub fn pull_body(config: &PullRequestConfig, values: &Values<'_>, facts: &BodyFacts<'_>) -> String {
    let mut body = config.body.render(values);
    if !facts.changes.is_empty() {
        body.push_str("\n\n### What changed\n\n");
        for change in facts.changes {
            body.push_str("- ");
            body.push_str(change);
            body.push('\n');
        }
    }
    if let Some(url) = &config.changelog_url {
        body.push_str(&format!("\nRelease notes: {}\n", url.render(values)));
    }
    body.push_str(&format!(
        "\nClosing this pull request without merging declines {version} for this repository: \
         `cargo xtask propagate` will not propose {version} again.",
        version = values.version
    ));
    if facts.superseded_later {
        body.push_str(
            " A later release gets its own pull request, which closes this one if it is still open.",
        );
    }
    body.push('\n');
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Consumers};

    fn config() -> PullRequestConfig {
        Config::with_defaults("https://g", "platform-runtime", Consumers::default()).pull_request
    }

    const VALUES: Values<'static> = Values {
        package: "platform-runtime",
        version: "1.5.0",
        old_version: "1.4.2",
    };

    #[test]
    fn the_default_body_states_the_versions_the_changes_and_what_closing_means() {
        let changes = vec![
            "`runtime-version`: 1.4.2 -> 1.5.0".to_owned(),
            "`requirements.txt` line 2, left alone: `platform-runtime>=1.0`; not a pin".to_owned(),
        ];
        let facts = BodyFacts {
            changes: &changes,
            superseded_later: false,
        };
        let body = pull_body(&config(), &VALUES, &facts);
        assert!(
            body.contains("bumps `platform-runtime` from 1.4.2 to 1.5.0"),
            "{body}"
        );
        assert!(
            body.contains("\n- `runtime-version`: 1.4.2 -> 1.5.0\n"),
            "{body}"
        );
        assert!(
            body.contains("\n- `requirements.txt` line 2, left alone:"),
            "{body}"
        );
        assert!(!body.contains("Release notes"), "{body}");
        assert!(body.ends_with("will not propose 1.5.0 again.\n"), "{body}");
        assert_eq!(
            pull_title(&config(), &VALUES),
            "Bump platform-runtime to 1.5.0"
        );
    }

    #[test]
    fn a_draft_title_gets_gitea_s_wip_prefix_once() {
        let mut draft = config();
        draft.draft = true;
        assert_eq!(
            pull_title(&draft, &VALUES),
            "WIP: Bump platform-runtime to 1.5.0"
        );
        draft.title = crate::template::Template::parse("[wip] bump {version}").unwrap();
        assert_eq!(pull_title(&draft, &VALUES), "[wip] bump 1.5.0");
        assert!(has_draft_prefix("wip: x") && !has_draft_prefix("WIPE: x"));
    }
}
