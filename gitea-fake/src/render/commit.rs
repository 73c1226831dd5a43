//! A swagger `Commit` as `GET /repos/{o}/{r}/commits` lists it (services/convert ToCommit).

use serde_json::{Value, json};

use super::contents;
use crate::app::App;
use crate::clock::rfc3339;
use crate::store::model::{Commit, Repo, Sig, State};

/// What ToCommit includes besides the fixed fields (`stat`, `files`, `verification`, each on
/// unless the query says `false`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Include {
    pub(crate) stat: bool,
    pub(crate) files: bool,
    pub(crate) verification: bool,
}

/// Commit `c` of `r`. `commit.author` and `commit.committer` are the git identities as
/// written; the top-level `author` and `committer` are the Gitea users their e-mails belong to
/// (`GetUserByEmail` in ToCommit), `null` when none does (the fake's seed commits by an
/// organisation, or an identity that is nobody's).
pub(crate) fn commit(app: &App, st: &State, r: &Repo, c: &Commit, include: Include) -> Value {
    let sig = |s: &Sig| json!({"name": s.name, "email": s.email, "date": rfc3339(c.tick)});
    let user = |s: &Sig| {
        st.user_by_email(&s.email)
            .map_or(Value::Null, |account| super::user(app, st, &account.name))
    };
    let api = format!("{}/repos/{}", app.api(), r.full_name());
    let parents: Vec<Value> = c
        .parent
        .iter()
        .map(|p| {
            let created = r.commits.get(p).map_or(0, |pc| pc.tick);
            json!({"url": format!("{api}/git/commits/{p}"), "sha": p, "created": rfc3339(created)})
        })
        .collect();
    let mut repo_commit = json!({
        "url": format!("{api}/git/commits/{}", c.sha),
        "author": sig(&c.author),
        "committer": sig(&c.committer),
        "message": format!("{}\n", c.message),
        "tree": {
            "url": format!("{api}/git/trees/{}", c.tree_sha),
            "sha": c.tree_sha,
            "created": rfc3339(c.tick),
        },
    });
    let mut out = json!({
        "url": format!("{api}/git/commits/{}", c.sha),
        "sha": c.sha,
        "created": rfc3339(c.tick),
        "html_url": format!("{}/{}/commit/{}", app.base_url, r.full_name(), c.sha),
        "commit": Value::Null,
        "author": user(&c.author),
        "committer": user(&c.committer),
        "parents": parents,
    });
    if include.verification {
        repo_commit["verification"] = contents::verification();
    }
    out["commit"] = repo_commit;
    let changes = changed_files(r, c);
    if include.files {
        let files: Vec<Value> = changes
            .iter()
            .map(|(name, status, _)| json!({"filename": name, "status": status}))
            .collect();
        out["files"] = Value::Array(files);
    }
    if include.stat {
        let additions: usize = changes.iter().map(|(_, _, lines)| lines.0).sum();
        let deletions: usize = changes.iter().map(|(_, _, lines)| lines.1).sum();
        out["stats"] = json!({
            "total": additions + deletions,
            "additions": additions,
            "deletions": deletions,
        });
    }
    out
}

/// The files `c` changes against its parent, in Gitea's order (added, removed, modified), each
/// with its status and a rough line count (lines added, lines removed).
fn changed_files(r: &Repo, c: &Commit) -> Vec<(String, &'static str, (usize, usize))> {
    let empty = Default::default();
    let before = c
        .parent
        .as_ref()
        .and_then(|p| r.commits.get(p))
        .map_or(&empty, |p| &*p.tree);
    let lines = |bytes: &[u8]| {
        bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count()
    };
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut modified = Vec::new();
    for (path, blob) in c.tree.iter() {
        match before.get(path) {
            None => added.push((path.clone(), "added", (lines(&blob.bytes), 0))),
            Some(old) if old.sha != blob.sha => {
                modified.push((
                    path.clone(),
                    "modified",
                    (lines(&blob.bytes), lines(&old.bytes)),
                ));
            }
            Some(_) => {}
        }
    }
    for (path, blob) in before.iter() {
        if !c.tree.contains_key(path) {
            removed.push((path.clone(), "removed", (0, lines(&blob.bytes))));
        }
    }
    added.into_iter().chain(removed).chain(modified).collect()
}
