//! What a staged rollout reads and does on a consumer's pull request: its
//! state and head commit, the check runs and commit statuses on that
//! commit, its reviews; closing it; and dispatching a workflow in the
//! consumer once it merged. Models hold only the fields read, with the
//! shapes of GitHub's REST description (`pulls/get`, `checks/list-for-ref`,
//! `repos/get-combined-status-for-ref`, `pulls/list-reviews`,
//! `actions/create-workflow-dispatch`, `actions/list-workflow-runs`).

use super::rest::{RepoName, encode};
use super::{GitHub, GitHubError, Resend};
use serde::Deserialize;
use serde_json::json;

/// Check runs read per commit at most (GitHub's page maximum).
const PER_PAGE: usize = 100;

/// A pull request's state, for the gate.
#[derive(Debug, Clone, Deserialize)]
pub struct PullState {
    pub number: u64,
    /// `open` or `closed`.
    pub state: String,
    #[serde(default)]
    pub merged: bool,
    pub head: Head,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Head {
    pub sha: String,
}

/// One check run: `status` is `queued`, `in_progress` or `completed`;
/// `conclusion` is set once completed.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckRun {
    pub name: String,
    pub status: String,
    #[serde(default)]
    pub conclusion: Option<String>,
}

/// One commit status (the older statuses API, used by many CI services).
#[derive(Debug, Clone, Deserialize)]
pub struct CommitStatus {
    pub context: String,
    pub state: String,
}

/// The newest run of a workflow.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowRun {
    pub status: String,
    #[serde(default)]
    pub conclusion: Option<String>,
    pub html_url: String,
}

impl GitHub {
    pub async fn pull_state(&self, repo: &RepoName, number: u64) -> Result<PullState, GitHubError> {
        self.get(&repo.path(&format!("/pulls/{number}"))).await
    }

    /// Every check run on `sha` (one page of 100: a commit with more
    /// checks than that is not a consumer's pull request).
    pub async fn check_runs(
        &self,
        repo: &RepoName,
        sha: &str,
    ) -> Result<Vec<CheckRun>, GitHubError> {
        #[derive(Deserialize)]
        struct List {
            check_runs: Vec<CheckRun>,
        }
        let list: List = self
            .get(&repo.path(&format!("/commits/{sha}/check-runs?per_page={PER_PAGE}")))
            .await?;
        Ok(list.check_runs)
    }

    /// The newest status per context on `sha`.
    pub async fn commit_statuses(
        &self,
        repo: &RepoName,
        sha: &str,
    ) -> Result<Vec<CommitStatus>, GitHubError> {
        #[derive(Deserialize)]
        struct Combined {
            statuses: Vec<CommitStatus>,
        }
        let combined: Combined = self
            .get(&repo.path(&format!("/commits/{sha}/status?per_page={PER_PAGE}")))
            .await?;
        Ok(combined.statuses)
    }

    /// Whether the pull request is approved: some reviewer's latest review
    /// approves it and no reviewer's latest review requests changes.
    pub async fn is_approved(&self, repo: &RepoName, number: u64) -> Result<bool, GitHubError> {
        #[derive(Deserialize)]
        struct Review {
            state: String,
            #[serde(default)]
            user: Option<User>,
        }
        #[derive(Deserialize)]
        struct User {
            login: String,
        }
        let reviews: Vec<Review> = self
            .get(&repo.path(&format!("/pulls/{number}/reviews?per_page={PER_PAGE}")))
            .await?;
        let mut latest: Vec<(String, String)> = Vec::new();
        for review in reviews {
            // Comments do not change a reviewer's verdict.
            if review.state == "COMMENTED" || review.state == "PENDING" {
                continue;
            }
            let login = review.user.map(|u| u.login).unwrap_or_default();
            latest.retain(|(l, _)| *l != login);
            latest.push((login, review.state));
        }
        Ok(latest.iter().any(|(_, s)| s == "APPROVED")
            && !latest.iter().any(|(_, s)| s == "CHANGES_REQUESTED"))
    }

    pub async fn close_pull(&self, repo: &RepoName, number: u64) -> Result<(), GitHubError> {
        self.patch_unread(
            &repo.path(&format!("/pulls/{number}")),
            &json!({"state": "closed"}),
        )
        .await
    }

    /// Starts `workflow` (a file name in `.github/workflows/`) on `branch`.
    pub async fn dispatch_workflow(
        &self,
        repo: &RepoName,
        workflow: &str,
        branch: &str,
    ) -> Result<(), GitHubError> {
        self.post_unread(
            &repo.path(&format!(
                "/actions/workflows/{}/dispatches",
                encode(workflow)
            )),
            &json!({"ref": branch}),
            Resend::OnlyIfRefused,
        )
        .await
    }

    /// The newest `workflow_dispatch` run of `workflow`, if any.
    pub async fn latest_dispatched_run(
        &self,
        repo: &RepoName,
        workflow: &str,
    ) -> Result<Option<WorkflowRun>, GitHubError> {
        #[derive(Deserialize)]
        struct Runs {
            workflow_runs: Vec<WorkflowRun>,
        }
        let runs: Runs = self
            .get(&repo.path(&format!(
                "/actions/workflows/{}/runs?event=workflow_dispatch&per_page=1",
                encode(workflow)
            )))
            .await?;
        Ok(runs.workflow_runs.into_iter().next())
    }
}
