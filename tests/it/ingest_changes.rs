//! `ingest` over a history: the diff against the previous version, the
//! migration notes, the changelog, and the semver policy.

use crate::diff_stage::api;
use crate::support::http_server::{Behaviour, TestServer};
use crate::support::runner::{Job, sha256};
use serde_json::{Value, json};

/// Serves each spec at `/{version}.json`.
fn serve(specs: &[&Value]) -> TestServer {
    TestServer::start(
        specs
            .iter()
            .map(|spec| {
                let path: &'static str = Box::leak(
                    format!("/{}.json", spec["info"]["version"].as_str().unwrap()).into_boxed_str(),
                );
                (path, Behaviour::json(serde_json::to_vec(spec).unwrap()))
            })
            .collect(),
    )
}

fn announce(job: &mut Job, server: &TestServer, spec: &Value, change_type: &str) {
    let version = spec["info"]["version"].as_str().unwrap();
    job.dispatch(json!({
        "version": version,
        "checksum": sha256(&serde_json::to_vec(spec).unwrap()),
        "change_type": change_type,
        "download_url": server.url(&format!("/{version}.json")),
        "source_repo": "acme/pets",
    }));
}

fn v1() -> Value {
    api("1.0.0", &[("/pets", "get"), ("/pets", "post")])
}

#[test]
fn a_first_version_starts_the_changelog() {
    let spec = v1();
    let server = serve(&[&spec]);
    let mut job = Job::new("ingest");
    announce(&mut job, &server, &spec, "major");
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("breaking"), "false");
    assert_eq!(
        run.output("change_type"),
        "major",
        "the announced type stands for a first version"
    );
    assert_eq!(run.output("diff_path"), "");
    let changelog = job.read("CHANGELOG.md");
    assert!(
        changelog.starts_with("# Changelog\n\n## 1.0.0 (2026-01-01)\n"),
        "{changelog}"
    );
    assert!(changelog.contains("First version of Pets"));
}

#[test]
fn an_addition_writes_the_diff_and_a_changelog_entry() {
    let (a, b) = (
        v1(),
        api(
            "1.1.0",
            &[("/pets", "get"), ("/pets", "post"), ("/owners", "get")],
        ),
    );
    let server = serve(&[&a, &b]);
    let mut job = Job::new("ingest");
    announce(&mut job, &server, &a, "major");
    job.run().expect_code(0);
    announce(&mut job, &server, &b, "minor");
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("previous_version"), "1.0.0");
    assert_eq!(run.output("change_type"), "minor");
    assert_eq!(run.output("breaking"), "false");
    assert_eq!(run.output("diff_path"), "openapi/diffs/1.0.0..1.1.0.md");
    assert_eq!(run.output("migration_notes_path"), "");
    let diff: Value = serde_json::from_str(&job.read("openapi/diffs/1.0.0..1.1.0.json")).unwrap();
    assert_eq!(diff["findings"][0]["id"], "endpoint-added");
    assert!(
        job.read("openapi/diffs/1.0.0..1.1.0.md")
            .contains("GET /owners")
    );
    let changelog = job.read("CHANGELOG.md");
    let newest = changelog.find("## 1.1.0").unwrap();
    let older = changelog.find("## 1.0.0").unwrap();
    assert!(newest < older, "newest first:\n{changelog}");
    assert!(
        changelog.contains("### Added\n\n- GET /owners: Operation GET /owners was added."),
        "{changelog}"
    );
    let latest: Value = serde_json::from_str(&job.read("openapi/latest.json")).unwrap();
    assert_eq!(latest["change_type"], "minor");
    assert_eq!(latest["breaking"], false);
}

#[test]
fn an_understated_breaking_change_is_refused_and_nothing_is_written() {
    let (a, b) = (v1(), api("1.1.0", &[("/pets", "get")]));
    let server = serve(&[&a, &b]);
    let mut job = Job::new("ingest");
    announce(&mut job, &server, &a, "major");
    job.run().expect_code(0);
    let before = job.snapshot();
    announce(&mut job, &server, &b, "minor");
    job.run()
        .expect_code(1)
        .expect_stderr("semver policy: change_type is \"minor\" but the diff against 1.0.0 implies a major change")
        .expect_stderr("1.0.0 -> 1.1.0 is a minor bump")
        .expect_stderr("POST /pets: Operation POST /pets was removed without deprecation.")
        .expect_stderr("nothing was stored");
    assert_eq!(job.snapshot(), before);
}

#[test]
fn semver_policy_warn_stores_it_with_migration_notes() {
    let (a, b) = (v1(), api("1.1.0", &[("/pets", "get")]));
    let server = serve(&[&a, &b]);
    let mut job = Job::new("ingest");
    announce(&mut job, &server, &a, "major");
    job.run().expect_code(0);
    announce(&mut job, &server, &b, "minor");
    job.input("semver_policy", "warn");
    let run = job.run();
    run.expect_code(0)
        .expect_stderr("::warning title=semver policy::");
    assert_eq!(run.output("breaking"), "true");
    assert_eq!(run.output("change_type"), "major", "what the diff implies");
    assert_eq!(
        run.output("migration_notes_path"),
        "openapi/migrations/1.1.0.md"
    );
    let notes = job.read("openapi/migrations/1.1.0.md");
    assert!(notes.starts_with("# Migrating to Pets 1.1.0"), "{notes}");
    assert!(notes.contains("## 1. POST /pets: api-removed-without-deprecation"));
    assert!(notes.contains("**Who is affected:** TODO"));
    let changelog = job.read("CHANGELOG.md");
    assert!(changelog.contains("### Breaking changes"));
    assert!(changelog.contains("openapi/migrations/1.1.0.md"));
    assert!(run.summary.contains("**breaking**"));
}

#[test]
fn a_declared_major_version_passes_the_policy() {
    let (a, b) = (v1(), api("2.0.0", &[("/pets", "get")]));
    let server = serve(&[&a, &b]);
    let mut job = Job::new("ingest");
    announce(&mut job, &server, &a, "major");
    job.run().expect_code(0);
    announce(&mut job, &server, &b, "major");
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("breaking"), "true");
    assert!(job.exists("openapi/migrations/2.0.0.md"));
    assert!(job.exists("openapi/diffs/1.0.0..2.0.0.json"));
}

#[test]
fn an_accepted_finding_does_not_count_against_the_policy() {
    let (a, b) = (v1(), api("1.1.0", &[("/pets", "get")]));
    let server = serve(&[&a, &b]);
    let mut job = Job::new("ingest");
    announce(&mut job, &server, &a, "major");
    job.run().expect_code(0);
    std::fs::write(
        job.workspace().join(".specrelay-ignore"),
        "- id: api-removed-without-deprecation\n  operation: POST /pets\n  reason: Never released to clients.\n",
    )
    .unwrap();
    announce(&mut job, &server, &b, "minor");
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("breaking"), "false");
    assert!(
        job.read("openapi/diffs/1.0.0..1.1.0.md")
            .contains("Never released to clients.")
    );
}
