//! Every Mermaid diagram specrelay writes is checked by Mermaid's own
//! parser: `tools/mermaid/check.mjs` (mermaid 11.9.0 under Node, jsdom in
//! place of a browser), installed by `scripts/install-mermaid.sh`.
//!
//! Without the parser a test cannot check its diagrams: it is recorded as
//! skipped ([`super::skip::missing`], so `scripts/test.sh` does not count it
//! as passed) and checks the rest, except under `CI=true`, where a missing
//! parser fails the test (CI installs it through scripts/test.sh).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The installed checker: `$MERMAID_CHECK` (exported by scripts/test.sh) or
/// `.tools/mermaid/check.mjs`; `None` when neither exists (a failure under
/// `CI=true`).
fn checker() -> Option<PathBuf> {
    let path = std::env::var_os("MERMAID_CHECK").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/mermaid/check.mjs"),
        PathBuf::from,
    );
    let node = Command::new("node").arg("--version").output().is_ok();
    if path.exists() && node {
        return Some(path);
    }
    // Fails the test under CI=true; elsewhere the test counts as skipped.
    super::skip::missing(&format!(
        "Mermaid's parser is not installed ({} or node), so diagrams were not parsed; \
         run scripts/install-mermaid.sh (scripts/test.sh does)",
        path.display()
    ));
    None
}

/// Runs the checker on `markdown`, written to a file named `file_name`.
fn run_checker(checker: &Path, file_name: &str, markdown: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(file_name);
    std::fs::write(&file, markdown).unwrap();
    Command::new("node")
        .arg(checker)
        .arg(&file)
        .output()
        .expect("node runs the Mermaid checker")
}

/// Asserts that `markdown` holds `expected` Mermaid blocks and that
/// Mermaid parses every one; `name` says where the text came from. Returns
/// whether the parser ran (false: skipped, see the module docs).
pub fn assert_diagrams_parse(name: &str, markdown: &str, expected: usize) -> bool {
    let found = markdown.matches("```mermaid\n").count();
    assert_eq!(found, expected, "Mermaid blocks in {name}:\n{markdown}");
    let Some(checker) = checker() else {
        return false;
    };
    let out = run_checker(&checker, &name.replace(['/', ' '], "_"), markdown);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Mermaid rejects a diagram in {name}:\n{report}{}\n--- the text:\n{markdown}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains(&format!("{expected} diagram(s), 0 failed")),
        "{report}"
    );
    true
}

/// Whether Mermaid's parser rejects some diagram in `markdown`; `None`
/// when the parser is not installed (see the module docs). For the test
/// that the checker can fail at all.
pub fn rejects(markdown: &str) -> Option<bool> {
    let checker = checker()?;
    Some(
        !run_checker(&checker, "diagram.md", markdown)
            .status
            .success(),
    )
}
