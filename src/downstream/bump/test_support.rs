//! Helpers for the bumpers' tests (and the pull request's, which lists
//! their occurrences): fixtures from `tests/fixtures/downstream/`, expected
//! occurrences, and the one assertion they all make, that a bump produced
//! exactly the expected bytes and changed nothing but version characters.

use super::{Action, Occurrence, Outcome};

/// An [`Occurrence`], for the expected side of an assertion.
pub fn occurrence(section: &str, line: usize, requirement: &str, action: Action) -> Occurrence {
    Occurrence {
        section: section.into(),
        line,
        requirement: requirement.into(),
        action,
    }
}

/// [`Action::Bumped`] to `to`.
pub fn bumped(to: &str) -> Action {
    Action::Bumped { to: to.into() }
}

// Test code: reads its fixtures directly.
#[allow(clippy::disallowed_methods)]
pub fn fixture(path: &str) -> Vec<u8> {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/downstream")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Bumps the fixture at `path` and asserts the result as
/// [`assert_bumped`] does; returns the outcome for further checks.
pub fn assert_fixture_bumped(
    path: &str,
    bump: impl Fn(&[u8]) -> Outcome,
    replacements: &[(&str, &str)],
) -> Outcome {
    let input = fixture(path);
    let outcome = bump(&input);
    assert_bumped(&input, &outcome, replacements);
    outcome
}

/// Asserts `outcome` is a bump whose bytes are `input` with each `(old,
/// new)` snippet replaced (each `old` occurring exactly once), and that
/// each snippet pair differs only in version characters: every byte that
/// is not part of a version survived.
pub fn assert_bumped(input: &[u8], outcome: &Outcome, replacements: &[(&str, &str)]) {
    let Outcome::Bumped { bytes, .. } = outcome else {
        panic!("expected a bump, got {outcome:?}");
    };
    let mut expected = String::from_utf8(input.to_vec()).unwrap();
    for (old, new) in replacements {
        assert_eq!(expected.matches(old).count(), 1, "{old:?} must occur once");
        expected = expected.replacen(old, new, 1);
        assert_only_version_text_differs(old, new);
    }
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        expected,
        "bumped bytes"
    );
}

/// Splits text into alternating runs of version-like characters and
/// others, and requires the runs to pair up: other runs identical, and
/// version-like runs either identical or both versions (with a digit).
pub fn assert_only_version_text_differs(old: &str, new: &str) {
    let (old_runs, new_runs) = (runs(old), runs(new));
    assert_eq!(
        old_runs.len(),
        new_runs.len(),
        "{old:?} -> {new:?} changes more than versions"
    );
    for (a, b) in old_runs.iter().zip(&new_runs) {
        let versions =
            |s: &str| s.starts_with(is_version_char) && s.contains(|c: char| c.is_ascii_digit());
        assert!(
            a == b || (versions(a) && versions(b)),
            "{old:?} -> {new:?} changes {a:?} to {b:?}, which is more than a version"
        );
    }
}

fn is_version_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".-+*".contains(c)
}

fn runs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices().skip(1) {
        let previous = text[..i].chars().next_back().is_some_and(is_version_char);
        if is_version_char(c) != previous {
            out.push(&text[start..i]);
            start = i;
        }
    }
    out.push(&text[start..]);
    out
}
