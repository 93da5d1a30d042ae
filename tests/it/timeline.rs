//! The version timeline ingest keeps: `openapi/history/index.json` and
//! `openapi/TIMELINE.md` after three ingests (the third breaking), the same
//! bytes for the same history, a history without an index rebuilt, and
//! every Mermaid diagram (TIMELINE.md and the ingest summaries) accepted by
//! Mermaid's own parser.

use crate::support::mermaid::{self, assert_diagrams_parse};
use crate::support::runner::{Job, Run, sha256};
use serde_json::{Value, json};
use std::path::Path;

/// Version 1.0.0 has one operation, 1.1.0 adds one, 2.0.0 drops the first.
fn spec(version: &str) -> Vec<u8> {
    let get = json!({"operationId": "getPet", "responses": {"200": {"description": "ok"}}});
    let list = json!({"operationId": "listPets", "responses": {"200": {"description": "ok"}}});
    let paths = match version {
        "1.0.0" => json!({"/pets/1": {"get": get}}),
        "1.1.0" => json!({"/pets/1": {"get": get}, "/pets": {"get": list}}),
        _ => json!({"/pets": {"get": list}}),
    };
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "Pets: the API", "version": version},
        "paths": paths,
    });
    serde_json::to_vec_pretty(&doc).unwrap()
}

const HISTORY: [(&str, &str); 3] = [("1.0.0", "minor"), ("1.1.0", "minor"), ("2.0.0", "major")];

/// Ingests `version` into `workspace` from a file next to it.
fn ingest(files: &Path, workspace: &Path, version: &str, change_type: &str) -> Run {
    let body = spec(version);
    let file = files.join(format!("{version}.json"));
    std::fs::write(&file, &body).unwrap();
    let mut job = Job::new("ingest");
    std::fs::remove_dir(job.workspace()).unwrap();
    std::fs::create_dir_all(workspace).unwrap();
    std::os::unix::fs::symlink(workspace, job.workspace()).unwrap();
    job.input("allow_file_urls", "true").dispatch(json!({
        "version": version,
        "checksum": sha256(&body),
        "change_type": change_type,
        "download_url": url::Url::from_file_path(&file).unwrap().to_string(),
        "source_repo": "acme/pets",
        "correlation_id": format!("announce-{version}"),
    }));
    let run = job.run();
    run.expect_code(0);
    run
}

fn read(workspace: &Path, relative: &str) -> Vec<u8> {
    std::fs::read(workspace.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

#[test]
fn three_ingests_make_a_timeline_with_the_same_bytes_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let (files, first, second) = (dir.path(), dir.path().join("a"), dir.path().join("b"));
    let mut summaries = Vec::new();
    for (version, change) in HISTORY {
        summaries.push(ingest(files, &first, version, change).summary);
    }

    let index: Value = serde_json::from_slice(&read(&first, "openapi/history/index.json")).unwrap();
    assert_eq!(index["title"], "Pets: the API");
    let versions = index["versions"].as_array().unwrap();
    let listed: Vec<&str> = versions
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["1.0.0", "1.1.0", "2.0.0"]);
    assert_eq!(versions[0]["date"], "2026-01-01");
    assert_eq!(versions[0]["checksum"], sha256(&spec("1.0.0")));
    assert_eq!(versions[0]["diff_path"], Value::Null);
    assert_eq!(versions[0]["correlation_id"], "announce-1.0.0");
    assert_eq!(versions[1]["change_type"], "minor");
    assert_eq!(versions[1]["breaking_count"], 0);
    assert_eq!(versions[1]["diff_path"], "openapi/diffs/1.0.0..1.1.0.md");
    assert_eq!(versions[2]["change_type"], "major");
    assert!(
        versions[2]["breaking_count"].as_u64().unwrap() >= 1,
        "{index}"
    );
    assert_eq!(
        versions[2]["migration_notes_path"],
        "openapi/migrations/2.0.0.md"
    );
    for v in versions {
        assert!(
            v["spec_path"]
                .as_str()
                .is_some_and(|p| Path::new(&first).join(p).is_file())
        );
    }

    let timeline = String::from_utf8(read(&first, "openapi/TIMELINE.md")).unwrap();
    assert!(
        timeline.contains("section 2.x\n        2.0.0 : 2026-01-01 : major ⚠"),
        "{timeline}"
    );
    assert!(
        timeline.contains("[notes](migrations/2.0.0.md)"),
        "{timeline}"
    );
    assert!(
        timeline.contains("[diff](diffs/1.0.0..1.1.0.md)"),
        "{timeline}"
    );
    for link in [
        "migrations/2.0.0.md",
        "diffs/1.1.0..2.0.0.md",
        "history/openapi-1.0.0.json",
    ] {
        assert!(first.join("openapi").join(link).is_file(), "{link}");
    }
    assert_diagrams_parse("TIMELINE.md", &timeline, 1);
    for (summary, (version, _)) in summaries.iter().zip(HISTORY) {
        assert_diagrams_parse(&format!("ingest summary {version}"), summary, 1);
        assert!(
            summary.contains(&format!("{version} : 2026-01-01")),
            "{summary}"
        );
        assert!(summary.contains("◀ this run"), "{summary}");
    }

    // The same history in another workspace: the same bytes.
    for (version, change) in HISTORY {
        ingest(files, &second, version, change);
    }
    for file in ["openapi/history/index.json", "openapi/TIMELINE.md"] {
        assert_eq!(read(&first, file), read(&second, file), "{file}");
    }
    // A re-run of the last announcement skips and changes nothing.
    let before = crate::support::runner::snapshot(&first);
    let again = ingest(files, &first, "2.0.0", "major");
    assert_eq!(again.output("skipped"), "true");
    assert_eq!(crate::support::runner::snapshot(&first), before);
}

#[test]
fn a_history_stored_before_the_timeline_gets_one_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let (files, workspace) = (dir.path(), dir.path().join("a"));
    for (version, change) in &HISTORY[..2] {
        ingest(files, &workspace, version, change);
    }
    // As a history from before the timeline: no index, no TIMELINE.md.
    std::fs::remove_file(workspace.join("openapi/history/index.json")).unwrap();
    std::fs::remove_file(workspace.join("openapi/TIMELINE.md")).unwrap();
    let (version, change) = HISTORY[2];
    let run = ingest(files, &workspace, version, change);
    assert!(
        run.stderr
            .contains("index.json is missing: rebuilding it from the 2 stored version(s)"),
        "{}",
        run.stderr
    );

    let index: Value =
        serde_json::from_slice(&read(&workspace, "openapi/history/index.json")).unwrap();
    let versions = index["versions"].as_array().unwrap();
    let rows: Vec<(&str, &str, &str)> = versions
        .iter()
        .map(|v| {
            (
                v["version"].as_str().unwrap(),
                v["date"].as_str().unwrap(),
                v["diff_path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("1.0.0", "2026-01-01", ""),
            ("1.1.0", "2026-01-01", "openapi/diffs/1.0.0..1.1.0.md"),
            ("2.0.0", "2026-01-01", "openapi/diffs/1.1.0..2.0.0.md"),
        ],
        "{index}"
    );
    // latest.json kept the announced checksum of 1.1.0; 1.0.0 gets its
    // stored file's.
    assert_eq!(versions[1]["checksum"], sha256(&spec("1.1.0")));
    assert_eq!(
        versions[0]["checksum"],
        sha256(&read(&workspace, "openapi/history/openapi-1.0.0.json"))
    );
    let timeline = String::from_utf8(read(&workspace, "openapi/TIMELINE.md")).unwrap();
    assert_diagrams_parse("rebuilt TIMELINE.md", &timeline, 1);
}

#[test]
fn the_mermaid_checker_rejects_a_broken_diagram() {
    // A quote inside a label ends it early: what the escaping prevents.
    let broken = "```mermaid\nflowchart LR\n  a[\"acme \"pets\" api\"] --> b\n```\n";
    match mermaid::rejects(broken) {
        Some(rejected) => assert!(rejected, "Mermaid accepted a broken diagram"),
        None => eprintln!("SKIPPED: no Mermaid parser"),
    }
    assert!(
        !mermaid::rejects("```mermaid\nflowchart LR\n  a --> b\n```\n").unwrap_or(false),
        "Mermaid rejected a good diagram"
    );
}

#[test]
fn the_readmes_diagrams_parse() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let diagrams = readme.matches("```mermaid\n").count();
    assert!(diagrams >= 1, "the README has no diagram");
    assert_diagrams_parse("README.md", &readme, diagrams);
}
