//! The README's first quick-start command, run as written: `ingest` on the
//! bundled example, with no network and no token.

use crate::support::runner::sha256;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn the_example_event_announces_the_example_spec() {
    let spec = std::fs::read(Path::new(ROOT).join("examples/acme-pets.openapi.yaml")).unwrap();
    let event: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(ROOT).join("examples/dispatch-event.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        event["client_payload"]["checksum"],
        sha256(&spec),
        "update examples/dispatch-event.json after editing the example spec"
    );
}

#[test]
fn the_readme_quick_start_ingests_the_example() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    assert!(
        readme.contains("--download-url \"file://$PWD/examples/acme-pets.openapi.yaml\""),
        "README quick start changed: update this test"
    );
    let workspace = tempfile::tempdir().unwrap();
    let spec_url =
        url::Url::from_file_path(Path::new(ROOT).join("examples/acme-pets.openapi.yaml")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_specrelay"))
        .args([
            "ingest",
            "--allow-file-urls",
            "--download-url",
            spec_url.as_str(),
        ])
        .arg("--workspace")
        .arg(workspace.path())
        .env_clear()
        .env("GITHUB_EVENT_NAME", "repository_dispatch")
        .env(
            "GITHUB_EVENT_PATH",
            Path::new(ROOT).join("examples/dispatch-event.json"),
        )
        .current_dir(ROOT)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("spec_path: openapi/history/openapi-1.2.0.json"),
        "{stderr}"
    );
    assert!(
        workspace
            .path()
            .join("openapi/history/openapi-1.2.0.json")
            .is_file()
    );
    assert!(workspace.path().join("openapi/latest.json").is_file());
}

#[test]
fn the_readme_diff_example_reports_the_breaking_changes() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    assert!(
        readme.contains("--revision examples/acme-pets-1.3.0.openapi.yaml"),
        "README diff example changed: update this test"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_specrelay"))
        .args(["diff", "--base", "examples/acme-pets.openapi.yaml"])
        .args(["--revision", "examples/acme-pets-1.3.0.openapi.yaml"])
        .env_clear()
        .current_dir(ROOT)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.contains("#### Breaking changes (2)"), "{stdout}");
    assert!(stderr.contains("breaking_count: 2"), "{stderr}");
    assert!(
        !stderr.contains("#### Breaking changes"),
        "the report is shown once"
    );
}
