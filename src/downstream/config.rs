//! `downstream`: which consumer repositories get a pull request, and what
//! goes on it, from the inputs or the `downstream:` section of the
//! workspace's `specrelay.yaml`. Pure: the config arrives as text, the
//! repository tree as a list of paths.
//!
//! ```yaml
//! # specrelay.yaml (other top-level sections belong to other stages)
//! downstream:
//!   labels: [dependencies]            # optional: on every pull request
//!   reviewers: [alice, acme/sdk-team] # optional: users, or org/team
//!   repositories:
//!     - acme/pets-web                 # every manifest in the repository
//!     - repo: acme/pets-worker
//!       manifests: [pyproject.toml, requirements/prod.txt]  # optional: only these
//!       base: develop                 # optional: default the default branch
//!       labels: [python]              # optional: added to the defaults
//!       reviewers: [bob]              # optional: added to the defaults
//!       canary: true                  # optional: first in a staged rollout
//!       approval: required            # optional: final wave only, waits for a review
//!       pinned: "^3"                  # optional: never bumped outside this range
//!       sweep_workflows: [e2e.yml]    # optional: dispatched after the PR merges
//! ```
//!
//! The last four only matter to staged rollouts (input `waves`, see
//! [`super::rollout`]).
//!
//! Input `repositories` (owner/name, separated by commas or newlines)
//! replaces the config's list; inputs `labels` and `reviewers` replace the
//! config's defaults. Unknown keys, malformed names, duplicates and
//! manifest paths that are not `package.json`, `requirements*.txt` or
//! `pyproject.toml` are errors, so a typo cannot silently skip a consumer.

use super::plan::ManifestKind;
use serde::Deserialize;

/// One consumer repository and how its pull request is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// `owner/name`.
    pub repo: String,
    /// Manifests to bump; empty means every manifest found in the repository
    /// (see [`manifests_in`]).
    pub manifests: Vec<String>,
    /// The branch the pull request targets; `None` for the default branch.
    pub base: Option<String>,
    pub labels: Vec<String>,
    /// Users, and teams written `org/team`.
    pub reviewers: Vec<String>,
    /// How the consumer takes part in a staged rollout.
    pub rollout: ConsumerRollout,
}

/// A consumer's rollout options from `specrelay.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumerRollout {
    /// Gets the first wave.
    pub canary: bool,
    /// Gets only the final wave, and its pull request needs an approving review.
    pub approval_required: bool,
    /// A range (npm syntax) outside which it is never bumped.
    pub pinned: Option<String>,
    /// Workflow files dispatched in the consumer once its pull request merges.
    pub sweep_workflows: Vec<String>,
}

/// The inputs that configure consumers; an empty input is unset.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsumerInputs<'a> {
    pub repositories: Option<&'a str>,
    pub labels: Option<&'a str>,
    pub reviewers: Option<&'a str>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("specrelay.yaml: {0}")]
    Syntax(String),
    #[error("{origin}: {value:?} is not a repository; write owner/name")]
    Repository { origin: &'static str, value: String },
    #[error("{origin}: {repo} is listed twice")]
    Duplicate { origin: &'static str, repo: String },
    #[error(
        "specrelay.yaml: {repo}: manifest {path:?} {problem}; list package.json, requirements*.txt or pyproject.toml files by their path in the repository"
    )]
    Manifest {
        repo: String,
        path: String,
        problem: &'static str,
    },
    #[error(
        "no consumer repositories: set input repositories, or list them under downstream.repositories in specrelay.yaml"
    )]
    NoRepositories,
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    downstream: Option<Section>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Section {
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    reviewers: Vec<String>,
    /// Each either `owner/name` or a [`Detailed`] mapping; read one by one
    /// so that a typo in a mapping gets serde's precise message.
    #[serde(default)]
    repositories: Vec<serde_yaml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Detailed {
    repo: String,
    #[serde(default)]
    manifests: Vec<String>,
    #[serde(default)]
    base: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    reviewers: Vec<String>,
    #[serde(default)]
    canary: bool,
    #[serde(default)]
    approval: Option<Approval>,
    #[serde(default)]
    pinned: Option<String>,
    #[serde(default)]
    sweep_workflows: Vec<String>,
}

/// `approval: required` (the only value, so that a typo is an error).
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Approval {
    Required,
}

const CONFIG: &str = "specrelay.yaml";
const INPUT: &str = "input repositories";

/// The consumers, from the inputs and the config text (if the workspace
/// has a `specrelay.yaml`).
pub fn consumers(
    config: Option<&str>,
    inputs: &ConsumerInputs<'_>,
) -> Result<Vec<Consumer>, ConfigError> {
    let section = match config {
        Some(text) if !text.trim().is_empty() => {
            let file: ConfigFile =
                serde_yaml::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
            file.downstream.unwrap_or_default()
        }
        _ => Section::default(),
    };
    let labels = inputs.labels.map_or(section.labels, list);
    let reviewers = inputs.reviewers.map_or(section.reviewers, list);
    let (origin, entries) = match inputs.repositories.map(list) {
        Some(names) if !names.is_empty() => (
            INPUT,
            names.into_iter().map(detailed_name).collect::<Vec<_>>(),
        ),
        _ => (
            CONFIG,
            section
                .repositories
                .into_iter()
                .map(detailed)
                .collect::<Result<_, _>>()?,
        ),
    };
    if entries.is_empty() {
        return Err(ConfigError::NoRepositories);
    }
    let mut out: Vec<Consumer> = Vec::with_capacity(entries.len());
    for entry in entries {
        if !is_repository(&entry.repo) {
            return Err(ConfigError::Repository {
                origin,
                value: entry.repo,
            });
        }
        if out.iter().any(|c| c.repo.eq_ignore_ascii_case(&entry.repo)) {
            return Err(ConfigError::Duplicate {
                origin,
                repo: entry.repo,
            });
        }
        for path in &entry.manifests {
            check_manifest(&entry.repo, path)?;
        }
        let rollout = ConsumerRollout {
            canary: entry.canary,
            approval_required: entry.approval.is_some(),
            pinned: entry.pinned.filter(|p| !p.trim().is_empty()),
            sweep_workflows: entry.sweep_workflows,
        };
        out.push(Consumer {
            rollout,
            manifests: entry.manifests,
            base: entry.base.filter(|b| !b.trim().is_empty()),
            labels: merged(&labels, entry.labels),
            reviewers: merged(&reviewers, entry.reviewers),
            repo: entry.repo,
        });
    }
    Ok(out)
}

fn detailed(value: serde_yaml::Value) -> Result<Detailed, ConfigError> {
    match value {
        serde_yaml::Value::String(name) => Ok(detailed_name(name)),
        other => serde_yaml::from_value(other)
            .map_err(|e| ConfigError::Syntax(format!("downstream.repositories: {e}"))),
    }
}

fn detailed_name(repo: String) -> Detailed {
    Detailed {
        repo,
        manifests: Vec::new(),
        base: None,
        labels: Vec::new(),
        reviewers: Vec::new(),
        canary: false,
        approval: None,
        pinned: None,
        sweep_workflows: Vec::new(),
    }
}

/// A list input: items separated by commas or newlines, blanks dropped.
fn list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The defaults followed by the extras, each once.
fn merged(defaults: &[String], extras: Vec<String>) -> Vec<String> {
    let mut out = defaults.to_vec();
    for extra in extras {
        if !out.contains(&extra) {
            out.push(extra);
        }
    }
    out
}

/// GitHub's rules: an owner of letters, digits and inner hyphens; a name of
/// letters, digits, `-`, `_` and `.`, other than `.` and `..`.
fn is_repository(repo: &str) -> bool {
    let Some((owner, name)) = repo.split_once('/') else {
        return false;
    };
    let owner_ok = !owner.is_empty()
        && owner.len() <= 39
        && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !owner.starts_with('-')
        && !owner.ends_with('-');
    let name_ok = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name != "."
        && name != "..";
    owner_ok && name_ok
}

fn check_manifest(repo: &str, path: &str) -> Result<(), ConfigError> {
    let problem = if path.starts_with('/') || path.contains('\\') {
        Some("is not a relative path with /")
    } else if path.split('/').any(|part| matches!(part, "" | "." | "..")) {
        Some("has an empty, . or .. part")
    } else if ManifestKind::of(path).is_none() {
        Some("is not a manifest specrelay can bump")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(ConfigError::Manifest {
            repo: repo.to_owned(),
            path: path.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

/// Folders whose manifests belong to installed or built copies of other
/// packages, not to the repository's own code.
const NOT_OURS: &[&str] = &[
    "node_modules",
    ".venv",
    "venv",
    ".tox",
    "site-packages",
    "bower_components",
];

/// The manifests in a repository tree, in tree order, for a consumer whose
/// config does not list them.
pub fn manifests_in(tree: &[String]) -> Vec<String> {
    tree.iter()
        .filter(|path| ManifestKind::of(path).is_some())
        .filter(|path| !path.split('/').any(|part| NOT_OURS.contains(&part)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG_TEXT: &str = "\
ingest:
  semver_policy: enforce
downstream:
  labels: [dependencies]
  reviewers: [alice, acme/sdk-team]
  repositories:
    - acme/pets-web
    - repo: acme/pets-worker
      manifests: [pyproject.toml, requirements/prod.txt]
      base: develop
      labels: [python, dependencies]
      reviewers: [bob]
";

    fn consumer(
        repo: &str,
        manifests: &[&str],
        base: Option<&str>,
        labels: &[&str],
        reviewers: &[&str],
    ) -> Consumer {
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        Consumer {
            repo: repo.into(),
            manifests: strings(manifests),
            base: base.map(Into::into),
            labels: strings(labels),
            reviewers: strings(reviewers),
            rollout: ConsumerRollout::default(),
        }
    }

    #[test]
    fn rollout_options_are_read_and_typos_refused() {
        let text = "downstream:\n  repositories:\n    - repo: acme/a\n      canary: true\n      pinned: '^3'\n      sweep_workflows: [e2e.yml]\n    - repo: acme/b\n      approval: required\n";
        let list = consumers(Some(text), &ConsumerInputs::default()).unwrap();
        assert!(list[0].rollout.canary);
        assert_eq!(list[0].rollout.pinned.as_deref(), Some("^3"));
        assert_eq!(list[0].rollout.sweep_workflows, ["e2e.yml"]);
        assert!(list[1].rollout.approval_required);
        let typo = text.replace("approval: required", "approval: requred");
        assert!(consumers(Some(&typo), &ConsumerInputs::default()).is_err());
    }

    #[test]
    fn reads_the_downstream_section_and_ignores_other_stages() {
        assert_eq!(
            consumers(Some(CONFIG_TEXT), &ConsumerInputs::default()).unwrap(),
            [
                consumer(
                    "acme/pets-web",
                    &[],
                    None,
                    &["dependencies"],
                    &["alice", "acme/sdk-team"]
                ),
                consumer(
                    "acme/pets-worker",
                    &["pyproject.toml", "requirements/prod.txt"],
                    Some("develop"),
                    &["dependencies", "python"],
                    &["alice", "acme/sdk-team", "bob"]
                ),
            ]
        );
    }

    #[test]
    fn inputs_replace_the_list_and_the_defaults() {
        let inputs = ConsumerInputs {
            repositories: Some("acme/a,\n acme/b \n"),
            labels: Some("sdk"),
            reviewers: None,
        };
        assert_eq!(
            consumers(Some(CONFIG_TEXT), &inputs).unwrap(),
            [
                consumer("acme/a", &[], None, &["sdk"], &["alice", "acme/sdk-team"]),
                consumer("acme/b", &[], None, &["sdk"], &["alice", "acme/sdk-team"]),
            ]
        );
        let no_config = ConsumerInputs {
            repositories: Some("acme/a"),
            ..ConsumerInputs::default()
        };
        assert_eq!(
            consumers(None, &no_config).unwrap(),
            [consumer("acme/a", &[], None, &[], &[])]
        );
    }

    #[test]
    fn mistakes_are_errors_that_say_where() {
        let error = |config: &str, repositories: Option<&str>| {
            let inputs = ConsumerInputs {
                repositories,
                ..ConsumerInputs::default()
            };
            consumers(Some(config), &inputs).unwrap_err().to_string()
        };
        assert_eq!(
            error("", Some("acme/a, acme/../b")),
            "input repositories: \"acme/../b\" is not a repository; write owner/name"
        );
        assert_eq!(
            error("", Some("acme/a, ACME/A")),
            "input repositories: ACME/A is listed twice"
        );
        assert_eq!(
            error(
                "downstream:\n  repositories: [acme/a, {repo: acme/b, manifest: [x]}]\n",
                None
            ),
            "specrelay.yaml: downstream.repositories: unknown field `manifest`, expected one of `repo`, `manifests`, `base`, `labels`, `reviewers`, `canary`, `approval`, `pinned`, `sweep_workflows`"
        );
        assert_eq!(
            error(
                "downstream:\n  repositories:\n    - {repo: acme/b, manifests: [../package.json]}\n",
                None
            ),
            "specrelay.yaml: acme/b: manifest \"../package.json\" has an empty, . or .. part; list package.json, requirements*.txt or pyproject.toml files by their path in the repository"
        );
        assert!(error("downstream:\n  repositories:\n    - {repo: acme/b, manifests: [package-lock.json]}\n", None)
            .contains("is not a manifest specrelay can bump"));
        assert!(
            error("downstream:\n  repository: [acme/a]\n", None)
                .contains("unknown field `repository`")
        );
        assert_eq!(
            error("downstream: {}\n", Some(" , ")),
            ConfigError::NoRepositories.to_string()
        );
    }

    #[test]
    fn manifests_are_found_outside_installed_packages() {
        let tree: Vec<String> = [
            "package.json",
            "package-lock.json",
            "node_modules/@acme/pets/package.json",
            "apps/web/package.json",
            "services/worker/pyproject.toml",
            "services/worker/.venv/lib/python3.12/site-packages/acme_pets/pyproject.toml",
            "requirements/prod.txt",
            "README.md",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        assert_eq!(
            manifests_in(&tree),
            [
                "package.json",
                "apps/web/package.json",
                "services/worker/pyproject.toml",
                "requirements/prod.txt"
            ]
        );
    }
}
