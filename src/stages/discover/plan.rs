//! `discover`'s decision: the verdict over what was observed, and the files
//! the run will write (or, with `--check`, compare).
//!
//! Writing rule: a run with blocking problems writes nothing but the stub
//! manifests asked for (`write_stubs`), each only where no file exists; a
//! clean run writes the discovery map, the validation result and the
//! generated configuration together; `--check` writes nothing.

use super::Observed;
use super::request::{CONFIG_FILE, DiscoverRequest, PROVIDER_FILE};
use crate::discover::output;
use crate::discover::validate::{self, Inputs, Outcome};
use crate::layout::display_path;
use crate::stages::shape::{Decide, Describe};
use std::path::PathBuf;

/// What the run does.
pub struct Plan {
    pub outcome: Outcome,
    /// `(workspace-relative path, text)` of stubs to write.
    pub stubs: Vec<(PathBuf, String)>,
    /// The discovery map, result and configuration are written (clean run, not `--check`).
    pub write_outputs: bool,
    pub check: bool,
    /// The generated files as on disk now, for `--check`: (path, contents).
    pub existing: Vec<(PathBuf, Option<Vec<u8>>)>,
    pub discovery_map_path: PathBuf,
    pub validation_path: PathBuf,
}

impl Decide for Plan {
    type Request = DiscoverRequest;
    type Observed = Observed;
    /// Pure.
    fn decide(request: &DiscoverRequest, observed: Observed) -> anyhow::Result<Self> {
        let manifests_dir = display_path(&request.manifests_dir);
        let outcome = validate::validate(&Inputs {
            sources: &observed.sources,
            manifests: &observed.manifests,
            manifests_dir: &manifests_dir,
            specs: &observed.specs,
            walk_problems: &observed.walk_problems,
        });
        let stubs = if request.write_stubs && !request.check {
            stubs(request, &outcome)
        } else {
            Vec::new()
        };
        Ok(Plan {
            write_outputs: !outcome.blocking && !request.check,
            stubs,
            check: request.check,
            existing: observed.existing,
            discovery_map_path: request.discovery_map_path.clone(),
            validation_path: request.validation_path.clone(),
            outcome,
        })
    }
}

fn stubs(request: &DiscoverRequest, outcome: &Outcome) -> Vec<(PathBuf, String)> {
    outcome
        .missing
        .iter()
        .map(|(name, needed_by)| {
            let constraints: Vec<String> = outcome
                .map
                .integrations
                .get(name)
                .and_then(|d| d.attributes.get("version"))
                .cloned()
                .unwrap_or_default();
            let path = request.manifests_dir.join(format!("{name}.yaml"));
            (path, output::stub(name, needed_by, &constraints))
        })
        .collect()
}

/// The generated files, by workspace-relative path.
pub fn generated_paths(request: &DiscoverRequest) -> [PathBuf; 2] {
    [
        request.config_dir.join(CONFIG_FILE),
        request.config_dir.join(PROVIDER_FILE),
    ]
}

impl Describe for Plan {
    fn describe(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .stubs
            .iter()
            .map(|(path, _)| {
                format!(
                    "write the stub manifest {} (unless a file exists there)",
                    display_path(path)
                )
            })
            .collect();
        if self.check {
            for (path, _) in &self.existing {
                lines.push(format!("check that {} is up to date", display_path(path)));
            }
        } else if self.write_outputs {
            lines.push(format!("write {}", display_path(&self.discovery_map_path)));
            lines.push(format!("write {}", display_path(&self.validation_path)));
            for (path, _) in &self.existing {
                lines.push(format!("write {}", display_path(path)));
            }
        }
        lines
    }
}
