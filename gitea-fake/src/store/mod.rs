//! The in-memory state: seeding and inspection for tests, plus the request-level
//! operations the routes run. Everything sits behind one lock and every method is atomic.

mod git;
pub(crate) mod model;
pub(crate) mod ops;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use model::{Account, LabelRec, Pull, Repo, Sig, State, TokenRec, repo_key};

use crate::scope::TokenScopes;

/// The two tokens most tests need; [`TokenScopes`] says anything else Gitea can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// Read in every category ([`TokenScopes::read_only`]): every GET passes, every write
    /// gets 403.
    Read,
    /// `all` ([`TokenScopes::all`]): everything passes.
    Write,
}

impl From<Scope> for TokenScopes {
    fn from(scope: Scope) -> TokenScopes {
        match scope {
            Scope::Read => TokenScopes::read_only(),
            Scope::Write => TokenScopes::all(),
        }
    }
}

/// The state of a pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PullState {
    /// Open.
    Open,
    /// Closed without merging.
    Closed,
    /// Merged (Gitea reports `state: "closed"`, `merged: true`).
    Merged,
}

/// How [`Store::create_repo`] makes a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoOptions {
    /// Default branch name (default `main`).
    pub default_branch: String,
    /// Private repositories answer 404 to callers without access.
    pub private: bool,
    /// Archived repositories answer 423 to writes.
    pub archived: bool,
    /// An empty repository has no commits and no branches. Otherwise the default branch
    /// starts with one commit holding no files.
    pub empty: bool,
}

impl Default for RepoOptions {
    fn default() -> Self {
        RepoOptions {
            default_branch: "main".to_owned(),
            private: false,
            archived: false,
            empty: false,
        }
    }
}

/// A pull request as the store holds it, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullSnapshot {
    /// The PR number (Gitea's index).
    pub number: i64,
    /// Head branch.
    pub head: String,
    /// Base branch.
    pub base: String,
    /// Open, closed or merged.
    pub state: PullState,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Names of the labels attached.
    pub labels: Vec<String>,
}

/// A comment on a pull request as the store holds it, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentSnapshot {
    /// The comment's id.
    pub id: i64,
    /// Who wrote it (the login as created).
    pub poster: String,
    /// Its text.
    pub body: String,
}

/// Why a seeding call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No repository with that owner and name.
    #[error("repository {0} does not exist")]
    UnknownRepo(String),
    /// No branch with that name.
    #[error("branch {0} does not exist")]
    UnknownBranch(String),
}

/// The fake's state. Cloning gives another handle on the same state.
#[derive(Debug, Clone, Default)]
pub struct Store {
    inner: Arc<Mutex<State>>,
}

impl Store {
    /// A new, empty store.
    pub fn new() -> Store {
        Store::default()
    }

    /// Locks the state. A panic elsewhere cannot poison it for good: the guard is recovered.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a user. Adding an existing name does nothing.
    pub fn add_user(&self, name: &str) {
        add_account(&mut self.lock(), name, false);
    }

    /// Adds an organisation. Adding an existing name does nothing.
    pub fn add_org(&self, name: &str) {
        add_account(&mut self.lock(), name, true);
    }

    /// Makes `user` a member of `org`, which gives access to the org's private repositories.
    /// Both are created when absent.
    pub fn add_org_member(&self, org: &str, user: &str) {
        let mut st = self.lock();
        add_account(&mut st, user, false);
        add_account(&mut st, org, true);
        if let Some(acc) = st.accounts.get_mut(&org.to_lowercase()) {
            acc.members.insert(user.to_lowercase());
        }
    }

    /// Registers `token` for `user` (created when absent) with `scopes`: a [`Scope`] preset
    /// or any [`TokenScopes`], such as `"write:repository,read:organization".parse()?`.
    pub fn add_token(&self, token: &str, user: &str, scopes: impl Into<TokenScopes>) {
        let mut st = self.lock();
        add_account(&mut st, user, false);
        let rec = TokenRec {
            user: user.to_lowercase(),
            scopes: scopes.into(),
        };
        st.tokens.insert(token.to_owned(), rec);
    }

    /// Creates (or re-creates, discarding the old one) the repository `owner/name`.
    /// An unknown owner is created as an organisation.
    pub fn create_repo(&self, owner: &str, name: &str, options: RepoOptions) {
        let mut st = self.lock();
        if st.account(owner).is_none() {
            add_account(&mut st, owner, true);
        }
        let id = st.id();
        let tick = st.now();
        let owner_name = st
            .account(owner)
            .map_or(owner.to_owned(), |a| a.name.clone());
        let mut repo = Repo {
            id,
            owner: owner_name,
            name: name.to_owned(),
            default_branch: options.default_branch.clone(),
            private: options.private,
            archived: options.archived,
            branches: BTreeMap::new(),
            commits: Default::default(),
            pulls: Vec::new(),
            comments: Vec::new(),
            labels: Vec::new(),
            next_index: 0,
            created: tick,
            updated: tick,
        };
        if !options.empty {
            let sha = git::commit(
                &mut repo,
                None,
                BTreeMap::new(),
                "Initial commit",
                git::Signatures::user(owner),
                tick,
            );
            repo.branches.insert(options.default_branch, sha);
        }
        st.repos.insert(repo_key(owner, name), repo);
    }

    /// Archives or unarchives a repository. Unknown repositories are ignored.
    pub fn set_archived(&self, owner: &str, repo: &str, archived: bool) {
        if let Some(r) = self.lock().repo_mut(owner, repo) {
            r.archived = archived;
        }
    }

    /// Commits `files` (path, bytes) on `branch` in one commit and returns the commit sha.
    /// Other files are kept. A missing branch is created from the default branch (or as the
    /// first commit of an empty repository).
    ///
    /// # Errors
    /// [`StoreError::UnknownRepo`] when the repository does not exist.
    pub fn commit_files(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        files: &[(&str, &[u8])],
        message: &str,
    ) -> Result<String, StoreError> {
        self.commit_files_as(owner, repo, branch, files, message, None)
    }

    /// [`commit_files`](Self::commit_files) authored by `author` (a user name; `None` for the
    /// repository's owner). The commits API shows a known user as the commit's `author`.
    ///
    /// # Errors
    /// [`StoreError::UnknownRepo`] when the repository does not exist.
    pub fn commit_files_as(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        files: &[(&str, &[u8])],
        message: &str,
        author: Option<&str>,
    ) -> Result<String, StoreError> {
        self.commit_files_signed(
            owner,
            repo,
            branch,
            files,
            message,
            author.map(git::Signatures::user),
        )
    }

    /// [`commit_files`](Self::commit_files) with the git author and committer identity
    /// `name <email>`, as any writer can set them (`author` and `committer` of the contents
    /// API, or a push). The commits API shows the user that e-mail belongs to, if any.
    ///
    /// # Errors
    /// [`StoreError::UnknownRepo`] when the repository does not exist.
    pub fn commit_files_with_identity(
        &self,
        (owner, repo, branch): (&str, &str, &str),
        files: &[(&str, &[u8])],
        message: &str,
        name: &str,
        email: &str,
    ) -> Result<String, StoreError> {
        let sig = Sig {
            name: name.to_owned(),
            email: email.to_owned(),
        };
        let by = git::Signatures {
            author: sig.clone(),
            committer: sig,
        };
        self.commit_files_signed(owner, repo, branch, files, message, Some(by))
    }

    fn commit_files_signed(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        files: &[(&str, &[u8])],
        message: &str,
        by: Option<git::Signatures>,
    ) -> Result<String, StoreError> {
        let mut st = self.lock();
        let tick = st.now();
        let r = st
            .repo_mut(owner, repo)
            .ok_or_else(|| StoreError::UnknownRepo(format!("{owner}/{repo}")))?;
        let start = r
            .branches
            .get(branch)
            .or_else(|| r.branches.get(&r.default_branch))
            .cloned();
        let mut tree = start
            .as_ref()
            .and_then(|s| r.commits.get(s))
            .map(|c| (*c.tree).clone())
            .unwrap_or_default();
        for (path, bytes) in files {
            tree.insert((*path).to_owned(), git::blob(bytes));
        }
        let by = by.unwrap_or_else(|| git::Signatures::user(&r.owner));
        let sha = git::commit(r, start, tree, message, by, tick);
        r.branches.insert(branch.to_owned(), sha.clone());
        r.updated = tick;
        Ok(sha)
    }

    /// Deletes `paths` from `branch` in one commit and returns the commit sha.
    ///
    /// # Errors
    /// [`StoreError::UnknownRepo`] or [`StoreError::UnknownBranch`].
    pub fn delete_files(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        paths: &[&str],
        message: &str,
    ) -> Result<String, StoreError> {
        let mut st = self.lock();
        let tick = st.now();
        let r = st
            .repo_mut(owner, repo)
            .ok_or_else(|| StoreError::UnknownRepo(format!("{owner}/{repo}")))?;
        let head = r
            .branch_commit(branch)
            .ok_or_else(|| StoreError::UnknownBranch(branch.to_owned()))?;
        let start = head.sha.clone();
        let mut tree = (*head.tree).clone();
        for p in paths {
            tree.remove(*p);
        }
        let by = git::Signatures::user(&r.owner);
        let sha = git::commit(r, Some(start), tree, message, by, tick);
        r.branches.insert(branch.to_owned(), sha.clone());
        Ok(sha)
    }

    /// Creates branch `new` at the head of branch `from`. Does nothing when the repository
    /// or `from` does not exist; an existing `new` is moved.
    pub fn create_branch(&self, owner: &str, repo: &str, new: &str, from: &str) {
        if let Some(r) = self.lock().repo_mut(owner, repo)
            && let Some(sha) = r.branches.get(from).cloned()
        {
            r.branches.insert(new.to_owned(), sha);
        }
    }

    /// Deletes branch `branch` as Gitea does and returns whether it existed: open pull
    /// requests from it are closed and report `refs/pull/N/head` as `head.ref`; open ones into
    /// it are retargeted to the default branch.
    pub fn delete_branch(&self, owner: &str, repo: &str, branch: &str) -> bool {
        let mut st = self.lock();
        let tick = st.now();
        let Some(r) = st.repo_mut(owner, repo) else {
            return false;
        };
        ops::delete_branch(r, branch, tick)
    }

    /// Creates a label and returns its id (0 when the repository does not exist).
    pub fn create_label(&self, owner: &str, repo: &str, name: &str) -> i64 {
        let mut st = self.lock();
        let id = st.id();
        match st.repo_mut(owner, repo) {
            Some(r) => {
                let color = format!("{:06x}", (id * 2_654_435_761) & 0xff_ffff);
                r.labels.push(LabelRec {
                    id,
                    name: name.to_owned(),
                    color,
                });
                id
            }
            None => 0,
        }
    }

    /// Creates a pull request from `head` into `base` in the given state and returns its
    /// number (0 when the repository does not exist). No checks are made: seeding may
    /// create what the API would refuse.
    #[allow(clippy::too_many_arguments)]
    pub fn create_pull(
        &self,
        owner: &str,
        repo: &str,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
        state: PullState,
    ) -> i64 {
        let mut st = self.lock();
        let id = st.id();
        let tick = st.now();
        let Some(r) = st.repo_mut(owner, repo) else {
            return 0;
        };
        let poster = r.owner.clone();
        ops::insert_pull(
            r,
            id,
            tick,
            head,
            base,
            title,
            body,
            state,
            Vec::new(),
            &poster,
        )
    }

    /// Makes `poster` (a user, created when absent) the author of pull request `number`, as
    /// if that user had opened it. Does nothing when there is no such PR.
    pub fn set_pull_poster(&self, owner: &str, repo: &str, number: i64, poster: &str) {
        let mut st = self.lock();
        add_account(&mut st, poster, false);
        let name = st
            .account(poster)
            .map_or(poster.to_owned(), |a| a.name.clone());
        if let Some(p) = st
            .repo_mut(owner, repo)
            .and_then(|r| r.pulls.iter_mut().find(|p| p.number == number))
        {
            p.poster = name;
        }
    }

    /// The bytes of `path` on `branch`, if both exist.
    pub fn file(&self, owner: &str, repo: &str, branch: &str, path: &str) -> Option<Vec<u8>> {
        let st = self.lock();
        let blob = st
            .repo(owner, repo)?
            .branch_commit(branch)?
            .tree
            .get(path)?
            .clone();
        Some(blob.bytes.to_vec())
    }

    /// The paths of all files on `branch` (empty when absent).
    pub fn files(&self, owner: &str, repo: &str, branch: &str) -> Vec<String> {
        let st = self.lock();
        st.repo(owner, repo)
            .and_then(|r| r.branch_commit(branch))
            .map(|c| c.tree.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Branch names of a repository, sorted.
    pub fn branches(&self, owner: &str, repo: &str) -> Vec<String> {
        let st = self.lock();
        st.repo(owner, repo)
            .map(|r| r.branches.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The commit sha a branch points at.
    pub fn branch_head(&self, owner: &str, repo: &str, branch: &str) -> Option<String> {
        self.lock().repo(owner, repo)?.branches.get(branch).cloned()
    }

    /// Commit messages on `branch`, newest first (empty when absent).
    pub fn commit_messages(&self, owner: &str, repo: &str, branch: &str) -> Vec<String> {
        let st = self.lock();
        let Some(r) = st.repo(owner, repo) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut cur = r.branch_commit(branch);
        while let Some(c) = cur {
            out.push(c.message.clone());
            cur = c.parent.as_ref().and_then(|p| r.commits.get(p));
        }
        out
    }

    /// All pull requests of a repository, by number.
    pub fn pulls(&self, owner: &str, repo: &str) -> Vec<PullSnapshot> {
        let st = self.lock();
        let Some(r) = st.repo(owner, repo) else {
            return Vec::new();
        };
        r.pulls.iter().map(|p| snapshot(r, p)).collect()
    }

    /// The comments on pull request `number`, oldest first.
    pub fn comments(&self, owner: &str, repo: &str, number: i64) -> Vec<CommentSnapshot> {
        let st = self.lock();
        let Some(r) = st.repo(owner, repo) else {
            return Vec::new();
        };
        r.comments
            .iter()
            .filter(|c| c.issue == number)
            .map(|c| CommentSnapshot {
                id: c.id,
                poster: c.poster.clone(),
                body: c.body.clone(),
            })
            .collect()
    }

    /// Whether the repository exists and is archived.
    pub fn is_archived(&self, owner: &str, repo: &str) -> bool {
        self.lock().repo(owner, repo).is_some_and(|r| r.archived)
    }

    /// Every repository as `owner/name`, sorted by lower-cased name.
    pub fn repos(&self) -> Vec<String> {
        self.lock().repos.values().map(Repo::full_name).collect()
    }
}

/// Adds an account unless one with that name exists.
fn add_account(st: &mut State, name: &str, is_org: bool) {
    if st.account(name).is_some() {
        return;
    }
    let id = st.id();
    let acc = Account {
        id,
        name: name.to_owned(),
        is_org,
        members: BTreeSet::new(),
    };
    st.accounts.insert(name.to_lowercase(), acc);
}

/// The public view of a pull request.
fn snapshot(r: &Repo, p: &Pull) -> PullSnapshot {
    let labels = p
        .labels
        .iter()
        .filter_map(|id| r.labels.iter().find(|l| l.id == *id))
        .map(|l| l.name.clone())
        .collect();
    PullSnapshot {
        number: p.number,
        head: p.head.clone(),
        base: p.base.clone(),
        state: p.state,
        title: p.title.clone(),
        body: p.body.clone(),
        labels,
    }
}
