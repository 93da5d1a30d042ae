//! Bad input, as a table: every malformed announcement or spec gets a clear
//! error, a non-zero exit code, and leaves the workspace exactly as it was.

use crate::support::http_server::{Behaviour, TestServer};
use crate::support::runner::Job;
use crate::{payload, spec_json};
use serde_json::{Value, json};

/// One bad input.
struct Case {
    name: &'static str,
    /// The bytes served as the spec.
    body: Vec<u8>,
    /// Changes to the otherwise correct announcement of `body`.
    tweak: fn(&mut Value),
    /// Extra inputs for this case.
    inputs: &'static [(&'static str, &'static str)],
    code: i32,
    /// A part of the message the user must see.
    message: &'static str,
}

fn case(name: &'static str, body: Vec<u8>, code: i32, message: &'static str) -> Case {
    Case {
        name,
        body,
        tweak: |_| {},
        inputs: &[],
        code,
        message,
    }
}

fn announcement_case(name: &'static str, tweak: fn(&mut Value), message: &'static str) -> Case {
    Case {
        tweak,
        ..case(name, spec_json("2.0.0"), 1, message)
    }
}

fn spec(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

/// A valid 3.0 document with `paths` replaced.
fn with_paths(paths: Value) -> Vec<u8> {
    spec(json!({"openapi": "3.0.3", "info": {"title": "T", "version": "2.0.0"}, "paths": paths}))
}

fn ok_response() -> Value {
    json!({"200": {"description": "ok"}})
}

fn cases() -> Vec<Case> {
    let mut cases = vec![
        // The announcement.
        announcement_case("missing version", |p| { p.as_object_mut().unwrap().remove("version"); }, "version: got nothing"),
        announcement_case("version with a v", |p| p["version"] = json!("v2.0.0"), "without the leading \"v\""),
        announcement_case("version not semver", |p| p["version"] = json!("2.0"), "a semantic version"),
        announcement_case("version as a number", |p| p["version"] = json!(2.0), "version: got the JSON value 2.0; expected a string"),
        announcement_case("version far too long", |p| p["version"] = json!(format!("2.0.0-{}", "a".repeat(300))), "at most 128 characters"),
        announcement_case("checksum too short", |p| p["checksum"] = json!("abc123"), "64 hexadecimal digits"),
        announcement_case("checksum not hex", |p| p["checksum"] = json!("z".repeat(64)), "64 hexadecimal digits"),
        announcement_case("unknown change type", |p| p["change_type"] = json!("breaking"), "one of \"major\", \"minor\", \"patch\""),
        announcement_case("ftp url", |p| p["download_url"] = json!("ftp://example.com/openapi.json"), "an https URL, not ftp:"),
        announcement_case("relative url", |p| p["download_url"] = json!("/openapi.json"), "an absolute URL"),
        announcement_case("file url without allow_file_urls", |p| p["download_url"] = json!("file:///etc/passwd"), "allow_file_urls"),
        announcement_case("credentials in the url", |p| p["download_url"] = json!("https://user:pw@example.com/o.json"), "without credentials"),
        announcement_case("source repo without owner", |p| p["source_repo"] = json!("platform"), "owner/name"),
        announcement_case("source repo with a path", |p| p["source_repo"] = json!("acme/../../etc"), "owner/name"),
        announcement_case("no payload at all", |p| *p = json!(null), "the spec announcement was rejected (5 invalid fields"),
        announcement_case("payload is a string", |p| *p = json!("version=2.0.0"), "the spec announcement was rejected (5 invalid fields"),
        announcement_case("checksum of other bytes", |p| p["checksum"] = json!("0".repeat(64)), "checksum mismatch"),
        Case {
            inputs: &[("allow_http", "false")],
            ..announcement_case("plain http not allowed", |_| {}, "allow_http")
        },
        Case {
            inputs: &[("allowed_hosts", "api.acme.example, *.acme.dev")],
            ..announcement_case("host not allowed", |_| {}, "127.0.0.1 is not one")
        },
        Case {
            inputs: &[("allowed_source_repos", "acme/platform")],
            ..announcement_case("producer not allowed", |_| {}, "one of the allowed producers")
        },
        Case {
            inputs: &[("event_type", "other_event")],
            ..announcement_case("wrong dispatch type", |_| {}, "has event_type \"openapi_spec_updated\"")
        },
        // The spec's bytes.
        case("binary garbage", vec![0, 159, 146, 150, 0, 1], 1, "neither valid JSON nor valid YAML"),
        case("empty file", Vec::new(), 1, "the document is empty"),
        case("truncated JSON", b"{\"openapi\": \"3.0.3\", \"info\": {".to_vec(), 1, "neither valid JSON nor valid YAML"),
        case("a JSON array", b"[1, 2, 3]".to_vec(), 1, "not a valid OpenAPI"),
        case(
            "YAML alias bomb",
            b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\ni: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n".to_vec(),
            1,
            "neither valid JSON nor valid YAML",
        ),
        case("JSON nested 100,000 deep", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(), 1, "neither valid JSON nor valid YAML"),
        // The document.
        case("Swagger 2.0", spec(json!({"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}})), 1, "Swagger 2.0"),
        case("OpenAPI 4", spec(json!({"openapi": "4.0.0", "info": {"title": "T", "version": "1"}, "paths": {}})), 1, "4.0.0"),
        case("no info", spec(json!({"openapi": "3.0.3", "paths": {}})), 1, "info"),
        case(
            "dangling $ref",
            with_paths(json!({"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}}})),
            1,
            "#/components/schemas/Nope",
        ),
        case(
            "duplicate operationId",
            with_paths(json!({"/a": {"get": {"operationId": "same", "responses": ok_response()}}, "/b": {"get": {"operationId": "same", "responses": ok_response()}}})),
            1,
            "same",
        ),
        case(
            "undeclared path parameter",
            with_paths(json!({"/pets/{petId}": {"get": {"responses": ok_response()}}})),
            1,
            "petId",
        ),
        case(
            "operation without responses",
            with_paths(json!({"/a": {"get": {"operationId": "a"}}})),
            1,
            "an operation needs at least one response",
        ),
        case(
            "undefined security scheme",
            with_paths(json!({"/a": {"get": {"security": [{"nope": []}], "responses": ok_response()}}})),
            1,
            "nope",
        ),
        case(
            "$ref cycle",
            spec(json!({"openapi": "3.0.3", "info": {"title": "T", "version": "2.0.0"},
                "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/A"}}}}},
                "components": {"responses": {"A": {"$ref": "#/components/responses/B"}, "B": {"$ref": "#/components/responses/A"}}}})),
            1,
            "cycle",
        ),
    ];
    // Served, but not as a spec.
    cases.push(case("404", spec_json("2.0.0"), 1, "HTTP 404"));
    cases
}

#[test]
fn every_bad_input_is_rejected_clearly_and_changes_nothing() {
    let good = spec_json("1.0.0");
    let table = cases();
    assert!(table.len() >= 25, "the issue asks for at least 25 cases");
    let mut routes = vec![(
        "/good.json",
        Behaviour::Ok {
            body: good.clone(),
            content_type: "application/json",
        },
    )];
    let paths: Vec<&'static str> = (0..table.len())
        .map(|i| &*Box::leak(format!("/case/{i}").into_boxed_str()))
        .collect();
    for (case, path) in table.iter().zip(&paths) {
        if case.name != "404" {
            routes.push((
                *path,
                Behaviour::Ok {
                    body: case.body.clone(),
                    content_type: "application/octet-stream",
                },
            ));
        }
    }
    let server = TestServer::start(routes);

    let mut job = Job::new("ingest");
    job.dispatch(payload("1.0.0", &good, &server.url("/good.json")));
    job.run().expect_code(0);
    let stored = job.snapshot();

    let mut failures = Vec::new();
    for (case, path) in table.iter().zip(&paths) {
        let mut announced = payload("2.0.0", &case.body, &server.url(path));
        (case.tweak)(&mut announced);
        let mut job_for_case = Job::new("ingest");
        // Same workspace content as `job`, fresh runner files.
        copy_tree(&job.workspace(), &job_for_case.workspace());
        job_for_case.dispatch(announced);
        job_for_case.input("max_attempts", "1");
        for (name, value) in case.inputs {
            job_for_case.input(name, value);
        }
        let run = job_for_case.run();
        let problem = if run.code != case.code {
            Some(format!("exit code {} instead of {}", run.code, case.code))
        } else if !run.stderr.contains(case.message) {
            Some(format!("no {:?} in the message", case.message))
        } else if job_for_case.snapshot() != stored {
            Some("the workspace changed".to_owned())
        } else if !run.stderr.contains("::error") {
            Some("no error annotation".to_owned())
        } else {
            None
        };
        if let Some(problem) = problem {
            failures.push(format!("{}: {problem}\n{}", case.name, run.stderr));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for (relative, bytes) in crate::support::runner::snapshot(from) {
        let target = to.join(relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}
