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
//! carries them out; [`report`] turns the rows into outputs and summary.
//! [`consumer`] reads a consumer's base branch for both observe and the
//! lag report ([`lag`]); [`rollout`] and `rollout_apply` are the staged
//! rollout's. Imports between them go one way: [`consumer`], [`report`]
//! and [`rollout`] need no sibling; [`request`] needs rollout; [`lag`]
//! needs consumer, report and rollout; [`plan`] needs request, rollout and
//! lag; [`observe`] and [`apply`] need plan; `rollout_apply` needs apply.

pub mod apply;
pub mod consumer;
pub mod lag;
pub mod observe;
pub mod plan;
pub mod report;
pub mod request;
pub mod rollout;
mod rollout_apply;

use super::shape::{self, Declared as _, Describe, Stage};
use super::{Context, Report};
use crate::cli::DownstreamArgs;
use anyhow::Result;
use plan::{DownstreamPlan, Observed};
use request::Request;

pub use report::{Action, PullRequestResult};

shape::stage!(Downstream = "downstream",
    args: DownstreamArgs, request: Request, plan: DownstreamPlan, outputs: [
    "pull_requests", "failed_repositories", "rollout_state", "wave", "opened", "halted_reason",
    "matrix",
    "lag_report",
]);

impl Stage for Downstream {
    async fn observe(request: &Request, ctx: &Context) -> Result<Observed> {
        observe::observe(request, ctx).await
    }

    async fn apply(request: Request, mut plan: DownstreamPlan, ctx: &Context) -> Result<Report> {
        if let Some(reports) = &plan.lag {
            return Ok(lag::report(ctx, reports));
        }
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
        if let Some(reports) = &plan.lag {
            // A lag report only reads: the dry run reports the same.
            return Ok(lag::report(ctx, reports));
        }
        let (rows, failures) = apply::planned(plan);
        Ok(report::report(
            ctx,
            &plan.body_context.api_title,
            rows,
            failures,
        ))
    }
}
