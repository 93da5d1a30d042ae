//! `downstream`: what a consumer's pull request says: its title, and the
//! view `templates/reports/pull-request.md.j2` renders as its body (the
//! version change per manifest, what was left for a human and why, the
//! breaking changes and changelog from the diff's report views, and the
//! lockfile commands to run). Pure: every decision is made here; the
//! template only prints.

use super::bump::{Action, Direction, Outcome};
use super::plan::{ManifestKind, Target};
use crate::diff::report::{ChangelogEntry, MigrationNotes};
use serde::Serialize;

/// The pull request's title; also what a re-run rewrites it to.
pub fn title(target: &Target) -> String {
    match target.direction {
        Direction::Upgrade => format!("Bump {} to {}", target.package, target.version),
        Direction::Downgrade => format!("Roll {} back to {}", target.package, target.version),
    }
}

/// The body's view.
#[derive(Debug, Clone, Serialize)]
pub struct PullRequestBody {
    pub package: String,
    /// `npm` or `PyPI`.
    pub registry: &'static str,
    pub version: String,
    /// A rollback to the last known-good version, not an upgrade.
    pub rollback: bool,
    /// The API the SDK is generated from, as its spec names it.
    pub api_title: String,
    /// One row per rewritten requirement.
    pub changes: Vec<ChangeRow>,
    /// Requirements that name the package but were not rewritten.
    pub left: Vec<LeftRow>,
    /// One entry per version with breaking changes, oldest first.
    pub migration_notes: Vec<MigrationNotes>,
    /// The changelog entries between the consumer's version and the new one.
    pub changelog: Vec<ChangelogEntry>,
    pub lockfiles: Vec<LockfileHint>,
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRow {
    pub path: String,
    pub section: String,
    pub line: usize,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftRow {
    pub path: String,
    pub section: String,
    pub line: usize,
    pub requirement: String,
    /// A sentence fragment: "it is a git source, not a version range".
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A lockfile the pull request does not update, and how to update it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockfileHint {
    /// Where to run the command; empty for the repository root.
    pub directory: String,
    pub lockfile: String,
    pub command: String,
}

/// What the body is made from, besides the bump outcomes.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub api_title: String,
    pub migration_notes: Vec<MigrationNotes>,
    pub changelog: Vec<ChangelogEntry>,
    pub links: Vec<Link>,
}

impl PullRequestBody {
    /// `outcomes` are the consumer's manifests and what bumping each came
    /// to; `repo_files` are every path in the repository, for finding
    /// lockfiles.
    pub fn new(
        target: &Target,
        outcomes: &[(String, Outcome)],
        repo_files: &[String],
        context: Context,
    ) -> PullRequestBody {
        let mut changes = Vec::new();
        let mut left = Vec::new();
        for (path, outcome) in outcomes {
            for o in outcome.occurrences() {
                match &o.action {
                    Action::Bumped { to } => changes.push(ChangeRow {
                        path: path.clone(),
                        section: o.section.clone(),
                        line: o.line,
                        from: o.requirement.clone(),
                        to: to.clone(),
                    }),
                    Action::Left(reason) => left.push(LeftRow {
                        path: path.clone(),
                        section: o.section.clone(),
                        line: o.line,
                        requirement: o.requirement.clone(),
                        reason: reason.to_string(),
                    }),
                    Action::AlreadyCurrent => {}
                }
            }
        }
        let rollback = target.direction == Direction::Downgrade;
        let changed: Vec<&str> = outcomes
            .iter()
            .filter(|(_, outcome)| matches!(outcome, Outcome::Bumped { .. }))
            .map(|(path, _)| path.as_str())
            .collect();
        PullRequestBody {
            package: target.package.clone(),
            registry: target.registry().name(),
            version: target.version.to_string(),
            rollback,
            api_title: context.api_title,
            changes,
            left,
            // The notes and changelog describe the version being rolled
            // back from; a rollback's body does not advertise them.
            migration_notes: if rollback {
                Vec::new()
            } else {
                context.migration_notes
            },
            changelog: if rollback {
                Vec::new()
            } else {
                context.changelog
            },
            lockfiles: lockfile_hints(&changed, repo_files),
            links: context.links,
        }
    }
}

/// Lockfiles, by the manifest they lock, with the command that rewrites
/// them. The first one found wins, nearest directory first: a workspace
/// keeps one lockfile at its root for every package below it.
const NPM_LOCKFILES: &[(&str, &str)] = &[
    ("pnpm-lock.yaml", "pnpm install"),
    ("yarn.lock", "yarn install"),
    ("bun.lock", "bun install"),
    ("bun.lockb", "bun install"),
    ("package-lock.json", "npm install"),
    ("npm-shrinkwrap.json", "npm install"),
];
const PYPROJECT_LOCKFILES: &[(&str, &str)] = &[
    ("poetry.lock", "poetry lock"),
    ("uv.lock", "uv lock"),
    ("pdm.lock", "pdm lock"),
];

/// The lockfiles next to (or above) the changed manifests. A requirements
/// file compiled from a `.in` file gets `pip-compile` on that file, since
/// the `.txt` is then itself the lockfile.
pub fn lockfile_hints(changed: &[&str], repo_files: &[String]) -> Vec<LockfileHint> {
    let exists = |path: &str| repo_files.iter().any(|f| f == path);
    let mut hints: Vec<LockfileHint> = Vec::new();
    for manifest in changed {
        let (directory, file) = manifest.rsplit_once('/').unwrap_or(("", manifest));
        let hint = match ManifestKind::of(manifest) {
            Some(ManifestKind::PackageJson) => nearest(directory, NPM_LOCKFILES, exists),
            Some(ManifestKind::Pyproject) => nearest(directory, PYPROJECT_LOCKFILES, exists),
            Some(ManifestKind::Requirements) => {
                let source = format!("{}.in", file.trim_end_matches(".txt"));
                exists(&join(directory, &source)).then(|| LockfileHint {
                    directory: directory.to_owned(),
                    lockfile: manifest.to_string(),
                    command: format!("pip-compile {source}"),
                })
            }
            None => None,
        };
        if let Some(hint) = hint
            && !hints.contains(&hint)
        {
            hints.push(hint);
        }
    }
    hints
}

fn nearest(
    directory: &str,
    lockfiles: &[(&str, &str)],
    exists: impl Fn(&str) -> bool,
) -> Option<LockfileHint> {
    let mut dir = Some(directory);
    while let Some(current) = dir {
        if let Some((name, command)) = lockfiles
            .iter()
            .find(|(name, _)| exists(&join(current, name)))
        {
            return Some(LockfileHint {
                directory: current.to_owned(),
                lockfile: join(current, name),
                command: (*command).to_owned(),
            });
        }
        dir = (!current.is_empty()).then(|| current.rsplit_once('/').map_or("", |(up, _)| up));
    }
    None
}

fn join(directory: &str, name: &str) -> String {
    if directory.is_empty() {
        name.to_owned()
    } else {
        format!("{directory}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Finding;
    use crate::diff::report::{changelog_entry, migration_notes};
    use crate::downstream::bump::LeftReason;
    use crate::downstream::bump::test_support::{bumped, occurrence};
    use crate::downstream::plan::TargetVersion;
    use crate::render::{PULL_REQUEST, Templates};

    fn files(paths: &[&str]) -> Vec<String> {
        paths.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn lockfiles_are_found_nearest_first_and_listed_once() {
        let repo = files(&[
            "pnpm-lock.yaml",
            "apps/web/package.json",
            "apps/admin/package.json",
            "tools/package.json",
            "tools/package-lock.json",
            "worker/pyproject.toml",
            "worker/poetry.lock",
            "requirements.txt",
            "requirements.in",
            "requirements-dev.txt",
        ]);
        let changed = [
            "apps/web/package.json",
            "apps/admin/package.json",
            "tools/package.json",
            "worker/pyproject.toml",
            "requirements.txt",
            "requirements-dev.txt",
        ];
        let hint = |directory: &str, lockfile: &str, command: &str| LockfileHint {
            directory: directory.into(),
            lockfile: lockfile.into(),
            command: command.into(),
        };
        assert_eq!(
            lockfile_hints(&changed, &repo),
            [
                hint("", "pnpm-lock.yaml", "pnpm install"),
                hint("tools", "tools/package-lock.json", "npm install"),
                hint("worker", "worker/poetry.lock", "poetry lock"),
                hint("", "requirements.txt", "pip-compile requirements.in"),
            ]
        );
    }

    /// `@acme/pets` 2.0.0 on npm, the target most bodies here describe.
    fn npm_pets_2() -> Target {
        Target {
            package: "@acme/pets".into(),
            version: TargetVersion::Npm(semver::Version::new(2, 0, 0)),
            direction: Default::default(),
        }
    }

    /// `file`, bumped at its one mention from `from` to `to`.
    fn bumped_once(
        file: &str,
        (section, line): (&str, usize),
        from: &str,
        to: &str,
    ) -> (String, Outcome) {
        (
            file.to_owned(),
            Outcome::Bumped {
                bytes: Vec::new(),
                occurrences: vec![occurrence(section, line, from, bumped(to))],
            },
        )
    }

    fn render(body: &PullRequestBody) -> String {
        Templates::new(Default::default())
            .unwrap()
            .render(PULL_REQUEST, body)
            .unwrap()
    }

    #[test]
    fn body_renders_changes_left_items_breaking_changes_and_lockfiles() {
        let target = npm_pets_2();
        let outcomes = vec![
            (
                "package.json".to_owned(),
                Outcome::Bumped {
                    bytes: Vec::new(),
                    occurrences: vec![
                        occurrence("dependencies", 15, "^1.2.0", bumped("^2.0.0")),
                        occurrence(
                            "peerDependencies",
                            30,
                            "^1.0.0 || ^2.0.0",
                            Action::Left(LeftReason::UnsupportedRange),
                        ),
                    ],
                },
            ),
            (
                "packages/legacy/package.json".to_owned(),
                Outcome::LeftAlone {
                    occurrences: vec![occurrence(
                        "devDependencies",
                        8,
                        "github:acme/pets#v1",
                        Action::Left(LeftReason::NotAVersion("a git source")),
                    )],
                },
            ),
        ];
        let findings: Vec<Finding> = serde_json::from_value(serde_json::json!([
            {"id": "api-path-removed-without-deprecation", "level": "breaking",
             "operation": "DELETE /pets/{petId}", "component": null, "base_pointer": null,
             "revision_pointer": null, "message": "The operation was removed."},
            {"id": "endpoint-added", "level": "info", "operation": "GET /owners",
             "component": null, "base_pointer": null, "revision_pointer": null,
             "message": "The operation was added."},
        ]))
        .unwrap();
        let context = Context {
            api_title: "Pet Store".into(),
            migration_notes: vec![migration_notes("2.0.0", "1.4.0", "Pet Store", &findings)],
            changelog: vec![changelog_entry(
                "2.0.0",
                Some("1.4.0"),
                "2026-11-20",
                "Pet Store",
                &findings,
            )],
            links: vec![Link {
                title: "Migration notes for 2.0.0".into(),
                url: "https://github.com/acme/pet-store/blob/main/openapi/migrations/2.0.0.md"
                    .into(),
            }],
        };
        let repo = files(&[
            "package.json",
            "package-lock.json",
            "packages/legacy/package.json",
        ]);
        let body = PullRequestBody::new(&target, &outcomes, &repo, context);
        assert_eq!(title(&target), "Bump @acme/pets to 2.0.0");
        assert_eq!(
            render(&body),
            r#"Bumps **@acme/pets** (npm) to **2.0.0**, the SDK for Pet Store.

| File | Where | From | To |
|---|---|---|---|
| `package.json` | dependencies, line 15 | `^1.2.0` | `^2.0.0` |

### Left as they were

These name @acme/pets but were not changed; please check them by hand.

- `package.json`, peerDependencies, line 30: `^1.0.0 || ^2.0.0`: the range has a shape specrelay does not rewrite.
- `packages/legacy/package.json`, devDependencies, line 8: `github:acme/pets#v1`: it is a git source, not a version range.

### ⚠️ Breaking changes

**1.4.0 → 2.0.0**

- DELETE /pets/{petId}: The operation was removed.

### Changelog

<details><summary>2.0.0 (2026-11-20)</summary>

**Breaking**
- DELETE /pets/{petId}: The operation was removed.

**Added**
- GET /owners: The operation was added.

</details>

### Lockfiles

specrelay does not rewrite lockfiles. Before merging, run:

- `npm install` in the repository root (updates `package-lock.json`)

### Links

- [Migration notes for 2.0.0](https://github.com/acme/pet-store/blob/main/openapi/migrations/2.0.0.md)

---
<sub>Opened by specrelay, and updated in place when a newer version is published. If you push commits to this branch, specrelay stops updating it and leaves a comment instead.</sub>
"#
        );
    }

    #[test]
    fn minimal_body_without_diff_data_or_lockfiles() {
        let target = Target {
            package: "acme-pets".into(),
            version: TargetVersion::PyPi(crate::pep440::Version::parse("1.3.0").unwrap()),
            direction: Default::default(),
        };
        let outcomes = vec![bumped_once(
            "requirements.txt",
            ("requirements", 3),
            "==1.2.0",
            "==1.3.0",
        )];
        let body = PullRequestBody::new(&target, &outcomes, &[], Context::default());
        assert_eq!(
            render(&body),
            r#"Bumps **acme-pets** (PyPI) to **1.3.0**.

| File | Where | From | To |
|---|---|---|---|
| `requirements.txt` | requirements, line 3 | `==1.2.0` | `==1.3.0` |

### Lockfiles

specrelay does not rewrite lockfiles. No lockfile was found next to the changed manifests, so there is nothing to regenerate.

---
<sub>Opened by specrelay, and updated in place when a newer version is published. If you push commits to this branch, specrelay stops updating it and leaves a comment instead.</sub>
"#
        );
    }

    #[test]
    fn a_rollback_says_so_and_leaves_out_the_bad_version_s_notes() {
        let target = npm_pets_2().rollback_to("1.4.0").unwrap();
        assert_eq!(title(&target), "Roll @acme/pets back to 1.4.0");
        let outcomes = vec![bumped_once(
            "package.json",
            ("dependencies", 4),
            "^2.0.0",
            "^1.4.0",
        )];
        let context = Context {
            api_title: "Pet Store".into(),
            changelog: vec![ChangelogEntry {
                version: "2.0.0".into(),
                previous_version: Some("1.4.0".into()),
                date: "2026-12-01".into(),
                title: "Pet Store".into(),
                breaking: Vec::new(),
                added: Vec::new(),
                changed: Vec::new(),
                diff_path: None,
                migration_notes_path: None,
            }],
            ..Context::default()
        };
        let body = PullRequestBody::new(&target, &outcomes, &[], context);
        assert!(body.rollback && body.changelog.is_empty());
        let text = render(&body);
        assert!(
            text.starts_with("Rolls **@acme/pets** (npm) back to **1.4.0**, its last known-good version of the SDK for Pet Store"),
            "{text}"
        );
        assert!(text.contains("| `^2.0.0` | `^1.4.0` |"), "{text}");
    }
}
