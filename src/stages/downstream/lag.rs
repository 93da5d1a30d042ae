//! `downstream` with `rollout_action: report`: the lag report (the version
//! watcher). Reads every consumer's manifests through GitHub's API, once
//! per repository whatever the number of packages, and the known-good
//! record from the workflow's repository; changes nothing. The placement
//! is [`crate::downstream::rollout::lag`]'s.
//!
//! The "latest published" version is the one this run would roll out: the
//! workspace SDK's version (or input `npm_version` / `pypi_version`), the
//! same version a `publish` job before it released.

use super::rollout;
use crate::adapters::github::GitHub;
use crate::adapters::github::commit;
use crate::adapters::github::rest::RepoName;
use crate::downstream::config::Consumer;
use crate::downstream::plan::{ManifestKind, Target};
use crate::downstream::rollout::lag::{self, ManifestVerdicts, PackageLag};
use crate::downstream::rollout::state::KnownGood;
use crate::stages::common::github;
use crate::stages::{Context, Report};
use anyhow::{Context as _, Result, anyhow};
use futures_util::StreamExt as _;

/// One consumer's manifests' verdicts, per package (in the targets' order).
type PerTarget = Vec<Vec<ManifestVerdicts>>;

/// What was read for one package.
pub struct LagRead {
    pub target: Target,
    pub known_good: Option<String>,
    /// Per consumer, in the configured order: its manifests' verdicts, or
    /// why it could not be read.
    pub consumers: Vec<(String, Result<Vec<ManifestVerdicts>, String>)>,
}

/// Reads the known-good record and every consumer's manifests.
pub async fn observe(
    github: &GitHub,
    history_dir: &str,
    targets: &[Target],
    consumers: &[Consumer],
    concurrency: usize,
    ctx: &Context,
) -> Result<Vec<LagRead>> {
    let (source, branch) = github::workflow_branch(&ctx.env)
        .context("the lag report reads known-good versions from the workflow's repository")?;
    let snapshot = commit::snapshot(github, &source, &branch).await?;
    let known = KnownGood::parse(
        snapshot
            .read(&rollout::known_good_path(history_dir))
            .await?
            .as_deref(),
    )?;
    let mut reads: Vec<LagRead> = Vec::with_capacity(targets.len());
    // Per package: the target, and the same package at its known-good
    // version, as an upgrade (a consumer past it is reported, not lowered).
    let mut pairs: Vec<(Target, Option<Target>)> = Vec::with_capacity(targets.len());
    for target in targets {
        let known_good = known.version(&target.package).map(str::to_owned);
        let good = match &known_good {
            Some(version) => Some(Target {
                direction: Default::default(),
                ..target.rollback_to(version).map_err(|e| anyhow!(e))?
            }),
            None => None,
        };
        pairs.push((target.clone(), good));
        reads.push(LagRead {
            target: target.clone(),
            known_good,
            consumers: Vec::new(),
        });
    }
    let per_consumer: Vec<(String, Result<PerTarget, String>)> =
        futures_util::stream::iter(consumers)
            .map(|consumer| {
                let pairs = &pairs;
                async move {
                    let read = read_consumer(github, consumer, pairs)
                        .await
                        .map_err(|e| format!("{e:#}"));
                    (consumer.repo.clone(), read)
                }
            })
            .buffered(concurrency)
            .collect()
            .await;
    for (repo, read) in per_consumer {
        match read {
            Ok(per_target) => {
                for (r, verdicts) in reads.iter_mut().zip(per_target) {
                    r.consumers.push((repo.clone(), Ok(verdicts)));
                }
            }
            Err(e) => {
                tracing::error!("{repo}: {e}");
                for r in &mut reads {
                    r.consumers.push((repo.clone(), Err(e.clone())));
                }
            }
        }
    }
    Ok(reads)
}

/// One consumer's manifests, read once, judged for every package: per
/// package, per manifest of its registry, the verdicts toward the latest
/// and the known-good version.
async fn read_consumer(
    github: &GitHub,
    consumer: &Consumer,
    pairs: &[(Target, Option<Target>)],
) -> Result<PerTarget> {
    let repo = RepoName::parse(&consumer.repo)
        .ok_or_else(|| anyhow!("{:?} is not owner/name", consumer.repo))?;
    let super::consumer::ConsumerBase {
        base, manifests, ..
    } = super::consumer::consumer_base(github, &repo, consumer).await?;
    let mut out: Vec<Vec<ManifestVerdicts>> = pairs.iter().map(|_| Vec::new()).collect();
    for path in &manifests {
        let Some(kind) = ManifestKind::of(path) else {
            continue;
        };
        if !pairs.iter().any(|(t, _)| t.registry() == kind.registry()) {
            continue;
        }
        let Some(bytes) = base.read(path).await? else {
            continue;
        };
        for ((latest, good), verdicts) in pairs.iter().zip(&mut out) {
            let Some(to_latest) = latest.bump(kind, &bytes) else {
                continue;
            };
            let to_known_good = good
                .as_ref()
                .and_then(|g| g.bump(kind, &bytes))
                .transpose()
                .with_context(|| path.clone())?;
            verdicts.push(ManifestVerdicts {
                path: path.clone(),
                to_latest: to_latest.with_context(|| path.clone())?,
                to_known_good,
            });
        }
    }
    Ok(out)
}

/// Pure: each package's report.
pub fn decide(reads: Vec<LagRead>) -> Vec<PackageLag> {
    reads
        .into_iter()
        .map(|read| {
            let consumers = read
                .consumers
                .into_iter()
                .map(|(repo, verdicts)| match verdicts {
                    Ok(verdicts) => lag::consumer(&repo, &verdicts),
                    Err(e) => lag::unreadable(&repo, e),
                })
                .collect();
            lag::package(
                &read.target.package,
                &read.target.version.to_string(),
                read.known_good.as_deref(),
                consumers,
            )
        })
        .collect()
}

/// One line per package, for a dry run's plan.
pub fn describe(reports: &[PackageLag]) -> Vec<String> {
    reports
        .iter()
        .map(|r| {
            let counts: Vec<String> = r.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
            format!(
                "report the version lag of {} (latest {}, known-good {}): {}",
                r.package,
                r.latest,
                r.known_good.as_deref().unwrap_or("none"),
                counts.join(", ")
            )
        })
        .collect()
}

/// The outputs (`lag_report`, and the rollout outputs empty), the summary
/// table, and the JSON document on stdout.
pub fn report(ctx: &Context, reports: &[PackageLag]) -> Report {
    let json = serde_json::to_string(reports).expect("the report serialises");
    let mut report = super::report::report(ctx, "", Vec::new(), Vec::new());
    report
        .outputs
        .set("lag_report", json.clone())
        .set("rollout_state", "[]")
        .set("wave", 0)
        .set("opened", 0)
        .set("halted_reason", "")
        .set("matrix", "");
    report.summary.push_str(&lag::markdown(reports));
    report.stdout = Some(format!("{json}\n"));
    report
}
