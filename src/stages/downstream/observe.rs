//! `downstream`: what the decision needs. Which API the run is for (`apis:`
//! in the config file decides the spec history and SDK folder), the
//! consumers (config file and inputs), the packages to bump (the workspace
//! SDKs or inputs), the pull
//! request body's context (the spec history), and per consumer repository
//! and package, read through GitHub's API: the base branch, its manifests
//! bumped in memory, the open pull request, and whether a human pushed to
//! specrelay's branch. Reads only; repositories concurrently.

use super::consumer::{ConsumerBase, consumer_base};
use super::plan::{Observed, ObservedConsumer, ObservedRollout, ObservedTarget, TRAILER};
use super::request::{Folders, Request};
use super::rollout::{self, Release, RolloutRequest};
use crate::adapters::fs;
use crate::adapters::github::commit::{self, Snapshot};
use crate::adapters::github::rest::RepoName;
use crate::adapters::github::{GitHub, GitHubError};
use crate::adapters::history::History;
use crate::diff::{self, DiffOptions, report};
use crate::downstream::bump::Outcome;
use crate::downstream::config::{self, Consumer, ConsumerInputs};
use crate::downstream::plan::{self, ManifestKind, Target, WorkspaceSdks};
use crate::downstream::pull_request;
use crate::downstream::rollout::decide::Control;
use crate::spec;
use crate::stages::Context;
use crate::stages::common::github;
use anyhow::{Context as _, Result, anyhow, bail};
use futures_util::StreamExt as _;

pub async fn observe(request: &Request, ctx: &Context) -> Result<Observed> {
    let folders = request.folders(request.api.select_in(&request.config, ctx)?);
    let history_dir = folders.history_dir();
    let (consumers, targets) = read_workspace(request, &folders, ctx)?;
    let body_context = body_context(&History::new(&ctx.workspace, folders.layout))?;
    // An app's installation token covers one owner: the first consumer's.
    let first = consumers
        .first()
        .and_then(|c| RepoName::parse(&c.repo))
        .context("no consumer repository")?;
    let github = github::client(&request.github, ctx, &first).await?;
    if request
        .rollout
        .as_ref()
        .is_some_and(|s| s.control == Control::Report)
    {
        let lag = super::lag::observe(
            &github,
            &history_dir,
            &targets,
            &consumers,
            request.concurrency,
            ctx,
        )
        .await?;
        return Ok(Observed {
            github,
            body_context,
            consumers: Vec::new(),
            rollout: None,
            lag: Some(lag),
        });
    }
    let rollout = match &request.rollout {
        Some(settings) => {
            Some(observe_rollout(&github, settings, &history_dir, &targets, &consumers, ctx).await?)
        }
        None => None,
    };
    // A staged rollout reads only the consumers this run opens pull requests for.
    let to_read: Vec<(Consumer, Vec<Target>)> = match (&request.rollout, &rollout) {
        (Some(settings), Some(read)) => opening(settings, read, &targets)?,
        _ => consumers
            .into_iter()
            .map(|c| (c, targets.clone()))
            .collect(),
    };
    let observed: Vec<ObservedConsumer> = futures_util::stream::iter(to_read)
        .map(|(consumer, targets)| {
            let github = &github;
            async move {
                let targets = observe_consumer(github, &consumer, &targets)
                    .await
                    .map_err(|e| {
                        tracing::error!("{}: {e:#}", consumer.repo);
                        format!("{e:#}")
                    });
                ObservedConsumer { consumer, targets }
            }
        })
        .buffered(request.concurrency)
        .collect()
        .await;
    Ok(Observed {
        github,
        body_context,
        consumers: observed,
        rollout,
        lag: None,
    })
}

/// The consumers (config file and inputs) and the packages to roll out
/// (the workspace SDKs or inputs).
fn read_workspace(
    request: &Request,
    folders: &Folders,
    ctx: &Context,
) -> Result<(Vec<Consumer>, Vec<Target>)> {
    let read = |path: &std::path::Path| fs::read_optional(&ctx.workspace.join(path));
    let config_text = read(&request.config)?
        .map(String::from_utf8)
        .transpose()
        .with_context(|| format!("{} is not UTF-8", request.config.display()))?;
    let consumers = config::consumers(
        config_text.as_deref(),
        &ConsumerInputs {
            repositories: request.repositories.as_deref(),
            labels: request.labels.as_deref(),
            reviewers: request.reviewers.as_deref(),
        },
    )?;
    let sdk_dir = folders.sdk_dir.as_deref().map(crate::layout::display_path);
    let mut sdks = WorkspaceSdks {
        sdk_dir: sdk_dir.as_deref(),
        ..WorkspaceSdks::default()
    };
    let (typescript, python) = sdks.manifest_paths();
    let package_json = read(typescript.as_ref())?;
    let pyproject = read(python.as_ref())?;
    sdks.package_json = package_json.as_deref();
    sdks.pyproject = pyproject.as_deref();
    let targets = plan::targets(sdks, &request.targets)?;
    Ok((consumers, targets))
}

/// Each package's rollout state, from the workflow's repository and
/// branch (where `downstream` commits it, under `history_dir`), and the
/// current wave's pull requests.
async fn observe_rollout(
    github: &GitHub,
    settings: &RolloutRequest,
    history_dir: &str,
    targets: &[Target],
    consumers: &[Consumer],
    ctx: &Context,
) -> Result<ObservedRollout> {
    let (source, branch) = github::workflow_branch(&ctx.env)
        .context("a staged rollout keeps its state in the workflow's repository")?;
    let snapshot = commit::snapshot(github, &source, &branch).await?;
    let mut packages = Vec::with_capacity(targets.len());
    for target in targets {
        let release = Release {
            package: target.package.clone(),
            version: target.version.to_string(),
            semver: target.semver(),
        };
        let context = format!(
            "reading the rollout of {} {}",
            release.package, release.version
        );
        let read = rollout::observe(github, &snapshot, settings, history_dir, release)
            .await
            .context(context)?;
        packages.push(read);
    }
    Ok(ObservedRollout {
        source: source.clone(),
        branch,
        history_dir: history_dir.to_owned(),
        packages,
        consumers: consumers.to_vec(),
        now: ctx.clock.now(),
    })
}

/// The consumers (and, per consumer, the packages) this run opens pull
/// requests for, from each package's decided step.
fn opening(
    settings: &RolloutRequest,
    read: &ObservedRollout,
    targets: &[Target],
) -> Result<Vec<(Consumer, Vec<Target>)>> {
    let mut out: Vec<(Consumer, Vec<Target>)> = Vec::new();
    for (package, target) in read.packages.iter().zip(targets) {
        let plan = rollout::decide(settings, package.clone(), &read.consumers, read.now)?;
        // A rollback opens pull requests back to the known-good version in
        // the consumers that merged this rollout's.
        let (repos, target) = match rollout::reverts(&plan) {
            Some((revert, to)) => (
                revert.to_vec(),
                target.rollback_to(to).map_err(|e| anyhow!(e))?,
            ),
            None => (rollout::opens(settings, &plan), target.clone()),
        };
        for repo in repos {
            add_target(&mut out, &read.consumers, &repo, &target);
        }
    }
    Ok(out)
}

fn add_target(
    out: &mut Vec<(Consumer, Vec<Target>)>,
    consumers: &[Consumer],
    repo: &str,
    target: &Target,
) {
    match out.iter_mut().find(|(c, _)| c.repo == repo) {
        Some((_, list)) => list.push(target.clone()),
        None => {
            if let Some(consumer) = consumers.iter().find(|c| c.repo == repo) {
                out.push((consumer.clone(), vec![target.clone()]));
            }
        }
    }
}

/// Every package in one consumer repository.
async fn observe_consumer(
    github: &GitHub,
    consumer: &Consumer,
    targets: &[Target],
) -> Result<Vec<ObservedTarget>> {
    let repo = RepoName::parse(&consumer.repo)
        .ok_or_else(|| anyhow!("{:?} is not owner/name", consumer.repo))?;
    let ConsumerBase {
        base_branch,
        base,
        manifests,
    } = consumer_base(github, &repo, consumer).await?;
    // Every open pull request, read once: each target finds its own on its
    // branch, and apply closes the ones a new pull request supersedes.
    let open = github.open_pulls(&repo, None).await?;
    let mut out = Vec::new();
    for target in targets {
        let observed = observe_target(github, &repo, (&base_branch, &base), &manifests, target)
            .await
            .map(|mut o| {
                let label = format!("{}:{}", repo.owner, target.branch());
                o.existing = open.iter().find(|p| p.head.label == label).cloned();
                o.open_pulls = open.clone();
                o
            })
            .with_context(|| format!("{} on {}", target.package, target.branch()))?;
        out.push(observed);
    }
    Ok(out)
}

/// One package: the bumped manifests, the open pull request, and, when a
/// change is due, the branch head and any commit a human pushed to it.
async fn observe_target(
    github: &GitHub,
    repo: &RepoName,
    (base_branch, base): (&str, &Snapshot<'_>),
    manifests: &[String],
    target: &Target,
) -> Result<ObservedTarget> {
    let outcomes = bump_manifests(base, manifests, target).await?;
    let branch = target.branch();
    let due = outcomes
        .iter()
        .any(|(_, o)| matches!(o, Outcome::Bumped { .. }));
    let head = match due {
        true => github.branch_head(repo, &branch).await?,
        false => None,
    };
    let foreign = match &head {
        Some(head) => foreign_commit(github, repo, &base.commit, head).await?,
        None => None,
    };
    Ok(ObservedTarget {
        repo: repo.clone(),
        base_branch: base_branch.to_owned(),
        base: base.state(),
        target: target.clone(),
        outcomes,
        // Filled in by `observe_consumer` from the one list it reads.
        existing: None,
        open_pulls: Vec::new(),
        head,
        foreign,
    })
}

async fn bump_manifests(
    base: &Snapshot<'_>,
    manifests: &[String],
    target: &Target,
) -> Result<Vec<(String, Outcome)>> {
    let mut outcomes = Vec::new();
    for path in manifests {
        let Some(kind) = ManifestKind::of(path) else {
            continue;
        };
        if kind.registry() != target.registry() {
            continue;
        }
        let Some(bytes) = base.read(path).await? else {
            bail!("{path} is listed as a manifest but does not exist on the base branch");
        };
        if let Some(outcome) = target.bump(kind, &bytes) {
            outcomes.push((path.clone(), outcome.with_context(|| path.clone())?));
        }
    }
    Ok(outcomes)
}

/// The first commit on `head` (not on `base`) that specrelay did not make.
async fn foreign_commit(
    github: &GitHub,
    repo: &RepoName,
    base: &str,
    head: &str,
) -> Result<Option<String>, GitHubError> {
    let commits = github.commits_between(repo, base, head).await?;
    Ok(commits
        .into_iter()
        .find(|c| !c.message.lines().any(|l| l.starts_with(TRAILER)))
        .map(|c| c.sha))
}

/// The API title, and the breaking changes and changelog entry of the
/// newest stored version (diffed against its predecessor), for the body.
fn body_context(history: &History) -> Result<pull_request::Context> {
    let Some(latest) = history.latest()? else {
        return Ok(pull_request::Context::default());
    };
    let mut out = pull_request::Context {
        api_title: latest.title.clone(),
        ..Default::default()
    };
    let stored = |version: &str| -> Result<Option<serde_json::Value>> {
        let Ok(version) = semver::Version::parse(version) else {
            return Ok(None);
        };
        Ok(history
            .stored_document(&version)?
            .map(|value| spec::upgrade_to_31(&value)))
    };
    let findings = match (&latest.previous_version, stored(&latest.version)?) {
        (Some(previous), Some(new)) => match stored(previous)? {
            Some(old) => diff::diff(&old, &new, &DiffOptions::default()),
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    let previous = latest.previous_version.as_deref();
    let date = latest.ingested_at.get(..10).unwrap_or(&latest.ingested_at);
    out.changelog.push(report::changelog_entry(
        &latest.version,
        previous,
        date,
        &latest.title,
        &findings,
    ));
    if let Some(previous) = previous
        && latest.breaking
    {
        out.migration_notes.push(report::migration_notes(
            &latest.version,
            previous,
            &latest.title,
            &findings,
        ));
    }
    if !latest.source_repo.is_empty() {
        out.links.push(pull_request::Link {
            title: format!("{} (source of the API)", latest.source_repo),
            url: format!("https://github.com/{}", latest.source_repo),
        });
    }
    Ok(out)
}
