//! `dispatch`: sends the announcement to each repository through the GitHub
//! adapter, and reports. One repository failing does not stop the others;
//! the step fails at the end, naming each repository that was not told.

use super::plan::Plan;
use super::request::DispatchRequest;
use crate::actions::Outputs;
use crate::adapters::github::GitHubError;
use crate::announce::Verdict;
use crate::stages::shape::Failure;
use crate::stages::{Context, Report};
use anyhow::Result;

/// The outputs every run sets, dry or not: what is (or would be) announced.
pub fn set_announcement_outputs(outputs: &mut Outputs, plan: &Plan) {
    let a = &plan.announcement;
    outputs
        .set("version", &a.version)
        .set("checksum", &a.checksum)
        .set("change_type", a.change_type)
        .set("correlation_id", &a.correlation_id)
        .set("skipped", plan.verdict == Verdict::AlreadyAnnounced);
}

pub async fn apply(request: DispatchRequest, plan: Plan, ctx: &Context) -> Result<Report> {
    let mut outputs = Outputs::new();
    set_announcement_outputs(&mut outputs, &plan);
    let mut sent = Vec::new();
    let mut failed: Vec<(String, GitHubError)> = Vec::new();
    let failure = match &plan.verdict {
        Verdict::AlreadyAnnounced => {
            tracing::info!(
                "{} has the same checksum as the last announced version: nothing to announce",
                request.spec_path
            );
            None
        }
        Verdict::Refuse { problems } => Some(Failure::policy(format!(
            "not announced: {} (semver_policy: enforce; raise the version, or set semver_policy: warn)",
            problems.join("; ")
        ))),
        Verdict::Announce { problems, .. } => {
            for problem in problems {
                ctx.runtime
                    .annotate(&crate::actions::Annotation::warning(problem.clone()));
            }
            let payload = serde_json::to_value(&plan.announcement)?;
            let github =
                crate::stages::common::github::client(&request.github, ctx, &plan.targets[0])
                    .await?;
            for repo in &plan.targets {
                match github.dispatch(repo, &plan.event_type, &payload).await {
                    Ok(()) => {
                        tracing::info!("sent {} to {repo}", plan.event_type);
                        sent.push(repo.to_string());
                    }
                    Err(e) => {
                        tracing::error!("{repo}: {e}");
                        failed.push((repo.to_string(), e));
                    }
                }
            }
            failure_of(&failed)
        }
    };
    outputs.set("dispatched", sent.join(","));
    let summary = summary(&plan, &sent, &failed);
    Ok(Report {
        outputs,
        summary,
        stdout: None,
        failure,
    })
}

fn failure_of(failed: &[(String, GitHubError)]) -> Option<Failure> {
    if failed.is_empty() {
        return None;
    }
    let message = format!(
        "not announced to {}: {}",
        failed.len(),
        failed
            .iter()
            .map(|(repo, e)| format!("{repo} ({})", e.message()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // A 404 or 403 is the token's or the list's fault; 5xx after retries is GitHub's.
    Some(if failed.iter().any(|(_, e)| e.is_service_failure()) {
        Failure::service(message)
    } else {
        Failure::policy(message)
    })
}

/// The step summary: what was announced, the diff's verdict, and a line per
/// repository.
fn summary(plan: &Plan, sent: &[String], failed: &[(String, GitHubError)]) -> String {
    let a = &plan.announcement;
    let mut md = format!(
        "### specrelay dispatch: {} {}\n\n",
        a.source_repo, a.version
    );
    let previous = match &plan.previous {
        Some((from, Some(version))) => format!("{version} ({from})"),
        Some((from, None)) => from.clone(),
        None => "none (first announcement)".to_owned(),
    };
    md.push_str(&format!(
        "| | |\n|---|---|\n| Version | `{}` |\n| Previous | {previous} |\n| Change type | {} ({} breaking) |\n| Checksum | `{}` |\n| Download URL | {} |\n| Correlation id | `{}` |\n",
        a.version, a.change_type, plan.breaking, a.checksum, a.download_url, a.correlation_id
    ));
    if let Some(api) = &a.api {
        md.push_str(&format!("| API | `{api}` |\n"));
    }
    md.push('\n');
    match &plan.verdict {
        Verdict::AlreadyAnnounced => {
            md.push_str("Skipped: the last announced version has the same checksum.\n")
        }
        Verdict::Refuse { problems } => {
            md.push_str("**Not announced:**\n\n");
            for p in problems {
                md.push_str(&format!("- {p}\n"));
            }
        }
        Verdict::Announce { problems, .. } => {
            for p in problems {
                md.push_str(&format!("> [!WARNING]\n> {p}\n\n"));
            }
            md.push_str("```mermaid\nflowchart LR\n  producer[\"");
            md.push_str(&a.source_repo);
            md.push_str("\"]\n");
            for (i, repo) in sent.iter().enumerate() {
                md.push_str(&format!(
                    "  producer -- {} --> s{i}[\"{repo}\"]\n",
                    plan.event_type
                ));
            }
            for (i, (repo, _)) in failed.iter().enumerate() {
                md.push_str(&format!("  producer -. failed .-> f{i}[\"{repo}\"]\n"));
            }
            md.push_str("```\n");
            for (repo, e) in failed {
                md.push_str(&format!("- {repo}: failed ({})\n", e.message()));
            }
        }
    }
    md
}
