//! A rollout's state, as stored in the source repository at
//! `openapi/rollouts/<package>-<version>.json`, and the known-good record
//! (`openapi/known-good.json`). Pure: bytes in, bytes out.
//!
//! The state is the whole memory of a rollout: each scheduled run of
//! `downstream` reads it, observes the current wave's pull requests,
//! decides one step ([`super::decide`]) and writes it back through a
//! compare-and-swap commit, so two runs never both open a wave.

use super::RolloutError;
use super::waves::{Candidate, Pinned, WavePlan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The folder, under the history folder, that holds rollout states.
pub const ROLLOUTS_DIR: &str = "rollouts";
/// The file, in the history folder, that records known-good versions.
pub const KNOWN_GOOD_FILE: &str = "known-good.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waves are opening as their gates pass.
    Active,
    /// Stopped by `rollout_action: pause`; `resume` continues.
    Paused,
    /// A gate failed; `resume` retries the gate, `abort` or `rollback` ends it.
    Halted,
    /// Every wave passed; the version is known-good.
    Completed,
    /// Ended by `rollout_action: abort`; its open pull requests were closed.
    Aborted,
    /// Ended by a rollback to the last known-good version.
    RolledBack,
    /// A newer version of the same package started its own rollout.
    Superseded,
}

impl Status {
    /// Whether later runs have nothing left to do.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Completed | Status::Aborted | Status::RolledBack | Status::Superseded
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Paused => "paused",
            Status::Halted => "halted",
            Status::Completed => "completed",
            Status::Aborted => "aborted",
            Status::RolledBack => "rolled_back",
            Status::Superseded => "superseded",
        }
    }
}

/// One consumer's part in a wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaveRepo {
    pub repo: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approval_required: bool,
    /// The pull request, once opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull: Option<PullRecord>,
    /// The last verdict of the gate on this consumer's pull request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// Workflows dispatched after the merge, and their conclusions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sweeps: Vec<SweepRecord>,
    /// Workflows to dispatch once the pull request merges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sweep_workflows: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRecord {
    pub number: u64,
    pub url: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub merged: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
}

/// A rollback's pull request in one consumer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackPull {
    pub repo: String,
    pub number: u64,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepRecord {
    pub workflow: String,
    pub dispatched_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
}

/// The gate's last evaluation of a wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateRecord {
    pub evaluated_at: String,
    pub passed: usize,
    pub failed: usize,
    pub pending: usize,
    pub failure_rate: f64,
    /// When every check of the wave was first seen finished and within
    /// the failure budget; `bake_time` counts from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthy_since: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wave {
    pub percent: u8,
    pub repos: Vec<WaveRepo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed_at: Option<String>,
}

impl Wave {
    pub fn is_open(&self) -> bool {
        self.opened_at.is_some()
    }
}

/// Everything a rollout remembers between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutState {
    pub package: String,
    pub version: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halted_reason: Option<String>,
    pub bake_time_secs: u64,
    pub max_failure_rate: f64,
    pub waves: Vec<Wave>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned: Vec<Pinned>,
    /// The version a rollback returns consumers to, when one is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_good: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// The pull requests a rollback opened, returning merged consumers to
    /// `known_good`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rollback_pulls: Vec<RollbackPull>,
    pub created_at: String,
    pub updated_at: String,
}

/// The settings a new rollout starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRollout<'a> {
    pub package: &'a str,
    pub version: &'a str,
    pub bake_time_secs: u64,
    pub max_failure_rate: f64,
    pub known_good: Option<String>,
    pub now: &'a str,
}

impl RolloutState {
    /// A rollout with no wave open yet.
    pub fn new(
        settings: &NewRollout<'_>,
        plan: WavePlan,
        sweeps: &dyn Fn(&str) -> Vec<String>,
    ) -> Self {
        let wave_repo = |c: Candidate| WaveRepo {
            sweep_workflows: sweeps(&c.repo),
            repo: c.repo,
            approval_required: c.approval_required,
            pull: None,
            verdict: None,
            sweeps: Vec::new(),
        };
        RolloutState {
            package: settings.package.to_owned(),
            version: settings.version.to_owned(),
            status: Status::Active,
            halted_reason: None,
            bake_time_secs: settings.bake_time_secs,
            max_failure_rate: settings.max_failure_rate,
            waves: plan
                .waves
                .into_iter()
                .map(|(percent, repos)| Wave {
                    percent,
                    repos: repos.into_iter().map(wave_repo).collect(),
                    opened_at: None,
                    gate: None,
                    passed_at: None,
                })
                .collect(),
            pinned: plan.pinned,
            known_good: settings.known_good.clone(),
            superseded_by: None,
            rollback_pulls: Vec::new(),
            created_at: settings.now.to_owned(),
            updated_at: settings.now.to_owned(),
        }
    }

    pub fn parse(bytes: &[u8], path: &str) -> Result<RolloutState, RolloutError> {
        parse_json(bytes, path)
    }

    /// Pretty JSON with a final newline: the file is read in reviews.
    pub fn to_bytes(&self) -> Vec<u8> {
        pretty_json(self)
    }

    /// The index of the newest open wave, if any is open.
    pub fn current_wave(&self) -> Option<usize> {
        self.waves.iter().rposition(Wave::is_open)
    }

    /// The repository path of a rollout's state file.
    pub fn path(history_dir: &str, package: &str, version: &str) -> String {
        format!(
            "{}/{ROLLOUTS_DIR}/{}-{version}.json",
            history_dir.trim_end_matches('/'),
            file_safe(package)
        )
    }

    /// Every pull request of the rollout that is still open.
    pub fn open_pulls(&self) -> Vec<(String, u64)> {
        self.waves
            .iter()
            .flat_map(|w| &w.repos)
            .filter_map(|r| {
                let pull = r.pull.as_ref()?;
                (!pull.merged && !pull.closed).then(|| (r.repo.clone(), pull.number))
            })
            .collect()
    }

    /// Every consumer whose pull request merged.
    pub fn merged_repos(&self) -> Vec<String> {
        self.waves
            .iter()
            .flat_map(|w| &w.repos)
            .filter(|r| r.pull.as_ref().is_some_and(|p| p.merged))
            .map(|r| r.repo.clone())
            .collect()
    }
}

/// Reads one of the rollout's JSON files; `path` names it in the error.
fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8], path: &str) -> Result<T, RolloutError> {
    serde_json::from_slice(bytes).map_err(|e| RolloutError::State {
        path: path.to_owned(),
        problem: e.to_string(),
    })
}

/// Pretty JSON with a final newline: the rollout's files are read in reviews.
fn pretty_json(value: &impl Serialize) -> Vec<u8> {
    // Plain structs with string keys: serialising cannot fail.
    let mut bytes = serde_json::to_vec_pretty(value).expect("rollout file serialises");
    bytes.push(b'\n');
    bytes
}

/// `@acme/pets` -> `acme-pets`: a package name as one file name.
pub fn file_safe(package: &str) -> String {
    package
        .trim_start_matches('@')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// `openapi/known-good.json`: per package, the newest version whose
/// rollout completed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownGood {
    pub packages: BTreeMap<String, KnownGoodEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownGoodEntry {
    pub version: String,
    pub recorded_at: String,
}

impl KnownGood {
    pub fn parse(bytes: Option<&[u8]>) -> Result<KnownGood, RolloutError> {
        match bytes {
            None => Ok(KnownGood::default()),
            Some(bytes) => parse_json(bytes, KNOWN_GOOD_FILE),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        pretty_json(self)
    }

    pub fn version(&self, package: &str) -> Option<&str> {
        self.packages.get(package).map(|e| e.version.as_str())
    }

    pub fn record(&mut self, package: &str, version: &str, now: &str) {
        self.packages.insert(
            package.to_owned(),
            KnownGoodEntry {
                version: version.to_owned(),
                recorded_at: now.to_owned(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downstream::rollout::waves::{WaveSpec, assign};

    #[test]
    fn a_state_round_trips_and_rejects_unknown_fields() {
        let candidates = vec![Candidate {
            repo: "acme/web".into(),
            canary: true,
            approval_required: false,
            pinned: None,
        }];
        let plan = assign(
            &WaveSpec::parse("100").unwrap(),
            &candidates,
            &semver::Version::new(1, 0, 0),
        )
        .unwrap();
        let state = RolloutState::new(
            &NewRollout {
                package: "@acme/pets",
                version: "1.0.0",
                bake_time_secs: 3600,
                max_failure_rate: 0.0,
                known_good: Some("0.9.0".into()),
                now: "2026-12-03T10:00:00Z",
            },
            plan,
            &|_| vec!["e2e.yml".into()],
        );
        let bytes = state.to_bytes();
        assert_eq!(RolloutState::parse(&bytes, "x").unwrap(), state);
        assert_eq!(state.waves[0].repos[0].sweep_workflows, ["e2e.yml"]);
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        value["surprise"] = true.into();
        let err = RolloutState::parse(value.to_string().as_bytes(), "openapi/rollouts/x.json");
        assert!(err.unwrap_err().to_string().contains("surprise"));
    }

    #[test]
    fn paths_are_safe_file_names() {
        assert_eq!(
            RolloutState::path("openapi", "@acme/pets", "1.2.0"),
            "openapi/rollouts/acme-pets-1.2.0.json"
        );
    }

    #[test]
    fn known_good_records_the_newest_completed_version() {
        let mut known = KnownGood::parse(None).unwrap();
        known.record("@acme/pets", "1.0.0", "t1");
        known.record("@acme/pets", "1.1.0", "t2");
        let again = KnownGood::parse(Some(&known.to_bytes())).unwrap();
        assert_eq!(again.version("@acme/pets"), Some("1.1.0"));
    }
}
