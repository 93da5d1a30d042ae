//! `register` end to end: the workspace file, the http registry (its
//! answers checked against contracts/registry.yaml), a registry through
//! GitHub's API with five deploys registering at once, the pre-deploy gate,
//! and `fail_on_error` against a registry that is down.

use crate::support::fake_github::{FakeGitHub, TOKEN};
use crate::support::runner::{Job, Run};
use crate::support::service_registry::{self, Mode, RegistryServer, services};
use serde_json::Value;

const REGISTRY_TOKEN: &str = "reg-secret-token-0123456789";

fn register_job(name: &str, service_url: &str) -> Job {
    let mut job = Job::new("register");
    job.input("service_name", name)
        .input("service_url", service_url)
        .input("service_version", "1.2.0")
        .input("routes", "/pets, /pets/admin")
        .input("capabilities", "pets.read")
        .input("verify_timeout", "5")
        .env("GITHUB_REPOSITORY", "acme/pets")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_REF_NAME", "main")
        .env("GITHUB_RUN_ID", "77");
    job
}

fn http_registry(job: &mut Job, registry: &RegistryServer) {
    job.input("registry", "http")
        .input("registry_url", &registry.url());
    if let Some(token) = &registry.token {
        job.input("registry_token", token);
    }
}

fn outputs(run: &Run) -> [&str; 4] {
    [
        run.output("registered"),
        run.output("healthy"),
        run.output("discoverable"),
        run.output("status"),
    ]
}

fn catalog_file(job: &Job) -> Value {
    let catalog: Value = serde_json::from_str(&job.read("registry/services.json")).unwrap();
    let errors = service_registry::validate(&service_registry::contract(), "ServiceList", &catalog);
    assert!(
        errors.is_empty(),
        "the catalog file breaks the contract: {errors:?}"
    );
    catalog
}

#[test]
fn a_workspace_file_registry_gets_the_service_verified_and_active() {
    let service = services::healthy("1.2.0");
    let job = register_job("pets", &service.origin());
    let run = job.run();
    run.expect_code(0);
    assert_eq!(outputs(&run), ["true", "true", "true", "active"]);
    let catalog = catalog_file(&job);
    let pets = &catalog["services"][0];
    assert_eq!(pets["name"], "pets");
    assert_eq!(pets["status"], "active");
    assert_eq!(pets["endpoints"]["health"], service.url("/health"));
    assert_eq!(pets["routes"], serde_json::json!(["/pets", "/pets/admin"]));
    assert_eq!(
        pets["deployment"]["commit"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(
        pets["deployment"]["workflow_run"],
        "https://github.com/acme/pets/actions/runs/77"
    );
    assert!(service.hits("/health") >= 1);
    assert!(run.summary.contains("```mermaid"), "{}", run.summary);

    // A second deploy updates in place.
    let mut again = register_job("pets", &service.origin());
    again.input("service_version", "1.3.0");
    std::fs::create_dir_all(again.workspace().join("registry")).unwrap();
    std::fs::write(
        again.workspace().join("registry/services.json"),
        job.read("registry/services.json"),
    )
    .unwrap();
    again.run().expect_code(0);
    let catalog = catalog_file(&again);
    assert_eq!(catalog["services"].as_array().unwrap().len(), 1);
    assert_eq!(catalog["services"][0]["version"], "1.3.0");
    assert_eq!(
        catalog["services"][0]["registered_at"],
        pets["registered_at"]
    );
}

#[test]
fn the_http_registry_gets_the_registration_and_discovery_is_waited_for() {
    let registry = RegistryServer::start(Some(REGISTRY_TOKEN));
    registry.set_discovery_lag(1);
    let service = services::healthy("1.2.0");
    let mut job = register_job("pets", &service.origin());
    http_registry(&mut job, &registry);
    let run = job.run();
    run.expect_code(0);
    assert_eq!(outputs(&run), ["true", "true", "true", "active"]);
    let stored = registry.service("pets").expect("registered");
    assert_eq!(stored["status"], "active");
    assert_eq!(stored["version"], "1.2.0");
    assert_eq!(registry.violations(), Vec::<String>::new());
    assert!(
        registry.server.hits("/.well-known/services.json") >= 2,
        "discovery lag was polled"
    );
    // The token appears only in the command that masks it.
    assert!(
        run.stderr
            .contains(&format!("::add-mask::{REGISTRY_TOKEN}"))
    );
    for line in run.stderr.lines().filter(|l| l.contains(REGISTRY_TOKEN)) {
        assert!(line.starts_with("::add-mask::"), "the token leaked: {line}");
    }
    assert!(!run.stdout.contains(REGISTRY_TOKEN) && !run.summary.contains(REGISTRY_TOKEN));
}

#[test]
fn an_unhealthy_service_is_registered_inactive_and_warned_about() {
    let registry = RegistryServer::start(None);
    let service = services::failing();
    let mut job = register_job("pets", &service.origin());
    http_registry(&mut job, &registry);
    job.input("verify_timeout", "1");
    let run = job.run();
    run.expect_code(0);
    assert_eq!(outputs(&run), ["true", "false", "true", "inactive"]);
    assert!(
        run.stderr.contains("::warning") && run.stderr.contains("did not become healthy"),
        "{}",
        run.stderr
    );
    job.input("fail_on_error", "true").run().expect_code(1);
}

#[test]
fn a_registry_that_is_down_warns_by_default_and_fails_with_fail_on_error() {
    let registry = RegistryServer::start(None);
    registry.set_mode(Mode::Down);
    let service = services::healthy("1.2.0");
    let mut job = register_job("pets", &service.origin());
    http_registry(&mut job, &registry);
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("registered"), "false");
    assert_eq!(run.output("status"), "");
    assert!(run.stderr.contains("::warning"), "{}", run.stderr);
    assert!(run.stderr.contains("HTTP 500"), "{}", run.stderr);
    let failed = job.input("fail_on_error", "true").run();
    failed.expect_code(3);
    assert_eq!(failed.output("registered"), "false");
}

#[test]
fn check_only_reports_readiness_and_writes_nothing() {
    let registry = RegistryServer::start(None);
    let service = services::healthy("1.2.0");
    let mut job = register_job("pets", &service.origin());
    http_registry(&mut job, &registry);
    job.input("check_only", "true");
    let before = job.snapshot();
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("ready"), "true");
    assert_eq!(run.output("registered"), "false");
    assert!(registry.service("pets").is_none(), "the gate wrote nothing");
    assert_eq!(job.snapshot(), before);

    registry.set_mode(Mode::DiscoveryNotJson);
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("ready"), "false");
    assert!(run.stderr.contains("is not JSON"), "{}", run.stderr);
}

#[test]
fn five_concurrent_registrations_through_the_api_keep_all_five() {
    let github = FakeGitHub::start();
    github.create_repo("acme/registry", "main", &[("README.md", b"registry\n")]);
    let service = services::healthy("1.2.0");
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..5)
            .map(|i| {
                let mut job = register_job(&format!("svc-{i}"), &service.origin());
                job.input("registry_repository", "acme/registry")
                    .input("github_token", TOKEN)
                    .env("GITHUB_API_URL", &github.url());
                scope.spawn(move || job.run())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in &runs {
        run.expect_code(0);
        assert_eq!(outputs(run), ["true", "true", "true", "active"]);
    }
    let bytes = github
        .file("acme/registry", "main", "registry/services.json")
        .expect("the catalog was committed");
    let catalog: Value = serde_json::from_slice(&bytes).unwrap();
    let mut names: Vec<(String, String)> = catalog["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    names.sort();
    let expected: Vec<(String, String)> = (0..5)
        .map(|i| (format!("svc-{i}"), "active".to_owned()))
        .collect();
    assert_eq!(names, expected);
}
