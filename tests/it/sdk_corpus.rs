//! Every root spec under `small/` and `big/` of the shared corpus, read the
//! way `generate` reads it (the one validation policy, `Validation::Tolerant`:
//! survivable defects are warnings with a fallback), generated in both
//! languages with the spec's own version, and type-checked strictly: each
//! TypeScript package with `tsc --strict` (plus noUncheckedIndexedAccess and
//! exactOptionalPropertyTypes) and a consumer, two `tsc` at a time on the
//! machine's two cores (each under a deadline); all Python packages with their consumers in one
//! `mypy --strict` run. Prints the compile table (spec, ts ok, py ok).
//!
//! Without the corpus the test says SKIPPED and checks nothing, and fails
//! when `CI=true` (CI must have the corpus). Every tool run has a deadline.

use crate::sdk_support::{corpus_roots, mypy, tsc_projects};
use crate::support::command::run_bounded;
use crate::support::corpus;
use specrelay::sdk::{self, Language, naming, python, typescript};
use specrelay::spec::Validation;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The one mypy run over every package.
const MYPY_DEADLINE: Duration = Duration::from_secs(1500);

/// What happened to one spec.
#[derive(Default)]
struct Row {
    ts_dir: Option<PathBuf>,
    py_import: Option<String>,
    /// Why it did not generate (load or render error).
    failed: Option<String>,
    warnings: usize,
    ts_ok: bool,
    py_ok: bool,
}

fn corpus_or_skip() -> Option<PathBuf> {
    // A registered skip, and a failure with CI=true (support::skip).
    corpus::dir()
}

/// Generates both SDKs of `root` under `out`: `ts/<n>/` (with a consumer
/// and a strict tsconfig) and the Python package `corpus_<n>` (with
/// `consumer_corpus_<n>.py`).
fn generate(dir: &Path, root: &str, index: usize, out: &Path) -> Row {
    let spec = match corpus::load_with(&dir.join(root), Validation::Tolerant) {
        Ok((spec, _)) => spec,
        Err(problems) => {
            let first: Vec<String> = problems
                .iter()
                .filter(|p| p.is_error())
                .take(3)
                .map(ToString::to_string)
                .collect();
            return Row {
                failed: Some(format!("load: {}", first.join("; "))),
                ..Row::default()
            };
        }
    };
    let mut row = Row {
        warnings: spec.warnings.len(),
        ..Row::default()
    };
    let ts = sdk::lower(&spec.upgraded, Language::TypeScript);
    let options = typescript::TsOptions {
        package_name: naming::npm_package_name(&ts.name),
        package_version: ts.version.clone(),
    };
    match typescript::render(&ts, &options, &typescript::builtin_environment()) {
        Ok(files) => {
            let ts_dir = out.join("ts").join(format!("{index:02}"));
            crate::sdk_typescript::write_package(&ts_dir, &files);
            crate::sdk_typescript::write_package_extra(
                &ts_dir,
                &crate::sdk_typescript::consumer_files(&ts),
            );
            row.ts_dir = Some(ts_dir);
        }
        Err(e) => row.failed = Some(format!("typescript: {e}")),
    }
    let py = sdk::lower(&spec.upgraded, Language::Python);
    let options = python::PyOptions {
        package_name: format!("corpus-{index:02}"),
        package_version: specrelay::pep440::from_any(&py.version),
    };
    match python::render(&py, &options, &python::builtin_environment()) {
        Ok(files) => {
            let import = crate::sdk_python::import_name(&files);
            let package: Vec<(String, String)> = files
                .into_iter()
                .filter(|(n, _)| n.starts_with(&format!("{import}/")))
                .collect();
            let py_dir = out.join("py");
            crate::sdk_python::write_tree(&py_dir, &package);
            std::fs::write(
                py_dir.join(format!("consumer_{import}.py")),
                crate::sdk_python::consumer(&py, &import),
            )
            .unwrap();
            row.py_import = Some(import);
        }
        Err(e) => row.failed = Some(format!("python: {e}")),
    }
    row
}

/// One `mypy --strict` over every package and consumer; the report.
fn mypy_all(dir: &Path, imports: &[String]) -> (bool, String) {
    let mut cmd = std::process::Command::new(mypy());
    cmd.current_dir(dir)
        .args(["--strict", "--python-version", "3.9", "--no-error-summary"])
        .arg("--cache-dir")
        .arg(dir.join(".mypy_cache"));
    for p in imports {
        cmd.args(["-p", p]).args(["-m", &format!("consumer_{p}")]);
    }
    let out = run_bounded(&mut cmd, MYPY_DEADLINE);
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), report)
}

#[test]
fn every_small_and_big_corpus_spec_compiles_in_both_languages() {
    let Some(dir) = corpus_or_skip() else { return };
    let roots: Vec<(usize, String)> = corpus_roots(&dir)
        .into_iter()
        .filter(|r| r.starts_with("small/") || r.starts_with("big/"))
        .enumerate()
        .collect();
    assert!(
        roots.len() >= 40,
        "only {} roots in small/ and big/",
        roots.len()
    );
    let temp = tempfile::tempdir().unwrap();
    let out = std::env::var_os("SDK_CORPUS_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(out.join("py")).unwrap();

    let started = Instant::now();
    let queue = std::sync::Mutex::new(roots.clone());
    let rows = std::sync::Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some((index, root)) = queue.lock().unwrap().pop() {
                    let row = generate(&dir, &root, index, &out);
                    rows.lock().unwrap().insert(index, row);
                }
            });
        }
    });
    let mut rows = rows.into_inner().unwrap();
    println!("generated {} specs in {:?}", rows.len(), started.elapsed());

    let started = Instant::now();
    let ts_dirs: Vec<PathBuf> = rows.values().filter_map(|r| r.ts_dir.clone()).collect();
    let tsc_failures = tsc_projects(&ts_dirs);
    for row in rows.values_mut() {
        row.ts_ok = row.ts_dir.as_ref().is_some_and(|d| {
            let name = format!("{}:", d.display());
            !tsc_failures.iter().any(|f| f.starts_with(&name))
        });
    }
    println!("tsc: {} packages in {:?}", ts_dirs.len(), started.elapsed());

    let started = Instant::now();
    let imports: Vec<String> = rows.values().filter_map(|r| r.py_import.clone()).collect();
    let (mypy_ok, report) = mypy_all(&out.join("py"), &imports);
    for row in rows.values_mut() {
        row.py_ok = row.py_import.as_ref().is_some_and(|p| {
            mypy_ok
                || !report.lines().any(|l| {
                    l.starts_with(&format!("{p}/")) || l.starts_with(&format!("consumer_{p}.py"))
                })
        });
    }
    println!(
        "mypy: {} packages in {:?} (one process)",
        imports.len(),
        started.elapsed()
    );

    println!("\n| spec | warnings | ts ok | py ok |\n| --- | ---: | --- | --- |");
    for (index, root) in &roots {
        let row = &rows[index];
        let yes = |ok: bool| if ok { "yes" } else { "NO" };
        println!(
            "| {root} | {} | {} | {} |",
            row.warnings,
            yes(row.ts_ok),
            yes(row.py_ok)
        );
    }
    let ts = rows.values().filter(|r| r.ts_ok).count();
    let py = rows.values().filter(|r| r.py_ok).count();
    println!("\ntypescript {ts}/{n}, python {py}/{n}", n = rows.len());

    let mut problems: Vec<String> = roots
        .iter()
        .filter_map(|(i, root)| rows[i].failed.as_ref().map(|f| format!("{root}: {f}")))
        .collect();
    problems.extend(tsc_failures);
    if !mypy_ok {
        problems.push(format!(
            "mypy --strict:\n{}",
            report.lines().take(40).collect::<Vec<_>>().join("\n")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert_eq!((ts, py), (rows.len(), rows.len()));
}
