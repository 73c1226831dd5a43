//! Reading and writing files: `contents`, `contents/{path}` and `file-contents`.

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::bind;
use super::ctx::{Ctx, Payload};
use super::guard::{self, Target};
use super::{Reply, with_status};
use crate::fail::Fail;
use crate::render::contents as view;
use crate::store::model::{Commit, Repo, Sig, State as StoreState};
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

/// `GET /contents`: the root listing. The ref is resolved first (GetContentsList calls
/// GetContents), so an empty repository is 404 like an unknown ref.
pub(crate) async fn list_root(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
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

/// `POST /file-contents` (1.24+): `{"files":[…]}`, bound like Gitea's `GetFilesOptions`, so an
/// empty or missing list is 422 `[Files]: Required`. Being a POST, it needs a token with
/// `write:repository`, though it only reads.
pub(crate) async fn file_contents(cx: Ctx, payload: Payload) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let req: FilesQuery = payload.bind()?;
    let files = req
        .files
        .filter(|f| !f.is_empty())
        .ok_or_else(|| Fail::unprocessable("[Files]: Required"))?;
    answer_files(&cx, r, &files)
}

/// `GET /file-contents?body=<json>` (1.24+), the same batch for read-only tokens
/// (GetFileContentsGet). Nothing binds the query, so an empty list answers `[]`; a `body`
/// that is not the JSON object is 400 `invalid body parameter`.
pub(crate) async fn file_contents_get(cx: Ctx) -> Reply {
    let st = cx.app.store.lock();
    let r = cx.repo(&st)?;
    let body = urlenc::first(&cx.query, "body").unwrap_or("");
    let req: Option<FilesQuery> = serde_json::from_str(body)
        .map_err(|_| Fail::msg(StatusCode::BAD_REQUEST, "invalid body parameter"))?;
    // `null` leaves Gitea's options pointer nil, and the handler's dereference panics.
    let req = req.ok_or_else(|| Fail::msg(StatusCode::INTERNAL_SERVER_ERROR, ""))?;
    answer_files(&cx, r, &req.files.unwrap_or_default())
}

/// The batch answer: one entry per path at `?ref=`, `null` for a missing file, at most
/// `DEFAULT_PAGING_NUM` (30) entries, as GetContentsListFromTreePaths answers.
fn answer_files(cx: &Ctx, r: &Repo, files: &[String]) -> Reply {
    let (c, git_ref) = resolve(r, &cx.query)?;
    let items: Vec<Value> = files
        .iter()
        .take(crate::pagination::DEFAULT_LIMIT)
        .map(|f| view::entry(&cx.app, r, c, &git_ref, f.trim_matches('/')).unwrap_or(Value::Null))
        .collect();
    Ok(respond::ok(&Value::Array(items)))
}

/// Applies `set` as one commit by `to.user`; gives the repository after it, the new commit
/// and where it landed.
fn commit<'a>(
    st: &'a mut StoreState,
    to: &Target,
    set: &ChangeSet,
) -> Result<(&'a Repo, &'a Commit, ops::Landed), Fail> {
    let tick = st.now();
    let r = st
        .repo_mut(&to.owner, &to.name)
        .ok_or_else(Fail::not_found)?;
    let landed = ops::change_files(r, set, &to.user, tick)?;
    let st: &'a StoreState = st;
    let r = st.repo(&to.owner, &to.name).ok_or_else(Fail::not_found)?;
    let c = r.commits.get(&landed.commit).ok_or_else(Fail::not_found)?;
    Ok((r, c, landed))
}

#[derive(Deserialize)]
struct UpdateFile {
    content: Option<String>,
    sha: Option<String>,
    branch: Option<String>,
    new_branch: Option<String>,
    message: Option<String>,
    force_push: Option<bool>,
    author: Option<Identity>,
    committer: Option<Identity>,
}

/// `Identity` (modules/structs/repo_file.go): both fields optional. The handlers
/// (routers/api/v1/repo/file.go) always pass both identities on, empty fields included.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Identity {
    name: Option<String>,
    email: Option<String>,
}

impl Identity {
    /// The identity as given, `null` and absent fields empty.
    fn sig(given: Option<Identity>) -> Sig {
        let given = given.unwrap_or_default();
        Sig {
            name: given.name.unwrap_or_default(),
            email: given.email.unwrap_or_default(),
        }
    }
}

/// `force_push`, which Gitea reads from 1.26 on (older versions ignore the field).
fn force_push(cx: &Ctx, value: Option<bool>) -> bool {
    cx.app.at_least(1, 26) && value.unwrap_or(false)
}

/// `PUT /contents/{filepath}`: update with `sha`, create without (1.26; before, `sha` is
/// required). `content` is not binding-required (UpdateFileOptions, modules/structs/
/// repo_file.go): without it the file is empty.
pub(crate) async fn update_file(cx: Ctx, payload: Payload) -> Reply {
    let mut st = cx.app.store.lock();
    let to = guard::contents_write(&st, &cx)?;
    let req: UpdateFile = payload.bind()?;
    bind::ref_name(req.branch.as_deref(), "BranchName")?;
    bind::ref_name(req.new_branch.as_deref(), "NewBranchName")?;
    let sha = req.sha.filter(|s| !s.is_empty());
    if sha.is_none() && !cx.app.at_least(1, 26) {
        // Before 1.26 `sha` was binding-required on updates.
        return Err(Fail::unprocessable("[SHA]: Required"));
    }
    let content = bind::base64(req.content.as_deref().unwrap_or(""))?;
    let op = if sha.is_some() {
        Op::Update
    } else {
        Op::Create
    };
    let set = ChangeSet {
        branch: req.branch,
        new_branch: req.new_branch,
        message: req.message,
        force_push: force_push(&cx, req.force_push),
        author: Identity::sig(req.author),
        committer: Identity::sig(req.committer),
        files: vec![FileChange {
            op,
            path: cx.p.get("filepath").to_owned(),
            content,
            sha,
        }],
    };
    let (r, c, landed) = commit(&mut st, &to, &set)?;
    let path = landed.paths.first().map_or("", String::as_str);
    let body = json!({
        "content": view::file(&cx.app, r, c, &landed.branch, path),
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
    force_push: Option<bool>,
    author: Option<Identity>,
    committer: Option<Identity>,
}

/// Binds one `ChangeFileOperation`. An operation the fake does not model (Gitea's service
/// rejects unknown ones with a 500; 1.25's `upload` and `rename` are not modelled) is a 500.
fn file_op(f: FileOp) -> Result<FileChange, Fail> {
    let op = match bind::required(f.operation.as_deref(), "Operation")? {
        "create" => Op::Create,
        "update" => Op::Update,
        "delete" => Op::Delete,
        _ => return Err(Fail::msg(StatusCode::INTERNAL_SERVER_ERROR, "")),
    };
    let path = bind::required(f.path.as_deref(), "Path")?.to_owned();
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
        force_push: force_push(&cx, req.force_push),
        author: Identity::sig(req.author),
        committer: Identity::sig(req.committer),
        files,
    };
    let (r, c, landed) = commit(&mut st, &to, &set)?;
    let files: Vec<Value> = landed
        .paths
        .iter()
        .map(|p| view::file(&cx.app, r, c, &landed.branch, p).unwrap_or(Value::Null))
        .collect();
    let body = json!({
        "files": files,
        "commit": view::commit(&cx.app, r, c),
        "verification": view::verification(),
    });
    Ok(with_status(StatusCode::CREATED, &body))
}
