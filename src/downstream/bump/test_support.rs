//! Helpers for the bumpers' tests: fixtures from `tests/fixtures/downstream/`
//! and the one assertion they all make, that a bump produced exactly the
//! expected bytes and changed nothing but version characters.

use super::Outcome;

pub fn fixture(path: &str) -> Vec<u8> {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/downstream")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
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

fn assert_only_version_text_differs(old: &str, new: &str) {
    let prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old[prefix..]
        .bytes()
        .rev()
        .zip(new[prefix..].bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let is_version_text = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-+*".contains(c))
    };
    let (old_middle, new_middle) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    assert!(
        is_version_text(old_middle) && is_version_text(new_middle),
        "{old:?} -> {new:?} changes {old_middle:?} to {new_middle:?}, which is more than a version"
    );
}
