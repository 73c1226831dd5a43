"""Drives gitea-fake with `gitea-api-client`, a client generated from Gitea's own swagger.

Run by `third_party.rs` in a throwaway venv. Every answer is decoded into the generated
pydantic models, so a field of the wrong type or a required field missing fails here, as
it would for that client against the fake. Usage:

    python third_party_client.py BASE_URL WRITE_TOKEN READ_TOKEN OWNER REPO LABEL

The repository must hold `runtime-version` on `main` and the label LABEL; the script adds
the branch `bump/py-client` and one pull request from it. Prints one line per check and
exits non-zero at the first that fails.
"""

import asyncio
import base64
import json
import sys

import gitea_api_client as g
from gitea_api_client.exceptions import ApiException

BRANCH = "bump/py-client"
FILE = "runtime-version"


def client(base, token):
    cfg = g.Configuration(host=f"{base}/api/v1")
    cfg.api_key["AuthorizationHeaderToken"] = token
    cfg.api_key_prefix["AuthorizationHeaderToken"] = "token"
    return g.ApiClient(cfg)


def check(what, ok):
    if not ok:
        raise AssertionError(what)
    print(f"ok: {what}")


async def status_of(call):
    try:
        await call
    except ApiException as e:
        return e.status
    return 200


async def main(base, write_token, read_token, owner, repo, label):
    async with client(base, write_token) as w, client(base, read_token) as r:
        misc, repos, orgs, issues = (
            g.MiscellaneousApi(w),
            g.RepositoryApi(w),
            g.OrganizationApi(w),
            g.IssueApi(w),
        )
        version = await misc.get_version()
        check(f"version {version.version}", bool(version.version))

        got = await repos.repo_get(owner, repo)
        check(
            "repo",
            got.full_name == f"{owner}/{repo}"
            and got.default_branch == "main"
            and got.owner.login == owner,
        )

        listed = await orgs.org_list_repos(owner, page=1, limit=50)
        check("org repos", f"{owner}/{repo}" in [x.full_name for x in listed])

        contents = await repos.repo_get_contents(owner, repo, FILE, ref="main")
        text = base64.b64decode(contents.content).decode()
        check("contents", contents.type == "file" and contents.path == FILE and text)

        listing = await repos.repo_get_contents_list(owner, repo, ref="main")
        check("contents list", FILE in [x.name for x in listing])

        # The batch read: the GET form works for a read token, the POST form needs write.
        read_repos = g.RepositoryApi(r)
        body = json.dumps({"files": [FILE, "no-such-file"]})
        batch = await read_repos.repo_get_file_contents(owner, repo, body, ref="main")
        check(
            "file-contents by GET with a read token",
            len(batch) == 2 and batch[0].path == FILE and batch[1] is None,
        )
        options = g.GetFilesOptions(files=[FILE])
        posted = await repos.repo_get_file_contents_post(owner, repo, options, ref="main")
        check("file-contents by POST", [x.sha for x in posted] == [contents.sha])
        refused = await status_of(
            read_repos.repo_get_file_contents_post(owner, repo, options, ref="main")
        )
        check("file-contents by POST with a read token is 403", refused == 403)

        branch = await repos.repo_get_branch(owner, repo, "main")
        check("branch", branch.name == "main" and len(branch.commit.id) == 40)

        new = base64.b64encode(b"9.9.9\n").decode()
        change = g.ChangeFilesOptions(
            branch="main",
            new_branch=BRANCH,
            message="bump",
            files=[g.ChangeFileOperation(operation="update", path=FILE, content=new, sha=contents.sha)],
        )
        changed = await repos.repo_change_files(owner, repo, change)
        check(
            "change files",
            changed.commit.message.startswith("bump")
            and [f.path for f in changed.files] == [FILE],
        )
        bumped = await repos.repo_get_branch(owner, repo, BRANCH)
        check("the new branch", bumped.commit.id == changed.commit.sha)

        labels = await issues.issue_list_labels(owner, repo, page=1, limit=50)
        ids = [x.id for x in labels if x.name == label]
        check("labels", len(ids) == 1)

        pr = await repos.repo_create_pull_request(
            owner,
            repo,
            body=g.CreatePullRequestOption(
                base="main", head=BRANCH, title="Bump", body="text", labels=ids
            ),
        )
        check(
            "create pull",
            pr.head.ref == BRANCH
            and pr.base.ref == "main"
            and pr.state == "open"
            and [x.name for x in pr.labels] == [label],
        )
        again = await status_of(
            repos.repo_create_pull_request(
                owner, repo, body=g.CreatePullRequestOption(base="main", head=BRANCH, title="x")
            )
        )
        check("a second pull of the same head is 409", again == 409)

        pulls = await repos.repo_list_pull_requests(owner, repo, state="open", sort="oldest", page=1, limit=50)
        check("list pulls", [p.number for p in pulls] == [pr.number])

        found = await repos.repo_get_pull_request_by_base_head(owner, repo, "main", BRANCH)
        check("pull by base and head", found.number == pr.number)

        missing = await status_of(repos.repo_get_pull_request_by_base_head(owner, repo, "main", "nope"))
        check("pull by an unknown head is 404", missing == 404)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
