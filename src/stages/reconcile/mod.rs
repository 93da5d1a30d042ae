//! The `reconcile` stage (scheduled): list every registered service, check
//! each health endpoint concurrently (a per-request timeout and one retry
//! to tell a flap from an outage), compare the version a health answer
//! reports with the registered one, find route conflicts, optionally check
//! through a proxy and count MCP tools; then record each service's status,
//! write the JSON report and a step summary, and keep one GitHub issue
//! current.
//!
//! It exits 0 whenever it could do its checks, whatever they found;
//! `fail_on_problems` makes problems exit 1. `shard: k/n` checks a stable
//! share of the services; `merge_reports` combines the shards' reports.

pub mod apply;
pub mod plan;
pub mod request;

use super::shape::{self, Stage};
use super::{Context, Report};
use crate::catalog::issue::{self, OpenIssue};
use crate::catalog::reconcile::Report as ReconcileReport;
use crate::cli::ReconcileArgs;
use anyhow::{Context as _, Result, bail};
use plan::{Checks, Observed, Plan};
use request::ReconcileRequest;

shape::stage!(Reconcile = "reconcile",
    args: ReconcileArgs, request: ReconcileRequest, plan: Plan, outputs: [
    "healthy_count", "unhealthy_count", "drift_count", "conflict_count", "issue_url",
    "report_path",
]);

impl Stage for Reconcile {
    async fn observe(request: &ReconcileRequest, ctx: &Context) -> Result<Observed> {
        let checks = match &request.merge {
            Some(pattern) => Checks::Merged(read_reports(ctx, pattern)?),
            None => check(request, ctx).await?,
        };
        let issue = match &request.issue {
            Some(repo) => Some(find_issue(request, ctx, repo).await),
            None => None,
        };
        Ok(Observed {
            generated_at: ctx.clock.rfc3339(),
            checks,
            issue,
        })
    }

    async fn apply(request: ReconcileRequest, plan: Plan, ctx: &Context) -> Result<Report> {
        apply::apply(request, plan, ctx).await
    }
}

/// Lists the registry and checks this shard's services.
async fn check(request: &ReconcileRequest, ctx: &Context) -> Result<Checks> {
    let registry = request.registry.open(ctx).await?;
    let catalog = registry
        .list()
        .await
        .with_context(|| format!("listing the services in {}", registry.describe()))?;
    let mine: Vec<usize> = (0..catalog.services.len())
        .filter(|i| {
            request
                .shard
                .is_none_or(|s| s.contains(&catalog.services[*i].name))
        })
        .collect();
    let _group = ctx.runtime.group(&format!(
        "Checking {} of {} service(s), {} at a time",
        mine.len(),
        catalog.services.len(),
        request.concurrency
    ));
    let prober = request.registry.prober(request.check_timeout)?;
    let services: Vec<_> = mine.iter().map(|i| &catalog.services[*i]).collect();
    let observations = prober
        .observe_all(&services, &request.extras, request.concurrency)
        .await;
    Ok(Checks::Checked {
        observed: mine.into_iter().zip(observations).collect(),
        catalog: catalog.services,
    })
}

/// The open issue carrying the marker, if any.
async fn find_issue(
    request: &ReconcileRequest,
    ctx: &Context,
    repo: &crate::adapters::github::rest::RepoName,
) -> Result<Option<OpenIssue>, String> {
    let github = crate::stages::common::github::client(&request.registry.github, ctx, repo)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let issues = github.open_issues(repo).await.map_err(|e| e.to_string())?;
    Ok(issues
        .into_iter()
        .find(|i| i.body.as_deref().is_some_and(issue::is_ours))
        .map(|i| OpenIssue {
            number: i.number,
            url: i.html_url,
            body: i.body.unwrap_or_default(),
        }))
}

/// The shard reports matching `pattern` (a workspace-relative path whose
/// last part may hold `*` and `?`), sorted by name.
fn read_reports(ctx: &Context, pattern: &str) -> Result<Vec<(String, ReconcileReport)>> {
    let pattern = pattern.trim();
    let (dir, file) = pattern.rsplit_once('/').unwrap_or((".", pattern));
    if dir.contains(['*', '?']) {
        bail!("merge_reports {pattern:?}: wildcards are allowed in the file name only");
    }
    let folder = ctx.workspace.join(dir);
    let mut names: Vec<String> = crate::adapters::fs::list_dir(&folder)
        .with_context(|| format!("merge_reports {pattern:?}"))?
        .with_context(|| format!("merge_reports {pattern:?}: no folder {dir}"))?
        .into_iter()
        .filter(|name| request::glob_match(file, name))
        .collect();
    names.sort();
    let mut reports = Vec::new();
    for name in names {
        let shown = format!("{dir}/{name}");
        let bytes = crate::adapters::fs::read_capped(&folder.join(&name), 512 * 1024 * 1024)?;
        let report: ReconcileReport = serde_json::from_slice(&bytes)
            .with_context(|| format!("{shown} is not a reconcile report"))?;
        reports.push((shown, report));
    }
    Ok(reports)
}
