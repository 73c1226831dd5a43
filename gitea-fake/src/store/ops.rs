//! The write operations behind the API, with Gitea's checks in Gitea's order. Each runs
//! under the caller's lock, so it either applies completely or not at all.

use axum::http::StatusCode;

use super::PullState;
use super::git;
use super::model::{CommentRec, Pull, Repo, Sig, State};
use crate::fail::Fail;

/// What one file operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Create,
    Update,
    Delete,
}

/// One file of a change set.
#[derive(Debug, Clone)]
pub(crate) struct FileChange {
    pub(crate) op: Op,
    pub(crate) path: String,
    pub(crate) content: Vec<u8>,
    pub(crate) sha: Option<String>,
}

/// A commit request as `PUT /contents/{path}` and `POST /contents` make it.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChangeSet {
    pub(crate) branch: Option<String>,
    pub(crate) new_branch: Option<String>,
    pub(crate) message: Option<String>,
    /// `force_push` (1.26+): an existing `new_branch` is rebuilt from `branch` plus this change.
    pub(crate) force_push: bool,
    pub(crate) files: Vec<FileChange>,
    /// `author` and `committer` as given; empty fields are filled in (see [`signature`]).
    pub(crate) author: Sig,
    pub(crate) committer: Sig,
}

/// Gitea's `makeGitUserSignature` (services/repository/files/temp_repo.go, used by
/// `CommitTree`): each field of `identity`, else the same field of `other`, else the doer's
/// (`GitName`, `GetEmail`). So an author alone is the committer too, and neither is the doer.
fn signature(doer: &str, identity: &Sig, other: &Sig) -> Sig {
    let field = |get: fn(&Sig) -> &str, fallback: String| {
        [identity, other]
            .into_iter()
            .map(get)
            .find(|v| !v.is_empty())
            .map_or(fallback, str::to_owned)
    };
    let own = Sig::of_user(doer);
    Sig {
        name: field(|s| &s.name, own.name),
        email: field(|s| &s.email, own.email),
    }
}

/// Where a change set landed.
#[derive(Debug, Clone)]
pub(crate) struct Landed {
    pub(crate) branch: String,
    pub(crate) commit: String,
    /// The files' paths as cleaned, in the order given.
    pub(crate) paths: Vec<String>,
}

/// Applies a change set as one commit, like Gitea's `ChangeRepoFiles`
/// (services/repository/files/update.go), with its checks in its order: the base branch
/// (any name in an empty repository), the paths, an existing `new_branch`, then each file
/// against the base. The first commit of an empty repository makes `new_branch` its default
/// branch.
///
/// # Errors
/// 404 for an unknown base branch or a missing file to update or delete; 422 for an existing
/// `new_branch` without `force_push`, a stale `sha`, an existing file to create, or a bad path.
pub(crate) fn change_files(
    r: &mut Repo,
    set: &ChangeSet,
    doer: &str,
    tick: u64,
) -> Result<Landed, Fail> {
    let old = set
        .branch
        .clone()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| r.default_branch.clone());
    let new = set
        .new_branch
        .clone()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| old.clone());
    let was_empty = r.branches.is_empty();
    let base = match r.branches.get(&old) {
        Some(sha) => Some(sha.clone()),
        None if was_empty => None,
        None => {
            return Err(Fail::msg(
                StatusCode::NOT_FOUND,
                format!("branch does not exist [repo_id: {} name: {old}]", r.id),
            ));
        }
    };
    let paths = set
        .files
        .iter()
        .map(|f| clean_tree_path(&f.path))
        .collect::<Result<Vec<_>, _>>()?;
    if new != old && r.branches.contains_key(&new) && !set.force_push {
        return Err(Fail::unprocessable(format!(
            "branch already exists [name: {new}]"
        )));
    }
    let mut tree = base
        .as_ref()
        .and_then(|s| r.commits.get(s))
        .map(|c| (*c.tree).clone())
        .unwrap_or_default();
    if base.is_some() {
        for (f, path) in set.files.iter().zip(&paths) {
            check_file(&tree, f, path)?;
        }
    } else if set.files.iter().any(|f| f.op == Op::Delete) {
        // Nothing to clone a deletion from.
        return Err(Fail::msg(
            StatusCode::NOT_FOUND,
            format!("branch does not exist [name: {old}]"),
        ));
    }
    for (f, path) in set.files.iter().zip(&paths) {
        match f.op {
            Op::Create | Op::Update => {
                tree.insert(path.clone(), git::blob(&f.content));
            }
            Op::Delete => {
                tree.remove(path);
            }
        }
    }
    // The handler fills in the default only for an empty message; the service then trims.
    let message = match set.message.as_deref() {
        None | Some("") => default_message(&set.files, &paths),
        Some(m) => m.trim().to_owned(),
    };
    let by = git::Signatures {
        author: signature(doer, &set.author, &set.committer),
        committer: signature(doer, &set.committer, &set.author),
    };
    let commit = git::commit(r, base, tree, &message, by, tick);
    r.branches.insert(new.clone(), commit.clone());
    if was_empty {
        r.default_branch.clone_from(&new);
    }
    r.updated = tick;
    Ok(Landed {
        branch: new,
        commit,
        paths,
    })
}

/// Gitea's `handleCheckErrors` for one file against the base tree. An update or delete
/// without `sha` passes: the service compares the branch head with itself.
fn check_file(
    tree: &std::collections::BTreeMap<String, super::model::Blob>,
    f: &FileChange,
    path: &str,
) -> Result<(), Fail> {
    let current = tree.get(path).map(|b| b.sha.clone());
    if matches!(f.op, Op::Update | Op::Delete) {
        let Some(expected) = current.as_deref() else {
            return Err(Fail::msg(
                StatusCode::NOT_FOUND,
                format!("object does not exist [id: , rel_path: {path}]"),
            ));
        };
        if let Some(given) = f.sha.as_deref().filter(|s| !s.is_empty())
            && given != expected
        {
            return Err(Fail::unprocessable(format!(
                "sha does not match [given: {given}, expected: {expected}]"
            )));
        }
    }
    if f.op == Op::Delete {
        return Ok(());
    }
    let mut prefix = String::new();
    for part in path
        .split('/')
        .collect::<Vec<_>>()
        .split_last()
        .map_or(&[][..], |(_, d)| d)
    {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        if tree.contains_key(&prefix) {
            return Err(Fail::unprocessable(format!(
                "a file exists where you\u{2019}re trying to create a subdirectory [path: {prefix}]"
            )));
        }
    }
    let dir = format!("{path}/");
    if tree.keys().any(|k| k.starts_with(&dir)) {
        return Err(Fail::unprocessable(format!(
            "a directory exists where you\u{2019}re trying to create a file [path: {path}]"
        )));
    }
    if f.op == Op::Create && current.is_some() {
        return Err(Fail::unprocessable(format!(
            "repository file already exists [path: {path}]"
        )));
    }
    Ok(())
}

/// Gitea's default commit message (`changeFilesCommitMessage`, routers/api/v1/repo/file.go):
/// one line per kind of operation, `Add a, b`, `Update c`, `Delete d`, in that order.
fn default_message(files: &[FileChange], paths: &[String]) -> String {
    let of = |op: Op| {
        files
            .iter()
            .zip(paths)
            .filter(|(f, _)| f.op == op)
            .map(|(_, p)| p.as_str())
            .collect::<Vec<_>>()
    };
    let mut lines = Vec::new();
    for (op, verb) in [
        (Op::Create, "Add"),
        (Op::Update, "Update"),
        (Op::Delete, "Delete"),
    ] {
        let names = of(op);
        if !names.is_empty() {
            lines.push(format!("{verb} {}", names.join(", ")));
        }
    }
    lines.join("\n")
}

/// Gitea's `CleanGitTreePath`: each component cleaned as `path.Clean("/" + p)` does (so
/// `../x` and `./x` are `x`), and a `.git` component anywhere is refused.
///
/// # Errors
/// 422 `path contains a malformed path component [path: …]` for an empty result or `.git`.
pub(crate) fn clean_tree_path(path: &str) -> Result<String, Fail> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() || parts.iter().any(|p| p.eq_ignore_ascii_case(".git")) {
        return Err(Fail::unprocessable(format!(
            "path contains a malformed path component [path: {path}]"
        )));
    }
    Ok(parts.join("/"))
}

/// `POST /branches` after binding: creates `new` from `old_ref`, `old_branch` or the default
/// branch.
///
/// # Errors
/// 404 for an empty repository or a missing old branch, 409 for an existing branch, and
/// Gitea's 500 quirk for an unknown `old_ref_name`.
pub(crate) fn create_branch(
    r: &mut Repo,
    new: &str,
    old_ref: Option<&str>,
    old_branch: Option<&str>,
) -> Result<(), Fail> {
    if r.branches.is_empty() {
        return Err(Fail::msg(StatusCode::NOT_FOUND, "Git Repository is empty."));
    }
    if r.branches.contains_key(new) {
        return Err(Fail::msg(
            StatusCode::CONFLICT,
            "The branch already exists.",
        ));
    }
    let sha = match (old_ref, old_branch) {
        (Some(reference), _) => r
            .resolve(reference)
            .map(|c| c.sha.clone())
            .ok_or_else(|| Fail::msg(StatusCode::INTERNAL_SERVER_ERROR, ""))?,
        (None, Some(b)) => r
            .branches
            .get(b)
            .cloned()
            .ok_or_else(|| Fail::msg(StatusCode::NOT_FOUND, "The old branch does not exist"))?,
        (None, None) => r
            .branches
            .get(&r.default_branch)
            .cloned()
            .ok_or_else(|| Fail::msg(StatusCode::NOT_FOUND, "The old branch does not exist"))?,
    };
    r.branches.insert(new.to_owned(), sha);
    Ok(())
}

/// A validated pull request to create.
#[derive(Debug, Clone)]
pub(crate) struct NewPull {
    pub(crate) head: String,
    pub(crate) base: String,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) labels: Vec<i64>,
}

/// Splits `branch`, `owner:branch` or `owner/repo:branch` and checks the owner (and repo)
/// name the repository itself, since the fake has no forks. None when they do not.
pub(crate) fn head_branch(r: &Repo, head: &str) -> Option<String> {
    let Some((who, branch)) = head.split_once(':') else {
        return Some(head.to_owned());
    };
    let (owner, name) = who.split_once('/').unwrap_or((who, &r.name));
    let same = owner.eq_ignore_ascii_case(&r.owner) && name.eq_ignore_ascii_case(&r.name);
    same.then(|| branch.to_owned())
}

/// `POST /pulls` after binding, in Gitea's order of checks, under one lock. Returns the PR
/// number.
///
/// # Errors
/// 404 when either branch is missing, 409 with Gitea's exact text when an open PR already
/// joins the same branches.
pub(crate) fn create_pull(
    st: &mut State,
    owner: &str,
    repo: &str,
    new: &NewPull,
    poster: &str,
) -> Result<i64, Fail> {
    insert_new_pull(st, owner, repo, new, poster, true)
}

/// The checks of [`create_pull`] without the write: the first half of a non-atomic create,
/// as Gitea's handler checks (GetUnmergedPullRequest) before NewPullRequest inserts.
///
/// # Errors
/// As [`create_pull`].
pub(crate) fn check_new_pull(
    st: &State,
    owner: &str,
    repo: &str,
    new: &NewPull,
) -> Result<(), Fail> {
    same_branches(new)?;
    let r = st.repo(owner, repo).ok_or_else(Fail::not_found)?;
    resolve_new_pull(r, new, true).map(drop)
}

/// The second half of a non-atomic create: the insert, without checking again for an open
/// PR of the same branches (one that landed meanwhile is not seen).
///
/// # Errors
/// 404 when either branch went missing meanwhile.
pub(crate) fn insert_unchecked_pull(
    st: &mut State,
    owner: &str,
    repo: &str,
    new: &NewPull,
    poster: &str,
) -> Result<i64, Fail> {
    insert_new_pull(st, owner, repo, new, poster, false)
}

fn same_branches(new: &NewPull) -> Result<(), Fail> {
    if new.head == new.base {
        return Err(Fail::unprocessable(
            "Invalid PullRequest: There are no changes between the head and the base",
        ));
    }
    Ok(())
}

fn insert_new_pull(
    st: &mut State,
    owner: &str,
    repo: &str,
    new: &NewPull,
    poster: &str,
    check_duplicate: bool,
) -> Result<i64, Fail> {
    same_branches(new)?;
    let id = st.id();
    let tick = st.now();
    let r = st.repo_mut(owner, repo).ok_or_else(Fail::not_found)?;
    let head = resolve_new_pull(r, new, check_duplicate)?;
    let labels = new
        .labels
        .iter()
        .copied()
        .filter(|l| r.labels.iter().any(|x| x.id == *l))
        .collect();
    let base = new.base.clone();
    Ok(insert_pull(
        r,
        id,
        tick,
        &head,
        &base,
        &new.title,
        &new.body,
        PullState::Open,
        labels,
        poster,
    ))
}

/// The head branch of a new PR once both branches exist and, when asked, no open PR joins
/// them.
fn resolve_new_pull(r: &Repo, new: &NewPull, check_duplicate: bool) -> Result<String, Fail> {
    let head = head_branch(r, &new.head).ok_or_else(Fail::not_found)?;
    if !r.branches.contains_key(&head) || !r.branches.contains_key(&new.base) {
        return Err(Fail::not_found());
    }
    let open = r
        .pulls
        .iter()
        .find(|p| p.is_open() && p.head == head && p.base == new.base);
    if let Some(p) = open.filter(|_| check_duplicate) {
        return Err(Fail::msg(
            StatusCode::CONFLICT,
            format!(
                "pull request already exists for these targets [id: {}, issue_id: {}, head_repo_id: {}, base_repo_id: {}, head_branch: {}, base_branch: {}]",
                p.id, p.number, r.id, r.id, p.head, p.base
            ),
        ));
    }
    Ok(head)
}

/// Stores a pull request without checks and returns its number.
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_pull(
    r: &mut Repo,
    id: i64,
    tick: u64,
    head: &str,
    base: &str,
    title: &str,
    body: &str,
    state: PullState,
    labels: Vec<i64>,
    poster: &str,
) -> i64 {
    r.next_index += 1;
    let number = r.next_index;
    let head_sha = r.branches.get(head).cloned().unwrap_or_default();
    let base_sha = r.branches.get(base).cloned().unwrap_or_default();
    let merge_sha = (state == PullState::Merged).then(|| head_sha.clone());
    r.pulls.push(Pull {
        id,
        number,
        head: head.to_owned(),
        base: base.to_owned(),
        title: title.to_owned(),
        body: body.to_owned(),
        state,
        labels,
        poster: poster.to_owned(),
        head_sha,
        base_sha,
        merge_sha,
        created: tick,
        closed: (state != PullState::Open).then_some(tick),
    });
    r.updated = tick;
    number
}

/// Deletes branch `branch` as `repo_service.DeleteBranch` does once its checks passed, and
/// returns whether it existed: open pull requests from it are closed and open ones into it
/// are retargeted to the default branch (`AdjustPullsCausedByBranchDeleted`, with Gitea's
/// default `RETARGET_CHILDREN_ON_MERGE = true`).
pub(crate) fn delete_branch(r: &mut Repo, branch: &str, tick: u64) -> bool {
    let Some(sha) = r.branches.remove(branch) else {
        return false;
    };
    let default = r.default_branch.clone();
    for p in r.pulls.iter_mut().filter(|p| p.is_open()) {
        if p.head == branch {
            p.head_sha.clone_from(&sha);
            p.state = PullState::Closed;
            p.closed = Some(tick);
        } else if p.base == branch && branch != default {
            p.base.clone_from(&default);
        }
    }
    r.updated = tick;
    true
}

/// Adds a comment to pull request `number` and returns the comment's index in
/// `r.comments`, or None when there is no such pull request.
pub(crate) fn add_comment(
    r: &mut Repo,
    id: i64,
    tick: u64,
    number: i64,
    poster: &str,
    body: &str,
) -> Option<usize> {
    r.pulls.iter().find(|p| p.number == number)?;
    r.comments.push(CommentRec {
        id,
        issue: number,
        poster: poster.to_owned(),
        body: body.to_owned(),
        created: tick,
    });
    r.updated = tick;
    Some(r.comments.len() - 1)
}

/// The edits `PATCH /pulls/{index}` makes that the fake keeps.
#[derive(Debug, Clone, Default)]
pub(crate) struct PullEdit {
    pub(crate) title: Option<String>,
    pub(crate) body: Option<String>,
    pub(crate) state: Option<String>,
}

/// Applies `edit` to pull request `number` in EditPullRequest's order: title, body, then
/// the state.
///
/// # Errors
/// 404 for an unknown PR; 412 when the state is to change on a merged PR, or is neither
/// `open` nor `closed` (`closeOrReopenIssue`).
pub(crate) fn edit_pull(r: &mut Repo, number: i64, edit: &PullEdit, tick: u64) -> Result<(), Fail> {
    let p = r
        .pulls
        .iter_mut()
        .find(|p| p.number == number)
        .ok_or_else(Fail::not_found)?;
    if let Some(title) = edit.title.as_deref().filter(|t| !t.is_empty()) {
        title.clone_into(&mut p.title);
    }
    if let Some(body) = &edit.body {
        body.clone_into(&mut p.body);
    }
    if let Some(state) = edit.state.as_deref() {
        if p.state == PullState::Merged {
            return Err(Fail::msg(
                StatusCode::PRECONDITION_FAILED,
                "cannot change state of this pull request, it was already merged",
            ));
        }
        match (state, p.state) {
            ("closed", PullState::Open) => {
                p.state = PullState::Closed;
                p.closed = Some(tick);
            }
            ("open", PullState::Closed) => {
                p.state = PullState::Open;
                p.closed = None;
            }
            ("open" | "closed", _) => {}
            (other, _) => {
                return Err(Fail::msg(
                    StatusCode::PRECONDITION_FAILED,
                    format!("unknown state: {other}"),
                ));
            }
        }
    }
    r.updated = tick;
    Ok(())
}
