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
//! [`drive`] runs those steps; `stages::run` calls `drive::<ItsStage>(args, ctx)`.
//! A stage module is a folder, one file a step: `request.rs` (its
//! `fn request(args, ctx)`, which `stage!` makes the request's
//! [`FromArgs`]), `plan.rs` (its plan implements [`Decide`], the pure
//! decision, and [`Describe`]), `apply.rs`, and `mod.rs` with the
//! [`Stage`] impl (`observe` and `apply`) and the report.

use super::{Context, Report};
use anyhow::Result;

/// What a stage is: its name, its outputs, its request and its plan.
/// Declared with `stage!`, one line per stage; what it does is its
/// [`Stage`] impl.
pub trait Declared {
    /// The stage's name as the CLI and the action's `stage` input spell it.
    const NAME: &'static str;
    /// Every output the stage sets, in order (`action.yml` declares the same).
    const OUTPUTS: &'static [&'static str];
    /// The validated request: typed values only (URLs, versions, secrets, enums).
    type Request: FromArgs;
    /// Everything the stage will do, decided before anything is done.
    type Plan: Decide<Request = Self::Request>;
}

/// Declares a stage, its name, arguments, request, plan and outputs in one
/// place:
///
/// ```text
/// shape::stage!(Diff = "diff",
///     args: DiffArgs, request: Request, plan: DiffPlan, outputs: [
///     "breaking", "breaking_count",
/// ]);
/// ```
///
/// is the unit struct `Diff`, its [`Declared`] impl, the module's
/// `OUTPUTS` (which `stages::STAGE_OUTPUTS` lists for `action.yml`'s check),
/// and the request's [`FromArgs`] impl, which calls the stage's
/// `request::request(args: DiffArgs, ctx: &Context) -> Result<Request>`:
/// every stage's first step has the same name and signature.
macro_rules! stage {
    (
        $stage:ident = $name:literal,
        args: $args:ty,
        request: $request:ty,
        plan: $plan:ty,
        outputs: [$($output:literal),* $(,)?] $(,)?
    ) => {
        #[doc = concat!("Every output `", $name, "` sets, in order (`action.yml` declares the same).")]
        pub const OUTPUTS: &[&str] = &[$($output),*];

        #[doc = concat!("The `", $name, "` stage, for [`drive`](crate::stages::shape::drive).")]
        pub struct $stage;

        impl $crate::stages::shape::Declared for $stage {
            const NAME: &'static str = $name;
            const OUTPUTS: &'static [&'static str] = OUTPUTS;
            type Request = $request;
            type Plan = $plan;
        }

        impl $crate::stages::shape::FromArgs for $request {
            type Args = $args;
            fn from_args(args: $args, ctx: &$crate::stages::Context) -> ::anyhow::Result<Self> {
                request::request(args, ctx)
            }
        }
    };
}
pub(crate) use stage;

/// What a stage does: observe the world, then apply its plan (or, on a dry
/// run, report it). The request and the plan come from [`FromArgs`] and
/// [`Decide`], in the stage's `request.rs` and `plan.rs`.
///
/// `async fn` in a trait is fine here: stages run on a current-thread
/// runtime, so nothing needs the futures to be `Send`.
#[allow(async_fn_in_trait)]
pub trait Stage: Declared {
    /// Reads what the decision needs. Must not write anything: dry run
    /// calls it too.
    async fn observe(
        request: &Self::Request,
        ctx: &Context,
    ) -> Result<<Self::Plan as Decide>::Observed>;

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

/// The first step, each stage's `request::request` (`stage!` writes the
/// impl): raw arguments and the run's context -> a validated request.
/// Errors here are the user's to fix (exit code 1, or 2 for usage).
pub trait FromArgs: Sized {
    /// The raw arguments from `cli`.
    type Args;
    fn from_args(args: Self::Args, ctx: &Context) -> Result<Self>;
}

/// The pure step, implemented in each stage's `plan.rs`: the plan from the
/// request and what `observe` read. No I/O, so it is tested without fakes.
pub trait Decide: Describe + Sized {
    type Request;
    /// What `observe` read from the world.
    type Observed;
    fn decide(request: &Self::Request, observed: Self::Observed) -> Result<Self>;
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
pub async fn drive<S: Stage>(
    args: <S::Request as FromArgs>::Args,
    ctx: &Context,
) -> Result<Report> {
    let request = S::Request::from_args(args, ctx)?;
    let observed = S::observe(&request, ctx).await?;
    let plan = S::Plan::decide(&request, observed)?;
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
