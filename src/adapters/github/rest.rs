//! Typed wrappers of the GitHub REST endpoints specrelay uses, with models
//! that hold only the fields it reads. No decisions here: callers decide
//! what a 404 or a 422 means for them.

use super::{GitHub, GitHubError, Resend};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

/// Items per page of a list endpoint (GitHub's maximum).
const PER_PAGE: usize = 100;
/// Pages read at most: 2,000 pull requests or comments.
const MAX_PAGES: usize = 20;

/// `owner/name`, checked once so that paths are built from safe parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoName {
    pub owner: String,
    pub name: String,
}

impl RepoName {
    pub fn parse(full: &str) -> Option<RepoName> {
        let (owner, name) = full.trim().split_once('/')?;
        let ok = |part: &str| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        (ok(owner) && ok(name)).then(|| RepoName {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }

    /// The REST path `/repos/{owner}/{name}{rest}`.
    pub(super) fn path(&self, rest: &str) -> String {
        format!("/repos/{}/{}{rest}", self.owner, self.name)
    }
}

impl std::fmt::Display for RepoName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// Percent-encodes a path segment or query value (branch names hold `/`
/// and `@`).
pub(super) fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A branch name in a ref path: each `/`-separated part encoded, the
/// slashes kept, as GitHub's ref endpoints expect.
fn ref_path(branch: &str) -> String {
    branch.split('/').map(encode).collect::<Vec<_>>().join("/")
}

#[derive(Debug, Deserialize)]
pub struct Repository {
    pub default_branch: String,
}

#[derive(Debug, Deserialize)]
struct Ref {
    object: Sha,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Sha {
    pub sha: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GitCommit {
    pub sha: String,
    pub tree: Sha,
    #[serde(default)]
    pub parents: Vec<Sha>,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TreeEntry {
    pub path: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub sha: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Tree {
    #[serde(default)]
    tree: Vec<TreeEntry>,
    #[serde(default)]
    truncated: bool,
}

#[derive(Debug, Deserialize)]
struct Contents {
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    content: Option<String>,
    sha: String,
}

#[derive(Debug, Deserialize)]
struct Blob {
    content: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub html_url: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    pub head: BranchRef,
    pub base: BranchRef,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BranchRef {
    #[serde(rename = "ref")]
    pub name: String,
    /// `owner:branch`: tells a branch of the repository from a fork's of
    /// the same name.
    #[serde(default)]
    pub label: String,
}

#[derive(Debug, Deserialize)]
struct Compare {
    #[serde(default)]
    commits: Vec<CompareCommit>,
}

/// One entry of `commits` in a compare answer (GitHub's `commit` schema):
/// the sha sits on the outer object; the nested `commit` (a `git-commit`
/// summary) has `tree`, `message` and author fields but no `sha`, and the
/// parents are on the outer object too.
#[derive(Debug, Deserialize)]
struct CompareCommit {
    sha: String,
    #[serde(default)]
    parents: Vec<Sha>,
    commit: CompareCommitDetail,
}

#[derive(Debug, Deserialize)]
struct CompareCommitDetail {
    tree: Sha,
    #[serde(default)]
    message: String,
}

impl From<CompareCommit> for GitCommit {
    fn from(c: CompareCommit) -> GitCommit {
        GitCommit {
            sha: c.sha,
            tree: c.commit.tree,
            parents: c.parents,
            message: c.commit.message,
        }
    }
}

/// A file change for a new tree: new bytes, or `None` to delete the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub contents: Option<Vec<u8>>,
}

impl GitHub {
    pub async fn repository(&self, repo: &RepoName) -> Result<Repository, GitHubError> {
        self.get(&repo.path("")).await
    }

    /// The commit a branch points at; `None` if there is no such branch.
    pub async fn branch_head(
        &self,
        repo: &RepoName,
        branch: &str,
    ) -> Result<Option<String>, GitHubError> {
        self.ref_target(repo, "heads", branch).await
    }

    /// The object `refs/{namespace}/{name}` points at; `None` if there is no
    /// such reference.
    async fn ref_target(
        &self,
        repo: &RepoName,
        namespace: &str,
        name: &str,
    ) -> Result<Option<String>, GitHubError> {
        let path = repo.path(&format!("/git/ref/{namespace}/{}", ref_path(name)));
        Ok(self.get_optional::<Ref>(&path).await?.map(|r| r.object.sha))
    }

    pub async fn commit(&self, repo: &RepoName, sha: &str) -> Result<GitCommit, GitHubError> {
        self.get(&repo.path(&format!("/git/commits/{}", encode(sha))))
            .await
    }

    /// Every file path in a commit's tree with its blob id.
    pub async fn files(
        &self,
        repo: &RepoName,
        tree_sha: &str,
    ) -> Result<Vec<(String, String)>, GitHubError> {
        let path = repo.path(&format!("/git/trees/{}?recursive=1", encode(tree_sha)));
        let tree: Tree = self.get(&path).await?;
        if tree.truncated {
            return Err(GitHubError::Decode {
                method: "GET",
                path,
                reason:
                    "the tree is too large for one listing (truncated); list manifests explicitly"
                        .into(),
            });
        }
        Ok(tree
            .tree
            .into_iter()
            .filter(|e| e.kind == "blob")
            .filter_map(|e| Some((e.path, e.sha?)))
            .collect())
    }

    /// A file's bytes at `reference` (branch or commit); `None` if absent.
    /// Files over 1 MB come without content from the contents API and are
    /// read as blobs.
    pub async fn file(
        &self,
        repo: &RepoName,
        path: &str,
        reference: &str,
    ) -> Result<Option<Vec<u8>>, GitHubError> {
        let url = repo.path(&format!(
            "/contents/{}?ref={}",
            ref_path(path),
            encode(reference)
        ));
        let Some(contents) = self.get_optional::<Contents>(&url).await? else {
            return Ok(None);
        };
        match (contents.encoding.as_deref(), contents.content) {
            (Some("base64"), Some(text)) => decode_base64(&text, &url).map(Some),
            _ => self.blob(repo, &contents.sha).await.map(Some),
        }
    }

    pub async fn blob(&self, repo: &RepoName, sha: &str) -> Result<Vec<u8>, GitHubError> {
        let url = repo.path(&format!("/git/blobs/{}", encode(sha)));
        let blob: Blob = self.get(&url).await?;
        decode_base64(&blob.content, &url)
    }

    /// POSTs a git object (`blobs`, `trees`, `commits`) and returns its id.
    /// Objects are content-addressed, so a resend makes nothing twice.
    async fn create_object(
        &self,
        repo: &RepoName,
        kind: &str,
        body: &Value,
    ) -> Result<String, GitHubError> {
        let object: Sha = self
            .post(&repo.path(&format!("/git/{kind}")), body, Resend::Safe)
            .await?;
        Ok(object.sha)
    }

    pub async fn create_blob(&self, repo: &RepoName, bytes: &[u8]) -> Result<String, GitHubError> {
        let body = json!({
            "content": base64::engine::general_purpose::STANDARD.encode(bytes),
            "encoding": "base64",
        });
        self.create_object(repo, "blobs", &body).await
    }

    /// A tree: `base_tree` with `entries` (path, blob id or `None` to delete).
    pub async fn create_tree(
        &self,
        repo: &RepoName,
        base_tree: &str,
        entries: &[(String, Option<String>)],
    ) -> Result<String, GitHubError> {
        let tree: Vec<Value> = entries
            .iter()
            .map(|(path, sha)| json!({"path": path, "mode": "100644", "type": "blob", "sha": sha}))
            .collect();
        let body = json!({"base_tree": base_tree, "tree": tree});
        self.create_object(repo, "trees", &body).await
    }

    pub async fn create_commit(
        &self,
        repo: &RepoName,
        message: &str,
        tree: &str,
        parents: &[&str],
    ) -> Result<String, GitHubError> {
        let body = json!({"message": message, "tree": tree, "parents": parents});
        self.create_object(repo, "commits", &body).await
    }

    pub async fn create_branch(
        &self,
        repo: &RepoName,
        branch: &str,
        sha: &str,
    ) -> Result<(), GitHubError> {
        self.create_ref(repo, &format!("refs/heads/{branch}"), sha)
            .await
    }

    /// Creates the lightweight tag `tag` at commit `sha` (`POST
    /// /repos/{owner}/{repo}/git/refs` with `refs/tags/{tag}`); GitHub
    /// answers 422 "Reference already exists" when the tag is there.
    pub async fn create_tag(
        &self,
        repo: &RepoName,
        tag: &str,
        sha: &str,
    ) -> Result<(), GitHubError> {
        self.create_ref(repo, &format!("refs/tags/{tag}"), sha)
            .await
    }

    /// Creates the reference `full_ref` (`refs/heads/...`, `refs/tags/...`) at `sha`.
    async fn create_ref(
        &self,
        repo: &RepoName,
        full_ref: &str,
        sha: &str,
    ) -> Result<(), GitHubError> {
        let body = json!({"ref": full_ref, "sha": sha});
        self.post_unread(&repo.path("/git/refs"), &body, Resend::Safe)
            .await
    }

    /// The object a tag points at (a commit for a lightweight tag); `None`
    /// if there is no such tag.
    pub async fn tag_target(
        &self,
        repo: &RepoName,
        tag: &str,
    ) -> Result<Option<String>, GitHubError> {
        self.ref_target(repo, "tags", tag).await
    }

    /// Moves a branch; without `force`, GitHub refuses (422 "Update is not a
    /// fast forward") unless `sha` descends from the branch's head.
    pub async fn update_branch(
        &self,
        repo: &RepoName,
        branch: &str,
        sha: &str,
        force: bool,
    ) -> Result<(), GitHubError> {
        let path = repo.path(&format!("/git/refs/heads/{}", ref_path(branch)));
        self.patch_unread(&path, &json!({"sha": sha, "force": force}))
            .await
    }

    /// The commits on `head` that `base` does not have.
    pub async fn commits_between(
        &self,
        repo: &RepoName,
        base: &str,
        head: &str,
    ) -> Result<Vec<GitCommit>, GitHubError> {
        let path = repo.path(&format!("/compare/{}...{}", encode(base), encode(head)));
        let compare: Compare = self.get(&path).await?;
        Ok(compare.commits.into_iter().map(GitCommit::from).collect())
    }

    /// Open pull requests, from `head` (a branch of this repository) if given.
    pub async fn open_pulls(
        &self,
        repo: &RepoName,
        head: Option<&str>,
    ) -> Result<Vec<PullRequest>, GitHubError> {
        let mut path = repo.path("/pulls?state=open");
        if let Some(head) = head {
            path.push_str(&format!(
                "&head={}",
                encode(&format!("{}:{head}", repo.owner))
            ));
        }
        self.get_all(&path).await
    }

    /// Every page of a list endpoint (`path` has a query already), 100 per
    /// page, up to [`MAX_PAGES`] pages.
    async fn get_all<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Vec<T>, GitHubError> {
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let items: Vec<T> = self
                .get(&format!("{path}&per_page={PER_PAGE}&page={page}"))
                .await?;
            let last = items.len() < PER_PAGE;
            all.extend(items);
            if last {
                break;
            }
        }
        Ok(all)
    }

    pub async fn create_pull(
        &self,
        repo: &RepoName,
        title: &str,
        body: &str,
        head: &str,
        base: &str,
    ) -> Result<PullRequest, GitHubError> {
        let request = json!({"title": title, "body": body, "head": head, "base": base});
        // A resent create that landed the first time gets a 422 "already
        // exists", which the caller resolves by listing.
        self.post(&repo.path("/pulls"), &request, Resend::Safe)
            .await
    }

    pub async fn update_pull(
        &self,
        repo: &RepoName,
        number: u64,
        fields: &Value,
    ) -> Result<PullRequest, GitHubError> {
        self.patch(&repo.path(&format!("/pulls/{number}")), fields)
            .await
    }

    pub async fn comment(
        &self,
        repo: &RepoName,
        number: u64,
        body: &str,
    ) -> Result<(), GitHubError> {
        self.post_unread(
            &repo.path(&format!("/issues/{number}/comments")),
            &json!({"body": body}),
            Resend::OnlyIfRefused,
        )
        .await
    }

    /// The bodies of an issue's or pull request's comments, oldest first.
    pub async fn comments(&self, repo: &RepoName, number: u64) -> Result<Vec<String>, GitHubError> {
        #[derive(Deserialize)]
        struct Comment {
            #[serde(default)]
            body: String,
        }
        let list: Vec<Comment> = self
            .get_all(&repo.path(&format!("/issues/{number}/comments?sort=created")))
            .await?;
        Ok(list.into_iter().map(|c| c.body).collect())
    }

    pub async fn add_labels(
        &self,
        repo: &RepoName,
        number: u64,
        labels: &[String],
    ) -> Result<(), GitHubError> {
        self.post_unread(
            &repo.path(&format!("/issues/{number}/labels")),
            &json!({"labels": labels}),
            Resend::Safe,
        )
        .await
    }

    /// Sends a `repository_dispatch` event (`POST /repos/{owner}/{repo}/dispatches`,
    /// answered 204). Not resent after a timeout: a second event would start a
    /// second run in the consumer.
    pub async fn dispatch(
        &self,
        repo: &RepoName,
        event_type: &str,
        client_payload: &Value,
    ) -> Result<(), GitHubError> {
        self.post_unread(
            &repo.path("/dispatches"),
            &json!({"event_type": event_type, "client_payload": client_payload}),
            Resend::OnlyIfRefused,
        )
        .await
    }

    /// Requests reviews; `org/team` entries are teams (by slug).
    pub async fn request_reviewers(
        &self,
        repo: &RepoName,
        number: u64,
        reviewers: &[String],
    ) -> Result<(), GitHubError> {
        let (teams, users): (Vec<&String>, Vec<&String>) =
            reviewers.iter().partition(|r| r.contains('/'));
        let teams: Vec<&str> = teams
            .iter()
            .filter_map(|t| t.split_once('/').map(|(_, slug)| slug))
            .collect();
        self.post_unread(
            &repo.path(&format!("/pulls/{number}/requested_reviewers")),
            &json!({"reviewers": users, "team_reviewers": teams}),
            Resend::Safe,
        )
        .await
    }
}

fn decode_base64(text: &str, url: &str) -> Result<Vec<u8>, GitHubError> {
    // GitHub wraps base64 content at 60 columns.
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| GitHubError::Decode {
            method: "GET",
            path: url.to_owned(),
            reason: format!("content is not base64: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names_and_paths() {
        let repo = RepoName::parse("acme/pets-web").unwrap();
        assert_eq!(repo.path("/pulls"), "/repos/acme/pets-web/pulls");
        assert!(RepoName::parse("acme").is_none());
        assert!(RepoName::parse("acme/../x").is_none());
        assert!(RepoName::parse("acme/a b").is_none());
        assert_eq!(ref_path("specrelay/@acme/pets"), "specrelay/%40acme/pets");
        assert_eq!(encode("acme:specrelay/x"), "acme%3Aspecrelay%2Fx");
    }
}
