//! Parsing the shapes action inputs share.

use crate::cli::SemverPolicyArg;
use crate::semver_policy::SemverPolicy;

/// Splits a list input: commas or newlines, blanks dropped.
pub fn split_list(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or_default()
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An optional text input, trimmed; blank counts as unset (an action input
/// left empty arrives as `""`, not as absent).
pub fn non_blank(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

/// Input `semver_policy`, as `dispatch` and `ingest` both take it.
pub fn semver_policy(arg: SemverPolicyArg) -> SemverPolicy {
    match arg {
        SemverPolicyArg::Enforce => SemverPolicy::Enforce,
        SemverPolicyArg::Warn => SemverPolicy::Warn,
        SemverPolicyArg::Off => SemverPolicy::Off,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_blank_trims_and_drops_empty() {
        assert_eq!(non_blank(None), None);
        assert_eq!(non_blank(Some("")), None);
        assert_eq!(non_blank(Some(" \n\t")), None);
        assert_eq!(non_blank(Some("  v1 ")), Some("v1"));
    }

    #[test]
    fn split_list_takes_commas_and_newlines() {
        assert_eq!(split_list(Some(" a, b\n\nc ,")), ["a", "b", "c"]);
        assert!(split_list(None).is_empty());
    }
}
