//! The gate between two waves: from the check runs, commit statuses and
//! reviews of each pull request in the current wave, whether the next wave
//! may open. Pure; the times arrive as arguments.
//!
//! A wave passes when every pull request's checks have finished, the share
//! that failed is at most `max_failure_rate`, and the wave has stayed that
//! way for `bake_time`. A failure budget already spent fails the gate at
//! once: waiting for the rest cannot make it pass. A pull request with no
//! checks at all has nothing to wait for and passes (a repository without
//! CI cannot hold a rollout forever); one closed without merging fails.

use super::state::{GateRecord, Wave};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One check on a pull request's head commit, as the gate sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckState {
    Pending,
    Success,
    Failure,
}

impl CheckState {
    /// A check run (`status`, `conclusion` as GitHub's checks API spells them).
    pub fn of_check_run(status: &str, conclusion: Option<&str>) -> CheckState {
        if status != "completed" {
            return CheckState::Pending;
        }
        match conclusion {
            Some("success" | "neutral" | "skipped") => CheckState::Success,
            None => CheckState::Pending,
            // failure, cancelled, timed_out, action_required, stale, startup_failure
            Some(_) => CheckState::Failure,
        }
    }

    /// A commit status (`state` of the statuses API).
    pub fn of_status(state: &str) -> CheckState {
        match state {
            "success" => CheckState::Success,
            "pending" => CheckState::Pending,
            _ => CheckState::Failure, // failure, error
        }
    }
}

/// What was seen of one consumer's pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullObservation {
    pub repo: String,
    pub merged: bool,
    /// Closed without merging.
    pub closed: bool,
    /// `(name, state)` of every check run and commit status on its head.
    pub checks: Vec<(String, CheckState)>,
    /// Whether an approving review is on it.
    pub approved: bool,
}

/// One pull request's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pending(String),
    Passed,
    Failed(String),
}

impl Verdict {
    pub fn label(&self) -> String {
        match self {
            Verdict::Pending(why) => format!("pending: {why}"),
            Verdict::Passed => "passed".to_owned(),
            Verdict::Failed(why) => format!("failed: {why}"),
        }
    }
}

pub fn verdict(pull: &PullObservation, approval_required: bool) -> Verdict {
    if pull.closed {
        return Verdict::Failed("closed without merging".to_owned());
    }
    let failed: Vec<&str> = names(pull, CheckState::Failure);
    if !failed.is_empty() {
        return Verdict::Failed(format!("{} failed", failed.join(", ")));
    }
    let pending = names(pull, CheckState::Pending);
    if !pending.is_empty() {
        return Verdict::Pending(format!("{} running", pending.join(", ")));
    }
    if approval_required && !pull.approved && !pull.merged {
        return Verdict::Pending("waiting for an approving review".to_owned());
    }
    Verdict::Passed
}

fn names(pull: &PullObservation, state: CheckState) -> Vec<&str> {
    pull.checks
        .iter()
        .filter(|(_, s)| *s == state)
        .map(|(n, _)| n.as_str())
        .collect()
}

/// The gate's outcome for a wave.
#[derive(Debug, Clone, PartialEq)]
pub enum GateOutcome {
    /// Checks are still running (or reviews missing) on `pending` pull requests.
    Pending {
        pending: usize,
    },
    /// Healthy, but not yet for `bake_time`.
    Baking {
        remaining_secs: u64,
    },
    Passed,
    /// Over the failure budget: `(repo, why)` for each failing pull request.
    Failed {
        failing: Vec<(String, String)>,
    },
}

/// The gate's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateSettings {
    pub max_failure_rate: f64,
    pub bake_time_secs: u64,
}

/// Evaluates `wave` from `pulls` (one per consumer of the wave that has a
/// pull request) at `now`. Returns the outcome, each consumer's verdict, and
/// the record to store (which carries `healthy_since` into the next run).
pub fn evaluate(
    wave: &Wave,
    pulls: &[PullObservation],
    settings: GateSettings,
    now: OffsetDateTime,
) -> (GateOutcome, Vec<(String, Verdict)>, GateRecord) {
    let verdicts: Vec<(String, Verdict)> = wave
        .repos
        .iter()
        .map(|r| {
            let verdict = match pulls.iter().find(|p| p.repo == r.repo) {
                Some(pull) => verdict(pull, r.approval_required),
                // Opened by a later commit of the same run, or a shard.
                None if r.pull.is_none() => Verdict::Pending("no pull request yet".into()),
                None => Verdict::Pending("not observed".into()),
            };
            (r.repo.clone(), verdict)
        })
        .collect();
    let failing: Vec<(String, String)> = verdicts
        .iter()
        .filter_map(|(repo, v)| match v {
            Verdict::Failed(why) => Some((repo.clone(), why.clone())),
            _ => None,
        })
        .collect();
    let pending = verdicts
        .iter()
        .filter(|(_, v)| matches!(v, Verdict::Pending(_)))
        .count();
    let total = verdicts.len();
    let failure_rate = if total == 0 {
        0.0
    } else {
        failing.len() as f64 / total as f64
    };
    let stamp = now.format(&Rfc3339).expect("a time formats");
    let mut record = GateRecord {
        evaluated_at: stamp.clone(),
        passed: total - pending - failing.len(),
        failed: failing.len(),
        pending,
        failure_rate,
        healthy_since: None,
    };
    let outcome = if failure_rate > settings.max_failure_rate {
        GateOutcome::Failed { failing }
    } else if pending > 0 {
        GateOutcome::Pending { pending }
    } else {
        let since = wave
            .gate
            .as_ref()
            .and_then(|g| g.healthy_since.as_deref())
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
            .unwrap_or(now);
        record.healthy_since = Some(since.format(&Rfc3339).expect("a time formats"));
        let healthy_for = (now - since).whole_seconds().max(0) as u64;
        if total == 0 || healthy_for >= settings.bake_time_secs {
            GateOutcome::Passed
        } else {
            GateOutcome::Baking {
                remaining_secs: settings.bake_time_secs - healthy_for,
            }
        }
    };
    (outcome, verdicts, record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downstream::rollout::state::{PullRecord, WaveRepo};
    use time::macros::datetime;

    fn wave(repos: &[&str]) -> Wave {
        Wave {
            percent: 100,
            repos: repos
                .iter()
                .map(|r| WaveRepo {
                    repo: (*r).into(),
                    approval_required: false,
                    pull: Some(PullRecord {
                        number: 1,
                        url: String::new(),
                        merged: false,
                        closed: false,
                    }),
                    verdict: None,
                    sweeps: vec![],
                    sweep_workflows: vec![],
                })
                .collect(),
            opened_at: Some("2026-12-03T10:00:00Z".into()),
            gate: None,
            passed_at: None,
        }
    }

    fn pull(repo: &str, checks: &[CheckState]) -> PullObservation {
        PullObservation {
            repo: repo.into(),
            merged: false,
            closed: false,
            checks: checks
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("ci-{i}"), *s))
                .collect(),
            approved: false,
        }
    }

    const STRICT: GateSettings = GateSettings {
        max_failure_rate: 0.0,
        bake_time_secs: 600,
    };
    const NOW: OffsetDateTime = datetime!(2026-12-03 11:00 UTC);

    #[test]
    fn github_conclusions_map_to_three_states() {
        assert_eq!(
            CheckState::of_check_run("in_progress", None),
            CheckState::Pending
        );
        assert_eq!(
            CheckState::of_check_run("completed", Some("skipped")),
            CheckState::Success
        );
        assert_eq!(
            CheckState::of_check_run("completed", Some("timed_out")),
            CheckState::Failure
        );
        assert_eq!(CheckState::of_status("error"), CheckState::Failure);
        assert_eq!(CheckState::of_status("pending"), CheckState::Pending);
    }

    #[test]
    fn running_checks_hold_the_gate_and_a_red_one_fails_it_at_once() {
        let w = wave(&["a/1", "a/2"]);
        let pulls = [
            pull("a/1", &[CheckState::Success]),
            pull("a/2", &[CheckState::Pending]),
        ];
        let (outcome, _, record) = evaluate(&w, &pulls, STRICT, NOW);
        assert_eq!(outcome, GateOutcome::Pending { pending: 1 });
        assert_eq!(record.healthy_since, None);
        let pulls = [
            pull("a/1", &[CheckState::Failure, CheckState::Success]),
            pull("a/2", &[CheckState::Pending]),
        ];
        let (outcome, verdicts, _) = evaluate(&w, &pulls, STRICT, NOW);
        assert_eq!(
            outcome,
            GateOutcome::Failed {
                failing: vec![("a/1".into(), "ci-0 failed".into())]
            }
        );
        assert_eq!(verdicts[1].1, Verdict::Pending("ci-0 running".into()));
    }

    #[test]
    fn a_healthy_wave_bakes_before_it_passes() {
        let mut w = wave(&["a/1"]);
        let pulls = [pull("a/1", &[CheckState::Success])];
        let (outcome, _, record) = evaluate(&w, &pulls, STRICT, NOW);
        assert_eq!(
            outcome,
            GateOutcome::Baking {
                remaining_secs: 600
            }
        );
        w.gate = Some(record);
        let later = NOW + time::Duration::minutes(4);
        let (outcome, _, _) = evaluate(&w, &pulls, STRICT, later);
        assert_eq!(
            outcome,
            GateOutcome::Baking {
                remaining_secs: 360
            }
        );
        let (outcome, _, record) = evaluate(&w, &pulls, STRICT, NOW + time::Duration::minutes(10));
        assert_eq!(outcome, GateOutcome::Passed);
        assert_eq!(
            record.healthy_since.as_deref(),
            Some("2026-12-03T11:00:00Z")
        );
    }

    #[test]
    fn the_failure_budget_is_a_share_of_the_wave() {
        let w = wave(&["a/1", "a/2", "a/3", "a/4"]);
        let pulls = [
            pull("a/1", &[CheckState::Failure]),
            pull("a/2", &[CheckState::Success]),
            pull("a/3", &[]),
            pull("a/4", &[CheckState::Success]),
        ];
        let lenient = GateSettings {
            max_failure_rate: 0.25,
            bake_time_secs: 0,
        };
        assert_eq!(evaluate(&w, &pulls, lenient, NOW).0, GateOutcome::Passed);
        assert!(matches!(
            evaluate(&w, &pulls, STRICT, NOW).0,
            GateOutcome::Failed { .. }
        ));
    }

    #[test]
    fn approval_required_waits_for_a_review_and_closed_fails() {
        let mut w = wave(&["a/1"]);
        w.repos[0].approval_required = true;
        let mut p = pull("a/1", &[CheckState::Success]);
        let settings = GateSettings {
            max_failure_rate: 0.0,
            bake_time_secs: 0,
        };
        assert_eq!(
            evaluate(&w, &[p.clone()], settings, NOW).0,
            GateOutcome::Pending { pending: 1 }
        );
        p.approved = true;
        assert_eq!(
            evaluate(&w, &[p.clone()], settings, NOW).0,
            GateOutcome::Passed
        );
        p.closed = true;
        assert!(matches!(
            evaluate(&w, &[p], settings, NOW).0,
            GateOutcome::Failed { .. }
        ));
    }
}
