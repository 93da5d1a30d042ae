//! `ingest`: carrying the plan out. Renders the diff, migration notes,
//! changelog entry and version timeline, writes them with the stored spec
//! and `latest.json` in one atomic step, commits them through GitHub's API when asked, and
//! builds the report (outputs and step summary) that a dry run shares.

use super::changes::{self, ChangeFiles, NewVersion};
use super::plan::{IngestPlan, Plan, StorePlan};
use super::remote;
use super::request::Request;
use crate::actions::{Annotation, Outputs};
use crate::adapters::fs;
use crate::layout::{Layout, display_path};
use crate::render;
use crate::stages::common::github;
use crate::stages::{Context, Report};
use crate::timeline;
use anyhow::{Context as _, Result};
use serde::Serialize;

pub async fn apply(request: &Request, plan: IngestPlan, ctx: &Context) -> Result<Report> {
    let Plan::Store(store) = &plan.store else {
        return report(request, &plan, None, ctx);
    };
    let files = change_files(request, &plan, ctx)?;
    write(store, &files, ctx, &plan.layout)?;
    let commit_sha = if plan.commit {
        let message = format!("openapi: ingest {}", request.announcement.version);
        let render_on = |existing: Option<&str>, timeline: Option<timeline::Index>| {
            let timeline = timeline.unwrap_or_else(|| plan.timeline.clone());
            render_change_files(request, &plan, ctx, existing, timeline)
        };
        github::commit_to_workflow_branch(&request.commit.github, ctx, &message, async |base| {
            remote::changes(base, store, &plan.layout, &plan.changelog_path, &render_on).await
        })
        .await?
    } else {
        None
    };
    // Only a commit this run made is tagged: without one there is no
    // commit known to hold exactly these files.
    let tagged = match (&request.tag, &commit_sha) {
        (Some(tag), Some(sha)) => {
            Some(super::tag::create(&request.commit.github, ctx, tag, sha).await?)
        }
        (Some(tag), None) if plan.commit => {
            tracing::info!("no commit was made, so {tag} was not created");
            None
        }
        _ => None,
    };
    let mut report = report(request, &plan, Some(&files), ctx)?;
    report
        .outputs
        .set("commit_sha", commit_sha.unwrap_or_default())
        .set("tag", tagged.unwrap_or_default());
    Ok(report)
}

/// The diff, migration notes, changelog and timeline files, rendered on the
/// workspace's changelog and timeline.
pub fn change_files(request: &Request, plan: &IngestPlan, ctx: &Context) -> Result<ChangeFiles> {
    render_change_files(
        request,
        plan,
        ctx,
        plan.existing_changelog.as_deref(),
        plan.timeline.clone(),
    )
}

/// The change files on top of `existing_changelog` and the timeline `index`
/// (the workspace's, or the branch's when committing).
fn render_change_files(
    request: &Request,
    plan: &IngestPlan,
    ctx: &Context,
    existing_changelog: Option<&str>,
    index: timeline::Index,
) -> Result<ChangeFiles> {
    let Plan::Store(store) = &plan.store else {
        return Ok(ChangeFiles::default());
    };
    let mut files = changes::change_files(
        &ctx.templates,
        &plan.layout,
        &NewVersion {
            version: &store.version,
            title: &plan.spec.title,
            date: plan.date(),
        },
        plan.changes.as_ref(),
        plan.changelog_path.clone(),
        existing_changelog,
    )?;
    let entry = timeline_entry(request, plan, store);
    changes::timeline_files(&plan.layout, &mut files, index, entry, &plan.spec.title);
    Ok(files)
}

/// This version's line in `index.json` (its diff and notes are added from
/// the rendered files).
fn timeline_entry(request: &Request, plan: &IngestPlan, store: &StorePlan) -> timeline::Entry {
    timeline::Entry {
        version: store.version.to_string(),
        date: plan.date().to_owned(),
        checksum: request.announcement.checksum.clone(),
        change_type: plan.change_type.to_string(),
        breaking_count: plan
            .changes
            .as_ref()
            .map_or(0, |c| crate::diff::summarize(&c.findings).breaking as u64),
        correlation_id: request.correlation_id.clone(),
        spec_path: display_path(&store.history_path),
        diff_path: None,
        migration_notes_path: None,
    }
}

/// The stored spec, `latest.json` and the change files, all or nothing.
fn write(store: &StorePlan, files: &ChangeFiles, ctx: &Context, layout: &Layout) -> Result<()> {
    let mut writes = fs::AtomicWrites::new();
    writes.write(
        ctx.workspace.join(&store.history_path),
        store.history_bytes.as_slice(),
    );
    if let Some(latest) = &store.latest {
        writes.write(ctx.workspace.join(layout.latest_file()), latest.to_bytes());
    }
    for (path, bytes) in &files.files {
        writes.write(ctx.workspace.join(path), bytes.as_slice());
    }
    let written: Vec<String> = writes
        .paths()
        .filter_map(|p| p.strip_prefix(&ctx.workspace).ok())
        .map(display_path)
        .collect();
    writes.commit().context("storing the spec")?;
    tracing::info!(
        "wrote {} in {}",
        written.join(", "),
        ctx.workspace.display()
    );
    Ok(())
}

#[derive(Serialize)]
struct SummaryContext<'a> {
    skipped: bool,
    skip_reason: &'a str,
    dry_run: bool,
    version: String,
    previous_version: String,
    checksum: &'a str,
    spec_path: &'a str,
    title: &'a str,
    source_repo: &'a str,
    download_url: &'a str,
    latest_updated: bool,
    breaking: bool,
    change_type: String,
    diff_path: &'a str,
    migration_notes_path: &'a str,
    /// A Mermaid block: this version among its neighbours (empty on a skip).
    timeline: &'a str,
    warnings: Vec<String>,
}

/// Outputs and summary; `files` are the change files when the spec is
/// stored. Emits the plan's warnings as annotations.
pub fn report(
    request: &Request,
    plan: &IngestPlan,
    files: Option<&ChangeFiles>,
    ctx: &Context,
) -> Result<Report> {
    let announcement = &request.announcement;
    if let Some(warning) = &plan.semver_warning {
        ctx.runtime
            .annotate(&Annotation::warning(warning.clone()).with_title("semver policy"));
    }
    let (skipped, skip_reason, spec_path, previous, latest_updated) = match &plan.store {
        Plan::Skip { reason, spec_path } => {
            ctx.runtime.annotate(&Annotation::warning(format!(
                "OpenAPI {} was already ingested: {reason}",
                announcement.version
            )));
            (true, reason.as_str(), spec_path.clone(), None, false)
        }
        Plan::Store(store) => (
            false,
            "",
            display_path(&store.history_path),
            store.previous_version.clone(),
            store.latest.is_some(),
        ),
    };
    let previous_version = previous.map(|v| v.to_string()).unwrap_or_default();
    let (breaking, change_type) = match files {
        Some(_) => (plan.breaking, plan.change_type),
        None => (false, announcement.change_type),
    };
    let change_type = change_type.to_string();
    let diff_path = files.and_then(|f| f.diff_path.clone()).unwrap_or_default();
    let migration_notes_path = files
        .and_then(|f| f.migration_notes_path.clone())
        .unwrap_or_default();
    let mut outputs = Outputs::new();
    outputs
        .set("version", &announcement.version)
        .set("previous_version", &previous_version)
        .set("checksum", &announcement.checksum)
        .set("spec_path", &spec_path)
        .set("skipped", skipped)
        .set("breaking", breaking)
        .set("change_type", &change_type)
        .set("diff_path", &diff_path)
        .set("migration_notes_path", &migration_notes_path)
        .set("commit_sha", "")
        .set("tag", "")
        .set(
            "correlation_id",
            request.correlation_id.as_deref().unwrap_or_default(),
        )
        .set("api", plan.api.as_deref().unwrap_or_default());
    let mut summary = ctx.templates.render(
        render::INGEST_SUMMARY,
        SummaryContext {
            skipped,
            skip_reason,
            dry_run: ctx.dry_run,
            version: announcement.version.to_string(),
            previous_version,
            checksum: &announcement.checksum,
            spec_path: &spec_path,
            title: &plan.spec.title,
            source_repo: &announcement.source_repo,
            download_url: announcement.download_url.as_str(),
            latest_updated,
            breaking,
            change_type,
            diff_path: &diff_path,
            migration_notes_path: &migration_notes_path,
            timeline: files.map_or("", |f| f.timeline_mermaid.as_str()),
            warnings: plan.spec.warnings.iter().map(ToString::to_string).collect(),
        },
    )?;
    summary.push_str(&summary_trailer(request, plan));
    Ok(Report {
        outputs,
        summary,
        stdout: None,
        failure: None,
    })
}

/// The lines after the (overridable) template, so every summary can be
/// traced back to the producer's run that announced it.
fn summary_trailer(request: &Request, plan: &IngestPlan) -> String {
    let mut trailer = String::new();
    if let Some(id) = &request.correlation_id {
        trailer.push_str(&format!("\nCorrelation id: `{id}`\n"));
    }
    if let Some(api) = &plan.api {
        trailer.push_str(&format!("\nAPI: `{api}` (specrelay.yaml `apis:`)\n"));
    }
    trailer
}
