//! `ingest`: what a new version changed against the previous stored one,
//! and the files that say so: `openapi/diffs/{from}..{to}.json|.md`,
//! `openapi/migrations/{version}.md` when something breaks, and the
//! `CHANGELOG.md` entry, and the version timeline (`openapi/history/index.json`,
//! `openapi/TIMELINE.md`, see [`crate::timeline`]). Pure: texts in, file
//! contents out.

use super::changelog;
use crate::diff::ignore::Ignored;
use crate::diff::report::{self, Sides};
use crate::diff::{ChangeKind, Finding, implied_change, render_json, summarize};
use crate::layout::{Layout, display_path};
use crate::render::{self, Templates};
use crate::spec;
use crate::timeline;
use anyhow::Result;
use semver::Version;
use std::path::PathBuf;

/// The diff against the previous stored version, after the ignore file.
#[derive(Debug, Clone)]
pub struct Changes {
    pub previous: Version,
    pub findings: Vec<Finding>,
    pub ignored: Vec<Ignored>,
}

impl Changes {
    pub fn implied(&self) -> ChangeKind {
        implied_change(&self.findings)
    }

    pub fn breaking(&self) -> bool {
        summarize(&self.findings).breaking > 0
    }
}

/// Files to write, and where the diff and notes ended up (for outputs).
#[derive(Debug, Clone, Default)]
pub struct ChangeFiles {
    pub files: Vec<(PathBuf, Vec<u8>)>,
    pub diff_path: Option<String>,
    pub migration_notes_path: Option<String>,
    /// The ingest summary's Mermaid timeline (empty until [`timeline_files`]).
    pub timeline_mermaid: String,
}

/// Adds `entry` to `index` (the versions stored before) and the new
/// `index.json` and `TIMELINE.md` to `out`, so that they are written in the
/// same atomic step as the version. The entry's diff and migration notes
/// are the ones `out` holds.
pub fn timeline_files(
    layout: &Layout,
    out: &mut ChangeFiles,
    mut index: timeline::Index,
    mut entry: timeline::Entry,
    title: &str,
) {
    entry.diff_path = out.diff_path.clone();
    entry.migration_notes_path = out.migration_notes_path.clone();
    let version = entry.version.clone();
    index.insert(entry, title);
    out.timeline_mermaid = index.summary_mermaid(&version);
    out.files
        .push((layout.history_index_file(), index.to_bytes()));
    let links_from = display_path(layout.root());
    out.files.push((
        layout.timeline_file(),
        index.markdown(&links_from).into_bytes(),
    ));
}

/// What the change files need to know about the new version.
/// The files [`change_files`] writes besides the changelog, in the same
/// order, without rendering them (for a plan's description).
pub fn change_paths(layout: &Layout, version: &Version, changes: &Changes) -> Vec<PathBuf> {
    let mut paths = vec![
        layout.diff_file(&changes.previous, version, "json"),
        layout.diff_file(&changes.previous, version, "md"),
    ];
    if changes.breaking() {
        paths.push(layout.migration_notes_file(version));
    }
    paths
}

pub struct NewVersion<'a> {
    pub version: &'a Version,
    pub title: &'a str,
    /// `YYYY-MM-DD`, for the changelog heading.
    pub date: &'a str,
}

pub fn change_files(
    templates: &Templates,
    layout: &Layout,
    new: &NewVersion<'_>,
    changes: Option<&Changes>,
    changelog_path: PathBuf,
    existing_changelog: Option<&str>,
) -> Result<ChangeFiles> {
    let mut out = ChangeFiles::default();
    let findings: &[Finding] = changes.map_or(&[], |c| &c.findings);
    if let Some(changes) = changes {
        let json_path = layout.diff_file(&changes.previous, new.version, "json");
        let md_path = layout.diff_file(&changes.previous, new.version, "md");
        let json = render_json(&changes.findings, &summarize(&changes.findings));
        out.files.push((json_path, spec::canonical_json(&json)));
        let sides = Sides {
            base: changes.previous.to_string(),
            revision: new.version.to_string(),
        };
        let view = report::diff_report(sides, &changes.findings, &changes.ignored);
        out.files.push((
            md_path.clone(),
            templates.render(render::DIFF_REPORT, view)?.into_bytes(),
        ));
        out.diff_path = Some(display_path(&md_path));
        if changes.breaking() {
            let notes_path = layout.migration_notes_file(new.version);
            let notes = report::migration_notes(
                &new.version.to_string(),
                &changes.previous.to_string(),
                new.title,
                &changes.findings,
            );
            out.files.push((
                notes_path.clone(),
                templates
                    .render(render::MIGRATION_NOTES, notes)?
                    .into_bytes(),
            ));
            out.migration_notes_path = Some(display_path(&notes_path));
        }
    }
    let previous = changes.map(|c| c.previous.to_string());
    let mut entry = report::changelog_entry(
        &new.version.to_string(),
        previous.as_deref(),
        new.date,
        new.title,
        findings,
    );
    entry.diff_path = out.diff_path.clone();
    entry.migration_notes_path = out.migration_notes_path.clone();
    let entry = templates.render(render::CHANGELOG_ENTRY, entry)?;
    let changelog = changelog::prepend(existing_changelog, &entry);
    out.files.push((changelog_path, changelog.into_bytes()));
    Ok(out)
}
