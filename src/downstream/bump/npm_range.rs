//! `downstream`: what an npm dependency spec becomes when the SDK moves to a
//! new version. Pure.
//!
//! Policy: a spec that is one comparator keeps its operator and gets the new
//! version: `^1.2.0` -> `^1.3.0`, `~1.2.0`, `>=1.2.0`, `=1.2.0`, exact
//! `1.2.0`, and a leading `v` kept. A partial version after an operator
//! becomes the full one (`^1.2` -> `^1.3.0`), which is what
//! `npm install pkg@^1.3.0` writes. Everything else is left alone and
//! reported, rather than rewritten with a guess at its intent:
//!
//! - not a range: `workspace:`, `npm:` aliases, `file:`/`link:` paths, git
//!   and GitHub sources, tarball URLs, dist-tags (`latest`);
//! - `*`, `x` and the empty spec, which already admit every version;
//! - x-ranges (`1.x`, `1.2`, `^1.x`), `||`, hyphen ranges, several
//!   comparators (`>=1.2.0 <2.0.0`), and bare `<`, `<=`, `>`;
//! - a spec naming a newer version than the new one: never downgrade.
//!
//! A rollback ([`Direction::Downgrade`]) runs the same rewrites the other
//! way: `^2.0.0` back to `^1.4.0`, and a spec naming an older version than
//! the known-good one is left alone.
//!
//! Peer dependencies are widened, not raised (as Renovate does): a peer
//! range that already admits the new version is left as it is, since
//! raising its floor would only force the package's own users to upgrade.
//! One that does not admit it is rewritten like any other spec.

use super::{Decision, Direction, LeftReason};
use semver::Version;
use std::ops::Range;

pub(crate) fn decide(spec: &str, new: &Version, peer: bool, direction: Direction) -> Decision {
    let trimmed = spec.trim();
    if let Some(what) = not_a_range(trimmed) {
        return Decision::Left(LeftReason::NotAVersion(what));
    }
    if matches!(trimmed, "" | "*" | "x" | "X") {
        return Decision::Left(LeftReason::Unconstrained);
    }
    let Some(comparator) = Comparator::parse(spec) else {
        return Decision::Left(LeftReason::UnsupportedRange);
    };
    let current = comparator.floor();
    match direction {
        Direction::Upgrade if current > *new => return Decision::Left(LeftReason::Newer),
        Direction::Downgrade if current < *new => return Decision::Left(LeftReason::Older),
        _ => {}
    }
    if current == *new {
        return Decision::AlreadyCurrent;
    }
    if peer && comparator.admits(new) {
        return Decision::Left(LeftReason::PeerAdmits);
    }
    let span = comparator.version;
    Decision::Rewrite(format!("{}{new}{}", &spec[..span.start], &spec[span.end..]))
}

/// What a spec is, when it is not a semver range at all.
fn not_a_range(spec: &str) -> Option<&'static str> {
    const PREFIXES: &[(&str, &str)] = &[
        ("workspace:", "a workspace: reference"),
        ("npm:", "an npm: alias"),
        ("file:", "a local path"),
        ("link:", "a local path"),
        ("portal:", "a local path"),
        ("catalog:", "a catalog: reference"),
        ("patch:", "a patch: reference"),
        ("git+", "a git source"),
        ("git:", "a git source"),
        ("git@", "a git source"),
        ("github:", "a git source"),
        ("gitlab:", "a git source"),
        ("bitbucket:", "a git source"),
        ("gist:", "a git source"),
        ("http:", "a tarball URL"),
        ("https:", "a tarball URL"),
        (".", "a local path"),
        ("/", "a local path"),
        ("~/", "a local path"),
    ];
    if let Some((_, what)) = PREFIXES.iter().find(|(p, _)| spec.starts_with(p)) {
        return Some(what);
    }
    if spec.contains('/') {
        return Some("a GitHub owner/repo shorthand");
    }
    let mut chars = spec.chars();
    let first = chars.next()?;
    let version_like = matches!(first, 'x' | 'X')
        || (matches!(first, 'v' | 'V') && chars.next().is_some_and(|c| c.is_ascii_digit()));
    (first.is_ascii_alphabetic() && !version_like).then_some("a dist-tag")
}

/// A single `op version` comparator, with the version's span in the spec.
struct Comparator<'a> {
    op: &'a str,
    version: Range<usize>,
    major: u64,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: semver::Prerelease,
}

impl<'a> Comparator<'a> {
    /// Only the operators the policy rewrites; anything else is `None`.
    fn parse(spec: &'a str) -> Option<Comparator<'a>> {
        let start = spec.len() - spec.trim_start().len();
        let rest = &spec[start..];
        let op = ["^", "~>", "~", ">=", "="]
            .into_iter()
            .find(|op| rest.starts_with(op))
            .unwrap_or("");
        let after_op = &rest[op.len()..];
        let after_space = after_op.trim_start();
        let after_v = after_space.trim_start_matches(['v', 'V']);
        if after_space.len() - after_v.len() > 1 {
            return None;
        }
        let version_start = spec.len() - after_v.len();
        let version_len = after_v.find(char::is_whitespace).unwrap_or(after_v.len());
        if !after_v[version_len..].trim().is_empty() {
            return None;
        }
        let text = &after_v[..version_len];
        // Build metadata does not take part in comparisons; it is replaced too.
        let without_build = text.split('+').next().unwrap_or(text);
        let (core, pre) = match without_build.split_once('-') {
            Some((core, pre)) => (core, semver::Prerelease::new(pre).ok()?),
            None => (without_build, semver::Prerelease::EMPTY),
        };
        let mut parts = core.split('.');
        // A missing part is `Ok(None)`; one that is not a number (`x`, `*`) is an error.
        let mut next_part = || match parts.next() {
            None => Ok(None),
            Some(p) => p.parse::<u64>().map(Some).map_err(drop),
        };
        let major = next_part().ok()??;
        let minor = next_part().ok()?;
        let patch = next_part().ok()?;
        if parts.next().is_some()
            || (op.is_empty() && patch.is_none())
            || (patch.is_none() && !pre.is_empty())
        {
            // `1.2` without an operator is an x-range, not a pin.
            return None;
        }
        Some(Comparator {
            op,
            version: version_start..version_start + version_len,
            major,
            minor,
            patch,
            pre,
        })
    }

    /// The lowest version the comparator admits, missing parts as zero.
    fn floor(&self) -> Version {
        Version {
            major: self.major,
            minor: self.minor.unwrap_or(0),
            patch: self.patch.unwrap_or(0),
            pre: self.pre.clone(),
            build: semver::BuildMetadata::EMPTY,
        }
    }

    /// npm's reading of the comparator, including its rule that a
    /// pre-release is admitted only by a comparator naming a pre-release of
    /// the same `major.minor.patch`.
    fn admits(&self, new: &Version) -> bool {
        let floor = self.floor();
        if !new.pre.is_empty()
            && (floor.pre.is_empty()
                || (floor.major, floor.minor, floor.patch) != (new.major, new.minor, new.patch))
        {
            return false;
        }
        let below = |major, minor, patch| (new.major, new.minor, new.patch) < (major, minor, patch);
        *new >= floor
            && match self.op {
                "" | "=" => *new == floor,
                ">=" => true,
                "^" => match (self.major, self.minor, self.patch) {
                    (0, Some(0), Some(patch)) => below(0, 0, patch + 1),
                    (0, Some(minor), _) => below(0, minor + 1, 0),
                    (major, _, _) => below(major + 1, 0, 0),
                },
                _ => match self.minor {
                    Some(minor) => below(self.major, minor + 1, 0),
                    None => below(self.major + 1, 0, 0),
                },
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `spec`, a plain (not peer) dependency, becomes moving to `to`.
    fn decided(spec: &str, to: &str, direction: Direction) -> Decision {
        decide(spec, &Version::parse(to).unwrap(), false, direction)
    }

    fn bump(spec: &str, new: &str) -> Decision {
        decided(spec, new, Direction::Upgrade)
    }

    fn roll_back(spec: &str, to: &str) -> Decision {
        decided(spec, to, Direction::Downgrade)
    }

    fn rewrite(spec: &str, new: &str) -> String {
        match bump(spec, new) {
            Decision::Rewrite(text) => text,
            other => panic!("{spec:?} -> {new}: {other:?}"),
        }
    }

    #[test]
    fn single_comparators_keep_their_operator() {
        assert_eq!(rewrite("^1.2.0", "1.3.0"), "^1.3.0");
        assert_eq!(rewrite("~1.2.0", "1.3.0"), "~1.3.0");
        assert_eq!(rewrite("~>1.2.0", "1.3.0"), "~>1.3.0");
        assert_eq!(rewrite(">=1.2.0", "2.0.0"), ">=2.0.0");
        assert_eq!(rewrite(">= 1.2.0", "2.0.0"), ">= 2.0.0");
        assert_eq!(rewrite("=1.2.0", "1.2.1"), "=1.2.1");
        assert_eq!(rewrite("1.2.0", "1.2.1"), "1.2.1");
        assert_eq!(rewrite("v1.2.0", "1.2.1"), "v1.2.1");
        assert_eq!(rewrite("^v1.2.0", "1.2.1"), "^v1.2.1");
        assert_eq!(rewrite(" ^1.2.0 ", "1.2.1"), " ^1.2.1 ");
        assert_eq!(rewrite("^1.2", "1.3.0"), "^1.3.0");
        assert_eq!(rewrite("^1.2.0-beta.1", "1.2.0"), "^1.2.0");
        assert_eq!(rewrite("^1.2.0", "2.0.0-rc.1"), "^2.0.0-rc.1");
        assert_eq!(rewrite("1.2.0+build.1", "1.2.1"), "1.2.1");
    }

    #[test]
    fn same_or_newer_versions_are_not_touched() {
        assert_eq!(bump("^1.3.0", "1.3.0"), Decision::AlreadyCurrent);
        assert_eq!(bump("^1.3", "1.3.0"), Decision::AlreadyCurrent);
        assert_eq!(bump("^2.0.0", "1.3.0"), Decision::Left(LeftReason::Newer));
        assert_eq!(
            bump("1.3.0", "1.3.0-beta.1"),
            Decision::Left(LeftReason::Newer)
        );
    }

    #[test]
    fn other_shapes_are_left_alone_with_a_reason() {
        for (spec, what) in [
            ("workspace:^", "a workspace: reference"),
            ("npm:@acme/pets@^1.2.0", "an npm: alias"),
            ("file:../pets", "a local path"),
            ("../pets", "a local path"),
            (
                "git+https://github.com/acme/pets.git#v1.2.0",
                "a git source",
            ),
            ("github:acme/pets", "a git source"),
            ("acme/pets#v1.2.0", "a GitHub owner/repo shorthand"),
            ("https://example.com/pets-1.2.0.tgz", "a tarball URL"),
            ("latest", "a dist-tag"),
        ] {
            assert_eq!(
                bump(spec, "1.3.0"),
                Decision::Left(LeftReason::NotAVersion(what)),
                "{spec}"
            );
        }
        for spec in ["*", "", "x"] {
            assert_eq!(
                bump(spec, "1.3.0"),
                Decision::Left(LeftReason::Unconstrained)
            );
        }
        for spec in [
            "1.x",
            "1.2",
            "1",
            "^1.x",
            "1.2.*",
            ">=1.2.0 <2.0.0",
            "^1.0.0 || ^2.0.0",
            "1.2.0 - 1.4.0",
            "<2.0.0",
            "<=1.2.0",
            ">1.2.0",
            "^1.2-beta",
        ] {
            assert_eq!(
                bump(spec, "1.3.0"),
                Decision::Left(LeftReason::UnsupportedRange),
                "{spec}"
            );
        }
    }

    #[test]
    fn peer_ranges_are_widened_not_raised() {
        let admits = Decision::Left(LeftReason::PeerAdmits);
        let rewrite = |text: &str| Decision::Rewrite(text.into());
        for (spec, new, expected) in [
            ("^1.2.0", "1.3.0", admits.clone()),
            (">=1.0.0", "3.0.0", admits.clone()),
            ("~1.2.0", "1.2.9", admits.clone()),
            ("^1.2.0", "2.0.0", rewrite("^2.0.0")),
            ("~1.2.0", "1.3.0", rewrite("~1.3.0")),
            ("^0.2.0", "0.3.0", rewrite("^0.3.0")),
            ("^0.0.3", "0.0.4", rewrite("^0.0.4")),
            ("1.2.0", "1.2.1", rewrite("1.2.1")),
            // A pre-release is outside a range unless the range names one
            // of the same release.
            ("^1.2.0", "1.3.0-rc.1", rewrite("^1.3.0-rc.1")),
            ("^1.3.0-rc.1", "1.3.0-rc.2", admits.clone()),
        ] {
            let new = Version::parse(new).unwrap();
            assert_eq!(
                decide(spec, &new, true, Direction::Upgrade),
                expected,
                "{spec} -> {new}"
            );
        }
    }

    #[test]
    fn a_rollback_lowers_the_same_shapes_and_leaves_older_specs() {
        let rewrite = |text: &str| Decision::Rewrite(text.into());
        assert_eq!(roll_back("^2.0.0", "1.4.0"), rewrite("^1.4.0"));
        assert_eq!(roll_back("~2.0.0", "1.4.0"), rewrite("~1.4.0"));
        assert_eq!(roll_back(">=2.0.0", "1.4.0"), rewrite(">=1.4.0"));
        assert_eq!(roll_back("2.0.0", "1.4.0"), rewrite("1.4.0"));
        assert_eq!(roll_back("v2.0.0", "1.4.0"), rewrite("v1.4.0"));
        assert_eq!(roll_back("^2.0.0-rc.1", "1.4.0"), rewrite("^1.4.0"));
        assert_eq!(roll_back("^1.4.0", "1.4.0"), Decision::AlreadyCurrent);
        assert_eq!(
            roll_back("^1.2.0", "1.4.0"),
            Decision::Left(LeftReason::Older)
        );
        assert_eq!(
            roll_back(">=1.0.0 <3.0.0", "1.4.0"),
            Decision::Left(LeftReason::UnsupportedRange)
        );
        // A peer range that excludes the known-good version is lowered too.
        let new = Version::parse("1.4.0").unwrap();
        assert_eq!(
            decide("^2.0.0", &new, true, Direction::Downgrade),
            rewrite("^1.4.0")
        );
        // The upgrade keeps refusing to go down.
        assert_eq!(bump("^2.0.0", "1.4.0"), Decision::Left(LeftReason::Newer));
    }
}
