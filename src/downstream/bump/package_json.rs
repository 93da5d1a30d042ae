//! `downstream`: bump the SDK in a `package.json`. Pure.
//!
//! Covered sections: the top-level `dependencies`, `devDependencies`,
//! `peerDependencies` and `optionalDependencies`, the four that npm, pnpm
//! and Yarn install from. Not covered: `bundleDependencies` (names only, no
//! versions), and `overrides`/`resolutions`/`pnpm.overrides`, which pin
//! transitive versions on purpose and are the human's call. Sections nested
//! deeper (a `config.dependencies`) are not dependencies and are not
//! touched. What each spec becomes is [`npm_range`]'s
//! policy.
//!
//! The document is never re-serialised: a small scanner finds the spec's
//! string token and only the version characters inside it are replaced, so
//! indentation, tabs, CRLF, key order, `\u` escapes elsewhere and the
//! presence or absence of a final newline all survive. The whole document
//! is validated with serde_json before, and again after the edit.

use super::json_scan::Scanner;
use super::{
    BumpError, Direction, LeftReason, Mention, Outcome, Requirement, bump_with, npm_range,
};

/// The sections whose members are bumped.
pub const SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

/// Bumps `package` to `new` wherever the manifest depends on it.
pub fn bump(bytes: &[u8], package: &str, new: &semver::Version) -> Result<Outcome, BumpError> {
    bump_toward(bytes, package, new, Direction::Upgrade)
}

/// [`bump`], or with [`Direction::Downgrade`] a rollback's move down to `new`.
pub fn bump_toward(
    bytes: &[u8],
    package: &str,
    new: &semver::Version,
    direction: Direction,
) -> Result<Outcome, BumpError> {
    check_name(package)?;
    bump_with(
        bytes,
        |text| locate(text, package),
        |spec, &peer| npm_range::decide(spec, new, peer, direction),
    )
}

/// A name npm could have published: `pets` or `@scope/pets`. Only what
/// matters here is checked: that it can be compared with a JSON key.
fn check_name(package: &str) -> Result<(), BumpError> {
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
    };
    let ok = match package.strip_prefix('@') {
        Some(scoped) => scoped
            .split_once('/')
            .is_some_and(|(scope, name)| plain(scope) && plain(name)),
        None => plain(package),
    };
    if ok {
        Ok(())
    } else {
        Err(BumpError::PackageName(package.to_owned()))
    }
}

/// Every mention of `package` in the covered sections; the context says
/// whether it is a peer dependency.
fn locate(text: &str, package: &str) -> Result<Vec<Mention<bool>>, BumpError> {
    let document: serde_json::Value = serde_json::from_str(text)?;
    if !document.is_object() {
        return Err(shape("document", &document));
    }
    let mut mentions = Vec::new();
    Scanner::new(text).object(|scanner, section, _| {
        if !SECTIONS.contains(&section.as_str()) {
            return Ok(scanner.skip_value()?);
        }
        if scanner.peek() != Some(b'{') {
            return Err(shape(&section, &document[section.as_str()]));
        }
        scanner.object(|scanner, name, at| {
            if name != package {
                return Ok::<_, BumpError>(scanner.skip_value()?);
            }
            let requirement = if scanner.peek() == Some(b'"') {
                string_requirement(text, scanner.string()?)
            } else {
                Requirement::Left {
                    text: document[section.as_str()][package].to_string(),
                    reason: LeftReason::Spelling("as something other than a string"),
                }
            };
            mentions.push(Mention {
                section: section.clone(),
                at,
                requirement,
                context: section == "peerDependencies",
            });
            Ok(())
        })
    })?;
    Ok(mentions)
}

/// The inside of a string token, editable when it has no escapes (a
/// version spec never needs one; an escaped spec is left to a human).
fn string_requirement(text: &str, token: std::ops::Range<usize>) -> Requirement {
    let inner = token.start + 1..token.end - 1;
    if text[inner.clone()].contains('\\') {
        Requirement::Left {
            text: serde_json::from_str(&text[token]).unwrap_or_default(),
            reason: LeftReason::Spelling("with JSON escapes"),
        }
    } else {
        Requirement::Text(inner)
    }
}

fn shape(section: &str, value: &serde_json::Value) -> BumpError {
    let found = match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    };
    BumpError::Shape {
        section: section.to_owned(),
        found,
        expected: "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downstream::bump::Action;
    use crate::downstream::bump::test_support::{
        assert_bumped, assert_fixture_bumped, bumped, fixture, occurrence,
    };

    fn bump_to(bytes: &[u8], package: &str, new: &str) -> Outcome {
        bump(bytes, package, &semver::Version::parse(new).unwrap()).unwrap()
    }

    #[test]
    fn crlf_app_keeps_every_other_byte() {
        let outcome = assert_fixture_bumped(
            "package-json/app-crlf.json",
            |input| bump_to(input, "@acme/pets", "1.3.0"),
            &[
                (
                    "\"@acme/pets\": \"^1.2.0\",\r\n",
                    "\"@acme/pets\": \"^1.3.0\",\r\n",
                ),
                (
                    "\"@acme/pets\": \"~1.2.0\"\r\n",
                    "\"@acme/pets\": \"~1.3.0\"\r\n",
                ),
            ],
        );
        assert_eq!(
            outcome.occurrences(),
            &[
                occurrence("dependencies", 15, "^1.2.0", bumped("^1.3.0")),
                occurrence("devDependencies", 28, "~1.2.0", bumped("~1.3.0")),
            ]
        );
    }

    #[test]
    fn tabbed_library_without_final_newline_raises_dev_and_widens_peer() {
        let input = fixture("package-json/library-tabs.json");
        assert!(!input.ends_with(b"\n"));
        // 1.3.0: the peer range admits it, so only the dev pin moves.
        let outcome = bump_to(&input, "@acme/pets", "1.3.0");
        assert_bumped(
            &input,
            &outcome,
            &[(
                "\t\t\"@acme/pets\": \"1.2.0\",",
                "\t\t\"@acme/pets\": \"1.3.0\",",
            )],
        );
        let actions: Vec<_> = outcome.occurrences().iter().map(|o| &o.action).collect();
        assert_eq!(
            actions,
            [&Action::Left(LeftReason::PeerAdmits), &bumped("1.3.0")]
        );
        // 2.0.0 is outside the peer range: both move, the operator stays.
        let outcome = bump_to(&input, "@acme/pets", "2.0.0");
        assert_bumped(
            &input,
            &outcome,
            &[
                (
                    "\t\t\"@acme/pets\": \"^1.0.0\"\n",
                    "\t\t\"@acme/pets\": \"^2.0.0\"\n",
                ),
                (
                    "\t\t\"@acme/pets\": \"1.2.0\",",
                    "\t\t\"@acme/pets\": \"2.0.0\",",
                ),
            ],
        );
    }

    #[test]
    fn monorepo_with_bom_leaves_workspace_overrides_and_nested_sections() {
        let input = fixture("package-json/monorepo-bom.json");
        assert!(input.starts_with("\u{feff}".as_bytes()));
        let outcome = bump_to(&input, "@acme/pets", "1.3.0");
        assert_bumped(
            &input,
            &outcome,
            &[(
                "    \"@acme/pets\": \"1.2.0\"\n",
                "    \"@acme/pets\": \"1.3.0\"\n",
            )],
        );
        let actions: Vec<_> = outcome
            .occurrences()
            .iter()
            .map(|o| (o.section.as_str(), &o.action))
            .collect();
        assert_eq!(
            actions,
            [
                (
                    "dependencies",
                    &Action::Left(LeftReason::NotAVersion("a workspace: reference"))
                ),
                ("optionalDependencies", &bumped("1.3.0")),
            ]
        );
    }

    #[test]
    fn minified_manifest_with_escaped_key_is_found() {
        let input = br#"{"name":"x","dependencies":{"@acme\/pets":"^1.2.0","pets":"^9.0.0"}}"#;
        let outcome = bump_to(input, "@acme/pets", "1.2.5");
        assert_bumped(input, &outcome, &[(r#""^1.2.0""#, r#""^1.2.5""#)]);
    }

    #[test]
    fn not_a_dependency_already_current_and_left_alone() {
        let input = br#"{"name": "@acme/pets", "version": "1.2.0", "dependencies": {"@acme/pets-extra": "^1.0.0"}}"#;
        assert_eq!(
            bump_to(input, "@acme/pets", "1.3.0"),
            Outcome::NotADependency
        );
        let input = br#"{"dependencies": {"@acme/pets": "^1.3.0"}}"#;
        assert!(matches!(
            bump_to(input, "@acme/pets", "1.3.0"),
            Outcome::AlreadyCurrent { .. }
        ));
        let input = br#"{"dependencies": {"@acme/pets": "^1.\u0032.0"}}"#;
        let outcome = bump_to(input, "@acme/pets", "1.3.0");
        assert!(matches!(outcome, Outcome::LeftAlone { .. }));
        assert_eq!(outcome.occurrences()[0].requirement, "^1.2.0");
    }

    #[test]
    fn invalid_documents_and_names_are_errors() {
        let new = semver::Version::new(1, 3, 0);
        for bad in [
            &b"{\"dependencies\": {}"[..],
            b"[]",
            b"{\"dependencies\": []}",
            b"\xff{}",
        ] {
            assert!(bump(bad, "pets", &new).is_err(), "{bad:?}");
        }
        assert!(matches!(
            bump(b"{}", "pets\"", &new),
            Err(BumpError::PackageName(_))
        ));
        assert!(matches!(
            bump(b"{}", "@scope", &new),
            Err(BumpError::PackageName(_))
        ));
    }
}
