//! One run's step of a rollout: from the stored state, the control the
//! user gave (`rollout_action`) and the gate's outcome on the current wave,
//! what to do now. Pure; the stage carries the step out and stores the new
//! state with [`record`].

use super::RolloutError;
use super::gate::{GateOutcome, Verdict};
use super::state::{GateRecord, RolloutState, Status};

/// `rollout_action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Control {
    /// Evaluate the gate and open the next wave when it passes (the
    /// scheduled run's default).
    #[default]
    Advance,
    Pause,
    /// Continue a paused rollout, or re-evaluate a halted one's gate.
    Resume,
    /// Close the rollout's open pull requests with a comment and end it.
    Abort,
    /// Return merged consumers to the last known-good version and end it.
    Rollback,
    /// Change nothing: report each consumer's version lag ([`super::lag`]).
    Report,
}

impl Control {
    pub fn parse(text: &str) -> Result<Control, RolloutError> {
        Ok(match text.trim() {
            "" | "advance" => Control::Advance,
            "pause" => Control::Pause,
            "resume" => Control::Resume,
            "abort" => Control::Abort,
            "rollback" => Control::Rollback,
            "report" => Control::Report,
            other => {
                return Err(RolloutError::Control(format!(
                    "{other:?}: expected advance, pause, resume, abort, rollback or report"
                )));
            }
        })
    }
}

/// What this run does.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Open wave `index`'s pull requests.
    Open {
        wave: usize,
    },
    /// Nothing to do until checks finish or the wave has baked.
    Wait {
        reason: String,
    },
    /// The gate failed: label the failing pull requests and report it.
    Halt {
        reason: String,
        failing: Vec<(String, String)>,
    },
    /// Every wave passed: record the version as known-good.
    Complete,
    Pause,
    /// Close these open pull requests (`(repo, number)`) with a comment.
    Abort {
        close: Vec<(String, u64)>,
    },
    /// Close the open pull requests and return the merged consumers to `to`.
    Rollback {
        close: Vec<(String, u64)>,
        revert: Vec<String>,
        to: String,
    },
    /// The rollout has ended; nothing happens.
    Ended {
        status: Status,
    },
}

impl Step {
    pub fn describe(&self, state: &RolloutState) -> String {
        let name = format!("{} {}", state.package, state.version);
        match self {
            Step::Open { wave } => format!(
                "open wave {} of {} ({}%: {}) for {name}",
                wave + 1,
                state.waves.len(),
                state.waves[*wave].percent,
                repo_list(state.waves[*wave].repos.iter().map(|r| r.repo.as_str()))
            ),
            Step::Wait { reason } => format!("wait: {reason}"),
            Step::Halt { reason, .. } => format!("halt {name}: {reason}"),
            Step::Complete => format!("complete {name} and record it as known-good"),
            Step::Pause => format!("pause {name}"),
            Step::Abort { close } => {
                format!("abort {name}, closing {} pull request(s)", close.len())
            }
            Step::Rollback { close, revert, to } => format!(
                "roll {name} back to {to} in {} and close {} pull request(s)",
                repo_list(revert.iter().map(String::as_str)),
                close.len()
            ),
            Step::Ended { status } => {
                format!("nothing: the rollout of {name} is {}", status.as_str())
            }
        }
    }
}

fn repo_list<'a>(repos: impl Iterator<Item = &'a str>) -> String {
    let repos: Vec<&str> = repos.collect();
    if repos.is_empty() {
        "no consumers".to_owned()
    } else {
        repos.join(", ")
    }
}

/// Decides this run's step. `gate` is the current wave's outcome, `None`
/// when no wave is open yet.
pub fn decide(
    state: &RolloutState,
    control: Control,
    gate: Option<&GateOutcome>,
    auto_rollback: bool,
) -> Result<Step, RolloutError> {
    if state.status.is_final() {
        return Ok(Step::Ended {
            status: state.status,
        });
    }
    match control {
        Control::Report => Ok(Step::Wait {
            reason: "a lag report changes nothing".into(),
        }),
        Control::Pause if state.status == Status::Paused => Ok(Step::Wait {
            reason: "already paused".into(),
        }),
        Control::Pause => Ok(Step::Pause),
        Control::Abort => Ok(Step::Abort {
            close: state.open_pulls(),
        }),
        Control::Rollback => rollback(state),
        Control::Advance if state.status == Status::Paused => Ok(Step::Wait {
            reason: "paused; `rollout_action: resume` continues".into(),
        }),
        Control::Advance if state.status == Status::Halted => Ok(Step::Wait {
            reason: format!(
                "halted ({}); `resume` re-checks the gate, `abort` or `rollback` ends the rollout",
                state.halted_reason.as_deref().unwrap_or("gate failed")
            ),
        }),
        Control::Advance | Control::Resume => advance(state, gate, auto_rollback),
    }
}

fn advance(
    state: &RolloutState,
    gate: Option<&GateOutcome>,
    auto_rollback: bool,
) -> Result<Step, RolloutError> {
    let Some(current) = state.current_wave() else {
        return Ok(Step::Open { wave: 0 });
    };
    let last = current + 1 == state.waves.len();
    Ok(match gate {
        None | Some(GateOutcome::Pending { .. }) => Step::Wait {
            reason: format!("wave {} checks are still running", current + 1),
        },
        Some(GateOutcome::Baking { remaining_secs }) => Step::Wait {
            reason: format!(
                "wave {} is healthy; it bakes {remaining_secs} s more before the next wave",
                current + 1
            ),
        },
        Some(GateOutcome::Passed) if last => Step::Complete,
        Some(GateOutcome::Passed) => Step::Open { wave: current + 1 },
        Some(GateOutcome::Failed { failing }) => {
            if auto_rollback && !state.merged_repos().is_empty() && state.known_good.is_some() {
                return rollback(state);
            }
            Step::Halt {
                reason: format!(
                    "wave {} failed its gate: {} of {} pull request(s) failing",
                    current + 1,
                    failing.len(),
                    state.waves[current].repos.len()
                ),
                failing: failing.clone(),
            }
        }
    })
}

fn rollback(state: &RolloutState) -> Result<Step, RolloutError> {
    let to = state
        .known_good
        .clone()
        .ok_or_else(|| RolloutError::NoKnownGood(state.package.clone()))?;
    Ok(Step::Rollback {
        close: state.open_pulls(),
        revert: state.merged_repos(),
        to,
    })
}

/// The state after `step` was carried out at `now`: `gate` is the current
/// wave's new gate record and verdicts (stored even when the step waits, so
/// `healthy_since` survives), `opened` the pull requests a new wave got.
pub fn record(
    mut state: RolloutState,
    step: &Step,
    gate: Option<(GateRecord, Vec<(String, Verdict)>)>,
    opened: &[(String, u64, String)],
    now: &str,
) -> RolloutState {
    if let (Some(current), Some((record, verdicts))) = (state.current_wave(), gate) {
        let wave = &mut state.waves[current];
        for repo in &mut wave.repos {
            if let Some((_, v)) = verdicts.iter().find(|(r, _)| *r == repo.repo) {
                repo.verdict = Some(v.label());
            }
        }
        wave.gate = Some(record);
    }
    match step {
        Step::Open { wave } => {
            if let Some(previous) = wave.checked_sub(1) {
                state.waves[previous].passed_at = Some(now.to_owned());
            }
            let w = &mut state.waves[*wave];
            w.opened_at = Some(now.to_owned());
            for (repo, number, url) in opened {
                if let Some(r) = w.repos.iter_mut().find(|r| r.repo == *repo) {
                    r.pull = Some(super::state::PullRecord {
                        number: *number,
                        url: url.clone(),
                        merged: false,
                        closed: false,
                    });
                }
            }
            state.status = Status::Active;
            state.halted_reason = None;
        }
        Step::Wait { .. } | Step::Ended { .. } => {}
        Step::Halt { reason, .. } => {
            state.status = Status::Halted;
            state.halted_reason = Some(reason.clone());
        }
        Step::Complete => {
            if let Some(current) = state.current_wave() {
                state.waves[current].passed_at = Some(now.to_owned());
            }
            state.status = Status::Completed;
        }
        Step::Pause => state.status = Status::Paused,
        Step::Abort { close } | Step::Rollback { close, .. } => {
            for (repo, number) in close {
                mark_closed(&mut state, repo, *number);
            }
            state.status = if matches!(step, Step::Abort { .. }) {
                Status::Aborted
            } else {
                Status::RolledBack
            };
        }
    }
    state.updated_at = now.to_owned();
    state
}

fn mark_closed(state: &mut RolloutState, repo: &str, number: u64) {
    for r in state.waves.iter_mut().flat_map(|w| &mut w.repos) {
        if let Some(pull) = r
            .pull
            .as_mut()
            .filter(|p| r.repo == repo && p.number == number)
        {
            pull.closed = true;
        }
    }
}

/// Marks an unfinished older rollout of the same package as superseded by
/// `version`; a finished one is left as it is.
pub fn supersede(mut old: RolloutState, version: &str, now: &str) -> Option<RolloutState> {
    if old.status.is_final() || old.version == version {
        return None;
    }
    old.status = Status::Superseded;
    old.superseded_by = Some(version.to_owned());
    old.updated_at = now.to_owned();
    Some(old)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downstream::rollout::state::NewRollout;
    use crate::downstream::rollout::waves::{Candidate, WaveSpec, assign};

    fn state(n: usize, waves: &str) -> RolloutState {
        let candidates: Vec<Candidate> = (0..n)
            .map(|i| Candidate {
                repo: format!("acme/c{i}"),
                canary: false,
                approval_required: false,
                pinned: None,
            })
            .collect();
        let plan = assign(
            &WaveSpec::parse(waves).unwrap(),
            &candidates,
            &semver::Version::new(2, 0, 0),
        )
        .unwrap();
        RolloutState::new(
            &NewRollout {
                package: "pets",
                version: "2.0.0",
                bake_time_secs: 0,
                max_failure_rate: 0.0,
                known_good: Some("1.0.0".into()),
                now: "t0",
            },
            plan,
            &|_| vec![],
        )
    }

    fn opened(state: &RolloutState, wave: usize) -> Vec<(String, u64, String)> {
        state.waves[wave]
            .repos
            .iter()
            .enumerate()
            .map(|(i, r)| (r.repo.clone(), i as u64 + 1, format!("u{i}")))
            .collect()
    }

    fn step_and_record(
        s: RolloutState,
        control: Control,
        gate: Option<GateOutcome>,
    ) -> (Step, RolloutState) {
        let step = decide(&s, control, gate.as_ref(), false).unwrap();
        let next = if let Step::Open { wave } = step {
            opened(&s, wave)
        } else {
            vec![]
        };
        let s = record(s, &step, None, &next, "t");
        (step, s)
    }

    #[test]
    fn a_rollout_opens_waves_as_gates_pass_then_completes() {
        let s = state(4, "50,100");
        let (step, s) = step_and_record(s, Control::Advance, None);
        assert_eq!(step, Step::Open { wave: 0 });
        assert_eq!(s.waves[0].repos[0].pull.as_ref().unwrap().number, 1);
        let (step, s) = step_and_record(
            s,
            Control::Advance,
            Some(GateOutcome::Pending { pending: 2 }),
        );
        assert!(matches!(step, Step::Wait { .. }));
        let (step, s) = step_and_record(s, Control::Advance, Some(GateOutcome::Passed));
        assert_eq!(step, Step::Open { wave: 1 });
        assert_eq!(s.waves[0].passed_at.as_deref(), Some("t"));
        let (step, s) = step_and_record(s, Control::Advance, Some(GateOutcome::Passed));
        assert_eq!(step, Step::Complete);
        assert_eq!(s.status, Status::Completed);
        let (step, _) = step_and_record(s, Control::Advance, None);
        assert_eq!(
            step,
            Step::Ended {
                status: Status::Completed
            }
        );
    }

    #[test]
    fn a_red_gate_halts_until_resumed_and_abort_closes_what_is_open() {
        let (_, s) = step_and_record(state(2, "50,100"), Control::Advance, None);
        let failed = GateOutcome::Failed {
            failing: vec![("acme/c0".into(), "ci failed".into())],
        };
        let (step, s) = step_and_record(s, Control::Advance, Some(failed.clone()));
        assert!(matches!(step, Step::Halt { .. }));
        assert_eq!(s.status, Status::Halted);
        let (step, s) = step_and_record(s, Control::Advance, Some(GateOutcome::Passed));
        assert!(
            matches!(step, Step::Wait { .. }),
            "a halted rollout waits for a human"
        );
        let (step, s) = step_and_record(s, Control::Resume, Some(GateOutcome::Passed));
        assert_eq!(step, Step::Open { wave: 1 });
        let (step, s) = step_and_record(s, Control::Abort, None);
        assert_eq!(
            step,
            Step::Abort {
                close: vec![("acme/c0".into(), 1), ("acme/c1".into(), 1)]
            }
        );
        assert_eq!(s.status, Status::Aborted);
        assert!(s.open_pulls().is_empty());
    }

    #[test]
    fn pause_and_resume() {
        let (_, s) = step_and_record(state(2, "50,100"), Control::Advance, None);
        let (step, s) = step_and_record(s, Control::Pause, None);
        assert_eq!(step, Step::Pause);
        let (step, s) = step_and_record(s, Control::Advance, Some(GateOutcome::Passed));
        assert!(matches!(step, Step::Wait { .. }));
        let (step, _) = step_and_record(s, Control::Resume, Some(GateOutcome::Passed));
        assert_eq!(step, Step::Open { wave: 1 });
    }

    #[test]
    fn rollback_returns_merged_consumers_to_the_known_good_version() {
        let (_, mut s) = step_and_record(state(2, "50,100"), Control::Advance, None);
        s.waves[0].repos[0].pull.as_mut().unwrap().merged = true;
        let (_, s) = step_and_record(s, Control::Advance, Some(GateOutcome::Passed));
        let failed = GateOutcome::Failed {
            failing: vec![("acme/c1".into(), "ci failed".into())],
        };
        let step = decide(&s, Control::Advance, Some(&failed), true).unwrap();
        assert_eq!(
            step,
            Step::Rollback {
                close: vec![("acme/c1".into(), 1)],
                revert: vec!["acme/c0".into()],
                to: "1.0.0".into()
            }
        );
        let mut unknown = s.clone();
        unknown.known_good = None;
        assert!(decide(&unknown, Control::Rollback, None, false).is_err());
        let s = record(s, &step, None, &[], "t2");
        assert_eq!(s.status, Status::RolledBack);
    }

    #[test]
    fn a_newer_version_supersedes_an_unfinished_rollout_only() {
        let s = state(2, "100");
        let old = supersede(s.clone(), "2.1.0", "t").unwrap();
        assert_eq!(old.status, Status::Superseded);
        assert_eq!(old.superseded_by.as_deref(), Some("2.1.0"));
        let mut done = s;
        done.status = Status::Completed;
        assert!(supersede(done, "2.1.0", "t").is_none());
    }

    #[test]
    fn controls_parse() {
        assert_eq!(Control::parse("").unwrap(), Control::Advance);
        assert_eq!(Control::parse("rollback").unwrap(), Control::Rollback);
        assert_eq!(Control::parse("report").unwrap(), Control::Report);
        assert!(Control::parse("yolo").is_err());
    }
}
