//! The `diff` stage: a breaking-change check on two specs, for pull
//! requests. Either side is a file in the workspace or `git:REV:PATH` from
//! its history. Prints the report (Markdown, JSON or annotations), writes
//! the job summary, and fails when findings reach `fail_on`.
//!
//! Also home of the ignore file handling that `ingest` shares.

use super::common::spec_source::Sources;
use super::{Context, Report};
use crate::actions::{Annotation, Outputs, commands::Level as AnnotationLevel};
use crate::cli::{DiffArgs, FailOn, ReportFormat};
use crate::diff::ignore::IgnoreList;
use crate::diff::report::{self, Sides};
use crate::diff::{self, DiffOptions, Finding, Level, render_json, summarize};
use crate::render;
use crate::spec::{self, LineIndex, LoadedSpec, Validation};
use anyhow::{Context as _, Result, bail};
use std::path::Path;
use url::Url;

/// Every output this stage sets (`action.yml` declares the same).
pub const OUTPUTS: &[&str] = &[
    "breaking",
    "breaking_count",
    "warning_count",
    "info_count",
    "ignored_count",
];

/// The ignore file read when no `ignore_file` is given, if it exists.
pub const DEFAULT_IGNORE_FILE: &str = ".specrelay-ignore";

/// The ignore list: `ignore_file` (which must exist) or `.specrelay-ignore`
/// in the workspace (if it exists).
pub fn ignore_list(ctx: &Context, ignore_file: Option<&Path>) -> Result<IgnoreList> {
    let (path, required) = match ignore_file {
        Some(path) => (ctx.workspace.join(path), true),
        None => (ctx.workspace.join(DEFAULT_IGNORE_FILE), false),
    };
    let text = match fs_err::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(IgnoreList::default());
        }
        Err(e) => return Err(e).context("reading the ignore file (input `ignore_file`)"),
    };
    IgnoreList::parse(&text)
        .with_context(|| format!("{} is not a valid ignore file", path.display()))
}

/// One side of the comparison as the user gave it.
enum Side<'a> {
    File(&'a str),
    Git { rev: &'a str, path: &'a str },
}

fn side(raw: &str) -> Result<Side<'_>> {
    match raw.strip_prefix("git:") {
        None => Ok(Side::File(raw)),
        Some(rest) => match rest.split_once(':') {
            Some((rev, path)) if !rev.is_empty() && !path.is_empty() => Ok(Side::Git { rev, path }),
            _ => bail!("{raw:?}: expected git:REV:PATH, for example git:origin/main:openapi.yaml"),
        },
    }
}

pub async fn run(args: DiffArgs, ctx: &Context) -> Result<Report> {
    let ignore = ignore_list(ctx, args.ignore_file.as_deref())?;
    let validation = if args.strict {
        Validation::Strict
    } else {
        Validation::Lenient
    };
    let base = load(&args.base, args.max_spec_bytes, validation, ctx)
        .await
        .with_context(|| format!("loading the base spec {}", args.base))?;
    let revision = load(&args.revision, args.max_spec_bytes, validation, ctx)
        .await
        .with_context(|| format!("loading the revision spec {}", args.revision))?;
    let findings = diff::diff(&base.upgraded, &revision.upgraded, &DiffOptions::default());
    let (findings, ignored) = ignore.apply(findings);
    let summary = summarize(&findings);

    let revision_file = match side(&args.revision)? {
        Side::File(path) => ctx.workspace_relative(&ctx.workspace.join(path)),
        Side::Git { .. } => None,
    };
    // Lines are looked up in one scan of the revision's text, and only when
    // the annotations will be shown: per-finding scans of a multi-megabyte
    // spec cost seconds.
    let annotations = if ctx.runtime.on_runner() || args.format == ReportFormat::Annotations {
        let place = revision_file.as_deref().map(|file| {
            let pointers = findings
                .iter()
                .filter_map(|f| f.revision_pointer.as_deref());
            (file, LineIndex::build(&revision.root, pointers))
        });
        let place = place.as_ref().map(|(file, lines)| (*file, lines));
        findings.iter().map(|f| annotation_for(f, place)).collect()
    } else {
        Vec::new()
    };
    if ctx.runtime.on_runner() && args.format != ReportFormat::Annotations {
        for a in annotations
            .iter()
            .filter(|a| a.level != AnnotationLevel::Notice)
        {
            ctx.runtime.annotate(a);
        }
    }
    let sides = Sides {
        base: args.base.clone(),
        revision: args.revision.clone(),
    };
    let markdown = ctx.templates.render(
        render::DIFF_REPORT,
        report::diff_report(sides, &findings, &ignored),
    )?;
    let printed = match args.format {
        ReportFormat::Markdown => markdown.clone(),
        ReportFormat::Json => {
            let json = render_json(&findings, &summary);
            String::from_utf8(spec::canonical_json(&json)).expect("JSON is UTF-8")
        }
        ReportFormat::Annotations => annotations.iter().map(|a| format!("{a}\n")).collect(),
    };

    let mut outputs = Outputs::new();
    outputs
        .set("breaking", summary.breaking > 0)
        .set("breaking_count", summary.breaking)
        .set("warning_count", summary.warning)
        .set("info_count", summary.info)
        .set("ignored_count", ignored.len());
    let failing = match args.fail_on {
        FailOn::Breaking => summary.breaking,
        FailOn::Warning => summary.breaking + summary.warning,
        FailOn::None => 0,
    };
    let failure = (failing > 0).then(|| {
        super::shape::Failure::policy(format!(
            "{failing} finding(s) at or above fail_on={} ({} breaking, {} warning); \
             accept one with a reason in {DEFAULT_IGNORE_FILE} if it is intended",
            args.fail_on.as_str(),
            summary.breaking,
            summary.warning
        ))
    });
    Ok(Report {
        outputs,
        summary: markdown,
        stdout: Some(printed),
        failure,
    })
}

/// Reads, bundles and validates one side.
async fn load(
    raw: &str,
    max_bytes: u64,
    validation: Validation,
    ctx: &Context,
) -> Result<LoadedSpec> {
    let workspace = ctx
        .workspace
        .canonicalize()
        .with_context(|| format!("the workspace {} does not exist", ctx.workspace.display()))?;
    let (sources, path) = match side(raw)? {
        Side::File(path) => (Sources::local(max_bytes), workspace.join(path)),
        Side::Git { rev, path } => (
            Sources::git_revision(workspace.clone(), rev.to_owned(), max_bytes),
            workspace.join(path),
        ),
    };
    let url = Url::from_file_path(&path)
        .map_err(|()| anyhow::anyhow!("{} is not an absolute path", path.display()))?;
    let bytes = sources.read(&url).await?;
    sources.load(&url, bytes, validation, ctx).await
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

    #[test]
    fn sides_are_files_or_git_revisions() {
        assert!(matches!(
            side("openapi.yaml").unwrap(),
            Side::File("openapi.yaml")
        ));
        assert!(matches!(
            side("git:origin/main:api/openapi.yaml").unwrap(),
            Side::Git {
                rev: "origin/main",
                path: "api/openapi.yaml"
            }
        ));
        assert!(side("git:HEAD").is_err());
        assert!(side("git::a.yaml").is_err());
    }
}
