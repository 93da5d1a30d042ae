//! The output vocabulary of the semantic diff: levels, findings, the summary
//! counts and the semver change a set of findings implies.
//!
//! Pure data and arithmetic: this module must not do I/O.

use serde::{Deserialize, Serialize};

use super::rules;

pub use super::level::Level;

/// One logical change between two specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable kebab-case rule id (oasdiff's id where oasdiff has the same rule).
    pub id: String,
    pub level: Level,
    /// `"GET /pets/{id}"` when the change concerns an operation. For a change
    /// inside a shared component this is the first affected operation in
    /// sorted order; the message says how many operations are affected.
    pub operation: Option<String>,
    /// `"schemas/Pet"` when the change sits inside a component.
    pub component: Option<String>,
    /// RFC 6901 JSON pointer into the base document.
    pub base_pointer: Option<String>,
    /// RFC 6901 JSON pointer into the revision document.
    pub revision_pointer: Option<String>,
    /// One plain sentence.
    pub message: String,
}

/// Number of findings per level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub breaking: usize,
    pub warning: usize,
    pub info: usize,
}

/// Counts findings per level.
pub fn summarize(findings: &[Finding]) -> Summary {
    let mut summary = Summary::default();
    for finding in findings {
        match finding.level {
            Level::Breaking => summary.breaking += 1,
            Level::Warning => summary.warning += 1,
            Level::Info => summary.info += 1,
        }
    }
    summary
}

/// What a diff implies for the version number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    None,
    Patch,
    Minor,
    Major,
}

/// Breaking findings imply a major bump, additions (rules flagged `minor` in
/// the catalog) a minor bump, any other finding a patch, no finding nothing.
pub fn implied_change(findings: &[Finding]) -> ChangeKind {
    findings
        .iter()
        .map(|finding| {
            if finding.level == Level::Breaking {
                ChangeKind::Major
            } else if rules::rule(&finding.id).is_some_and(|rule| rule.minor) {
                ChangeKind::Minor
            } else {
                ChangeKind::Patch
            }
        })
        .max()
        .unwrap_or(ChangeKind::None)
}
