//! A stateful fake of GitHub's REST API on 127.0.0.1, for the stages that
//! talk to GitHub (`ingest`/`generate` with `commit`, `downstream`). It must
//! never be used outside tests.
//!
//! Repositories live in memory with real git object ids (SHA-1 of
//! `blob N\0...` for blobs; trees and commits are hashed over a canonical
//! form of their content, so ids are stable and unique but not git's).
//! Endpoints follow GitHub's paths, status codes and JSON shapes for what
//! specrelay uses: repos, contents, git blobs/trees/commits/refs, compare,
//! pulls, requested reviewers, issue comments and labels, dispatches,
//! check runs and statuses; what rollout gates read is in [`checks`]. Every
//! response carries `x-ratelimit-*` headers.
//!
//! Faults are injected per request: N server errors, a secondary rate limit
//! (403 or 429 with `retry-after`), an exhausted primary limit (403 with
//! `x-ratelimit-remaining: 0`), or a repository that always fails.
#![allow(dead_code)]

#[path = "fake_github_checks.rs"]
mod checks;

use super::github_json::{self as shape, CommitFields, PullFields};
use super::http_server::{Behaviour, RecordedRequest, TestServer};
use base64::Engine as _;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The token the fake accepts (as `Bearer` or `token`).
pub const TOKEN: &str = "ghs_faketoken0123456789";
/// What `GET /user` answers, and who authors API commits without an author.
pub const LOGIN: &str = "specrelay-bot";

/// A fault to inject into the next matching requests.
#[derive(Debug, Clone)]
pub enum Fault {
    /// A 5xx with GitHub's error body.
    ServerError(u16),
    /// 403 "secondary rate limit" with `retry-after: secs`.
    SecondaryRateLimit { retry_after: u64 },
    /// 429 with `retry-after: secs`.
    TooManyRequests { retry_after: u64 },
    /// 403 with `x-ratelimit-remaining: 0` and a reset `secs` from now.
    PrimaryRateLimit { reset_in: u64 },
    /// The request is carried out, but the answer is a 5xx (a proxy lost
    /// GitHub's answer): the client must not take the error as "not done".
    ServerErrorAfterApplying(u16),
}

struct Injected {
    fault: Fault,
    /// Only requests under `/repos/{repo}/`; `None` for any request.
    repo: Option<String>,
    /// Only requests with this method; `None` for any.
    method: Option<String>,
    /// Only requests whose path ends so; `None` for any.
    path_suffix: Option<String>,
    remaining: usize,
}

#[derive(Debug, Clone)]
enum Object {
    Blob(Vec<u8>),
    /// Flat: every file path in the tree, with its mode and blob id.
    Tree(BTreeMap<String, (String, String)>),
    Commit(Commit),
}

#[derive(Debug, Clone)]
pub struct Commit {
    pub tree: String,
    pub parents: Vec<String>,
    pub message: String,
    pub author_name: String,
    pub author_email: String,
}

/// One pull request as the fake stores it.
#[derive(Debug, Clone)]
pub struct Pull {
    pub number: u64,
    pub title: String,
    pub body: String,
    pub head: String,
    pub base: String,
    pub state: String,
    pub labels: Vec<String>,
    pub reviewers: Vec<String>,
    pub team_reviewers: Vec<String>,
}

/// One issue as the fake stores it (numbers are shared with pull
/// requests, as on GitHub).
#[derive(Debug, Clone)]
pub struct Issue {
    pub number: u64,
    pub title: String,
    pub body: String,
    /// `open` or `closed`.
    pub state: String,
    /// `completed`, `not_planned`, `reopened`, or none.
    pub state_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub issue: u64,
    pub body: String,
}

#[derive(Default)]
struct Repo {
    default_branch: String,
    /// `heads/main` -> commit id.
    refs: BTreeMap<String, String>,
    pulls: Vec<Pull>,
    issues: Vec<Issue>,
    comments: Vec<Comment>,
    dispatches: Vec<Value>,
    check_runs: Vec<Value>,
    statuses: Vec<Value>,
    /// `(pull number, review)`.
    reviews: Vec<(u64, Value)>,
    /// Merged pull requests.
    merged: BTreeSet<u64>,
    workflow_runs: Vec<Value>,
    /// Every request to it gets a 500.
    broken: bool,
}

impl Repo {
    /// The pull request numbered `number`, if the repository has one.
    fn pull(&self, number: u64) -> Option<&Pull> {
        self.pulls.iter().find(|p| p.number == number)
    }
}

/// A GitHub App the fake accepts JWTs from: its id and RSA public key (DER).
struct App {
    id: String,
    public_key: Vec<u8>,
}

/// The installation id every repository reports for the app.
pub const INSTALLATION_ID: u64 = 7;

#[derive(Default)]
struct State {
    app: Option<App>,
    repos: BTreeMap<String, Repo>,
    objects: HashMap<String, Object>,
    faults: Vec<Injected>,
    next_id: u64,
    /// Requests served, for `x-ratelimit-used`.
    used: u64,
}

/// The running fake; drop it to stop it. Every answer it sends is checked
/// against GitHub's OpenAPI description (when the corpus has it); dropping
/// a fake that sent a non-conforming answer fails the test.
pub struct FakeGitHub {
    server: TestServer,
    state: Arc<Mutex<State>>,
    conformance: Arc<Mutex<Conformance>>,
}

/// What the description check saw: answers checked, and mismatches.
#[derive(Default, Debug, Clone)]
pub struct Conformance {
    pub checked: usize,
    pub errors: Vec<String>,
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let conformance = self.conformance();
        assert!(
            conformance.errors.is_empty(),
            "the fake GitHub sent {} answers that GitHub's OpenAPI description rejects:\n{}",
            conformance.errors.len(),
            conformance.errors.join("\n")
        );
    }
}

type Reply = (u16, Vec<(String, String)>, Value);

impl FakeGitHub {
    pub fn start() -> FakeGitHub {
        let state = Arc::new(Mutex::new(State::default()));
        let handler_state = Arc::clone(&state);
        let conformance = Arc::new(Mutex::new(Conformance::default()));
        let seen = Arc::clone(&conformance);
        // Loaded before the server answers, so no request waits on it.
        let description = super::github_description::description();
        let server = TestServer::start_with_handler(Arc::new(move |request| {
            let (code, mut headers, body) = handle(&mut lock(&handler_state), request);
            if let Some(doc) = description {
                let result = super::github_description::check(
                    doc,
                    &request.method,
                    &request.path,
                    code,
                    &body,
                );
                let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
                seen.checked += 1;
                if let Err(errors) = result {
                    seen.errors.extend(errors);
                }
            }
            headers.push((
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            ));
            let body = if code == 204 {
                Vec::new()
            } else {
                serde_json::to_vec(&body).expect("JSON")
            };
            Behaviour::Status {
                code,
                headers,
                body,
            }
        }));
        FakeGitHub {
            server,
            state,
            conformance,
        }
    }

    /// What the description check has seen so far (nothing is checked when
    /// the corpus is absent).
    pub fn conformance(&self) -> Conformance {
        self.conformance
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// What `GITHUB_API_URL` is set to.
    pub fn url(&self) -> String {
        self.server.origin()
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// Creates `repo` (`owner/name`) with one commit holding `files` on `branch`,
    /// which becomes the default branch.
    pub fn create_repo(&self, repo: &str, branch: &str, files: &[(&str, &[u8])]) {
        let mut state = self.lock();
        let tree = BTreeMap::new();
        let tree = state.tree_with(
            &tree,
            files
                .iter()
                .map(|(p, b)| ((*p).to_owned(), Some(b.to_vec()))),
        );
        let commit = state.put(Object::Commit(Commit {
            tree,
            parents: Vec::new(),
            message: "Initial commit".into(),
            author_name: "Octo Cat".into(),
            author_email: "octocat@example.com".into(),
        }));
        let mut r = Repo {
            default_branch: branch.to_owned(),
            ..Repo::default()
        };
        r.refs.insert(format!("heads/{branch}"), commit);
        state.repos.insert(repo.to_owned(), r);
    }

    /// Pushes a commit by a human (`Octo Cat`) onto `branch` changing `files`.
    pub fn push_human_commit(&self, repo: &str, branch: &str, files: &[(&str, &[u8])]) -> String {
        let mut state = self.lock();
        let head = state.repo(repo).refs[&format!("heads/{branch}")].clone();
        let base_tree = state.commit(&head).tree.clone();
        let Object::Tree(base) = state.objects[&base_tree].clone() else {
            panic!("not a tree")
        };
        let tree = state.tree_with(
            &base,
            files
                .iter()
                .map(|(p, b)| ((*p).to_owned(), Some(b.to_vec()))),
        );
        let commit = state.put(Object::Commit(Commit {
            tree,
            parents: vec![head],
            message: "Fix the build by hand".into(),
            author_name: "Octo Cat".into(),
            author_email: "octocat@example.com".into(),
        }));
        state
            .repo_mut(repo)
            .refs
            .insert(format!("heads/{branch}"), commit.clone());
        commit
    }

    /// Installs a GitHub App on every repository: JWTs signed with
    /// `private_key_pem` (PKCS#1) and issued by `app_id` get installation
    /// tokens ([`TOKEN`]).
    pub fn install_app(&self, app_id: &str, private_key_pem: &str) {
        let body: String = private_key_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .expect("PEM");
        let key = ring::signature::RsaKeyPair::from_der(&der).expect("an RSA key");
        self.lock().app = Some(App {
            id: app_id.to_owned(),
            public_key: ring::signature::KeyPair::public_key(&key).as_ref().to_vec(),
        });
    }

    /// Every request to `repo` fails with a 500 from now on.
    pub fn break_repo(&self, repo: &str) {
        self.lock().repo_mut(repo).broken = true;
    }

    /// The next `times` requests (to `repo` if given, with `method` if
    /// given) get `fault`.
    pub fn inject(&self, fault: Fault, times: usize, repo: Option<&str>, method: Option<&str>) {
        self.lock().faults.push(Injected {
            fault,
            repo: repo.map(str::to_owned),
            method: method.map(str::to_owned),
            path_suffix: None,
            remaining: times,
        });
    }

    /// The next `times` `method` requests whose path ends with
    /// `path_suffix` (`/git/refs`) get `fault`.
    pub fn inject_at(&self, fault: Fault, times: usize, method: &str, path_suffix: &str) {
        self.lock().faults.push(Injected {
            fault,
            repo: None,
            method: Some(method.to_owned()),
            path_suffix: Some(path_suffix.to_owned()),
            remaining: times,
        });
    }

    /// The commit a tag points at, if the tag exists.
    pub fn tag(&self, repo: &str, tag: &str) -> Option<String> {
        self.lock()
            .repo(repo)
            .refs
            .get(&format!("tags/{tag}"))
            .cloned()
    }

    /// Points tag `tag` at `sha` (which must be a commit of the fake), as a
    /// push of that tag would.
    pub fn set_tag(&self, repo: &str, tag: &str, sha: &str) {
        let mut state = self.lock();
        assert!(
            matches!(state.objects.get(sha), Some(Object::Commit(_))),
            "{sha} is not a commit"
        );
        state
            .repo_mut(repo)
            .refs
            .insert(format!("tags/{tag}"), sha.to_owned());
    }

    /// The files on `branch`, path -> bytes.
    pub fn files(&self, repo: &str, branch: &str) -> BTreeMap<String, Vec<u8>> {
        let state = self.lock();
        let head = &state.repo(repo).refs[&format!("heads/{branch}")];
        let Object::Tree(tree) = &state.objects[&state.commit(head).tree] else {
            panic!("not a tree")
        };
        tree.iter()
            .map(|(path, (_, blob))| {
                let Object::Blob(bytes) = &state.objects[blob] else {
                    panic!("not a blob")
                };
                (path.clone(), bytes.clone())
            })
            .collect()
    }

    pub fn file(&self, repo: &str, branch: &str, path: &str) -> Option<Vec<u8>> {
        self.files(repo, branch).remove(path)
    }

    pub fn branch_exists(&self, repo: &str, branch: &str) -> bool {
        self.lock()
            .repo(repo)
            .refs
            .contains_key(&format!("heads/{branch}"))
    }

    /// The commits on `branch`, newest first (first parents).
    pub fn history(&self, repo: &str, branch: &str) -> Vec<Commit> {
        let state = self.lock();
        let mut next = state
            .repo(repo)
            .refs
            .get(&format!("heads/{branch}"))
            .cloned();
        let mut out = Vec::new();
        while let Some(sha) = next {
            let commit = state.commit(&sha).clone();
            next = commit.parents.first().cloned();
            out.push(commit);
        }
        out
    }

    /// The `repository_dispatch` requests a repository received, in order
    /// (`{event_type, client_payload}` as sent).
    pub fn dispatches(&self, repo: &str) -> Vec<Value> {
        self.lock().repo(repo).dispatches.clone()
    }

    pub fn pulls(&self, repo: &str) -> Vec<Pull> {
        self.lock().repo(repo).pulls.clone()
    }

    /// The repository's issues (not pull requests), oldest first.
    pub fn issues(&self, repo: &str) -> Vec<Issue> {
        self.lock().repo(repo).issues.clone()
    }

    pub fn comments(&self, repo: &str, number: u64) -> Vec<Comment> {
        self.lock()
            .repo(repo)
            .comments
            .iter()
            .filter(|c| c.issue == number)
            .cloned()
            .collect()
    }

    /// Opens a pull request as a human would, from an existing branch.
    pub fn open_pull(&self, repo: &str, head: &str, title: &str, body: &str) -> u64 {
        let mut state = self.lock();
        let number = state.next();
        let base = state.repo(repo).default_branch.clone();
        state.repo_mut(repo).pulls.push(Pull {
            number,
            title: title.into(),
            body: body.into(),
            head: head.into(),
            base,
            state: "open".into(),
            labels: Vec::new(),
            reviewers: Vec::new(),
            team_reviewers: Vec::new(),
        });
        number
    }

    /// Creates `branch` at the head of `from`.
    pub fn create_branch(&self, repo: &str, branch: &str, from: &str) {
        let mut state = self.lock();
        let head = state.repo(repo).refs[&format!("heads/{from}")].clone();
        state
            .repo_mut(repo)
            .refs
            .insert(format!("heads/{branch}"), head);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    fn next(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn repo(&self, repo: &str) -> &Repo {
        self.repos
            .get(repo)
            .unwrap_or_else(|| panic!("no repo {repo}"))
    }

    fn repo_mut(&mut self, repo: &str) -> &mut Repo {
        self.repos
            .get_mut(repo)
            .unwrap_or_else(|| panic!("no repo {repo}"))
    }

    fn commit(&self, sha: &str) -> &Commit {
        match self.objects.get(sha) {
            Some(Object::Commit(c)) => c,
            _ => panic!("no commit {sha}"),
        }
    }

    fn put(&mut self, object: Object) -> String {
        let sha = object_id(&object);
        self.objects.insert(sha.clone(), object);
        sha
    }

    fn tree_with(
        &mut self,
        base: &BTreeMap<String, (String, String)>,
        changes: impl Iterator<Item = (String, Option<Vec<u8>>)>,
    ) -> String {
        let mut tree = base.clone();
        for (path, bytes) in changes {
            match bytes {
                Some(bytes) => {
                    let blob = self.put(Object::Blob(bytes));
                    tree.insert(path, ("100644".into(), blob));
                }
                None => {
                    tree.remove(&path);
                }
            }
        }
        self.put(Object::Tree(tree))
    }

    /// Every commit reachable from `sha`, itself included.
    fn ancestors(&self, sha: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![sha.to_owned()];
        while let Some(next) = stack.pop() {
            if let Some(Object::Commit(c)) = self.objects.get(&next)
                && seen.insert(next.clone())
            {
                stack.extend(c.parents.iter().cloned());
            }
        }
        seen
    }

    fn take_fault(&mut self, request: &RecordedRequest) -> Option<Fault> {
        let index = self.faults.iter().position(|f| {
            f.remaining > 0
                && f.repo
                    .as_ref()
                    .is_none_or(|r| request.path.starts_with(&format!("/repos/{r}/")))
                && f.method.as_ref().is_none_or(|m| *m == request.method)
                && f.path_suffix
                    .as_ref()
                    .is_none_or(|p| request.path.ends_with(p.as_str()))
        })?;
        let injected = &mut self.faults[index];
        injected.remaining -= 1;
        Some(injected.fault.clone())
    }
}

fn object_id(object: &Object) -> String {
    let mut hasher = Sha1::new();
    match object {
        Object::Blob(bytes) => {
            hasher.update(format!("blob {}\0", bytes.len()));
            hasher.update(bytes);
        }
        Object::Tree(entries) => {
            hasher.update("tree\0");
            for (path, (mode, sha)) in entries {
                hasher.update(format!("{mode} {path}\0{sha}\n"));
            }
        }
        Object::Commit(c) => {
            hasher.update(format!(
                "commit\0tree {}\nparents {}\nauthor {} <{}>\n\n{}",
                c.tree,
                c.parents.join(" "),
                c.author_name,
                c.author_email,
                c.message
            ));
        }
    }
    hex::encode(hasher.finalize())
}

fn error(code: u16, message: &str) -> Reply {
    (
        code,
        Vec::new(),
        json!({
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
            "status": code.to_string(),
        }),
    )
}

fn validation_failed(message: &str) -> Reply {
    (
        422,
        Vec::new(),
        json!({
            "message": "Validation Failed",
            "errors": [{"resource": "PullRequest", "code": "custom", "message": message}],
            "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
            "status": "422",
        }),
    )
}

fn rate_headers(remaining: u64, used: u64, reset_in: u64) -> Vec<(String, String)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    vec![
        ("x-ratelimit-limit".into(), "5000".into()),
        ("x-ratelimit-remaining".into(), remaining.to_string()),
        ("x-ratelimit-used".into(), used.to_string()),
        ("x-ratelimit-reset".into(), (now + reset_in).to_string()),
        ("x-ratelimit-resource".into(), "core".into()),
    ]
}

/// Whether `authorization` carries a valid, unexpired JWT of the app.
fn app_jwt_valid(app: Option<&App>, authorization: Option<&str>) -> bool {
    let (Some(app), Some(jwt)) = (app, authorization.and_then(|a| a.strip_prefix("Bearer ")))
    else {
        return false;
    };
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else {
        return false;
    };
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (Ok(claims), Ok(signature)) = (b64.decode(claims), b64.decode(signature)) else {
        return false;
    };
    let Ok(claims) = serde_json::from_slice::<Value>(&claims) else {
        return false;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        &app.public_key,
    );
    claims["iss"] == app.id
        && claims["exp"]
            .as_u64()
            .is_some_and(|exp| exp > now && exp <= now + 600)
        && key
            .verify(format!("{header}.{}", parts[1]).as_bytes(), &signature)
            .is_ok()
}

fn handle(state: &mut State, request: &RecordedRequest) -> Reply {
    state.used += 1;
    let used = state.used;
    let app_endpoint = request.path.starts_with("/app/") || request.path.ends_with("/installation");
    if app_endpoint {
        if !app_jwt_valid(state.app.as_ref(), request.header("authorization")) {
            return error(401, "A JSON web token could not be decoded");
        }
        return match (request.method.as_str(), request.path.as_str()) {
            ("GET", path) if path.starts_with("/repos/") => {
                let owner = path.split('/').nth(2).unwrap_or_default();
                let app_id = state.app.as_ref().and_then(|a| a.id.parse().ok());
                let installation = shape::installation(INSTALLATION_ID, app_id.unwrap_or(0), owner);
                (200, Vec::new(), installation)
            }
            ("POST", path)
                if path == format!("/app/installations/{INSTALLATION_ID}/access_tokens") =>
            {
                (
                    201,
                    Vec::new(),
                    json!({"token": TOKEN, "expires_at": "2099-01-01T00:00:00Z"}),
                )
            }
            _ => error(404, "Not Found"),
        };
    }
    let authorized = request.header("authorization").is_some_and(|value| {
        value == format!("Bearer {TOKEN}") || value == format!("token {TOKEN}")
    });
    if !authorized {
        return error(401, "Bad credentials");
    }
    if let Some(fault) = state.take_fault(request) {
        return match fault {
            Fault::ServerError(code) => error(code, "Server Error"),
            Fault::SecondaryRateLimit { retry_after } => {
                let (code, mut headers, body) = error(
                    403,
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                );
                headers.push(("retry-after".into(), retry_after.to_string()));
                (code, headers, body)
            }
            Fault::TooManyRequests { retry_after } => {
                let (code, mut headers, body) = error(429, "Too many requests");
                headers.push(("retry-after".into(), retry_after.to_string()));
                (code, headers, body)
            }
            Fault::PrimaryRateLimit { reset_in } => {
                let (code, _, body) = error(403, "API rate limit exceeded for installation.");
                (code, rate_headers(0, used, reset_in), body)
            }
            Fault::ServerErrorAfterApplying(code) => {
                route(state, request);
                error(code, "Server Error")
            }
        };
    }
    let (code, mut headers, body) = route(state, request);
    headers.extend(rate_headers(5000 - used.min(5000), used, 3600));
    (code, headers, body)
}

fn decode(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn query(request: &RecordedRequest) -> HashMap<String, String> {
    request
        .query
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

fn route(state: &mut State, request: &RecordedRequest) -> Reply {
    let path: Vec<String> = request
        .path
        .trim_start_matches('/')
        .split('/')
        .map(decode)
        .collect();
    let parts: Vec<&str> = path.iter().map(String::as_str).collect();
    let method = request.method.as_str();
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    if parts == ["user"] {
        // The token is an installation token (`ghs_`): GitHub refuses it here.
        return error(403, "Resource not accessible by integration");
    }
    let ["repos", owner, name, rest @ ..] = parts.as_slice() else {
        return error(404, "Not Found");
    };
    let repo_name = format!("{owner}/{name}");
    let Some(repo) = state.repos.get(&repo_name) else {
        return error(404, "Not Found");
    };
    if repo.broken {
        return error(500, "Server Error");
    }
    let q = query(request);
    match (method, rest) {
        ("GET", []) => (
            200,
            Vec::new(),
            shape::repository(&repo_name, &repo.default_branch),
        ),
        ("GET", ["contents", file @ ..]) => get_contents(state, &repo_name, &file.join("/"), &q),
        ("GET", ["git", "ref", r @ ..]) => get_ref(state, &repo_name, &r.join("/")),
        ("POST", ["git", "refs"]) => create_ref(state, &repo_name, &body),
        ("PATCH", ["git", "refs", r @ ..]) => update_ref(state, &repo_name, &r.join("/"), &body),
        ("DELETE", ["git", "refs", r @ ..]) => {
            match state.repo_mut(&repo_name).refs.remove(&r.join("/")) {
                Some(_) => (204, Vec::new(), Value::Null),
                None => error(422, "Reference does not exist"),
            }
        }
        ("POST", ["git", "blobs"]) => create_blob(state, &repo_name, &body),
        ("GET", ["git", "blobs", sha]) => match state.objects.get(*sha) {
            Some(Object::Blob(bytes)) => (
                200,
                Vec::new(),
                shape::blob(
                    &repo_name,
                    sha,
                    bytes.len(),
                    &base64::engine::general_purpose::STANDARD.encode(bytes),
                ),
            ),
            _ => error(404, "Not Found"),
        },
        ("GET", ["git", "trees", sha]) => get_tree(state, &repo_name, sha),
        ("POST", ["git", "trees"]) => create_tree(state, &repo_name, &body),
        ("GET", ["git", "commits", sha]) => match state.objects.get(*sha) {
            Some(Object::Commit(c)) => (200, Vec::new(), commit_json(&repo_name, sha, c)),
            _ => error(404, "Not Found"),
        },
        ("POST", ["git", "commits"]) => create_commit(state, &repo_name, &body),
        ("GET", ["compare", range]) => compare(state, &repo_name, range),
        ("GET", ["pulls"]) => list_pulls(state, &repo_name, &q),
        ("POST", ["pulls"]) => create_pull(state, &repo_name, &body),
        ("PATCH", ["pulls", number]) => update_pull(state, &repo_name, number, &body),
        ("POST", ["pulls", number, "requested_reviewers"]) => {
            with_pull(state, &repo_name, number, |pull, refs| {
                pull.reviewers.extend(strings(&body["reviewers"]));
                pull.team_reviewers.extend(strings(&body["team_reviewers"]));
                (201, Vec::new(), pull_json(refs, &repo_name, pull))
            })
        }
        ("POST", ["issues", number, "labels"]) => {
            with_pull(state, &repo_name, number, |pull, _| {
                for label in strings(&body["labels"]) {
                    if !pull.labels.contains(&label) {
                        pull.labels.push(label);
                    }
                }
                let labels: Vec<Value> = pull
                    .labels
                    .iter()
                    .map(|l| shape::label(&repo_name, l))
                    .collect();
                (200, Vec::new(), Value::Array(labels))
            })
        }
        ("GET", ["issues"]) => list_issues(state, &repo_name, &q),
        ("POST", ["issues"]) => create_issue(state, &repo_name, &body),
        ("GET", ["issues", number]) => match find_issue(state, &repo_name, number) {
            Some(i) => (
                200,
                Vec::new(),
                issue_json(&repo_name, &state.repo(&repo_name).issues[i]),
            ),
            None => error(404, "Not Found"),
        },
        ("PATCH", ["issues", number]) => update_issue(state, &repo_name, number, &body),
        ("GET", ["issues", number, "comments"]) => {
            let number: u64 = number.parse().unwrap_or(0);
            let list: Vec<Value> = state
                .repo(&repo_name)
                .comments
                .iter()
                .filter(|c| c.issue == number)
                .map(|c| comment_json(&repo_name, c))
                .collect();
            (200, Vec::new(), paginate(list, &q))
        }
        ("POST", ["issues", number, "comments"]) => {
            let Some(text) = body["body"].as_str() else {
                return error(422, "Validation Failed");
            };
            let id = state.next();
            let comment = Comment {
                id,
                issue: number.parse().unwrap_or(0),
                body: text.to_owned(),
            };
            let out = comment_json(&repo_name, &comment);
            state.repo_mut(&repo_name).comments.push(comment);
            (201, Vec::new(), out)
        }
        ("POST", ["dispatches"]) => {
            if body["event_type"].as_str().is_none_or(str::is_empty) {
                return error(422, "Invalid request.\n\n\"event_type\" wasn't supplied.");
            }
            // GitHub: "client_payload" is an object of at most 10 top-level
            // properties; event_type at most 100 characters.
            if body["event_type"]
                .as_str()
                .is_some_and(|t| t.chars().count() > 100)
            {
                return error(422, "Invalid request.\n\n\"event_type\" is too long.");
            }
            match body.get("client_payload") {
                None | Some(Value::Null) => {}
                Some(Value::Object(map)) if map.len() <= 10 => {}
                Some(Value::Object(_)) => {
                    return error(
                        422,
                        "Invalid request.\n\nNo more than 10 properties are allowed; client_payload has more.",
                    );
                }
                Some(_) => {
                    return error(
                        422,
                        "Invalid request.\n\nFor 'properties/client_payload', it is not an object.",
                    );
                }
            }
            state.repo_mut(&repo_name).dispatches.push(body);
            (204, Vec::new(), Value::Null)
        }
        ("POST", ["check-runs"]) => {
            let id = state.next();
            let run = shape::check_run(&repo_name, id, &body);
            state.repo_mut(&repo_name).check_runs.push(run.clone());
            (201, Vec::new(), run)
        }
        ("POST", ["statuses", sha]) => {
            let id = state.next();
            let status = shape::status(&repo_name, sha, id, &body, LOGIN);
            state.repo_mut(&repo_name).statuses.push(status.clone());
            (201, Vec::new(), status)
        }
        _ => checks::route(state, &repo_name, method, rest, &body, &q)
            .unwrap_or_else(|| error(404, "Not Found")),
    }
}

/// The `page` (1-based) of `per_page` items (default 30, at most 100), as
/// GitHub pages list endpoints.
fn paginate(items: Vec<Value>, q: &HashMap<String, String>) -> Value {
    let per_page = q
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page = q
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    Value::Array(
        items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect(),
    )
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn resolve(state: &State, repo: &str, reference: &str) -> Option<String> {
    let refs = &state.repo(repo).refs;
    refs.get(&format!("heads/{reference}"))
        .cloned()
        .or_else(|| {
            state
                .objects
                .contains_key(reference)
                .then(|| reference.to_owned())
        })
}

fn get_contents(state: &State, repo: &str, path: &str, q: &HashMap<String, String>) -> Reply {
    let reference = q
        .get("ref")
        .cloned()
        .unwrap_or_else(|| state.repo(repo).default_branch.clone());
    let Some(commit) = resolve(state, repo, &reference) else {
        return error(404, &format!("No commit found for the ref {reference}"));
    };
    let Object::Tree(tree) = &state.objects[&state.commit(&commit).tree] else {
        return error(500, "corrupt");
    };
    let Some((_, blob)) = tree.get(path) else {
        return error(404, "Not Found");
    };
    let Object::Blob(bytes) = &state.objects[blob] else {
        return error(500, "corrupt");
    };
    // GitHub wraps the base64 at 60 columns with `\n`.
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let wrapped: Vec<&str> = encoded
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    let content = wrapped.join("\n") + "\n";
    let file = shape::content_file(repo, path, &reference, blob, bytes.len(), content);
    (200, Vec::new(), file)
}

fn ref_json(repo: &str, name: &str, sha: &str) -> Value {
    json!({
        "ref": format!("refs/{name}"),
        "node_id": "REF_x",
        "url": format!("https://api.github.com/repos/{repo}/git/refs/{name}"),
        "object": {"type": "commit", "sha": sha,
                   "url": format!("https://api.github.com/repos/{repo}/git/commits/{sha}")},
    })
}

fn get_ref(state: &State, repo: &str, name: &str) -> Reply {
    match state.repo(repo).refs.get(name) {
        Some(sha) => (200, Vec::new(), ref_json(repo, name, sha)),
        None => error(404, "Not Found"),
    }
}

fn create_ref(state: &mut State, repo: &str, body: &Value) -> Reply {
    let (Some(full), Some(sha)) = (body["ref"].as_str(), body["sha"].as_str()) else {
        return error(422, "Invalid request.");
    };
    let Some(name) = full.strip_prefix("refs/").filter(|n| n.contains('/')) else {
        return error(
            422,
            "Reference name must start with 'refs/' and have at least two slashes.",
        );
    };
    if !matches!(state.objects.get(sha), Some(Object::Commit(_))) {
        return error(422, "Object does not exist");
    }
    if state.repo(repo).refs.contains_key(name) {
        return error(422, "Reference already exists");
    }
    state
        .repo_mut(repo)
        .refs
        .insert(name.to_owned(), sha.to_owned());
    (201, Vec::new(), ref_json(repo, name, sha))
}

fn update_ref(state: &mut State, repo: &str, name: &str, body: &Value) -> Reply {
    let Some(sha) = body["sha"].as_str() else {
        return error(422, "Invalid request.");
    };
    let force = body["force"].as_bool().unwrap_or(false);
    let Some(current) = state.repo(repo).refs.get(name).cloned() else {
        return error(422, "Reference does not exist");
    };
    if !matches!(state.objects.get(sha), Some(Object::Commit(_))) {
        return error(422, "Object does not exist");
    }
    if !force && !state.ancestors(sha).contains(&current) {
        return error(422, "Update is not a fast forward");
    }
    state
        .repo_mut(repo)
        .refs
        .insert(name.to_owned(), sha.to_owned());
    (200, Vec::new(), ref_json(repo, name, sha))
}

fn create_blob(state: &mut State, repo: &str, body: &Value) -> Reply {
    let Some(content) = body["content"].as_str() else {
        return error(422, "Invalid request.\n\n\"content\" wasn't supplied.");
    };
    let bytes = match body["encoding"].as_str().unwrap_or("utf-8") {
        "base64" => match base64::engine::general_purpose::STANDARD.decode(content) {
            Ok(bytes) => bytes,
            Err(_) => return error(422, "Invalid base64"),
        },
        _ => content.as_bytes().to_vec(),
    };
    let sha = state.put(Object::Blob(bytes));
    (201, Vec::new(), shape::short_blob(repo, &sha))
}

fn tree_json(repo: &str, sha: &str, tree: &BTreeMap<String, (String, String)>) -> Value {
    let entries: Vec<Value> = tree
        .iter()
        .map(|(path, (mode, blob))| {
            json!({"path": path, "mode": mode, "type": "blob", "sha": blob,
                   "url": format!("https://api.github.com/repos/{repo}/git/blobs/{blob}")})
        })
        .collect();
    shape::tree(repo, sha, entries)
}

fn get_tree(state: &State, repo: &str, sha: &str) -> Reply {
    let tree_sha = match state.objects.get(sha) {
        Some(Object::Commit(c)) => c.tree.clone(),
        _ => sha.to_owned(),
    };
    match state.objects.get(&tree_sha) {
        Some(Object::Tree(tree)) => (200, Vec::new(), tree_json(repo, &tree_sha, tree)),
        _ => error(404, "Not Found"),
    }
}

fn create_tree(state: &mut State, repo: &str, body: &Value) -> Reply {
    let base = match body["base_tree"].as_str() {
        Some(sha) => match state.objects.get(sha) {
            Some(Object::Tree(tree)) => tree.clone(),
            _ => return error(422, "Invalid tree info"),
        },
        None => BTreeMap::new(),
    };
    let mut tree = base;
    for entry in body["tree"].as_array().cloned().unwrap_or_default() {
        let Some(path) = entry["path"].as_str() else {
            return error(422, "Invalid tree info");
        };
        if let Some(content) = entry["content"].as_str() {
            let blob = state.put(Object::Blob(content.as_bytes().to_vec()));
            tree.insert(path.to_owned(), ("100644".into(), blob));
        } else if let Some(sha) = entry["sha"].as_str() {
            if !matches!(state.objects.get(sha), Some(Object::Blob(_))) {
                return error(422, "Invalid tree info");
            }
            let mode = entry["mode"].as_str().unwrap_or("100644").to_owned();
            tree.insert(path.to_owned(), (mode, sha.to_owned()));
        } else {
            // `"sha": null` deletes the path.
            tree.remove(path);
        }
    }
    let sha = state.put(Object::Tree(tree.clone()));
    (201, Vec::new(), tree_json(repo, &sha, &tree))
}

fn fields(c: &Commit) -> CommitFields<'_> {
    CommitFields {
        tree: &c.tree,
        parents: &c.parents,
        message: &c.message,
        author_name: &c.author_name,
        author_email: &c.author_email,
    }
}

fn commit_json(repo: &str, sha: &str, c: &Commit) -> Value {
    shape::git_commit(repo, sha, &fields(c))
}

fn create_commit(state: &mut State, repo: &str, body: &Value) -> Reply {
    let (Some(message), Some(tree)) = (body["message"].as_str(), body["tree"].as_str()) else {
        return error(422, "Invalid request.");
    };
    if !matches!(state.objects.get(tree), Some(Object::Tree(_))) {
        return error(422, "Tree SHA does not exist");
    }
    let parents = strings(&body["parents"]);
    if parents
        .iter()
        .any(|p| !matches!(state.objects.get(p), Some(Object::Commit(_))))
    {
        return error(422, "Parent SHA does not exist or is not a commit object");
    }
    let commit = Commit {
        tree: tree.to_owned(),
        parents,
        message: message.to_owned(),
        author_name: body["author"]["name"].as_str().unwrap_or(LOGIN).to_owned(),
        author_email: body["author"]["email"]
            .as_str()
            .unwrap_or("bot@example.com")
            .to_owned(),
    };
    let sha = state.put(Object::Commit(commit.clone()));
    (201, Vec::new(), commit_json(repo, &sha, &commit))
}

fn compare(state: &State, repo: &str, range: &str) -> Reply {
    let Some((base_name, head_name)) = range.split_once("...") else {
        return error(404, "Not Found");
    };
    let (Some(base), Some(head)) = (
        resolve(state, repo, base_name),
        resolve(state, repo, head_name),
    ) else {
        return error(404, "Not Found");
    };
    let behind = state.ancestors(&base);
    let ahead = state.ancestors(&head);
    let entry = |sha: &str| shape::commit(repo, sha, &fields(state.commit(sha)));
    let commits: Vec<Value> = ahead.difference(&behind).map(|sha| entry(sha)).collect();
    let behind_by = behind.difference(&ahead).count();
    let status = match (commits.is_empty(), behind_by == 0) {
        (true, true) => "identical",
        (false, true) => "ahead",
        (true, false) => "behind",
        (false, false) => "diverged",
    };
    // The merge base: the common ancestor that no other common ancestor
    // descends from.
    let common: BTreeSet<&String> = behind.intersection(&ahead).collect();
    let merge_base = common
        .iter()
        .find(|c| {
            !common
                .iter()
                .any(|o| o != *c && state.ancestors(o).contains(c.as_str()))
        })
        .map_or_else(|| base.clone(), |c| (*c).clone());
    let body = shape::comparison(
        repo,
        range,
        status,
        behind_by,
        entry(&base),
        entry(&merge_base),
        commits,
    );
    (200, Vec::new(), body)
}

fn comment_json(repo: &str, c: &Comment) -> Value {
    shape::comment(repo, c.issue, c.id, &c.body, LOGIN)
}

fn pull_json(refs: &BTreeMap<String, String>, repo: &str, p: &Pull) -> Value {
    let side = |branch: &str| {
        let sha = refs
            .get(&format!("heads/{branch}"))
            .cloned()
            .unwrap_or_default();
        shape::pull_side(repo, branch, &sha)
    };
    let mut reviewers: Vec<Value> = p.reviewers.iter().map(|r| shape::user(r)).collect();
    reviewers.dedup();
    shape::pull(PullFields {
        repo,
        number: p.number,
        state: &p.state,
        title: &p.title,
        body: &p.body,
        head: side(&p.head),
        base: side(&p.base),
        labels: p.labels.iter().map(|l| shape::label(repo, l)).collect(),
        reviewers,
        author: LOGIN,
    })
}

fn list_pulls(state: &State, repo: &str, q: &HashMap<String, String>) -> Reply {
    let wanted_state = q.get("state").map_or("open", String::as_str);
    let head = q
        .get("head")
        .map(|h| h.split_once(':').map_or(h.as_str(), |(_, b)| b).to_owned());
    let list: Vec<Value> = state
        .repo(repo)
        .pulls
        .iter()
        .filter(|p| wanted_state == "all" || p.state == wanted_state)
        .filter(|p| head.as_ref().is_none_or(|h| *h == p.head))
        .filter(|p| q.get("base").is_none_or(|b| *b == p.base))
        .map(|p| pull_json(&state.repo(repo).refs, repo, p))
        .collect();
    (200, Vec::new(), paginate(list, q))
}

fn create_pull(state: &mut State, repo: &str, body: &Value) -> Reply {
    let (Some(title), Some(head), Some(base)) = (
        body["title"].as_str(),
        body["head"].as_str(),
        body["base"].as_str(),
    ) else {
        return validation_failed("title, head and base are required");
    };
    let head = head.split_once(':').map_or(head, |(_, b)| b);
    let r = state.repo(repo);
    if !r.refs.contains_key(&format!("heads/{head}")) {
        return validation_failed(&format!("head: invalid branch {head}"));
    }
    if r.pulls.iter().any(|p| p.head == head && p.state == "open") {
        let owner = repo.split('/').next().unwrap_or_default();
        return validation_failed(&format!(
            "A pull request already exists for {owner}:{head}."
        ));
    }
    let number = state.next();
    let pull = Pull {
        number,
        title: title.to_owned(),
        body: body["body"].as_str().unwrap_or_default().to_owned(),
        head: head.to_owned(),
        base: base.to_owned(),
        state: "open".into(),
        labels: Vec::new(),
        reviewers: Vec::new(),
        team_reviewers: Vec::new(),
    };
    let out = pull_json(&state.repo(repo).refs, repo, &pull);
    state.repo_mut(repo).pulls.push(pull);
    (201, Vec::new(), out)
}

fn with_pull(
    state: &mut State,
    repo: &str,
    number: &str,
    f: impl FnOnce(&mut Pull, &BTreeMap<String, String>) -> Reply,
) -> Reply {
    let number: u64 = number.parse().unwrap_or(0);
    let Repo { pulls, refs, .. } = state.repo_mut(repo);
    match pulls.iter_mut().find(|p| p.number == number) {
        Some(pull) => f(pull, refs),
        None => error(404, "Not Found"),
    }
}

fn update_pull(state: &mut State, repo: &str, number: &str, body: &Value) -> Reply {
    with_pull(state, repo, number, |pull, refs| {
        if let Some(title) = body["title"].as_str() {
            pull.title = title.to_owned();
        }
        if let Some(text) = body["body"].as_str() {
            pull.body = text.to_owned();
        }
        if let Some(s) = body["state"].as_str() {
            pull.state = s.to_owned();
        }
        (200, Vec::new(), pull_json(refs, repo, pull))
    })
}

/// GitHub's issue object (the fields of `issue` in the REST description
/// that clients commonly read).
fn issue_json(repo: &str, i: &Issue) -> Value {
    shape::issue(
        repo,
        i.number,
        &i.title,
        &i.body,
        &i.state,
        i.state_reason.as_deref(),
        LOGIN,
    )
}

fn find_issue(state: &State, repo: &str, number: &str) -> Option<usize> {
    let number: u64 = number.parse().ok()?;
    state
        .repo(repo)
        .issues
        .iter()
        .position(|i| i.number == number)
}

/// `GET /repos/{owner}/{repo}/issues`: issues and pull requests (which
/// carry a `pull_request` key), `state` open (default), closed or all,
/// sorted by creation, newest first by default.
fn list_issues(state: &State, repo: &str, q: &HashMap<String, String>) -> Reply {
    let wanted = q.get("state").map_or("open", String::as_str);
    let r = state.repo(repo);
    let mut items: Vec<(u64, Value)> = r
        .issues
        .iter()
        .filter(|i| wanted == "all" || i.state == wanted)
        .map(|i| (i.number, issue_json(repo, i)))
        .collect();
    for p in r
        .pulls
        .iter()
        .filter(|p| wanted == "all" || p.state == wanted)
    {
        // Pull requests appear in the issues list as issues with a `pull_request` key.
        let as_issue = Issue {
            number: p.number,
            title: p.title.clone(),
            body: p.body.clone(),
            state: p.state.clone(),
            state_reason: None,
        };
        let mut item = issue_json(repo, &as_issue);
        item["pull_request"] =
            json!({"url": format!("https://api.github.com/repos/{repo}/pulls/{}", p.number)});
        items.push((p.number, item));
    }
    items.sort_by_key(|(n, _)| *n);
    if q.get("direction").is_none_or(|d| d == "desc") {
        items.reverse();
    }
    (
        200,
        Vec::new(),
        paginate(items.into_iter().map(|(_, v)| v).collect(), q),
    )
}

fn create_issue(state: &mut State, repo: &str, body: &Value) -> Reply {
    let Some(title) = body["title"].as_str().filter(|t| !t.is_empty()) else {
        return validation_failed("title is required");
    };
    let number = state.next();
    let issue = Issue {
        number,
        title: title.to_owned(),
        body: body["body"].as_str().unwrap_or_default().to_owned(),
        state: "open".into(),
        state_reason: None,
    };
    let out = issue_json(repo, &issue);
    state.repo_mut(repo).issues.push(issue);
    (201, Vec::new(), out)
}

/// `PATCH /repos/{owner}/{repo}/issues/{n}`: title, body, state
/// (`open`/`closed`) and state_reason.
fn update_issue(state: &mut State, repo: &str, number: &str, body: &Value) -> Reply {
    let Some(index) = find_issue(state, repo, number) else {
        return error(404, "Not Found");
    };
    if let Some(s) = body.get("state").and_then(Value::as_str)
        && s != "open"
        && s != "closed"
    {
        return validation_failed("state must be open or closed");
    }
    let issue = &mut state.repo_mut(repo).issues[index];
    if let Some(t) = body["title"].as_str() {
        issue.title = t.to_owned();
    }
    if let Some(b) = body["body"].as_str() {
        issue.body = b.to_owned();
    }
    if let Some(s) = body["state"].as_str() {
        issue.state = s.to_owned();
        issue.state_reason = match s {
            "closed" => Some(
                body["state_reason"]
                    .as_str()
                    .unwrap_or("completed")
                    .to_owned(),
            ),
            _ => None,
        };
    }
    let out = issue_json(repo, issue);
    (200, Vec::new(), out)
}
