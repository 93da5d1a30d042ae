//! The spec history in the workspace (`openapi/` by default): the stored
//! versions under `history/` and `latest.json`, which says which one is
//! current. Every stage that reads the history reads it here, so the file
//! names and the error a damaged `latest.json` gives are decided once.
//!
//! Runs that write the history take [`History::lock`], an advisory
//! `flock(2)` on the history folder itself (no lock file for `git add` to
//! pick up), and read the state again under it: two ingests started
//! together then end as if run one after another.

use super::fs;
use crate::layout::{LatestRecord, Layout};
use anyhow::{Context as _, Result};
use semver::Version;
use std::path::{Path, PathBuf};

/// The history lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct HistoryLock {
    _folder: std::fs::File,
}

#[cfg(unix)]
fn lock_exclusive(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    loop {
        // SAFETY: flock on a file descriptor this process owns for the call.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

#[cfg(not(unix))]
fn lock_exclusive(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// The history folder of one workspace.
#[derive(Debug, Clone)]
pub struct History {
    workspace: PathBuf,
    layout: Layout,
}

impl History {
    /// The history under `layout`'s root, relative to `workspace`.
    pub fn new(workspace: &Path, layout: Layout) -> History {
        History {
            workspace: workspace.to_path_buf(),
            layout,
        }
    }

    /// Waits for, and takes, the exclusive lock on the history folder
    /// (created if missing); held until the guard is dropped or the process
    /// ends. Temporaries that killed runs left in the folder are removed
    /// under it.
    pub fn lock(&self) -> Result<HistoryLock> {
        let dir = self.workspace.join(self.layout.root());
        fs_err::create_dir_all(&dir)?;
        let folder = std::fs::File::open(&dir)
            .with_context(|| format!("opening {} to lock it", dir.display()))?;
        lock_exclusive(&folder).with_context(|| format!("locking {}", dir.display()))?;
        let removed = fs::remove_stale_temporaries(&dir)?;
        if removed > 0 {
            tracing::info!("removed {removed} temporary file(s) left by interrupted runs");
        }
        Ok(HistoryLock { _folder: folder })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// `latest.json`, as a path in the workspace (for messages).
    pub fn latest_path(&self) -> PathBuf {
        self.workspace.join(self.layout.latest_file())
    }

    /// What `latest.json` says, or `None` when there is none yet.
    pub fn latest(&self) -> Result<Option<LatestRecord>> {
        read_json(
            &self.latest_path(),
            "is not a latest.json that specrelay wrote; fix or remove it",
        )
    }

    /// Every version stored under `history/`, oldest first.
    pub fn versions(&self) -> Result<Vec<Version>> {
        let dir = self.workspace.join(self.layout.history_dir());
        let mut versions = Vec::new();
        if dir.is_dir() {
            for entry in fs_err::read_dir(&dir)? {
                let name = entry?.file_name();
                if let Some(v) = name.to_str().and_then(Layout::version_of_history_file) {
                    versions.push(v);
                }
            }
            versions.sort();
        }
        Ok(versions)
    }

    /// The stored file of `version`, byte for byte, if there is one.
    pub fn stored(&self, version: &Version) -> Result<Option<Vec<u8>>> {
        fs::read_optional(&self.workspace.join(self.layout.history_file(version)))
    }

    /// The stored file of `version` as JSON (stored specs are bundled
    /// canonical JSON), if there is one.
    pub fn stored_document(&self, version: &Version) -> Result<Option<serde_json::Value>> {
        read_json(
            &self.workspace.join(self.layout.history_file(version)),
            "is not valid JSON; restore it from git history",
        )
    }
}

/// The JSON file at `path`, or `None` when there is none; a file that does
/// not decode is an error that names it, then says `what_is_wrong`.
fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what_is_wrong: &str,
) -> Result<Option<T>> {
    let Some(bytes) = fs::read_optional(path)? else {
        return Ok(None);
    };
    let value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} {what_is_wrong}", path.display()))?;
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_latest_and_stored_files() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::new(dir.path(), Layout::new("openapi"));
        assert!(history.latest().unwrap().is_none());
        assert!(history.versions().unwrap().is_empty());
        let v = |s| Version::parse(s).unwrap();
        let mut writes = fs::AtomicWrites::new();
        writes.write(
            dir.path().join("openapi/history/openapi-1.2.0.json"),
            &b"{\"a\":1}"[..],
        );
        writes.write(
            dir.path().join("openapi/history/openapi-1.10.0.json"),
            &b"{}"[..],
        );
        writes.write(dir.path().join("openapi/latest.json"), &b"not json"[..]);
        writes.commit().unwrap();
        assert_eq!(history.versions().unwrap(), vec![v("1.2.0"), v("1.10.0")]);
        assert_eq!(
            history.stored_document(&v("1.2.0")).unwrap(),
            Some(serde_json::json!({"a": 1}))
        );
        assert_eq!(history.stored(&v("2.0.0")).unwrap(), None);
        let err = history.latest().unwrap_err().to_string();
        assert!(
            err.contains("is not a latest.json that specrelay wrote"),
            "{err}"
        );
    }
}
