//! The `diff` stage: a breaking-change check on two specs, for pull
//! requests. Either side is a file in the workspace or `git:REV:PATH` from
//! its history. Prints the report (Markdown, JSON or annotations), writes
//! the job summary, and fails when findings reach `fail_on`.
//!
//! In the [`super::shape`]: [`request`] types the arguments;
//! `observe` loads and validates both sides and reads the ignore file;
//! [`plan::DiffPlan`]'s `decide` compares them (pure); [`apply`] reports. `diff` writes
//! nothing, so its dry run is the comparison itself.

pub mod apply;
pub mod plan;
pub mod request;

use super::common::ignore;
use super::common::spec_source::Sources;
use super::shape::{self, Declared as _, Stage};
use super::{Context, Report};
use crate::cli::DiffArgs;
use crate::spec::{LoadedSpec, Validation};
use anyhow::{Context as _, Result};
use plan::{DiffPlan, Observed};
use request::{Request, Side, side};
use url::Url;

shape::stage!(Diff = "diff",
    args: DiffArgs, request: Request, plan: DiffPlan, outputs: [
    "breaking", "breaking_count", "warning_count", "info_count", "ignored_count",
]);

impl Stage for Diff {
    async fn observe(request: &Request, ctx: &Context) -> Result<Observed> {
        let ignore = ignore::ignore_list(&ctx.workspace, request.ignore_file.as_deref())?;
        let base = load("base", &request.base, request, ctx).await?;
        let revision = load("revision", &request.revision, request, ctx).await?;
        let revision_file = match side(&request.revision)? {
            Side::File(path) => ctx.workspace_relative(&ctx.workspace.join(path)),
            Side::Git { .. } => None,
        };
        Ok(Observed {
            ignore,
            base,
            revision,
            revision_file,
        })
    }

    async fn apply(request: Request, plan: DiffPlan, ctx: &Context) -> Result<Report> {
        apply::report(&request, &plan, ctx)
    }

    /// Reads only, so a dry run reports exactly what a run does.
    fn dry_run_report(request: &Request, plan: &DiffPlan, ctx: &Context) -> Result<Report> {
        shape::print_plan(Self::NAME, &shape::Describe::describe(plan));
        apply::report(request, plan, ctx)
    }
}

/// Reads, bundles and validates one side (`which`: base or revision).
async fn load(which: &str, raw: &str, request: &Request, ctx: &Context) -> Result<LoadedSpec> {
    load_side(raw, request.max_spec_bytes, request.validation, ctx)
        .await
        .with_context(|| format!("loading the {which} spec {raw}"))
}

/// Reads, bundles and validates the spec at `raw`.
async fn load_side(
    raw: &str,
    max_bytes: u64,
    validation: Validation,
    ctx: &Context,
) -> Result<LoadedSpec> {
    let workspace = ctx
        .workspace
        .canonicalize()
        .with_context(|| format!("the workspace {} does not exist", ctx.workspace.display()))?;
    let (sources, path) = match side(raw)? {
        Side::File(path) => (Sources::local(max_bytes), workspace.join(path)),
        Side::Git { rev, path } => (
            Sources::git_revision(workspace.clone(), rev.to_owned(), max_bytes),
            workspace.join(path),
        ),
    };
    let url = Url::from_file_path(&path)
        .map_err(|()| anyhow::anyhow!("{} is not an absolute path", path.display()))?;
    let bytes = sources.read(&url).await?;
    sources.load(&url, bytes, validation, ctx).await
}
