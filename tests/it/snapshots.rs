//! Snapshots (insta) of what users see: each stage's step summary and
//! outputs on the bundled example, so that a change to them shows as a diff
//! in review (`cargo insta review`). Temporary paths, times and hashes are
//! filtered. publish and downstream need registries and GitHub; their
//! summaries are covered by their own stage tests.

use crate::support::runner::{Job, Run, sha256};
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn example(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(ROOT).join("examples").join(name)).unwrap()
}

fn snapshot(name: &str, run: &Run, workspace: &Path) {
    let workspace = workspace.to_string_lossy().into_owned();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex_escape(&workspace), "[workspace]");
    settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[time]");
    settings.add_filter(r"file:///\S*examples/", "file:///[examples]/");
    settings.bind(|| {
        insta::assert_snapshot!(format!("{name}-summary"), run.summary);
        insta::assert_debug_snapshot!(format!("{name}-outputs"), run.outputs);
    });
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

#[test]
fn diff_on_the_example() {
    let job = Job::new("diff");
    let ws = job.workspace();
    std::fs::write(ws.join("old.yaml"), example("acme-pets-1.3.0.openapi.yaml")).unwrap();
    std::fs::write(ws.join("new.yaml"), example("acme-pets.openapi.yaml")).unwrap();
    let mut job = job;
    job.input("base", "old.yaml")
        .input("revision", "new.yaml")
        .input("fail_on", "none");
    let run = job.run();
    run.expect_code(0);
    snapshot("diff", &run, &ws);
}

#[test]
fn generate_on_the_example() {
    let mut job = Job::new("generate");
    let ws = job.workspace();
    std::fs::write(ws.join("api.yaml"), example("acme-pets.openapi.yaml")).unwrap();
    job.input("spec", "api.yaml");
    let run = job.run();
    run.expect_code(0);
    snapshot("generate", &run, &ws);
}

#[test]
fn ingest_on_the_example() {
    let spec = example("acme-pets.openapi.yaml");
    let path = Path::new(ROOT).join("examples/acme-pets.openapi.yaml");
    let url = url::Url::from_file_path(&path).unwrap();
    let mut job = Job::new("ingest");
    let ws = job.workspace();
    job.input("version", "1.4.0")
        .input("checksum", &sha256(&spec))
        .input("change_type", "minor")
        .input("download_url", url.as_str())
        .input("allow_file_urls", "true")
        .input("source_repo", "acme/pet-store")
        .env("SOURCE_DATE_EPOCH", "1767225600");
    let run = job.run();
    run.expect_code(0);
    snapshot("ingest", &run, &ws);
}
