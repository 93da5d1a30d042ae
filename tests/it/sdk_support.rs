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
    if !dir.is_dir() {
        panic!(
            "{}: no golden files (run with UPDATE_GOLDEN=1 to create)",
            dir.display()
        );
    }
    let mut expected = relative_files(dir, dir);
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

/// Every file under `dir`, as `/`-separated paths relative to `root`.
fn relative_files(root: &Path, dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(relative_files(root, &path));
        } else {
            let relative = path.strip_prefix(root).unwrap();
            out.push(
                relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
    }
    out
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

/// One `tsc` run on the largest corpus package (GitHub's) takes well under
/// this, even on a loaded machine.
const TSC_DEADLINE: std::time::Duration = std::time::Duration::from_secs(600);

/// Runs `tsc -p` in each folder (each holds a package, a consumer.ts and a
/// strict tsconfig.json), two at a time, each under a deadline; returns the
/// failures, each starting with its folder, with their first diagnostics.
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
                    let mut cmd = std::process::Command::new(&tsc);
                    cmd.args(["-p", "tsconfig.json"])
                        .current_dir(&dir)
                        .env("NODE_OPTIONS", "--max-old-space-size=4096");
                    let out = crate::support::command::run_bounded(&mut cmd, TSC_DEADLINE);
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

/// A tool from the environment `scripts/install-python-tools.sh` makes:
/// `$NAME` (exported by scripts/test.sh) or `.tools/python/bin/<file>`.
fn python_tool(var: &str, file: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(var) {
        return PathBuf::from(path);
    }
    let installed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".tools/python/bin")
        .join(file);
    assert!(
        installed.exists(),
        "{file} is missing: run scripts/install-python-tools.sh (the README's test command does)"
    );
    installed
}

/// The pinned mypy.
pub fn mypy() -> PathBuf {
    python_tool("MYPY", "mypy")
}

/// The Python of the pinned tools' environment (it has httpx and pytest).
pub fn python() -> PathBuf {
    python_tool("PYTHON", "python")
}

/// Runs one `mypy --strict` (for Python 3.9) in `dir` over the packages
/// and modules given, with its cache inside `dir`; `Err` holds its report.
pub fn mypy_strict(dir: &Path, packages: &[String], modules: &[String]) -> Result<String, String> {
    let mut cmd = std::process::Command::new(mypy());
    cmd.current_dir(dir)
        .args(["--strict", "--python-version", "3.9", "--no-error-summary"])
        .arg("--cache-dir")
        .arg(dir.join(".mypy_cache"));
    for p in packages {
        cmd.args(["-p", p]);
    }
    for m in modules {
        cmd.args(["-m", m]);
    }
    let out = cmd.output().unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        Ok(report)
    } else {
        Err(report)
    }
}

/// Runs `code` with the tools' Python in `dir` (which is on `sys.path`);
/// returns its stdout, or its stderr as the error.
pub fn run_python(dir: &Path, code: &str) -> Result<String, String> {
    let out = std::process::Command::new(python())
        .current_dir(dir)
        .args(["-X", "utf8", "-c", code])
        .env("PYTHONPATH", dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
