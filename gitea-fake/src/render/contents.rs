//! `ContentsResponse`, `FileResponse` and `FilesResponse`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::app::App;
use crate::clock::rfc3339;
use crate::store::model::{Commit, Repo};
use crate::urlenc;

/// Where a ref points in web URLs: `branch/<name>` or `commit/<sha>`.
fn ref_kind(r: &Repo, git_ref: &str) -> String {
    if r.branches.contains_key(git_ref) {
        format!("branch/{}", urlenc::path(git_ref))
    } else {
        format!("commit/{git_ref}")
    }
}

/// The web URL of `path` at `git_ref` under `action` (`src` or `raw`).
fn web_url(app: &App, r: &Repo, action: &str, git_ref: &str, path: &str) -> String {
    format!(
        "{}/{}/{action}/{}/{}",
        app.base_url,
        r.full_name(),
        ref_kind(r, git_ref),
        urlenc::path(path)
    )
}

/// What sets one `ContentsResponse` apart from another.
struct Entry<'a> {
    path: &'a str,
    /// `file` or `dir`.
    kind: &'static str,
    sha: &'a str,
    last_commit_sha: &'a str,
    tick: u64,
    size: usize,
    /// The base64 content; None for listings and directories.
    content: Option<String>,
    /// The API URL of the git blob or tree.
    git_url: String,
}

/// A `ContentsResponse` read through `git_ref`.
fn contents_response(app: &App, r: &Repo, git_ref: &str, e: Entry<'_>) -> Value {
    let self_url = format!(
        "{}/repos/{}/contents/{}?ref={}",
        app.api(),
        r.full_name(),
        urlenc::path(e.path),
        urlenc::query_component(git_ref)
    );
    let html = web_url(app, r, "src", git_ref, e.path);
    let download = (e.kind == "file").then(|| web_url(app, r, "raw", git_ref, e.path));
    json!({
        "name": e.path.rsplit('/').next().unwrap_or(e.path),
        "path": e.path,
        "sha": e.sha,
        "last_commit_sha": e.last_commit_sha,
        "last_committer_date": rfc3339(e.tick),
        "last_author_date": rfc3339(e.tick),
        "type": e.kind,
        "size": e.size,
        "encoding": e.content.as_ref().map(|_| "base64"),
        "content": e.content,
        "target": null,
        "url": self_url,
        "html_url": html,
        "git_url": e.git_url,
        "download_url": download,
        "submodule_git_url": null,
        "_links": {"self": self_url, "git": e.git_url, "html": html},
    })
}

/// The file `path` in commit `c`, with its content only when `with_content`. None when the
/// file does not exist.
fn file_entry(
    app: &App,
    r: &Repo,
    c: &Commit,
    git_ref: &str,
    path: &str,
    with_content: bool,
) -> Option<Value> {
    let blob = c.tree.get(path)?;
    let last = r.last_commit_for(c, path);
    let entry = Entry {
        path,
        kind: "file",
        sha: &blob.sha,
        last_commit_sha: &last,
        tick: r.commits.get(&last).map_or(0, |lc| lc.tick),
        size: blob.bytes.len(),
        content: with_content.then(|| STANDARD.encode(&blob.bytes)),
        git_url: format!(
            "{}/repos/{}/git/blobs/{}",
            app.api(),
            r.full_name(),
            blob.sha
        ),
    };
    Some(contents_response(app, r, git_ref, entry))
}

/// The `ContentsResponse` of the file `path` in commit `c`, read through `git_ref`.
/// None when the file does not exist.
pub(crate) fn file(app: &App, r: &Repo, c: &Commit, git_ref: &str, path: &str) -> Option<Value> {
    file_entry(app, r, c, git_ref, path, true)
}

/// What Gitea's `GetContents` gives for one path without listing: the file, or a
/// `type: "dir"` entry for a directory. None when nothing is there.
pub(crate) fn entry(app: &App, r: &Repo, c: &Commit, git_ref: &str, path: &str) -> Option<Value> {
    if let Some(f) = file(app, r, c, git_ref, path) {
        return Some(f);
    }
    let prefix = format!("{path}/");
    if path.is_empty() || !c.tree.keys().any(|k| k.starts_with(&prefix)) {
        return None;
    }
    Some(dir_entry(app, r, c, git_ref, path))
}

/// The entries directly under directory `dir` ("" for the root) in commit `c`, as Gitea
/// lists them: files (without content) and sub-directories, sorted by name. None when
/// `dir` is no directory.
pub(crate) fn dir(app: &App, r: &Repo, c: &Commit, git_ref: &str, dir: &str) -> Option<Value> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut entries = std::collections::BTreeMap::new();
    for path in c.tree.keys() {
        let Some(rest) = path.strip_prefix(&prefix) else {
            continue;
        };
        match rest.split_once('/') {
            None => {
                if let Some(v) = file_entry(app, r, c, git_ref, path, false) {
                    entries.insert(rest.to_owned(), v);
                }
            }
            Some((sub, _)) => {
                entries
                    .entry(sub.to_owned())
                    .or_insert_with(|| dir_entry(app, r, c, git_ref, &format!("{prefix}{sub}")));
            }
        }
    }
    if entries.is_empty() && !dir.is_empty() {
        return None;
    }
    Some(Value::Array(entries.into_values().collect()))
}

/// A `type: "dir"` entry for the directory `path`.
fn dir_entry(app: &App, r: &Repo, c: &Commit, git_ref: &str, path: &str) -> Value {
    let entry = Entry {
        path,
        kind: "dir",
        sha: &c.tree_sha,
        last_commit_sha: &c.sha,
        tick: c.tick,
        size: 0,
        content: None,
        git_url: format!(
            "{}/repos/{}/git/trees/{}",
            app.api(),
            r.full_name(),
            c.tree_sha
        ),
    };
    contents_response(app, r, git_ref, entry)
}

/// A `FileCommitResponse` for commit `c`.
pub(crate) fn commit(app: &App, r: &Repo, c: &Commit) -> Value {
    let sig = |s: &crate::store::model::Sig| json!({"name": s.name, "email": s.email, "date": rfc3339(c.tick)});
    let parents: Vec<Value> = c
        .parent
        .iter()
        .map(|p| {
            json!({
                "url": format!("{}/repos/{}/git/commits/{p}", app.api(), r.full_name()),
                "sha": p,
                "created": rfc3339(r.commits.get(p).map_or(0, |pc| pc.tick)),
            })
        })
        .collect();
    json!({
        "url": format!("{}/repos/{}/git/commits/{}", app.api(), r.full_name(), c.sha),
        "sha": c.sha,
        "created": rfc3339(c.tick),
        "html_url": format!("{}/{}/commit/{}", app.base_url, r.full_name(), c.sha),
        "author": sig(&c.author),
        "committer": sig(&c.committer),
        "parents": parents,
        "message": format!("{}\n", c.message),
        "tree": {
            "url": format!("{}/repos/{}/git/trees/{}", app.api(), r.full_name(), c.tree_sha),
            "sha": c.tree_sha,
            "created": rfc3339(c.tick),
        },
    })
}

/// The `PayloadCommitVerification` of an unsigned commit.
pub(crate) fn verification() -> Value {
    json!({
        "verified": false,
        "reason": "gpg.error.not_signed_commit",
        "signature": "",
        "signer": null,
        "payload": "",
    })
}
