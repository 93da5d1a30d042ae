//! What specrelay keeps in a user's repository, and where: the paths below
//! the `openapi/` folder and the `latest.json` record. Every stage that reads
//! or writes the spec history goes through here. Pure: paths are computed,
//! never touched.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The spec history's folder layout inside the workspace.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Relative to the workspace, normally `openapi`.
    root: PathBuf,
}

const HISTORY_PREFIX: &str = "openapi-";
const HISTORY_SUFFIX: &str = ".json";

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout { root: root.into() }
    }

    /// `openapi`: the folder everything else lives in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `openapi/history`
    pub fn history_dir(&self) -> PathBuf {
        self.root.join("history")
    }

    /// `openapi/history/openapi-{version}.json`: written once, never changed.
    pub fn history_file(&self, version: &semver::Version) -> PathBuf {
        self.history_dir()
            .join(format!("{HISTORY_PREFIX}{version}{HISTORY_SUFFIX}"))
    }

    /// `openapi/latest.json`
    pub fn latest_file(&self) -> PathBuf {
        self.root.join("latest.json")
    }

    /// `openapi/history/index.json`: every stored version (see `timeline`).
    pub fn history_index_file(&self) -> PathBuf {
        self.history_dir().join("index.json")
    }

    /// `openapi/TIMELINE.md`: the versions as a Mermaid timeline and a table.
    pub fn timeline_file(&self) -> PathBuf {
        self.root.join("TIMELINE.md")
    }

    /// `openapi/diffs/{from}..{to}.{extension}`: the diff between two stored versions.
    pub fn diff_file(
        &self,
        from: &semver::Version,
        to: &semver::Version,
        extension: &str,
    ) -> PathBuf {
        self.root
            .join("diffs")
            .join(format!("{from}..{to}.{extension}"))
    }

    /// `openapi/migrations/{version}.md`: notes for a version with breaking changes.
    pub fn migration_notes_file(&self, version: &semver::Version) -> PathBuf {
        self.root.join("migrations").join(format!("{version}.md"))
    }

    /// The version a history file name stands for, if it is one of ours.
    pub fn version_of_history_file(file_name: &str) -> Option<semver::Version> {
        let version = file_name
            .strip_prefix(HISTORY_PREFIX)?
            .strip_suffix(HISTORY_SUFFIX)?;
        semver::Version::parse(version).ok()
    }
}

/// A workspace-relative path written with `/`, as it appears in outputs and
/// `latest.json` whatever the platform.
pub fn display_path(path: &Path) -> String {
    path.components()
        .map(|c| match c {
            // The root is the empty name before the first `/`.
            std::path::Component::RootDir => "".into(),
            other => other.as_os_str().to_string_lossy(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `openapi/latest.json`: which version is current and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestRecord {
    pub version: String,
    /// SHA-256 of the spec exactly as downloaded (what the producer announced).
    pub checksum: String,
    /// SHA-256 of the stored canonical file.
    pub stored_sha256: String,
    /// The stored file, relative to the workspace.
    pub path: String,
    pub previous_version: Option<String>,
    /// What changed: the diff's verdict, or the producer's word for a first version.
    pub change_type: String,
    /// The diff against `previous_version` found breaking changes.
    pub breaking: bool,
    pub title: String,
    pub source_repo: String,
    pub download_url: String,
    pub ingested_at: String,
}

impl LatestRecord {
    /// Deterministic bytes: pretty JSON in field order, with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a record always serialises");
        bytes.push(b'\n');
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_use_slashes_and_keep_the_root() {
        assert_eq!(display_path(Path::new("sdk/typescript")), "sdk/typescript");
        assert_eq!(
            display_path(Path::new("/tmp/out/typescript")),
            "/tmp/out/typescript"
        );
    }

    #[test]
    fn history_file_names_round_trip() {
        let layout = Layout::new("openapi");
        let v = semver::Version::parse("1.2.0-beta.1").unwrap();
        let path = layout.history_file(&v);
        assert_eq!(
            display_path(&path),
            "openapi/history/openapi-1.2.0-beta.1.json"
        );
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(Layout::version_of_history_file(name), Some(v.clone()));
        assert_eq!(Layout::version_of_history_file("notes.json"), None);
        assert_eq!(Layout::version_of_history_file("openapi-x.json"), None);
        let from = semver::Version::parse("1.0.0").unwrap();
        assert_eq!(
            display_path(&layout.diff_file(&from, &v, "md")),
            "openapi/diffs/1.0.0..1.2.0-beta.1.md"
        );
        assert_eq!(
            display_path(&layout.migration_notes_file(&v)),
            "openapi/migrations/1.2.0-beta.1.md"
        );
    }
}
