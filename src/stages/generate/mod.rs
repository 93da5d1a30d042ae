//! The `generate` stage: typed SDKs (TypeScript, Python) from a spec,
//! through templates users can override, written only where they changed;
//! `--check` is the drift gate for CI (regenerates in memory and fails,
//! listing the files, when a committed SDK differs).
//!
//! In the [`shape`](super::shape): [`request`] types the arguments;
//! [`observe`] reads the spec and renders every SDK in memory (`sdk::lower`
//! and the emitters, pure) beside the spec's validation, and reads the SDK
//! folders on disk; [`plan::decide`] turns the drift into writes and
//! removals (or a `--check` failure); [`apply`] writes them in one atomic
//! step and commits them if asked.

mod apply;
mod observe;
pub mod plan;
pub mod request;

use super::shape::{self, Describe, Stage};
use super::{Context, Report};
use crate::cli::GenerateArgs;
use anyhow::Result;
use observe::Observed;
use plan::GeneratePlan;
use request::Request;

/// Every output this stage sets (`action.yml` declares the same).
pub const OUTPUTS: &[&str] = &[
    "typescript_path",
    "typescript_package",
    "python_path",
    "python_package",
    "python_version",
    "version",
    "changed",
    "commit_sha",
];

pub async fn run(args: GenerateArgs, ctx: &Context) -> Result<Report> {
    shape::drive::<Generate>(args, ctx).await
}

/// The stage, for [`shape::drive`].
pub struct Generate;

impl Stage for Generate {
    const NAME: &'static str = "generate";
    const OUTPUTS: &'static [&'static str] = OUTPUTS;
    type Args = GenerateArgs;
    type Request = Request;
    type Observed = Observed;
    type Plan = GeneratePlan;

    fn request(args: GenerateArgs, _ctx: &Context) -> Result<Request> {
        request::build(args)
    }

    async fn observe(request: &Request, ctx: &Context) -> Result<Observed> {
        observe::observe(request, ctx).await
    }

    fn decide(request: &Request, observed: Observed) -> Result<GeneratePlan> {
        let commit = request.commit.enabled;
        Ok(plan::decide(
            observed.version,
            observed.sdks,
            request.check,
            commit,
        ))
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
