//! Carries out `discover`'s plan: annotations at every problem, the
//! configuration rendered from the overridable templates, the files
//! written all together (or compared, with `--check`), and the report.

use super::plan::Plan;
use super::request::DiscoverRequest;
use crate::actions::{Annotation, Outputs, commands::Level};
use crate::adapters::fs::AtomicWrites;
use crate::discover::output;
use crate::discover::validate::{Outcome, ProblemLevel};
use crate::layout::display_path;
use crate::render;
use crate::stages::shape::Failure;
use crate::stages::{Context, Report};
use anyhow::Result;
use std::fmt::Write as _;

/// Problems listed in the step summary; the rest are in the annotations and the result.
const SUMMARY_PROBLEMS: usize = 50;

pub fn apply(_request: &DiscoverRequest, plan: Plan, ctx: &Context) -> Result<Report> {
    let outcome = &plan.outcome;
    ctx.runtime.annotate_all(&annotations(outcome));
    let context = output::config_context(outcome);
    let generated = [
        ctx.templates.render(render::INTEGRATION_CONFIG, &context)?,
        ctx.templates
            .render(render::INTEGRATION_PROVIDER, &context)?,
    ];
    let result = crate::spec::canonical_json(&output::result_json(outcome));
    let mut failures = Vec::new();
    let mut written = Vec::new();
    if plan.check {
        let stale: Vec<String> = plan
            .existing
            .iter()
            .zip(&generated)
            .filter(|((_, on_disk), fresh)| on_disk.as_deref() != Some(fresh.as_bytes()))
            .map(|((path, _), _)| display_path(path))
            .collect();
        if !stale.is_empty() {
            failures.push(format!(
                "the generated integration configuration is stale: {} (run specrelay discover and commit)",
                stale.join(", ")
            ));
        }
    } else if plan.write_outputs {
        let map = crate::spec::canonical_json(&serde_json::to_value(&outcome.map)?);
        let mut writes = AtomicWrites::new();
        writes.write(ctx.workspace.join(&plan.discovery_map_path), map);
        writes.write(ctx.workspace.join(&plan.validation_path), result.clone());
        for ((path, _), text) in plan.existing.iter().zip(&generated) {
            writes.write(ctx.workspace.join(path), text.as_bytes().to_vec());
        }
        written.push(display_path(&plan.discovery_map_path));
        written.push(display_path(&plan.validation_path));
        written.extend(plan.existing.iter().map(|(p, _)| display_path(p)));
        writes.commit()?;
    }
    let mut stubs = AtomicWrites::new();
    for (path, text) in &plan.stubs {
        let full = ctx.workspace.join(path);
        // Never over a file, even one that appeared since the manifests were read.
        if full.exists() {
            eprintln!("discover: {} exists; no stub written", display_path(path));
            continue;
        }
        stubs.write(full, text.as_bytes().to_vec());
        written.push(display_path(path));
    }
    stubs.commit()?;
    if outcome.blocking {
        let errors = outcome
            .problems
            .iter()
            .filter(|p| p.level == ProblemLevel::Error)
            .count();
        failures.insert(
            0,
            format!("{errors} blocking integration problem(s); see the annotations"),
        );
    }
    let mut outputs = Outputs::new();
    set_counts(&mut outputs, outcome);
    Ok(Report {
        summary: summary(outcome, &written, &failures),
        outputs,
        stdout: Some(String::from_utf8(result).expect("JSON is UTF-8")),
        failure: (!failures.is_empty()).then(|| Failure::policy(failures.join("; "))),
    })
}

/// `found_count`, `missing_count`, `cycle_count`, `valid`.
pub fn set_counts(outputs: &mut Outputs, outcome: &Outcome) {
    outputs
        .set("found_count", outcome.map.integrations.len())
        .set("missing_count", outcome.missing.len())
        .set("cycle_count", outcome.cycles.len())
        .set("valid", !outcome.blocking);
}

fn annotations(outcome: &Outcome) -> Vec<Annotation> {
    outcome
        .problems
        .iter()
        .map(|p| {
            let level = match p.level {
                ProblemLevel::Error => Level::Error,
                ProblemLevel::Warning => Level::Warning,
            };
            let a = Annotation::new(level, p.message.clone()).with_title(p.title.clone());
            match &p.file {
                Some(file) => a.at(file.clone(), p.line),
                None => a,
            }
        })
        .collect()
}

fn summary(outcome: &Outcome, written: &[String], failures: &[String]) -> String {
    let mut s = String::from("### specrelay discover\n\n");
    let verdict = if failures.is_empty() {
        "passed"
    } else {
        "failed"
    };
    let _ = writeln!(
        s,
        "Integration check {verdict}: {} declared, {} missing manifest(s), {} cycle(s), {} valid.\n",
        outcome.map.integrations.len(),
        outcome.missing.len(),
        outcome.cycles.len(),
        outcome.valid().count()
    );
    for f in failures {
        let _ = writeln!(s, "> **{f}**\n");
    }
    if !outcome.integrations.is_empty() {
        s.push_str(&output::mermaid(outcome));
        s.push_str(
            "\n| Integration | State | Version | Declared at |\n| --- | --- | --- | --- |\n",
        );
        for (name, i) in &outcome.integrations {
            let locations = outcome
                .map
                .integrations
                .get(name)
                .map_or(0, |d| d.locations.len());
            let state = serde_json::to_value(i.state).unwrap_or_default();
            let _ = writeln!(
                s,
                "| `{name}` | {} | {} | {locations} place(s) |",
                state.as_str().unwrap_or(""),
                i.version.as_deref().unwrap_or("-")
            );
        }
        s.push('\n');
    }
    if !outcome.problems.is_empty() {
        s.push_str("**Problems**\n\n");
        for p in outcome.problems.iter().take(SUMMARY_PROBLEMS) {
            let place = match (&p.file, p.line) {
                (Some(f), Some(l)) => format!("`{f}:{l}` "),
                (Some(f), None) => format!("`{f}` "),
                _ => String::new(),
            };
            let _ = writeln!(
                s,
                "- {:?}: {place}{}",
                p.level,
                p.message.replace('\n', " ")
            );
        }
        if outcome.problems.len() > SUMMARY_PROBLEMS {
            let _ = writeln!(
                s,
                "- ... and {} more",
                outcome.problems.len() - SUMMARY_PROBLEMS
            );
        }
        s.push('\n');
    }
    for path in written {
        let _ = writeln!(s, "- wrote `{path}`");
    }
    s
}
