//! `ContentsResponse`, `FileResponse` and `FilesResponse`.

use base64::Engine as _;
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

/// The `ContentsResponse` of the file `path` in commit `c`, read through `git_ref`.
/// None when the file does not exist.
pub(crate) fn file(app: &App, r: &Repo, c: &Commit, git_ref: &str, path: &str) -> Option<Value> {
    let blob = c.tree.get(path)?;
    let last = r.last_commit_for(c, path);
    let when = r.commits.get(&last).map_or(0, |lc| lc.tick);
    let name = path.rsplit('/').next().unwrap_or(path);
    let self_url = format!(
        "{}/repos/{}/contents/{}?ref={}",
        app.api(),
        r.full_name(),
        urlenc::path(path),
        urlenc::query_component(git_ref)
    );
    let html = format!(
        "{}/{}/src/{}/{}",
        app.base_url,
        r.full_name(),
        ref_kind(r, git_ref),
        urlenc::path(path)
    );
    let git = format!(
        "{}/repos/{}/git/blobs/{}",
        app.api(),
        r.full_name(),
        blob.sha
    );
    let download = format!(
        "{}/{}/raw/{}/{}",
        app.base_url,
        r.full_name(),
        ref_kind(r, git_ref),
        urlenc::path(path)
    );
    Some(json!({
        "name": name,
        "path": path,
        "sha": blob.sha,
        "last_commit_sha": last,
        "last_committer_date": rfc3339(when),
        "last_author_date": rfc3339(when),
        "type": "file",
        "size": blob.bytes.len(),
        "encoding": "base64",
        "content": base64::engine::general_purpose::STANDARD.encode(&blob.bytes),
        "target": null,
        "url": self_url,
        "html_url": html,
        "git_url": git,
        "download_url": download,
        "submodule_git_url": null,
        "_links": {"self": self_url, "git": git, "html": html},
    }))
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
    let name = path.rsplit('/').next().unwrap_or(path);
    Some(dir_entry(app, r, c, git_ref, name, path))
}

/// The entries directly under directory `dir` ("" for the root) in commit `c`, as Gitea
/// lists them: files and sub-directories, sorted by name. None when `dir` is no directory.
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
                if let Some(mut v) = file(app, r, c, git_ref, path) {
                    if let Some(o) = v.as_object_mut() {
                        o.insert("encoding".into(), Value::Null);
                        o.insert("content".into(), Value::Null);
                    }
                    entries.insert(rest.to_owned(), v);
                }
            }
            Some((sub, _)) => {
                let full = format!("{prefix}{sub}");
                entries
                    .entry(sub.to_owned())
                    .or_insert_with(|| dir_entry(app, r, c, git_ref, sub, &full));
            }
        }
    }
    if entries.is_empty() && !dir.is_empty() {
        return None;
    }
    Some(Value::Array(entries.into_values().collect()))
}

/// A `type: "dir"` entry.
fn dir_entry(app: &App, r: &Repo, c: &Commit, git_ref: &str, name: &str, full: &str) -> Value {
    let self_url = format!(
        "{}/repos/{}/contents/{}?ref={}",
        app.api(),
        r.full_name(),
        urlenc::path(full),
        urlenc::query_component(git_ref)
    );
    let html = format!(
        "{}/{}/src/{}/{}",
        app.base_url,
        r.full_name(),
        ref_kind(r, git_ref),
        urlenc::path(full)
    );
    let git = format!(
        "{}/repos/{}/git/trees/{}",
        app.api(),
        r.full_name(),
        c.tree_sha
    );
    json!({
        "name": name, "path": full, "sha": c.tree_sha, "last_commit_sha": c.sha,
        "last_committer_date": rfc3339(c.tick), "last_author_date": rfc3339(c.tick),
        "type": "dir", "size": 0, "encoding": null, "content": null, "target": null,
        "url": self_url, "html_url": html, "git_url": git, "download_url": null,
        "submodule_git_url": null, "_links": {"self": self_url, "git": git, "html": html},
    })
}

/// A `FileCommitResponse` for commit `c`.
pub(crate) fn commit(app: &App, r: &Repo, c: &Commit) -> Value {
    let who = json!({
        "name": c.author,
        "email": format!("{}@noreply.localhost", c.author.to_lowercase()),
        "date": rfc3339(c.tick),
    });
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
        "author": who,
        "committer": who,
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
