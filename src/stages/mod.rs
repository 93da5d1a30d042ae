//! One module per stage. A stage turns its raw arguments into a validated
//! request, decides a plan (pure), carries it out through the adapters, and
//! returns a [`Report`] that `main` hands to the Actions runtime.

pub mod ingest;

use crate::actions::{Outputs, Runtime, event::Event};
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
}

/// What a stage hands back: outputs for the next job, Markdown for the summary.
#[derive(Debug)]
pub struct Report {
    pub outputs: Outputs,
    pub summary: String,
}

/// Every stage's name and its outputs, for `action.yml`'s consistency check.
pub const STAGE_OUTPUTS: &[(&str, &[&str])] = &[("ingest", ingest::OUTPUTS)];

pub async fn run(stage: StageArgs, ctx: &Context) -> Result<Report> {
    match stage {
        StageArgs::Ingest(args) => ingest::run(args, ctx).await,
    }
}
