//! `downstream`: carrying the pull-request actions out through GitHub's
//! API. For a push: write one commit on top of the base head and point the
//! branch at it (creating it, or force-updating it: the branch is
//! specrelay's own), unless it already holds exactly that change; open the
//! pull request or rewrite the open one's title and body; add labels and
//! reviewers; close older specrelay pull requests for the same package from
//! other branches, with a comment. For a branch a human pushed to: the
//! comment. Repositories run concurrently up to `concurrency`; a failing one
//! is reported in the outputs and summary and fails the step after the
//! others are done.

use super::plan::{ConsumerPlan, DownstreamPlan, PullAction, TargetPlan};
use super::report::{Action, PullRequestResult, report};
use crate::adapters::github::GitHub;
use crate::adapters::github::commit::{self, Snapshot};
use crate::adapters::github::rest::{PullRequest, RepoName};
use crate::downstream::bump::Outcome;
use crate::downstream::plan::Target;
use crate::downstream::pull_request::{self, PullRequestBody};
use crate::render;
use crate::stages::{Context, Report};
use anyhow::{Context as _, Result};
use futures_util::StreamExt as _;
use serde_json::json;

pub async fn apply(plan: DownstreamPlan, concurrency: usize, ctx: &Context) -> Result<Report> {
    let (results, failures) = pull_requests(&plan, concurrency, ctx).await;
    Ok(report(ctx, &plan.body_context.api_title, results, failures))
}

/// Carries out every pull-request action: the rows, and the repositories
/// that failed with why.
pub async fn pull_requests(
    plan: &DownstreamPlan,
    concurrency: usize,
    ctx: &Context,
) -> (Vec<PullRequestResult>, Vec<(String, String)>) {
    let rollout = Rollout {
        github: &plan.github,
        ctx,
        body_context: &plan.body_context,
    };
    let outcomes: Vec<(String, Result<Vec<PullRequestResult>>)> =
        futures_util::stream::iter(&plan.consumers)
            .map(|consumer| async {
                let result = rollout.consumer(consumer).await;
                (consumer.repo.clone(), result)
            })
            .buffered(concurrency)
            .collect()
            .await;
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for (repo, outcome) in outcomes {
        match outcome {
            Ok(rows) => results.extend(rows),
            Err(e) => {
                tracing::error!("{repo}: {e:#}");
                failures.push((repo, format!("{e:#}")));
            }
        }
    }
    (results, failures)
}

/// The rows a dry run reports: each planned action, with the open pull
/// request where there is one, and the repositories that could not be read.
pub fn planned(plan: &DownstreamPlan) -> (Vec<PullRequestResult>, Vec<(String, String)>) {
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for consumer in &plan.consumers {
        match &consumer.targets {
            Ok(targets) => rows.extend(targets.iter().map(|t| {
                let (action, reason) = match &t.action {
                    PullAction::Unchanged { reason } => (Action::Unchanged, reason.as_str()),
                    PullAction::LeaveAlone { reason, .. } => (Action::Skipped, reason.as_str()),
                    PullAction::Push { create: true, .. } => (Action::Created, ""),
                    PullAction::Push { .. } => (Action::Updated, ""),
                };
                row(t, action, t.observed.existing.as_ref(), reason)
            })),
            Err(e) => failures.push((consumer.repo.clone(), e.clone())),
        }
    }
    (rows, failures)
}

fn row(
    plan: &TargetPlan,
    action: Action,
    pull: Option<&PullRequest>,
    reason: &str,
) -> PullRequestResult {
    PullRequestResult {
        repo: plan.observed.repo.to_string(),
        package: plan.observed.target.package.clone(),
        number: pull.map(|p| p.number),
        url: pull.map(|p| p.html_url.clone()),
        action,
        reason: reason.to_owned(),
    }
}

struct Rollout<'a> {
    github: &'a GitHub,
    ctx: &'a Context,
    body_context: &'a pull_request::Context,
}

impl Rollout<'_> {
    async fn consumer(&self, consumer: &ConsumerPlan) -> Result<Vec<PullRequestResult>> {
        let targets = consumer
            .targets
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut rows = Vec::new();
        for plan in targets {
            let target = &plan.observed.target;
            let row = self
                .target(plan)
                .await
                .with_context(|| format!("{} on {}", target.package, target.branch()))?;
            tracing::info!(
                "{}: {} {:?}",
                plan.observed.repo,
                target.package,
                row.action
            );
            rows.push(row);
        }
        Ok(rows)
    }

    async fn target(&self, plan: &TargetPlan) -> Result<PullRequestResult> {
        let observed = &plan.observed;
        let (repo, target) = (&observed.repo, &observed.target);
        let existing = observed.existing.as_ref();
        let (changes, message, title) = match &plan.action {
            PullAction::Unchanged { reason } => {
                return Ok(row(plan, Action::Unchanged, existing, reason));
            }
            PullAction::LeaveAlone { reason, comment } => {
                if let (Some(pull), Some(text)) = (existing, comment) {
                    self.comment_once(repo, pull.number, text).await?;
                }
                return Ok(row(plan, Action::Skipped, existing, reason));
            }
            PullAction::Push {
                changes,
                message,
                title,
                ..
            } => (changes, message, title),
        };
        let base = Snapshot::from_state(self.github, repo, observed.base.clone());
        let Some(sha) =
            commit::write_commit(self.github, repo, &base, changes.clone(), message).await?
        else {
            return Ok(row(plan, Action::Unchanged, existing, "already current"));
        };
        let branch = target.branch();
        let branch_moved = match &observed.head {
            Some(head) if self.same_change(repo, head, &sha).await? => false,
            Some(_) => {
                self.github.update_branch(repo, &branch, &sha, true).await?;
                true
            }
            None => {
                self.github.create_branch(repo, &branch, &sha).await?;
                true
            }
        };
        let repo_files: Vec<String> = observed.base.files.keys().cloned().collect();
        let body = self.body(target, &observed.outcomes, &repo_files)?;
        let (pull, action) = match existing {
            Some(pull)
                if !branch_moved && &pull.title == title && pull.body.as_deref() == Some(&body) =>
            {
                (pull.clone(), Action::Unchanged)
            }
            Some(pull) => (
                self.github
                    .update_pull(repo, pull.number, &json!({"title": title, "body": body}))
                    .await?,
                Action::Updated,
            ),
            None => (
                self.create_pull(repo, title, &body, &branch, &observed.base_branch)
                    .await?,
                Action::Created,
            ),
        };
        self.finish(plan, &pull, action).await?;
        Ok(row(plan, action, Some(&pull), ""))
    }

    /// Labels, reviewers, and closing the pull requests this one supersedes.
    async fn finish(&self, plan: &TargetPlan, pull: &PullRequest, action: Action) -> Result<()> {
        let (repo, consumer) = (&plan.observed.repo, &plan.consumer);
        if action != Action::Unchanged && !consumer.labels.is_empty() {
            self.github
                .add_labels(repo, pull.number, &consumer.labels)
                .await?;
        }
        if action == Action::Created && !consumer.reviewers.is_empty() {
            self.github
                .request_reviewers(repo, pull.number, &consumer.reviewers)
                .await?;
        }
        self.close_superseded(repo, plan, pull).await
    }

    /// Whether the branch head already is this change: the same tree on the
    /// same parent.
    async fn same_change(&self, repo: &RepoName, head: &str, new: &str) -> Result<bool> {
        let (old, new) = (
            self.github.commit(repo, head).await?,
            self.github.commit(repo, new).await?,
        );
        let parents = |c: &crate::adapters::github::rest::GitCommit| {
            c.parents.iter().map(|p| p.sha.clone()).collect::<Vec<_>>()
        };
        Ok(old.tree.sha == new.tree.sha && parents(&old) == parents(&new))
    }

    fn body(
        &self,
        target: &Target,
        outcomes: &[(String, Outcome)],
        repo_files: &[String],
    ) -> Result<String> {
        let view = PullRequestBody::new(target, outcomes, repo_files, self.body_context.clone());
        let text = self.ctx.templates.render(render::PULL_REQUEST, view)?;
        Ok(format!("{}\n\n{}\n", text.trim_end(), marker(target)))
    }

    /// Creates the pull request; if one appeared meanwhile (a resent create
    /// that had landed, or a concurrent run), that one is returned.
    async fn create_pull(
        &self,
        repo: &RepoName,
        title: &str,
        body: &str,
        branch: &str,
        base: &str,
    ) -> Result<PullRequest> {
        match self
            .github
            .create_pull(repo, title, body, branch, base)
            .await
        {
            Ok(pull) => Ok(pull),
            Err(e) if e.status() == Some(422) && e.message().contains("already exists") => self
                .github
                .open_pulls(repo, Some(branch))
                .await?
                .into_iter()
                .next()
                .context("GitHub says the pull request exists, but does not list it"),
            Err(e) => Err(e.into()),
        }
    }

    /// Comments unless the pull request already has this comment, so that
    /// re-runs do not repeat themselves.
    async fn comment_once(&self, repo: &RepoName, number: u64, text: &str) -> Result<()> {
        if !self
            .github
            .comments(repo, number)
            .await?
            .iter()
            .any(|c| c == text)
        {
            self.github.comment(repo, number, text).await?;
        }
        Ok(())
    }

    /// Closes open specrelay pull requests for the same package on other
    /// branches (an older naming, a renamed base), pointing at `current`.
    /// From the open pull requests observe read: one opened since is
    /// closed by the next run.
    async fn close_superseded(
        &self,
        repo: &RepoName,
        plan: &TargetPlan,
        current: &PullRequest,
    ) -> Result<()> {
        let marker = marker(&plan.observed.target);
        for pull in &plan.observed.open_pulls {
            let ours = pull.body.as_deref().is_some_and(|b| b.contains(&marker));
            if ours && pull.number != current.number && pull.head.name != current.head.name {
                self.github
                    .comment(
                        repo,
                        pull.number,
                        &format!("Superseded by #{} ({}).", current.number, current.title),
                    )
                    .await?;
                self.github
                    .update_pull(repo, pull.number, &json!({"state": "closed"}))
                    .await?;
            }
        }
        Ok(())
    }
}

/// Marks a body as specrelay's pull request for a package.
fn marker(target: &Target) -> String {
    format!("<!-- specrelay:package={} -->", target.package)
}
