//! `downstream` with `waves`: carrying each package's step out. In order:
//! claim the step by committing the new state (a run whose claim loses the
//! race does nothing for that package); open the wave's pull requests and
//! merge their numbers into the state; on a halt, label the failing pull
//! requests and open or edit the one issue about the rollout; on abort or
//! rollback, close the open pull requests with a comment; dispatch the
//! sweeps of merged consumers. Then the report: outputs for the next job
//! (`matrix` for sharded waves), and a summary with the waves as a diagram.

use super::apply;
use super::plan::{DownstreamPlan, RolloutPlan};
use super::report::{self, PullRequestResult};
use super::rollout::{self, FAILED_LABEL, PackagePlan, RolloutRequest};
use crate::adapters::github::GitHub;
use crate::adapters::github::rest::RepoName;
use crate::downstream::rollout::decide::Step;
use crate::downstream::rollout::state::{RolloutState, Status};
use crate::stages::{Context, Report};
use anyhow::{Context as _, Result, anyhow};
use serde_json::json;

/// Repositories per shard when `plan_only` splits a wave for a matrix.
const REPOS_PER_SHARD: usize = 25;
/// Shards at most (a matrix job each).
const MAX_SHARDS: usize = 16;

/// What happened to one package this run.
struct Outcome<'a> {
    plan: &'a PackagePlan,
    /// Another run changed the state first; this run did nothing for it.
    lost: bool,
    opened: Vec<(String, u64, String)>,
}

pub async fn apply(
    mut plan: DownstreamPlan,
    rollout: RolloutPlan,
    settings: &RolloutRequest,
    concurrency: usize,
    ctx: &Context,
) -> Result<Report> {
    let github = plan.github.clone();
    let run = run_id(ctx)?;
    let mut lost = Vec::new();
    for package in &rollout.packages {
        let needs_claim = settings.shard.is_none()
            && (rollout::changed(package.before.as_ref(), &package.after)
                || !package.superseded.is_empty());
        if needs_claim
            && !rollout::claim(
                &github,
                &rollout.source,
                &rollout.branch,
                package,
                &rollout.history_dir,
                &run,
            )
            .await?
        {
            tracing::warn!(
                "{} {}: another run changed the rollout first; this run leaves it to that one",
                package.package,
                package.version
            );
            lost.push(package.package.clone());
        }
    }
    // Pull requests only for the packages this run claimed.
    for consumer in &mut plan.consumers {
        if let Ok(targets) = &mut consumer.targets {
            targets.retain(|t| !lost.contains(&t.observed.target.package));
        }
    }
    plan.consumers
        .retain(|c| c.targets.as_ref().map_or(true, |t| !t.is_empty()));
    let (rows, mut failures) = apply::pull_requests(&plan, concurrency, ctx).await;
    let mut outcomes = Vec::new();
    for package in &rollout.packages {
        let is_lost = lost.contains(&package.package);
        let opened = opened_rows(&rows, &package.package);
        if !is_lost {
            rollout::record_pulls(&github, &rollout.source, &rollout.branch, package, &opened)
                .await?;
            if let Err(e) = act(&github, &rollout.source, package).await {
                tracing::error!("{}: {e:#}", package.package);
                failures.push((
                    rollout.source.to_string(),
                    format!("{}: {e:#}", package.package),
                ));
            }
        }
        outcomes.push(Outcome {
            plan: package,
            lost: is_lost,
            opened,
        });
    }
    let mut report = report::report(ctx, &plan.body_context.api_title, rows, failures);
    add_rollout_report(&mut report, &outcomes, settings);
    Ok(report)
}

/// This run's name in claim commits: the workflow run and attempt, and a
/// random part (two jobs of one run, or local runs, have the same ids).
fn run_id(ctx: &Context) -> Result<String> {
    let mut nonce = [0u8; 6];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce)
        .map_err(|_| anyhow!("no random numbers from the system"))?;
    Ok(format!(
        "{}.{} {}",
        ctx.env.run_id.as_deref().unwrap_or("local"),
        ctx.env.run_attempt.as_deref().unwrap_or("1"),
        hex::encode(nonce)
    ))
}

/// The pull requests opened or updated for `package`: `(repo, number, url)`.
fn opened_rows(rows: &[PullRequestResult], package: &str) -> Vec<(String, u64, String)> {
    rows.iter()
        .filter(|r| r.package == package)
        .filter_map(|r| Some((r.repo.clone(), r.number?, r.url.clone()?)))
        .collect()
}

/// The step's effects beyond pull requests.
async fn act(github: &GitHub, source: &RepoName, plan: &PackagePlan) -> Result<()> {
    match &plan.step {
        Step::Halt { reason, failing } => {
            for (repo, _) in failing {
                if let Some(number) = pull_number(&plan.after, repo) {
                    github
                        .add_labels(&repo_name(repo)?, number, &[FAILED_LABEL.to_owned()])
                        .await
                        .with_context(|| format!("labelling {repo}#{number}"))?;
                }
            }
            upsert_issue(github, source, plan, reason).await?;
        }
        Step::Abort { close } | Step::Rollback { close, .. } => {
            let why = match &plan.step {
                Step::Abort { .. } => {
                    "the rollout was aborted (`rollout_action: abort`)".to_owned()
                }
                _ => format!(
                    "the rollout was rolled back to the known-good version {}",
                    plan.after.known_good.as_deref().unwrap_or("?")
                ),
            };
            for (repo, number) in close {
                let name = repo_name(repo)?;
                github
                    .comment(
                        &name,
                        *number,
                        &format!(
                            "specrelay closed this pull request: {why}. {} {} will not be rolled out here.",
                            plan.package, plan.version
                        ),
                    )
                    .await?;
                github.close_pull(&name, *number).await?;
            }
        }
        Step::Complete => close_issue(github, source, plan).await?,
        Step::Open { .. } | Step::Wait { .. } | Step::Pause | Step::Ended { .. } => {}
    }
    rollout::dispatch_sweeps(github, &plan.sweeps).await
}

fn pull_number(state: &RolloutState, repo: &str) -> Option<u64> {
    state
        .waves
        .iter()
        .flat_map(|w| &w.repos)
        .find(|r| r.repo == repo)
        .and_then(|r| r.pull.as_ref())
        .map(|p| p.number)
}

fn repo_name(full: &str) -> Result<RepoName> {
    RepoName::parse(full).ok_or_else(|| anyhow!("{full:?} is not owner/name"))
}

/// The hidden marker that finds a package's rollout issue again.
fn issue_marker(package: &str) -> String {
    format!("<!-- specrelay:rollout={package} -->")
}

/// Opens the rollout's issue in the source repository, or edits the open one.
async fn upsert_issue(
    github: &GitHub,
    source: &RepoName,
    plan: &PackagePlan,
    reason: &str,
) -> Result<()> {
    let marker = issue_marker(&plan.package);
    let mut body = format!(
        "{marker}\n## Rollout of {} {} halted\n\n{reason}.\n\n| Repository | Pull request | Verdict |\n|---|---|---|\n",
        plan.package, plan.version
    );
    if let Some(wave) = plan.after.current_wave() {
        for member in &plan.after.waves[wave].repos {
            let pull = member
                .pull
                .as_ref()
                .map_or("—".to_owned(), |p| format!("[#{}]({})", p.number, p.url));
            body.push_str(&format!(
                "| {} | {pull} | {} |\n",
                member.repo,
                member.verdict.as_deref().unwrap_or("")
            ));
        }
    }
    body.push_str(
        "\nFix the failing checks, then run the rollout workflow with `rollout_action: resume` \
         to re-check the gate, or `abort` / `rollback` to end the rollout.\n",
    );
    let existing = github
        .open_issues(source)
        .await?
        .into_iter()
        .find(|i| i.body.as_deref().is_some_and(|b| b.contains(&marker)));
    match existing {
        Some(issue) => {
            github.edit_issue(source, issue.number, &body).await?;
        }
        None => {
            let title = format!("Rollout of {} {} halted", plan.package, plan.version);
            github.create_issue(source, &title, &body).await?;
        }
    }
    Ok(())
}

/// Closes the rollout's issue once the rollout completed.
async fn close_issue(github: &GitHub, source: &RepoName, plan: &PackagePlan) -> Result<()> {
    let marker = issue_marker(&plan.package);
    for issue in github.open_issues(source).await? {
        if issue.body.as_deref().is_some_and(|b| b.contains(&marker)) {
            github
                .comment(
                    source,
                    issue.number,
                    &format!("{} {} completed every wave.", plan.package, plan.version),
                )
                .await?;
            github.close_issue(source, issue.number).await?;
        }
    }
    Ok(())
}

/// The rollout outputs and the summary's rollout section.
fn add_rollout_report(report: &mut Report, outcomes: &[Outcome<'_>], settings: &RolloutRequest) {
    let states: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            json!({
                "package": o.plan.package,
                "version": o.plan.version,
                "status": o.plan.after.status.as_str(),
                "wave": o.plan.after.current_wave().map_or(0, |w| w + 1),
                "waves": o.plan.after.waves.len(),
                "step": if o.lost { "left to another run".to_owned() } else { o.plan.describe() },
                "path": o.plan.state_path,
            })
        })
        .collect();
    let opened: usize = outcomes.iter().map(|o| o.opened.len()).sum();
    let halted: Vec<String> = outcomes
        .iter()
        .filter(|o| o.plan.after.status == Status::Halted)
        .filter_map(|o| {
            o.plan
                .after
                .halted_reason
                .as_ref()
                .map(|r| format!("{}: {r}", o.plan.package))
        })
        .collect();
    let wave = outcomes
        .iter()
        .filter_map(|o| o.plan.after.current_wave())
        .max()
        .map_or(0, |w| w + 1);
    report
        .outputs
        .set(
            "rollout_state",
            serde_json::Value::Array(states).to_string(),
        )
        .set("wave", wave)
        .set("opened", opened)
        .set("halted_reason", halted.join("; "))
        .set("matrix", matrix(outcomes, settings));
    let mut section = String::from("\n#### Staged rollout\n\n");
    for outcome in outcomes {
        section.push_str(&rollout_section(outcome));
    }
    report.summary.push_str(&section);
}

/// For `plan_only`: the claimed wave's shards as a matrix
/// (`{"shard": ["1/3", "2/3", "3/3"]}`); empty otherwise or with nothing to open.
fn matrix(outcomes: &[Outcome<'_>], settings: &RolloutRequest) -> String {
    if !settings.plan_only {
        return String::new();
    }
    let pending = outcomes
        .iter()
        .filter(|o| !o.lost && o.plan.after.status == Status::Active)
        .map(|o| rollout::to_open(&o.plan.after, None).len())
        .max()
        .unwrap_or(0);
    if pending == 0 {
        return String::new();
    }
    let shards = pending.div_ceil(REPOS_PER_SHARD).clamp(1, MAX_SHARDS);
    let list: Vec<String> = (1..=shards).map(|k| format!("{k}/{shards}")).collect();
    json!({ "shard": list }).to_string()
}

/// One package's table row and its waves as a Mermaid diagram.
fn rollout_section(outcome: &Outcome<'_>) -> String {
    let state = &outcome.plan.after;
    let step = if outcome.lost {
        "left to another run that changed the rollout first".to_owned()
    } else {
        outcome.plan.describe()
    };
    let mut out = format!(
        "**{} {}**: {} — {step}\n\n```mermaid\nflowchart LR\n",
        state.package,
        state.version,
        state.status.as_str()
    );
    let current = state.current_wave();
    for (i, wave) in state.waves.iter().enumerate() {
        let class = match (wave.passed_at.is_some(), wave.is_open(), current == Some(i)) {
            (true, _, _) => "passed",
            (false, true, true) if state.status == Status::Halted => "failed",
            (false, true, _) => "open",
            _ => "waiting",
        };
        out.push_str(&format!(
            "  w{i}[\"wave {} · {}%<br/>{} repositories · {class}\"]:::{class}\n",
            i + 1,
            wave.percent,
            wave.repos.len()
        ));
        if i > 0 {
            out.push_str(&format!("  w{} --> w{i}\n", i - 1));
        }
    }
    if !state.pinned.is_empty() {
        out.push_str(&format!(
            "  pinned[\"pinned, not bumped: {}\"]:::waiting\n",
            state.pinned.len()
        ));
    }
    out.push_str(
        "  classDef passed fill:#d4edda,stroke:#28a745\n  classDef open fill:#fff3cd,stroke:#ffc107\n  \
         classDef failed fill:#f8d7da,stroke:#dc3545\n  classDef waiting fill:#f1f1f1,stroke:#999\n```\n\n",
    );
    out
}
