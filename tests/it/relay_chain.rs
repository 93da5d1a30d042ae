//! The whole relay, chained as `openapi-ingestion.yml` and `spec-producer.yml`
//! chain it, each stage a fresh process reading what the one before wrote
//! (the consumer's checkout, and outputs read from `GITHUB_OUTPUT` files as
//! the runner passes them between jobs): `dispatch` in the producer against
//! the fake GitHub -> `ingest` of exactly the payload it sent -> `generate` ->
//! `publish` to Verdaccio and pypiserver on 127.0.0.1 -> `downstream` pull
//! request on the fake GitHub.

use crate::support::fake_github::{FakeGitHub, TOKEN};
use crate::support::http_server::{Behaviour, TestServer};
use crate::support::registries::{PypiServer, Verdaccio};
use crate::support::runner::{Job, Run};
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PRODUCER: &str = "acme/pets";
const CONSUMER: &str = "acme/pets-sdk";
const DOWNSTREAM: &str = "acme/web";
const PYPI_USER: &str = "uploader";
const PYPI_PASSWORD: &str = "pypi-Relay-Password-0451";

/// A consumer-side step: the same checkout, the stage's own inputs only.
fn step(consumer: &mut Job, stage: &str, inputs: &[(&str, &str)]) -> Run {
    let keep = ["allow_private_network", "allow_http"];
    let names: Vec<String> = consumer_inputs(consumer);
    for name in names.iter().filter(|n| !keep.contains(&n.as_str())) {
        consumer.remove_input(name);
    }
    consumer.input("stage", stage);
    for (name, value) in inputs {
        consumer.input(name, value);
    }
    let run = consumer.run();
    run.expect_code(0);
    run
}

/// Every input name a job may carry in this chain.
fn consumer_inputs(_job: &Job) -> Vec<String> {
    [
        "stage",
        "repositories",
        "npm_registry_url",
        "npm_token",
        "pypi_repository_url",
        "pypi_username",
        "pypi_token",
        "max_attempts",
        "npm_package",
        "npm_version",
        "pypi_package",
        "pypi_version",
        "github_token",
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn a_spec_travels_from_the_producer_to_a_downstream_pull_request() {
    let spec = std::fs::read(format!("{ROOT}/examples/acme-pets.openapi.yaml")).unwrap();
    let server = TestServer::start(vec![(
        "/acme/pets/1.2.0/openapi.yaml",
        Behaviour::yaml(spec.clone()),
    )]);
    let github = FakeGitHub::start();
    github.create_repo(CONSUMER, "main", &[("README.md", b"sdk\n")]);

    // Producer: spec-producer.yml's one job.
    let mut producer = Job::new("dispatch");
    std::fs::write(producer.workspace().join("openapi.yaml"), &spec).unwrap();
    producer
        .input("spec", "openapi.yaml")
        .input("repositories", CONSUMER)
        .input(
            "download_url",
            &format!("{}/{{repository}}/{{version}}/{{path}}", server.origin()),
        )
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url())
        .env("GITHUB_REPOSITORY", PRODUCER)
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_RUN_ID", "11")
        .env("GITHUB_RUN_ATTEMPT", "1");
    let dispatched = producer.run();
    dispatched.expect_code(0);
    let sent = github.dispatches(CONSUMER);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["event_type"], "openapi_spec_updated");

    // Consumer: openapi-ingestion.yml, on the dispatch it received.
    let mut consumer = Job::new("ingest");
    consumer
        .event(
            "repository_dispatch",
            &json!({
                "action": sent[0]["event_type"],
                "client_payload": sent[0]["client_payload"],
                "repository": {"full_name": CONSUMER, "owner": {"login": "acme"}}
            }),
        )
        .env("GITHUB_REPOSITORY", CONSUMER)
        .env("GITHUB_API_URL", &github.url());
    let ingested = step(&mut consumer, "ingest", &[]);
    assert_eq!(ingested.output("skipped"), "false");
    assert_eq!(ingested.output("version"), dispatched.output("version"));
    assert_eq!(ingested.output("checksum"), dispatched.output("checksum"));
    assert_eq!(
        ingested.output("correlation_id"),
        dispatched.output("correlation_id")
    );

    let generated = step(&mut consumer, "generate", &[]);
    let npm_name = generated.output("typescript_package").to_owned();
    assert!(!npm_name.is_empty());

    let verdaccio = Verdaccio::start();
    let npm_token = verdaccio.add_user("publisher", "correct-horse-battery");
    let pypi = PypiServer::start(PYPI_USER, PYPI_PASSWORD);
    let published = step(
        &mut consumer,
        "publish",
        &[
            ("npm_registry_url", &verdaccio.registry()),
            ("npm_token", &npm_token),
            ("pypi_repository_url", &pypi.url("")),
            ("pypi_username", PYPI_USER),
            ("pypi_token", PYPI_PASSWORD),
            ("max_attempts", "2"),
        ],
    );
    assert_eq!(published.output("npm_published"), "true");
    assert_eq!(published.output("pypi_published"), "true");
    assert_eq!(published.output("npm_version"), "1.2.0");
    assert!(!pypi.stored().is_empty());

    // downstream bumps the web app to what publish reported.
    let package_json = format!(
        "{{\n  \"name\": \"web\",\n  \"dependencies\": {{\n    \"{npm_name}\": \"^1.0.0\"\n  }}\n}}\n"
    );
    github.create_repo(
        DOWNSTREAM,
        "main",
        &[("package.json", package_json.as_bytes())],
    );
    let downstream = step(
        &mut consumer,
        "downstream",
        &[
            ("repositories", DOWNSTREAM),
            ("npm_package", published.output("npm_package")),
            ("npm_version", published.output("npm_version")),
            ("github_token", TOKEN),
        ],
    );
    let rows: Value = serde_json::from_str(downstream.output("pull_requests")).unwrap();
    assert_eq!(rows[0]["action"], "created", "{rows}");
    let pulls = github.pulls(DOWNSTREAM);
    assert_eq!(pulls.len(), 1);
    let bumped = github
        .file(DOWNSTREAM, &pulls[0].head, "package.json")
        .unwrap();
    assert!(
        String::from_utf8(bumped).unwrap().contains("\"^1.2.0\""),
        "the pull request bumps to the published version"
    );
}
