//! The one shape every stage has, so that a newcomer who has read one stage
//! has read them all:
//!
//! ```text
//!  raw args (cli) ─┐
//!  RunnerEnv ──────┼─> request()  typed, validated; nothing after it sees `cli`
//!                  │       │
//!                  │   observe()  reads the world (files, GitHub, registries); writes nothing
//!                  │       │
//!                  │   decide()   pure: request + observations -> Plan
//!                  │       │
//!                  │   --dry-run? ── yes ─> Plan::describe(), printed the same way for every stage
//!                  │       │ no
//!                  │   apply()    carries the plan out through the adapters -> Report
//! ```
//!
//! [`drive`] runs those steps; a stage's `run` is `drive::<ItsStage>(args, ctx)`.
//! A stage module is a folder: `request.rs`, `plan.rs` (the pure `decide` and
//! the plan's `describe`), `apply.rs`, and `mod.rs` with the `Stage` impl and
//! the report.

use super::{Context, Report};
use anyhow::Result;

/// One stage: its request, what it observes, its plan, and how it is applied.
///
/// `async fn` in a trait is fine here: stages run on a current-thread
/// runtime, so nothing needs the futures to be `Send`.
#[allow(async_fn_in_trait)]
pub trait Stage {
    /// The stage's name as the CLI and the action's `stage` input spell it.
    const NAME: &'static str;
    /// Every output the stage sets, in order (`action.yml` declares the same).
    const OUTPUTS: &'static [&'static str];
    /// The raw arguments from `cli`.
    type Args;
    /// The validated request: typed values only (URLs, versions, secrets, enums).
    type Request;
    /// What `observe` read from the world.
    type Observed;
    /// Everything the stage will do, decided before anything is done.
    type Plan: Describe;

    /// Raw arguments and the run's context -> a validated request. Errors
    /// here are the user's to fix (exit code 1, or 2 for usage).
    fn request(args: Self::Args, ctx: &Context) -> Result<Self::Request>;

    /// Reads what the decision needs. Must not write anything: dry run
    /// calls it too.
    async fn observe(request: &Self::Request, ctx: &Context) -> Result<Self::Observed>;

    /// Pure: the plan from the request and the observations.
    fn decide(request: &Self::Request, observed: Self::Observed) -> Result<Self::Plan>;

    /// Carries the plan out and reports what happened.
    async fn apply(request: Self::Request, plan: Self::Plan, ctx: &Context) -> Result<Report>;

    /// The report of a dry run; stages with outputs that the next job needs
    /// even on a dry run (a version, a matrix) override this, and print the
    /// plan with [`print_plan`] so every dry run logs the same way.
    fn dry_run_report(request: &Self::Request, plan: &Self::Plan, ctx: &Context) -> Result<Report> {
        let _ = (request, ctx);
        Ok(dry_run_report(Self::NAME, plan))
    }
}

/// A plan that can say, in plain lines, what it would do.
pub trait Describe {
    /// One line per action, in the order they would happen ("write
    /// openapi/latest.json", "open a pull request in acme/web"). Empty when
    /// there is nothing to do.
    fn describe(&self) -> Vec<String>;
}

/// Runs one stage from raw arguments to its report: request, observe,
/// decide, then apply, or on `--dry-run` the plan's description.
pub async fn drive<S: Stage>(args: S::Args, ctx: &Context) -> Result<Report> {
    let request = S::request(args, ctx)?;
    let observed = S::observe(&request, ctx).await?;
    let plan = S::decide(&request, observed)?;
    if ctx.dry_run {
        return S::dry_run_report(&request, &plan, ctx);
    }
    S::apply(request, plan, ctx).await
}

/// The same dry-run report for every stage: the plan's lines on stderr (as
/// every log line) and as a list in the step summary; no outputs but
/// `dry_run=true`.
pub fn dry_run_report(stage: &str, plan: &impl Describe) -> Report {
    let lines = plan.describe();
    let mut summary = format!("### specrelay {stage}: dry run\n\n");
    if lines.is_empty() {
        summary.push_str("Nothing to do.\n");
    } else {
        summary.push_str("Would:\n\n");
        for line in &lines {
            summary.push_str(&format!("- {line}\n"));
        }
    }
    print_plan(stage, &lines);
    let mut outputs = crate::actions::Outputs::new();
    outputs.set("dry_run", "true");
    Report {
        outputs,
        summary,
        stdout: None,
        failure: None,
    }
}

/// The plan of a dry run on stderr, one `dry run: would <line>` per action,
/// the same for every stage.
pub fn print_plan(stage: &str, lines: &[String]) {
    if lines.is_empty() {
        eprintln!("dry run: specrelay {stage} has nothing to do");
    }
    for line in lines {
        eprintln!("dry run: would {line}");
    }
}

/// A stage that finished its work but must fail the step: its outputs and
/// summary are still written, then the process exits with `exit_code`
/// (1 for a policy failure, 3 when an external service failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub exit_code: u8,
}

impl Failure {
    /// A policy failure: the input was fine, but what it showed is not allowed.
    pub fn policy(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            exit_code: crate::exit::REJECTED,
        }
    }

    /// An external service failed after retries.
    pub fn service(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            exit_code: crate::exit::SERVICE_FAILED,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lines(Vec<String>);
    impl Describe for Lines {
        fn describe(&self) -> Vec<String> {
            self.0.clone()
        }
    }

    #[test]
    fn a_dry_run_lists_the_plan_in_the_summary_and_sets_dry_run() {
        let report = dry_run_report("ingest", &Lines(vec!["write openapi/latest.json".into()]));
        assert!(report.summary.contains("- write openapi/latest.json"));
        assert_eq!(report.outputs.get("dry_run"), Some("true"));
        let empty = dry_run_report("ingest", &Lines(vec![]));
        assert!(empty.summary.contains("Nothing to do."));
    }

    #[test]
    fn failures_carry_their_exit_code() {
        assert_eq!(Failure::policy("x").exit_code, 1);
        assert_eq!(Failure::service("x").exit_code, 3);
    }
}
