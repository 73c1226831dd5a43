//! `PullRequest`.

use serde_json::{Value, json};

use super::{label, repo, user};
use crate::app::App;
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::store::PullState;
use crate::store::model::{Pull, Repo, State};

/// A `PRBranchInfo` for `branch` (Gitea's `label`), its `ref` and `sha`.
fn branch_info(
    app: &App,
    st: &State,
    r: &Repo,
    caller: &Caller,
    (branch, git_ref, sha): (&str, &str, &str),
) -> Value {
    json!({
        "label": branch,
        "ref": git_ref,
        "sha": sha,
        "repo_id": r.id,
        "repo": repo(app, st, r, caller),
    })
}

/// A `PullRequest`.
pub(crate) fn pull(app: &App, st: &State, r: &Repo, p: &Pull, caller: &Caller) -> Value {
    let html = format!("{}/{}/pulls/{}", app.base_url, r.full_name(), p.number);
    // ToAPIPullRequest: once the head branch is gone, `ref` is the PR's own ref and `sha`
    // what that ref holds; `label` keeps the branch name.
    let (head_ref, head_sha) = match r.branches.get(&p.head) {
        Some(sha) => (p.head.clone(), sha.clone()),
        None => (format!("refs/pull/{}/head", p.number), p.head_sha.clone()),
    };
    let base_sha = r
        .branches
        .get(&p.base)
        .cloned()
        .unwrap_or_else(|| p.base_sha.clone());
    let merged = p.state == PullState::Merged;
    let labels: Vec<Value> = p
        .labels
        .iter()
        .filter_map(|id| r.labels.iter().find(|l| l.id == *id))
        .map(|l| label(app, r, l))
        .collect();
    let closed = p.closed.map(rfc3339);
    json!({
        "id": p.id,
        "url": html,
        "number": p.number,
        "user": user(app, st, &p.poster),
        "title": p.title,
        "body": p.body,
        "labels": labels,
        "milestone": null,
        "assignee": null,
        "assignees": [],
        "requested_reviewers": [],
        "requested_reviewers_teams": [],
        "state": if p.is_open() { "open" } else { "closed" },
        // services/convert ToAPIPullRequest: `Draft: pr.IsWorkInProgress(ctx)`, a title that
        // starts with a WORK_IN_PROGRESS_PREFIXES entry (default `WIP:`, `[WIP]`), upper-cased.
        "draft": is_work_in_progress(&p.title),
        "is_locked": false,
        "comments": 0,
        "review_comments": 0,
        "additions": 0,
        "deletions": 0,
        "changed_files": 0,
        "html_url": html,
        "diff_url": format!("{html}.diff"),
        "patch_url": format!("{html}.patch"),
        "mergeable": p.is_open(),
        "merged": merged,
        "merged_at": if merged { closed.clone() } else { None },
        "merge_commit_sha": p.merge_sha,
        "merged_by": if merged { Some(user(app, st, &r.owner)) } else { None },
        "allow_maintainer_edit": false,
        "base": branch_info(app, st, r, caller, (&p.base, &p.base, &base_sha)),
        "head": branch_info(app, st, r, caller, (&p.head, &head_ref, &head_sha)),
        "merge_base": base_sha,
        "due_date": null,
        "created_at": rfc3339(p.created),
        "updated_at": rfc3339(p.closed.unwrap_or(p.created)),
        "closed_at": closed,
        "pin_order": 0,
    })
}

/// Gitea's `HasWorkInProgressPrefix` with the default prefixes.
fn is_work_in_progress(title: &str) -> bool {
    let upper = title.to_uppercase();
    ["WIP:", "[WIP]"].iter().any(|p| upper.starts_with(p))
}
