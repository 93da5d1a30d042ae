//! GitHub's issues endpoints that `reconcile` keeps its one issue with:
//! list the open issues (pull requests, which the endpoint also returns,
//! are dropped), open one, edit its body or close it. The paths and fields
//! are those of GitHub's REST description (`issues/list-for-repo`,
//! `issues/create`, `issues/update`).

use super::rest::RepoName;
use super::{GitHub, GitHubError, Resend};
use serde::Deserialize;
use serde_json::json;

/// Items per page (GitHub's maximum) and pages read at most.
const PER_PAGE: usize = 100;
const MAX_PAGES: usize = 10;

/// The fields of an issue specrelay reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    pub number: u64,
    pub html_url: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub state: String,
    /// Present when the "issue" is a pull request.
    #[serde(default)]
    pub pull_request: Option<serde_json::Value>,
}

fn issues_path(repo: &RepoName) -> String {
    repo.path("/issues")
}

impl GitHub {
    /// The repository's open issues (not pull requests), newest first, up
    /// to 1,000.
    pub async fn open_issues(&self, repo: &RepoName) -> Result<Vec<Issue>, GitHubError> {
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let path = format!(
                "{}?state=open&sort=created&direction=desc&per_page={PER_PAGE}&page={page}",
                issues_path(repo)
            );
            let items: Vec<Issue> = self.get(&path).await?;
            let last = items.len() < PER_PAGE;
            all.extend(items.into_iter().filter(|i| i.pull_request.is_none()));
            if last {
                break;
            }
        }
        Ok(all)
    }

    /// Opens an issue. Sent once unless GitHub refused it (rate limit): a
    /// resend after a lost answer could open two.
    pub async fn create_issue(
        &self,
        repo: &RepoName,
        title: &str,
        body: &str,
    ) -> Result<Issue, GitHubError> {
        self.post(
            &issues_path(repo),
            &json!({"title": title, "body": body}),
            Resend::OnlyIfRefused,
        )
        .await
    }

    /// Replaces an issue's body.
    pub async fn edit_issue(
        &self,
        repo: &RepoName,
        number: u64,
        body: &str,
    ) -> Result<Issue, GitHubError> {
        self.patch(
            &format!("{}/{number}", issues_path(repo)),
            &json!({"body": body}),
        )
        .await
    }

    /// Replaces an issue's title and body.
    pub async fn update_issue(
        &self,
        repo: &RepoName,
        number: u64,
        title: &str,
        body: &str,
    ) -> Result<Issue, GitHubError> {
        self.patch(
            &format!("{}/{number}", issues_path(repo)),
            &json!({"title": title, "body": body}),
        )
        .await
    }

    /// Closes an issue as completed.
    pub async fn close_issue(&self, repo: &RepoName, number: u64) -> Result<Issue, GitHubError> {
        self.patch(
            &format!("{}/{number}", issues_path(repo)),
            &json!({"state": "closed", "state_reason": "completed"}),
        )
        .await
    }
}
