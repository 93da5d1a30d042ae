//! `downstream`: rewrite the SDK's version in a consumer's manifest, changing
//! nothing but the version text. Pure: bytes in, bytes out.
//!
//! One module per manifest format ([`package_json`], [`requirements`],
//! [`pyproject`]) finds every place the package is named; one module per
//! requirement language ([`npm_range`], and [`python_specifier`], which
//! also reads Poetry's constraints) decides what each requirement becomes,
//! and its `//!` docs state the policy. The driver here applies the
//! decisions as the smallest byte edits, then reads the edited manifest
//! again to prove it still parses and now says what was intended. Formatting (indentation, tabs, CRLF, a BOM, comments, a missing
//! final newline) is never touched, because the edit never reaches it.
//!
//! Every mention is reported as an [`Occurrence`], bumped or not, so the pull
//! request can say what was left for a human and why.

mod json_scan;
pub mod npm_range;
pub mod package_json;
mod pep508;
pub mod pyproject;
pub mod python_specifier;
pub mod requirements;

use crate::{pep440, pep503};
use std::fmt;
use std::ops::Range;

/// Which way a bump may move a requirement.
///
/// Every rollout upgrades: a requirement that names a newer version is left
/// alone ([`LeftReason::Newer`]). Only a rollback downgrades, back to the
/// last known-good version: the same rewrites run the other way (a floor or
/// pin is lowered, an operator is kept), and a requirement already naming
/// an older version is left alone ([`LeftReason::Older`]). Upper bounds are
/// kept as they are in both directions (`>=2.0.0,<3` rolled back to 1.4.0
/// is `>=1.4.0,<3`): narrowing them would guess at what the consumer
/// allowed before, and its lockfile, which the pull request says to
/// refresh, is what pins the exact version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    Upgrade,
    Downgrade,
}

/// What bumping one manifest came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// At least one requirement was rewritten; `bytes` is the new manifest.
    /// Other occurrences may have been left alone: they are listed too.
    Bumped {
        bytes: Vec<u8>,
        occurrences: Vec<Occurrence>,
    },
    /// Nothing was rewritten and at least one occurrence was left alone for
    /// a reason a human should see (a git dependency, an odd range, ...).
    LeftAlone { occurrences: Vec<Occurrence> },
    /// Every occurrence already asks for the new version.
    AlreadyCurrent { occurrences: Vec<Occurrence> },
    /// The manifest does not name the package where dependencies are declared.
    NotADependency,
}

impl Outcome {
    /// Every mention of the package, in file order.
    pub fn occurrences(&self) -> &[Occurrence] {
        match self {
            Outcome::Bumped { occurrences, .. }
            | Outcome::LeftAlone { occurrences }
            | Outcome::AlreadyCurrent { occurrences } => occurrences,
            Outcome::NotADependency => &[],
        }
    }
}

/// One place a manifest names the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// Where, as the file's reader would say it: `devDependencies`,
    /// `[project.optional-dependencies] test`, `requirements`.
    pub section: String,
    /// 1-based line of the requirement.
    pub line: usize,
    /// The requirement as written (`^1.2.0`, `>=1.2,<2`).
    pub requirement: String,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Rewritten to this requirement.
    Bumped { to: String },
    /// Already asks for the new version.
    AlreadyCurrent,
    /// Not rewritten, for this reason.
    Left(LeftReason),
}

/// Why a requirement was not rewritten. Each one is something a human can
/// act on, so each renders as a sentence for the pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftReason {
    /// Not a version range: a workspace or file reference, a git or URL
    /// source, an alias, a dist-tag. Says which.
    NotAVersion(&'static str),
    /// Accepts any version (`*`, or no version at all).
    Unconstrained,
    /// A range shape that is not rewritten, to avoid guessing its intent.
    UnsupportedRange,
    /// Asks for a newer version than the one being rolled out.
    Newer,
    /// Asks for an older version than the one a rollback returns to.
    Older,
    /// Explicitly excludes the new version (`!=`).
    Excluded,
    /// A peer range that already admits the new version: peer ranges state
    /// compatibility, so raising their floor would only narrow it.
    PeerAdmits,
    /// Pinned with `--hash`; a new version needs new hashes.
    HashPinned,
    /// Spelled in a way the bumper does not edit in place (escapes in a
    /// string, a version split over lines); says which.
    Spelling(&'static str),
}

impl fmt::Display for LeftReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeftReason::NotAVersion(what) => write!(f, "it is {what}, not a version range"),
            LeftReason::Unconstrained => {
                write!(
                    f,
                    "it accepts any version, so installs already get the new one"
                )
            }
            LeftReason::UnsupportedRange => {
                write!(f, "the range has a shape specrelay does not rewrite")
            }
            LeftReason::Newer => write!(f, "it already asks for a newer version"),
            LeftReason::Older => write!(
                f,
                "it already asks for an older version than the rollback's known-good one"
            ),
            LeftReason::Excluded => write!(f, "it explicitly excludes the new version"),
            LeftReason::PeerAdmits => write!(
                f,
                "it is a peer range that already admits the new version; raising it would narrow it"
            ),
            LeftReason::HashPinned => write!(
                f,
                "it is pinned with --hash; regenerate the file (pip-compile --generate-hashes)"
            ),
            LeftReason::Spelling(how) => write!(f, "it is written {how}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BumpError {
    #[error("the manifest is not UTF-8 (invalid byte at offset {0})")]
    NotUtf8(usize),
    #[error("the manifest is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the manifest is not valid TOML: {0}")]
    Toml(String),
    #[error("{0:?} is not a valid package name")]
    PackageName(String),
    #[error("the manifest's {section} is {found}, where a {expected} was expected")]
    Shape {
        section: String,
        found: &'static str,
        expected: &'static str,
    },
    /// A bug guard: serde_json accepted what the scanner could not follow.
    #[error("internal error: could not follow the JSON at byte {0}")]
    Scan(usize),
    /// A bug guard: the edit did not land as planned.
    #[error("internal error: after bumping, {0}; the manifest was left unchanged")]
    Unverified(String),
}

impl From<json_scan::ScanError> for BumpError {
    fn from(e: json_scan::ScanError) -> BumpError {
        BumpError::Scan(e.0)
    }
}

/// What a decider makes of one requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The whole requirement text, rewritten. Deciders change only version
    /// tokens, so everything around them comes back as it was.
    Rewrite(String),
    AlreadyCurrent,
    Left(LeftReason),
}

/// One mention of the package, as a format's locator found it. `C` is
/// whatever the decider needs to know besides the text (peer or not,
/// which dialect).
pub(crate) struct Mention<C> {
    pub section: String,
    /// Byte offset of the mention in the document (after any BOM).
    pub at: usize,
    pub requirement: Requirement,
    pub context: C,
}

pub(crate) enum Requirement {
    /// Plain text at this span of the document, free for a decider to rewrite.
    Text(Range<usize>),
    /// Found, but not rewritable for this reason.
    Left { text: String, reason: LeftReason },
}

impl Requirement {
    pub(crate) fn left(text: &str, reason: LeftReason) -> Requirement {
        Requirement::Left {
            text: text.to_owned(),
            reason,
        }
    }
}

const BOM: &str = "\u{feff}";

/// The Python manifests' entry to [`bump_with`]: the package must be a
/// PEP 508 name, `locate` gets it PEP 503-normalised, and
/// [`python_specifier`] decides each mention in the dialect `dialect` reads
/// from its context.
pub(crate) fn bump_python<C>(
    bytes: &[u8],
    package: &str,
    (new, direction): (&pep440::Version, Direction),
    locate: impl Fn(&str, &str) -> Result<Vec<Mention<C>>, BumpError>,
    dialect: impl Fn(&C) -> python_specifier::Dialect,
) -> Result<Outcome, BumpError> {
    if !pep503::is_valid_name(package) {
        return Err(BumpError::PackageName(package.to_owned()));
    }
    let wanted = pep503::normalize(package);
    bump_with(
        bytes,
        |text| locate(text, &wanted),
        |spec, context| python_specifier::decide(spec, new, dialect(context), direction),
    )
}

/// The shared driver: locate, decide, edit, verify. `locate` must fail on a
/// document that does not parse, which is how the edited document is
/// checked too.
pub(crate) fn bump_with<C>(
    bytes: &[u8],
    locate: impl Fn(&str) -> Result<Vec<Mention<C>>, BumpError>,
    decide: impl Fn(&str, &C) -> Decision,
) -> Result<Outcome, BumpError> {
    let text = std::str::from_utf8(bytes).map_err(|e| BumpError::NotUtf8(e.valid_up_to()))?;
    // Parsers reject a BOM that editors and npm accept; it stays in the output.
    let (bom, body) = match text.strip_prefix(BOM) {
        Some(body) => (BOM, body),
        None => ("", text),
    };
    let mentions = locate(body)?;
    if mentions.is_empty() {
        return Ok(Outcome::NotADependency);
    }
    let mut occurrences = Vec::with_capacity(mentions.len());
    let mut edits = Vec::new();
    for mention in &mentions {
        let (requirement, action) = match &mention.requirement {
            Requirement::Left { text, reason } => (text.clone(), Action::Left(reason.clone())),
            Requirement::Text(span) => {
                let old = &body[span.clone()];
                let action = match decide(old, &mention.context) {
                    Decision::Rewrite(new) if new != old => {
                        edits.push(minimal_edit(span.clone(), old, &new));
                        Action::Bumped { to: new }
                    }
                    Decision::Rewrite(_) | Decision::AlreadyCurrent => Action::AlreadyCurrent,
                    Decision::Left(reason) => Action::Left(reason),
                };
                (old.to_owned(), action)
            }
        };
        occurrences.push(Occurrence {
            section: mention.section.clone(),
            line: line_of(body, mention.at),
            requirement,
            action,
        });
    }
    if edits.is_empty() {
        let left = occurrences
            .iter()
            .any(|o| matches!(o.action, Action::Left(_)));
        return Ok(if left {
            Outcome::LeftAlone { occurrences }
        } else {
            Outcome::AlreadyCurrent { occurrences }
        });
    }
    let edited = apply(body, &edits);
    verify(&edited, &locate, &occurrences)?;
    Ok(Outcome::Bumped {
        bytes: format!("{bom}{edited}").into_bytes(),
        occurrences,
    })
}

/// An edit replacing `span` (which holds `old`) with `new`, narrowed to the
/// bytes that differ.
fn minimal_edit(span: Range<usize>, old: &str, new: &str) -> (Range<usize>, String) {
    let prefix = common_prefix(old, new);
    let suffix = common_suffix(&old[prefix..], &new[prefix..]);
    let replaced = span.start + prefix..span.end - suffix;
    (replaced, new[prefix..new.len() - suffix].to_owned())
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum()
}

/// Applies non-overlapping edits given in document order.
fn apply(body: &str, edits: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(body.len() + 16 * edits.len());
    let mut copied = 0;
    for (span, text) in edits {
        out.push_str(&body[copied..span.start]);
        out.push_str(text);
        copied = span.end;
    }
    out.push_str(&body[copied..]);
    out
}

/// Reads the edited document again: it must still parse, name the package
/// the same number of times, and say what each occurrence's action says.
fn verify<C>(
    edited: &str,
    locate: impl Fn(&str) -> Result<Vec<Mention<C>>, BumpError>,
    occurrences: &[Occurrence],
) -> Result<(), BumpError> {
    let mentions = locate(edited)
        .map_err(|e| BumpError::Unverified(format!("the manifest no longer parses: {e}")))?;
    if mentions.len() != occurrences.len() {
        return Err(BumpError::Unverified(format!(
            "the package is named {} times instead of {}",
            mentions.len(),
            occurrences.len()
        )));
    }
    for (mention, occurrence) in mentions.iter().zip(occurrences) {
        let now = match &mention.requirement {
            Requirement::Text(span) => &edited[span.clone()],
            Requirement::Left { text, .. } => text,
        };
        let expected = match &occurrence.action {
            Action::Bumped { to } => to,
            _ => &occurrence.requirement,
        };
        if now != expected {
            return Err(BumpError::Unverified(format!(
                "{} reads {now:?} instead of {expected:?}",
                occurrence.section
            )));
        }
    }
    Ok(())
}

fn line_of(body: &str, at: usize) -> usize {
    body[..at].bytes().filter(|&b| b == b'\n').count() + 1
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_are_narrowed_to_the_differing_bytes() {
        assert_eq!(
            minimal_edit(10..18, ">=1.2,<2", ">=1.3.0,<2"),
            (14..15, "3.0".to_owned())
        );
        assert_eq!(
            minimal_edit(0..6, "^1.2.0", "^2.0.0"),
            (1..4, "2.0".to_owned())
        );
        assert_eq!(minimal_edit(0..3, "1.0", "1.0.1"), (3..3, ".1".to_owned()));
        assert_eq!(
            apply("abcdef", &[(1..2, "X".into()), (4..4, "Y".into())]),
            "aXcdYef"
        );
    }

    /// The property every bump keeps, over every fixture and a spread of
    /// new versions (patch, minor, major, pre-release, older): the output
    /// differs from the input only in version characters.
    #[test]
    fn every_fixture_changes_only_version_text_for_any_new_version() {
        use crate::pep440;
        use test_support::{assert_only_version_text_differs, fixture};
        let versions = ["1.2.1", "1.3.0", "2.0.0", "2.0.0-beta.1", "0.9.0", "10.0.0"];
        let mut bumped = 0;
        for path in [
            "package-json/app-crlf.json",
            "package-json/library-tabs.json",
            "package-json/monorepo-bom.json",
            "requirements/requirements-crlf.txt",
            "requirements/requirements-hashes.txt",
            "requirements/requirements-bom.txt",
            "pyproject/pep621-crlf.toml",
            "pyproject/poetry.toml",
        ] {
            let input = fixture(path);
            for version in versions {
                let semver = semver::Version::parse(version).unwrap();
                let python = pep440::Version::from_semver(&semver).unwrap();
                let outcome = match path.split('/').next() {
                    Some("package-json") => package_json::bump(&input, "@acme/pets", &semver),
                    Some("requirements") => requirements::bump(&input, "acme-pets", &python),
                    _ => pyproject::bump(&input, "acme-pets", &python),
                }
                .unwrap_or_else(|e| panic!("{path} -> {version}: {e}"));
                if let Outcome::Bumped { bytes, .. } = &outcome {
                    bumped += 1;
                    let (before, after) = (
                        String::from_utf8_lossy(&input),
                        String::from_utf8_lossy(bytes),
                    );
                    assert_only_version_text_differs(&before, &after);
                    assert_ne!(before, after, "{path} -> {version}");
                }
            }
        }
        assert!(
            bumped >= 35,
            "only {bumped} bumps: the sweep must exercise the bumpers"
        );
    }

    #[test]
    fn hostile_nesting_is_refused_before_scanning() {
        let deep = format!(
            "{{\"dependencies\": {{\"x\": {}1{}}}, \"devDependencies\": {{\"pets\": \"1.0.0\"}}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let new = semver::Version::new(1, 1, 0);
        assert!(matches!(
            package_json::bump(deep.as_bytes(), "pets", &new),
            Err(BumpError::Json(_))
        ));
    }

    /// A rollback through each manifest format: the upgrade refuses to go
    /// down, the downgrade rewrites only the version text.
    #[test]
    fn a_rollback_downgrades_every_manifest_format_and_an_upgrade_never_does() {
        use crate::pep440;
        let to = semver::Version::new(1, 4, 0);
        let python = pep440::Version::from_semver(&to).unwrap();
        let cases: [(&str, &str, &str); 3] = [
            (
                "package.json",
                "{\r\n  \"dependencies\": {\"@acme/pets\": \"^2.0.0\"},\r\n  \"peerDependencies\": {\"@acme/pets\": \">=2.0.0\"}\r\n}",
                "{\r\n  \"dependencies\": {\"@acme/pets\": \"^1.4.0\"},\r\n  \"peerDependencies\": {\"@acme/pets\": \">=1.4.0\"}\r\n}",
            ),
            (
                "requirements.txt",
                "# pinned\nacme-pets[async]==2.0.0 ; python_version >= \"3.9\"\nrequests>=2\n",
                "# pinned\nacme-pets[async]==1.4.0 ; python_version >= \"3.9\"\nrequests>=2\n",
            ),
            (
                "pyproject.toml",
                "[project]\nname = \"app\"\ndependencies = [\"acme-pets>=2.0.0,<3\"]\n\n[tool.poetry.dependencies]\nacme-pets = \"^2.0.0\"\n",
                "[project]\nname = \"app\"\ndependencies = [\"acme-pets>=1.4.0,<3\"]\n\n[tool.poetry.dependencies]\nacme-pets = \"^1.4.0\"\n",
            ),
        ];
        for (kind, input, expected) in cases {
            let run = |direction| {
                match kind {
                    "package.json" => {
                        package_json::bump_toward(input.as_bytes(), "@acme/pets", &to, direction)
                    }
                    "requirements.txt" => {
                        requirements::bump_toward(input.as_bytes(), "acme-pets", &python, direction)
                    }
                    _ => pyproject::bump_toward(input.as_bytes(), "acme-pets", &python, direction),
                }
                .unwrap()
            };
            match run(Direction::Downgrade) {
                Outcome::Bumped { bytes, occurrences } => {
                    assert_eq!(String::from_utf8(bytes).unwrap(), expected, "{kind}");
                    assert!(
                        occurrences
                            .iter()
                            .all(|o| matches!(o.action, Action::Bumped { .. })),
                        "{kind}: {occurrences:?}"
                    );
                }
                other => panic!("{kind}: {other:?}"),
            }
            let upgrade = run(Direction::Upgrade);
            assert!(
                upgrade
                    .occurrences()
                    .iter()
                    .all(|o| o.action == Action::Left(LeftReason::Newer)),
                "{kind}: {upgrade:?}"
            );
        }
    }
}
