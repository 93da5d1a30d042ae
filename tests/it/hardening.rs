//! Hostile-input hardening, end to end (issue #14): a server that echoes
//! the `Authorization` header it was sent, for every stage that talks to a
//! server, with the token given as an input and as a flag; credentials in
//! download URLs; secrets in clap's usage errors. Nothing may reach stderr
//! (beyond `::add-mask::`), stdout, the outputs, the step summary or any
//! file written into the workspace, in raw, base64 or `Basic` form.

use crate::support::http_server::{Behaviour, RecordedRequest, TestServer};
use crate::support::runner::{Job, Run};
use crate::{payload, spec_json};
use base64::Engine as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

const TOKEN: &str = "ghp_EchoedSecret0123456789abcdefXYZ";

/// Answers every request with 401 and a body that quotes the request's
/// `Authorization` header, and the password inside a `Basic` one, as some
/// proxies and registries do. JSON, so GitHub's client reads its `message`.
fn echo_server() -> TestServer {
    TestServer::start_with_handler(Arc::new(|request: &RecordedRequest| {
        let sent = request.header("authorization").unwrap_or("nothing");
        let decoded = sent
            .strip_prefix("Basic ")
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let message = format!("Bad credentials: you sent {sent} ({decoded})");
        Behaviour::Status {
            code: 401,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(&serde_json::json!({ "message": message, "error": message }))
                .unwrap(),
        }
    }))
}

/// Every form a token can leak in.
fn forms(token: &str) -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        token.to_owned(),
        b64(token),
        b64(&format!("__token__:{token}")),
        b64(&format!("uploader:{token}")),
    ]
}

/// No form of `token` anywhere the run wrote, except the runner's masks.
fn assert_no_leak(run: &Run, job: &Job, token: &str) {
    let stderr: String = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("::add-mask::"))
        .collect::<Vec<_>>()
        .join("\n");
    let files = crate::support::runner::snapshot(&job.workspace());
    for form in forms(token) {
        assert!(!stderr.contains(&form), "stderr leaks {form}:\n{stderr}");
        assert!(!run.stdout.contains(&form), "stdout leaks {form}");
        assert!(
            !run.summary.contains(&form),
            "summary leaks {form}:\n{}",
            run.summary
        );
        for (name, value) in &run.outputs {
            assert!(!value.contains(&form), "output {name} leaks {form}");
        }
        for (path, bytes) in &files {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains(&form), "{} leaks {form}", path.display());
        }
    }
}

fn assert_echo_reached(server: &TestServer) {
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.has_header("authorization")),
        "the server was sent a credential (else the test checks nothing)"
    );
}

fn ingest_job(server: &TestServer) -> Job {
    let mut job = Job::new("ingest");
    let body = spec_json("1.0.0");
    job.dispatch(payload("1.0.0", &body, &server.url("/openapi.json")));
    job
}

#[test]
fn ingest_never_prints_an_echoed_download_token_given_as_input() {
    let server = echo_server();
    let mut job = ingest_job(&server);
    job.input("download_token", TOKEN);
    let run = job.run();
    run.expect_code(1).expect_stderr("HTTP 401");
    assert_echo_reached(&server);
    assert!(
        run.stderr.contains("Bad credentials: you sent Bearer ***"),
        "{}",
        run.stderr
    );
    assert_no_leak(&run, &job, TOKEN);
}

#[test]
fn ingest_masks_a_download_token_given_as_a_flag() {
    let server = echo_server();
    let job = ingest_job(&server);
    let run = job.run_with_args(&["ingest", "--download-token", TOKEN]);
    run.expect_code(1).expect_stderr("HTTP 401");
    assert_echo_reached(&server);
    assert!(
        run.stderr.contains(&format!("::add-mask::{TOKEN}\n")),
        "a flag is masked like an input:\n{}",
        run.stderr
    );
    assert_no_leak(&run, &job, TOKEN);
}

#[test]
fn credentials_in_a_download_url_are_neither_stored_nor_printed() {
    let body = spec_json("1.0.0");
    let server = TestServer::start(vec![(
        "/openapi.json",
        Behaviour::Ok {
            body: body.clone(),
            content_type: "application/json",
        },
    )]);
    let mut job = Job::new("ingest");
    let url = format!(
        "{}?access_token=QuerySecret0042&v=1",
        server.url("/openapi.json")
    );
    job.dispatch(payload("1.0.0", &body, &url));
    let run = job.run();
    run.expect_code(0);
    assert_eq!(
        server.requests()[0].query.as_deref(),
        Some("access_token=QuerySecret0042&v=1")
    );
    let latest = job.read("openapi/latest.json");
    assert!(latest.contains("access_token=***&v=1"), "{latest}");
    assert_no_leak(&run, &job, "QuerySecret0042");
}

#[test]
fn a_private_key_on_the_wrong_flag_is_not_printed_in_the_usage_error() {
    let key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
    let job = Job::new("ingest");
    let run = job.run_with_args(&["ingest", &format!("--max-attempts={key}")]);
    run.expect_code(2).expect_stderr("--max-attempts");
    assert!(
        !run.stderr
            .contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"),
        "{}",
        run.stderr
    );
    // An input given to the wrong stage's flag is masked as well.
    let mut job = Job::new("ingest");
    job.input("app_private_key", key);
    let run = job.run_with_args(&["ingest", "--nonsense", key]);
    run.expect_code(2);
    assert!(!run.stderr.contains("MIIEvQ"), "{}", run.stderr);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn publish_never_prints_echoed_registry_credentials() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let server = echo_server();
    for (registry, token_input, flag) in [
        ("pypi", "pypi_token", None),
        ("npm", "npm_token", None),
        ("pypi", "pypi_token", Some("--pypi-token")),
    ] {
        let mut job = Job::new("publish");
        copy_dir(
            &root.join("tests/golden/sdk/typescript/pets-30"),
            &job.workspace().join("sdk/typescript"),
        );
        copy_dir(
            &root.join("tests/fixtures/publish/python"),
            &job.workspace().join("sdk/python"),
        );
        job.input("registries", registry)
            .input("npm_registry_url", &server.url("/npm/"))
            .input("pypi_repository_url", &server.url("/pypi/"))
            .input("pypi_username", "__token__")
            .input("max_attempts", "1")
            .input("upload_timeout", "10")
            .input("publish_deadline", "20");
        let run = match flag {
            None => {
                job.input(token_input, TOKEN);
                job.run()
            }
            Some(flag) => job.run_with_args(&["publish", flag, TOKEN]),
        };
        assert_ne!(run.code, 0, "{registry}: {}", run.stderr);
        assert_echo_reached(&server);
        assert!(run.stderr.contains("401"), "{registry}: {}", run.stderr);
        assert_no_leak(&run, &job, TOKEN);
    }
}

#[test]
fn downstream_never_prints_an_echoed_github_token() {
    let server = echo_server();
    let mut job = Job::new("downstream");
    let sdk = job.workspace().join("sdk/typescript");
    std::fs::create_dir_all(&sdk).unwrap();
    std::fs::write(
        sdk.join("package.json"),
        "{\"name\": \"@acme/pets\", \"version\": \"2.0.0\"}\n",
    )
    .unwrap();
    job.input("repositories", "acme/web")
        .input("github_token", TOKEN)
        .input("github_max_attempts", "1")
        .env("GITHUB_API_URL", &server.url(""));
    let run = job.run();
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_echo_reached(&server);
    assert!(run.stderr.contains("Bad credentials"), "{}", run.stderr);
    assert_no_leak(&run, &job, TOKEN);
}

/// A server for `/v/<version>.json`, each a distinct spec.
fn versions_server() -> TestServer {
    TestServer::start_with_handler(Arc::new(|request: &RecordedRequest| {
        match request
            .path
            .strip_prefix("/v/")
            .and_then(|p| p.strip_suffix(".json"))
        {
            Some(version) => Behaviour::Ok {
                body: spec_json(version),
                content_type: "application/json",
            },
            None => Behaviour::status(404),
        }
    }))
}

/// An ingest of `version` into `workspace` (shared by several jobs), and
/// the job, which holds the event payload and the output file.
fn versioned_job(server: &TestServer, workspace: &Path, version: &str) -> (Job, Command) {
    let mut job = Job::new("ingest");
    job.input("allow_older", "true");
    let body = spec_json(version);
    job.dispatch(payload(
        version,
        &body,
        &server.url(&format!("/v/{version}.json")),
    ));
    let mut command = job.command();
    command
        .env("GITHUB_WORKSPACE", workspace)
        .current_dir(workspace)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    (job, command)
}

/// Starts every command at once, then waits for all; panics on a failure.
fn run_together(jobs: Vec<(Job, Command)>, round: usize) -> Vec<Job> {
    let started: Vec<(Job, std::process::Child)> = jobs
        .into_iter()
        .map(|(job, mut command)| {
            let child = command.spawn().unwrap();
            (job, child)
        })
        .collect();
    started
        .into_iter()
        .map(|(job, child)| {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            job
        })
        .collect()
}

/// What an ingest run leaves that must not depend on how runs interleave:
/// every stored spec, latest.json, the set of CHANGELOG entries and the
/// versions the timeline (`history/index.json`) lists.
/// Stored specs (name, bytes), latest.json's version, the CHANGELOG
/// headings, the timeline's versions.
type HistoryState = (Vec<(String, Vec<u8>)>, String, Vec<String>, Vec<String>);

fn history_state(workspace: &Path) -> HistoryState {
    let history = workspace.join("openapi/history");
    let mut stored: Vec<(String, Vec<u8>)> = std::fs::read_dir(&history)
        .map(|entries| {
            entries
                .map(|e| e.unwrap())
                .filter(|e| e.file_name() != "index.json")
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    stored.sort();
    let latest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(workspace.join("openapi/latest.json")).unwrap())
            .unwrap();
    let mut entries: Vec<String> = std::fs::read_to_string(workspace.join("CHANGELOG.md"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("## "))
        .map(str::to_owned)
        .collect();
    entries.sort();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(history.join("index.json")).unwrap()).unwrap();
    let timeline = index["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap().to_owned())
        .collect();
    (
        stored,
        latest["version"].as_str().unwrap().to_owned(),
        entries,
        timeline,
    )
}

/// Five ingests of five versions started together in one workspace end as
/// a sequential run does: nothing lost, latest.json on the newest; and of
/// five ingests of one version exactly one stores it. 20 rounds each.
#[test]
fn concurrent_ingests_equal_a_sequential_run() {
    let server = versions_server();
    let versions = ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4"];
    let sequential = tempfile::tempdir().unwrap();
    for version in versions {
        run_together(vec![versioned_job(&server, sequential.path(), version)], 0);
    }
    let expected = history_state(sequential.path());
    assert_eq!(expected.0.len(), 5);
    let rounds: usize = std::env::var("SPECRELAY_CONCURRENCY_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    for round in 0..rounds {
        let workspace = tempfile::tempdir().unwrap();
        let jobs = versions
            .iter()
            .rev()
            .map(|v| versioned_job(&server, workspace.path(), v))
            .collect();
        run_together(jobs, round);
        let state = history_state(workspace.path());
        assert_eq!(state.0, expected.0, "round {round}: stored specs");
        assert_eq!(
            state.1, "1.0.4",
            "round {round}: latest.json went backwards"
        );
        assert_eq!(
            state.2.len(),
            5,
            "round {round}: CHANGELOG entries lost: {:?}",
            state.2
        );
        let leftovers = crate::support::runner::snapshot(workspace.path())
            .into_keys()
            .filter(|p| p.to_string_lossy().contains(".specrelay-"))
            .count();
        assert_eq!(leftovers, 0, "round {round}");

        // The same version five times: one run stores it, four skip.
        let same = tempfile::tempdir().unwrap();
        let jobs = (0..5)
            .map(|_| versioned_job(&server, same.path(), "2.0.0"))
            .collect();
        let stored = run_together(jobs, round)
            .iter()
            .filter(|job| job.outputs()["skipped"] == "false")
            .count();
        assert_eq!(
            stored, 1,
            "round {round}: the same version stored more than once"
        );
    }
}

/// A spec of about 300 KB, so that a run spends a while writing.
fn big_spec(version: &str) -> Vec<u8> {
    let mut paths = serde_json::Map::new();
    for i in 0..600 {
        paths.insert(
            format!("/things{i}/{{id}}"),
            serde_json::json!({"get": {
                "operationId": format!("getThing{i}"),
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": format!("thing {i} of version {version}")}}
            }}),
        );
    }
    serde_json::to_vec_pretty(&serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Big", "version": version},
        "paths": paths,
    }))
    .unwrap()
}

/// `kill -9` at random points of ingest runs: whatever it interrupts, the
/// next run succeeds and leaves no temporary file in the workspace, and the
/// history stays readable. The count is bounded (`SPECRELAY_KILL_ROUNDS`,
/// default 12); the seed is printed. The kills fall in the second half
/// of a run, where it writes.
#[test]
fn kill_9_at_random_points_leaves_nothing_behind_for_the_next_run() {
    let server = TestServer::start_with_handler(Arc::new(|request: &RecordedRequest| {
        let version = request
            .path
            .trim_start_matches("/v/")
            .trim_end_matches(".json");
        Behaviour::Ok {
            body: big_spec(version),
            content_type: "application/json",
        }
    }));
    let workspace = tempfile::tempdir().unwrap();
    let job_for = |version: &str| {
        let mut job = Job::new("ingest");
        let body = big_spec(version);
        job.dispatch(payload(
            version,
            &body,
            &server.url(&format!("/v/{version}.json")),
        ));
        let mut command = job.command();
        command
            .env("GITHUB_WORKSPACE", workspace.path())
            .current_dir(workspace.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        (job, command)
    };
    // How long a whole run takes here, to spread the kills over it.
    let started = std::time::Instant::now();
    let (_job, mut first) = job_for("1.0.0");
    assert!(first.output().unwrap().status.success());
    let span = started.elapsed().as_micros().max(1000) as u64;
    let rounds: u64 = std::env::var("SPECRELAY_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("kill -9 seed {seed}, a run takes {span} µs");
    let mut killed_mid_run = 0;
    for round in 1..=rounds {
        // xorshift: a different point of the run each round.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let version = format!("1.0.{round}");
        let (_job, mut command) = job_for(&version);
        let mut child = command.spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_micros(
            span / 2 + seed % (span * 6 / 10),
        ));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let (_job, mut again) = job_for(&version);
        let out = again.output().unwrap();
        assert!(
            out.status.success(),
            "round {round}: the run after a kill failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let files = crate::support::runner::snapshot(workspace.path());
        let leftovers: Vec<_> = files
            .keys()
            .filter(|p| p.to_string_lossy().contains(".specrelay-"))
            .collect();
        assert!(leftovers.is_empty(), "round {round}: {leftovers:?}");
        let latest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(workspace.path().join("openapi/latest.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(latest["version"], version.as_str(), "round {round}");
    }
    println!("{killed_mid_run} of {rounds} kills landed while the run was still going");
    assert!(
        killed_mid_run > 0,
        "no kill interrupted a run: the test checked nothing"
    );
}
