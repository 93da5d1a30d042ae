//! What trips a newcomer up in the first hour (issue 17): help that keeps
//! global flags apart, one meaning per flag name, exactly one document on
//! stdout, nothing written when a precondition fails, and a warning when the
//! announced version is not the spec's own.

use crate::support::runner::{Job, sha256};
use clap::CommandFactory;
use serde_json::Value;
use specrelay::cli::Cli;
use std::path::Path;
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The stages that only read, and so have no `--dry-run`.
const READ_ONLY: &[&str] = &["diff", "rules"];

fn stages() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .filter(|name| name != "help")
        .collect()
}

fn specrelay(args: &[&str], workspace: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specrelay"))
        .args(args)
        .arg("--workspace")
        .arg(workspace)
        .env_clear()
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .current_dir(ROOT)
        .output()
        .unwrap()
}

/// stdout parses as exactly one JSON document (serde_json refuses trailing data).
fn one_json_document(out: &Output, what: &str) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: stdout is not one JSON document ({e}):\n{stdout}\n--- stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn example_url(file: &str) -> String {
    url::Url::from_file_path(Path::new(ROOT).join("examples").join(file))
        .unwrap()
        .to_string()
}

fn help(stage: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_specrelay"))
        .args([stage, "--help"])
        .env_clear()
        .output()
        .unwrap();
    assert!(out.status.success(), "{stage} --help");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn stage_help_lists_global_flags_under_their_own_heading() {
    let stages = stages();
    assert!(stages.len() >= 10, "{stages:?}");
    for stage in &stages {
        let text = help(stage);
        let (own, global) = text
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{stage} -h has no Global options heading:\n{text}"));
        // Flag definitions, not mentions in another flag's description.
        for flag in [
            "\n      --workspace ",
            "\n      --output ",
            "\n      --templates-dir ",
        ] {
            assert!(global.contains(flag), "{stage}: {flag} not global:\n{text}");
            assert!(
                !own.contains(flag),
                "{stage}: {flag} among the stage's own:\n{text}"
            );
        }
        // The stage's own flags stay above the heading.
        if *stage != "rules" {
            assert!(!global.contains("--dry-run"), "{stage}:\n{text}");
        }
    }
}

#[test]
fn dry_run_only_on_stages_that_write_and_sdk_dir_means_one_thing() {
    for stage in stages() {
        let has = help(&stage).contains("--dry-run");
        assert_eq!(
            has,
            !READ_ONLY.contains(&stage.as_str()),
            "{stage}: --dry-run listed: {has}"
        );
    }
    let generate = help("generate");
    assert!(generate.contains("--sdk-dir <DIR>"), "{generate}");
    assert!(!generate.contains("--out "), "{generate}");
    assert!(help("publish").contains("--sdk-dir <"));
    for args in [
        &["diff", "--dry-run", "--base", "a", "--revision", "b"][..],
        &["rules", "--dry-run"][..],
        &["generate", "--out", "sdk"][..],
    ] {
        let out = specrelay(args, Path::new(ROOT));
        assert_eq!(out.status.code(), Some(2), "{args:?} is a usage error");
    }
}

#[test]
fn diff_and_rules_print_one_document_for_every_format() {
    let base = "examples/acme-pets.openapi.yaml";
    let revision = "examples/acme-pets-1.3.0.openapi.yaml";
    for format in ["markdown", "json", "annotations"] {
        let args = [
            "diff",
            "--base",
            base,
            "--revision",
            revision,
            "--format",
            format,
            "--output",
            "json",
        ];
        let out = specrelay(&args, Path::new(ROOT));
        assert_eq!(out.status.code(), Some(1), "breaking changes");
        let doc = one_json_document(&out, &format!("diff --format {format} --output json"));
        assert_eq!(doc["breaking"], "true", "{doc}");
        match format {
            "json" => assert!(doc["report"]["findings"].is_array(), "{doc}"),
            _ => assert!(doc["report"].is_string(), "{doc}"),
        }
        // Without --output json, --format json alone is one document too.
        if format == "json" {
            let out = specrelay(&args[..7], Path::new(ROOT));
            one_json_document(&out, "diff --format json");
        }
    }
    for format in ["text", "json"] {
        let out = specrelay(
            &["rules", "--format", format, "--output", "json"],
            Path::new(ROOT),
        );
        assert!(out.status.success());
        let doc = one_json_document(&out, &format!("rules --format {format} --output json"));
        assert!(!doc["report"].is_null(), "{doc}");
    }
    let out = specrelay(&["rules", "--format", "json"], Path::new(ROOT));
    one_json_document(&out, "rules --format json");
}

#[test]
fn ingest_and_generate_print_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let ingest = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_specrelay"))
            .args(["ingest", "--allow-file-urls", "--output", "json"])
            .args(extra)
            .arg("--download-url")
            .arg(example_url("acme-pets.openapi.yaml"))
            .arg("--workspace")
            .arg(dir.path())
            .env_clear()
            .env("SOURCE_DATE_EPOCH", "1767225600")
            .env("GITHUB_EVENT_NAME", "repository_dispatch")
            .env(
                "GITHUB_EVENT_PATH",
                Path::new(ROOT).join("examples/dispatch-event.json"),
            )
            .output()
            .unwrap()
    };
    let dry = one_json_document(&ingest(&["--dry-run"]), "ingest --dry-run --output json");
    assert_eq!(dry["version"], "1.2.0", "{dry}");
    assert!(
        !dir.path().join("openapi").exists(),
        "a dry run wrote openapi/"
    );
    let doc = one_json_document(&ingest(&[]), "ingest --output json");
    assert_eq!(doc["version"], "1.2.0");
    let again = one_json_document(&ingest(&[]), "ingest again");
    assert_eq!(again["skipped"], "true");
    for args in [
        &["generate", "--output", "json"][..],
        &["generate", "--output", "json", "--check"][..],
        &["generate", "--output", "json", "--dry-run"][..],
    ] {
        let out = specrelay(args, dir.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc = one_json_document(&out, &args.join(" "));
        assert_eq!(doc["version"], "1.2.0", "{doc}");
    }
}

/// An announcement of the example spec under another version.
fn announce(job: &mut Job, version: &str) {
    let spec = std::fs::read(Path::new(ROOT).join("examples/acme-pets.openapi.yaml")).unwrap();
    job.dispatch(serde_json::json!({
        "version": version,
        "checksum": sha256(&spec),
        "change_type": "minor",
        "download_url": example_url("acme-pets.openapi.yaml"),
        "source_repo": "acme/pets",
    }))
    .input("allow_file_urls", "true");
}

#[test]
fn a_commit_that_cannot_happen_writes_nothing() {
    // No repository.
    let mut job = Job::new("ingest");
    announce(&mut job, "1.2.0");
    job.input("commit", "true").input("github_token", "t0ken");
    job.run()
        .expect_code(1)
        .expect_stderr("GITHUB_REPOSITORY")
        .expect_stderr("nothing was written");
    assert!(job.snapshot().is_empty(), "{:?}", job.snapshot().keys());

    // No credential.
    let mut job = Job::new("ingest");
    announce(&mut job, "1.2.0");
    job.input("commit", "true")
        .env("GITHUB_REPOSITORY", "acme/consumer")
        .env("GITHUB_REF_NAME", "main");
    job.run().expect_code(1).expect_stderr("GitHub token");
    assert!(job.snapshot().is_empty(), "{:?}", job.snapshot().keys());

    // generate: the spec is there, the SDK folder must not appear.
    let mut job = Job::new("generate");
    let spec = Path::new(ROOT).join("examples/acme-pets.openapi.yaml");
    job.input("spec", spec.to_str().unwrap())
        .input("languages", "python")
        .input("commit", "true")
        .input("github_token", "t0ken");
    job.run().expect_code(1).expect_stderr("GITHUB_REPOSITORY");
    assert!(job.snapshot().is_empty(), "{:?}", job.snapshot().keys());
}

#[test]
fn an_announced_version_that_is_not_the_specs_own_warns_and_wins() {
    // The example's info.version is 1.2.0.
    let mut job = Job::new("ingest");
    announce(&mut job, "1.2.5");
    let run = job.run();
    run.expect_code(0)
        .expect_stderr("version mismatch")
        .expect_stderr(
            "the announcement says version 1.2.5, but the spec's info.version is \"1.2.0\"",
        );
    assert_eq!(run.output("version"), "1.2.5");
    assert!(job.read("openapi/latest.json").contains("\"1.2.5\""));

    // The matching announcement says nothing about versions.
    let mut matching = Job::new("ingest");
    announce(&mut matching, "1.2.0");
    let run = matching.run();
    run.expect_code(0);
    assert!(!run.stderr.contains("version mismatch"), "{}", run.stderr);

    // generate versions the SDKs by what the history stored.
    let mut generate = Job::new("generate");
    std::fs::remove_dir(generate.workspace()).unwrap();
    std::fs::rename(job.workspace(), generate.workspace()).unwrap();
    generate.input("languages", "typescript,python");
    let run = generate.run();
    run.expect_code(0);
    assert_eq!(run.output("version"), "1.2.5");
    assert_eq!(run.output("python_version"), "1.2.5");
    let package: Value =
        serde_json::from_str(&generate.read("sdk/typescript/package.json")).unwrap();
    assert_eq!(package["version"], "1.2.5");

    let mut strict = Job::new("ingest");
    announce(&mut strict, "1.2.5");
    strict.input("version_mismatch", "fail");
    strict
        .run()
        .expect_code(1)
        .expect_stderr("info.version is \"1.2.0\"");
    assert!(strict.snapshot().is_empty());
}
