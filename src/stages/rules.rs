//! `specrelay rules`: the diff rule catalogue on stdout, so a team can see
//! every rule id (for the ignore file), its level and why it has that level.
//! `--format json` prints every field of [`crate::diff::RuleInfo`] as one
//! array. Reads nothing and writes nothing.

use anyhow::Result;

use super::Report;
use crate::actions::Outputs;
use crate::cli::{RulesArgs, RulesFormat};
use crate::diff::{Level, rules};

/// `rules` sets no outputs: it is a local reference, not a workflow step.
pub const OUTPUTS: &[&str] = &[];

pub fn run(args: &RulesArgs) -> Result<Report> {
    let catalogue = rules();
    let stdout = match args.format {
        RulesFormat::Json => serde_json::to_string_pretty(catalogue)? + "\n",
        RulesFormat::Text => catalogue
            .iter()
            .map(|r| format!("{}\t{}\t{}\n", r.id, r.level.as_str(), r.rationale))
            .collect(),
    };
    let count = |level: Level| catalogue.iter().filter(|r| r.level == level).count();
    let summary = format!(
        "### specrelay rules\n\n{} rules: {} breaking, {} warning, {} info.\n",
        catalogue.len(),
        count(Level::Breaking),
        count(Level::Warning),
        count(Level::Info)
    );
    Ok(Report {
        outputs: Outputs::new(),
        summary,
        stdout: Some(stdout),
        failure: None,
    })
}
