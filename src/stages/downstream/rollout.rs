//! `downstream` with `waves`: a staged rollout of each package, one step per
//! run. The decisions are in [`crate::downstream::rollout`]; this module
//! reads the rollout's state and the current wave's pull requests through
//! GitHub's API, and writes the new state back to the source repository
//! (the workflow's repository and branch) with a compare-and-swap commit.
//!
//! A run that opens a wave first *claims* it: it commits the state with the
//! wave marked open, and only the run whose commit lands opens the pull
//! requests. A second run started at the same time finds the wave claimed
//! and waits, so two scheduled runs never both open a wave. Pull request
//! numbers are merged into the state by a second commit, which is also how
//! the shards of one wave (`shard: k/n`) each record their share.

use crate::adapters::github::GitHub;
use crate::adapters::github::commit::{self, Committed, Snapshot};
use crate::adapters::github::rest::{FileChange, RepoName};
use crate::downstream::config::Consumer;
use crate::downstream::rollout::decide::{self, Control, Step};
use crate::downstream::rollout::gate::{self, CheckState, GateSettings, PullObservation};
use crate::downstream::rollout::state::Status;
use crate::downstream::rollout::state::{
    GateRecord, KNOWN_GOOD_FILE, KnownGood, NewRollout, PullRecord, ROLLOUTS_DIR, RollbackPull,
    RolloutState, SweepRecord,
};
use crate::downstream::rollout::waves::{self, Candidate, WaveSpec};
use anyhow::{Context as _, Result, anyhow};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How long after a wave was claimed a later run opens the pull requests
/// the claiming run did not (it crashed or was cancelled): long enough that
/// the claiming run is not still opening them.
const REPAIR_AFTER_SECS: i64 = 15 * 60;
/// Ref updates tried before a state commit gives up on a busy branch.
const COMMIT_ATTEMPTS: u32 = 8;
/// The label put on a failing pull request when its wave halts.
pub const FAILED_LABEL: &str = "specrelay-rollout-failed";

/// The rollout inputs, validated.
#[derive(Debug, Clone)]
pub struct RolloutRequest {
    pub waves: WaveSpec,
    pub bake_time_secs: u64,
    pub max_failure_rate: f64,
    pub control: Control,
    pub auto_rollback: bool,
    /// Decide and claim the wave, print it as a matrix, open nothing.
    pub plan_only: bool,
    /// `(k, n)`: open only the current wave's pull requests of shard k of n.
    pub shard: Option<(u32, u32)>,
}

/// Parses `k/n` (1 <= k <= n <= 256).
pub fn parse_shard(text: &str) -> Result<(u32, u32)> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
    match parsed {
        Some((k, n)) if (1..=n).contains(&k) && n <= 256 => Ok((k, n)),
        _ => Err(anyhow!(
            "shard {text:?}: expected k/n with 1 <= k <= n <= 256, e.g. 2/4"
        )),
    }
}

/// Whether `repo` belongs to shard `k` of `n`: a stable hash (FNV-1a) of
/// the name, so every shard computes the same split without talking.
pub fn in_shard(repo: &str, (k, n): (u32, u32)) -> bool {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in repo.to_ascii_lowercase().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash % u64::from(n) == u64::from(k - 1)
}

/// The package version a rollout ships: as written, and as the semver its
/// waves' pins compare against.
#[derive(Debug, Clone)]
pub struct Release {
    pub package: String,
    pub version: String,
    pub semver: semver::Version,
}

/// What was read for one package's rollout.
#[derive(Debug, Clone)]
pub struct Observed {
    pub release: Release,
    pub state_path: String,
    pub state: Option<RolloutState>,
    /// Unfinished rollouts of the same package at other versions.
    pub older: Vec<(String, RolloutState)>,
    pub known_good: KnownGood,
    /// The current wave's pull requests.
    pub pulls: Vec<PullObservation>,
    /// Earlier waves' pull requests not yet seen merged or closed, read
    /// again only when this run may roll back (a merge after its wave
    /// passed is otherwise never seen).
    pub earlier: Vec<PullObservation>,
    /// Merged pull requests' sweeps: `(repo, workflow, conclusion)` read now.
    pub sweep_conclusions: Vec<(String, String, Option<String>)>,
}

/// One package's decided step and the state to store.
#[derive(Debug, Clone)]
pub struct PackagePlan {
    pub package: String,
    pub version: String,
    pub state_path: String,
    pub step: Step,
    /// The state as it was read (`None` for a new rollout).
    pub before: Option<RolloutState>,
    /// The state after the step (pull requests of a new wave not yet in it).
    pub after: RolloutState,
    pub superseded: Vec<(String, RolloutState)>,
    pub known_good: KnownGood,
    /// `(repo, workflow)` sweeps this run dispatches (already in `after`).
    pub sweeps: Vec<(String, String)>,
    /// When this run decided.
    pub now: OffsetDateTime,
}

impl PackagePlan {
    pub fn describe(&self) -> String {
        self.step.describe(&self.after)
    }
}

/// Reads a package's rollout from the source branch's snapshot (under
/// `history_dir`), and the current wave's pull requests from the consumers.
pub async fn observe(
    github: &GitHub,
    source: &Snapshot<'_>,
    request: &RolloutRequest,
    history_dir: &str,
    release: Release,
) -> Result<Observed> {
    let package = release.package.as_str();
    let state_path = RolloutState::path(history_dir, package, &release.version);
    let state = match source.read(&state_path).await? {
        Some(bytes) => Some(RolloutState::parse(&bytes, &state_path)?),
        None => None,
    };
    let prefix = format!("{}/{ROLLOUTS_DIR}/", history_dir.trim_end_matches('/'));
    let mut older = Vec::new();
    for path in source
        .files
        .keys()
        .filter(|p| p.starts_with(&prefix) && **p != state_path)
    {
        let Some(bytes) = source.read(path).await? else {
            continue;
        };
        let other = RolloutState::parse(&bytes, path)?;
        if other.package == package && !other.status.is_final() {
            older.push((path.clone(), other));
        }
    }
    let known_path = known_good_path(history_dir);
    let known_good = KnownGood::parse(source.read(&known_path).await?.as_deref())?;
    let (pulls, sweep_conclusions) = match &state {
        Some(state) => (
            observe_pulls(github, state).await?,
            observe_sweeps(github, state).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let earlier = match &state {
        Some(state) if may_roll_back(request, state, &pulls) => {
            observe_earlier(github, state).await?
        }
        _ => Vec::new(),
    };
    Ok(Observed {
        release,
        state_path,
        state,
        older,
        known_good,
        pulls,
        earlier,
        sweep_conclusions,
    })
}

/// Whether this run may roll back: asked to, or `auto_rollback` with a
/// failing pull request in the current wave.
fn may_roll_back(
    request: &RolloutRequest,
    state: &RolloutState,
    pulls: &[PullObservation],
) -> bool {
    !state.status.is_final()
        && (request.control == Control::Rollback
            || (request.auto_rollback
                && pulls
                    .iter()
                    .any(|p| matches!(gate::verdict(p, false), gate::Verdict::Failed(_)))))
}

/// Whether each earlier wave's pull request, not yet seen merged or
/// closed, has merged or closed since.
async fn observe_earlier(github: &GitHub, state: &RolloutState) -> Result<Vec<PullObservation>> {
    let current = state.current_wave().unwrap_or(0);
    let mut out = Vec::new();
    for member in state.waves[..current].iter().flat_map(|w| &w.repos) {
        let Some(pull) = member.pull.as_ref().filter(|p| !p.merged && !p.closed) else {
            continue;
        };
        let pr = github
            .pull_state(&repo_name(&member.repo)?, pull.number)
            .await?;
        out.push(PullObservation {
            repo: member.repo.clone(),
            merged: pr.merged,
            closed: pr.state == "closed" && !pr.merged,
            checks: Vec::new(),
            approved: false,
        });
    }
    Ok(out)
}

/// Where `known-good.json` lives in the source repository.
pub fn known_good_path(history_dir: &str) -> String {
    format!("{}/{KNOWN_GOOD_FILE}", history_dir.trim_end_matches('/'))
}

/// The state, checks, statuses and reviews of the current wave's pull requests.
async fn observe_pulls(github: &GitHub, state: &RolloutState) -> Result<Vec<PullObservation>> {
    let Some(current) = state.current_wave() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for member in &state.waves[current].repos {
        let Some(pull) = &member.pull else { continue };
        let repo = repo_name(&member.repo)?;
        let pr = github.pull_state(&repo, pull.number).await?;
        let mut checks: Vec<(String, CheckState)> = github
            .check_runs(&repo, &pr.head.sha)
            .await?
            .into_iter()
            .map(|c| {
                let state = CheckState::of_check_run(&c.status, c.conclusion.as_deref());
                (c.name, state)
            })
            .collect();
        checks.extend(
            github
                .commit_statuses(&repo, &pr.head.sha)
                .await?
                .into_iter()
                .map(|s| (s.context, CheckState::of_status(&s.state))),
        );
        let approved = member.approval_required && github.is_approved(&repo, pull.number).await?;
        out.push(PullObservation {
            repo: member.repo.clone(),
            merged: pr.merged,
            closed: pr.state == "closed" && !pr.merged,
            checks,
            approved,
        });
    }
    Ok(out)
}

/// The conclusions of sweeps dispatched earlier and not yet concluded.
async fn observe_sweeps(
    github: &GitHub,
    state: &RolloutState,
) -> Result<Vec<(String, String, Option<String>)>> {
    let mut out = Vec::new();
    for member in state.waves.iter().flat_map(|w| &w.repos) {
        for sweep in member.sweeps.iter().filter(|s| s.conclusion.is_none()) {
            let repo = repo_name(&member.repo)?;
            let run = github.latest_dispatched_run(&repo, &sweep.workflow).await?;
            let conclusion = run
                .filter(|r| r.status == "completed")
                .and_then(|r| r.conclusion);
            out.push((member.repo.clone(), sweep.workflow.clone(), conclusion));
        }
    }
    Ok(out)
}

fn repo_name(full: &str) -> Result<RepoName> {
    RepoName::parse(full).ok_or_else(|| anyhow!("{full:?} is not owner/name"))
}

/// Pure: the step for one package at `now`.
pub fn decide(
    request: &RolloutRequest,
    observed: Observed,
    consumers: &[Consumer],
    now: OffsetDateTime,
) -> Result<PackagePlan> {
    let stamp = now.format(&Rfc3339).expect("a time formats");
    let Release {
        package, version, ..
    } = &observed.release;
    let (before, mut current, superseded) = match observed.state {
        Some(state) => (Some(state.clone()), state, Vec::new()),
        None => {
            let new = start(
                request,
                consumers,
                &observed.release,
                &observed.known_good,
                &stamp,
            )?;
            let superseded = observed
                .older
                .into_iter()
                .filter_map(|(path, old)| Some((path, decide::supersede(old, version, &stamp)?)))
                .collect();
            (None, new, superseded)
        }
    };
    let pulls = &observed.pulls;
    let seen: Vec<PullObservation> = pulls.iter().chain(&observed.earlier).cloned().collect();
    record_sweeps(&mut current, &observed.sweep_conclusions, &seen);
    let mut known_good = observed.known_good;
    let (step, after, sweeps) = if let Some((k, n)) = request.shard {
        // A shard opens its share of the wave the plan_only run claimed; the
        // state's other changes are that run's to make.
        let wave = current.current_wave().map_or(0, |w| w + 1);
        let wait = Step::Wait {
            reason: format!("shard {k}/{n} opens its share of wave {wave}"),
        };
        (wait, before.clone().unwrap_or(current), Vec::new())
    } else {
        let (step, mut after) = step(request, current, pulls, now, &stamp)?;
        if step == Step::Complete {
            known_good.record(package, version, &stamp);
        }
        if let Step::Ended { .. } = step {
            after = before.clone().unwrap_or(after);
        }
        // Merged consumers get their sweeps while the rollout lives and after
        // it completed, not after it was called off.
        let sweeps = if matches!(
            after.status,
            Status::Active | Status::Paused | Status::Halted | Status::Completed
        ) {
            mark_sweeps(&mut after, &stamp)
        } else {
            Vec::new()
        };
        (step, after, sweeps)
    };
    Ok(PackagePlan {
        now,
        sweeps,
        package: package.clone(),
        version: version.clone(),
        state_path: observed.state_path,
        step,
        before,
        after,
        superseded,
        known_good,
    })
}

/// The gate's outcome on the current wave, the step, and the state after it.
fn step(
    request: &RolloutRequest,
    current: RolloutState,
    pulls: &[PullObservation],
    now: OffsetDateTime,
    stamp: &str,
) -> Result<(Step, RolloutState)> {
    let settings = GateSettings {
        max_failure_rate: current.max_failure_rate,
        bake_time_secs: current.bake_time_secs,
    };
    let evaluated = current
        .current_wave()
        .map(|w| gate::evaluate(&current.waves[w], pulls, settings, now));
    let step = decide::decide(
        &current,
        request.control,
        evaluated.as_ref().map(|(outcome, _, _)| outcome),
        request.auto_rollback,
    )?;
    let gate = evaluated.map(|(_, verdicts, record)| (record, verdicts));
    let after = decide::record(current, &step, gate, &[], stamp);
    Ok((step, after))
}

/// A new rollout of `package` at `version`: its waves, no wave open yet.
fn start(
    request: &RolloutRequest,
    consumers: &[Consumer],
    release: &Release,
    known_good: &KnownGood,
    stamp: &str,
) -> Result<RolloutState> {
    let candidates: Vec<Candidate> = consumers
        .iter()
        .map(|c| Candidate {
            repo: c.repo.clone(),
            canary: c.rollout.canary,
            approval_required: c.rollout.approval_required,
            pinned: c.rollout.pinned.clone(),
        })
        .collect();
    let plan = waves::assign(&request.waves, &candidates, &release.semver)?;
    let sweeps = |repo: &str| {
        consumers
            .iter()
            .find(|c| c.repo == repo)
            .map(|c| c.rollout.sweep_workflows.clone())
            .unwrap_or_default()
    };
    Ok(RolloutState::new(
        &NewRollout {
            package: &release.package,
            version: &release.version,
            bake_time_secs: request.bake_time_secs,
            max_failure_rate: request.max_failure_rate,
            known_good: known_good.version(&release.package).map(str::to_owned),
            now: stamp,
        },
        plan,
        &sweeps,
    ))
}

/// Marks merged pull requests, and records sweep conclusions read this run.
fn record_sweeps(
    state: &mut RolloutState,
    conclusions: &[(String, String, Option<String>)],
    pulls: &[PullObservation],
) {
    for member in state.waves.iter_mut().flat_map(|w| &mut w.repos) {
        if let (Some(pull), Some(seen)) = (
            member.pull.as_mut(),
            pulls.iter().find(|p| p.repo == member.repo),
        ) {
            pull.merged = seen.merged;
            pull.closed = seen.closed;
        }
        for sweep in &mut member.sweeps {
            if let Some((_, _, Some(conclusion))) = conclusions
                .iter()
                .find(|(r, w, _)| *r == member.repo && *w == sweep.workflow)
            {
                sweep.conclusion = Some(conclusion.clone());
            }
        }
    }
}

/// The files a state commit writes.
pub fn state_files(plan: &PackagePlan, state: &RolloutState, history_dir: &str) -> Vec<FileChange> {
    let mut files = vec![FileChange {
        path: plan.state_path.clone(),
        contents: Some(state.to_bytes()),
    }];
    files.extend(plan.superseded.iter().map(|(path, s)| FileChange {
        path: path.clone(),
        contents: Some(s.to_bytes()),
    }));
    if plan.step == Step::Complete {
        files.push(FileChange {
            path: known_good_path(history_dir),
            contents: Some(plan.known_good.to_bytes()),
        });
    }
    files
}

/// Commits the planned state, unless another run changed the stored state
/// since it was read: then `Ok(false)` and nothing is written (the other
/// run's step stands; this run acts on nothing). `run` names this run in
/// the commit message, so two runs that decided the same step in the same
/// second still write different commits and one of them loses the race.
pub async fn claim(
    github: &GitHub,
    source: &RepoName,
    branch: &str,
    plan: &PackagePlan,
    history_dir: &str,
    run: &str,
) -> Result<bool> {
    let lost = std::cell::Cell::new(false);
    let message = format!(
        "rollout: {} {}: {}\n\nSpecrelay-Run: {run}",
        plan.package,
        plan.version,
        plan.describe()
    );
    let committed = commit::commit_to_branch(
        github,
        source,
        branch,
        &message,
        COMMIT_ATTEMPTS,
        async |base| {
            let stored = match base.read(&plan.state_path).await? {
                Some(bytes) => Some(RolloutState::parse(&bytes, &plan.state_path)?),
                None => None,
            };
            if stored != plan.before {
                lost.set(true);
                return Ok(Vec::new());
            }
            Ok(state_files(plan, &plan.after, history_dir))
        },
    )
    .await
    .with_context(|| format!("storing the rollout state in {source}@{branch}"))?;
    if matches!(committed, Committed::Unchanged) {
        tracing::info!("{source}@{branch}: the rollout state is already current");
    }
    Ok(!lost.get())
}

/// Whether `after` differs from `before` in more than the times of the
/// gate's evaluation: a run that only waits writes nothing.
pub fn changed(before: Option<&RolloutState>, after: &RolloutState) -> bool {
    let Some(before) = before else { return true };
    let quiet = |s: &RolloutState| {
        let mut s = s.clone();
        s.updated_at.clear();
        for wave in &mut s.waves {
            if let Some(gate) = &mut wave.gate {
                gate.evaluated_at.clear();
            }
        }
        s
    };
    quiet(before) != quiet(after)
}

/// For a rollback: the consumers to return to the known-good version, and
/// that version.
pub fn reverts(plan: &PackagePlan) -> Option<(&[String], &str)> {
    match &plan.step {
        Step::Rollback { revert, to, .. } => Some((revert, to)),
        _ => None,
    }
}

/// Merges pull requests opened by this run into the stored state (each
/// shard adds its own; a rollback's go to `rollback_pulls`), re-applied on
/// the new head when another shard's commit lands first.
pub async fn record_pulls(
    github: &GitHub,
    source: &RepoName,
    branch: &str,
    plan: &PackagePlan,
    opened: &[(String, u64, String)],
) -> Result<()> {
    if opened.is_empty() {
        return Ok(());
    }
    let message = format!(
        "rollout: {} {}: {} pull request(s) opened",
        plan.package,
        plan.version,
        opened.len()
    );
    commit::commit_to_branch(
        github,
        source,
        branch,
        &message,
        COMMIT_ATTEMPTS,
        async |base| {
            let bytes = base
                .read(&plan.state_path)
                .await?
                .with_context(|| format!("{} disappeared", plan.state_path))?;
            let mut state = RolloutState::parse(&bytes, &plan.state_path)?;
            if reverts(plan).is_some() {
                for (repo, number, url) in opened {
                    state.rollback_pulls.retain(|p| p.repo != *repo);
                    state.rollback_pulls.push(RollbackPull {
                        repo: repo.clone(),
                        number: *number,
                        url: url.clone(),
                    });
                }
                return Ok(vec![FileChange {
                    path: plan.state_path.clone(),
                    contents: Some(state.to_bytes()),
                }]);
            }
            let wave = state.current_wave().context("no wave is open")?;
            for member in &mut state.waves[wave].repos {
                if let Some((_, number, url)) = opened.iter().find(|(r, _, _)| *r == member.repo) {
                    member.pull = Some(PullRecord {
                        number: *number,
                        url: url.clone(),
                        merged: false,
                        closed: false,
                    });
                }
            }
            Ok(vec![FileChange {
                path: plan.state_path.clone(),
                contents: Some(state.to_bytes()),
            }])
        },
    )
    .await
    .with_context(|| format!("recording pull requests in {source}@{branch}"))?;
    Ok(())
}

/// The consumers of the current wave this run opens pull requests for:
/// those without one yet, in this run's shard.
pub fn to_open(state: &RolloutState, shard: Option<(u32, u32)>) -> Vec<String> {
    let Some(wave) = state.current_wave() else {
        return Vec::new();
    };
    state.waves[wave]
        .repos
        .iter()
        .filter(|r| r.pull.is_none())
        .filter(|r| shard.is_none_or(|s| in_shard(&r.repo, s)))
        .map(|r| r.repo.clone())
        .collect()
}

/// The sweeps to dispatch now: merged consumers' workflows not yet started.
pub fn sweeps_due(state: &RolloutState) -> Vec<(String, String)> {
    state
        .waves
        .iter()
        .flat_map(|w| &w.repos)
        .filter(|r| r.pull.as_ref().is_some_and(|p| p.merged))
        .flat_map(|r| {
            r.sweep_workflows
                .iter()
                .filter(|w| !r.sweeps.iter().any(|s| s.workflow == **w))
                .map(|w| (r.repo.clone(), w.clone()))
        })
        .collect()
}

/// Records the due sweeps in `state` as dispatched at `now`, and returns
/// them: the claim commits them before they are sent, so two runs never
/// both dispatch one.
fn mark_sweeps(state: &mut RolloutState, now: &str) -> Vec<(String, String)> {
    let due = sweeps_due(state);
    for (repo, workflow) in &due {
        if let Some(member) = state
            .waves
            .iter_mut()
            .flat_map(|w| &mut w.repos)
            .find(|r| r.repo == *repo)
        {
            member.sweeps.push(SweepRecord {
                workflow: workflow.clone(),
                dispatched_at: now.to_owned(),
                conclusion: None,
            });
        }
    }
    due
}

/// Starts each sweep's workflow on its consumer's default branch.
pub async fn dispatch_sweeps(github: &GitHub, sweeps: &[(String, String)]) -> Result<()> {
    for (repo, workflow) in sweeps {
        let name = repo_name(repo)?;
        let branch = github.repository(&name).await?.default_branch;
        github
            .dispatch_workflow(&name, workflow, &branch)
            .await
            .with_context(|| format!("dispatching {workflow} in {repo}"))?;
    }
    Ok(())
}

/// The consumers this run opens pull requests for: the wave it opens, or
/// its shard's share of the current wave; or, once a claimed wave has gone
/// [`REPAIR_AFTER_SECS`] without some of its pull requests, those. None
/// for a `plan_only` run or a rollout that is not active.
pub fn opens(request: &RolloutRequest, plan: &PackagePlan) -> Vec<String> {
    if request.plan_only || plan.after.status != Status::Active {
        return Vec::new();
    }
    match plan.step {
        Step::Open { .. } => to_open(&plan.after, None),
        Step::Wait { .. } if request.shard.is_some() => to_open(&plan.after, request.shard),
        Step::Wait { .. } => {
            let opened_at = plan
                .after
                .current_wave()
                .and_then(|w| plan.after.waves[w].opened_at.as_deref())
                .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
            match opened_at {
                Some(at) if (plan.now - at).whole_seconds() > REPAIR_AFTER_SECS => {
                    to_open(&plan.after, None)
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The verdict labels of the current wave, for the summary.
pub fn verdicts(state: &RolloutState) -> Vec<(String, String)> {
    state
        .current_wave()
        .map(|w| {
            state.waves[w]
                .repos
                .iter()
                .map(|r| (r.repo.clone(), r.verdict.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// The gate record of the current wave, if evaluated.
pub fn current_gate(state: &RolloutState) -> Option<&GateRecord> {
    state
        .current_wave()
        .and_then(|w| state.waves[w].gate.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_every_repository_exactly_once() {
        let repos: Vec<String> = (0..500).map(|i| format!("acme/r{i}")).collect();
        let mut seen = 0;
        for k in 1..=4 {
            let share = repos.iter().filter(|r| in_shard(r, (k, 4))).count();
            assert!(share > 80, "shard {k} got {share}");
            seen += share;
        }
        assert_eq!(seen, 500);
        assert_eq!(parse_shard("2/4").unwrap(), (2, 4));
        for bad in ["0/4", "5/4", "a/b", "4", "1/300"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
