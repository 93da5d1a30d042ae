//! The whole relay, chained as `openapi-ingestion.yml` and `spec-producer.yml`
//! chain it, each stage a fresh process reading what the one before wrote
//! (the consumer's checkout, and outputs read from `GITHUB_OUTPUT` files as
//! the runner passes them between jobs): `dispatch` in the producer against
//! the fake GitHub -> `ingest` of exactly the payload it sent -> `generate` ->
//! `publish` to Verdaccio and pypiserver on 127.0.0.1 -> `downstream` pull
//! request on the fake GitHub. Then the same chain for two APIs of one
//! consumer repository (`apis:` in its specrelay.yaml), each landing in its
//! own folders and packages.

use crate::support::fake_github::{FakeGitHub, TOKEN};
use crate::support::http_server::{Behaviour, TestServer};
use crate::support::registries::{PypiServer, Verdaccio, http};
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
        "api",
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

const TWO_APIS: &str = "apis:
  coordinator:
    npm_package: \"@acme/coordinator\"
    python_package: acme-coordinator
  node:
    openapi_dir: specs/node
    sdk_dir: packages/node
    npm_package: \"@acme/node\"
    python_package: acme-node
";

/// `spec-producer.yml` in the producer `repo`, announcing `spec` as `api`
/// to the consumer; the `client_payload` sent.
fn announce(github: &FakeGitHub, server: &TestServer, repo: &str, api: &str, spec: &str) -> Value {
    let mut producer = Job::new("dispatch");
    std::fs::write(producer.workspace().join("openapi.yaml"), spec).unwrap();
    producer
        .input("spec", "openapi.yaml")
        .input("repositories", CONSUMER)
        .input("api", api)
        .input(
            "download_url",
            &format!("{}/{{repository}}/{{version}}/{{path}}", server.origin()),
        )
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url())
        .env("GITHUB_REPOSITORY", repo)
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_RUN_ID", "12")
        .env("GITHUB_RUN_ATTEMPT", "1");
    producer.run().expect_code(0);
    let sent = github.dispatches(CONSUMER);
    let last = sent.last().expect("a dispatch was sent");
    assert_eq!(last["client_payload"]["api"], api, "{last}");
    last["client_payload"].clone()
}

/// The files under `dir` in the consumer's checkout, with their bytes.
fn tree(consumer: &Job, dir: &str) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let path = consumer.workspace().join(dir);
    if path.exists() {
        crate::support::runner::snapshot(&path)
    } else {
        Default::default()
    }
}

/// The versions of an npm package the registry holds.
fn npm_versions(verdaccio: &Verdaccio, package: &str) -> Vec<String> {
    let (status, body) = http(
        "GET",
        &verdaccio.url(&package.replace('/', "%2f")),
        &[],
        None,
    )
    .unwrap();
    assert_eq!(status, 200, "{package}: {}", String::from_utf8_lossy(&body));
    let doc: Value = serde_json::from_slice(&body).unwrap();
    doc["versions"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// One API's consumer side, as `openapi-ingestion.yml` runs it on the
/// dispatch it received: every stage gets the `api` ingest passed on.
fn consume(consumer: &mut Job, payload: Value, registries: &[(&str, &str)]) -> (Run, Run) {
    consumer.event(
        "repository_dispatch",
        &json!({
            "action": "openapi_spec_updated",
            "client_payload": payload,
            "repository": {"full_name": CONSUMER, "owner": {"login": "acme"}}
        }),
    );
    let ingested = step(consumer, "ingest", &[]);
    assert_eq!(ingested.output("skipped"), "false");
    let api = ingested.output("api").to_owned();
    assert_eq!(api, payload["api"].as_str().unwrap());
    let generated = step(consumer, "generate", &[("api", &api)]);
    let mut inputs = vec![("api", api.as_str())];
    inputs.extend_from_slice(registries);
    let published = step(consumer, "publish", &inputs);
    let downstream = step(
        consumer,
        "downstream",
        &[
            ("api", &api),
            ("repositories", DOWNSTREAM),
            ("npm_package", published.output("npm_package")),
            ("npm_version", published.output("npm_version")),
            ("github_token", TOKEN),
        ],
    );
    assert_eq!(
        generated.output("typescript_package"),
        published.output("npm_package")
    );
    (published, downstream)
}

#[test]
fn two_apis_of_one_repository_each_land_in_their_own_folders_and_packages() {
    let pets = std::fs::read_to_string(format!("{ROOT}/examples/acme-pets.openapi.yaml")).unwrap();
    let coordinator = pets.replacen("title: Acme Pet Store", "title: Acme Coordinator", 1);
    let node = pets
        .replacen("title: Acme Pet Store", "title: Acme Node", 1)
        .replacen("  version: 1.2.0\n", "  version: 2.1.0\n", 1);
    assert_ne!(node, pets, "the node spec differs from the example");
    let server = TestServer::start(vec![
        (
            "/acme/coordinator/1.2.0/openapi.yaml",
            Behaviour::yaml(coordinator.clone().into_bytes()),
        ),
        (
            "/acme/node/2.1.0/openapi.yaml",
            Behaviour::yaml(node.clone().into_bytes()),
        ),
    ]);
    let github = FakeGitHub::start();
    github.create_repo(CONSUMER, "main", &[("README.md", b"sdk\n")]);
    let package_json = "{\n  \"name\": \"web\",\n  \"dependencies\": {\n    \"@acme/coordinator\": \"^1.0.0\",\n    \"@acme/node\": \"^2.0.0\"\n  }\n}\n";
    github.create_repo(
        DOWNSTREAM,
        "main",
        &[("package.json", package_json.as_bytes())],
    );
    let verdaccio = Verdaccio::start();
    let npm_token = verdaccio.add_user("publisher", "correct-horse-battery");
    let pypi = PypiServer::start(PYPI_USER, PYPI_PASSWORD);
    let (registry, pypi_url) = (verdaccio.registry(), pypi.url(""));
    let registries = [
        ("npm_registry_url", registry.as_str()),
        ("npm_token", npm_token.as_str()),
        ("pypi_repository_url", pypi_url.as_str()),
        ("pypi_username", PYPI_USER),
        ("pypi_token", PYPI_PASSWORD),
        ("max_attempts", "2"),
    ];
    let mut consumer = Job::new("ingest");
    std::fs::write(consumer.workspace().join("specrelay.yaml"), TWO_APIS).unwrap();
    consumer
        .env("GITHUB_REPOSITORY", CONSUMER)
        .env("GITHUB_API_URL", &github.url());

    // coordinator: the default folders under its name.
    let payload = announce(
        &github,
        &server,
        "acme/coordinator",
        "coordinator",
        &coordinator,
    );
    let (published, downstream) = consume(&mut consumer, payload, &registries);
    assert_eq!(published.output("npm_package"), "@acme/coordinator");
    assert_eq!(published.output("npm_version"), "1.2.0");
    assert!(consumer.exists("openapi/coordinator/latest.json"));
    let manifest = consumer.read("sdk/coordinator/typescript/package.json");
    assert!(manifest.contains("\"@acme/coordinator\""), "{manifest}");
    assert!(
        consumer
            .read("sdk/coordinator/python/pyproject.toml")
            .contains("acme-coordinator")
    );
    for untouched in [
        "openapi/latest.json",
        "sdk/typescript",
        "specs/node",
        "packages/node",
        "openapi/node",
    ] {
        assert!(
            !consumer.exists(untouched),
            "the coordinator's run wrote {untouched}"
        );
    }
    let rows: Value = serde_json::from_str(downstream.output("pull_requests")).unwrap();
    assert_eq!(rows[0]["action"], "created", "{rows}");
    let coordinator_files = (
        tree(&consumer, "openapi/coordinator"),
        tree(&consumer, "sdk/coordinator"),
    );

    // node: its own openapi_dir and sdk_dir.
    let payload = announce(&github, &server, "acme/node", "node", &node);
    let (published, _) = consume(&mut consumer, payload, &registries);
    assert_eq!(published.output("npm_package"), "@acme/node");
    assert_eq!(published.output("npm_version"), "2.1.0");
    assert!(consumer.exists("specs/node/latest.json"));
    assert!(
        consumer
            .read("packages/node/typescript/package.json")
            .contains("\"@acme/node\"")
    );
    assert!(
        consumer
            .read("packages/node/python/pyproject.toml")
            .contains("acme-node")
    );
    assert_eq!(
        (
            tree(&consumer, "openapi/coordinator"),
            tree(&consumer, "sdk/coordinator")
        ),
        coordinator_files,
        "the node run changed the coordinator's files"
    );

    // Each package once, at its own API's version.
    assert_eq!(npm_versions(&verdaccio, "@acme/coordinator"), ["1.2.0"]);
    assert_eq!(npm_versions(&verdaccio, "@acme/node"), ["2.1.0"]);
    let stored = pypi.stored();
    assert!(
        stored
            .iter()
            .any(|f| f.starts_with("acme_coordinator-1.2.0"))
            && stored.iter().any(|f| f.starts_with("acme_node-2.1.0"))
            && stored.iter().all(
                |f| f.starts_with("acme_coordinator-1.2.0") || f.starts_with("acme_node-2.1.0")
            ),
        "{stored:?}"
    );

    // One pull request per API's package, each bumping only its own.
    let pulls = github.pulls(DOWNSTREAM);
    assert_eq!(pulls.len(), 2, "{pulls:?}");
    for (package, bumped, kept) in [
        (
            "@acme/coordinator",
            "\"@acme/coordinator\": \"^1.2.0\"",
            "\"@acme/node\": \"^2.0.0\"",
        ),
        (
            "@acme/node",
            "\"@acme/node\": \"^2.1.0\"",
            "\"@acme/coordinator\": \"^1.0.0\"",
        ),
    ] {
        let pull = pulls
            .iter()
            .find(|p| p.head == format!("specrelay/{package}"))
            .unwrap_or_else(|| panic!("no pull request for {package}: {pulls:?}"));
        let text = String::from_utf8(github.file(DOWNSTREAM, &pull.head, "package.json").unwrap())
            .unwrap();
        assert!(
            text.contains(bumped) && text.contains(kept),
            "{package}: {text}"
        );
    }

    // An API the file does not list is a usage error, and writes nothing.
    let before = consumer.snapshot();
    consumer
        .remove_input("api")
        .input("stage", "generate")
        .input("api", "docker");
    consumer
        .run()
        .expect_code(2)
        .expect_stderr("no API \"docker\" in specrelay.yaml (it lists coordinator, node)");
    assert_eq!(consumer.snapshot(), before);

    // publish never sends one API's folder under another package's name.
    std::fs::write(
        consumer.workspace().join("specrelay.yaml"),
        TWO_APIS.replace("\"@acme/coordinator\"", "\"@acme/other\""),
    )
    .unwrap();
    consumer
        .input("stage", "publish")
        .input("api", "coordinator");
    for (name, value) in registries {
        consumer.input(name, value);
    }
    consumer.run().expect_code(1).expect_stderr(
        "sdk/coordinator/typescript/package.json is \"@acme/coordinator\", but specrelay.yaml's apis.coordinator.npm_package is \"@acme/other\"",
    );
    assert_eq!(npm_versions(&verdaccio, "@acme/coordinator"), ["1.2.0"]);
}
