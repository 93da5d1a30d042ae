//! `diff`: the findings, after the ignore file, and what they come to: the
//! counts, the annotations, and whether they reach `fail_on`. Pure.

use super::request::{FailOn, Request};
use crate::actions::{Annotation, commands::Level as AnnotationLevel};
use crate::diff::ignore::{IgnoreList, Ignored};
use crate::diff::{self, DiffOptions, Finding, Level, Summary, summarize};
use crate::spec::{LineIndex, LoadedSpec};
use crate::stages::common::ignore::DEFAULT_IGNORE_FILE;
use crate::stages::shape::{Decide, Describe, Failure};

/// What `observe` read: both sides loaded and validated, and the ignore file.
pub struct Observed {
    pub ignore: IgnoreList,
    pub base: LoadedSpec,
    pub revision: LoadedSpec,
    /// The revision as a workspace-relative file, for annotations on its lines.
    pub revision_file: Option<String>,
}

/// The comparison's result, and the failure it makes.
pub struct DiffPlan {
    pub findings: Vec<Finding>,
    pub ignored: Vec<Ignored>,
    pub summary: Summary,
    pub annotations: Vec<Annotation>,
    pub failure: Option<Failure>,
}

impl Decide for DiffPlan {
    type Request = Request;
    type Observed = Observed;
    /// Pure: compares the sides and weighs the findings against `fail_on`.
    fn decide(request: &Request, observed: Observed) -> anyhow::Result<Self> {
        let findings = diff::diff(
            &observed.base.upgraded,
            &observed.revision.upgraded,
            &DiffOptions::default(),
        );
        let (findings, ignored) = observed.ignore.apply(findings);
        let summary = summarize(&findings);
        // Lines are looked up in one scan of the revision's text, and only when
        // the annotations will be shown: per-finding scans of a multi-megabyte
        // spec cost seconds.
        let annotations = if request.annotate {
            let place = observed.revision_file.as_deref().map(|file| {
                let pointers = findings
                    .iter()
                    .filter_map(|f| f.revision_pointer.as_deref());
                (file, LineIndex::build(&observed.revision.root, pointers))
            });
            let place = place.as_ref().map(|(file, lines)| (*file, lines));
            findings.iter().map(|f| annotation_for(f, place)).collect()
        } else {
            Vec::new()
        };
        let failing = match request.fail_on {
            FailOn::Breaking => summary.breaking,
            FailOn::Warning => summary.breaking + summary.warning,
            FailOn::None => 0,
        };
        let failure = (failing > 0).then(|| {
            Failure::policy(format!(
                "{failing} finding(s) at or above fail_on={} ({} breaking, {} warning); \
             accept one with a reason in {DEFAULT_IGNORE_FILE} if it is intended",
                request.fail_on.as_str(),
                summary.breaking,
                summary.warning
            ))
        });
        Ok(DiffPlan {
            findings,
            ignored,
            summary,
            annotations,
            failure,
        })
    }
}

impl Describe for DiffPlan {
    /// `diff` writes nothing; its dry run is the comparison itself.
    fn describe(&self) -> Vec<String> {
        vec![format!(
            "report {} breaking, {} warning and {} info finding(s) ({} ignored)",
            self.summary.breaking,
            self.summary.warning,
            self.summary.info,
            self.ignored.len()
        )]
    }
}

/// An annotation for a finding; on the revision file's line when it is a
/// file in the workspace (`place`: its path and line index) and the change
/// has a place in it.
fn annotation_for(finding: &Finding, place: Option<(&str, &LineIndex)>) -> Annotation {
    let level = match finding.level {
        Level::Breaking => AnnotationLevel::Error,
        Level::Warning => AnnotationLevel::Warning,
        Level::Info => AnnotationLevel::Notice,
    };
    let target = finding
        .operation
        .as_deref()
        .or(finding.component.as_deref())
        .unwrap_or("API");
    let annotation = Annotation::new(level, finding.message.clone())
        .with_title(format!("{} ({target})", finding.id));
    match place {
        Some((file, lines)) => {
            let line = finding
                .revision_pointer
                .as_deref()
                .and_then(|p| lines.line(p));
            annotation.at(file, line)
        }
        None => annotation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn findings_become_one_annotation_each_by_level() {
        let api = |paths| json!({"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": paths});
        let ok = json!({"200": {"description": "ok"}});
        let base = api(json!({"/x": {"get": {"responses": ok}}}));
        let revision = api(json!({"/y": {"get": {"responses": ok}}}));
        let text: String = diff::diff(&base, &revision, &DiffOptions::default())
            .iter()
            .map(|f| format!("{}\n", annotation_for(f, None)))
            .collect();
        assert_eq!(
            text,
            "::error title=api-path-removed-without-deprecation (GET /x)::Path /x was removed without deprecation (operation GET /x).\n\
             ::notice title=endpoint-added (GET /y)::Operation GET /y was added.\n"
        );
    }
}
