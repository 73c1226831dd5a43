//! Reading and writing files: `contents`, `contents/{path}` and `file-contents`.

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::bind;
use super::ctx::{Ctx, Payload};
use super::guard::{self, Target};
use super::{Reply, since, with_status};
use crate::fail::Fail;
use crate::render::contents as view;
use crate::store::model::{Commit, Repo, State as StoreState};
use crate::store::ops::{self, ChangeSet, FileChange, Op};
use crate::{respond, urlenc};

/// Resolves `?ref=` (default branch when absent).
fn resolve<'a>(r: &'a Repo, query: &[(String, String)]) -> Result<(&'a Commit, String), Fail> {
    let git_ref = urlenc::first(query, "ref")
        .filter(|v| !v.is_empty())
        .map_or_else(|| r.default_branch.clone(), str::to_owned);
    match r.resolve(&git_ref) {
        Some(c) => Ok((c, git_ref)),
        None => Err(Fail::NotFound {
            message: None,
            errors: Some(vec![format!(
                "object does not exist [id: {git_ref}, rel_path: ]"
            )]),
        }),
    }
}

/// `GET /contents`: the root listing (`[]` for an empty repository).
pub(crate) async fn list_root(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    if r.branches.is_empty() {
        return Ok(respond::ok(&json!([])));
    }
    let (c, git_ref) = resolve(r, &cx.query)?;
    let listing = view::dir(&cx.app, r, c, &git_ref, "").unwrap_or_else(|| json!([]));
    Ok(respond::ok(&listing))
}

/// `GET /contents/{filepath}`: a file object, or an array for a directory.
pub(crate) async fn get_contents(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let (c, git_ref) = resolve(r, &cx.query)?;
    let path = cx.p.get("filepath").trim_matches('/');
    if let Some(v) = view::file(&cx.app, r, c, &git_ref, path) {
        return Ok(respond::ok(&v));
    }
    if let Some(v) = view::dir(&cx.app, r, c, &git_ref, path) {
        return Ok(respond::ok(&v));
    }
    Err(Fail::not_found_with(
        "GetContentsOrList",
        format!("object does not exist [id: , rel_path: {path}]"),
    ))
}

#[derive(Deserialize)]
struct FilesQuery {
    files: Option<Vec<String>>,
}

/// `POST /file-contents` (1.24+): `{"files":[…]}`; missing files are `null`, and like
/// Gitea at most `DEFAULT_PAGING_NUM` (30) entries are answered.
pub(crate) async fn file_contents(cx: Ctx, payload: Payload) -> Reply {
    since(&cx.app, 1, 24)?;
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let req: FilesQuery = payload.bind()?;
    let (c, git_ref) = resolve(r, &cx.query)?;
    let items: Vec<Value> = req
        .files
        .unwrap_or_default()
        .iter()
        .take(crate::pagination::DEFAULT_LIMIT)
        .map(|f| view::entry(&cx.app, r, c, &git_ref, f.trim_matches('/')).unwrap_or(Value::Null))
        .collect();
    Ok(respond::ok(&Value::Array(items)))
}

/// Applies `set` as one commit by `to.user`; gives the repository after it, the new commit
/// and the branch it landed on.
fn commit<'a>(
    st: &'a mut StoreState,
    to: &Target,
    set: &ChangeSet,
) -> Result<(&'a Repo, &'a Commit, String), Fail> {
    let tick = st.now();
    let r = st
        .repo_mut(&to.owner, &to.name)
        .ok_or_else(Fail::not_found)?;
    let landed = ops::change_files(r, set, &to.user, tick)?;
    let st: &'a StoreState = st;
    let r = st.repo(&to.owner, &to.name).ok_or_else(Fail::not_found)?;
    let c = r.commits.get(&landed.commit).ok_or_else(Fail::not_found)?;
    Ok((r, c, landed.branch))
}

#[derive(Deserialize)]
struct UpdateFile {
    content: Option<String>,
    sha: Option<String>,
    branch: Option<String>,
    new_branch: Option<String>,
    message: Option<String>,
}

/// `PUT /contents/{filepath}`: update with `sha`, create without (1.26; before, `sha` is
/// required).
pub(crate) async fn update_file(cx: Ctx, payload: Payload) -> Reply {
    let mut st = cx.app.store.lock();
    let to = guard::contents_write(&st, &cx)?;
    let req: UpdateFile = payload.bind()?;
    bind::ref_name(req.branch.as_deref(), "BranchName")?;
    bind::ref_name(req.new_branch.as_deref(), "NewBranchName")?;
    let content = bind::base64(bind::required(req.content.as_deref(), "ContentBase64")?)?;
    let path = cx.p.get("filepath").trim_matches('/').to_owned();
    let sha = req.sha.filter(|s| !s.is_empty());
    if sha.is_none() && !cx.app.at_least(1, 26) {
        // Before 1.26 `sha` was binding-required on updates.
        return Err(Fail::unprocessable("[SHA]: Required"));
    }
    let op = if sha.is_some() {
        Op::Update
    } else {
        Op::Create
    };
    let set = ChangeSet {
        branch: req.branch,
        new_branch: req.new_branch,
        message: req.message,
        files: vec![FileChange {
            op,
            path: path.clone(),
            content,
            sha,
        }],
    };
    let (r, c, branch) = commit(&mut st, &to, &set)?;
    let body = json!({
        "content": view::file(&cx.app, r, c, &branch, &path),
        "commit": view::commit(&cx.app, r, c),
        "verification": view::verification(),
    });
    let status = if op == Op::Create {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_status(status, &body))
}

#[derive(Deserialize)]
struct FileOp {
    operation: Option<String>,
    path: Option<String>,
    content: Option<String>,
    sha: Option<String>,
}

#[derive(Deserialize)]
struct ChangeFiles {
    files: Option<Vec<FileOp>>,
    branch: Option<String>,
    new_branch: Option<String>,
    message: Option<String>,
}

/// Binds one `ChangeFileOperation`.
fn file_op(f: FileOp) -> Result<FileChange, Fail> {
    let op = match bind::required(f.operation.as_deref(), "Operation")? {
        "create" => Op::Create,
        "update" => Op::Update,
        "delete" => Op::Delete,
        _ => return Err(Fail::unprocessable("[Operation]: In")),
    };
    let path = bind::required(f.path.as_deref(), "Path")?
        .trim_matches('/')
        .to_owned();
    let content = match f.content.as_deref() {
        Some(c) if op != Op::Delete => bind::base64(c)?,
        _ => Vec::new(),
    };
    Ok(FileChange {
        op,
        path,
        content,
        sha: f.sha.filter(|s| !s.is_empty()),
    })
}

/// `POST /contents` (1.20+): several files in one commit, 201 with `FilesResponse`.
pub(crate) async fn change_files(cx: Ctx, payload: Payload) -> Reply {
    since(&cx.app, 1, 20)?;
    let mut st = cx.app.store.lock();
    let to = guard::contents_write(&st, &cx)?;
    let req: ChangeFiles = payload.bind()?;
    let files = req
        .files
        .filter(|f| !f.is_empty())
        .ok_or_else(|| Fail::unprocessable("[Files]: Required"))?;
    bind::ref_name(req.branch.as_deref(), "BranchName")?;
    bind::ref_name(req.new_branch.as_deref(), "NewBranchName")?;
    let files = files
        .into_iter()
        .map(file_op)
        .collect::<Result<Vec<_>, _>>()?;
    let set = ChangeSet {
        branch: req.branch,
        new_branch: req.new_branch,
        message: req.message,
        files,
    };
    let (r, c, branch) = commit(&mut st, &to, &set)?;
    let files: Vec<Value> = set
        .files
        .iter()
        .map(|f| view::file(&cx.app, r, c, &branch, &f.path).unwrap_or(Value::Null))
        .collect();
    let body = json!({
        "files": files,
        "commit": view::commit(&cx.app, r, c),
        "verification": view::verification(),
    });
    Ok(with_status(StatusCode::CREATED, &body))
}
