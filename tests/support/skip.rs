//! Tests that could not check anything must not pass as if they had.
//!
//! A test whose input is missing calls [`missing`] (or [`unsupported`]) and
//! returns. Locally that is a skip: a `SKIPPED:` line on stderr, and a line
//! in the skip registry, the file `$SPECRELAY_SKIP_LOG` names.
//! `scripts/test.sh` sets that variable, then moves the registered tests
//! from libtest's "passed" count to "skipped" in the line it prints
//! (`specrelay tests: N passed, M skipped: <names>`); libtest itself has no
//! "skipped" result.
//!
//! [`missing`] is for inputs CI must have (the real-world corpus, the
//! static binary `scripts/test.sh` builds): with `CI=true` it fails the test
//! instead. [`unsupported`] is for what a machine may lack however it is set
//! up (a way to enter a chroot): a skip even in CI, still counted as one.
//!
//! For the corpus, [`crate::support::corpus::dir`] already calls [`missing`].
//! So does the Mermaid checker ([`crate::support::mermaid`]): a test whose
//! diagrams could not be parsed counts as skipped, though it checks the rest.

use std::io::Write;

/// The variable naming the registry file (one `test<TAB>reason` line per skip).
pub const SKIP_LOG: &str = "SPECRELAY_SKIP_LOG";

/// Records that the running test could not check what it is for because
/// an input CI must provide is absent; panics instead when `CI=true`. The
/// caller returns right after, or checks only what needs no such input.
pub fn missing(reason: &str) {
    let test = current_test();
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test} cannot run: {reason}; CI=true requires every test to check something");
    }
    record(&test, reason);
}

/// Records that the running test checked nothing because this machine
/// cannot do what it needs (a skip in CI too). The caller returns right after.
pub fn unsupported(reason: &str) {
    record(&current_test(), reason);
}

fn record(test: &str, reason: &str) {
    eprintln!("SKIPPED: {test}: {reason}");
    let Some(path) = std::env::var_os(SKIP_LOG).filter(|p| !p.is_empty()) else {
        return;
    };
    // One short line per append (O_APPEND): concurrent tests do not interleave.
    let line = format!("{test}\t{}\n", reason.replace(['\n', '\t'], " "));
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(e) = appended {
        panic!(
            "cannot record the skip of {test} in {}: {e}",
            path.to_string_lossy()
        );
    }
}

/// libtest runs every test on a thread named after the test's path
/// (`diff_corpus::every_history_diffs`).
fn current_test() -> String {
    std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .unwrap_or("an unnamed test")
        .to_owned()
}
