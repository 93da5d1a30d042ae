//! `diff`: the report. The findings as Markdown (the step summary), JSON or
//! annotations on stdout, the counts as outputs, the annotations emitted on
//! a runner, and the failure when findings reach `fail_on`.

use super::plan::DiffPlan;
use super::request::{Format, Request};
use crate::actions::{Outputs, commands::Level as AnnotationLevel};
use crate::diff::render_json;
use crate::diff::report::{self, Sides};
use crate::render;
use crate::spec;
use crate::stages::{Context, Report};
use anyhow::Result;

pub fn report(request: &Request, plan: &DiffPlan, ctx: &Context) -> Result<Report> {
    if request.emit_annotations {
        for a in plan
            .annotations
            .iter()
            .filter(|a| a.level != AnnotationLevel::Notice)
        {
            ctx.runtime.annotate(a);
        }
    }
    let sides = Sides {
        base: request.base.clone(),
        revision: request.revision.clone(),
    };
    let markdown = ctx.templates.render(
        render::DIFF_REPORT,
        report::diff_report(sides, &plan.findings, &plan.ignored),
    )?;
    let summary = &plan.summary;
    let printed = match request.format {
        Format::Markdown => markdown.clone(),
        Format::Json => {
            let json = render_json(&plan.findings, summary);
            String::from_utf8(spec::canonical_json(&json)).expect("JSON is UTF-8")
        }
        Format::Annotations => plan.annotations.iter().map(|a| format!("{a}\n")).collect(),
    };
    let mut outputs = Outputs::new();
    outputs
        .set("breaking", summary.breaking > 0)
        .set("breaking_count", summary.breaking)
        .set("warning_count", summary.warning)
        .set("info_count", summary.info)
        .set("ignored_count", plan.ignored.len());
    Ok(Report {
        outputs,
        summary: markdown,
        stdout: Some(printed),
        failure: plan.failure.clone(),
    })
}
