//! Commits through GitHub's git data API, so the container needs no git and
//! the commit is GitHub's own (attributable, and signed by GitHub for app
//! tokens): blobs -> a tree over the base tree -> a commit -> a ref update.
//!
//! Concurrent runs are why [`commit_to_branch`] takes a closure: when the
//! ref update is refused as not a fast forward (another run moved the
//! branch), it reads the branch again and asks the caller to recompute its
//! changes from the new head, so nothing another run wrote is lost. Files
//! whose content is already on the branch are dropped, so a change that
//! already landed makes no commit at all.

use super::rest::{FileChange, RepoName};
use super::{GitHub, GitHubError};
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;

/// A branch as it is now: its head commit and every file's blob id.
pub struct Snapshot<'a> {
    github: &'a GitHub,
    repo: &'a RepoName,
    pub commit: String,
    pub tree: String,
    /// path -> blob id.
    pub files: BTreeMap<String, String>,
}

impl<'a> Snapshot<'a> {
    /// Reads a file's bytes at this snapshot; `None` if absent.
    pub async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, GitHubError> {
        match self.files.get(path) {
            Some(blob) => self.github.blob(self.repo, blob).await.map(Some),
            None => Ok(None),
        }
    }

    /// Whether the path holds exactly these bytes.
    pub fn has(&self, path: &str, bytes: &[u8]) -> bool {
        self.files.get(path) == Some(&blob_id(bytes))
    }

    /// The snapshot's state without the client, to keep between a stage's
    /// observation and its writes.
    pub fn state(&self) -> BaseState {
        BaseState {
            commit: self.commit.clone(),
            tree: self.tree.clone(),
            files: self.files.clone(),
        }
    }

    /// The snapshot of a state read earlier, on `github`.
    pub fn from_state(github: &'a GitHub, repo: &'a RepoName, state: BaseState) -> Snapshot<'a> {
        Snapshot {
            github,
            repo,
            commit: state.commit,
            tree: state.tree,
            files: state.files,
        }
    }

    /// The changes that are not already on the branch.
    fn effective(&self, changes: Vec<FileChange>) -> Vec<FileChange> {
        changes
            .into_iter()
            .filter(|c| match &c.contents {
                Some(bytes) => !self.has(&c.path, bytes),
                None => self.files.contains_key(&c.path),
            })
            .collect()
    }
}

/// A [`Snapshot`]'s data: the commit, its tree, and path -> blob id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseState {
    pub commit: String,
    pub tree: String,
    pub files: BTreeMap<String, String>,
}

/// What [`commit_to_branch`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Committed {
    /// A new commit is the branch's head; `attempts` ref updates were tried.
    Created { sha: String, attempts: u32 },
    /// Every change was already on the branch.
    Unchanged,
}

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error(transparent)]
    GitHub(#[from] GitHubError),
    #[error("{repo} has no branch {branch:?} to commit to")]
    NoBranch { repo: String, branch: String },
    #[error(
        "{repo}@{branch} kept moving: {attempts} commits were overtaken by other pushes; run again"
    )]
    Contended {
        repo: String,
        branch: String,
        attempts: u32,
    },
    #[error("{0:#}")]
    Changes(anyhow::Error),
}

impl CommitError {
    pub fn is_service_failure(&self) -> bool {
        match self {
            CommitError::GitHub(e) => e.is_service_failure(),
            CommitError::Contended { .. } => true,
            CommitError::NoBranch { .. } | CommitError::Changes(_) => false,
        }
    }
}

/// git's blob id: SHA-1 over `blob <len>\0` and the bytes. GitHub's tree
/// listings use it, so unchanged files are recognised without downloading.
pub fn blob_id(bytes: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()));
    hasher.update(bytes);
    hex::encode(hasher.finalize())
}

/// The branch's current state.
pub async fn snapshot<'a>(
    github: &'a GitHub,
    repo: &'a RepoName,
    branch: &str,
) -> Result<Snapshot<'a>, CommitError> {
    let Some(commit) = github.branch_head(repo, branch).await? else {
        return Err(CommitError::NoBranch {
            repo: repo.to_string(),
            branch: branch.to_owned(),
        });
    };
    snapshot_at(github, repo, commit).await
}

/// A commit's state.
pub async fn snapshot_at<'a>(
    github: &'a GitHub,
    repo: &'a RepoName,
    commit: String,
) -> Result<Snapshot<'a>, CommitError> {
    let tree = github.commit(repo, &commit).await?.tree.sha;
    let files = github.files(repo, &tree).await?.into_iter().collect();
    Ok(Snapshot {
        github,
        repo,
        commit,
        tree,
        files,
    })
}

/// Writes `changes` as one commit on top of `base`, without moving any
/// branch; `None` when every change is already in `base`.
pub async fn write_commit(
    github: &GitHub,
    repo: &RepoName,
    base: &Snapshot<'_>,
    changes: Vec<FileChange>,
    message: &str,
) -> Result<Option<String>, GitHubError> {
    let changes = base.effective(changes);
    if changes.is_empty() {
        return Ok(None);
    }
    let mut entries = Vec::with_capacity(changes.len());
    for change in &changes {
        let blob = match &change.contents {
            Some(bytes) => Some(github.create_blob(repo, bytes).await?),
            None => None,
        };
        entries.push((change.path.clone(), blob));
    }
    let tree = github.create_tree(repo, &base.tree, &entries).await?;
    github
        .create_commit(repo, message, &tree, &[base.commit.as_str()])
        .await
        .map(Some)
}

/// Commits the changes `recompute` derives from the branch's head, as one
/// commit, retrying from the new head (up to `max_attempts` times) when
/// another push wins the race.
pub async fn commit_to_branch(
    github: &GitHub,
    repo: &RepoName,
    branch: &str,
    message: &str,
    max_attempts: u32,
    mut recompute: impl AsyncFnMut(&Snapshot<'_>) -> anyhow::Result<Vec<FileChange>>,
) -> Result<Committed, CommitError> {
    for attempt in 1..=max_attempts.max(1) {
        let base = snapshot(github, repo, branch).await?;
        let changes = recompute(&base).await.map_err(CommitError::Changes)?;
        let Some(sha) = write_commit(github, repo, &base, changes, message).await? else {
            return Ok(Committed::Unchanged);
        };
        match github.update_branch(repo, branch, &sha, false).await {
            Ok(()) => {
                return Ok(Committed::Created {
                    sha,
                    attempts: attempt,
                });
            }
            Err(e) if is_not_fast_forward(&e) => {
                tracing::info!(
                    "{repo}@{branch} moved while committing (attempt {attempt}); re-applying on the new head"
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(CommitError::Contended {
        repo: repo.to_string(),
        branch: branch.to_owned(),
        attempts: max_attempts,
    })
}

/// GitHub refuses a ref update that would drop commits with 422 "Update is
/// not a fast forward" (409 on some Enterprise versions).
pub fn is_not_fast_forward(e: &GitHubError) -> bool {
    match e.status() {
        Some(409) => true,
        Some(422) => e.message().to_ascii_lowercase().contains("fast forward"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`, and of an empty file
        assert_eq!(
            blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(blob_id(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }
}
