//! Staged rollout of an SDK update across consumer repositories
//! (`downstream` with `waves`). Pure: the stage observes GitHub and the
//! stored state, these modules decide, the stage acts.
//!
//! ```text
//! waves (1,10,50,100) + consumers ──> waves::assign ──> state::RolloutState (stored)
//!                                                            │ each scheduled run
//!  PR checks, statuses, reviews ──> gate::evaluate ──> decide::decide ──> Step
//!                                                            │
//!                                            decide::record ──> new state (stored)
//! ```
//!
//! - [`waves`]: which consumer gets the update in which wave (canaries first,
//!   approval-required consumers last, pinned ones left out).
//! - [`state`]: the stored state (`openapi/rollouts/<package>-<version>.json`)
//!   and the known-good record (`openapi/known-good.json`).
//! - [`gate`]: whether the current wave's pull requests let the next open.
//! - [`decide`]: the run's step from the state, `rollout_action` and the gate.
//! - [`lag`]: the lag report (`rollout_action: report`): each consumer's
//!   pinned version against the latest and the known-good one.

pub mod decide;
pub mod gate;
pub mod lag;
pub mod state;
pub mod waves;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RolloutError {
    #[error("waves {0}")]
    Waves(String),
    #[error("specrelay.yaml: {repo}: pinned {range:?} is {problem}")]
    Pin {
        repo: String,
        range: String,
        problem: String,
    },
    #[error("rollout_action {0}")]
    Control(String),
    #[error("{path} is not a rollout state: {problem}")]
    State { path: String, problem: String },
    #[error(
        "no known-good version of {0} to roll back to: a version becomes known-good when its rollout completes"
    )]
    NoKnownGood(String),
}
