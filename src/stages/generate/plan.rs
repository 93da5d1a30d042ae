//! `generate`: what to do with the SDKs rendered in memory, decided before
//! anything is written. Pure. Each SDK's [`Drift`] says which files change
//! and which go; `--check` turns drift into a failure instead of writes.
//!
//! The types `observe` fills ([`Observed`], [`Sdk`], [`Drift`] and the
//! pure [`drift`] comparison) live here, with the decision that takes
//! them, so the flow is one-way: observe -> plan -> apply.

use super::request::Request;
use crate::layout::display_path;
use crate::sdk::Language;
use crate::stages::shape::{Decide, Describe, Failure};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How the files on disk differ from the generated ones.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Generated files that are missing or different on disk (their
    /// contents are in [`Sdk::files`]).
    pub write: Vec<String>,
    /// Files on disk that the generator no longer produces.
    pub remove: Vec<String>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.write.is_empty() && self.remove.is_empty()
    }

    /// One line per file, for messages and the summary.
    pub fn listing(&self) -> Vec<String> {
        let written = self.write.iter().map(|p| format!("changed: {p}"));
        let removed = self.remove.iter().map(|p| format!("removed: {p}"));
        written.chain(removed).collect()
    }
}

/// Compares generated files with what is on disk (both keyed by relative path).
pub fn drift(generated: &[(String, String)], on_disk: &BTreeMap<String, String>) -> Drift {
    let write = generated
        .iter()
        .filter(|(path, contents)| on_disk.get(path) != Some(contents))
        .map(|(path, _)| path.clone())
        .collect();
    let remove = on_disk
        .keys()
        .filter(|path| !generated.iter().any(|(p, _)| p == *path))
        .cloned()
        .collect();
    Drift { write, remove }
}

/// One language's SDK, generated in memory and compared with the disk.
#[derive(Debug)]
pub struct Sdk {
    pub language: Language,
    /// The package folder, relative to the workspace (`sdk/python`).
    pub folder: PathBuf,
    pub package: String,
    pub version: String,
    /// Every generated file, as (path in the folder, contents).
    pub files: Vec<(String, String)>,
    /// Files in the folder that are build output, not generated.
    pub is_artifact: fn(&str) -> bool,
    pub drift: Drift,
}

impl Sdk {
    pub fn label(&self) -> &'static str {
        match self.language {
            Language::TypeScript => "TypeScript",
            Language::Python => "Python",
        }
    }

    /// `name@version` (npm) or `name==version` (PyPI).
    pub fn spec(&self) -> String {
        match self.language {
            Language::TypeScript => format!("{}@{}", self.package, self.version),
            Language::Python => format!("{}=={}", self.package, self.version),
        }
    }
}

/// What `observe` found: the version, and every SDK with its drift.
pub struct Observed {
    pub version: String,
    pub sdks: Vec<Sdk>,
}

/// Everything one generate run will do.
#[derive(Debug)]
pub struct GeneratePlan {
    pub version: String,
    pub sdks: Vec<Sdk>,
    /// `--check`: report drift as a failure and write nothing.
    pub check: bool,
    /// Commit the SDK folders through GitHub's API after writing them.
    pub commit: bool,
}

impl GeneratePlan {
    /// Any SDK differs from its folder on disk.
    pub fn changed(&self) -> bool {
        self.sdks.iter().any(|s| !s.drift.is_empty())
    }

    /// Under `--check`, the failure that lists every drifted file.
    pub fn check_failure(&self) -> Option<Failure> {
        if !self.check {
            return None;
        }
        let drifted: Vec<String> = self
            .sdks
            .iter()
            .filter(|s| !s.drift.is_empty())
            .map(|s| {
                let listing = s.drift.listing();
                format!(
                    "{} is not what the spec generates ({} file(s)):\n  {}",
                    display_path(&s.folder),
                    listing.len(),
                    listing.join("\n  ")
                )
            })
            .collect();
        (!drifted.is_empty()).then(|| {
            Failure::policy(format!(
                "{}\nRun `specrelay generate` and commit the result.",
                drifted.join("\n")
            ))
        })
    }
}

impl Decide for GeneratePlan {
    type Request = Request;
    type Observed = Observed;
    fn decide(request: &Request, observed: Observed) -> anyhow::Result<Self> {
        let commit = request.commit.enabled;
        Ok(decide(
            observed.version,
            observed.sdks,
            request.check,
            commit,
        ))
    }
}

/// The plan: the rendered SDKs and their drift, to write, or to check.
pub fn decide(version: String, sdks: Vec<Sdk>, check: bool, commit: bool) -> GeneratePlan {
    GeneratePlan {
        version,
        sdks,
        check,
        commit: commit && !check,
    }
}

impl Describe for GeneratePlan {
    fn describe(&self) -> Vec<String> {
        if self.check {
            return Vec::new();
        }
        let mut lines = Vec::new();
        for sdk in &self.sdks {
            let folder = display_path(&sdk.folder);
            lines.extend(
                sdk.drift
                    .write
                    .iter()
                    .map(|p| format!("write {folder}/{p}")),
            );
            lines.extend(
                sdk.drift
                    .remove
                    .iter()
                    .map(|p| format!("remove {folder}/{p}")),
            );
        }
        if self.commit {
            let packages: Vec<String> = self.sdks.iter().map(Sdk::spec).collect();
            lines.push(format!(
                "commit {} to the workflow's branch through GitHub's API",
                packages.join(", ")
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_lists_changed_new_and_stale_files() {
        let generated = vec![
            ("a.js".to_owned(), "same".to_owned()),
            ("b.js".to_owned(), "new".to_owned()),
            ("c.js".to_owned(), "added".to_owned()),
        ];
        let on_disk: BTreeMap<String, String> = [
            ("a.js".to_owned(), "same".to_owned()),
            ("b.js".to_owned(), "old".to_owned()),
            ("old.js".to_owned(), "gone".to_owned()),
        ]
        .into();
        let d = drift(&generated, &on_disk);
        assert_eq!(
            d.listing(),
            vec!["changed: b.js", "changed: c.js", "removed: old.js"]
        );
        assert!(
            drift(
                &generated[..1],
                &[("a.js".to_owned(), "same".to_owned())].into()
            )
            .is_empty()
        );
    }
}
