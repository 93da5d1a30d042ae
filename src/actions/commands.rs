//! Workflow commands (`::error::`, `::add-mask::`, `::group::`), formatted
//! with the runner's escaping rules.
//!
//! Pure formatting only: [`super::Runtime`] decides where the lines go.

use std::fmt;

/// The level of an annotation shown on the run and, with a file, in the diff view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// One annotation, with an optional location in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub level: Level,
    pub title: Option<String>,
    /// Path relative to the workspace; only set when the file is in the repository.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub message: String,
}

impl Annotation {
    pub fn new(level: Level, message: impl Into<String>) -> Self {
        Annotation {
            level,
            title: None,
            file: None,
            line: None,
            message: message.into(),
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Level::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Level::Warning, message)
    }

    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    pub fn at(mut self, file: impl Into<String>, line: Option<u32>) -> Self {
        self.file = Some(file.into());
        self.line = line;
        self
    }
}

impl fmt::Display for Annotation {
    /// `::error file=a.yaml,line=3,title=T::message`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut props = Vec::new();
        if let Some(file) = &self.file {
            props.push(format!("file={}", escape_property(file)));
            if let Some(line) = self.line {
                props.push(format!("line={line}"));
            }
        }
        if let Some(title) = &self.title {
            props.push(format!("title={}", escape_property(title)));
        }
        let sep = if props.is_empty() { "" } else { " " };
        write!(
            f,
            "::{}{sep}{}::{}",
            self.level.command(),
            props.join(","),
            escape_data(&self.message)
        )
    }
}

/// Escapes a command's message so that newlines and `%` survive the runner's parser.
///
/// Also defuses `##[`, which the runner's legacy parser honours anywhere in a
/// line: spec text quoted in a message must not be able to raise its own
/// annotations.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace("##[", "# #[")
}

/// Escapes a command property value: as [`escape_data`], plus `:` and `,`,
/// which would otherwise end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `::add-mask::VALUE`: the runner replaces VALUE with `***` in every later log line.
pub fn add_mask(secret: &str) -> String {
    format!("::add-mask::{}", escape_data(secret))
}

pub fn group(title: &str) -> String {
    format!("::group::{}", escape_data(title))
}

pub const END_GROUP: &str = "::endgroup::";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_escapes_message_and_properties() {
        let a = Annotation::error("100% broken\nsecond line")
            .with_title("spec: invalid, badly")
            .at("openapi/a,b.yaml", Some(7));
        assert_eq!(
            a.to_string(),
            "::error file=openapi/a%2Cb.yaml,line=7,title=spec%3A invalid%2C badly::100%25 broken%0Asecond line"
        );
    }

    #[test]
    fn legacy_command_syntax_is_defused() {
        assert_eq!(escape_data("see ##[error]x"), "see # #[error]x");
    }

    #[test]
    fn annotation_without_properties() {
        assert_eq!(Annotation::warning("w").to_string(), "::warning::w");
    }

    #[test]
    fn line_is_only_written_with_a_file() {
        let mut a = Annotation::error("m");
        a.line = Some(3);
        assert_eq!(a.to_string(), "::error::m");
    }
}
