//! `ingest`: reading the version timeline the new version is added to
//! (`openapi/history/index.json`), or, for a history stored before there was
//! one, what [`timeline::rebuild`] needs from the history folder. Reads only.

use crate::adapters::fs;
use crate::adapters::history::History;
use crate::layout::{Layout, display_path};
use crate::spec;
use crate::timeline::{self, StoredVersion};
use anyhow::Result;

use super::plan::StoredHistory;

/// The timeline before this run: `index.json` as stored, else rebuilt from
/// the stored versions (an empty one for an empty history). `title` names
/// the API when nothing stored does.
pub fn read(
    workspace: &std::path::Path,
    history: &History,
    stored: &StoredHistory,
    changelog: Option<&str>,
    title: &str,
) -> Result<timeline::Index> {
    let layout = history.layout();
    let index_path = layout.history_index_file();
    let bytes = fs::read_optional(&workspace.join(&index_path))?;
    if bytes.is_some() || stored.versions.is_empty() {
        return Ok(timeline::Index::parse(
            bytes.as_deref(),
            &display_path(&index_path),
        )?);
    }
    tracing::info!(
        "{} is missing: rebuilding it from the {} stored version(s)",
        display_path(&index_path),
        stored.versions.len()
    );
    let mut versions = Vec::with_capacity(stored.versions.len());
    let mut previous = None;
    for version in &stored.versions {
        versions.push(stored_version(
            workspace, history, layout, previous, version,
        )?);
        previous = Some(version);
    }
    let title = stored.latest.as_ref().map_or(title, |l| l.title.as_str());
    Ok(timeline::rebuild(
        title,
        &versions,
        stored.latest.as_ref(),
        changelog,
    ))
}

/// What the history folder holds about one stored version.
fn stored_version(
    workspace: &std::path::Path,
    history: &History,
    layout: &Layout,
    previous: Option<&semver::Version>,
    version: &semver::Version,
) -> Result<StoredVersion> {
    let bytes = history.stored(version)?.unwrap_or_default();
    let diff = match previous {
        Some(previous) => {
            let json = layout.diff_file(previous, version, "json");
            let md = layout.diff_file(previous, version, "md");
            fs::read_optional(&workspace.join(&json))?.map(|bytes| (display_path(&md), bytes))
        }
        None => None,
    };
    let notes = layout.migration_notes_file(version);
    Ok(StoredVersion {
        version: version.clone(),
        spec_path: display_path(&layout.history_file(version)),
        stored_sha256: spec::sha256_hex(&bytes),
        diff,
        migration_notes_path: workspace
            .join(&notes)
            .is_file()
            .then(|| display_path(&notes)),
    })
}
