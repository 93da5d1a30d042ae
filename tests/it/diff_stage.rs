//! The `diff` stage end to end: two specs from the workspace or its git
//! history, every output format, `fail_on`, and the ignore file.

use crate::support::runner::Job;
use serde_json::{Value, json};
use std::process::Command;

/// A 3.0 spec with these paths; responses are filled in.
pub fn api(version: &str, paths: &[(&str, &str)]) -> Value {
    let mut map = serde_json::Map::new();
    for (path, method) in paths {
        let entry = map.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = json!({
            "operationId": format!("{method}{}", path.replace(['/', '{', '}'], "_")),
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}
        });
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": version},
        "paths": map,
        "components": {"schemas": {"Pet": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}}}
    })
}

fn write(job: &Job, name: &str, value: &Value) {
    std::fs::write(
        job.workspace().join(name),
        serde_json::to_vec_pretty(value).unwrap(),
    )
    .unwrap();
}

fn diff_job(base: &Value, revision: &Value) -> Job {
    let mut job = Job::new("diff");
    write(&job, "base.json", base);
    write(&job, "revision.json", revision);
    job.input("base", "base.json")
        .input("revision", "revision.json");
    job
}

#[test]
fn a_removed_operation_fails_the_check_with_outputs_report_and_annotation() {
    let base = api("1.0.0", &[("/pets", "get"), ("/pets", "post")]);
    let revision = api("1.1.0", &[("/pets", "get")]);
    let job = diff_job(&base, &revision);
    let run = job.run();
    run.expect_code(1)
        .expect_stderr("1 finding(s) at or above fail_on=breaking")
        .expect_stderr("::error file=revision.json");
    assert_eq!(run.output("breaking"), "true");
    assert_eq!(run.output("breaking_count"), "1");
    assert_eq!(run.output("ignored_count"), "0");
    assert!(
        run.stdout.contains("#### Breaking changes (1)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("**POST /pets**"));
    assert_eq!(
        run.summary.trim(),
        run.stdout.trim(),
        "the summary is the report"
    );
}

#[test]
fn fail_on_none_reports_without_failing() {
    let base = api("1.0.0", &[("/pets", "get"), ("/pets", "post")]);
    let revision = api("1.1.0", &[("/pets", "get")]);
    let mut job = diff_job(&base, &revision);
    job.input("fail_on", "none");
    assert_eq!(job.run().expect_code(0).output("breaking"), "true");
}

#[test]
fn additions_pass_and_fail_on_warning_is_stricter() {
    let base = api("1.0.0", &[("/pets", "get")]);
    let mut revision = base.clone();
    revision["components"]["schemas"]["Pet"]["properties"]["tag"] =
        json!({"type": "string", "enum": ["a", "b"]});
    let mut widened = revision.clone();
    widened["components"]["schemas"]["Pet"]["properties"]["tag"]["enum"] = json!(["a", "b", "c"]);
    let mut job = diff_job(&revision, &widened);
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("breaking"), "false");
    assert_eq!(
        run.output("warning_count"),
        "1",
        "a new response enum value is a warning"
    );
    job.input("fail_on", "warning");
    job.run().expect_code(1).expect_stderr("fail_on=warning");
}

#[test]
fn json_format_prints_the_documented_shape() {
    let base = api("1.0.0", &[("/pets", "get"), ("/pets", "post")]);
    let revision = api("1.1.0", &[("/pets", "get")]);
    let mut job = diff_job(&base, &revision);
    job.input("format", "json").input("fail_on", "none");
    let run = job.run();
    run.expect_code(0);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["format_version"], 1);
    assert_eq!(report["summary"]["breaking"], 1);
    assert_eq!(
        report["findings"][0]["id"],
        "api-removed-without-deprecation"
    );
    assert_eq!(report["findings"][0]["operation"], "POST /pets");
}

#[test]
fn annotations_format_prints_workflow_commands() {
    let base = api("1.0.0", &[("/pets", "get"), ("/pets", "post")]);
    let revision = api("1.1.0", &[("/pets", "get")]);
    let mut job = diff_job(&base, &revision);
    job.input("format", "annotations");
    let run = job.run();
    run.expect_code(1);
    assert!(
        run.stdout.starts_with("::error file=revision.json,"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_reformatted_spec_reports_no_changes() {
    let base = api("1.0.0", &[("/pets", "get")]);
    let mut job = Job::new("diff");
    write(&job, "base.json", &base);
    std::fs::write(
        job.workspace().join("revision.json"),
        serde_json::to_vec(&base).unwrap(),
    )
    .unwrap();
    job.input("base", "base.json")
        .input("revision", "revision.json");
    let run = job.run();
    run.expect_code(0);
    assert!(run.stdout.contains("No API changes"));
    assert_eq!(run.output("info_count"), "0");
}

#[test]
fn the_ignore_file_accepts_a_finding_with_its_reason() {
    let base = api("1.0.0", &[("/pets", "get"), ("/pets", "post")]);
    let revision = api("1.1.0", &[("/pets", "get")]);
    let job = diff_job(&base, &revision);
    std::fs::write(
        job.workspace().join(".specrelay-ignore"),
        "- id: api-removed-without-deprecation\n  operation: post /pets\n  reason: Creation moved to the admin API.\n",
    )
    .unwrap();
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("breaking"), "false");
    assert_eq!(run.output("ignored_count"), "1");
    assert!(run.summary.contains("Creation moved to the admin API."));
}

#[test]
fn the_ignore_file_can_set_a_rules_level() {
    // An added operation is info by default; this team treats it as breaking.
    let base = api("1.0.0", &[("/pets", "get")]);
    let revision = api("1.1.0", &[("/pets", "get"), ("/pets", "post")]);
    let job = diff_job(&base, &revision);
    job.run().expect_code(0);
    std::fs::write(
        job.workspace().join(".specrelay-ignore"),
        "- id: endpoint-added\n  level: breaking\n  reason: New endpoints need an API review.\n",
    )
    .unwrap();
    let run = job.run();
    run.expect_code(1);
    assert_eq!(run.output("breaking"), "true");
    assert_eq!(run.output("ignored_count"), "0");
}

#[test]
fn a_broken_ignore_file_is_an_error() {
    let base = api("1.0.0", &[("/pets", "get")]);
    let mut job = diff_job(&base, &base);
    std::fs::write(
        job.workspace().join("ignore.yaml"),
        "- id: no-such-rule\n  reason: x\n",
    )
    .unwrap();
    job.input("ignore_file", "ignore.yaml");
    job.run()
        .expect_code(1)
        .expect_stderr("unknown rule id \"no-such-rule\"");
}

#[test]
fn an_invalid_side_is_reported_with_its_problems() {
    let base = api("1.0.0", &[("/pets", "get")]);
    let mut broken = base.clone();
    broken["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        ["$ref"] = json!("#/components/schemas/Nope");
    let job = diff_job(&base, &broken);
    job.run()
        .expect_code(1)
        .expect_stderr("#/components/schemas/Nope")
        .expect_stderr("loading the revision spec revision.json");
}

fn git(job: &Job, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .current_dir(job.workspace())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn a_side_can_come_from_git_history_with_its_referenced_files() {
    let mut job = Job::new("diff");
    std::fs::create_dir(job.workspace().join("schemas")).unwrap();
    let mut spec = api("1.0.0", &[("/pets", "get"), ("/pets", "post")]);
    spec["components"]["schemas"]["Pet"] = json!({"$ref": "schemas/pet.json"});
    let pet =
        json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}});
    write(&job, "openapi.json", &spec);
    write(&job, "schemas/pet.json", &pet);
    git(&job, &["init", "-q"]);
    git(&job, &["add", "."]);
    git(&job, &["commit", "-qm", "v1"]);
    // The working tree drops POST and makes a response property optional
    // in the referenced file.
    spec["paths"]["/pets"]
        .as_object_mut()
        .unwrap()
        .remove("post");
    write(&job, "openapi.json", &spec);
    write(
        &job,
        "schemas/pet.json",
        &json!({"type": "object", "properties": {"id": {"type": "string"}}}),
    );
    job.input("base", "git:HEAD:openapi.json")
        .input("revision", "openapi.json")
        .input("fail_on", "none");
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("breaking_count"), "2", "{}", run.stdout);
    assert!(run.stdout.contains("became optional"), "{}", run.stdout);

    job.input("base", "git:no-such-rev:openapi.json");
    job.run()
        .expect_code(1)
        .expect_stderr("git cannot read no-such-rev:openapi.json");
}

#[test]
fn lint_errors_are_warnings_unless_strict() {
    let base = api("1.0.0", &[("/pets", "get"), ("/pets", "post")]);
    // `{petId}` is never declared as a path parameter: invalid, but readable.
    let mut revision = api("1.1.0", &[("/pets", "get"), ("/pets/{petId}", "get")]);
    revision["paths"]["/pets"]
        .as_object_mut()
        .unwrap()
        .remove("post");
    let mut job = diff_job(&base, &revision);
    let run = job.run();
    run.expect_code(1)
        .expect_stderr("::warning file=revision.json")
        .expect_stderr("petId");
    assert_eq!(
        run.output("breaking_count"),
        "1",
        "the comparison still ran"
    );
    job.input("strict", "true");
    job.run()
        .expect_code(1)
        .expect_stderr("::error file=revision.json")
        .expect_stderr("is not a valid OpenAPI 3.0/3.1 document");
}

#[test]
fn the_rules_stage_lists_every_rule_with_its_level_and_rationale() {
    let mut job = Job::new("rules");
    let run = job.run();
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), specrelay::diff::rules().len());
    assert!(
        lines
            .iter()
            .all(|l| l.split('\t').count() == 3 && !l.ends_with('\t'))
    );
    assert!(
        lines.contains(
            &specrelay::diff::rule("request-body-removed")
                .map_or(String::new(), |r| format!(
                    "request-body-removed\tbreaking\t{}",
                    r.rationale
                ))
                .as_str()
        )
    );
    job.input("format", "json");
    let run = job.run();
    run.expect_code(0);
    let all: Value = serde_json::from_str(&run.stdout).unwrap();
    let prefix = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "response-property-prefix-items-added")
        .unwrap();
    assert_eq!(prefix["level"], "breaking");
    assert!(prefix["rationale"].as_str().unwrap().contains("oasdiff"));
}
