//! One module per stage. Every stage has the shape in [`shape`]: raw
//! arguments become a validated request, the stage observes what it needs,
//! decides a plan (pure), and carries it out through the adapters (or, on
//! `--dry-run`, describes it), returning a [`Report`] that `main` hands to
//! the Actions runtime.

pub mod common;
pub mod diff;
pub mod discover;
pub mod dispatch;
pub mod downstream;
pub mod generate;
pub mod ingest;
pub mod publish;
pub mod reconcile;
pub mod register;
pub mod rules;
pub mod shape;

use crate::actions::{Outputs, Runtime, env::RunnerEnv, event::Event};
use crate::adapters::clock::Clock;
use crate::cli::StageArgs;
use crate::render::Templates;
use anyhow::Result;
use std::path::PathBuf;

/// What every stage gets from the run.
pub struct Context {
    pub runtime: Runtime,
    pub workspace: PathBuf,
    pub clock: Clock,
    pub event: Event,
    pub templates: Templates,
    pub dry_run: bool,
    /// What the runner says about this run, read once in `main`.
    pub env: RunnerEnv,
}

impl Context {
    /// `path` relative to the workspace, `/`-separated, if it lies inside it:
    /// annotations can then point at the file.
    pub fn workspace_relative(&self, path: &std::path::Path) -> Option<String> {
        let workspace = self.workspace.canonicalize().ok()?;
        let path = path.canonicalize().ok()?;
        path.strip_prefix(workspace)
            .ok()
            .map(crate::layout::display_path)
    }
}

/// What a stage hands back: outputs for the next job, Markdown for the
/// summary, an optional report for stdout, and a failure (which still gets
/// its outputs and summary written, then exits with its code).
#[derive(Debug)]
pub struct Report {
    pub outputs: Outputs,
    pub summary: String,
    pub stdout: Option<String>,
    pub failure: Option<shape::Failure>,
}

/// Every stage's name and its outputs, for `action.yml`'s consistency check.
pub const STAGE_OUTPUTS: &[(&str, &[&str])] = &[
    ("ingest", ingest::OUTPUTS),
    ("diff", diff::OUTPUTS),
    ("generate", generate::OUTPUTS),
    ("publish", publish::OUTPUTS),
    ("downstream", downstream::OUTPUTS),
    ("register", register::OUTPUTS),
    ("reconcile", reconcile::OUTPUTS),
    ("discover", discover::OUTPUTS),
    ("rules", rules::OUTPUTS),
    ("dispatch", dispatch::OUTPUTS),
];

/// Runs the chosen stage: each one through [`shape::drive`] (ingest wraps it
/// to tell the producer about a rejection; `rules` only prints).
pub async fn run(stage: StageArgs, ctx: &Context) -> Result<Report> {
    use shape::drive;
    match stage {
        StageArgs::Ingest(args) => ingest::run(*args, ctx).await,
        StageArgs::Diff(args) => drive::<diff::Diff>(args, ctx).await,
        StageArgs::Generate(args) => drive::<generate::Generate>(args, ctx).await,
        StageArgs::Publish(args) => drive::<publish::Publish>(*args, ctx).await,
        StageArgs::Downstream(args) => drive::<downstream::Downstream>(*args, ctx).await,
        StageArgs::Register(args) => drive::<register::Register>(*args, ctx).await,
        StageArgs::Reconcile(args) => drive::<reconcile::Reconcile>(*args, ctx).await,
        StageArgs::Discover(args) => drive::<discover::Discover>(args, ctx).await,
        StageArgs::Rules(args) => rules::run(&args),
        StageArgs::Dispatch(args) => drive::<dispatch::Dispatch>(*args, ctx).await,
    }
}
