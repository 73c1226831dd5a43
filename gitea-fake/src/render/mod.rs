//! Gitea's JSON objects (swagger `definitions`) built from the store's records.

pub(crate) mod commit;
pub(crate) mod contents;
pub(crate) mod pull;

use serde_json::{Value, json};

use crate::app::App;
use crate::auth::{self, Caller};
use crate::clock::rfc3339;
use crate::store::model::{CommentRec, Commit, LabelRec, Repo, State};

/// Gitea's "zero" time for fields that were never set.
pub(crate) const ZERO_TIME: &str = "1970-01-01T00:00:00Z";

/// A `User` (or an organisation shown as a user, as Gitea does for repository owners).
pub(crate) fn user(app: &App, st: &State, name: &str) -> Value {
    let (id, login) = st
        .account(name)
        .map_or((0, name.to_owned()), |a| (a.id, a.name.clone()));
    json!({
        "id": id,
        "login": login,
        "login_name": "",
        "source_id": 0,
        "full_name": "",
        "email": format!("{}@noreply.localhost", login.to_lowercase()),
        "avatar_url": format!("{}/avatars/{id}", app.base_url),
        "html_url": format!("{}/{}", app.base_url, login),
        "language": "",
        "is_admin": false,
        "last_login": ZERO_TIME,
        "created": rfc3339(0),
        "restricted": false,
        "active": true,
        "prohibit_login": false,
        "location": "",
        "website": "",
        "description": "",
        "visibility": "public",
        "followers_count": 0,
        "following_count": 0,
        "starred_repos_count": 0,
    })
}

/// A `Repository` as seen by `caller`.
pub(crate) fn repo(app: &App, st: &State, r: &Repo, caller: &Caller) -> Value {
    let html = format!("{}/{}/{}", app.base_url, r.owner, r.name);
    let host = app
        .base_url
        .split("://")
        .nth(1)
        .and_then(|h| h.split(':').next())
        .unwrap_or("localhost");
    let readable = !r.private || auth::can_read_private(st, caller, &r.owner);
    let push = caller.user.is_some() && readable && !r.archived;
    let open_prs = r.pulls.iter().filter(|p| p.is_open()).count();
    json!({
        "id": r.id,
        "owner": user(app, st, &r.owner),
        "name": r.name,
        "full_name": r.full_name(),
        "description": "",
        "empty": r.branches.is_empty(),
        "private": r.private,
        "fork": false,
        "template": false,
        "mirror": false,
        "size": 0,
        "language": "",
        "languages_url": format!("{}/repos/{}/languages", app.api(), r.full_name()),
        "html_url": html,
        "url": format!("{}/repos/{}", app.api(), r.full_name()),
        "link": "",
        "ssh_url": format!("git@{host}:{}.git", r.full_name()),
        "clone_url": format!("{html}.git"),
        "original_url": "",
        "website": "",
        "stars_count": 0,
        "forks_count": 0,
        "watchers_count": 1,
        "open_issues_count": 0,
        "open_pr_counter": open_prs,
        "release_counter": 0,
        "default_branch": r.default_branch,
        "archived": r.archived,
        "created_at": rfc3339(r.created),
        "updated_at": rfc3339(r.updated),
        "archived_at": ZERO_TIME,
        "permissions": {"admin": push, "push": push, "pull": readable},
        "has_code": true,
        "has_issues": true,
        "internal_tracker": {
            "enable_time_tracker": true,
            "allow_only_contributors_to_track_time": true,
            "enable_issue_dependencies": true,
        },
        "has_wiki": true,
        "has_pull_requests": true,
        "has_projects": true,
        "projects_mode": "all",
        "has_releases": true,
        "has_packages": true,
        "has_actions": true,
        "ignore_whitespace_conflicts": false,
        "allow_merge_commits": true,
        "allow_rebase": true,
        "allow_rebase_explicit": true,
        "allow_squash_merge": true,
        "allow_fast_forward_only_merge": true,
        "allow_rebase_update": true,
        "allow_manual_merge": false,
        "autodetect_manual_merge": false,
        "default_delete_branch_after_merge": false,
        "default_merge_style": "merge",
        "default_allow_maintainer_edit": false,
        "default_target_branch": r.default_branch,
        "avatar_url": "",
        "internal": false,
        "mirror_interval": "",
        "object_format_name": "sha1",
        "mirror_updated": "0001-01-01T00:00:00Z",
        "topics": [],
        "licenses": [],
    })
}

/// A `Comment` on a pull request (`ToAPIComment`): `html_url` is the PR's page with
/// `#issuecomment-<id>`, `pull_request_url` the PR's page and `issue_url` empty, as
/// `Comment.IssueURL` and `PRURL` give them for a pull request.
pub(crate) fn comment(app: &App, st: &State, r: &Repo, c: &CommentRec) -> Value {
    let pull = format!("{}/{}/pulls/{}", app.base_url, r.full_name(), c.issue);
    json!({
        "id": c.id,
        "html_url": format!("{pull}#issuecomment-{}", c.id),
        "pull_request_url": pull,
        "issue_url": "",
        "user": user(app, st, &c.poster),
        "original_author": "",
        "original_author_id": 0,
        "body": c.body,
        "assets": [],
        "created_at": rfc3339(c.created),
        "updated_at": rfc3339(c.created),
    })
}

/// A `Label`.
pub(crate) fn label(app: &App, r: &Repo, l: &LabelRec) -> Value {
    json!({
        "id": l.id,
        "name": l.name,
        "exclusive": false,
        "is_archived": false,
        "color": l.color,
        "description": "",
        "url": format!("{}/repos/{}/labels/{}", app.api(), r.full_name(), l.id),
    })
}

/// A `Branch` whose head is `c`. Each `username` is the login of the user the identity's
/// e-mail belongs to, empty when none (ToPayloadCommit).
pub(crate) fn branch(app: &App, st: &State, r: &Repo, name: &str, c: &Commit) -> Value {
    let who = |s: &crate::store::model::Sig| {
        let username = st.user_by_email(&s.email).map_or("", |a| a.name.as_str());
        json!({"name": s.name, "email": s.email, "username": username})
    };
    json!({
        "name": name,
        "commit": {
            "id": c.sha,
            "message": format!("{}\n", c.message),
            "url": format!("{}/{}/commit/{}", app.base_url, r.full_name(), c.sha),
            "author": who(&c.author),
            "committer": who(&c.committer),
            "verification": contents::verification(),
            "timestamp": rfc3339(c.tick),
            "added": null,
            "removed": null,
            "modified": null,
        },
        "protected": false,
        "required_approvals": 0,
        "enable_status_check": false,
        "status_check_contexts": [],
        "user_can_push": true,
        "user_can_merge": true,
        "effective_branch_protection_name": "",
    })
}
