//! Problems found in a spec (errors and warnings) with where they are, for
//! every stage that reports on a spec (annotations, job summaries, CLI).
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, located in the source document where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    pub severity: Severity,
    /// The document's location as given (a URL string).
    pub file: String,
    /// RFC 6901 pointer into that document.
    pub pointer: String,
    /// 1-based line in that document, where known.
    pub line: Option<u32>,
    pub message: String,
}

impl Problem {
    pub fn error(
        file: impl Into<String>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Error,
            file: file.into(),
            pointer: pointer.into(),
            line: None,
            message: message.into(),
        }
    }

    pub fn warning(
        file: impl Into<String>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(file, pointer, message)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    /// `openapi.yaml#/paths/~1pets/get: operationId 'x' is also used at ... (line 42)`;
    /// `file:` URLs are shown by their file name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = if self.file.starts_with("file://") {
            self.file.rsplit('/').next().unwrap_or(&self.file)
        } else {
            &self.file
        };
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        write!(f, "{file}#{}: {}", self.pointer, self.message)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_the_documented_shape() {
        let mut p = Problem::error(
            "file:///repo/openapi.yaml",
            "/paths/~1pets/get",
            "operationId 'listPets' is also used at #/paths/~1dogs/get",
        );
        p.line = Some(42);
        assert_eq!(
            p.to_string(),
            "openapi.yaml#/paths/~1pets/get: operationId 'listPets' is also used at #/paths/~1dogs/get (line 42)"
        );
        let w = Problem::warning("https://x.test/a.json", "", "hmm");
        assert_eq!(w.to_string(), "warning: https://x.test/a.json#: hmm");
    }
}
