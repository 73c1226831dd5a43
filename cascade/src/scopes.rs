//! The token scopes a run needs, checked before anything is written.
//!
//! Gitea checks a token's scopes per route group before anything else, and answers a missing
//! one with a 403 that names it (see [`gitea_api::Error::missing_scopes`]). A missing scope
//! fails every consumer the same way, so it is a setup error: [`check`] makes one read of each
//! kind the run needs and names every missing scope in one line. Which scope each feature needs
//! is listed in docs/runbook.md ("Token scopes").

use std::fmt;

use futures_util::TryStreamExt;
use gitea_api::Client;

use crate::{
    config::Config,
    propagate,
    repo::{RepoName, Selection},
};

/// What a run will do, beyond reading consumers' files and pull requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScopeNeeds {
    /// Resolve `[pull_request] labels` (the labels list needs `read:issue`).
    pub labels: bool,
    /// Write the bump commits and pull requests (`write:repository`).
    pub write: bool,
    /// Read the token's own user (`read:user`), which tells the bot's branches and pull
    /// requests from anyone else's.
    pub own_user: bool,
}

/// Scopes the token lacks, each with the feature that needs it. Always non-empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingScopes {
    /// (the scopes Gitea asked for, such as `read:issue`; what needs them).
    pub missing: Vec<(String, &'static str)>,
}

impl MissingScopes {
    /// The scopes of one failed request, when it was Gitea's scope 403.
    pub(crate) fn of(err: &gitea_api::Error, what: &'static str) -> Option<MissingScopes> {
        let scopes = err.missing_scopes()?;
        Some(MissingScopes {
            missing: vec![(scopes.join(" and "), what)],
        })
    }

    /// Every scope named, once, in the order found.
    pub fn scopes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (scope, _) in &self.missing {
            if !out.contains(&scope.as_str()) {
                out.push(scope);
            }
        }
        out
    }
}

impl fmt::Display for MissingScopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let needs: Vec<String> = self
            .missing
            .iter()
            .map(|(scope, what)| format!("{scope} ({what})"))
            .collect();
        write!(
            f,
            "the token lacks scope {}; create a token that has {} too (docs/runbook.md, \"Token scopes\")",
            needs.join(", "),
            self.scopes().join(", ")
        )
    }
}

impl std::error::Error for MissingScopes {}

/// What needs `read:organization`.
const ORG_LISTING: &str = "listing [consumers] orgs";
/// What needs `read:repository`.
const READS: &str = "reading consumers";
/// What needs `read:issue`.
const LABELS: &str = "[pull_request] labels";
/// What needs `write:repository`.
const WRITES: &str = "the bump commits and pull requests";
/// What needs `read:user`.
const OWN_USER: &str = "telling the bot's pull requests from others'";

/// One read of each kind the run needs: the first page of the first org's repositories, a
/// batch read of the version file in one repository of the run (the runtime's, else the org's
/// first, else a named consumer once `GET /repos` shows it is its owner's), its labels when `needs.labels`, when `needs.write` the write-scope check of the
/// batch read's `POST` form (which reads, too), and when `needs.own_user` the token's own user
/// (`GET /user`).
/// Only Gitea's scope 403s count here; any other failure is left to the run, which reports it
/// per consumer.
///
/// # Errors
/// [`MissingScopes`], naming every scope the token lacks.
pub async fn check(
    client: &Client,
    config: &Config,
    selection: &Selection,
    needs: ScopeNeeds,
) -> Result<(), MissingScopes> {
    let mut missing = Vec::new();
    let mut note = |result: Result<(), gitea_api::Error>, what| {
        if let Err(err) = result
            && let Some(m) = MissingScopes::of(&err, what)
        {
            missing.extend(m.missing);
        }
    };
    let mut discovered = None;
    if let Some(org) = config.consumers.orgs.first() {
        let repos = client.list_org_repos(org);
        futures_util::pin_mut!(repos);
        match repos.try_next().await {
            Ok(first) => {
                discovered = first
                    .filter(|r| propagate::foreign_owner(org, r).is_none())
                    .and_then(|r| RepoName::parse(&r.full_name).ok())
                    .filter(|name| selection.selects(name));
            }
            Err(err) => note(Err(err), ORG_LISTING),
        }
    }
    // Scopes are the token's, not a repository's: any repository of the run will do.
    // The runtime's own keeps the consumers' requests what they are; a discovered repository
    // is the org's (checked above); a named consumer is read only once it is its owner's, so a
    // transferred repository is never probed.
    let named = selection
        .only
        .iter()
        .find(|p| p.is_exact())
        .and_then(|p| RepoName::parse(&p.to_string()).ok())
        .or_else(|| {
            let mut listed = config.consumers.repos.iter();
            listed.find(|r| selection.selects(r)).cloned()
        });
    let mut probe = config.runtime_repo.clone().or(discovered);
    if probe.is_none()
        && let Some(repo) = named
    {
        match client.get_repo(&repo.owner, &repo.name).await {
            Ok(found) if propagate::foreign_owner(&repo.owner, &found).is_none() => {
                probe = Some(repo);
            }
            Ok(_) => {}
            Err(err) => note(Err(err), READS),
        }
    }
    if let Some(repo) = probe {
        let (owner, name) = (repo.owner.as_str(), repo.name.as_str());
        let file = config.version_file.as_str();
        let read = client.get_file_contents(owner, name, &[file], None).await;
        note(read.map(drop), READS);
        if needs.labels {
            note(client.list_labels(owner, name).await.map(drop), LABELS);
        }
        if needs.write {
            note(client.check_write_scope(owner, name, file).await, WRITES);
        }
    }
    if needs.own_user {
        // Cached by the client: the run's own checks reuse it.
        note(client.current_user().await.map(drop), OWN_USER);
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(MissingScopes { missing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_names_every_scope_and_what_needs_it() {
        let m = MissingScopes {
            missing: vec![
                ("read:issue".to_owned(), LABELS),
                ("write:repository".to_owned(), WRITES),
            ],
        };
        let line = m.to_string();
        assert_eq!(
            line,
            "the token lacks scope read:issue ([pull_request] labels), write:repository (the bump commits and pull requests); create a token that has read:issue, write:repository too (docs/runbook.md, \"Token scopes\")"
        );
        assert!(!line.contains('\n'));
    }
}
