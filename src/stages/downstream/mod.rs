//! The `downstream` stage: one pull request per consumer repository and
//! package, bumping its dependency on the published SDK, updated in place
//! on every run and never over a human's work.
//!
//! The domain decisions are in `crate::downstream` (which consumers, which
//! packages, the byte-preserving bumps, the body). In the
//! [`super::shape`]: [`request`] types the arguments; [`observe`]
//! reads the consumers' base branches, manifests, open pull requests and
//! branch heads through GitHub's API; [`plan::decide`] returns the
//! pull-request actions (create, update, leave alone because a human
//! pushed) before anything is sent, which is what a dry run lists; [`apply`]
//! carries them out.

pub mod apply;
pub mod observe;
pub mod plan;
pub mod request;
pub mod rollout;
mod rollout_apply;

use super::shape::{self, Describe, Stage};
use super::{Context, Report};
use crate::cli::DownstreamArgs;
use anyhow::Result;
use plan::{DownstreamPlan, Observed};
use request::Request;

pub use apply::{Action, PullRequestResult};

/// Every output this stage sets (`action.yml` declares the same).
pub const OUTPUTS: &[&str] = &[
    "pull_requests",
    "failed_repositories",
    "rollout_state",
    "wave",
    "opened",
    "halted_reason",
    "matrix",
];

pub async fn run(args: DownstreamArgs, ctx: &Context) -> Result<Report> {
    shape::drive::<Downstream>(args, ctx).await
}

/// The stage, for [`shape::drive`].
pub struct Downstream;

impl Stage for Downstream {
    const NAME: &'static str = "downstream";
    const OUTPUTS: &'static [&'static str] = OUTPUTS;
    type Args = DownstreamArgs;
    type Request = Request;
    type Observed = Observed;
    type Plan = DownstreamPlan;

    fn request(args: DownstreamArgs, _ctx: &Context) -> Result<Request> {
        request::build(args)
    }

    async fn observe(request: &Request, ctx: &Context) -> Result<Observed> {
        observe::observe(request, ctx).await
    }

    fn decide(request: &Request, observed: Observed) -> Result<DownstreamPlan> {
        plan::decide(request, observed)
    }

    async fn apply(request: Request, mut plan: DownstreamPlan, ctx: &Context) -> Result<Report> {
        match (plan.rollout.take(), &request.rollout) {
            (Some(rollout), Some(settings)) => {
                rollout_apply::apply(plan, rollout, settings, request.concurrency, ctx).await
            }
            _ => apply::apply(plan, request.concurrency, ctx).await,
        }
    }

    /// The planned actions as the `pull_requests` rows, with nothing sent.
    fn dry_run_report(_request: &Request, plan: &DownstreamPlan, ctx: &Context) -> Result<Report> {
        shape::print_plan(Self::NAME, &plan.describe());
        let (rows, failures) = apply::planned(plan);
        Ok(apply::report(ctx, rows, failures))
    }
}
