//! The records kept behind the store's lock.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::PullState;
use crate::scope::TokenScopes;

/// Everything the fake knows. Keys of maps are lower-cased names (Gitea matches names
/// case-insensitively); records keep the spelling they were created with.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) accounts: BTreeMap<String, Account>,
    pub(crate) tokens: HashMap<String, TokenRec>,
    pub(crate) repos: BTreeMap<String, Repo>,
    pub(crate) next_id: i64,
    pub(crate) tick: u64,
}

/// A user or an organisation.
#[derive(Debug)]
pub(crate) struct Account {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) is_org: bool,
    pub(crate) members: BTreeSet<String>,
}

/// An access token's owner (lower-cased) and scopes.
#[derive(Debug, Clone)]
pub(crate) struct TokenRec {
    pub(crate) user: String,
    pub(crate) scopes: TokenScopes,
}

/// One repository with its git objects and pull requests.
#[derive(Debug)]
pub(crate) struct Repo {
    pub(crate) id: i64,
    pub(crate) owner: String,
    pub(crate) name: String,
    pub(crate) default_branch: String,
    pub(crate) private: bool,
    pub(crate) archived: bool,
    pub(crate) branches: BTreeMap<String, String>,
    pub(crate) commits: HashMap<String, Commit>,
    pub(crate) pulls: Vec<Pull>,
    /// Comments on pull requests (the fake has no issues), oldest first.
    pub(crate) comments: Vec<CommentRec>,
    pub(crate) labels: Vec<LabelRec>,
    pub(crate) next_index: i64,
    pub(crate) created: u64,
    pub(crate) updated: u64,
}

/// A commit: a full snapshot of the tree plus its parent.
#[derive(Debug, Clone)]
pub(crate) struct Commit {
    pub(crate) sha: String,
    pub(crate) parent: Option<String>,
    pub(crate) tree: Arc<BTreeMap<String, Blob>>,
    pub(crate) tree_sha: String,
    pub(crate) message: String,
    pub(crate) author: Sig,
    pub(crate) committer: Sig,
    pub(crate) tick: u64,
}

/// A git identity as written in a commit: anyone with write access can write any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sig {
    pub(crate) name: String,
    pub(crate) email: String,
}

impl Sig {
    /// The identity Gitea writes for user `login` (`GitName`, `GetEmail`): the fake's users
    /// have no full name and keep their e-mail private, so `login <login@noreply.localhost>`.
    pub(crate) fn of_user(login: &str) -> Sig {
        Sig {
            name: login.to_owned(),
            email: format!("{}@noreply.localhost", login.to_lowercase()),
        }
    }
}

/// File bytes and their git blob sha.
#[derive(Debug, Clone)]
pub(crate) struct Blob {
    pub(crate) sha: String,
    pub(crate) bytes: Arc<[u8]>,
}

/// A pull request. Head and base live in the same repository (no forks in the fake).
#[derive(Debug, Clone)]
pub(crate) struct Pull {
    pub(crate) id: i64,
    pub(crate) number: i64,
    pub(crate) head: String,
    pub(crate) base: String,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) state: PullState,
    pub(crate) labels: Vec<i64>,
    pub(crate) poster: String,
    pub(crate) head_sha: String,
    pub(crate) base_sha: String,
    pub(crate) merge_sha: Option<String>,
    pub(crate) created: u64,
    pub(crate) closed: Option<u64>,
}

/// A comment on a pull request (Gitea's `CommentTypeComment`).
#[derive(Debug, Clone)]
pub(crate) struct CommentRec {
    pub(crate) id: i64,
    /// The number of the pull request it is on.
    pub(crate) issue: i64,
    pub(crate) poster: String,
    pub(crate) body: String,
    pub(crate) created: u64,
}

/// A repository label.
#[derive(Debug, Clone)]
pub(crate) struct LabelRec {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) color: String,
}

impl State {
    /// Allocates a fresh id shared by every kind of record.
    pub(crate) fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// Advances the logical clock and returns the new tick.
    pub(crate) fn now(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// The repository `owner/name`, matched case-insensitively.
    pub(crate) fn repo(&self, owner: &str, name: &str) -> Option<&Repo> {
        self.repos.get(&repo_key(owner, name))
    }

    /// The repository `owner/name` for writing.
    pub(crate) fn repo_mut(&mut self, owner: &str, name: &str) -> Option<&mut Repo> {
        self.repos.get_mut(&repo_key(owner, name))
    }

    /// The account named `name`, matched case-insensitively.
    pub(crate) fn account(&self, name: &str) -> Option<&Account> {
        self.accounts.get(&name.to_lowercase())
    }

    /// The user an e-mail belongs to, as `GetUserByEmail` finds it: every fake user's only
    /// address is its private `login@noreply.localhost`, matched case-insensitively. An
    /// organisation is no commit's user.
    pub(crate) fn user_by_email(&self, email: &str) -> Option<&Account> {
        let login = email.to_lowercase();
        let login = login.strip_suffix("@noreply.localhost")?;
        self.account(login).filter(|a| !a.is_org)
    }
}

impl Pull {
    /// Neither closed nor merged.
    pub(crate) fn is_open(&self) -> bool {
        self.state == PullState::Open
    }
}

impl Repo {
    /// `owner/name` as created.
    pub(crate) fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// The commit a branch points at.
    pub(crate) fn branch_commit(&self, branch: &str) -> Option<&Commit> {
        self.branches
            .get(branch)
            .and_then(|sha| self.commits.get(sha))
    }

    /// Resolves a ref as Gitea does: a branch first, then a commit sha (full or a prefix of
    /// at least 7 hex digits).
    pub(crate) fn resolve(&self, git_ref: &str) -> Option<&Commit> {
        if let Some(c) = self.branch_commit(git_ref) {
            return Some(c);
        }
        if git_ref.len() >= 7 && git_ref.chars().all(|c| c.is_ascii_hexdigit()) {
            let lower = git_ref.to_ascii_lowercase();
            return self.commits.values().find(|c| c.sha.starts_with(&lower));
        }
        None
    }

    /// The newest commit reachable from `from` whose snapshot has `path` as it is in `from`.
    pub(crate) fn last_commit_for(&self, from: &Commit, path: &str) -> String {
        let wanted = from.tree.get(path).map(|b| b.sha.clone());
        let mut current = from;
        while let Some(parent) = current.parent.as_ref().and_then(|p| self.commits.get(p)) {
            if parent.tree.get(path).map(|b| b.sha.clone()) != wanted {
                break;
            }
            current = parent;
        }
        current.sha.clone()
    }
}

/// The map key of a repository.
pub(crate) fn repo_key(owner: &str, name: &str) -> String {
    format!("{}/{}", owner.to_lowercase(), name.to_lowercase())
}
