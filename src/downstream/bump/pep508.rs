//! `downstream`: just enough PEP 508 to find a Python requirement's name and
//! version specifier (`Name[extra] (>= 1.2, < 2) ; marker`), for
//! `requirements.txt` lines and `pyproject.toml` strings. Pure.

use crate::pep503::{is_name_char, is_valid_name};
use std::ops::Range;

/// A requirement's parts, as spans of the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pep508 {
    pub name: Range<usize>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// The version specifier, trimmed; empty (at the position where one
    /// would go) when the requirement has none.
    Specifier(Range<usize>),
    /// `name @ url`: a direct reference, no version.
    Url,
}

/// Parses a requirement that starts `text` (after whitespace). `None` when
/// `text` does not start with one: a URL, a path, an option.
pub(crate) fn parse(text: &str) -> Option<Pep508> {
    let start = text.len() - text.trim_start().len();
    let name_len = text[start..]
        .find(|c: char| !is_name_char(c))
        .unwrap_or(text.len() - start);
    let name = start..start + name_len;
    if !is_valid_name(&text[name.clone()]) {
        return None;
    }
    let mut pos = skip_spaces(text, name.end);
    if text[pos..].starts_with('[') {
        pos = skip_spaces(text, pos + text[pos..].find(']')? + 1);
    }
    let rest = &text[pos..];
    let source = if rest.starts_with('@') {
        Source::Url
    } else if let Some(inner) = rest.strip_prefix('(') {
        let close = inner.find(')')?;
        Source::Specifier(trimmed(text, pos + 1..pos + 1 + close))
    } else {
        let end = rest.find(';').unwrap_or(rest.len());
        if !rest[..end]
            .chars()
            .next()
            .is_none_or(|c| "<>=!~".contains(c))
        {
            // `https://...` reads as the name `https` followed by `:`.
            return None;
        }
        Source::Specifier(trimmed(text, pos..pos + end))
    };
    Some(Pep508 { name, source })
}

fn skip_spaces(text: &str, pos: usize) -> usize {
    pos + (text[pos..].len() - text[pos..].trim_start().len())
}

/// `span` without surrounding whitespace; empty spans keep their start.
fn trimmed(text: &str, span: Range<usize>) -> Range<usize> {
    let inner = &text[span.clone()];
    let start = span.start + (inner.len() - inner.trim_start().len());
    start..start + inner.trim().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Option<(&str, Option<&str>)> {
        parse(text).map(|p| {
            let spec = match p.source {
                Source::Specifier(span) => Some(&text[span]),
                Source::Url => None,
            };
            (&text[p.name], spec)
        })
    }

    #[test]
    fn finds_name_and_specifier() {
        assert_eq!(parts("pets==1.2.0"), Some(("pets", Some("==1.2.0"))));
        assert_eq!(
            parts("  Acme_Pets [async, cli] >= 1.2 , <2 ; python_version >= \"3.9\""),
            Some(("Acme_Pets", Some(">= 1.2 , <2")))
        );
        assert_eq!(parts("pets (>=1.2)"), Some(("pets", Some(">=1.2"))));
        assert_eq!(parts("pets"), Some(("pets", Some(""))));
        assert_eq!(
            parts("pets;python_version<'3.10'"),
            Some(("pets", Some("")))
        );
        assert_eq!(
            parts("pets @ https://example.com/p.whl"),
            Some(("pets", None))
        );
        assert_eq!(parts("https://example.com/pets-1.2.0.tar.gz"), None);
        assert_eq!(parts("./vendor/pets"), None);
        assert_eq!(parts("-e ."), None);
        assert_eq!(parts("pets[async"), None);
    }
}
