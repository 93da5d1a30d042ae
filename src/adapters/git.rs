//! Reading files from the workspace's git history (`git:REV:PATH` sources of
//! the `diff` stage), through the `git` command. Reads only; never changes
//! the repository.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// A file as it is at `rev`: `git cat-file blob REV:PATH`, exact bytes.
pub fn read_at(workspace: &Path, rev: &str, path: &str, limit: u64) -> Result<Vec<u8>> {
    // A revision or path starting with `-` would be read as an option.
    if rev.is_empty() || rev.starts_with('-') || path.starts_with('-') {
        bail!(
            "git:{rev}:{path} is not a revision and path (use git:REV:PATH, e.g. git:origin/main:openapi.yaml)"
        );
    }
    let object = format!("{rev}:{}", path.trim_start_matches("./"));
    let output = Command::new("git")
        .arg("-C")
        .arg(workspace)
        .args(["cat-file", "blob", &object])
        .output()
        .context("running git (needed for git:REV:PATH sources); is git installed?")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "git cannot read {object} in {}: {}{}",
            workspace.display(),
            stderr.trim(),
            if stderr.contains("invalid object name") || stderr.contains("Not a valid object name")
            {
                " (in GitHub Actions, check out with `fetch-depth: 0` so older commits are present)"
            } else {
                ""
            }
        );
    }
    if output.stdout.len() as u64 > limit {
        bail!(
            "{object} is {} bytes, larger than the limit of {limit} bytes",
            output.stdout.len()
        );
    }
    Ok(output.stdout)
}
