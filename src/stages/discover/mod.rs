//! The `discover` stage: which integrations the front end declares in its
//! markup, whether the manifest library describes them consistently, and
//! their typed configuration.
//!
//! request (paths checked) -> observe (walk and scan the sources in
//! parallel, read the manifests and the provider specs they name) ->
//! decide (the verdict of `crate::discover::validate`, pure) -> apply
//! (annotate, render the configuration from the overridable templates,
//! write or `--check` it, report).

mod apply;
pub mod plan;
pub mod request;

use super::shape::{self, Declared as _, Stage};
use super::{Context, Report};
use crate::adapters::walk::{self, FileRead, WalkOptions};
use crate::cli::DiscoverArgs;
use crate::discover::manifest::{self, VERSION_PLACEHOLDER};
use crate::discover::scan::Scanner;
use crate::discover::validate::{self as verdict, ManifestFile, SourceFile, SourceOutcome, Specs};
use crate::layout::{LatestRecord, Layout, display_path};
use anyhow::Result;
use plan::Plan;
use request::DiscoverRequest;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Largest manifest read, in bytes.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// What `observe` read.
pub struct Observed {
    pub sources: Vec<SourceFile>,
    pub walk_problems: Vec<(Option<String>, String)>,
    pub manifests: BTreeMap<String, ManifestFile>,
    pub specs: Specs,
    pub existing: Vec<(PathBuf, Option<Vec<u8>>)>,
}

shape::stage!(Discover = "discover",
    args: DiscoverArgs, request: DiscoverRequest, plan: Plan, outputs: [
    "found_count", "missing_count", "cycle_count", "valid",
]);

impl Stage for Discover {
    async fn observe(request: &DiscoverRequest, ctx: &Context) -> Result<Observed> {
        let (sources, walk_problems) = {
            let _group = ctx.runtime.group("Scanning the front-end sources");
            scan_sources(request, &ctx.workspace)?
        };
        let manifests = read_manifests(&ctx.workspace, &request.manifests_dir)?;
        let specs = read_specs(&ctx.workspace, &manifests, request.max_spec_bytes);
        let mut existing = Vec::new();
        for path in plan::generated_paths(request) {
            let contents = crate::adapters::fs::read_optional(&ctx.workspace.join(&path))?;
            existing.push((path, contents));
        }
        Ok(Observed {
            sources,
            walk_problems,
            manifests,
            specs,
            existing,
        })
    }

    async fn apply(request: DiscoverRequest, plan: Plan, ctx: &Context) -> Result<Report> {
        apply::apply(&request, plan, ctx)
    }

    fn dry_run_report(_request: &DiscoverRequest, plan: &Plan, _ctx: &Context) -> Result<Report> {
        let mut report = shape::dry_run_report(Self::NAME, plan);
        apply::set_counts(&mut report.outputs, &plan.outcome);
        Ok(report)
    }
}

type Sources = (Vec<SourceFile>, Vec<(Option<String>, String)>);

fn scan_sources(request: &DiscoverRequest, workspace: &Path) -> Result<Sources> {
    let scanner = Scanner::new();
    let options = WalkOptions {
        root: workspace.to_path_buf(),
        globs: request.globs.clone(),
        extensions: request::EXTENSIONS
            .iter()
            .map(|e| (*e).to_owned())
            .collect(),
        max_file_bytes: request.max_file_bytes,
        threads: 0,
    };
    let walked = walk::read_tree(&options, |bytes| scanner.scan(bytes))?;
    let limit = request.max_file_bytes;
    let sources = walked
        .files
        .into_iter()
        .map(|(path, read)| SourceFile {
            path,
            outcome: match read {
                FileRead::Visited(scan) => SourceOutcome::Scanned(scan),
                FileRead::TooLarge(size) => SourceOutcome::Skipped(format!(
                    "{size} bytes, larger than max_file_bytes ({limit}): not scanned"
                )),
                FileRead::Unreadable(why) => SourceOutcome::Skipped(format!("unreadable: {why}")),
            },
        })
        .collect();
    tracing::info!("scanned the sources");
    Ok((sources, walked.problems))
}

/// Every `*.yaml` in the manifests folder, by file stem.
fn read_manifests(workspace: &Path, dir: &Path) -> Result<BTreeMap<String, ManifestFile>> {
    let mut manifests = BTreeMap::new();
    let full = workspace.join(dir);
    if !full.is_dir() {
        return Ok(manifests);
    }
    for name in crate::adapters::fs::list_dir(&full)?.unwrap_or_default() {
        let Some(stem) = name.strip_suffix(".yaml") else {
            continue;
        };
        let path = display_path(&dir.join(&name));
        let text = crate::adapters::fs::read_capped(&full.join(&name), MAX_MANIFEST_BYTES)
            .map_err(|e| format!("{e:#}"))
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned()));
        manifests.insert(stem.to_owned(), ManifestFile { path, text });
    }
    Ok(manifests)
}

/// The provider specs the manifests name (for each version they list), the
/// targets of `latest.json` records, and the newest version in each history folder.
fn read_specs(workspace: &Path, manifests: &BTreeMap<String, ManifestFile>, limit: u64) -> Specs {
    let mut specs = Specs::default();
    for (name, file) in manifests {
        let Some(m) = file
            .text
            .as_deref()
            .ok()
            .and_then(|t| manifest::parse(name, t).ok())
        else {
            continue;
        };
        let Some(api) = &m.api else {
            continue;
        };
        let mut paths: Vec<String> = if api.spec.contains(VERSION_PLACEHOLDER) {
            m.versions
                .iter()
                .map(|v| api.spec.replace(VERSION_PLACEHOLDER, v))
                .collect()
        } else {
            vec![api.spec.clone()]
        };
        for path in &mut paths {
            if path.ends_with("latest.json")
                && let Some(target) = latest_target(workspace, path)
            {
                specs.aliases.insert(path.clone(), target.clone());
                *path = target;
            }
        }
        for path in paths {
            if let Some((dir, _)) = verdict::history_entry(&path)
                && !specs.newest.contains_key(&dir)
                && let Some(newest) = newest_in(workspace, &dir)
            {
                load_spec(workspace, &newest.1, limit, &mut specs);
                specs.newest.insert(dir, newest);
            }
            load_spec(workspace, &path, limit, &mut specs);
        }
    }
    specs
}

fn latest_target(workspace: &Path, path: &str) -> Option<String> {
    let bytes = crate::adapters::fs::read_optional(&workspace.join(path)).ok()??;
    let record: LatestRecord = serde_json::from_slice(&bytes).ok()?;
    Some(record.path)
}

fn newest_in(workspace: &Path, dir: &str) -> Option<(semver::Version, String)> {
    crate::adapters::fs::list_dir(&workspace.join(dir))
        .ok()??
        .into_iter()
        .filter_map(|name| {
            let version = Layout::version_of_history_file(&name)?;
            Some((version, format!("{dir}/{name}")))
        })
        .max()
}

/// Reads and parses one spec once; a file that does not exist is left out.
fn load_spec(workspace: &Path, path: &str, limit: u64, specs: &mut Specs) {
    if specs.files.contains_key(path) {
        return;
    }
    let full = workspace.join(path);
    if !full.exists() {
        return;
    }
    let parsed = crate::adapters::fs::read_capped(&full, limit)
        .map_err(|e| format!("{e:#}"))
        .and_then(|bytes| {
            crate::spec::parse_document_owned(bytes)
                .map(|doc| crate::spec::upgrade_to_31(&doc.value))
                .map_err(|e| e.to_string())
        });
    specs.files.insert(path.to_owned(), parsed);
}
