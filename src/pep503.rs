//! Python project names in one place: the PEP 508 rule for what a name may
//! be, and the PEP 503 normal form under which `My_Pkg.Name` and
//! `my-pkg-name` are one project. `publish` checks and normalises the name
//! it packs (`pyproject.toml`, index URLs, file names); `downstream` finds a
//! package in consumers' manifests by it. Pure.

/// The separators a name may contain, which the normal form folds together.
const SEPARATORS: &str = "-_.";

/// A character a name may contain: ASCII letters and digits, and the
/// separators (PEP 508).
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || SEPARATORS.contains(c)
}

/// A name PEP 508 allows: [`is_name_char`]s, starting and ending with a
/// letter or digit.
pub fn is_valid_name(name: &str) -> bool {
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    name.chars().all(is_name_char) && ends_ok(name.chars().next()) && ends_ok(name.chars().last())
}

/// The PEP 503 normal form: lowercase, each run of `-`, `_`, `.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if !SEPARATORS.contains(c) {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            // `out` ends in `-` only after a separator: this one continues a run.
            out.push('-');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_compared_normalised() {
        assert_eq!(normalize("My_Pkg"), "my-pkg");
        assert_eq!(normalize("acme.pets__client"), "acme-pets-client");
        assert!(is_valid_name("acme-pets"));
        assert!(!is_valid_name("-pets"));
        assert!(!is_valid_name("pets!"));
    }

    #[test]
    fn runs_fold_and_edges_are_checked() {
        assert_eq!(normalize("Acme-_.Pets"), "acme-pets");
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("pets."));
        assert!(!is_valid_name("pëts"));
    }
}
