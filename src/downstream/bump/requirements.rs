//! `downstream`: bump the SDK in a pip requirements file
//! (`requirements*.txt`). Pure.
//!
//! Lines are read the way pip reads them: a trailing `\` joins the next
//! line (unless the line has a comment), a `#` at the start or after
//! whitespace starts a comment, lines starting with `-` are options (`-r`,
//! `-c`, `--index-url`) and are not requirements, and per-requirement
//! options (`--hash=...`) follow the requirement. An editable install
//! (`-e ...#egg=name`) of the package is reported, never rewritten. Names are compared after
//! PEP 503 normalisation, so `Acme_Pets` is `acme-pets`.
//!
//! What each specifier becomes is
//! [`python_specifier`](super::python_specifier)'s policy. Left alone and
//! reported: `name @ url` and bare URL lines (`...#egg=name`),
//! hash-pinned requirements (new hashes need `pip-compile
//! --generate-hashes`), and a specifier split over a line continuation.
//! Only the version characters change, so comments, markers, extras,
//! spacing and CRLF line endings stay as they were.

use super::python_specifier::Dialect;
use super::{BumpError, Direction, LeftReason, Mention, Outcome, Requirement, bump_python, pep508};
use crate::pep440::Version;
use crate::pep503;

/// Bumps `package` to `new` wherever the file requires it.
pub fn bump(bytes: &[u8], package: &str, new: &Version) -> Result<Outcome, BumpError> {
    bump_toward(bytes, package, new, Direction::Upgrade)
}

/// [`bump`], or with [`Direction::Downgrade`] a rollback's move down to `new`.
pub fn bump_toward(
    bytes: &[u8],
    package: &str,
    new: &Version,
    direction: Direction,
) -> Result<Outcome, BumpError> {
    bump_python(
        bytes,
        package,
        (new, direction),
        |text, wanted| Ok(locate(text, wanted)),
        |_| Dialect::Pep440,
    )
}

/// The section name every occurrence in a requirements file gets.
const SECTION: &str = "requirements";

fn locate(text: &str, wanted: &str) -> Vec<Mention<()>> {
    logical_lines(text)
        .iter()
        .filter_map(|line| {
            let requirement = line.requirement(wanted)?;
            Some(Mention {
                section: SECTION.to_owned(),
                at: line.start(),
                requirement,
                context: (),
            })
        })
        .collect()
}

/// One line as pip sees it: physical lines joined at `\` continuations.
struct LogicalLine {
    text: String,
    /// The physical offset of each byte of `text`.
    offsets: Vec<usize>,
}

fn logical_lines(body: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut current = LogicalLine {
        text: String::new(),
        offsets: Vec::new(),
    };
    let mut offset = 0;
    for physical in body.split_inclusive('\n') {
        let content = physical.trim_end_matches('\n').trim_end_matches('\r');
        let continued = content.ends_with('\\') && comment_start(content).is_none();
        let kept = if continued {
            &content[..content.len() - 1]
        } else {
            content
        };
        current.text.push_str(kept);
        current.offsets.extend(offset..offset + kept.len());
        offset += physical.len();
        if !continued {
            lines.push(std::mem::replace(
                &mut current,
                LogicalLine {
                    text: String::new(),
                    offsets: Vec::new(),
                },
            ));
        }
    }
    if !current.offsets.is_empty() {
        lines.push(current);
    }
    lines
}

/// Where pip's comment regex `(^|\s+)#.*$` matches.
fn comment_start(line: &str) -> Option<usize> {
    line.char_indices()
        .find(|&(i, c)| {
            c == '#'
                && line[..i]
                    .chars()
                    .next_back()
                    .is_none_or(char::is_whitespace)
        })
        .map(|(i, _)| i)
}

impl LogicalLine {
    fn start(&self) -> usize {
        self.offsets.first().copied().unwrap_or(0)
    }

    /// The line's requirement on `wanted`, if it is one.
    fn requirement(&self, wanted: &str) -> Option<Requirement> {
        let uncommented = &self.text[..comment_start(&self.text).unwrap_or(self.text.len())];
        let is_wanted_egg =
            || egg_name(uncommented).is_some_and(|name| pep503::normalize(name) == wanted);
        let option = uncommented.trim_start();
        if option.starts_with("-e ") || option.starts_with("--editable") {
            return is_wanted_egg().then(|| {
                Requirement::left(
                    option.trim_end(),
                    LeftReason::NotAVersion("an editable install"),
                )
            });
        }
        if option.starts_with('-') {
            return None;
        }
        // pip splits per-requirement options off at the first ` -`.
        let (requirement, options) = uncommented
            .find(" -")
            .map_or((uncommented, ""), |i| uncommented.split_at(i));
        let Some(parsed) = pep508::parse(requirement) else {
            return is_wanted_egg()
                .then(|| Requirement::left(uncommented.trim(), LeftReason::NotAVersion("a URL")));
        };
        if pep503::normalize(&requirement[parsed.name]) != wanted {
            return None;
        }
        let span = match parsed.source {
            pep508::Source::Url => {
                return Some(Requirement::left(
                    requirement.trim(),
                    LeftReason::NotAVersion("a URL"),
                ));
            }
            pep508::Source::Specifier(span) => span,
        };
        let spec = &requirement[span.clone()];
        if options.contains("--hash") {
            return Some(Requirement::left(spec, LeftReason::HashPinned));
        }
        if span.is_empty() {
            return Some(Requirement::left(spec, LeftReason::Unconstrained));
        }
        let physical = self.offsets[span.start]..self.offsets[span.end - 1] + 1;
        Some(if physical.len() == span.len() {
            Requirement::Text(physical)
        } else {
            Requirement::left(spec, LeftReason::Spelling("across a line continuation"))
        })
    }
}

/// The project a URL line installs, from its `#egg=name` fragment.
fn egg_name(line: &str) -> Option<&str> {
    let after = &line[line.find("#egg=")? + "#egg=".len()..];
    let end = after
        .find(|c: char| c == '&' || c.is_whitespace())
        .unwrap_or(after.len());
    Some(&after[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downstream::bump::Action;
    use crate::downstream::bump::test_support::{
        assert_bumped, assert_fixture_bumped, bumped, fixture, occurrence,
    };

    fn bump_to(bytes: &[u8], package: &str, new: &str) -> Outcome {
        bump(bytes, package, &Version::parse(new).unwrap()).unwrap()
    }

    fn actions(outcome: &Outcome) -> Vec<(usize, &str, &Action)> {
        outcome
            .occurrences()
            .iter()
            .map(|o| (o.line, o.requirement.as_str(), &o.action))
            .collect()
    }

    #[test]
    fn crlf_file_with_extras_markers_and_comments() {
        let outcome = assert_fixture_bumped(
            "requirements/requirements-crlf.txt",
            |input| bump_to(input, "acme-pets", "1.3.0"),
            &[
                (
                    "Acme_Pets[async, cli] == 1.2.0 ; python_version >= \"3.9\"  # pinned for the pets API\r\n",
                    "Acme_Pets[async, cli] == 1.3.0 ; python_version >= \"3.9\"  # pinned for the pets API\r\n",
                ),
                (
                    "acme.pets>=1.2,<2; python_version < \"3.9\"\r\n",
                    "acme.pets>=1.3.0,<2; python_version < \"3.9\"\r\n",
                ),
                ("    ~=1.2.0\r\n", "    ~=1.3.0\r\n"),
            ],
        );
        assert_eq!(
            actions(&outcome),
            [
                (9, "== 1.2.0", &bumped("== 1.3.0")),
                (10, ">=1.2,<2", &bumped(">=1.3.0,<2")),
                (11, "~=1.2.0", &bumped("~=1.3.0")),
                (
                    15,
                    "acme-pets @ https://files.example.com/acme_pets-1.1.0-py3-none-any.whl",
                    &Action::Left(LeftReason::NotAVersion("a URL"))
                ),
                (
                    16,
                    "git+https://github.com/acme/pets-python@v1.1.0#egg=acme_pets",
                    &Action::Left(LeftReason::NotAVersion("a URL"))
                ),
                (
                    17,
                    "-e git+https://github.com/acme/pets-python.git@main#egg=acme-pets",
                    &Action::Left(LeftReason::NotAVersion("an editable install"))
                ),
            ]
        );
    }

    #[test]
    fn pip_compile_output_with_hashes_is_left_to_pip_compile() {
        let input = fixture("requirements/requirements-hashes.txt");
        let outcome = bump_to(&input, "acme-pets", "1.3.0");
        assert_eq!(
            outcome,
            Outcome::LeftAlone {
                occurrences: vec![occurrence(
                    "requirements",
                    7,
                    "==1.2.0",
                    Action::Left(LeftReason::HashPinned)
                )]
            }
        );
    }

    #[test]
    fn bom_and_no_final_newline_survive_a_major_bump() {
        let input = fixture("requirements/requirements-bom.txt");
        assert!(input.starts_with("\u{feff}".as_bytes()) && !input.ends_with(b"\n"));
        let outcome = bump_to(&input, "acme-pets", "2.1.0");
        assert_bumped(
            &input,
            &outcome,
            &[
                ("acme-pets >= 1.2, < 2.0\n", "acme-pets >= 2.1.0, < 3.0\n"),
                ("acme_pets==1.2.0 ;", "acme_pets==2.1.0 ;"),
            ],
        );
    }

    #[test]
    fn continuations_are_followed_but_a_split_specifier_is_left_alone() {
        let input = b"acme-pets \\\n  >=1.2\nacme-pets>=1.2,\\\n<2\n";
        let outcome = bump_to(input, "acme-pets", "1.3.0");
        assert_bumped(input, &outcome, &[("  >=1.2\n", "  >=1.3.0\n")]);
        assert_eq!(
            outcome.occurrences()[1].action,
            Action::Left(LeftReason::Spelling("across a line continuation"))
        );
    }

    #[test]
    fn options_comments_and_other_packages_are_not_requirements() {
        let input = b"-r acme-pets.txt\n-e ./acme-pets\n--editable=./pets#egg=acme-pets-extra\n# acme-pets==1.0.0\n--index-url https://pypi.example.com/simple/\nacme-pets-extra==1.0\n";
        assert_eq!(
            bump_to(input, "acme-pets", "1.3.0"),
            Outcome::NotADependency
        );
        assert!(matches!(
            bump(b"", "acme pets", &Version::parse("1.3.0").unwrap()),
            Err(BumpError::PackageName(_))
        ));
    }
}
