//! `reconcile` carried out: the report file, the statuses, the discovery
//! refresh and the issue, then the outputs. Every step runs even when an
//! earlier one failed, so the report and outputs always say what was seen;
//! a failed service (registry, GitHub) then exits 3.

use super::plan::Plan;
use super::request::ReconcileRequest;
use crate::actions::{Annotation, Outputs};
use crate::adapters::fs;
use crate::catalog::issue::IssueAction;
use crate::stages::shape::Failure;
use crate::stages::{Context, Report};
use anyhow::Result;

pub async fn apply(request: ReconcileRequest, plan: Plan, ctx: &Context) -> Result<Report> {
    let mut json = serde_json::to_vec_pretty(&plan.report)?;
    json.push(b'\n');
    let mut writes = fs::AtomicWrites::new();
    writes.write(ctx.workspace.join(&request.report_path), json);
    writes.commit()?;
    let mut failures: Vec<String> = Vec::new();
    if !plan.statuses.is_empty() {
        match record_statuses(&request, &plan, ctx).await {
            Ok(n) => tracing::info!("recorded the status of {n} service(s)"),
            Err(e) => failures.push(format!("recording statuses: {e:#}")),
        }
    }
    if let Some(url) = &request.discovery_refresh {
        let refreshed = request
            .registry
            .prober(request.check_timeout)?
            .refresh(url)
            .await;
        if let Err(e) = refreshed {
            failures.push(format!("refreshing discovery at {url}: {e}"));
        }
    }
    if let Some(e) = &plan.issue_error {
        failures.push(format!("looking up the issue: {e}"));
    }
    let issue_url = match &plan.issue {
        Some((repo, action)) => match keep_issue(&request, ctx, repo, action).await {
            Ok(url) => url,
            Err(e) => {
                failures.push(format!("updating the issue in {repo}: {e:#}"));
                None
            }
        },
        None => None,
    };
    let c = plan.report.counts;
    let mut outputs = Outputs::new();
    outputs
        .set("healthy_count", c.healthy)
        .set("unhealthy_count", c.unhealthy)
        .set("drift_count", c.drift)
        .set("conflict_count", c.conflict)
        .set("issue_url", issue_url.unwrap_or_default())
        .set(
            "report_path",
            crate::layout::display_path(&request.report_path),
        );
    let mut summary = plan.summary;
    for f in &failures {
        ctx.runtime
            .annotate(&Annotation::error(f.clone()).with_title("reconcile"));
        summary.push_str(&format!("- ⚠️ {f}\n"));
    }
    let failure = if !failures.is_empty() {
        Some(Failure::service(failures.join("; ")))
    } else if request.fail_on_problems && plan.report.has_problems() {
        Some(Failure::policy(format!(
            "{} unhealthy, {} degraded ({} drifting), {} route conflict(s) (fail_on_problems)",
            c.unhealthy, c.degraded, c.drift, c.conflict
        )))
    } else {
        None
    };
    Ok(Report {
        outputs,
        summary,
        stdout: None,
        failure,
    })
}

async fn record_statuses(request: &ReconcileRequest, plan: &Plan, ctx: &Context) -> Result<usize> {
    let registry = request.registry.open(ctx).await?;
    Ok(registry
        .set_statuses(&plan.statuses, &ctx.clock.rfc3339(), request.concurrency)
        .await?)
}

/// Does the issue action; the issue's address.
async fn keep_issue(
    request: &ReconcileRequest,
    ctx: &Context,
    repo: &crate::adapters::github::rest::RepoName,
    action: &IssueAction,
) -> Result<Option<String>> {
    let github = || crate::stages::common::github::client(&request.registry.github, ctx, repo);
    Ok(match action {
        IssueAction::Keep { url } => url.clone(),
        IssueAction::Open { title, body } => {
            let issue = github().await?.create_issue(repo, title, body).await?;
            tracing::info!("opened {}", issue.html_url);
            Some(issue.html_url)
        }
        IssueAction::Edit { number, url, body } => {
            github().await?.edit_issue(repo, *number, body).await?;
            tracing::info!("updated {url}");
            Some(url.clone())
        }
        IssueAction::Close {
            number,
            url,
            comment,
        } => {
            let github = github().await?;
            github.comment(repo, *number, comment).await?;
            github.close_issue(repo, *number).await?;
            tracing::info!("closed {url}");
            Some(url.clone())
        }
    })
}
