//! `diff`: the raw arguments turned into a typed [`Request`]; nothing after
//! this sees `cli`. Either side is a file in the workspace or
//! `git:REV:PATH` from its history, checked here.

use crate::cli::{self, DiffArgs, ReportFormat};
use crate::spec::Validation;
use crate::stages::Context;
use anyhow::{Result, bail};
use std::path::PathBuf;

/// What to print on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
    Annotations,
}

/// The lowest level of finding that fails the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Breaking,
    Warning,
    None,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Breaking => "breaking",
            FailOn::Warning => "warning",
            FailOn::None => "none",
        }
    }
}

/// What one diff run was asked to do.
#[derive(Debug)]
pub struct Request {
    /// The sides as the user wrote them (for messages and the report).
    pub base: String,
    pub revision: String,
    pub format: Format,
    pub fail_on: FailOn,
    pub ignore_file: Option<PathBuf>,
    pub max_spec_bytes: u64,
    pub validation: Validation,
    /// Findings become annotations (on a runner, or `--format annotations`).
    pub annotate: bool,
    /// Annotations are also emitted as workflow commands (on a runner,
    /// unless they are what stdout prints).
    pub emit_annotations: bool,
}

/// The stage's first step (see [`shape`](crate::stages::shape)): the raw
/// arguments and the run's context -> the validated request.
pub fn request(args: DiffArgs, ctx: &Context) -> Result<Request> {
    side(&args.base)?;
    side(&args.revision)?;
    let format = match args.format {
        ReportFormat::Markdown => Format::Markdown,
        ReportFormat::Json => Format::Json,
        ReportFormat::Annotations => Format::Annotations,
    };
    let on_runner = ctx.runtime.on_runner();
    Ok(Request {
        base: args.base,
        revision: args.revision,
        format,
        fail_on: match args.fail_on {
            cli::FailOn::Breaking => FailOn::Breaking,
            cli::FailOn::Warning => FailOn::Warning,
            cli::FailOn::None => FailOn::None,
        },
        ignore_file: args.ignore_file,
        max_spec_bytes: args.max_spec_bytes,
        validation: if args.strict {
            Validation::WarningsAreErrors
        } else {
            Validation::Lenient
        },
        annotate: on_runner || format == Format::Annotations,
        emit_annotations: on_runner && format != Format::Annotations,
    })
}

/// One side of the comparison as the user gave it.
pub enum Side<'a> {
    File(&'a str),
    Git { rev: &'a str, path: &'a str },
}

pub fn side(raw: &str) -> Result<Side<'_>> {
    match raw.strip_prefix("git:") {
        None => Ok(Side::File(raw)),
        Some(rest) => match rest.split_once(':') {
            Some((rev, path)) if !rev.is_empty() && !path.is_empty() => Ok(Side::Git { rev, path }),
            _ => bail!("{raw:?}: expected git:REV:PATH, for example git:origin/main:openapi.yaml"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_are_files_or_git_revisions() {
        assert!(matches!(
            side("openapi.yaml").unwrap(),
            Side::File("openapi.yaml")
        ));
        assert!(matches!(
            side("git:origin/main:api/openapi.yaml").unwrap(),
            Side::Git {
                rev: "origin/main",
                path: "api/openapi.yaml"
            }
        ));
        assert!(side("git:HEAD").is_err());
        assert!(side("git::a.yaml").is_err());
    }
}
