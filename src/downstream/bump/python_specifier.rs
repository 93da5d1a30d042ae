//! `downstream`: what a Python version specifier becomes when the SDK moves
//! to a new version. Serves PEP 440 specifier sets (`requirements.txt`,
//! PEP 621 and PEP 735 strings) and Poetry constraints. Pure.
//!
//! Policy, clause by clause; only version text changes, never an operator,
//! and a clause's version is replaced only when the new one is higher:
//!
//! | clause | becomes |
//! |---|---|
//! | `==V`, `===V` | `==new` |
//! | `==1.2.*` | kept if the new version matches, else the new version at the same precision (`==1.3.*`) |
//! | `>=V` | `>=new`: the floor is raised |
//! | `~=1.2` | the new version at the same precision (`~=1.3`, `~=2.0b1`), since `~=` reads its precision |
//! | `<U` | kept while the new version is below it; else widened to the next breaking release at `U`'s precision (`<2` -> `<3`, `<0.5` -> `<0.7` for 0.6.x) |
//! | `<=V` | kept while the new version is at most `V`; else `<=new` |
//! | `!=V` | kept; if it excludes the new version, the requirement is left alone |
//! | `>V` | left alone: raising it would exclude the new version |
//!
//! So `>=1.2,<2` bumped to 2.1.0 becomes `>=2.1.0,<3`, and to 1.3.0 becomes
//! `>=1.3.0,<2`. A requirement naming a newer version than the new one
//! (`>=3.0` when rolling out 2.1.0) is left alone: never downgrade. As a
//! safety net, a rewritten set that would not admit the new version is left
//! alone too.
//!
//! Poetry constraints add `^V` and `~V` (raised like `>=`: `^1.2` ->
//! `^1.3.0`), and a bare `V` (exact, like `==`) or `1.2.*`. `||` and
//! space-separated constraints are left alone. `*` and an empty specifier
//! accept every version and are left alone.
//!
//! A rollback ([`Direction::Downgrade`]) moves the same clauses down to the
//! known-good version: `==2.0.0` -> `==1.4.0`, `>=2.0.0,<3` ->
//! `>=1.4.0,<3` (upper bounds are kept), `~=2.0` -> `~=1.4`, `==2.*` ->
//! `==1.*`. A clause naming an older version than the known-good one, or a
//! bound that excludes it, leaves the requirement alone.

use super::{Decision, Direction, LeftReason};
use crate::pep440::{Version, join_release};
use std::ops::Range;

/// Which grammar the specifier is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// PEP 440 specifier sets.
    Pep440,
    /// Poetry's constraints, a superset of PEP 440's.
    Poetry,
}

pub(crate) fn decide(
    text: &str,
    new: &Version,
    dialect: Dialect,
    direction: Direction,
) -> Decision {
    let trimmed = text.trim();
    if trimmed.is_empty() || (dialect == Dialect::Poetry && trimmed == "*") {
        return Decision::Left(LeftReason::Unconstrained);
    }
    if dialect == Dialect::Poetry && trimmed.contains('|') {
        return Decision::Left(LeftReason::UnsupportedRange);
    }
    let Some(clauses) = parse(text, dialect) else {
        return Decision::Left(LeftReason::UnsupportedRange);
    };
    let mut out = String::with_capacity(text.len() + 8);
    let mut copied = 0;
    for clause in &clauses {
        match bump_clause(clause, new, direction) {
            Err(reason) => return Decision::Left(reason),
            Ok(None) => {}
            Ok(Some(version)) => {
                out.push_str(&text[copied..clause.version.start]);
                out.push_str(&version);
                copied = clause.version.end;
            }
        }
    }
    out.push_str(&text[copied..]);
    let admitted =
        parse(&out, dialect).is_some_and(|clauses| clauses.iter().all(|c| c.admits(new)));
    if !admitted {
        Decision::Left(LeftReason::UnsupportedRange)
    } else if out == text {
        Decision::AlreadyCurrent
    } else {
        Decision::Rewrite(out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equal,
    Arbitrary,
    NotEqual,
    Compatible,
    AtLeast,
    AtMost,
    Above,
    Below,
    /// Poetry `^V`.
    Caret,
    /// Poetry `~V`.
    Tilde,
}

const OPERATORS: &[(&str, Op)] = &[
    ("===", Op::Arbitrary),
    ("==", Op::Equal),
    ("!=", Op::NotEqual),
    ("~=", Op::Compatible),
    (">=", Op::AtLeast),
    ("<=", Op::AtMost),
    (">", Op::Above),
    ("<", Op::Below),
];

struct Clause {
    op: Op,
    /// The version's span in the specifier, without a `.*`.
    version: Range<usize>,
    parsed: Version,
    /// `==1.2.*`: the version is a release prefix.
    wildcard: bool,
}

/// The clauses of a comma-separated set; `None` for anything unreadable.
fn parse(text: &str, dialect: Dialect) -> Option<Vec<Clause>> {
    let mut clauses = Vec::new();
    let mut offset = 0;
    for piece in text.split(',') {
        clauses.push(parse_clause(piece, offset, dialect)?);
        offset += piece.len() + 1;
    }
    Some(clauses)
}

fn parse_clause(piece: &str, offset: usize, dialect: Dialect) -> Option<Clause> {
    let rest = piece.trim_start();
    let mut start = offset + piece.len() - rest.len();
    let (op_text, op) = OPERATORS
        .iter()
        .copied()
        .find(|(op, _)| rest.starts_with(op))
        .or(match (dialect, rest.chars().next()) {
            (Dialect::Poetry, Some('^')) => Some(("^", Op::Caret)),
            (Dialect::Poetry, Some('~')) => Some(("~", Op::Tilde)),
            (Dialect::Poetry, _) => Some(("", Op::Equal)),
            (Dialect::Pep440, _) => None,
        })?;
    let after_op = &rest[op_text.len()..];
    let version_text = after_op.trim();
    start += op_text.len() + (after_op.len() - after_op.trim_start().len());
    let (core, wildcard) = match version_text.strip_suffix(".*") {
        Some(core) if matches!(op, Op::Equal | Op::NotEqual) => (core, true),
        _ => (version_text, false),
    };
    if version_text.contains(char::is_whitespace) {
        return None;
    }
    let parsed = Version::parse(core).ok()?;
    if op == Op::Compatible && parsed.release.len() < 2 {
        return None;
    }
    Some(Clause {
        op,
        version: start..start + core.len(),
        parsed,
        wildcard,
    })
}

/// The clause's new version text, `None` to keep it, or why the whole
/// requirement is left alone.
fn bump_clause(
    clause: &Clause,
    new: &Version,
    direction: Direction,
) -> Result<Option<String>, LeftReason> {
    let current = &clause.parsed;
    let precision = current.release.len();
    let down = direction == Direction::Downgrade;
    match clause.op {
        Op::NotEqual if clause.admits(new) => Ok(None),
        Op::NotEqual => Err(LeftReason::Excluded),
        Op::Above => Err(LeftReason::UnsupportedRange),
        Op::Below | Op::AtMost if clause.admits(new) => Ok(None),
        // A bound below the known-good version asks for an older one.
        Op::Below | Op::AtMost if down => Err(LeftReason::Older),
        Op::Below => Ok(Some(join_release(&next_breaking(current, new)))),
        Op::AtMost => Ok(Some(new.to_string())),
        Op::Equal if clause.wildcard => {
            let prefix = |v: &Version| (v.epoch, v.release_prefix(precision));
            if !down && prefix(current) > prefix(new) {
                Err(LeftReason::Newer)
            } else if down && prefix(current) < prefix(new) {
                Err(LeftReason::Older)
            } else if clause.admits(new) {
                Ok(None)
            } else {
                Ok(Some(join_release(&new.release_prefix(precision))))
            }
        }
        Op::Compatible => {
            let same_precision = format!(
                "{}{}",
                join_release(&new.release_prefix(precision)),
                new.suffix()
            );
            shift(current, new, same_precision, direction)
        }
        Op::Equal | Op::Arbitrary | Op::AtLeast | Op::Caret | Op::Tilde => {
            shift(current, new, new.to_string(), direction)
        }
    }
}

/// A floor or pin moves to `to`: up for an upgrade, down for a rollback,
/// never the other way.
fn shift(
    current: &Version,
    new: &Version,
    to: String,
    direction: Direction,
) -> Result<Option<String>, LeftReason> {
    match direction {
        Direction::Upgrade if current > new => return Err(LeftReason::Newer),
        Direction::Downgrade if current < new => return Err(LeftReason::Older),
        _ => {}
    }
    if current == new || Version::parse(&to).is_ok_and(|to| to == *current) {
        Ok(None)
    } else {
        Ok(Some(to))
    }
}

/// The exclusive upper bound after `new` at `bound`'s precision: the next
/// major release, or the next minor one while both are in 0.x.
fn next_breaking(bound: &Version, new: &Version) -> Vec<u64> {
    let major = new.release_prefix(1)[0];
    let mut release = if bound.release[0] == 0 && major == 0 {
        vec![0, new.release_prefix(2)[1] + 1]
    } else {
        vec![major + 1]
    };
    release.resize(bound.release.len().max(release.len()), 0);
    release
}

impl Clause {
    /// Whether the new version satisfies this clause, as pip reads it.
    fn admits(&self, new: &Version) -> bool {
        let v = &self.parsed;
        let n = v.release.len();
        let same_prefix =
            |len: usize| v.epoch == new.epoch && v.release_prefix(len) == new.release_prefix(len);
        match self.op {
            Op::Equal if self.wildcard => same_prefix(n),
            Op::NotEqual if self.wildcard => !same_prefix(n),
            Op::Equal => new == v,
            Op::NotEqual => new != v,
            Op::Arbitrary => new.to_string() == v.to_string(),
            Op::AtLeast | Op::Caret | Op::Tilde => new >= v,
            Op::AtMost => new <= v,
            Op::Above => new > v,
            // PEP 440: `<2` does not admit 2.0b1, a pre-release of the
            // bound itself, unless the bound is a pre-release.
            Op::Below => {
                let pre_of_bound = new.is_prerelease()
                    && !v.is_prerelease()
                    && same_prefix(n.max(new.release.len()));
                new < v && !pre_of_bound
            }
            Op::Compatible => new >= v && same_prefix(n - 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bump(text: &str, new: &str) -> Decision {
        decide(text, &version(new), Dialect::Pep440, Direction::Upgrade)
    }

    fn roll_back(text: &str, to: &str, dialect: Dialect) -> Decision {
        decide(text, &version(to), dialect, Direction::Downgrade)
    }

    fn poetry(text: &str, new: &str) -> Decision {
        decide(text, &version(new), Dialect::Poetry, Direction::Upgrade)
    }

    fn version(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn rewritten(decision: Decision) -> String {
        match decision {
            Decision::Rewrite(text) => text,
            other => panic!("expected a rewrite, got {other:?}"),
        }
    }

    #[test]
    fn pins_and_floors_are_raised() {
        assert_eq!(rewritten(bump("==1.2.0", "1.3.0")), "==1.3.0");
        assert_eq!(rewritten(bump("== 1.2.0", "1.3.0b1")), "== 1.3.0b1");
        assert_eq!(rewritten(bump("===1.2.0", "1.3.0")), "===1.3.0");
        assert_eq!(rewritten(bump(">=1.2", "1.3.0")), ">=1.3.0");
        assert_eq!(rewritten(bump(">=1.2,<2", "1.3.0")), ">=1.3.0,<2");
        assert_eq!(
            rewritten(bump(">= 1.2 , < 2.0", "1.3.0")),
            ">= 1.3.0 , < 2.0"
        );
    }

    #[test]
    fn upper_bounds_widen_only_when_the_new_version_is_outside() {
        assert_eq!(rewritten(bump(">=1.2,<2", "2.1.0")), ">=2.1.0,<3");
        assert_eq!(rewritten(bump(">=1.2,<2.0.0", "2.1.0")), ">=2.1.0,<3.0.0");
        assert_eq!(rewritten(bump(">=0.4,<0.5", "0.6.1")), ">=0.6.1,<0.7");
        assert_eq!(rewritten(bump(">=0.4,<1", "1.2.0")), ">=1.2.0,<2");
        assert_eq!(
            rewritten(bump("<2", "2.0.0b1")),
            "<3",
            "a pre-release of the bound is outside it"
        );
        assert_eq!(bump("<2", "1.9.0"), Decision::AlreadyCurrent);
        assert_eq!(rewritten(bump(">=1.0,<=1.2.0", "1.3.0")), ">=1.3.0,<=1.3.0");
        assert_eq!(rewritten(bump(">=1.0,!=1.2.1", "1.3.0")), ">=1.3.0,!=1.2.1");
    }

    #[test]
    fn compatible_and_wildcard_clauses_keep_their_precision() {
        assert_eq!(rewritten(bump("~=1.2", "1.3.0")), "~=1.3");
        assert_eq!(rewritten(bump("~=1.2.4", "1.3.0")), "~=1.3.0");
        assert_eq!(rewritten(bump("~=1.2", "2.0.0b1")), "~=2.0b1");
        assert_eq!(bump("~=1.2", "1.2.7"), Decision::AlreadyCurrent);
        assert_eq!(rewritten(bump("==1.2.*", "1.3.0")), "==1.3.*");
        assert_eq!(bump("==1.*", "1.3.0"), Decision::AlreadyCurrent);
    }

    #[test]
    fn nothing_is_downgraded_or_guessed() {
        use Dialect::{Pep440, Poetry};
        use LeftReason::{Excluded, Newer, Unconstrained, UnsupportedRange};
        for (dialect, text, new, reason) in [
            (Pep440, ">=3.0", "2.1.0", Newer),
            (Pep440, "==2.*", "1.3.0", Newer),
            (Pep440, ">=1.0,!=1.3.0", "1.3.0", Excluded),
            (Pep440, ">1.0", "1.3.0", UnsupportedRange),
            (Pep440, "~=1", "1.3.0", UnsupportedRange),
            (Pep440, ">=${PETS}", "1.3.0", UnsupportedRange),
            (Pep440, "^1.2", "1.3.0", UnsupportedRange), // PEP 440 has no caret
            (Pep440, "", "1.3.0", Unconstrained),
            (Poetry, "*", "1.3.0", Unconstrained),
            (Poetry, "^1.0 || ^2.0", "1.3.0", UnsupportedRange),
            (Poetry, ">=1.2 <2.0", "1.3.0", UnsupportedRange),
        ] {
            let new = Version::parse(new).unwrap();
            assert_eq!(
                decide(text, &new, dialect, Direction::Upgrade),
                Decision::Left(reason),
                "{text:?} ({dialect:?})"
            );
        }
        assert_eq!(bump("==1.3", "1.3.0"), Decision::AlreadyCurrent);
    }

    #[test]
    fn poetry_constraints() {
        assert_eq!(rewritten(poetry("^1.2", "1.3.0")), "^1.3.0");
        assert_eq!(rewritten(poetry("~1.2.0", "1.3.0")), "~1.3.0");
        assert_eq!(rewritten(poetry("1.2.0", "1.3.0")), "1.3.0");
        assert_eq!(rewritten(poetry("1.2.*", "1.3.0")), "1.3.*");
        assert_eq!(rewritten(poetry(">=1.2,<2.0", "2.0.0")), ">=2.0.0,<3.0");
        assert_eq!(rewritten(poetry("~=1.2", "1.4.0")), "~=1.4");
        assert_eq!(poetry("^1.3", "1.3.0"), Decision::AlreadyCurrent);
    }

    #[test]
    fn a_rollback_lowers_floors_and_pins_and_keeps_upper_bounds() {
        use Dialect::{Pep440, Poetry};
        for (dialect, text, to, expected) in [
            (Pep440, "==2.0.0", "1.4.0", "==1.4.0"),
            (Pep440, ">=2.0.0,<3", "1.4.0", ">=1.4.0,<3"),
            (Pep440, ">= 2.0.0 , <=2.0.0", "1.4.0", ">= 1.4.0 , <=2.0.0"),
            (Pep440, "~=2.0", "1.4.0", "~=1.4"),
            (Pep440, "==2.*", "1.4.0", "==1.*"),
            (Poetry, "^2.0.0", "1.4.0", "^1.4.0"),
            (Poetry, "2.0.0", "1.4.0", "1.4.0"),
        ] {
            assert_eq!(
                rewritten(roll_back(text, to, dialect)),
                expected,
                "{text:?} ({dialect:?})"
            );
        }
        assert_eq!(
            roll_back("==1.4.0", "1.4.0", Pep440),
            Decision::AlreadyCurrent
        );
        for text in [">=1.2", "==1.2.0", "<1.4", "<=1.3", "==1.2.*"] {
            assert_eq!(
                roll_back(text, "1.4.0", Pep440),
                Decision::Left(LeftReason::Older),
                "{text}"
            );
        }
        assert_eq!(
            roll_back(">=2.0,!=1.4.0", "1.4.0", Pep440),
            Decision::Left(LeftReason::Excluded)
        );
    }
}
