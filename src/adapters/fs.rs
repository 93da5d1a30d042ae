//! Files in the user's repository: reads with a size cap, and all-or-nothing
//! writes (each file written to a temporary sibling, then renamed into place;
//! if any step fails, the files already replaced are put back).

use anyhow::{Context, Result, bail};
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
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
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

/// A set of whole-file writes that land together or not at all.
#[derive(Debug, Default)]
pub struct AtomicWrites {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl AtomicWrites {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn write(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.files.push((path.into(), contents.into()));
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Writes every file. On error, nothing of this set is left behind: new
    /// files are removed, replaced ones restored, temporary files deleted.
    pub fn commit(self) -> Result<()> {
        let mut staged = Vec::new();
        for (path, contents) in &self.files {
            match stage(path, contents) {
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
/// the rename is atomic), creating parent folders.
fn stage(path: &Path, contents: &[u8]) -> Result<tempfile::NamedTempFile> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs_err::create_dir_all(parent)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".specrelay-")
        .suffix(".tmp")
        .permissions(readable_by_everyone())
        .tempfile_in(parent)
        .with_context(|| format!("creating a temporary file in {}", parent.display()))?;
    temp.write_all(contents)
        .and_then(|_| temp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(temp)
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
        writes.write(dir.path().join("a/b.json"), "1");
        writes.write(dir.path().join("c.json"), "2");
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
        writes.write(dir.path().join("keep.json"), "new");
        writes.write(dir.path().join("blocked.json"), "nope");
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
        writes.write(dir.path().join("a.json"), "1");
        writes.commit().unwrap();
        let mode = std::fs::metadata(dir.path().join("a.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
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
