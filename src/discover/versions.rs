//! Version constraints and their resolution to one version per integration.
//!
//! Constraints are written as front-end developers write them in
//! package.json: `^3`, `~1.2`, `3.1.0` (exactly that version), `>=2 <3`
//! (space-separated comparators all apply; commas are accepted too) and `*`.
//! Alternatives (`||`) are not supported. Resolution picks the highest
//! available version that satisfies every constraint; when none does, the
//! error names the constraints that cannot be met together.
//!
//! Pure.

use semver::{Version, VersionReq};

/// One constraint and who wrote it (`src/App.tsx:12`, `integrations/a.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub raw: String,
    pub source: String,
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (from {})", self.raw, self.source)
    }
}

/// Why no version could be picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// Two constraints that no available version satisfies together.
    Pair(Constraint, Constraint),
    /// One constraint that no available version satisfies.
    Unsatisfiable(Constraint),
    /// Every pair can be met, but not all of them at once.
    All(Vec<Constraint>),
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Conflict::Pair(a, b) => write!(f, "{a} conflicts with {b}"),
            Conflict::Unsatisfiable(c) => write!(f, "no available version matches {c}"),
            Conflict::All(all) => {
                let all: Vec<String> = all.iter().map(ToString::to_string).collect();
                write!(f, "no version satisfies all of {}", all.join(", "))
            }
        }
    }
}

/// A constraint in npm spelling as a [`VersionReq`].
pub fn parse_constraint(raw: &str) -> Result<VersionReq, String> {
    let trimmed = raw.trim();
    if trimmed.contains("||") {
        return Err(format!("{raw:?}: alternatives (`||`) are not supported"));
    }
    let parts: Vec<String> = if trimmed.contains(',') || trimmed.is_empty() {
        trimmed.split(',').map(|p| p.trim().to_owned()).collect()
    } else {
        // `>= 2 < 3` -> `>=2, <3`: an operator alone joins the next token.
        let mut parts: Vec<String> = Vec::new();
        let mut pending = String::new();
        for token in trimmed.split_whitespace() {
            pending.push_str(token);
            if token.chars().all(|c| "<>=~^".contains(c)) {
                continue;
            }
            parts.push(std::mem::take(&mut pending));
        }
        if !pending.is_empty() {
            parts.push(pending);
        }
        parts
    };
    // A bare version is exact in npm, but a caret range to the semver crate.
    let normalized = parts
        .iter()
        .map(|p| match p.chars().next() {
            Some(c) if c.is_ascii_digit() => format!("={p}"),
            _ => p.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    VersionReq::parse(&normalized).map_err(|e| format!("{raw:?} is not a version constraint: {e}"))
}

/// The highest of `available` that every constraint allows.
///
/// Constraints must have been checked with [`parse_constraint`]; one that
/// does not parse is reported as unsatisfiable.
pub fn resolve(available: &[Version], constraints: &[Constraint]) -> Result<Version, Conflict> {
    let reqs: Vec<Option<VersionReq>> = constraints
        .iter()
        .map(|c| parse_constraint(&c.raw).ok())
        .collect();
    let allows = |i: usize, v: &Version| reqs[i].as_ref().is_some_and(|r| r.matches(v));
    let best = available
        .iter()
        .filter(|v| (0..constraints.len()).all(|i| allows(i, v)))
        .max();
    if let Some(best) = best {
        return Ok(best.clone());
    }
    for (i, constraint) in constraints.iter().enumerate() {
        if !available.iter().any(|v| allows(i, v)) {
            return Err(Conflict::Unsatisfiable(constraint.clone()));
        }
    }
    for i in 0..constraints.len() {
        for j in i + 1..constraints.len() {
            if !available.iter().any(|v| allows(i, v) && allows(j, v)) {
                return Err(Conflict::Pair(
                    constraints[i].clone(),
                    constraints[j].clone(),
                ));
            }
        }
    }
    Err(Conflict::All(constraints.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(list: &[&str]) -> Vec<Version> {
        list.iter().map(|s| Version::parse(s).unwrap()).collect()
    }

    fn c(raw: &str, source: &str) -> Constraint {
        Constraint {
            raw: raw.into(),
            source: source.into(),
        }
    }

    #[test]
    fn npm_spellings_parse() {
        for (raw, yes, no) in [
            ("^3", "3.9.0", "4.0.0"),
            ("~1.2", "1.2.9", "1.3.0"),
            (">=2 <3", "2.5.0", "3.0.0"),
            (">= 2 < 3", "2.0.0", "1.9.9"),
            (">=2, <3", "2.0.0", "3.0.0"),
            ("*", "0.1.0", "0.1.0-beta.1"),
            ("3.1.0", "3.1.0", "3.1.1"),
        ] {
            let req = parse_constraint(raw).unwrap();
            assert!(req.matches(&Version::parse(yes).unwrap()), "{raw} {yes}");
            assert!(!req.matches(&Version::parse(no).unwrap()), "{raw} {no}");
        }
        assert!(parse_constraint("^1 || ^2").unwrap_err().contains("||"));
        assert!(parse_constraint(">>1").is_err());
    }

    #[test]
    fn the_highest_version_allowed_by_all_wins() {
        let available = v(&["2.0.0", "2.4.1", "3.0.0", "3.2.0"]);
        let got = resolve(&available, &[c("^2", "a"), c(">=2.1", "b")]).unwrap();
        assert_eq!(got.to_string(), "2.4.1");
        assert_eq!(resolve(&available, &[]).unwrap().to_string(), "3.2.0");
    }

    #[test]
    fn conflicts_name_both_constraints() {
        let available = v(&["2.0.0", "3.0.0"]);
        let err = resolve(
            &available,
            &[c("*", "x"), c("^2", "a.tsx:1"), c("^3", "b.yaml")],
        )
        .unwrap_err();
        assert_eq!(err, Conflict::Pair(c("^2", "a.tsx:1"), c("^3", "b.yaml")));
        let text = err.to_string();
        assert!(text.contains("^2 (from a.tsx:1)") && text.contains("^3 (from b.yaml)"));
        let err = resolve(&available, &[c("^9", "a")]).unwrap_err();
        assert!(matches!(err, Conflict::Unsatisfiable(_)));
    }

    #[test]
    fn a_refused_constraint_is_unsatisfiable() {
        let available = v(&["1.0.0", "3.0.0"]);
        let err = resolve(&available, &[c("<3", "a"), c("1.0.0 || 3.0.0", "c")]);
        assert_eq!(err, Err(Conflict::Unsatisfiable(c("1.0.0 || 3.0.0", "c"))));
    }
}
