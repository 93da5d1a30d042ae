//! The ignore file (`.specrelay-ignore`, or input `ignore_file`): findings
//! accepted with a reason. `diff` and `ingest` both apply it, so it lives
//! here rather than in either stage.

use crate::adapters::fs;
use crate::diff::ignore::IgnoreList;
use anyhow::{Context as _, Result};
use std::path::Path;

/// The ignore file read when no `ignore_file` is given, if it exists.
pub const DEFAULT_IGNORE_FILE: &str = ".specrelay-ignore";

/// The ignore list: `ignore_file` (which must exist) or `.specrelay-ignore`
/// in `workspace` (if it exists).
pub fn ignore_list(workspace: &Path, ignore_file: Option<&Path>) -> Result<IgnoreList> {
    let (path, required) = match ignore_file {
        Some(path) => (workspace.join(path), true),
        None => (workspace.join(DEFAULT_IGNORE_FILE), false),
    };
    let bytes =
        match fs::read_optional(&path).context("reading the ignore file (input `ignore_file`)")? {
            Some(bytes) => bytes,
            None if !required => return Ok(IgnoreList::default()),
            None => anyhow::bail!(
                "reading the ignore file (input `ignore_file`): {} does not exist",
                path.display()
            ),
        };
    let text = String::from_utf8(bytes)
        .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
    IgnoreList::parse(&text)
        .with_context(|| format!("{} is not a valid ignore file", path.display()))
}
