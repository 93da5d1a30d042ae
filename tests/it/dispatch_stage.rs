//! `dispatch` against the fake GitHub: the payload `ingest` reads, sent to
//! every consumer; the change type from the diff against the consumer's
//! latest.json; a re-run of the same bytes sends nothing; a bump that does
//! not cover the diff is refused; one missing repository does not stop the
//! others; and `ingest` accepts exactly the payload that was sent.

use crate::support::fake_github::{FakeGitHub, TOKEN};
use crate::support::http_server::{Behaviour, TestServer};
use crate::support::runner::{Job, Run, sha256};
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PRODUCER: &str = "acme/pets";
const SHA: &str = "4f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";

fn example(name: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/examples/{name}")).unwrap()
}

/// A consumer that stored `version` (the bytes `stored`) as ingest does.
fn consumer_with(github: &FakeGitHub, repo: &str, version: &str, announced: &[u8]) {
    let record = json!({
        "version": version,
        "checksum": sha256(announced),
        "stored_sha256": sha256(announced),
        "path": format!("openapi/history/{version}.yaml"),
        "previous_version": null,
        "change_type": "minor",
        "breaking": false,
        "title": "Acme Pet Store",
        "source_repo": PRODUCER,
        "download_url": "https://raw.githubusercontent.com/acme/pets/0/openapi.yaml",
        "ingested_at": "2026-01-01T00:00:00Z"
    });
    let latest = serde_json::to_vec_pretty(&record).unwrap();
    let path = format!("openapi/history/{version}.yaml");
    github.create_repo(
        repo,
        "main",
        &[("openapi/latest.json", &latest), (&path, announced)],
    );
}

fn job(github: &FakeGitHub, spec: &[u8], repositories: &str) -> Job {
    let mut job = Job::new("dispatch");
    std::fs::write(job.workspace().join("openapi.yaml"), spec).unwrap();
    job.input("spec", "openapi.yaml")
        .input("repositories", repositories)
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url())
        .env("GITHUB_REPOSITORY", PRODUCER)
        .env("GITHUB_SHA", SHA)
        .env("GITHUB_RUN_ID", "77")
        .env("GITHUB_RUN_ATTEMPT", "1");
    job
}

fn payload(github: &FakeGitHub, repo: &str) -> Value {
    let sent = github.dispatches(repo);
    assert_eq!(sent.len(), 1, "{repo}: {sent:?}");
    assert_eq!(sent[0]["event_type"], "openapi_spec_updated");
    sent[0]["client_payload"].clone()
}

#[test]
fn a_first_announcement_reaches_every_consumer_with_the_payload_ingest_reads() {
    let github = FakeGitHub::start();
    github.create_repo("acme/web", "main", &[("README.md", b"web\n")]);
    github.create_repo("acme/app", "main", &[("README.md", b"app\n")]);
    let spec = example("acme-pets.openapi.yaml");

    let run = job(&github, &spec, "acme/web\nacme/app")
        .input("api", "pets")
        .run();
    run.expect_code(0);
    let checksum = sha256(&spec);
    let expected = json!({
        "version": "1.2.0",
        "checksum": checksum,
        "change_type": "minor",
        "download_url": format!("https://raw.githubusercontent.com/acme/pets/{SHA}/openapi.yaml"),
        "source_repo": PRODUCER,
        "api": "pets",
        "correlation_id": format!("acme/pets:77.1:{}", &checksum[..12]),
    });
    assert_eq!(payload(&github, "acme/web"), expected);
    assert_eq!(payload(&github, "acme/app"), expected);
    assert_eq!(run.output("version"), "1.2.0");
    assert_eq!(run.output("checksum"), checksum);
    assert_eq!(run.output("change_type"), "minor");
    assert_eq!(run.output("correlation_id"), expected["correlation_id"]);
    assert_eq!(run.output("skipped"), "false");
    assert_eq!(run.output("dispatched"), "acme/web,acme/app");
    assert!(
        run.summary.contains("first announcement"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("```mermaid"), "{}", run.summary);
}

#[test]
fn the_change_type_comes_from_the_diff_against_the_consumers_latest_and_a_rerun_sends_nothing() {
    let github = FakeGitHub::start();
    let before = example("acme-pets.openapi.yaml");
    consumer_with(&github, "acme/web", "1.2.0", &before);
    // An added operation: a minor change.
    let after = String::from_utf8(before.clone())
        .unwrap()
        .replace("version: 1.2.0", "version: 1.3.0")
        .replacen(
            "\npaths:\n",
            "\npaths:\n  /health:\n    get:\n      operationId: getHealth\n      responses:\n        '200':\n          description: Healthy.\n",
            1,
        )
        .into_bytes();

    let run = job(&github, &after, "acme/web").run();
    run.expect_code(0);
    let sent = payload(&github, "acme/web");
    assert_eq!(sent["version"], "1.3.0");
    assert_eq!(sent["change_type"], "minor");
    assert_eq!(run.output("change_type"), "minor");
    assert!(
        run.summary.contains("1.2.0 (acme/web openapi/latest.json)"),
        "{}",
        run.summary
    );

    // The consumer already has these very bytes: nothing to announce.
    let github = FakeGitHub::start();
    consumer_with(&github, "acme/web", "1.3.0", &after);
    let again = job(&github, &after, "acme/web").run();
    again.expect_code(0);
    assert_eq!(again.output("skipped"), "true");
    assert_eq!(again.output("dispatched"), "");
    assert!(github.dispatches("acme/web").is_empty());
}

#[test]
fn a_breaking_change_under_a_minor_bump_is_refused_before_anyone_is_told() {
    let github = FakeGitHub::start();
    let before = example("acme-pets.openapi.yaml");
    consumer_with(&github, "acme/web", "1.2.0", &before);
    // Remove every path: breaking, but announced as 1.3.0.
    let text = String::from_utf8(before).unwrap();
    let cut = text.find("\npaths:").unwrap();
    let rest = &text[cut + 1..];
    let end = rest.find("\ncomponents:").unwrap();
    let broken = format!("{}paths: {{}}{}", &text[..cut + 1], &rest[end..])
        .replace("version: 1.2.0", "version: 1.3.0");

    let run = job(&github, broken.as_bytes(), "acme/web").run();
    run.expect_code(1).expect_stderr("not announced");
    assert_eq!(run.output("change_type"), "major");
    assert!(github.dispatches("acme/web").is_empty());

    // With `warn`, it is sent as what it is: a major change.
    let warned = job(&github, broken.as_bytes(), "acme/web")
        .input("semver_policy", "warn")
        .run();
    warned.expect_code(0);
    assert_eq!(payload(&github, "acme/web")["change_type"], "major");
}

#[test]
fn a_missing_repository_does_not_stop_the_others_and_fails_the_step() {
    let github = FakeGitHub::start();
    github.create_repo("acme/web", "main", &[("README.md", b"web\n")]);
    let spec = example("acme-pets.openapi.yaml");
    let run = job(&github, &spec, "acme/web,acme/gone")
        .input("baseline", "repo:acme/web")
        .run();
    run.expect_code(1).expect_stderr("acme/gone");
    assert_eq!(run.output("dispatched"), "acme/web");
    assert_eq!(github.dispatches("acme/web").len(), 1);
}

#[test]
fn ingest_accepts_exactly_the_payload_dispatch_sent() {
    let spec = example("acme-pets.openapi.yaml");
    let server = TestServer::start(vec![(
        "/specs/acme/pets/1.2.0/openapi.yaml",
        Behaviour::yaml(spec.clone()),
    )]);
    let github = FakeGitHub::start();
    github.create_repo("acme/web", "main", &[("README.md", b"web\n")]);
    let template = format!(
        "{}/specs/{{repository}}/{{version}}/{{path}}",
        server.origin()
    );
    let sent: Run = job(&github, &spec, "acme/web")
        .input("download_url", &template)
        .run();
    sent.expect_code(0);
    let client_payload = payload(&github, "acme/web");

    let mut ingest = Job::new("ingest");
    ingest.dispatch(client_payload.clone());
    let ingested = ingest.run();
    ingested.expect_code(0);
    assert_eq!(ingested.output("version"), "1.2.0");
    assert_eq!(ingested.output("checksum"), client_payload["checksum"]);
    assert_eq!(server.hits("/specs/acme/pets/1.2.0/openapi.yaml"), 1);
    // The consumer's run names the producer's.
    assert_eq!(
        ingested.output("correlation_id"),
        client_payload["correlation_id"]
    );
    let id = client_payload["correlation_id"].as_str().unwrap();
    assert!(ingested.summary.contains(id), "{}", ingested.summary);
}

#[test]
fn an_owner_less_source_repo_is_the_event_owners() {
    let spec = example("acme-pets.openapi.yaml");
    let server = TestServer::start(vec![("/openapi.yaml", Behaviour::yaml(spec.clone()))]);
    let mut ingest = Job::new("ingest");
    ingest.event(
        "repository_dispatch",
        &json!({
            "action": "openapi_spec_updated",
            "client_payload": {
                "version": "1.2.0",
                "checksum": sha256(&spec),
                "change_type": "minor",
                "download_url": server.url("/openapi.yaml"),
                "source_repo": "bondmcp-platform"
            },
            "repository": {"full_name": "bondmcp/sdk", "owner": {"login": "bondmcp"}}
        }),
    );
    let run = ingest.run();
    run.expect_code(0);
    assert_eq!(run.output("correlation_id"), "");
    let latest: Value = serde_json::from_str(&ingest.read("openapi/latest.json")).unwrap();
    assert_eq!(latest["source_repo"], "bondmcp/bondmcp-platform");
}

/// A consumer whose download does not match the announced checksum.
fn rejecting_ingest(github: &FakeGitHub, server: &TestServer, mode: &str) -> Run {
    let mut ingest = Job::new("ingest");
    ingest
        .dispatch(json!({
            "version": "1.2.0",
            "checksum": "0".repeat(64),
            "change_type": "minor",
            "download_url": server.url("/openapi.yaml"),
            "source_repo": PRODUCER,
            "correlation_id": "acme/pets:77.1:000000000000"
        }))
        .input("notify_source", mode)
        .input("allowed_source_repos", PRODUCER)
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url())
        .env("GITHUB_REPOSITORY", "acme/web")
        .env("GITHUB_RUN_ID", "5");
    ingest.run()
}

#[test]
fn a_rejected_announcement_reaches_the_producer_as_one_issue_edited_in_place() {
    let server = TestServer::start(vec![(
        "/openapi.yaml",
        Behaviour::yaml(example("acme-pets.openapi.yaml")),
    )]);
    let github = FakeGitHub::start();
    github.create_repo(PRODUCER, "main", &[("openapi.yaml", b"x")]);

    let first = rejecting_ingest(&github, &server, "issue");
    first.expect_code(1).expect_stderr("checksum mismatch");
    let issues = github.issues(PRODUCER);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(
        issues[0]
            .body
            .starts_with("<!-- specrelay:rejected consumer=acme/web -->")
    );
    assert!(
        issues[0].body.contains("checksum mismatch"),
        "{}",
        issues[0].body
    );
    assert!(issues[0].body.contains("acme/pets:77.1:000000000000"));
    assert!(
        issues[0]
            .body
            .contains("https://github.com/acme/web/actions/runs/5")
    );

    // The next rejection edits the same issue.
    let second = rejecting_ingest(&github, &server, "issue");
    second.expect_code(1);
    assert_eq!(github.issues(PRODUCER).len(), 1);

    // `dispatch` sends the reason back instead.
    let third = rejecting_ingest(&github, &server, "dispatch");
    third.expect_code(1);
    let sent = github.dispatches(PRODUCER);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["event_type"], "openapi_spec_rejected");
    assert_eq!(sent[0]["client_payload"]["consumer"], "acme/web");
    assert!(
        sent[0]["client_payload"]["reason"]
            .as_str()
            .unwrap()
            .contains("checksum mismatch")
    );
}

#[test]
fn a_producer_outside_allowed_source_repos_is_not_written_to() {
    let server = TestServer::start(vec![(
        "/openapi.yaml",
        Behaviour::yaml(example("acme-pets.openapi.yaml")),
    )]);
    let github = FakeGitHub::start();
    github.create_repo(PRODUCER, "main", &[("openapi.yaml", b"x")]);
    let mut ingest = Job::new("ingest");
    ingest
        .dispatch(json!({
            "version": "1.2.0",
            "checksum": "0".repeat(64),
            "change_type": "minor",
            "download_url": server.url("/openapi.yaml"),
            "source_repo": PRODUCER
        }))
        .input("notify_source", "issue")
        .input("allowed_source_repos", "acme/other")
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url())
        .env("GITHUB_REPOSITORY", "acme/web");
    ingest.run().expect_code(1);
    assert!(github.issues(PRODUCER).is_empty());
}

#[test]
fn two_apis_of_one_repository_are_stored_apart_by_the_announcements_api() {
    let spec = example("acme-pets.openapi.yaml");
    let server = TestServer::start(vec![(
        "/acme/pets/1.2.0/openapi.yaml",
        Behaviour::yaml(spec.clone()),
    )]);
    let github = FakeGitHub::start();
    github.create_repo("acme/platform-sdk", "main", &[("README.md", b"sdk\n")]);
    let template = format!("{}/{{repository}}/{{version}}/{{path}}", server.origin());
    for api in ["coordinator", "node"] {
        job(&github, &spec, "acme/platform-sdk")
            .input("download_url", &template)
            .input("api", api)
            .run()
            .expect_code(0);
    }
    let sent = github.dispatches("acme/platform-sdk");
    assert_eq!(sent.len(), 2);

    let mut consumer = Job::new("ingest");
    std::fs::write(
        consumer.workspace().join("specrelay.yaml"),
        "apis:\n  coordinator:\n    openapi_dir: apis/coordinator\n  node: {}\n",
    )
    .unwrap();
    for (dispatch, dir) in sent.iter().zip(["apis/coordinator", "openapi/node"]) {
        consumer.dispatch(dispatch["client_payload"].clone());
        let run = consumer.run();
        run.expect_code(0);
        assert_eq!(run.output("skipped"), "false", "{dir}");
        assert!(consumer.exists(&format!("{dir}/latest.json")), "{dir}");
    }
    assert!(!consumer.exists("openapi/latest.json"));

    // Without `api`, a repository with several APIs cannot tell which.
    let mut payload = sent[0]["client_payload"].clone();
    payload.as_object_mut().unwrap().remove("api");
    consumer.dispatch(payload);
    consumer
        .run()
        .expect_code(1)
        .expect_stderr("must say which");
}

#[test]
fn the_baseline_can_come_from_git_history() {
    let github = FakeGitHub::start();
    github.create_repo("acme/web", "main", &[("README.md", b"web\n")]);
    let before = example("acme-pets.openapi.yaml");
    let job = job(&github, &before, "acme/web");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(job.workspace())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "openapi.yaml"]);
    git(&["commit", "-q", "-m", "1.2.0"]);
    let patched = String::from_utf8(before)
        .unwrap()
        .replace("version: 1.2.0", "version: 1.2.1");
    std::fs::write(job.workspace().join("openapi.yaml"), &patched).unwrap();
    let mut job = job;
    let run = job.input("baseline", "git:HEAD:openapi.yaml").run();
    run.expect_code(0);
    assert_eq!(run.output("change_type"), "patch");
    assert!(
        run.summary.contains("1.2.0 (git:HEAD:openapi.yaml)"),
        "{}",
        run.summary
    );
}

#[test]
fn an_announced_api_the_consumer_does_not_list_exits_2_and_reaches_the_producer() {
    let server = TestServer::start(vec![(
        "/openapi.yaml",
        Behaviour::yaml(example("acme-pets.openapi.yaml")),
    )]);
    let github = FakeGitHub::start();
    github.create_repo(PRODUCER, "main", &[("openapi.yaml", b"x")]);
    let mut ingest = Job::new("ingest");
    std::fs::write(
        ingest.workspace().join("specrelay.yaml"),
        "apis:\n  coordinator: {}\n  node: {}\n",
    )
    .unwrap();
    ingest
        .dispatch(json!({
            "version": "1.2.0",
            "checksum": sha256(&example("acme-pets.openapi.yaml")),
            "change_type": "minor",
            "download_url": server.url("/openapi.yaml"),
            "source_repo": PRODUCER,
            "api": "docker"
        }))
        .input("notify_source", "issue")
        .input("allowed_source_repos", PRODUCER)
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url())
        .env("GITHUB_REPOSITORY", "acme/web");
    let before = ingest.snapshot();
    ingest
        .run()
        .expect_code(2)
        .expect_stderr("no API \"docker\" in specrelay.yaml (it lists coordinator, node)");
    assert_eq!(ingest.snapshot(), before, "nothing written");
    let issues = github.issues(PRODUCER);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(
        issues[0].body.contains("no API \"docker\""),
        "{}",
        issues[0].body
    );

    // The consumer's own `api` input naming an unknown API is its own
    // mistake: the producer is not told.
    ingest.input("api", "web");
    ingest.run().expect_code(2).expect_stderr("no API \"web\"");
    let after = github.issues(PRODUCER);
    assert_eq!(after.len(), 1);
    assert!(!after[0].body.contains("\"web\""), "{}", after[0].body);
}
