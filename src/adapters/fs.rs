//! Files in the user's repository: reads with a size cap, and all-or-nothing
//! writes (each file written to a temporary sibling, then renamed into place;
//! if any step fails, the files already replaced are put back).
//!
//! A process killed between writing a temporary and renaming it leaves the
//! temporary behind, where `git add openapi` would pick it up. Temporaries
//! are named `.specrelay-<pid>-<random>.tmp`; every commit first removes
//! those of dead processes beside its targets, and
//! [`remove_stale_temporaries`] clears a whole tree (ingest runs it on
//! `openapi/` under the history lock).

use anyhow::{Context, Result, bail};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Reads a whole file, refusing one larger than `limit` bytes.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let file = fs_err::File::open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        bail!(
            "{} is {size} bytes, larger than max_spec_bytes ({limit} bytes)",
            path.display()
        );
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        bail!(
            "{} grew past max_spec_bytes ({limit} bytes) while being read",
            path.display()
        );
    }
    Ok(bytes)
}

/// Reads a file if it exists.
/// The names of the entries of a folder, sorted; `None` when there is no
/// such folder.
pub fn list_dir(dir: &Path) -> Result<Option<Vec<String>>> {
    let entries = match fs_err::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut names = Vec::new();
    for entry in entries {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(Some(names))
}

pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Removes `relative` inside `dir`, refusing a path that leads outside it.
pub fn remove_inside(dir: &Path, relative: &str) -> Result<()> {
    let full = dir.join(relative);
    if !full.starts_with(dir)
        || Path::new(relative).components().any(|c| {
            matches!(
                c,
                std::path::Component::ParentDir | std::path::Component::RootDir
            )
        })
    {
        bail!(
            "refusing to remove {} outside {}",
            full.display(),
            dir.display()
        );
    }
    fs_err::remove_file(&full)?;
    Ok(())
}

/// Every file under `dir`, keyed by its `/`-separated path relative to `dir`:
/// user overrides for the built-in templates.
pub fn read_tree(dir: &Path) -> Result<BTreeMap<String, String>> {
    read_tree_except(dir, |_| false)
}

/// [`read_tree`] without the files and folders whose relative path `skip`
/// accepts (a skipped folder is not entered).
pub fn read_tree_except(
    dir: &Path,
    skip: impl Fn(&str) -> bool,
) -> Result<BTreeMap<String, String>> {
    read_tree_bytes_except(dir, skip)?
        .into_iter()
        .map(|(relative, bytes)| {
            let text = String::from_utf8(bytes)
                .with_context(|| format!("{} is not UTF-8", dir.join(&relative).display()))?;
            Ok((relative, text))
        })
        .collect()
}

/// Every file under `dir` as bytes, keyed like [`read_tree`]: a package
/// folder for the publish stage's builders.
pub fn read_tree_bytes(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    read_tree_bytes_except(dir, |_| false)
}

fn read_tree_bytes_except(
    dir: &Path,
    skip: impl Fn(&str) -> bool,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs_err::read_dir(&current)? {
            let path = entry?.path();
            let relative = path
                .strip_prefix(dir)
                .expect("walked from dir")
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if skip(&relative) {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            files.insert(relative, fs_err::read(&path)?);
        }
    }
    Ok(files)
}

/// A set of whole-file writes that land together or not at all. Contents
/// may be borrowed: an SDK is megabytes, and copying it only to write it
/// costs as much as the write.
#[derive(Debug)]
pub struct AtomicWrites<'a> {
    files: Vec<(PathBuf, Cow<'a, [u8]>)>,
    /// Flush each file to disk before it replaces the old one.
    durable: bool,
}

impl Default for AtomicWrites<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> AtomicWrites<'a> {
    /// Writes that survive a machine crash as well as a failed run.
    pub fn new() -> Self {
        AtomicWrites {
            files: Vec::new(),
            durable: true,
        }
    }

    /// Writes of output that can be regenerated byte for byte (SDKs): still
    /// all or nothing when a run fails, but not flushed to disk first, so a
    /// machine crash may lose them (run again). The flushes were most of the
    /// time of writing an SDK.
    pub fn reproducible() -> Self {
        AtomicWrites {
            files: Vec::new(),
            durable: false,
        }
    }

    pub fn write(&mut self, path: impl Into<PathBuf>, contents: impl Into<Cow<'a, [u8]>>) {
        self.files.push((path.into(), contents.into()));
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Writes every file. On error, nothing of this set is left behind: new
    /// files are removed, replaced ones restored, temporary files deleted.
    pub fn commit(self) -> Result<()> {
        let mut cleaned = std::collections::BTreeSet::new();
        for (path, _) in &self.files {
            if let Some(parent) = path.parent().filter(|p| cleaned.insert(p.to_path_buf())) {
                remove_stale_in(parent);
            }
        }
        let mut staged = Vec::new();
        for (path, contents) in &self.files {
            match stage(path, contents, self.durable) {
                Ok(temp) => staged.push((path.clone(), temp)),
                Err(e) => return Err(e), // dropping `staged` deletes the temporaries
            }
        }
        // Remember what each rename will replace before the first one runs, so
        // that a failure at any point can be undone.
        let mut previous = Vec::new();
        for (path, _) in &staged {
            previous.push(read_optional(path)?);
        }
        let mut done: Vec<(PathBuf, Option<Vec<u8>>)> = Vec::new();
        for ((path, temp), before) in staged.into_iter().zip(previous) {
            if let Err(e) = temp.persist(&path) {
                rollback(done);
                return Err(e.error).with_context(|| format!("replacing {}", path.display()));
            }
            done.push((path, before));
        }
        Ok(())
    }
}

/// Writes `contents` to a temporary file next to `path` (same filesystem, so
/// the rename is atomic), creating parent folders; flushed to disk when
/// `durable`.
fn stage(path: &Path, contents: &[u8], durable: bool) -> Result<tempfile::NamedTempFile> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs_err::create_dir_all(parent)?;
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .permissions(readable_by_everyone())
        .tempfile_in(parent)
        .with_context(|| format!("creating a temporary file in {}", parent.display()))?;
    temp.write_all(contents)
        .and_then(|_| match durable {
            true => temp.as_file().sync_all(),
            false => Ok(()),
        })
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(temp)
}

const TEMP_PREFIX: &str = ".specrelay-";
const TEMP_SUFFIX: &str = ".tmp";
/// A temporary without a process id (written by an older version) is
/// stale once it is this old: no write takes that long.
const LEGACY_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes, under `dir` and its subfolders, the temporaries that processes
/// which no longer run left behind; returns how many. Symbolic links are
/// not followed.
pub fn remove_stale_temporaries(dir: &Path) -> Result<usize> {
    let mut removed = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        removed += remove_stale_in(&current);
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(entry.path());
            }
        }
    }
    Ok(removed)
}

/// [`remove_stale_temporaries`] for one folder, not its subfolders. Best
/// effort: a folder that cannot be read has nothing to clean.
fn remove_stale_in(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if is_stale_temporary(name, || entry.metadata().ok()?.modified().ok())
            && std::fs::remove_file(entry.path()).is_ok()
        {
            tracing::info!(
                "removed {}, left by an interrupted run",
                entry.path().display()
            );
            removed += 1;
        }
    }
    removed
}

/// Is `name` one of our temporaries whose writer is gone?
fn is_stale_temporary(name: &str, modified: impl Fn() -> Option<std::time::SystemTime>) -> bool {
    let Some(middle) = name
        .strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
    else {
        return false;
    };
    let old = || {
        modified()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > LEGACY_TEMP_AGE)
    };
    match middle
        .split_once('-')
        .and_then(|(pid, _)| pid.parse::<u32>().ok())
    {
        Some(pid) if pid == std::process::id() => false,
        Some(pid) => !process_runs(pid, old),
        None => old(),
    }
}

/// Whether process `pid` still runs. Where `/proc` is missing, a writer is
/// presumed gone once its file is old.
fn process_runs(pid: u32, old: impl Fn() -> bool) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        proc.join(pid.to_string()).exists()
    } else {
        !old()
    }
}

/// Temporary files are private (0600) by default; the files we store must be
/// readable by later steps of the job, which may run as another user than the
/// action's container.
#[cfg(unix)]
fn readable_by_everyone() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o644)
}

#[cfg(not(unix))]
fn readable_by_everyone() -> std::fs::Permissions {
    std::fs::metadata(".")
        .map(|m| m.permissions())
        .unwrap_or_else(|_| unreachable!())
}

/// Best effort: put back what was there before this set started replacing files.
fn rollback(done: Vec<(PathBuf, Option<Vec<u8>>)>) {
    for (path, previous) in done.into_iter().rev() {
        let restored = match previous {
            Some(bytes) => std::fs::write(&path, bytes),
            None => std::fs::remove_file(&path),
        };
        if let Err(e) = restored {
            tracing::error!(
                "could not restore {} after a failed write: {e}",
                path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_land_together() {
        let dir = tempfile::tempdir().unwrap();
        let mut writes = AtomicWrites::new();
        writes.write(dir.path().join("a/b.json"), b"1");
        writes.write(dir.path().join("c.json"), b"2");
        writes.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/b.json")).unwrap(),
            "1"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("c.json")).unwrap(),
            "2"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.json"), "old").unwrap();
        // A folder where the second file should go makes its rename fail.
        std::fs::create_dir(dir.path().join("blocked.json")).unwrap();
        std::fs::write(dir.path().join("blocked.json/x"), "").unwrap();
        let mut writes = AtomicWrites::new();
        writes.write(dir.path().join("keep.json"), b"new");
        writes.write(dir.path().join("blocked.json"), b"nope");
        assert!(writes.commit().is_err());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("keep.json")).unwrap(),
            "old"
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn stored_files_are_world_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut writes = AtomicWrites::new();
        writes.write(dir.path().join("a.json"), b"1");
        writes.commit().unwrap();
        let mode = std::fs::metadata(dir.path().join("a.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn temporaries_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("openapi/history");
        std::fs::create_dir_all(&nested).unwrap();
        // A process id that cannot run: above the kernel's pid_max.
        let dead = nested.join(".specrelay-4294967295-abc123.tmp");
        let alive = nested.join(format!(".specrelay-{}-def456.tmp", std::process::id()));
        let fresh_legacy = nested.join(".specrelay-XyZ12.tmp");
        let other = nested.join("openapi-1.0.0.json");
        for path in [&dead, &alive, &fresh_legacy, &other] {
            std::fs::write(path, "x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(dir.path()).unwrap(), 1);
        assert!(!dead.exists());
        assert!(alive.exists() && fresh_legacy.exists() && other.exists());
        // A commit cleans beside its targets too.
        std::fs::write(&dead, "x").unwrap();
        let mut writes = AtomicWrites::new();
        writes.write(nested.join("b.json"), b"1");
        writes.commit().unwrap();
        assert!(!dead.exists());
    }

    #[test]
    fn capped_reads_refuse_big_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'x'; 11]).unwrap();
        assert!(read_capped(&path, 10).is_err());
        assert_eq!(read_capped(&path, 11).unwrap().len(), 11);
    }
}
