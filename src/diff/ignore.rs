//! The ignore file (`.specrelay-ignore`, or input `ignore_file`): findings a
//! team has looked at and accepted, each with the reason. Serves the `diff`
//! and `ingest` stages. Pure: parses text and filters findings; no I/O.
//!
//! ```yaml
//! # .specrelay-ignore
//! - id: response-optional-property-removed  # required: a rule id (see `rules()`)
//!   operation: GET /pets                # optional: only this operation
//!   component: schemas/Pet              # optional: only this component
//!   message_contains: legacy_code       # optional: only findings whose message has this
//!   reason: Never populated since 2021. # required: why this is fine
//! ```
//!
//! An entry matches a finding when every field it gives matches. Unknown
//! keys and unknown rule ids are errors, so a typo cannot silently ignore
//! nothing (or everything).
//!
//! An entry with `level` does not silence: it sets the level of the
//! findings it matches (as oasdiff's `--severity-levels` does), for a team
//! whose clients are stricter or laxer than the default assumes:
//!
//! ```yaml
//! - id: response-property-enum-value-added  # our SDK clients use exhaustive enums
//!   level: breaking                         # breaking | warning | info
//!   reason: Mobile clients crash on unknown enum values.
//! ```
//!
//! The first entry that matches a finding decides: list narrower entries
//! (with `operation`) before broader ones.

use super::finding::{Finding, Level};
use super::rules::rule;
use serde::Deserialize;

/// One accepted finding pattern.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub id: String,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default)]
    pub message_contains: Option<String>,
    /// Set the level of matching findings instead of silencing them.
    #[serde(default)]
    pub level: Option<Level>,
    pub reason: String,
}

/// A parsed ignore file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreList {
    entries: Vec<IgnoreEntry>,
}

/// A finding that an entry silenced, with the entry's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    pub finding: Finding,
    pub reason: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IgnoreError {
    #[error("not a list of ignore entries: {0}")]
    Syntax(String),
    #[error(
        "entry {index}: unknown rule id {id:?} (rule ids are listed in the docs; check the spelling)"
    )]
    UnknownRule { index: usize, id: String },
    #[error("entry {index} ({id}): `reason` is empty; say why this change is acceptable")]
    NoReason { index: usize, id: String },
}

impl IgnoreList {
    /// Parses the YAML text of an ignore file; an empty file ignores nothing.
    pub fn parse(text: &str) -> Result<IgnoreList, IgnoreError> {
        if text.trim().is_empty() {
            return Ok(IgnoreList::default());
        }
        let entries: Option<Vec<IgnoreEntry>> =
            serde_yaml::from_str(text).map_err(|e| IgnoreError::Syntax(e.to_string()))?;
        let entries = entries.unwrap_or_default();
        for (index, entry) in entries.iter().enumerate() {
            let index = index + 1;
            if rule(&entry.id).is_none() {
                return Err(IgnoreError::UnknownRule {
                    index,
                    id: entry.id.clone(),
                });
            }
            if entry.reason.trim().is_empty() {
                return Err(IgnoreError::NoReason {
                    index,
                    id: entry.id.clone(),
                });
            }
        }
        Ok(IgnoreList { entries })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Splits findings into those kept and those an entry silences; a
    /// matching entry with `level` re-levels the finding and keeps it.
    pub fn apply(&self, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Ignored>) {
        let mut kept = Vec::new();
        let mut ignored = Vec::new();
        for mut finding in findings {
            match self.entries.iter().find(|e| e.matches(&finding)) {
                Some(IgnoreEntry {
                    level: Some(level), ..
                }) => {
                    finding.level = *level;
                    kept.push(finding);
                }
                Some(entry) => ignored.push(Ignored {
                    finding,
                    reason: entry.reason.clone(),
                }),
                None => kept.push(finding),
            }
        }
        (kept, ignored)
    }
}

impl IgnoreEntry {
    fn matches(&self, finding: &Finding) -> bool {
        let same = |wanted: &Option<String>, actual: &Option<String>| {
            wanted.as_ref().is_none_or(|w| {
                actual
                    .as_ref()
                    .is_some_and(|a| normalise(a) == normalise(w))
            })
        };
        self.id == finding.id
            && same(&self.operation, &finding.operation)
            && same(&self.component, &finding.component)
            && self
                .message_contains
                .as_ref()
                .is_none_or(|part| finding.message.contains(part.as_str()))
    }
}

/// `get  /pets` and `GET /pets` name the same operation.
fn normalise(text: &str) -> String {
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some(method), Some(path)) => format!("{} {path}", method.to_ascii_uppercase()),
        _ => text.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Level;

    fn finding(id: &str, operation: &str, message: &str) -> Finding {
        Finding {
            id: id.into(),
            level: Level::Breaking,
            operation: Some(operation.into()),
            component: None,
            base_pointer: None,
            revision_pointer: None,
            message: message.into(),
        }
    }

    /// Applies the list written in `yaml`, which must parse, to `findings`.
    fn apply(yaml: &str, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Ignored>) {
        IgnoreList::parse(yaml).unwrap().apply(findings)
    }

    #[test]
    fn entries_match_on_every_field_they_give() {
        let (kept, ignored) = apply(
            "- id: response-optional-property-removed\n  operation: get /pets\n  reason: never populated\n",
            vec![
                finding("response-optional-property-removed", "GET /pets", "a"),
                finding("response-optional-property-removed", "GET /owners", "b"),
                finding("api-path-removed-without-deprecation", "GET /pets", "c"),
            ],
        );
        assert_eq!(kept.len(), 2);
        assert_eq!(ignored.len(), 1);
        assert_eq!(ignored[0].reason, "never populated");
        assert_eq!(ignored[0].finding.message, "a");
    }

    #[test]
    fn message_contains_narrows_further() {
        let (kept, ignored) = apply(
            "- id: response-optional-property-removed\n  message_contains: legacy\n  reason: r\n",
            vec![
                finding(
                    "response-optional-property-removed",
                    "GET /a",
                    "`legacy` removed",
                ),
                finding(
                    "response-optional-property-removed",
                    "GET /a",
                    "`name` removed",
                ),
            ],
        );
        assert_eq!((kept.len(), ignored.len()), (1, 1));
    }

    #[test]
    fn typos_and_missing_reasons_are_errors() {
        assert!(matches!(
            IgnoreList::parse("- id: response-property-remvoed\n  reason: r\n"),
            Err(IgnoreError::UnknownRule { index: 1, .. })
        ));
        assert!(matches!(
            IgnoreList::parse("- id: response-optional-property-removed\n  reason: ' '\n"),
            Err(IgnoreError::NoReason { .. })
        ));
        assert!(matches!(
            IgnoreList::parse("- id: response-optional-property-removed\n"),
            Err(IgnoreError::Syntax(_))
        ));
        assert!(matches!(
            IgnoreList::parse(
                "- id: response-optional-property-removed\n  reason: r\n  operaton: GET /a\n"
            ),
            Err(IgnoreError::Syntax(_))
        ));
    }

    #[test]
    fn a_level_entry_relevels_instead_of_silencing() {
        let mut removed = finding("request-body-removed", "POST /a", "x");
        removed.level = Level::Breaking;
        let mut optional = finding("response-optional-property-removed", "GET /a", "y");
        optional.level = Level::Warning;
        let (kept, ignored) = apply(
            "- id: response-optional-property-removed\n  operation: GET /legacy\n  reason: never read\n\
             - id: response-optional-property-removed\n  level: breaking\n  reason: our clients read every field\n\
             - id: request-body-removed\n  level: info\n  reason: bodies were never sent\n",
            vec![
                finding("response-optional-property-removed", "GET /legacy", "z"),
                optional,
                removed,
                finding("api-path-removed-without-deprecation", "GET /b", "w"),
            ],
        );
        assert_eq!(ignored.len(), 1);
        assert_eq!(ignored[0].finding.message, "z");
        let levels: Vec<(&str, Level)> = kept.iter().map(|f| (f.id.as_str(), f.level)).collect();
        assert_eq!(
            levels,
            [
                ("response-optional-property-removed", Level::Breaking),
                ("request-body-removed", Level::Info),
                ("api-path-removed-without-deprecation", Level::Breaking),
            ]
        );
        assert!(matches!(
            IgnoreList::parse("- id: request-body-removed\n  level: fatal\n  reason: r\n"),
            Err(IgnoreError::Syntax(_))
        ));
    }

    #[test]
    fn empty_files_ignore_nothing() {
        assert!(IgnoreList::parse("").unwrap().is_empty());
        assert!(IgnoreList::parse("# nothing yet\n").unwrap().is_empty());
    }
}
