//! The `downstream` stage: one pull request per consumer repository and
//! package, bumping its dependency on the published SDK, updated in place
//! on every run and never over a human's work.
//!
//! The decisions are in `crate::downstream` (which consumers, which
//! packages, the byte-preserving bumps, the body); this module carries them
//! out through GitHub's API. Per repository and package:
//!
//! 1. Read the manifests at the base branch's head and bump them.
//! 2. If the branch `specrelay/<package>` has commits that specrelay did not
//!    make (a human pushed), comment on the pull request and skip it.
//! 3. Otherwise write one commit on top of the base head and point the
//!    branch at it (creating it, or force-updating it: the branch is
//!    specrelay's own), unless it already holds exactly that change.
//! 4. Open the pull request, or rewrite the open one's title and body;
//!    add labels and reviewers; close older specrelay pull requests for the
//!    same package from other branches, with a comment.
//!
//! Repositories are processed concurrently up to `concurrency`; a failing
//! one is reported in the outputs and the summary and fails the step after
//! the others are done.

use super::{Context, Report};
use crate::actions::Outputs;
use crate::adapters::fs;
use crate::adapters::github::commit::{self, Snapshot};
use crate::adapters::github::rest::{FileChange, PullRequest, RepoName};
use crate::adapters::github::{GitHub, GitHubError};
use crate::cli::DownstreamArgs;
use crate::diff::{self, DiffOptions, report};
use crate::downstream::bump::Outcome;
use crate::downstream::config::{self, Consumer, ConsumerInputs};
use crate::downstream::plan::{self, ManifestKind, Target, TargetInputs, WorkspaceSdks};
use crate::downstream::pull_request::{self, PullRequestBody};
use crate::layout::{LatestRecord, Layout};
use crate::{render, spec};
use anyhow::{Context as _, Result, anyhow, bail};
use futures_util::StreamExt as _;
use serde::Serialize;
use serde_json::json;

/// Every output this stage sets (`action.yml` declares the same).
pub const OUTPUTS: &[&str] = &["pull_requests", "failed_repositories"];

/// The trailer that marks specrelay's commits on a `specrelay/` branch; a
/// commit without it was pushed by someone else.
const TRAILER: &str = "Specrelay-Package:";

/// What happened to one consumer's pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Updated,
    Unchanged,
    Skipped,
}

/// One row of the `pull_requests` output.
#[derive(Debug, Clone, Serialize)]
pub struct PullRequestResult {
    pub repo: String,
    pub package: String,
    pub number: Option<u64>,
    pub url: Option<String>,
    pub action: Action,
    /// Why, for `skipped` and `unchanged`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

pub async fn run(args: DownstreamArgs, ctx: &Context) -> Result<Report> {
    let read = |path: &std::path::Path| fs::read_optional(&ctx.workspace.join(path));
    let config_text = read(&args.config)?
        .map(String::from_utf8)
        .transpose()
        .with_context(|| format!("{} is not UTF-8", args.config.display()))?;
    let consumers = config::consumers(
        config_text.as_deref(),
        &ConsumerInputs {
            repositories: args.repositories.as_deref(),
            labels: args.labels.as_deref(),
            reviewers: args.reviewers.as_deref(),
        },
    )?;
    let package_json = read(plan::TYPESCRIPT_MANIFEST.as_ref())?;
    let pyproject = read(plan::PYTHON_MANIFEST.as_ref())?;
    let targets = plan::targets(
        WorkspaceSdks {
            package_json: package_json.as_deref(),
            pyproject: pyproject.as_deref(),
        },
        &TargetInputs {
            npm_package: args.npm_package.clone(),
            npm_version: args.npm_version.clone(),
            pypi_package: args.pypi_package.clone(),
            pypi_version: args.pypi_version.clone(),
        },
    )?;
    let body_context = body_context(ctx, &Layout::new(&args.openapi_dir))?;
    if ctx.dry_run {
        for consumer in &consumers {
            for target in &targets {
                eprintln!(
                    "dry run: would bump {} to {} in {} on {}",
                    target.package,
                    target.version,
                    consumer.repo,
                    target.branch()
                );
            }
        }
        return Ok(report(ctx, Vec::new(), Vec::new()));
    }
    // An app's installation token covers one owner: the first consumer's.
    let first = consumers
        .first()
        .and_then(|c| RepoName::parse(&c.repo))
        .context("no consumer repository")?;
    let github = crate::stages::common::github::client(
        &crate::stages::common::github::GitHubAuth::from_args(args.github.clone()),
        ctx,
        &first,
    )
    .await?;
    let rollout = Rollout {
        github: &github,
        ctx,
        targets: &targets,
        body_context: &body_context,
    };
    let outcomes: Vec<(String, Result<Vec<PullRequestResult>>)> =
        futures_util::stream::iter(&consumers)
            .map(|consumer| async {
                let result = rollout.consumer(consumer).await;
                (consumer.repo.clone(), result)
            })
            .buffered(args.concurrency as usize)
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
    Ok(report(ctx, results, failures))
}

/// The API title, and the breaking changes and changelog entry of the
/// newest stored version (diffed against its predecessor), for the body.
fn body_context(ctx: &Context, layout: &Layout) -> Result<pull_request::Context> {
    let latest_path = ctx.workspace.join(layout.latest_file());
    let Some(bytes) = fs::read_optional(&latest_path)? else {
        return Ok(pull_request::Context::default());
    };
    let latest: LatestRecord = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a latest.json", latest_path.display()))?;
    let mut out = pull_request::Context {
        api_title: latest.title.clone(),
        ..Default::default()
    };
    let stored = |version: &str| -> Result<Option<serde_json::Value>> {
        let Ok(version) = semver::Version::parse(version) else {
            return Ok(None);
        };
        let path = ctx.workspace.join(layout.history_file(&version));
        let Some(bytes) = fs::read_optional(&path)? else {
            return Ok(None);
        };
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        Ok(Some(spec::upgrade_to_31(&value)))
    };
    let findings = match (&latest.previous_version, stored(&latest.version)?) {
        (Some(previous), Some(new)) => match stored(previous)? {
            Some(old) => diff::diff(&old, &new, &DiffOptions::default()),
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    let previous = latest.previous_version.as_deref();
    let date = latest.ingested_at.get(..10).unwrap_or(&latest.ingested_at);
    out.changelog.push(report::changelog_entry(
        &latest.version,
        previous,
        date,
        &latest.title,
        &findings,
    ));
    if let Some(previous) = previous
        && latest.breaking
    {
        out.migration_notes.push(report::migration_notes(
            &latest.version,
            previous,
            &latest.title,
            &findings,
        ));
    }
    if !latest.source_repo.is_empty() {
        out.links.push(pull_request::Link {
            title: format!("{} (source of the API)", latest.source_repo),
            url: format!("https://github.com/{}", latest.source_repo),
        });
    }
    Ok(out)
}

struct Rollout<'a> {
    github: &'a GitHub,
    ctx: &'a Context,
    targets: &'a [Target],
    body_context: &'a pull_request::Context,
}

impl Rollout<'_> {
    async fn consumer(&self, consumer: &Consumer) -> Result<Vec<PullRequestResult>> {
        let repo = RepoName::parse(&consumer.repo)
            .ok_or_else(|| anyhow!("{:?} is not owner/name", consumer.repo))?;
        let base_branch = match &consumer.base {
            Some(base) => base.clone(),
            None => self.github.repository(&repo).await?.default_branch,
        };
        let base = commit::snapshot(self.github, &repo, &base_branch).await?;
        let repo_files: Vec<String> = base.files.keys().cloned().collect();
        let manifests = if consumer.manifests.is_empty() {
            config::manifests_in(&repo_files)
        } else {
            consumer.manifests.clone()
        };
        let mut rows = Vec::new();
        for target in self.targets {
            let row = self
                .target(&repo, consumer, &base, &base_branch, &manifests, target)
                .await
                .with_context(|| format!("{} on {}", target.package, target.branch()))?;
            tracing::info!("{repo}: {} {:?}", target.package, row.action);
            rows.push(row);
        }
        Ok(rows)
    }

    async fn target(
        &self,
        repo: &RepoName,
        consumer: &Consumer,
        base: &Snapshot<'_>,
        base_branch: &str,
        manifests: &[String],
        target: &Target,
    ) -> Result<PullRequestResult> {
        let row = |action, pull: Option<&PullRequest>, reason: &str| PullRequestResult {
            repo: repo.to_string(),
            package: target.package.clone(),
            number: pull.map(|p| p.number),
            url: pull.map(|p| p.html_url.clone()),
            action,
            reason: reason.to_owned(),
        };
        let outcomes = self.bump_manifests(base, manifests, target).await?;
        let changes: Vec<FileChange> = outcomes
            .iter()
            .filter_map(|(path, outcome)| match outcome {
                Outcome::Bumped { bytes, .. } => Some(FileChange {
                    path: path.clone(),
                    contents: Some(bytes.clone()),
                }),
                _ => None,
            })
            .collect();
        let branch = target.branch();
        let existing = self
            .github
            .open_pulls(repo, Some(&branch))
            .await?
            .into_iter()
            .next();
        if changes.is_empty() {
            return Ok(row(
                Action::Unchanged,
                existing.as_ref(),
                "no manifest needs a change",
            ));
        }
        let head = self.github.branch_head(repo, &branch).await?;
        if let Some(head) = &head
            && let Some(foreign) = self.foreign_commit(repo, &base.commit, head).await?
        {
            let reason = format!(
                "{branch} has a commit specrelay did not make ({}); it was left alone",
                &foreign[..foreign.len().min(12)]
            );
            if let Some(pull) = &existing {
                self.comment_once(
                    repo,
                    pull.number,
                    &format!(
                        "specrelay did not update this pull request to {} {}: {reason}. \
                         Merge or close it (or delete the branch) and the next run opens a fresh one.",
                        target.package, target.version
                    ),
                )
                .await?;
            }
            return Ok(row(Action::Skipped, existing.as_ref(), &reason));
        }
        let message = format!(
            "{}\n\n{TRAILER} {}",
            pull_request::title(target),
            target.package
        );
        let Some(sha) = commit::write_commit(self.github, repo, base, changes, &message).await?
        else {
            return Ok(row(Action::Unchanged, existing.as_ref(), "already current"));
        };
        let branch_moved = match &head {
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
        let title = pull_request::title(target);
        let body = self.body(
            target,
            &outcomes,
            &base.files.keys().cloned().collect::<Vec<_>>(),
        )?;
        let (pull, action) = match existing {
            Some(pull)
                if !branch_moved && pull.title == title && pull.body.as_deref() == Some(&body) =>
            {
                (pull, Action::Unchanged)
            }
            Some(pull) => (
                self.github
                    .update_pull(repo, pull.number, &json!({"title": title, "body": body}))
                    .await?,
                Action::Updated,
            ),
            None => (
                self.create_pull(repo, &title, &body, &branch, base_branch)
                    .await?,
                Action::Created,
            ),
        };
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
        self.close_superseded(repo, target, &pull).await?;
        Ok(row(action, Some(&pull), ""))
    }

    async fn bump_manifests(
        &self,
        base: &Snapshot<'_>,
        manifests: &[String],
        target: &Target,
    ) -> Result<Vec<(String, Outcome)>> {
        let mut outcomes = Vec::new();
        for path in manifests {
            let Some(kind) = ManifestKind::of(path) else {
                continue;
            };
            if kind.registry() != target.registry() {
                continue;
            }
            let Some(bytes) = base.read(path).await? else {
                bail!("{path} is listed as a manifest but does not exist on the base branch");
            };
            if let Some(outcome) = target.bump(kind, &bytes) {
                outcomes.push((path.clone(), outcome.with_context(|| path.clone())?));
            }
        }
        Ok(outcomes)
    }

    /// The first commit on `head` (not on `base`) that specrelay did not make.
    async fn foreign_commit(
        &self,
        repo: &RepoName,
        base: &str,
        head: &str,
    ) -> Result<Option<String>, GitHubError> {
        let commits = self.github.commits_between(repo, base, head).await?;
        Ok(commits
            .into_iter()
            .find(|c| !c.message.lines().any(|l| l.starts_with(TRAILER)))
            .map(|c| c.sha))
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
    async fn close_superseded(
        &self,
        repo: &RepoName,
        target: &Target,
        current: &PullRequest,
    ) -> Result<()> {
        let marker = marker(target);
        for pull in self.github.open_pulls(repo, None).await? {
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

fn report(
    ctx: &Context,
    results: Vec<PullRequestResult>,
    failures: Vec<(String, String)>,
) -> Report {
    let mut outputs = Outputs::new();
    let failed: Vec<&str> = failures.iter().map(|(r, _)| r.as_str()).collect();
    outputs
        .set(
            "pull_requests",
            serde_json::to_string(&results).expect("rows serialise"),
        )
        .set("failed_repositories", failed.join(","));
    let mut summary = String::from("### specrelay downstream\n\n");
    if ctx.dry_run {
        summary.push_str("Dry run: nothing was changed.\n");
    }
    if !results.is_empty() {
        summary.push_str("| Repository | Package | Action | Pull request |\n|---|---|---|---|\n");
        for r in &results {
            let link = match (&r.number, &r.url) {
                (Some(n), Some(url)) => format!("[#{n}]({url})"),
                _ => "—".to_owned(),
            };
            let action = match (r.action, r.reason.is_empty()) {
                (action, true) => format!("{action:?}").to_lowercase(),
                (action, false) => {
                    format!("{} ({})", format!("{action:?}").to_lowercase(), r.reason)
                }
            };
            summary.push_str(&format!(
                "| {} | {} | {} | {link} |\n",
                r.repo, r.package, action
            ));
        }
    }
    if !failures.is_empty() {
        summary.push_str("\n**Failed:**\n\n");
        for (repo, error) in &failures {
            summary.push_str(&format!("- {repo}: {}\n", error.replace('\n', " ")));
        }
    }
    let failure = (!failures.is_empty()).then(|| {
        super::shape::Failure::policy(format!(
            "{} consumer repositor{} failed: {}",
            failures.len(),
            if failures.len() == 1 { "y" } else { "ies" },
            failed.join(", ")
        ))
    });
    Report {
        outputs,
        summary,
        stdout: None,
        failure,
    }
}
