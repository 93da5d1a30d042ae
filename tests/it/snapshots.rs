//! Snapshots (insta) of what users see: each stage's step summary and
//! outputs on the bundled example, so that a change to them shows as a diff
//! in review (`cargo insta review`). Temporary paths, times and hashes are
//! filtered. publish runs against Verdaccio and pypiserver on 127.0.0.1,
//! downstream against the fake GitHub; their ports are filtered too.

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
    settings.add_filter(r"127\.0\.0\.1:\d+", "[host]");
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

#[test]
fn publish_on_the_golden_sdks() {
    let s = crate::publish_stage::setup_with("tests/golden/sdk/python/pets-30");
    let ws = s.job.workspace();
    let run = s.job.run();
    run.expect_code(0);
    snapshot("publish", &run, &ws);
}

#[test]
fn downstream_opens_a_pull_request() {
    use crate::downstream_stage::{WEB, consumer, job};
    let github = crate::support::fake_github::FakeGitHub::start();
    consumer(&github, WEB);
    let job = job(&github, WEB, "2.0.0");
    let ws = job.workspace();
    let run = job.run();
    run.expect_code(0);
    snapshot("downstream", &run, &ws);
}
