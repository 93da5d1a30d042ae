//! The `publish` stage: the npm package from `sdk/typescript` and the wheel
//! and sdist from `sdk/python`, built by specrelay itself and uploaded over
//! the registries' HTTP APIs, so that a re-run always finishes the job.
//!
//! In the [`super::shape`]: [`request`] validates the arguments (and
//! reads the `.npmrc`); `observe` reads the SDK folders and the build time;
//! [`plan::plan`] builds and checks every package (pure) before anything is
//! sent, which is what a dry run lists; [`apply`] uploads them.
//!
//! The packages are stamped with one build time that does not change
//! between runs of the same version: `SOURCE_DATE_EPOCH` when set, else the
//! spec's ingest time from `openapi/latest.json`, else npm's own fixed
//! date. The system clock never enters, or a re-run would build other bytes.
//!
//! Tokens live in `SecretString`s, are masked in the log, and go only to the
//! origin of the registry they are for.

pub mod apply;
pub mod plan;
pub mod request;

use super::shape::{self, Declared as _, Describe, Stage};
use super::{Context, Report};
use crate::adapters::fs;
use crate::adapters::history::History;
use crate::publish::PackageFiles;
use anyhow::{Context as _, Result};
use plan::Plan;
use request::Request;

/// 1985-10-26T08:15:00Z: the mtime `npm pack` gives every entry, used when
/// the run has neither SOURCE_DATE_EPOCH nor an ingested spec.
const NPM_FIXED_MTIME: u64 = 499_162_500;

/// The SDK folders' files and the build time.
pub struct Observed {
    typescript: Option<PackageFiles>,
    python: Option<PackageFiles>,
    build_time: u64,
}

shape::stage!(Publish = "publish", request: Request, plan: Plan, outputs: [
    "npm_package", "npm_version", "npm_published", "npm_url", "pypi_package", "pypi_version",
    "pypi_published", "pypi_url", "skipped",
]);

impl Stage for Publish {
    async fn observe(request: &Request, ctx: &Context) -> Result<Observed> {
        let read = |folder: &std::path::Path| fs::read_tree_bytes(&ctx.workspace.join(folder));
        Ok(Observed {
            typescript: request.npm.as_ref().map(|n| read(&n.folder)).transpose()?,
            python: request.pypi.as_ref().map(|p| read(&p.folder)).transpose()?,
            build_time: build_time(ctx, request)?,
        })
    }

    async fn apply(request: Request, plan: Plan, ctx: &Context) -> Result<Report> {
        apply::apply(&request, &plan, ctx).await
    }

    /// What each package would be (names, versions, pages), with nothing sent.
    fn dry_run_report(request: &Request, plan: &Plan, _ctx: &Context) -> Result<Report> {
        shape::print_plan(Self::NAME, &plan.describe());
        Ok(Report {
            outputs: apply::outputs(request, plan, None, None),
            summary: apply::summary(request, plan, None, None),
            stdout: None,
            failure: None,
        })
    }
}

/// The build time: see the module docs.
fn build_time(ctx: &Context, request: &Request) -> Result<u64> {
    if let Some(pinned) = ctx.clock.pinned_unix() {
        return Ok(pinned.max(0) as u64);
    }
    let history = History::new(&ctx.workspace, request.layout.clone());
    let Some(record) = history.latest()? else {
        return Ok(NPM_FIXED_MTIME);
    };
    let ingested = time::OffsetDateTime::parse(
        &record.ingested_at,
        &time::format_description::well_known::Rfc3339,
    )
    .with_context(|| {
        format!(
            "{}: ingested_at {:?} is not an RFC 3339 time",
            history.latest_path().display(),
            record.ingested_at
        )
    })?;
    Ok(ingested.unix_timestamp().max(0) as u64)
}
