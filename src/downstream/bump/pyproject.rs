//! `downstream`: bump the SDK in a `pyproject.toml`. Pure.
//!
//! Covered tables:
//!
//! - PEP 621: `[project] dependencies` and every list in
//!   `[project.optional-dependencies]`;
//! - PEP 735: every list in `[dependency-groups]` (as uv writes them);
//! - Poetry: `[tool.poetry.dependencies]`, the legacy
//!   `[tool.poetry.dev-dependencies]` and every
//!   `[tool.poetry.group.<name>.dependencies]`, as `pkg = "^1.2"` or
//!   `pkg = { version = "^1.2", extras = [...] }`.
//!
//! Dotted keys and inline tables are the same thing to TOML, so
//! `tool.poetry.dependencies.acme-pets = "^1.2"` is found too.
//! `[build-system] requires` is not a dependency of the project's code and
//! is not touched. Names are compared PEP 503-normalised.
//!
//! PEP 621 and PEP 735 entries are PEP 508 strings and Poetry values are
//! Poetry constraints; [`python_specifier`](super::python_specifier)
//! decides what each becomes. Left alone and reported: `name @ url`
//! entries, Poetry `git`/`path`/`url` sources, Poetry's multiple-constraint
//! lists, and strings written with TOML escapes.
//!
//! `toml_edit` parses the document (refusing invalid TOML, before and after
//! the edit) and gives each string's span; the edit itself is made on the
//! original bytes, inside the string, so comments, spacing, quoting style
//! and CRLF are never re-rendered.

use super::python_specifier::Dialect;
use super::{BumpError, Direction, LeftReason, Mention, Outcome, Requirement, bump_python, pep508};
use crate::pep440::Version;
use crate::pep503;
use std::ops::Range;
use toml_edit::{Item, Value};

/// Bumps `package` to `new` wherever the project depends on it.
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
    bump_python(bytes, package, (new, direction), locate, |&dialect| dialect)
}

fn locate(text: &str, wanted: &str) -> Result<Vec<Mention<Dialect>>, BumpError> {
    let document = toml_edit::Document::parse(text).map_err(|e| BumpError::Toml(e.to_string()))?;
    let root = document.as_item();
    let mut found = Found {
        text,
        wanted,
        mentions: Vec::new(),
    };
    if let Some(list) = at(root, &["project", "dependencies"]) {
        found.pep508_list("[project] dependencies", list)?;
    }
    for (extra, list) in entries(root, &["project", "optional-dependencies"]) {
        found.pep508_list(&format!("[project.optional-dependencies] {extra}"), list)?;
    }
    for (group, list) in entries(root, &["dependency-groups"]) {
        found.pep508_list(&format!("[dependency-groups] {group}"), list)?;
    }
    for key in ["dependencies", "dev-dependencies"] {
        if let Some(table) = at(root, &["tool", "poetry", key]) {
            found.poetry_table(&format!("[tool.poetry.{key}]"), table)?;
        }
    }
    for (group, table) in entries(root, &["tool", "poetry", "group"]) {
        if let Some(dependencies) = table.get("dependencies") {
            let section = format!("[tool.poetry.group.{group}.dependencies]");
            found.poetry_table(&section, dependencies)?;
        }
    }
    let mut mentions = found.mentions;
    mentions.sort_by_key(|m| m.at);
    Ok(mentions)
}

/// The item at a dotted path, if every step is a table.
fn at<'a>(root: &'a Item, path: &[&str]) -> Option<&'a Item> {
    path.iter().try_fold(root, |item, key| item.get(key))
}

/// The members of the table at `path`; none if it is absent or not a table.
fn entries<'a>(root: &'a Item, path: &[&str]) -> Vec<(&'a str, &'a Item)> {
    at(root, path)
        .and_then(Item::as_table_like)
        .map(|table| table.iter().collect())
        .unwrap_or_default()
}

struct Found<'a> {
    text: &'a str,
    wanted: &'a str,
    mentions: Vec<Mention<Dialect>>,
}

impl Found<'_> {
    /// A list of PEP 508 strings. Other members (PEP 735's
    /// `{include-group = ...}`) are not requirements.
    fn pep508_list(&mut self, section: &str, list: &Item) -> Result<(), BumpError> {
        let Some(array) = list.as_array() else {
            return Err(shape(section, list, "array of strings"));
        };
        for value in array.iter() {
            let Some(requirement) = value.as_str() else {
                continue;
            };
            let Some(parsed) = pep508::parse(requirement) else {
                continue;
            };
            if pep503::normalize(&requirement[parsed.name]) != self.wanted {
                continue;
            }
            let requirement = match parsed.source {
                pep508::Source::Url => {
                    Requirement::left(requirement, LeftReason::NotAVersion("a URL"))
                }
                pep508::Source::Specifier(span) => self.string_part(value, span),
            };
            self.push(section, value.span(), requirement, Dialect::Pep440);
        }
        Ok(())
    }

    /// A Poetry dependency table: `name = "constraint"` or `name = {...}`.
    fn poetry_table(&mut self, section: &str, table: &Item) -> Result<(), BumpError> {
        let Some(table) = table.as_table_like() else {
            return Err(shape(section, table, "table"));
        };
        for (name, entry) in table.iter() {
            if pep503::normalize(name) != self.wanted {
                continue;
            }
            let raw = || self.raw(entry.span()).to_owned();
            let requirement = if let Some(value) = entry.as_value().filter(|v| v.is_str()) {
                self.string_part(value, 0..value.as_str().unwrap_or_default().len())
            } else if let Some(details) = entry.as_table_like() {
                match ["git", "path", "url", "file"]
                    .iter()
                    .find(|k| details.contains_key(k))
                {
                    Some(&"git") => {
                        Requirement::left(&raw(), LeftReason::NotAVersion("a git source"))
                    }
                    Some(&"path") | Some(&"file") => {
                        Requirement::left(&raw(), LeftReason::NotAVersion("a local path"))
                    }
                    Some(_) => Requirement::left(&raw(), LeftReason::NotAVersion("a URL")),
                    None => match details.get("version").and_then(Item::as_value) {
                        Some(version) if version.is_str() => {
                            let len = version.as_str().unwrap_or_default().len();
                            self.string_part(version, 0..len)
                        }
                        _ => Requirement::left(&raw(), LeftReason::Unconstrained),
                    },
                }
            } else if entry.is_array() {
                // `pkg = [{ version = "^1", python = "<3.9" }, ...]`
                Requirement::left(&raw(), LeftReason::UnsupportedRange)
            } else {
                Requirement::left(
                    &raw(),
                    LeftReason::Spelling("as neither a string nor a table"),
                )
            };
            self.push(section, entry.span(), requirement, Dialect::Poetry);
        }
        Ok(())
    }

    /// The part `span` of a TOML string's value, as a span of the document
    /// when the string is written without escapes (so that its raw text and
    /// its value are the same characters).
    fn string_part(&self, value: &Value, span: Range<usize>) -> Requirement {
        let decoded = value.as_str().unwrap_or_default();
        let part = &decoded[span.clone()];
        if part.trim().is_empty() {
            return Requirement::left(part, LeftReason::Unconstrained);
        }
        let Some(token) = value.span() else {
            return Requirement::left(part, LeftReason::Spelling("where its position is unknown"));
        };
        let raw = &self.text[token.clone()];
        let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        let inner = token.start + quote..token.end - quote;
        if &self.text[inner.clone()] == decoded {
            Requirement::Text(inner.start + span.start..inner.start + span.end)
        } else {
            Requirement::left(part, LeftReason::Spelling("with TOML escapes"))
        }
    }

    fn raw(&self, span: Option<Range<usize>>) -> &str {
        span.map_or("", |span| self.text[span].trim())
    }

    fn push(
        &mut self,
        section: &str,
        span: Option<Range<usize>>,
        requirement: Requirement,
        dialect: Dialect,
    ) {
        let at = match (&requirement, span) {
            (Requirement::Text(text), _) => text.start,
            (_, Some(span)) => span.start,
            (_, None) => 0,
        };
        self.mentions.push(Mention {
            section: section.to_owned(),
            at,
            requirement,
            context: dialect,
        });
    }
}

fn shape(section: &str, item: &Item, expected: &'static str) -> BumpError {
    BumpError::Shape {
        section: section.to_owned(),
        found: item.type_name(),
        expected,
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
        bump(bytes, package, &Version::parse(new).unwrap()).unwrap()
    }

    #[test]
    fn pep621_and_pep735_lists_with_crlf_comments_and_both_quote_styles() {
        let outcome = assert_fixture_bumped(
            "pyproject/pep621-crlf.toml",
            |input| bump_to(input, "acme-pets", "1.3.0"),
            &[
                (
                    "\"Acme_Pets[async] >= 1.2.0, <2 ; python_version >= '3.9'\",\r\n",
                    "\"Acme_Pets[async] >= 1.3.0, <2 ; python_version >= '3.9'\",\r\n",
                ),
                (
                    "'acme-pets==1.1.0; python_version < \"3.9\"',   # literal string\r\n",
                    "'acme-pets==1.3.0; python_version < \"3.9\"',   # literal string\r\n",
                ),
                (
                    "[\"acme-pets[cli]~=1.2\",   \"typer",
                    "[\"acme-pets[cli]~=1.3\",   \"typer",
                ),
                ("[\"acme.pets==1.2.0\", {", "[\"acme.pets==1.3.0\", {"),
            ],
        );
        assert_eq!(
            outcome.occurrences(),
            &[
                occurrence(
                    "[project] dependencies",
                    16,
                    ">= 1.2.0, <2",
                    bumped(">= 1.3.0, <2")
                ),
                occurrence("[project] dependencies", 17, "==1.1.0", bumped("==1.3.0")),
                occurrence(
                    "[project.optional-dependencies] cli",
                    22,
                    "~=1.2",
                    bumped("~=1.3")
                ),
                occurrence(
                    "[project.optional-dependencies] dev",
                    25,
                    "acme-pets @ https://files.example.com/acme_pets-1.1.0-py3-none-any.whl",
                    Action::Left(LeftReason::NotAVersion("a URL"))
                ),
                occurrence("[dependency-groups] test", 29, "==1.2.0", bumped("==1.3.0")),
            ]
        );
    }

    #[test]
    fn poetry_tables_inline_tables_groups_and_sources() {
        let input = fixture("pyproject/poetry.toml");
        assert!(!input.ends_with(b"\n"));
        let outcome = bump_to(&input, "acme-pets", "2.0.0b1");
        assert_bumped(
            &input,
            &outcome,
            &[
                (
                    "{ version = \"^1.2\", extras",
                    "{ version = \"^2.0.0b1\", extras",
                ),
                ("\t=\t\"1.2.0\"\n", "\t=\t\"2.0.0b1\"\n"),
            ],
        );
        let actions: Vec<_> = outcome
            .occurrences()
            .iter()
            .map(|o| (o.section.as_str(), o.line, &o.action))
            .collect();
        assert_eq!(
            actions,
            [
                ("[tool.poetry.dependencies]", 10, &bumped("^2.0.0b1")),
                (
                    "[tool.poetry.group.dev.dependencies]",
                    15,
                    &bumped("2.0.0b1")
                ),
                (
                    "[tool.poetry.group.legacy.dependencies]",
                    18,
                    &Action::Left(LeftReason::UnsupportedRange)
                ),
                (
                    "[tool.poetry.group.local.dependencies]",
                    27,
                    &Action::Left(LeftReason::NotAVersion("a local path"))
                ),
            ]
        );
    }

    #[test]
    fn dotted_keys_multiline_strings_and_a_bom() {
        let input = "\u{feff}tool.poetry.dependencies.acme-pets = \"~1.2\" # dotted\r\n\
                     [project]\r\nname = \"x\"\r\ndependencies = [\"\"\"acme-pets>=1.2\"\"\"]\r\n";
        let outcome = bump_to(input.as_bytes(), "acme-pets", "1.3.0");
        assert_bumped(
            input.as_bytes(),
            &outcome,
            &[
                ("= \"~1.2\" #", "= \"~1.3.0\" #"),
                ("\"\"\"acme-pets>=1.2\"\"\"", "\"\"\"acme-pets>=1.3.0\"\"\""),
            ],
        );
    }

    #[test]
    fn escaped_strings_are_left_alone_and_invalid_toml_is_an_error() {
        let input = br#"[project]
dependencies = ["acme-pets\u003e=1.2"]
"#;
        assert_eq!(
            bump_to(input, "acme-pets", "1.3.0").occurrences()[0].action,
            Action::Left(LeftReason::Spelling("with TOML escapes"))
        );
        let new = Version::parse("1.3.0").unwrap();
        assert!(matches!(
            bump(b"[project\ndependencies = []", "acme-pets", &new),
            Err(BumpError::Toml(_))
        ));
        assert!(matches!(
            bump(
                b"[project]\ndependencies = \"acme-pets\"",
                "acme-pets",
                &new
            ),
            Err(BumpError::Shape { .. })
        ));
        let not_here =
            b"[build-system]\nrequires = [\"acme-pets>=1.0\"]\n[project]\nname = \"acme-pets\"\n";
        assert_eq!(
            bump_to(not_here, "acme-pets", "1.3.0"),
            Outcome::NotADependency
        );
        let current = b"[project]\ndependencies = [\"acme-pets>=1.3\"]\n";
        assert!(matches!(
            bump_to(current, "acme-pets", "1.3.0"),
            Outcome::AlreadyCurrent { .. }
        ));
    }
}
