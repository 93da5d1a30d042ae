//! `downstream`: the stage's report. The `pull_requests` rows (what
//! happened, or would happen in a dry run, to each consumer's pull
//! request), the outputs, and the step summary with its diagram. Shared by
//! the pull-request run ([`super::apply`]), a staged rollout
//! (`rollout_apply`) and the lag report ([`super::lag`]).

use crate::actions::Outputs;
use crate::downstream::diagram;
use crate::stages::{Context, Report};
use serde::Serialize;

/// What happened to one consumer's pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Updated,
    Unchanged,
    Skipped,
}

/// One row of the `pull_requests` output.
#[derive(Debug, Clone, Serialize)]
pub struct PullRequestResult {
    pub repo: String,
    pub package: String,
    pub number: Option<u64>,
    pub url: Option<String>,
    pub action: Action,
    /// Why, for `skipped` and `unchanged`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// Outputs and summary; `api_title` names the source in the summary's
/// diagram.
pub fn report(
    ctx: &Context,
    api_title: &str,
    results: Vec<PullRequestResult>,
    failures: Vec<(String, String)>,
) -> Report {
    let mut outputs = Outputs::new();
    let failed: Vec<&str> = failures.iter().map(|(r, _)| r.as_str()).collect();
    outputs
        .set(
            "pull_requests",
            serde_json::to_string(&results).expect("rows serialise"),
        )
        .set("failed_repositories", failed.join(","));
    let mut summary = String::from("### specrelay downstream\n\n");
    if ctx.dry_run {
        summary.push_str("Dry run: nothing was changed.\n");
    }
    if !results.is_empty() {
        summary.push_str("| Repository | Package | Action | Pull request |\n|---|---|---|---|\n");
        for r in &results {
            let link = match (&r.number, &r.url) {
                (Some(n), Some(url)) => format!("[#{n}]({url})"),
                _ => "—".to_owned(),
            };
            let action = match (r.action, r.reason.is_empty()) {
                (action, true) => format!("{action:?}").to_lowercase(),
                (action, false) => {
                    format!("{} ({})", format!("{action:?}").to_lowercase(), r.reason)
                }
            };
            summary.push_str(&format!(
                "| {} | {} | {} | {link} |\n",
                r.repo, r.package, action
            ));
        }
    }
    if !results.is_empty() || !failures.is_empty() {
        summary.push('\n');
        summary.push_str(&flowchart(api_title, &results, &failed));
    }
    if !failures.is_empty() {
        summary.push_str("\n**Failed:**\n\n");
        for (repo, error) in &failures {
            summary.push_str(&format!("- {repo}: {}\n", error.replace('\n', " ")));
        }
    }
    let failure = (!failures.is_empty()).then(|| {
        crate::stages::shape::Failure::policy(format!(
            "{} consumer repositor{} failed: {}",
            failures.len(),
            if failures.len() == 1 { "y" } else { "ies" },
            failed.join(", ")
        ))
    });
    Report {
        outputs,
        summary,
        stdout: None,
        failure,
    }
}

/// The summary's picture: spec -> packages -> pull requests and their state.
fn flowchart(api_title: &str, results: &[PullRequestResult], failed: &[&str]) -> String {
    let edges: Vec<diagram::Edge<'_>> = results
        .iter()
        .map(|r| diagram::Edge {
            package: &r.package,
            repo: &r.repo,
            pull: r.number.map(|n| format!("#{n}")).unwrap_or_default(),
            state: match r.action {
                Action::Created => "created",
                Action::Updated => "updated",
                Action::Unchanged => "unchanged",
                Action::Skipped => "skipped",
            },
        })
        .collect();
    let source = if api_title.is_empty() {
        "OpenAPI spec"
    } else {
        api_title
    };
    diagram::flowchart(source, &edges, failed)
}
