//! The semver policy, shared by `ingest` (checking an announcement) and
//! `dispatch` (computing one before it is sent). The producer's declared `change_type` and the
//! actual version bump must be at least what the diff implies: a breaking
//! change needs a major bump, an addition at least a minor one. Pure.
//!
//! Major version zero follows Cargo's convention: `0.y.z` -> `0.(y+1).0` is a
//! major-level bump and `0.y.z` -> `0.y.(z+1)` a minor-level one, since 0.x
//! APIs signal breaking changes in the minor number.

use crate::diff::ChangeKind;
use semver::Version;
use std::fmt;

/// What the producer says changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeType {
    Patch,
    Minor,
    Major,
}

impl fmt::Display for ChangeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChangeType::Patch => "patch",
            ChangeType::Minor => "minor",
            ChangeType::Major => "major",
        })
    }
}

/// Input `semver_policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SemverPolicy {
    /// A violation fails ingest and writes nothing.
    Enforce,
    /// A violation is a warning.
    Warn,
    /// Not checked.
    Off,
}

/// Input `version_mismatch`: what to do when the announced version is not
/// the spec's own `info.version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionMismatch {
    /// A warning; the history stores the announced version, and every later
    /// stage uses that one.
    Warn,
    /// Ingest fails and writes nothing.
    Fail,
}

/// The problem when `info_version` (the spec's `info.version`) does not name
/// the `announced` version; a leading `v` and surrounding blanks are allowed.
pub fn version_mismatch(announced: &Version, info_version: &str) -> Option<String> {
    let trimmed = info_version.trim();
    let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
    if Version::parse(bare).is_ok_and(|v| v == *announced) {
        return None;
    }
    Some(format!(
        "the announcement says version {announced}, but the spec's info.version is {info_version:?}; \
         the history stores it as {announced}, and generate, publish and downstream use {announced}"
    ))
}

/// How far apart two versions are, as a change level (0 none .. 3 major).
pub fn bump_level(previous: &Version, next: &Version) -> u8 {
    if previous.major != next.major || (next.major == 0 && previous.minor != next.minor) {
        3
    } else if previous.minor != next.minor || (next.major == 0 && previous.patch != next.patch) {
        2
    } else if previous.patch != next.patch || previous.pre != next.pre {
        1
    } else {
        0
    }
}

fn implied_level(kind: ChangeKind) -> u8 {
    match kind {
        ChangeKind::None => 0,
        ChangeKind::Patch => 1,
        ChangeKind::Minor => 2,
        ChangeKind::Major => 3,
    }
}

fn declared_level(change: ChangeType) -> u8 {
    match change {
        ChangeType::Patch => 1,
        ChangeType::Minor => 2,
        ChangeType::Major => 3,
    }
}

fn level_name(level: u8) -> &'static str {
    ["no", "patch", "minor", "major"][level.min(3) as usize]
}

/// The change type the diff implies, for the `change_type` output.
pub fn computed_change_type(kind: ChangeKind, declared: ChangeType) -> ChangeType {
    match kind {
        ChangeKind::Major => ChangeType::Major,
        ChangeKind::Minor => ChangeType::Minor,
        ChangeKind::Patch => ChangeType::Patch,
        // Nothing changed in the contract: the producer's word stands.
        ChangeKind::None => declared,
    }
}

/// Every way the announcement understates the change; empty when it complies.
pub fn violations(
    implied: ChangeKind,
    declared: ChangeType,
    previous: &Version,
    next: &Version,
) -> Vec<String> {
    let needed = implied_level(implied);
    let mut problems = Vec::new();
    if declared_level(declared) < needed {
        problems.push(format!(
            "change_type is \"{declared}\" but the diff against {previous} implies a {} change",
            level_name(needed)
        ));
    }
    let bump = bump_level(previous, next);
    if bump < needed {
        problems.push(format!(
            "{previous} -> {next} is a {} bump but the diff implies a {} change",
            level_name(bump),
            level_name(needed)
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_announced_version_must_be_the_specs_own() {
        let announced = Version::parse("1.2.0").unwrap();
        assert_eq!(version_mismatch(&announced, "1.2.0"), None);
        assert_eq!(version_mismatch(&announced, " v1.2.0 "), None);
        for other in ["1.2.1", "1.2", "", "1.2.0-beta.1", "latest"] {
            let problem = version_mismatch(&announced, other).expect(other);
            assert!(problem.contains(&format!("{other:?}")), "{problem}");
        }
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn bump_levels() {
        assert_eq!(bump_level(&v("1.2.3"), &v("2.0.0")), 3);
        assert_eq!(bump_level(&v("1.2.3"), &v("1.3.0")), 2);
        assert_eq!(bump_level(&v("1.2.3"), &v("1.2.4")), 1);
        assert_eq!(bump_level(&v("1.2.3-beta.1"), &v("1.2.3")), 1);
        assert_eq!(bump_level(&v("0.2.3"), &v("0.3.0")), 3);
        assert_eq!(bump_level(&v("0.2.3"), &v("0.2.4")), 2);
    }

    #[test]
    fn breaking_changes_need_a_major_bump_and_declaration() {
        let found = violations(
            ChangeKind::Major,
            ChangeType::Minor,
            &v("1.2.0"),
            &v("1.3.0"),
        );
        assert_eq!(
            found,
            vec![
                "change_type is \"minor\" but the diff against 1.2.0 implies a major change",
                "1.2.0 -> 1.3.0 is a minor bump but the diff implies a major change",
            ]
        );
        assert!(
            violations(
                ChangeKind::Major,
                ChangeType::Major,
                &v("1.2.0"),
                &v("2.0.0")
            )
            .is_empty()
        );
    }

    #[test]
    fn overstating_is_fine() {
        assert!(
            violations(
                ChangeKind::Patch,
                ChangeType::Major,
                &v("1.0.0"),
                &v("2.0.0")
            )
            .is_empty()
        );
        assert!(
            violations(
                ChangeKind::None,
                ChangeType::Patch,
                &v("1.0.0"),
                &v("1.0.1")
            )
            .is_empty()
        );
    }

    #[test]
    fn additions_need_at_least_minor() {
        let found = violations(
            ChangeKind::Minor,
            ChangeType::Patch,
            &v("1.0.0"),
            &v("1.0.1"),
        );
        assert_eq!(found.len(), 2);
    }
}
