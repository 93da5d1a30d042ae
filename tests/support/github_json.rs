//! The JSON shapes the fake GitHub answers with, each with every property
//! GitHub's OpenAPI description marks required (`full-repository`,
//! `simple-user`, `pull-request`, `issue-comment`, `label`, `git-commit`,
//! `commit`, `commit-comparison`, `content-file`, `blob`, `git-tree`), so a
//! client that reads a field GitHub always sends finds it here too, and a
//! client that expects a field GitHub does not send (the nested `commit.sha`
//! of a compare) fails here as it would on GitHub.
//! `github_description` checks every answer against the description.

use serde_json::{Map, Value, json};

const API: &str = "https://api.github.com";
const WEB: &str = "https://github.com";
/// Every timestamp the fake reports.
pub const DATE: &str = "2026-01-01T00:00:00Z";

/// A small stable number from a name (ids GitHub would assign).
fn id_of(text: &str) -> u64 {
    text.bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 1_000_000_007
}

/// `simple-user` (users and bots alike).
pub fn user(login: &str) -> Value {
    let url = format!("{API}/users/{login}");
    json!({
        "login": login, "id": id_of(login), "node_id": format!("U_{}", id_of(login)),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{}", id_of(login)),
        "gravatar_id": "", "url": url, "html_url": format!("{WEB}/{login}"),
        "followers_url": format!("{url}/followers"),
        "following_url": format!("{url}/following{{/other_user}}"),
        "gists_url": format!("{url}/gists{{/gist_id}}"),
        "starred_url": format!("{url}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{url}/subscriptions"),
        "organizations_url": format!("{url}/orgs"), "repos_url": format!("{url}/repos"),
        "events_url": format!("{url}/events{{/privacy}}"),
        "received_events_url": format!("{url}/received_events"),
        "type": if login.ends_with("[bot]") || login.ends_with("-bot") { "Bot" } else { "User" },
        "site_admin": false,
    })
}

/// The URL-template fields of a repository: (field, suffix after the repo URL).
const REPO_URLS: &[(&str, &str)] = &[
    ("archive_url", "/{archive_format}{/ref}"),
    ("assignees_url", "/assignees{/user}"),
    ("blobs_url", "/git/blobs{/sha}"),
    ("branches_url", "/branches{/branch}"),
    ("collaborators_url", "/collaborators{/collaborator}"),
    ("comments_url", "/comments{/number}"),
    ("commits_url", "/commits{/sha}"),
    ("compare_url", "/compare/{base}...{head}"),
    ("contents_url", "/contents/{+path}"),
    ("contributors_url", "/contributors"),
    ("deployments_url", "/deployments"),
    ("downloads_url", "/downloads"),
    ("events_url", "/events"),
    ("forks_url", "/forks"),
    ("git_commits_url", "/git/commits{/sha}"),
    ("git_refs_url", "/git/refs{/sha}"),
    ("git_tags_url", "/git/tags{/sha}"),
    ("hooks_url", "/hooks"),
    ("issue_comment_url", "/issues/comments{/number}"),
    ("issue_events_url", "/issues/events{/number}"),
    ("issues_url", "/issues{/number}"),
    ("keys_url", "/keys{/key_id}"),
    ("labels_url", "/labels{/name}"),
    ("languages_url", "/languages"),
    ("merges_url", "/merges"),
    ("milestones_url", "/milestones{/number}"),
    (
        "notifications_url",
        "/notifications{?since,all,participating}",
    ),
    ("pulls_url", "/pulls{/number}"),
    ("releases_url", "/releases{/id}"),
    ("stargazers_url", "/stargazers"),
    ("statuses_url", "/statuses/{sha}"),
    ("subscribers_url", "/subscribers"),
    ("subscription_url", "/subscription"),
    ("tags_url", "/tags"),
    ("teams_url", "/teams"),
    ("trees_url", "/git/trees{/sha}"),
];

/// `full-repository` (also the shape of a pull request's `head.repo`).
pub fn repository(full_name: &str, default_branch: &str) -> Value {
    let (owner, name) = full_name.split_once('/').unwrap_or((full_name, full_name));
    let url = format!("{API}/repos/{full_name}");
    let mut map = Map::new();
    for (field, suffix) in REPO_URLS {
        map.insert((*field).into(), json!(format!("{url}{suffix}")));
    }
    let rest = json!({
        "id": id_of(full_name), "node_id": format!("R_{}", id_of(full_name)),
        "name": name, "full_name": full_name, "owner": user(owner), "private": false,
        "description": null, "fork": false, "url": url, "html_url": format!("{WEB}/{full_name}"),
        "clone_url": format!("{WEB}/{full_name}.git"), "git_url": format!("git://github.com/{full_name}.git"),
        "ssh_url": format!("git@github.com:{full_name}.git"), "svn_url": format!("{WEB}/{full_name}"),
        "mirror_url": null, "homepage": null, "language": null, "license": null,
        "default_branch": default_branch,
        "forks": 0, "forks_count": 0, "open_issues": 0, "open_issues_count": 0, "size": 1,
        "stargazers_count": 0, "watchers": 0, "watchers_count": 0,
        "network_count": 0, "subscribers_count": 0,
        "has_downloads": true, "has_issues": true, "has_projects": true, "has_wiki": true,
        "has_pages": false, "archived": false, "disabled": false,
        "pushed_at": DATE, "created_at": DATE, "updated_at": DATE,
    });
    map.extend(rest.as_object().cloned().unwrap_or_default());
    Value::Object(map)
}

/// `label`.
pub fn label(repo: &str, name: &str) -> Value {
    json!({
        "id": id_of(name), "node_id": format!("LA_{}", id_of(name)),
        "url": format!("{API}/repos/{repo}/labels/{name}"),
        "name": name, "description": "", "color": "ededed", "default": false,
    })
}

/// `issue-comment` by `login`.
pub fn comment(repo: &str, issue: u64, id: u64, body: &str, login: &str) -> Value {
    json!({
        "id": id, "node_id": format!("IC_{id}"), "body": body, "user": user(login),
        "url": format!("{API}/repos/{repo}/issues/comments/{id}"),
        "html_url": format!("{WEB}/{repo}/pull/{issue}#issuecomment-{id}"),
        "issue_url": format!("{API}/repos/{repo}/issues/{issue}"),
        "author_association": "NONE", "created_at": DATE, "updated_at": DATE,
    })
}

/// One side (`head` or `base`) of a pull request.
pub fn pull_side(repo: &str, branch: &str, sha: &str) -> Value {
    let owner = repo.split('/').next().unwrap_or_default();
    json!({
        "label": format!("{owner}:{branch}"), "ref": branch, "sha": sha,
        "user": user(owner), "repo": repository(repo, "main"),
    })
}

/// What a pull request is, apart from its URLs.
pub struct PullFields<'a> {
    pub repo: &'a str,
    pub number: u64,
    pub state: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub head: Value,
    pub base: Value,
    pub labels: Vec<Value>,
    pub reviewers: Vec<Value>,
    pub author: &'a str,
}

/// `pull-request` (a superset of `pull-request-simple`, used by lists).
pub fn pull(p: PullFields<'_>) -> Value {
    let (repo, number) = (p.repo, p.number);
    let url = format!("{API}/repos/{repo}/pulls/{number}");
    let issue = format!("{API}/repos/{repo}/issues/{number}");
    let html = format!("{WEB}/{repo}/pull/{number}");
    let link = |href: &str| json!({"href": href});
    json!({
        "id": 1000 + number, "node_id": format!("PR_{number}"), "number": number,
        "url": url, "html_url": html, "issue_url": issue,
        "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"),
        "commits_url": format!("{url}/commits"), "review_comments_url": format!("{url}/comments"),
        "review_comment_url": format!("{API}/repos/{repo}/pulls/comments{{/number}}"),
        "comments_url": format!("{issue}/comments"),
        "statuses_url": format!("{API}/repos/{repo}/statuses/{}", p.head["sha"].as_str().unwrap_or_default()),
        "state": p.state, "locked": false, "title": p.title, "body": p.body,
        "user": user(p.author), "assignee": null, "milestone": null, "auto_merge": null,
        "labels": p.labels, "requested_reviewers": p.reviewers, "requested_teams": [],
        "head": p.head, "base": p.base, "author_association": "NONE",
        "created_at": DATE, "updated_at": DATE, "closed_at": null, "merged_at": null,
        "merge_commit_sha": null, "merged": false, "mergeable": null,
        "mergeable_state": "unknown", "merged_by": null, "maintainer_can_modify": false,
        "comments": 0, "review_comments": 0, "commits": 1,
        "additions": 0, "deletions": 0, "changed_files": 0,
        "_links": {
            "self": link(&url), "html": link(&html), "issue": link(&issue),
            "comments": link(&format!("{issue}/comments")),
            "review_comments": link(&format!("{url}/comments")),
            "review_comment": link(&format!("{API}/repos/{repo}/pulls/comments{{/number}}")),
            "commits": link(&format!("{url}/commits")),
            "statuses": link(&format!("{API}/repos/{repo}/statuses/{}", p.head["sha"].as_str().unwrap_or_default())),
        },
    })
}

/// What a commit is: tree, parents, message and author.
pub struct CommitFields<'a> {
    pub tree: &'a str,
    pub parents: &'a [String],
    pub message: &'a str,
    pub author_name: &'a str,
    pub author_email: &'a str,
}

fn git_user(c: &CommitFields<'_>) -> Value {
    json!({"name": c.author_name, "email": c.author_email, "date": DATE})
}

fn unsigned() -> Value {
    json!({"verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null})
}

/// `git-commit` (GET/POST `/git/commits`).
pub fn git_commit(repo: &str, sha: &str, c: &CommitFields<'_>) -> Value {
    let parents: Vec<Value> = c
        .parents
        .iter()
        .map(|p| {
            json!({"sha": p, "url": format!("{API}/repos/{repo}/git/commits/{p}"),
                   "html_url": format!("{WEB}/{repo}/commit/{p}")})
        })
        .collect();
    json!({
        "sha": sha, "node_id": format!("C_{sha}"),
        "url": format!("{API}/repos/{repo}/git/commits/{sha}"),
        "html_url": format!("{WEB}/{repo}/commit/{sha}"),
        "tree": {"sha": c.tree, "url": format!("{API}/repos/{repo}/git/trees/{}", c.tree)},
        "parents": parents, "message": c.message,
        "author": git_user(c), "committer": git_user(c), "verification": unsigned(),
    })
}

/// `commit` (an entry of a compare's `commits`, as in `GET /commits/{sha}`):
/// the sha is on the outer object; the nested `commit` has none.
pub fn commit(repo: &str, sha: &str, c: &CommitFields<'_>) -> Value {
    let url = format!("{API}/repos/{repo}/commits/{sha}");
    let parents: Vec<Value> = c
        .parents
        .iter()
        .map(|p| {
            json!({"sha": p, "url": format!("{API}/repos/{repo}/commits/{p}"),
                   "html_url": format!("{WEB}/{repo}/commit/{p}")})
        })
        .collect();
    json!({
        "sha": sha, "node_id": format!("C_{sha}"), "url": url,
        "html_url": format!("{WEB}/{repo}/commit/{sha}"),
        "comments_url": format!("{url}/comments"),
        "commit": {
            "url": format!("{API}/repos/{repo}/git/commits/{sha}"),
            "author": git_user(c), "committer": git_user(c), "message": c.message,
            "comment_count": 0,
            "tree": {"sha": c.tree, "url": format!("{API}/repos/{repo}/git/trees/{}", c.tree)},
            "verification": unsigned(),
        },
        // Commits whose email matches no account have null users.
        "author": null, "committer": null, "parents": parents,
    })
}

/// `commit-comparison` of `base...head`.
pub fn comparison(
    repo: &str,
    range: &str,
    status: &str,
    behind_by: usize,
    base_commit: Value,
    merge_base: Value,
    commits: Vec<Value>,
) -> Value {
    json!({
        "url": format!("{API}/repos/{repo}/compare/{range}"),
        "html_url": format!("{WEB}/{repo}/compare/{range}"),
        "permalink_url": format!("{WEB}/{repo}/compare/{range}"),
        "diff_url": format!("{WEB}/{repo}/compare/{range}.diff"),
        "patch_url": format!("{WEB}/{repo}/compare/{range}.patch"),
        "base_commit": base_commit, "merge_base_commit": merge_base,
        "status": status, "ahead_by": commits.len(), "behind_by": behind_by,
        "total_commits": commits.len(), "commits": commits, "files": [],
    })
}

/// `blob` (GET `/git/blobs/{sha}`).
pub fn blob(repo: &str, sha: &str, size: usize, base64: &str) -> Value {
    json!({
        "sha": sha, "node_id": format!("B_{sha}"), "size": size,
        "url": format!("{API}/repos/{repo}/git/blobs/{sha}"),
        "encoding": "base64", "content": base64,
    })
}

/// `short-blob` (POST `/git/blobs`).
pub fn short_blob(repo: &str, sha: &str) -> Value {
    json!({"sha": sha, "url": format!("{API}/repos/{repo}/git/blobs/{sha}")})
}

/// `git-tree`, from entries already shaped.
pub fn tree(repo: &str, sha: &str, entries: Vec<Value>) -> Value {
    json!({
        "sha": sha, "url": format!("{API}/repos/{repo}/git/trees/{sha}"),
        "tree": entries, "truncated": false,
    })
}

/// `content-file` for `path` at `reference`.
pub fn content_file(
    repo: &str,
    path: &str,
    reference: &str,
    blob: &str,
    size: usize,
    content: String,
) -> Value {
    let url = format!("{API}/repos/{repo}/contents/{path}?ref={reference}");
    let html = format!("{WEB}/{repo}/blob/{reference}/{path}");
    let git = format!("{API}/repos/{repo}/git/blobs/{blob}");
    json!({
        "type": "file", "encoding": "base64", "size": size,
        "name": path.rsplit('/').next().unwrap_or(path), "path": path,
        "content": content, "sha": blob, "url": url, "git_url": git, "html_url": html,
        "download_url": format!("https://raw.githubusercontent.com/{repo}/{reference}/{path}"),
        "_links": {"self": url, "git": git, "html": html},
    })
}

/// `check-run` created from the request `body` (name, head_sha, status,
/// conclusion, output as given).
pub fn check_run(repo: &str, id: u64, body: &Value) -> Value {
    let text = |v: &Value| v.as_str().map_or(Value::Null, |s| json!(s));
    let output = &body["output"];
    let mut run = json!({
        "id": id, "node_id": format!("CR_{id}"),
        "head_sha": body["head_sha"], "name": body["name"],
        "url": format!("{API}/repos/{repo}/check-runs/{id}"),
        "html_url": format!("{WEB}/{repo}/runs/{id}"),
        "details_url": text(&body["details_url"]), "external_id": text(&body["external_id"]),
        "status": body.get("status").cloned().unwrap_or(json!("queued")),
        "conclusion": text(&body["conclusion"]),
        "started_at": DATE, "completed_at": body.get("conclusion").map(|_| json!(DATE)),
        "check_suite": {"id": 1},
        "output": {
            "title": text(&output["title"]), "summary": text(&output["summary"]),
            "text": text(&output["text"]), "annotations_count": 0,
            "annotations_url": format!("{API}/repos/{repo}/check-runs/{id}/annotations"),
        },
        "app": app(1),
        "pull_requests": [],
    });
    if run["completed_at"].is_null() || run["conclusion"].is_null() {
        run["completed_at"] = Value::Null;
    }
    run
}

/// `integration` (a GitHub App).
pub fn app(id: u64) -> Value {
    json!({
        "id": id, "node_id": format!("A_{id}"), "slug": "specrelay", "name": "specrelay",
        "owner": user("acme"), "description": null,
        "external_url": "https://example.com", "html_url": format!("{WEB}/apps/specrelay"),
        "created_at": DATE, "updated_at": DATE,
        "permissions": {"contents": "write", "pull_requests": "write"},
        "events": [],
    })
}

/// `status` created from the request `body` by `login`.
pub fn status(repo: &str, sha: &str, id: u64, body: &Value, login: &str) -> Value {
    json!({
        "url": format!("{API}/repos/{repo}/statuses/{sha}"),
        "avatar_url": null, "id": id, "node_id": format!("SC_{id}"),
        "state": body["state"], "description": body["description"].as_str().unwrap_or_default(),
        "target_url": body["target_url"].as_str().unwrap_or_default(),
        "context": body["context"].as_str().unwrap_or("default"),
        "created_at": DATE, "updated_at": DATE, "creator": user(login),
    })
}

/// `installation` of app `app_id` on `owner`'s account.
pub fn installation(id: u64, app_id: u64, owner: &str) -> Value {
    json!({
        "id": id, "app_id": app_id, "app_slug": "specrelay",
        "target_id": id_of(owner), "target_type": "Organization",
        "single_file_name": null, "repository_selection": "all",
        "access_tokens_url": format!("{API}/app/installations/{id}/access_tokens"),
        "html_url": format!("{WEB}/organizations/{owner}/settings/installations/{id}"),
        "repositories_url": format!("{API}/installation/repositories"),
        "events": [], "account": user(owner),
        "permissions": {"contents": "write", "pull_requests": "write"},
        "created_at": DATE, "updated_at": DATE, "suspended_by": null, "suspended_at": null,
    })
}

/// `issue` (also how a pull request appears in the issues list, with a
/// `pull_request` key added by the caller).
pub fn issue(
    repo: &str,
    number: u64,
    title: &str,
    body: &str,
    state: &str,
    state_reason: Option<&str>,
    login: &str,
) -> Value {
    let url = format!("{API}/repos/{repo}/issues/{number}");
    json!({
        "id": number * 1000 + 1, "node_id": format!("I_{number}"), "number": number,
        "title": title, "body": body, "state": state, "state_reason": state_reason,
        "url": url, "html_url": format!("{WEB}/{repo}/issues/{number}"),
        "repository_url": format!("{API}/repos/{repo}"),
        "labels_url": format!("{url}/labels{{/name}}"), "comments_url": format!("{url}/comments"),
        "events_url": format!("{url}/events"),
        "user": user(login), "labels": [], "assignee": null, "assignees": [], "milestone": null,
        "locked": false, "comments": 0, "author_association": "NONE",
        "created_at": DATE, "updated_at": DATE,
        "closed_at": if state == "closed" { json!(DATE) } else { Value::Null },
    })
}

/// `pull-request-review`.
pub fn review(repo: &str, pull: u64, id: u64, state: &str, login: &str, commit_id: &str) -> Value {
    let html = format!("{WEB}/{repo}/pull/{pull}#pullrequestreview-{id}");
    let pull_url = format!("{API}/repos/{repo}/pulls/{pull}");
    json!({
        "id": id, "node_id": format!("PRR_{id}"), "user": user(login), "body": "",
        "state": state, "html_url": html, "pull_request_url": pull_url,
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
        "submitted_at": DATE, "commit_id": commit_id, "author_association": "MEMBER",
    })
}

/// `combined-commit-status` over `statuses` (already `status` objects).
pub fn combined_status(
    repo: &str,
    sha: &str,
    state: &str,
    statuses: Vec<Value>,
    default_branch: &str,
) -> Value {
    json!({
        "state": state, "sha": sha, "total_count": statuses.len(), "statuses": statuses,
        "repository": repository(repo, default_branch),
        "commit_url": format!("{API}/repos/{repo}/commits/{sha}"),
        "url": format!("{API}/repos/{repo}/commits/{sha}/status"),
    })
}

/// `workflow-run` of `workflow` (a file name) started by `workflow_dispatch`.
/// `(status, conclusion)` of a run.
pub type RunState<'a> = (&'a str, Option<&'a str>);

pub fn workflow_run(
    repo: &str,
    id: u64,
    workflow: &str,
    branch: &str,
    sha: &str,
    (status, conclusion): RunState<'_>,
    default_branch: &str,
) -> Value {
    let url = format!("{API}/repos/{repo}/actions/runs/{id}");
    json!({
        "id": id, "name": workflow, "node_id": format!("WFR_{id}"),
        "head_branch": branch, "head_sha": sha, "path": format!(".github/workflows/{workflow}"),
        "run_number": id, "event": "workflow_dispatch", "status": status, "conclusion": conclusion,
        "workflow_id": 1, "url": url, "html_url": format!("{WEB}/{repo}/actions/runs/{id}"),
        "pull_requests": [], "created_at": DATE, "updated_at": DATE,
        "jobs_url": format!("{url}/jobs"), "logs_url": format!("{url}/logs"),
        "check_suite_url": format!("{API}/repos/{repo}/check-suites/{id}"),
        "artifacts_url": format!("{url}/artifacts"), "cancel_url": format!("{url}/cancel"),
        "rerun_url": format!("{url}/rerun"),
        "workflow_url": format!("{API}/repos/{repo}/actions/workflows/1"),
        "head_commit": {
            "id": sha, "tree_id": sha, "message": "", "timestamp": DATE,
            "author": {"name": "specrelay", "email": "specrelay@example.com"},
            "committer": {"name": "specrelay", "email": "specrelay@example.com"},
        },
        "repository": repository(repo, default_branch),
        "head_repository": repository(repo, default_branch),
    })
}
