//! Walks a source tree in parallel with ripgrep's walker (the `ignore`
//! crate): only files matching the given globs and extensions, honouring
//! `.gitignore`, `.ignore` and git's exclude files (even outside a git
//! checkout), skipping hidden files. Symbolic links are followed, and a link
//! back to an ancestor folder is reported instead of walked forever.
//!
//! Each file is read whole (up to a size cap) and handed to `visit` on the
//! walker's thread, so reading and scanning overlap across cores.

use anyhow::{Context, Result};
use ignore::gitignore::GitignoreBuilder;
use ignore::{WalkBuilder, WalkState};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub root: PathBuf,
    /// gitignore-style globs relative to `root` (`src/**/*.tsx`); empty: everything.
    pub globs: Vec<String>,
    /// File name extensions to read, without the dot, lower-case.
    pub extensions: Vec<String>,
    /// Larger files are reported, not read.
    pub max_file_bytes: u64,
    /// Walker threads; 0 picks from the available cores.
    pub threads: usize,
}

/// One file the walk reached.
#[derive(Debug)]
pub enum FileRead<T> {
    Visited(T),
    TooLarge(u64),
    Unreadable(String),
}

/// The walk's result: files by workspace-relative path (sorted), and the
/// problems the walk met (symlink loops, unreadable folders).
#[derive(Debug)]
pub struct Walked<T> {
    pub files: Vec<(String, FileRead<T>)>,
    pub problems: Vec<(Option<String>, String)>,
}

/// Walks `options.root`, calling `visit` with the bytes of every matching file.
pub fn read_tree<T: Send>(
    options: &WalkOptions,
    visit: impl Fn(&[u8]) -> T + Sync,
) -> Result<Walked<T>> {
    // The globs select files as gitignore lines would (`*.tsx` anywhere,
    // `src/**` below src, `!` to exclude). They are a filter, not the
    // walker's overrides: overrides would win over .gitignore.
    let mut selection = GitignoreBuilder::new(&options.root);
    for glob in &options.globs {
        selection
            .add_line(None, glob)
            .with_context(|| format!("invalid glob {glob:?} in `paths`"))?;
    }
    let selection = selection.build().context("building the `paths` globs")?;
    let select_all = options.globs.is_empty();
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get().min(8))
    } else {
        options.threads
    };
    let walker = WalkBuilder::new(&options.root)
        .follow_links(true)
        .require_git(false)
        .threads(threads)
        .build_parallel();
    let files = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    let root = options.root.as_path();
    walker.run(|| {
        let (files, problems, visit, selection) = (&files, &problems, &visit, &selection);
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let message = e.to_string().replace(&format!("{}/", root.display()), "");
                    problems.lock().expect("not poisoned").push((None, message));
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file())
                || !wanted(entry.path(), &options.extensions)
            {
                return WalkState::Continue;
            }
            if !select_all
                && !selection
                    .matched_path_or_any_parents(entry.path(), false)
                    .is_ignore()
            {
                return WalkState::Continue;
            }
            let relative = relative(root, entry.path());
            let read = read_one(entry.path(), options.max_file_bytes, visit);
            files.lock().expect("not poisoned").push((relative, read));
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().expect("not poisoned");
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut problems = problems.into_inner().expect("not poisoned");
    problems.sort();
    Ok(Walked { files, problems })
}

fn wanted(path: &Path, extensions: &[String]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

fn relative(root: &Path, path: &Path) -> String {
    crate::layout::display_path(path.strip_prefix(root).unwrap_or(path))
}

fn read_one<T>(path: &Path, limit: u64, visit: &impl Fn(&[u8]) -> T) -> FileRead<T> {
    thread_local! {
        // One buffer per walker thread, reused: a source tree is mostly
        // small files, and an allocation per file shows in the profile.
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|bytes| {
        bytes.clear();
        let mut read = || -> std::io::Result<Option<u64>> {
            let file = std::fs::File::open(path)?;
            let size = file.metadata()?.len();
            if size > limit {
                return Ok(Some(size));
            }
            file.take(limit + 1).read_to_end(bytes)?;
            Ok((bytes.len() as u64 > limit).then_some(bytes.len() as u64))
        };
        let outcome = match read() {
            Ok(None) => FileRead::Visited(visit(bytes)),
            Ok(Some(size)) => FileRead::TooLarge(size),
            Err(e) => FileRead::Unreadable(e.to_string()),
        };
        // A huge file must not pin its buffer for the rest of the walk.
        if bytes.capacity() > 1 << 20 {
            *bytes = Vec::new();
        }
        outcome
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_extensions_gitignore_and_loops() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/gen")).unwrap();
        std::fs::write(root.join(".gitignore"), "gen/\n").unwrap();
        std::fs::write(root.join("src/a.tsx"), "a").unwrap();
        std::fs::write(root.join("src/b.rs"), "b").unwrap();
        std::fs::write(root.join("src/gen/c.tsx"), "c").unwrap();
        std::fs::write(root.join("big.html"), "x".repeat(100)).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("src"), root.join("src/loop")).unwrap();
        let options = WalkOptions {
            root: root.to_path_buf(),
            globs: vec![],
            extensions: vec!["tsx".into(), "html".into()],
            max_file_bytes: 10,
            threads: 2,
        };
        let walked = read_tree(&options, |bytes| bytes.len()).unwrap();
        let names: Vec<&str> = walked.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["big.html", "src/a.tsx"]);
        assert!(matches!(walked.files[0].1, FileRead::TooLarge(100)));
        #[cfg(unix)]
        assert!(
            walked.problems.iter().any(|(_, m)| m.contains("loop")),
            "{:?}",
            walked.problems
        );
        let only_src = WalkOptions {
            globs: vec!["src/**".into()],
            ..options
        };
        let walked = read_tree(&only_src, |bytes| bytes.len()).unwrap();
        let names: Vec<&str> = walked.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["src/a.tsx"]);
    }
}
