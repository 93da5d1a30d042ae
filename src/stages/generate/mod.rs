//! The `generate` stage: typed SDKs (TypeScript, Python) from a spec,
//! through templates users can override, written only where they changed;
//! `--check` is the drift gate for CI (regenerates in memory and fails,
//! listing the files, when a committed SDK differs).
//!
//! In the [`super::shape`]: [`request`] types the arguments;
//! [`observe`] reads which API (`apis:` in specrelay.yaml) and the spec,
//! renders every SDK in memory (`sdk::lower` and the emitters, pure) beside
//! the spec's validation, and reads the SDK folders on disk; [`plan::decide`] turns the drift into writes and
//! removals (or a `--check` failure); [`apply`] writes them in one atomic
//! step and commits them if asked.

pub mod apply;
pub mod observe;
pub mod plan;
pub mod request;

use super::shape::{self, Declared as _, Describe, Stage};
use super::{Context, Report};
use crate::cli::GenerateArgs;
use anyhow::Result;
use plan::{GeneratePlan, Observed};
use request::Request;

shape::stage!(Generate = "generate",
    args: GenerateArgs, request: Request, plan: GeneratePlan, outputs: [
    "typescript_path", "typescript_package", "python_path", "python_package", "python_version",
    "version", "changed", "commit_sha",
]);

impl Stage for Generate {
    async fn observe(request: &Request, ctx: &Context) -> Result<Observed> {
        observe::observe(request, ctx).await
    }

    async fn apply(request: Request, plan: GeneratePlan, ctx: &Context) -> Result<Report> {
        apply::apply(&request, plan, ctx).await
    }

    /// The outputs the next job needs (paths, packages, version, changed)
    /// and the same summary, with nothing written; `--check` reads only, so
    /// its dry run is the check itself.
    fn dry_run_report(_request: &Request, plan: &GeneratePlan, _ctx: &Context) -> Result<Report> {
        shape::print_plan(Self::NAME, &plan.describe());
        Ok(apply::report(plan))
    }
}
