//! The version timeline of a spec history: `openapi/history/index.json`
//! (every stored version with its date, checksum, change type, breaking
//! count and, when the announcement carried one, its correlation id) and
//! `openapi/TIMELINE.md` (a Mermaid timeline of the versions, breaking
//! releases marked, and a table linking each version's diff and migration
//! notes). `ingest` rewrites both in the same atomic write as the version.
//!
//! Pure: the old index's bytes and the new entry in, both files' bytes out.
//! When there is no `index.json` yet but versions are stored (a history
//! from before the timeline), [`rebuild`] makes one from what the history
//! holds: see [`StoredVersion`] for where each field comes from.
//! The output depends only on the entries, never on the order in which they
//! were ingested, so the same history gives the same bytes.

use crate::layout::LatestRecord;
use crate::render::mermaid::timeline_text as text;
use semver::Version;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// How many versions the ingest summary's diagram shows around the new one.
const SUMMARY_WINDOW: usize = 6;

/// One stored version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub version: String,
    /// `YYYY-MM-DD`, the day it was ingested.
    pub date: String,
    /// SHA-256 of the spec as downloaded (the announced checksum).
    pub checksum: String,
    /// major, minor or patch: what the diff implies (the producer's word for a first version).
    pub change_type: String,
    pub breaking_count: u64,
    /// The announcement's correlation id, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The stored spec, relative to the workspace.
    pub spec_path: String,
    /// The diff against the previous version, relative to the workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff_path: Option<String>,
    /// The migration notes, when something broke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration_notes_path: Option<String>,
}

/// `index.json`: the API's title and every version, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub title: String,
    pub versions: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    #[error("{path} is not an index.json that specrelay wrote ({source}); fix or remove it")]
    Unreadable {
        path: String,
        source: serde_json::Error,
    },
}

impl Index {
    /// The index stored at `path` (for messages), or an empty one.
    pub fn parse(bytes: Option<&[u8]>, path: &str) -> Result<Index, TimelineError> {
        match bytes {
            None => Ok(Index::default()),
            Some(bytes) => {
                serde_json::from_slice(bytes).map_err(|source| TimelineError::Unreadable {
                    path: path.to_owned(),
                    source,
                })
            }
        }
    }

    /// Adds `entry` (replacing one of the same version) and keeps the
    /// versions in semver order; the title follows the newest version's.
    pub fn insert(&mut self, entry: Entry, title: &str) {
        let version = entry.version.clone();
        self.versions.retain(|e| e.version != version);
        self.versions.push(entry);
        self.versions.sort_by(|a, b| order(&a.version, &b.version));
        let newest = self.versions.last().is_some_and(|e| e.version == version);
        if newest || self.title.is_empty() {
            self.title = title.to_owned();
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("an index serialises");
        bytes.push(b'\n');
        bytes
    }

    /// `TIMELINE.md`; `links_from` is the folder the file lives in (the
    /// history folder's parent, `openapi`), so links are relative to it.
    pub fn markdown(&self, links_from: &str) -> String {
        let mut out = format!("# {} versions\n\n", self.title);
        out.push_str(
            "Written by specrelay's `ingest` on every stored version; do not edit. \
             Breaking releases are marked ⚠.\n\n",
        );
        out.push_str(&self.mermaid(&self.versions, None));
        out.push_str(
            "\n| version | date | change | breaking | diff | migration notes |\n\
             |---|---|---|---|---|---|\n",
        );
        for e in self.versions.iter().rev() {
            let link = |path: &Option<String>, text: &str| {
                path.as_deref().map_or_else(String::new, |p| {
                    format!("[{text}]({})", relative(p, links_from))
                })
            };
            let _ = writeln!(
                out,
                "| [{v}]({spec}) | {date} | {change} | {breaking} | {diff} | {notes} |",
                v = e.version,
                spec = relative(&e.spec_path, links_from),
                date = e.date,
                change = e.change_type,
                breaking = if e.breaking_count > 0 {
                    format!("⚠ {}", e.breaking_count)
                } else {
                    "0".to_owned()
                },
                diff = link(&e.diff_path, "diff"),
                notes = link(&e.migration_notes_path, "notes"),
            );
        }
        out
    }

    /// The ingest summary's picture: the last few versions up to and
    /// around `version`, with `version` marked as this run's.
    pub fn summary_mermaid(&self, version: &str) -> String {
        let at = self
            .versions
            .iter()
            .position(|e| e.version == version)
            .unwrap_or(self.versions.len().saturating_sub(1));
        let start = (at + 2).saturating_sub(SUMMARY_WINDOW);
        let end = (start + SUMMARY_WINDOW).min(self.versions.len());
        self.mermaid(&self.versions[start..end], Some(version))
    }

    /// A Mermaid `timeline` block: one section per major version, one
    /// period per version with its date and change.
    fn mermaid(&self, entries: &[Entry], current: Option<&str>) -> String {
        let mut out = String::from("```mermaid\ntimeline\n");
        let _ = writeln!(out, "    title {}", text(&self.title));
        let mut section = None;
        for e in entries {
            let major =
                Version::parse(&e.version).map_or(e.version.clone(), |v| format!("{}.x", v.major));
            if section.as_ref() != Some(&major) {
                let _ = writeln!(out, "    section {major}");
                section = Some(major);
            }
            let mut change = text(&e.change_type);
            if e.breaking_count > 0 {
                let _ = write!(change, " ⚠ {} breaking", e.breaking_count);
            }
            let this = if current == Some(e.version.as_str()) {
                " : ◀ this run"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "        {} : {} : {change}{this}",
                text(&e.version),
                text(&e.date)
            );
        }
        out.push_str("```\n");
        out
    }
}

/// A stored version, as the history folder knows it, for [`rebuild`].
#[derive(Debug, Clone)]
pub struct StoredVersion {
    pub version: Version,
    /// The stored file, relative to the workspace.
    pub spec_path: String,
    /// SHA-256 of the stored file: the checksum of a rebuilt entry, except
    /// for the version `latest.json` records, which keeps the announced one.
    pub stored_sha256: String,
    /// The Markdown diff against the previous version and the JSON diff's
    /// bytes, when `openapi/diffs/` has them.
    pub diff: Option<(String, Vec<u8>)>,
    pub migration_notes_path: Option<String>,
}

/// An index for a history stored before there was one. Dates come from the
/// changelog's `## {version} ({date})` headings (`unknown` without one),
/// the breaking count from the stored JSON diff, the change type from the
/// version bump; `latest.json`'s version keeps its recorded checksum, change
/// type and date. No correlation ids: they were never stored.
pub fn rebuild(
    title: &str,
    stored: &[StoredVersion],
    latest: Option<&LatestRecord>,
    changelog: Option<&str>,
) -> Index {
    let mut index = Index::default();
    let mut previous: Option<&Version> = None;
    for s in stored {
        let version = s.version.to_string();
        let breaking_count = s.diff.as_ref().map_or(0, |(_, json)| breaking_in(json));
        let mut entry = Entry {
            date: changelog
                .and_then(|c| changelog_date(c, &version))
                .unwrap_or_else(|| "unknown".to_owned()),
            checksum: s.stored_sha256.clone(),
            change_type: bump(previous, &s.version).to_owned(),
            breaking_count,
            correlation_id: None,
            spec_path: s.spec_path.clone(),
            diff_path: s.diff.as_ref().map(|(path, _)| path.clone()),
            migration_notes_path: s.migration_notes_path.clone(),
            version,
        };
        if let Some(latest) = latest.filter(|l| l.version == entry.version) {
            entry.checksum = latest.checksum.clone();
            entry.change_type = latest.change_type.clone();
            if let Some(day) = latest.ingested_at.get(..10) {
                entry.date = day.to_owned();
            }
        }
        index.insert(entry, title);
        previous = Some(&s.version);
    }
    index
}

/// `summary.breaking` of a stored JSON diff (0 when it is not one).
fn breaking_in(json: &[u8]) -> u64 {
    serde_json::from_slice::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v["summary"]["breaking"].as_u64())
        .unwrap_or(0)
}

/// The date of the changelog heading `## {version} ({date})`.
fn changelog_date(changelog: &str, version: &str) -> Option<String> {
    let heading = format!("## {version} (");
    changelog.lines().find_map(|line| {
        let date = line.strip_prefix(&heading)?.strip_suffix(')')?;
        (date.len() == 10).then(|| date.to_owned())
    })
}

/// What the version number says changed since `previous` (`major` for the
/// first version).
fn bump(previous: Option<&Version>, next: &Version) -> &'static str {
    match previous {
        None => "major",
        Some(p) if p.major != next.major || (next.major == 0 && p.minor != next.minor) => "major",
        Some(p) if p.minor != next.minor => "minor",
        Some(_) => "patch",
    }
}

/// Semver order, with unparsable versions (none are stored) last by text.
fn order(a: &str, b: &str) -> std::cmp::Ordering {
    match (Version::parse(a), Version::parse(b)) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// `openapi/diffs/a.md` seen from `openapi` -> `diffs/a.md`; a path outside
/// it gets `../` for each folder of `from`.
fn relative(path: &str, from: &str) -> String {
    let from = from.trim_end_matches('/');
    if from.is_empty() || from == "." {
        return path.to_owned();
    }
    match path.strip_prefix(from).and_then(|p| p.strip_prefix('/')) {
        Some(inside) => inside.to_owned(),
        None => format!("{}{path}", "../".repeat(from.split('/').count())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(version: &str, breaking: u64) -> Entry {
        Entry {
            version: version.into(),
            date: "2026-01-02".into(),
            checksum: "ab".repeat(32),
            change_type: if breaking > 0 { "major" } else { "minor" }.into(),
            breaking_count: breaking,
            correlation_id: None,
            spec_path: format!("openapi/history/openapi-{version}.json"),
            diff_path: Some(format!("openapi/diffs/x..{version}.md")),
            migration_notes_path: (breaking > 0)
                .then(|| format!("openapi/migrations/{version}.md")),
        }
    }

    #[test]
    fn the_order_of_ingestion_does_not_change_the_bytes() {
        let mut a = Index::default();
        let mut b = Index::default();
        for v in ["1.0.0", "1.1.0", "2.0.0"] {
            a.insert(entry(v, u64::from(v == "2.0.0")), "Pets");
        }
        for v in ["2.0.0", "1.0.0", "1.1.0"] {
            b.insert(entry(v, u64::from(v == "2.0.0")), "Pets");
        }
        assert_eq!(a.to_bytes(), b.to_bytes());
        assert_eq!(a.markdown("openapi"), b.markdown("openapi"));
        let reread = Index::parse(Some(&a.to_bytes()), "index.json").unwrap();
        assert_eq!(reread, a);
    }

    #[test]
    fn breaking_releases_are_marked_and_linked() {
        let mut index = Index::default();
        index.insert(entry("1.0.0", 0), "Pets");
        index.insert(entry("2.0.0", 3), "Pets");
        let md = index.markdown("openapi");
        assert!(md.contains("    section 2.x\n        2.0.0 : 2026-01-02 : major ⚠ 3 breaking\n"));
        assert!(md.contains("[notes](migrations/2.0.0.md)"), "{md}");
        assert!(md.contains("[2.0.0](history/openapi-2.0.0.json)"), "{md}");
        assert!(index.summary_mermaid("2.0.0").contains("◀ this run"));
    }

    #[test]
    fn a_correlation_id_is_kept_only_when_there_is_one() {
        let mut with = entry("1.0.0", 0);
        with.correlation_id = Some("run-42".into());
        let json = String::from_utf8(serde_json::to_vec(&with).unwrap()).unwrap();
        assert!(json.contains("\"correlation_id\":\"run-42\""));
        let without = String::from_utf8(serde_json::to_vec(&entry("1.0.0", 0)).unwrap()).unwrap();
        assert!(!without.contains("correlation_id"));
    }

    #[test]
    fn links_are_relative_to_the_timeline() {
        assert_eq!(relative("openapi/diffs/a.md", "openapi"), "diffs/a.md");
        assert_eq!(
            relative("CHANGELOG.md", "docs/openapi"),
            "../../CHANGELOG.md"
        );
    }

    #[test]
    fn an_index_specrelay_did_not_write_is_refused() {
        assert!(Index::parse(Some(b"[1]"), "openapi/history/index.json").is_err());
        assert_eq!(Index::parse(None, "x").unwrap(), Index::default());
    }

    #[test]
    fn a_history_without_an_index_is_rebuilt() {
        let stored = |v: &str, diff: Option<u64>| StoredVersion {
            version: Version::parse(v).unwrap(),
            spec_path: format!("openapi/history/openapi-{v}.json"),
            stored_sha256: format!("sha-{v}"),
            diff: diff.map(|b| {
                (
                    format!("openapi/diffs/x..{v}.md"),
                    format!(r#"{{"summary":{{"breaking":{b},"warning":0,"info":1}}}}"#)
                        .into_bytes(),
                )
            }),
            migration_notes_path: None,
        };
        let changelog = "# Changelog\n\n## 2.0.0 (2026-03-04)\n\n## 1.0.0 (2026-01-02)\n";
        let latest: LatestRecord = serde_json::from_value(serde_json::json!({
            "version": "2.0.0", "checksum": "announced", "stored_sha256": "sha-2.0.0",
            "path": "openapi/history/openapi-2.0.0.json", "previous_version": "1.1.0",
            "change_type": "major", "breaking": true, "title": "Pets", "source_repo": "acme/api",
            "download_url": "https://x/openapi.json", "ingested_at": "2026-03-05T10:00:00Z"
        }))
        .unwrap();
        let index = rebuild(
            "Pets",
            &[
                stored("1.0.0", None),
                stored("1.1.0", Some(0)),
                stored("2.0.0", Some(2)),
            ],
            Some(&latest),
            Some(changelog),
        );
        let got: Vec<_> = index
            .versions
            .iter()
            .map(|e| {
                (
                    e.version.as_str(),
                    e.date.as_str(),
                    e.change_type.as_str(),
                    e.breaking_count,
                    e.checksum.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("1.0.0", "2026-01-02", "major", 0, "sha-1.0.0"),
                ("1.1.0", "unknown", "minor", 0, "sha-1.1.0"),
                ("2.0.0", "2026-03-05", "major", 2, "announced"),
            ]
        );
        assert_eq!(
            index.versions[1].diff_path.as_deref(),
            Some("openapi/diffs/x..1.1.0.md")
        );
    }
}
