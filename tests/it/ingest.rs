//! `ingest` end to end: downloads from a real HTTP server on 127.0.0.1 that
//! can be slow, broken, flaky or redirecting, with the binary run as the
//! Actions runner runs it.

use crate::support::http_server::{Behaviour, TestServer};
use crate::support::runner::{Job, sha256};
use crate::{payload, spec_json};
use serde_json::json;
use std::time::{Duration, Instant};

fn ok(body: &[u8]) -> Behaviour {
    Behaviour::Ok {
        body: body.to_vec(),
        content_type: "application/json",
    }
}

fn ingest_job(server: &TestServer, version: &str, body: &[u8]) -> Job {
    let mut job = Job::new("ingest");
    job.dispatch(payload(version, body, &server.url("/openapi.json")));
    job
}

#[test]
fn stores_the_spec_and_writes_outputs_and_summary() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![("/openapi.json", ok(&body))]);
    let job = ingest_job(&server, "1.0.0", &body);
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("version"), "1.0.0");
    assert_eq!(run.output("previous_version"), "");
    assert_eq!(run.output("checksum"), sha256(&body));
    assert_eq!(
        run.output("spec_path"),
        "openapi/history/openapi-1.0.0.json"
    );
    assert_eq!(run.output("skipped"), "false");
    assert!(
        run.stdout.is_empty(),
        "stdout carries data only: {}",
        run.stdout
    );

    let stored: serde_json::Value =
        serde_json::from_str(&job.read("openapi/history/openapi-1.0.0.json")).unwrap();
    let original: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(stored, original, "the stored spec is the downloaded one");

    let latest: serde_json::Value = serde_json::from_str(&job.read("openapi/latest.json")).unwrap();
    assert_eq!(latest["version"], "1.0.0");
    assert_eq!(latest["checksum"], sha256(&body));
    assert_eq!(
        latest["stored_sha256"],
        sha256(job.read("openapi/history/openapi-1.0.0.json").as_bytes())
    );
    assert_eq!(latest["path"], "openapi/history/openapi-1.0.0.json");
    assert_eq!(latest["previous_version"], serde_json::Value::Null);
    assert_eq!(latest["change_type"], "minor");
    assert_eq!(latest["source_repo"], "acme/pet-store");
    assert_eq!(latest["download_url"], server.url("/openapi.json"));
    assert_eq!(
        latest["ingested_at"], "2026-01-01T00:00:00Z",
        "from SOURCE_DATE_EPOCH"
    );

    assert!(
        run.summary.contains("Ingested OpenAPI 1.0.0"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("Test API"));
}

#[test]
fn stored_files_are_byte_identical_across_runs() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![("/openapi.json", ok(&body))]);
    let a = ingest_job(&server, "1.0.0", &body);
    let b = ingest_job(&server, "1.0.0", &body);
    a.run().expect_code(0);
    b.run().expect_code(0);
    assert_eq!(a.snapshot(), b.snapshot());
}

#[test]
fn a_rerun_skips_gracefully_and_changes_nothing() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![("/openapi.json", ok(&body))]);
    let job = ingest_job(&server, "1.0.0", &body);
    job.run().expect_code(0);
    let before = job.snapshot();
    let again = job.run();
    again
        .expect_code(0)
        .expect_stderr("::warning::OpenAPI 1.0.0 was already ingested");
    assert_eq!(again.output("skipped"), "true");
    assert_eq!(
        again.output("spec_path"),
        "openapi/history/openapi-1.0.0.json"
    );
    assert!(again.summary.contains("already ingested"));
    assert_eq!(job.snapshot(), before);
}

#[test]
fn a_reformatted_copy_of_a_stored_version_is_a_duplicate() {
    let body = spec_json("1.0.0");
    let compact =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&body).unwrap()).unwrap();
    let server = TestServer::start(vec![
        ("/openapi.json", ok(&body)),
        ("/compact.json", ok(&compact)),
    ]);
    let mut job = ingest_job(&server, "1.0.0", &body);
    job.run().expect_code(0);
    job.dispatch(payload("1.0.0", &compact, &server.url("/compact.json")));
    assert_eq!(job.run().expect_code(0).output("skipped"), "true");
}

#[test]
fn a_different_spec_under_a_stored_version_is_refused() {
    let first = spec_json("1.0.0");
    let other = spec_json("1.0.0-other");
    let server = TestServer::start(vec![
        ("/openapi.json", ok(&first)),
        ("/other.json", ok(&other)),
    ]);
    let mut job = ingest_job(&server, "1.0.0", &first);
    job.run().expect_code(0);
    let before = job.snapshot();
    job.dispatch(payload("1.0.0", &other, &server.url("/other.json")));
    job.run()
        .expect_code(1)
        .expect_stderr("already holds a different spec")
        .expect_stderr("immutable");
    assert_eq!(job.snapshot(), before);
}

#[test]
fn versions_move_forward_and_older_ones_need_allow_older() {
    let v1 = spec_json("1.0.0");
    let v2 = spec_json("1.1.0");
    let v0 = spec_json("0.9.0");
    let server = TestServer::start(vec![
        ("/v1.json", ok(&v1)),
        ("/v2.json", ok(&v2)),
        ("/v0.json", ok(&v0)),
    ]);
    let mut job = Job::new("ingest");
    job.dispatch(payload("1.0.0", &v1, &server.url("/v1.json")));
    job.run().expect_code(0);
    job.dispatch(payload("1.1.0", &v2, &server.url("/v2.json")));
    let second = job.run();
    second.expect_code(0);
    assert_eq!(second.output("previous_version"), "1.0.0");
    let latest: serde_json::Value = serde_json::from_str(&job.read("openapi/latest.json")).unwrap();
    assert_eq!(latest["version"], "1.1.0");
    assert_eq!(latest["previous_version"], "1.0.0");

    job.dispatch(payload("0.9.0", &v0, &server.url("/v0.json")));
    let before = job.snapshot();
    job.run()
        .expect_code(1)
        .expect_stderr("not greater than the newest stored version 1.1.0");
    assert_eq!(job.snapshot(), before);
    assert_eq!(server.hits("/v0.json"), 0, "refused before downloading");

    job.input("allow_older", "true");
    job.run().expect_code(0);
    assert!(job.exists("openapi/history/openapi-0.9.0.json"));
    let latest: serde_json::Value = serde_json::from_str(&job.read("openapi/latest.json")).unwrap();
    assert_eq!(latest["version"], "1.1.0", "latest.json never moves back");
}

#[test]
fn a_slow_server_within_the_deadline_is_fine() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![(
        "/openapi.json",
        Behaviour::Slow {
            body: body.clone(),
            bytes_per_tick: body.len() / 4 + 1,
            tick: Duration::from_millis(100),
        },
    )]);
    ingest_job(&server, "1.0.0", &body).run().expect_code(0);
}

#[test]
fn a_server_slower_than_the_deadline_fails_as_a_service_failure() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![(
        "/openapi.json",
        Behaviour::Slow {
            body: body.clone(),
            bytes_per_tick: 8,
            tick: Duration::from_millis(200),
        },
    )]);
    let mut job = ingest_job(&server, "1.0.0", &body);
    job.input("download_timeout", "1")
        .input("max_attempts", "2");
    let before = job.snapshot();
    job.run().expect_code(3).expect_stderr("download_timeout");
    assert_eq!(server.hits("/openapi.json"), 2, "a timeout is retried");
    assert_eq!(job.snapshot(), before);
}

#[test]
fn a_hung_server_hits_the_deadline() {
    let server = TestServer::start(vec![("/openapi.json", Behaviour::Hang)]);
    let mut job = ingest_job(&server, "1.0.0", b"{}");
    job.input("download_timeout", "1")
        .input("max_attempts", "1");
    job.run()
        .expect_code(3)
        .expect_stderr("no complete answer within 1s");
}

#[test]
fn a_truncated_body_is_retried_then_fails() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![(
        "/openapi.json",
        Behaviour::Truncated {
            body: body.clone(),
            send: body.len() / 2,
        },
    )]);
    let mut job = ingest_job(&server, "1.0.0", &body);
    job.input("max_attempts", "2");
    job.run()
        .expect_code(3)
        .expect_stderr("before the whole body arrived");
    assert_eq!(server.hits("/openapi.json"), 2);
    assert!(!job.exists("openapi"));
}

#[test]
fn a_truncated_body_then_a_good_one_succeeds() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![(
        "/openapi.json",
        Behaviour::Sequence(vec![
            Behaviour::Truncated {
                body: body.clone(),
                send: 10,
            },
            ok(&body),
        ]),
    )]);
    ingest_job(&server, "1.0.0", &body).run().expect_code(0);
    assert_eq!(server.hits("/openapi.json"), 2);
}

#[test]
fn an_oversized_spec_is_refused_without_retrying() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![
        ("/openapi.json", ok(&body)),
        ("/chunked.json", Behaviour::Chunked { body: body.clone() }),
    ]);
    let mut job = ingest_job(&server, "1.0.0", &body);
    job.input("max_spec_bytes", "100");
    job.run()
        .expect_code(1)
        .expect_stderr("larger than max_spec_bytes (100 bytes)")
        .expect_stderr(&format!("it announced {} bytes", body.len()));
    assert_eq!(server.hits("/openapi.json"), 1);

    // Without a Content-Length the cap is enforced while streaming.
    job.dispatch(payload("1.0.0", &body, &server.url("/chunked.json")));
    job.run()
        .expect_code(1)
        .expect_stderr("larger than max_spec_bytes");
    assert_eq!(server.hits("/chunked.json"), 1);
    assert!(!job.exists("openapi"));
}

#[test]
fn a_503_then_200_is_retried() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![(
        "/openapi.json",
        Behaviour::Sequence(vec![
            Behaviour::Status {
                code: 503,
                headers: vec![],
                body: b"maintenance".to_vec(),
            },
            ok(&body),
        ]),
    )]);
    let run = ingest_job(&server, "1.0.0", &body).run();
    run.expect_code(0).expect_stderr("HTTP 503: maintenance");
    assert_eq!(server.hits("/openapi.json"), 2);
}

#[test]
fn a_429_waits_as_long_as_retry_after_says() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![(
        "/openapi.json",
        Behaviour::Sequence(vec![
            Behaviour::Status {
                code: 429,
                headers: vec![("Retry-After".into(), "2".into())],
                body: vec![],
            },
            ok(&body),
        ]),
    )]);
    let started = Instant::now();
    ingest_job(&server, "1.0.0", &body)
        .run()
        .expect_code(0)
        .expect_stderr("retrying in 2.0s");
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[test]
fn a_server_that_keeps_failing_exits_with_3_after_max_attempts() {
    let server = TestServer::start(vec![(
        "/openapi.json",
        Behaviour::Status {
            code: 502,
            headers: vec![],
            body: vec![],
        },
    )]);
    let mut job = ingest_job(&server, "1.0.0", b"{}");
    job.input("max_attempts", "3");
    job.run().expect_code(3).expect_stderr("HTTP 502");
    assert_eq!(server.hits("/openapi.json"), 3);
}

#[test]
fn a_404_is_not_retried() {
    let server = TestServer::start(vec![]);
    let job = ingest_job(&server, "1.0.0", b"{}");
    job.run().expect_code(1).expect_stderr("HTTP 404");
    assert_eq!(server.hits("/openapi.json"), 1);
}

#[test]
fn redirects_are_followed_but_the_token_stays_on_its_origin() {
    let body = spec_json("1.0.0");
    let mirror = TestServer::start(vec![("/spec.json", ok(&body))]);
    let origin = TestServer::start(vec![(
        "/openapi.json",
        Behaviour::Redirect {
            code: 302,
            location: mirror.url("/spec.json"),
        },
    )]);
    let mut job = ingest_job(&origin, "1.0.0", &body);
    job.input("download_token", "s3cr3t-download-token");
    let run = job.run();
    run.expect_code(0);
    let sent = |server: &TestServer| {
        server.requests().iter().any(|r| {
            r.headers
                .iter()
                .any(|(n, v)| n == "authorization" && v.contains("s3cr3t"))
        })
    };
    assert!(sent(&origin), "the token goes to the download URL's origin");
    assert!(!sent(&mirror), "the token never goes to another origin");
    // Masked first thing, and never printed anywhere else.
    assert!(
        run.stderr
            .starts_with("::add-mask::s3cr3t-download-token\n"),
        "{}",
        run.stderr
    );
    let leaks = run.stderr.matches("s3cr3t").count() - 1;
    assert_eq!(leaks, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("s3cr3t"));
    assert!(!run.summary.contains("s3cr3t"));
    assert!(run.outputs.values().all(|v| !v.contains("s3cr3t")));
    assert!(!job.read("openapi/latest.json").contains("s3cr3t"));
}

#[test]
fn a_redirect_off_the_allowed_hosts_is_refused_before_connecting() {
    let body = spec_json("1.0.0");
    let elsewhere = TestServer::start(vec![("/spec.json", ok(&body))]);
    let port = elsewhere.origin().rsplit(':').next().unwrap().to_owned();
    // Same machine, other host name: only `127.0.0.1` is allowed.
    let origin = TestServer::start(vec![(
        "/openapi.json",
        Behaviour::Redirect {
            code: 302,
            location: format!("http://localhost:{port}/spec.json"),
        },
    )]);
    let mut job = ingest_job(&origin, "1.0.0", &body);
    job.input("allowed_hosts", "127.0.0.1");
    job.run()
        .expect_code(1)
        .expect_stderr("localhost is not an allowed host");
    assert_eq!(origin.hits("/openapi.json"), 1);
    assert_eq!(elsewhere.hits("/spec.json"), 0, "never connected");
    assert!(job.snapshot().is_empty(), "nothing stored");
}

#[test]
fn private_addresses_need_allow_private_network() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![("/openapi.json", ok(&body))]);
    let mut job = ingest_job(&server, "1.0.0", &body);
    job.remove_input("allow_private_network");
    job.run()
        .expect_code(1)
        .expect_stderr("loopback addresses are not allowed");
    assert_eq!(server.hits("/openapi.json"), 0);
    // A host name that resolves to loopback is refused too.
    let port = server.origin().rsplit(':').next().unwrap().to_owned();
    job.dispatch(payload(
        "1.0.0",
        &body,
        &format!("http://localhost:{port}/openapi.json"),
    ));
    job.run()
        .expect_code(1)
        .expect_stderr("resolves only to loopback addresses");
    assert_eq!(server.hits("/openapi.json"), 0);
}

#[test]
fn a_checksum_mismatch_shows_both_hashes_and_writes_nothing() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![("/openapi.json", ok(&body))]);
    let mut job = Job::new("ingest");
    let mut announced = payload("1.0.0", &body, &server.url("/openapi.json"));
    announced["checksum"] = json!("ab".repeat(32));
    job.dispatch(announced);
    job.run()
        .expect_code(1)
        .expect_stderr(&"ab".repeat(32))
        .expect_stderr(&sha256(&body));
    assert!(job.snapshot().is_empty());
}

#[test]
fn explicit_inputs_work_without_an_event() {
    let body = spec_json("2.0.0");
    let server = TestServer::start(vec![("/openapi.json", ok(&body))]);
    let mut job = Job::new("ingest");
    job.input("version", "2.0.0")
        .input("checksum", &sha256(&body))
        .input("change_type", "major")
        .input("download_url", &server.url("/openapi.json"))
        .input("source_repo", "acme/pet-store");
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("version"), "2.0.0");
}

#[test]
fn dry_run_decides_everything_and_writes_nothing() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![("/openapi.json", ok(&body))]);
    let mut job = ingest_job(&server, "1.0.0", &body);
    job.input("dry_run", "true");
    let run = job.run();
    run.expect_code(0).expect_stderr("would write");
    assert_eq!(
        run.output("spec_path"),
        "openapi/history/openapi-1.0.0.json"
    );
    assert!(run.summary.contains("Dry run"));
    assert!(job.snapshot().is_empty());
}

#[test]
fn json_output_for_local_runs() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![("/openapi.json", ok(&body))]);
    let job = ingest_job(&server, "1.0.0", &body);
    let run = job.run_with_args(&["ingest", "--output", "json"]);
    run.expect_code(0);
    let printed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(printed["version"], "1.0.0");
    assert_eq!(printed["skipped"], "false");
}

#[test]
fn user_templates_override_the_summary() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![("/openapi.json", ok(&body))]);
    let mut job = ingest_job(&server, "1.0.0", &body);
    let dir = job.workspace().join(".specrelay/templates/reports");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("ingest-summary.md.j2"),
        "Custom: {{ title }} {{ version }}\n",
    )
    .unwrap();
    job.input("templates_dir", ".specrelay/templates");
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.summary, "Custom: Test API 1.0.0\n");
}

#[test]
fn yaml_specs_are_stored_as_canonical_json() {
    let yaml = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/acme-pets.openapi.yaml"
    ))
    .unwrap();
    let server = TestServer::start(vec![(
        "/openapi.yaml",
        Behaviour::Ok {
            body: yaml.clone(),
            content_type: "application/yaml",
        },
    )]);
    let mut job = Job::new("ingest");
    job.dispatch(payload("1.2.0", &yaml, &server.url("/openapi.yaml")));
    job.run().expect_code(0);
    let stored = job.read("openapi/history/openapi-1.2.0.json");
    let value: serde_json::Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(value["info"]["title"], "Acme Pet Store");
    assert!(
        value["paths"]["/pets"]["get"]["responses"]["200"].is_object(),
        "integer keys became strings"
    );
    assert!(stored.ends_with("}\n"));
}
