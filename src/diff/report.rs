//! What the report templates see: findings grouped by level, then by
//! operation (or component), plus the views for migration notes and
//! changelog entries. Every grouping decision is made here; the templates
//! in `templates/reports/` only print. Pure: no I/O.

use super::finding::{Finding, Level, Summary, summarize};
use super::ignore::Ignored;
use super::rules::rule;
use serde::Serialize;

/// Which two specs were compared, as the user named them.
#[derive(Debug, Clone, Serialize)]
pub struct Sides {
    pub base: String,
    pub revision: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub id: String,
    pub level: &'static str,
    /// The operation, else the component, else "the API as a whole".
    pub target: String,
    pub message: String,
    pub base_pointer: Option<String>,
    pub revision_pointer: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetGroup {
    pub target: String,
    pub findings: Vec<FindingView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelGroup {
    pub level: &'static str,
    pub title: &'static str,
    pub count: usize,
    pub targets: Vec<TargetGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IgnoredView {
    pub finding: FindingView,
    pub reason: String,
}

/// The diff report: `reports/diff.md.j2`.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub sides: Sides,
    pub summary: Summary,
    pub breaking: bool,
    /// Non-empty levels only, most severe first.
    pub levels: Vec<LevelGroup>,
    pub ignored: Vec<IgnoredView>,
}

const NO_TARGET: &str = "the API as a whole";

fn view(finding: &Finding) -> FindingView {
    FindingView {
        id: finding.id.clone(),
        level: finding.level.as_str(),
        target: finding
            .operation
            .clone()
            .or_else(|| finding.component.clone())
            .unwrap_or_else(|| NO_TARGET.to_owned()),
        message: finding.message.clone(),
        base_pointer: finding.base_pointer.clone(),
        revision_pointer: finding.revision_pointer.clone(),
    }
}

fn title(level: Level) -> &'static str {
    match level {
        Level::Breaking => "Breaking changes",
        Level::Warning => "Warnings",
        Level::Info => "Other changes",
    }
}

/// Groups findings (already in the diff's deterministic order) for the report.
pub fn diff_report(sides: Sides, findings: &[Finding], ignored: &[Ignored]) -> DiffReport {
    let summary = summarize(findings);
    let levels = [Level::Breaking, Level::Warning, Level::Info]
        .into_iter()
        .filter_map(|level| {
            let mut targets: Vec<TargetGroup> = Vec::new();
            for f in findings.iter().filter(|f| f.level == level) {
                let v = view(f);
                match targets.iter_mut().find(|g| g.target == v.target) {
                    Some(group) => group.findings.push(v),
                    None => targets.push(TargetGroup {
                        target: v.target.clone(),
                        findings: vec![v],
                    }),
                }
            }
            let count = targets.iter().map(|g| g.findings.len()).sum();
            (count > 0).then(|| LevelGroup {
                level: level.as_str(),
                title: title(level),
                count,
                targets,
            })
        })
        .collect();
    DiffReport {
        sides,
        breaking: summary.breaking > 0,
        summary,
        levels,
        ignored: ignored
            .iter()
            .map(|i| IgnoredView {
                finding: view(&i.finding),
                reason: i.reason.clone(),
            })
            .collect(),
    }
}

/// A changelog entry: `reports/changelog-entry.md.j2`.
#[derive(Debug, Clone, Serialize)]
pub struct ChangelogEntry {
    pub version: String,
    pub previous_version: Option<String>,
    pub date: String,
    pub title: String,
    pub breaking: Vec<FindingView>,
    /// Compatible additions (rules the catalog marks as minor).
    pub added: Vec<FindingView>,
    /// Everything else that is not breaking.
    pub changed: Vec<FindingView>,
    pub diff_path: Option<String>,
    pub migration_notes_path: Option<String>,
}

/// Sorts findings into the changelog's sections.
pub fn changelog_entry(
    version: &str,
    previous_version: Option<&str>,
    date: &str,
    title: &str,
    findings: &[Finding],
) -> ChangelogEntry {
    let mut entry = ChangelogEntry {
        version: version.to_owned(),
        previous_version: previous_version.map(str::to_owned),
        date: date.to_owned(),
        title: title.to_owned(),
        breaking: Vec::new(),
        added: Vec::new(),
        changed: Vec::new(),
        diff_path: None,
        migration_notes_path: None,
    };
    for f in findings {
        let section = if f.level == Level::Breaking {
            &mut entry.breaking
        } else if rule(&f.id).is_some_and(|r| r.minor) {
            &mut entry.added
        } else {
            &mut entry.changed
        };
        section.push(view(f));
    }
    entry
}

/// Migration notes for a version with breaking changes:
/// `reports/migration-notes.md.j2`, one section per breaking finding.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationNotes {
    pub version: String,
    pub previous_version: String,
    pub title: String,
    pub breaking: Vec<FindingView>,
}

pub fn migration_notes(
    version: &str,
    previous_version: &str,
    title: &str,
    findings: &[Finding],
) -> MigrationNotes {
    MigrationNotes {
        version: version.to_owned(),
        previous_version: previous_version.to_owned(),
        title: title.to_owned(),
        breaking: findings
            .iter()
            .filter(|f| f.level == Level::Breaking)
            .map(view)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str, level: Level, operation: Option<&str>) -> Finding {
        Finding {
            id: id.into(),
            level,
            operation: operation.map(Into::into),
            component: None,
            base_pointer: None,
            revision_pointer: None,
            message: format!("{id} happened"),
        }
    }

    #[test]
    fn groups_by_level_then_target_in_order() {
        let findings = vec![
            finding(
                "api-path-removed-without-deprecation",
                Level::Breaking,
                Some("GET /a"),
            ),
            finding("request-parameter-removed", Level::Warning, Some("GET /a")),
            finding(
                "response-optional-property-removed",
                Level::Breaking,
                Some("GET /a"),
            ),
            finding("api-server-added", Level::Info, None),
        ];
        let report = diff_report(
            Sides {
                base: "a".into(),
                revision: "b".into(),
            },
            &findings,
            &[],
        );
        assert!(report.breaking);
        let levels: Vec<_> = report.levels.iter().map(|l| (l.level, l.count)).collect();
        assert_eq!(levels, vec![("breaking", 2), ("warning", 1), ("info", 1)]);
        assert_eq!(report.levels[0].targets.len(), 1, "one group per operation");
        assert_eq!(report.levels[2].targets[0].target, NO_TARGET);
    }

    #[test]
    fn changelog_sections_follow_the_rule_catalog() {
        let findings = vec![
            finding(
                "api-path-removed-without-deprecation",
                Level::Breaking,
                Some("GET /a"),
            ),
            finding("endpoint-added", Level::Info, Some("GET /b")),
            finding(
                "api-path-removed-with-deprecation",
                Level::Info,
                Some("GET /c"),
            ),
        ];
        let entry = changelog_entry("2.0.0", Some("1.0.0"), "2026-01-01", "T", &findings);
        assert_eq!(entry.breaking.len(), 1);
        assert_eq!(entry.added.len(), 1);
        assert_eq!(entry.changed.len(), 1);
    }
}
