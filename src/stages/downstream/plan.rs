//! `downstream`: the pull-request actions, decided from what was observed
//! on GitHub before anything is sent. Pure. Per consumer repository and
//! package:
//!
//! - no manifest needs a change: leave it as it is;
//! - the branch `specrelay/<package>` has a commit specrelay did not make
//!   (a human pushed): leave it alone, and say so on its pull request;
//! - otherwise push the bump and **create** the pull request, or **update**
//!   the open one (apply finds it unchanged when the branch already holds
//!   exactly this change and the title and body match).

use super::request::Request;
use super::rollout;
use crate::adapters::github::GitHub;
use crate::adapters::github::commit::BaseState;
use crate::adapters::github::rest::{FileChange, PullRequest, RepoName};
use crate::downstream::bump::{Direction, Outcome};
use crate::downstream::config::Consumer;
use crate::downstream::plan::Target;
use crate::downstream::pull_request;
use crate::stages::shape::{Decide, Describe};

/// The trailer that marks specrelay's commits on a `specrelay/` branch; a
/// commit without it was pushed by someone else.
pub const TRAILER: &str = "Specrelay-Package:";

/// What `observe` read.
pub struct Observed {
    /// The client `observe` used; `apply` writes through the same one (an
    /// app's installation token is obtained once).
    pub github: GitHub,
    pub body_context: pull_request::Context,
    pub consumers: Vec<ObservedConsumer>,
    /// A staged rollout's packages as read, with the run's "now".
    pub rollout: Option<ObservedRollout>,
    /// `rollout_action: report`: what the lag report was read from.
    pub lag: Option<Vec<super::lag::LagRead>>,
}

/// What a staged rollout run read: the source repository and branch that
/// hold the state, each package's rollout, and the time the run decides at.
pub struct ObservedRollout {
    pub source: RepoName,
    pub branch: String,
    /// The selected API's history folder (`openapi`), where `rollouts/`
    /// and `known-good.json` live.
    pub history_dir: String,
    pub packages: Vec<rollout::Observed>,
    /// Every consumer, for a new rollout's waves (only the wave's are read).
    pub consumers: Vec<Consumer>,
    pub now: time::OffsetDateTime,
}

/// A staged rollout run's decisions: one step per package.
pub struct RolloutPlan {
    pub source: RepoName,
    pub branch: String,
    /// Where the state files are committed (see [`ObservedRollout`]).
    pub history_dir: String,
    pub packages: Vec<rollout::PackagePlan>,
}

/// One consumer repository as observed, or why it could not be read.
pub struct ObservedConsumer {
    pub consumer: Consumer,
    pub targets: Result<Vec<ObservedTarget>, String>,
}

/// One package in one consumer repository, as observed.
pub struct ObservedTarget {
    pub repo: RepoName,
    pub base_branch: String,
    pub base: BaseState,
    pub target: Target,
    /// Every manifest of the target's registry, bumped in memory.
    pub outcomes: Vec<(String, Outcome)>,
    /// The open pull request from the target's branch, if any.
    pub existing: Option<PullRequest>,
    /// Every open pull request of the repository, as read.
    pub open_pulls: Vec<PullRequest>,
    /// The target branch's head, if the branch exists (read only when a change is due).
    pub head: Option<String>,
    /// The first commit on the branch that specrelay did not make.
    pub foreign: Option<String>,
}

/// What to do about one package in one repository.
#[derive(Debug, Clone, PartialEq)]
pub enum PullAction {
    /// Nothing to change.
    Unchanged { reason: String },
    /// A human pushed to the branch; `comment` goes on its pull request.
    LeaveAlone {
        reason: String,
        comment: Option<String>,
    },
    /// Push the bump, then open a pull request (`create`) or rewrite the open one.
    Push {
        create: bool,
        changes: Vec<FileChange>,
        message: String,
        title: String,
    },
}

/// One package in one repository: what was observed and what to do.
pub struct TargetPlan {
    pub observed: ObservedTarget,
    pub consumer: Consumer,
    pub action: PullAction,
}

/// The plan for one consumer repository, or why it could not be observed.
pub struct ConsumerPlan {
    pub repo: String,
    pub targets: Result<Vec<TargetPlan>, String>,
}

/// Everything one downstream run will do.
pub struct DownstreamPlan {
    /// The rollout's steps, for a staged rollout; `consumers` then holds
    /// only the pull requests this run opens.
    pub rollout: Option<RolloutPlan>,
    /// `rollout_action: report`: the lag report, and nothing else to do.
    pub lag: Option<Vec<crate::downstream::rollout::lag::PackageLag>>,
    pub github: GitHub,
    pub body_context: pull_request::Context,
    pub consumers: Vec<ConsumerPlan>,
}

/// The actions for every repository and package.
impl Decide for DownstreamPlan {
    type Request = Request;
    type Observed = Observed;
    fn decide(request: &Request, observed: Observed) -> anyhow::Result<Self> {
        let rollout = match (&request.rollout, observed.rollout) {
            (Some(settings), Some(read)) => Some(RolloutPlan {
                packages: read
                    .packages
                    .into_iter()
                    .map(|p| rollout::decide(settings, p, &read.consumers, read.now))
                    .collect::<anyhow::Result<_>>()?,
                source: read.source,
                branch: read.branch,
                history_dir: read.history_dir,
            }),
            _ => None,
        };
        let consumers = observed
            .consumers
            .into_iter()
            .map(|c| ConsumerPlan {
                repo: c.consumer.repo.clone(),
                targets: c.targets.map(|targets| {
                    targets
                        .into_iter()
                        .map(|t| TargetPlan {
                            action: action(&t),
                            observed: t,
                            consumer: c.consumer.clone(),
                        })
                        .collect()
                }),
            })
            .collect();
        Ok(DownstreamPlan {
            lag: observed.lag.map(super::lag::decide),
            rollout,
            github: observed.github,
            body_context: observed.body_context,
            consumers,
        })
    }
}

/// The action for one package in one repository.
pub fn action(observed: &ObservedTarget) -> PullAction {
    let target = &observed.target;
    let changes = bumped_files(&observed.outcomes);
    if changes.is_empty() {
        return PullAction::Unchanged {
            reason: "no manifest needs a change".into(),
        };
    }
    if let Some(foreign) = &observed.foreign {
        let reason = format!(
            "{} has a commit specrelay did not make ({}); it was left alone",
            target.branch(),
            &foreign[..foreign.len().min(12)]
        );
        let comment = observed.existing.as_ref().map(|_| {
            format!(
                "specrelay did not update this pull request to {} {}: {reason}. \
                 Merge or close it (or delete the branch) and the next run opens a fresh one.",
                target.package, target.version
            )
        });
        return PullAction::LeaveAlone { reason, comment };
    }
    let title = pull_request::title(target);
    PullAction::Push {
        create: observed.existing.is_none(),
        changes,
        message: format!("{title}\n\n{TRAILER} {}", target.package),
        title,
    }
}

/// The manifests whose bytes change.
fn bumped_files(outcomes: &[(String, Outcome)]) -> Vec<FileChange> {
    outcomes
        .iter()
        .filter_map(|(path, outcome)| match outcome {
            Outcome::Bumped { bytes, .. } => Some(FileChange {
                path: path.clone(),
                contents: Some(bytes.clone()),
            }),
            _ => None,
        })
        .collect()
}

impl Describe for DownstreamPlan {
    fn describe(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .lag
            .as_deref()
            .map(super::lag::describe)
            .unwrap_or_default();
        lines.extend(
            self.rollout
                .iter()
                .flat_map(|r| r.packages.iter().map(rollout::PackagePlan::describe)),
        );
        for consumer in &self.consumers {
            let targets = match &consumer.targets {
                Ok(targets) => targets,
                Err(e) => {
                    lines.push(format!("fail {}: {}", consumer.repo, e.replace('\n', " ")));
                    continue;
                }
            };
            for plan in targets {
                lines.push(describe_target(plan));
            }
        }
        lines
    }
}

fn describe_target(plan: &TargetPlan) -> String {
    let t = &plan.observed;
    let (repo, package, version) = (&t.repo, &t.target.package, &t.target.version);
    match &plan.action {
        PullAction::Unchanged { reason } => {
            format!("leave {package} in {repo} as it is ({reason})")
        }
        PullAction::LeaveAlone { reason, comment } => format!(
            "leave {package} in {repo} alone: {reason}{}",
            if comment.is_some() {
                "; comment on its pull request"
            } else {
                ""
            }
        ),
        PullAction::Push {
            create: true,
            changes,
            ..
        } => format!(
            "create a pull request in {repo} {} {package} to {version} on {} ({})",
            match t.target.direction {
                Direction::Upgrade => "bumping",
                Direction::Downgrade => "rolling back",
            },
            t.target.branch(),
            changes
                .iter()
                .map(|c| c.path.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        PullAction::Push { changes, .. } => format!(
            "update pull request #{} in {repo} to {package} {version} ({})",
            t.existing.as_ref().map_or(0, |p| p.number),
            changes
                .iter()
                .map(|c| c.path.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downstream::plan::TargetVersion;

    fn observed(bumped: bool, existing: bool, foreign: Option<&str>) -> ObservedTarget {
        let outcome = if bumped {
            Outcome::Bumped {
                bytes: b"{\"dependencies\":{\"@acme/pets\":\"^2.0.0\"}}".to_vec(),
                occurrences: Vec::new(),
            }
        } else {
            Outcome::NotADependency
        };
        let pull: PullRequest = serde_json::from_value(serde_json::json!({
            "number": 7,
            "html_url": "https://github.com/acme/web/pull/7",
            "title": "old",
            "body": null,
            "head": {"ref": "specrelay/acme-pets"},
            "base": {"ref": "main"},
        }))
        .unwrap();
        ObservedTarget {
            repo: RepoName::parse("acme/web").unwrap(),
            base_branch: "main".into(),
            base: BaseState {
                commit: "c0".into(),
                tree: "t0".into(),
                files: Default::default(),
            },
            target: Target {
                package: "@acme/pets".into(),
                version: TargetVersion::Npm(semver::Version::new(2, 0, 0)),
                direction: Default::default(),
            },
            outcomes: vec![("package.json".into(), outcome)],
            existing: existing.then_some(pull),
            open_pulls: Vec::new(),
            head: foreign.map(|_| "h1".into()),
            foreign: foreign.map(str::to_owned),
        }
    }

    #[test]
    fn a_due_bump_creates_or_updates_the_pull_request() {
        let create = action(&observed(true, false, None));
        assert!(
            matches!(&create, PullAction::Push { create: true, changes, message, .. }
            if changes.len() == 1 && changes[0].path == "package.json"
                && message.contains("Specrelay-Package: @acme/pets"))
        );
        let update = action(&observed(true, true, None));
        assert!(matches!(update, PullAction::Push { create: false, .. }));
    }

    #[test]
    fn a_human_commit_leaves_the_branch_alone_and_comments_only_on_an_open_pull() {
        let with_pull = action(&observed(true, true, Some("abcdef0123456789")));
        let PullAction::LeaveAlone { reason, comment } = with_pull else {
            panic!("expected leave alone, got {with_pull:?}");
        };
        assert!(reason.contains("abcdef012345"), "{reason}");
        assert!(!reason.contains("abcdef0123456"), "shortened: {reason}");
        assert!(comment.is_some_and(|c| c.contains("@acme/pets 2.0.0")));
        let without = action(&observed(true, false, Some("abc")));
        assert!(matches!(
            without,
            PullAction::LeaveAlone { comment: None, .. }
        ));
    }

    #[test]
    fn nothing_to_bump_leaves_it_unchanged_even_with_a_foreign_commit() {
        let unchanged = action(&observed(false, true, Some("abc")));
        assert_eq!(
            unchanged,
            PullAction::Unchanged {
                reason: "no manifest needs a change".into()
            }
        );
    }
}
