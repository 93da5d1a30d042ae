//! Loading specs for the SDK tests (through the shared corpus loader), and
//! golden-file comparison.

use crate::support::corpus;
use specrelay::spec::LoadedSpec;
use std::path::{Path, PathBuf};

pub use corpus::dir as corpus_dir;

/// Reads a root document and every file it refers to, then bundles,
/// validates and upgrades it; the first errors as one line on failure.
pub fn load(path: &Path) -> Result<LoadedSpec, String> {
    let path = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
    corpus::load(&path)
        .map(|(spec, _)| spec)
        .map_err(|problems| {
            problems
                .iter()
                .filter(|p| p.is_error())
                .take(3)
                .map(|p| format!("{}: {}", p.pointer, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        })
}

/// Root documents of the corpus, by manifest path.
pub fn corpus_roots(dir: &Path) -> Vec<String> {
    corpus::roots(dir)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sdk")
}

/// Compares generated files with `dir`; `UPDATE_GOLDEN=1` rewrites it.
pub fn assert_golden(dir: &Path, files: &[(String, String)]) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(dir);
        for (name, contents) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        }
        return;
    }
    let mut expected: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run with UPDATE_GOLDEN=1 to create)",
                dir.display()
            )
        })
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    expected.sort();
    let actual: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(actual, expected, "file list of {}", dir.display());
    for (name, contents) in files {
        let want = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(
            *contents == want,
            "{} differs from the golden file (UPDATE_GOLDEN=1 to accept)",
            dir.join(name).display()
        );
    }
}

/// The pinned tsc: `$TSC` (exported by scripts/test.sh) or the one
/// scripts/install-sdk-tools.sh installs under `.tools/sdk`.
pub fn tsc() -> PathBuf {
    if let Some(path) = std::env::var_os("TSC") {
        return PathBuf::from(path);
    }
    let installed = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/sdk/node_modules/.bin/tsc");
    assert!(
        installed.exists(),
        "tsc is missing: run scripts/install-sdk-tools.sh (the README's test command does)"
    );
    installed
}

/// Runs `tsc -p` in each folder (each holds a package, a consumer.ts and a
/// strict tsconfig.json), two at a time; returns the failures with their
/// first diagnostics.
pub fn tsc_projects(dirs: &[PathBuf]) -> Vec<String> {
    let tsc = tsc();
    let queue = std::sync::Mutex::new(dirs.to_vec());
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some(dir) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let out = std::process::Command::new(&tsc)
                        .args(["-p", "tsconfig.json"])
                        .current_dir(&dir)
                        .env("NODE_OPTIONS", "--max-old-space-size=4096")
                        .output()
                        .unwrap();
                    if !out.status.success() {
                        let log = String::from_utf8_lossy(&out.stdout);
                        let first: Vec<&str> = log.lines().take(8).collect();
                        failures.lock().unwrap().push(format!(
                            "{}:\n{}",
                            dir.display(),
                            first.join("\n")
                        ));
                    }
                }
            });
        }
    });
    failures.into_inner().unwrap()
}
