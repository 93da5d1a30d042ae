//! The `publish` stage as a workflow runs it: the binary, with action
//! inputs, publishing generated SDKs (TypeScript and Python, or a Python package) to
//! Verdaccio and pypiserver on 127.0.0.1; then users install both from
//! those registries and call them. Re-runs skip what is there, a run with
//! one registry down fails clearly and the next finishes the job, the same
//! version with other content fails with nothing uploaded, `--dry-run`
//! uploads nothing, and no token is ever printed or output.

use crate::publish_packages::{call_typescript_client, pet_server};
use crate::support::clients::{NodeProject, PythonEnv, wheelhouse};
use crate::support::http_server::TestServer;
use crate::support::registries::{PypiServer, Verdaccio, http};
use crate::support::runner::{Job, Run};
use std::path::Path;

const PYPI_USER: &str = "uploader";
const PYPI_PASSWORD: &str = "pypi-Secret-Password-0451";

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

/// Registries, a user on each, and a job whose workspace holds both SDKs.
pub(crate) struct Setup {
    pub(crate) verdaccio: Verdaccio,
    pub(crate) pypi: PypiServer,
    npm_token: String,
    pub(crate) job: Job,
}

fn setup() -> Setup {
    setup_with("tests/fixtures/publish/python")
}

/// [`setup`] with the Python package from `python_dir` (in the repository).
pub(crate) fn setup_with(python_dir: &str) -> Setup {
    let verdaccio = Verdaccio::start();
    let npm_token = verdaccio.add_user("publisher", "correct-horse-battery");
    let pypi = PypiServer::start(PYPI_USER, PYPI_PASSWORD);
    let mut job = Job::new("publish");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(
        &root.join("tests/golden/sdk/typescript/pets-30"),
        &job.workspace().join("sdk/typescript"),
    );
    copy_dir(&root.join(python_dir), &job.workspace().join("sdk/python"));
    job.input("npm_registry_url", &verdaccio.registry())
        .input("npm_token", &npm_token)
        .input("pypi_repository_url", &pypi.url(""))
        .input("pypi_username", PYPI_USER)
        .input("pypi_token", PYPI_PASSWORD)
        .input("max_attempts", "2")
        .input("upload_timeout", "20")
        .input("publish_deadline", "30");
    Setup {
        verdaccio,
        pypi,
        npm_token,
        job,
    }
}

/// Imports the generated `feature_pets` in `env` and fetches pet 1 from
/// `server` through its `Client`; returns the installed version and the
/// pet's id and name.
fn call_generated_python_client(env: &PythonEnv, server: &TestServer) -> String {
    let code = format!(
        "import importlib.metadata as m, feature_pets as p\n\
         pet = p.Client(base_url='{}', retries=0).pets.show_by_id(pet_id='1')\n\
         print(m.version('feature-pets'), pet.id, pet.name)",
        server.origin()
    );
    env.python(&code).trim().to_owned()
}

/// No secret in stdout, the outputs or the summary; in stderr only inside
/// the `::add-mask::` commands that tell the runner to hide it.
fn assert_no_secrets(run: &Run, secrets: &[&str]) {
    for secret in secrets {
        assert!(!run.stdout.contains(secret), "a token on stdout");
        assert!(!run.summary.contains(secret), "a token in the summary");
        for (name, value) in &run.outputs {
            assert!(!value.contains(secret), "a token in output {name}");
        }
        for line in run.stderr.lines() {
            if line.contains(secret) {
                assert_eq!(line, format!("::add-mask::{secret}"), "a token in the log");
            }
        }
    }
}

fn npm_integrity(verdaccio: &Verdaccio) -> Option<String> {
    let (status, body) = http("GET", &verdaccio.url("feature-pets"), &[], None).unwrap();
    if status == 404 {
        return None;
    }
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    doc["versions"]["1.4.0"]["dist"]["integrity"]
        .as_str()
        .map(str::to_owned)
}

#[test]
fn publish_then_rerun_skips_and_users_install_from_the_registries() {
    // Both SDKs as `generate` writes them (the golden packages of the pets spec).
    let s = setup_with("tests/golden/sdk/python/pets-30");
    let first = s.job.run();
    first.expect_code(0);
    assert_eq!(first.output("npm_package"), "feature-pets");
    assert_eq!(first.output("npm_version"), "1.4.0");
    assert_eq!(first.output("npm_published"), "true");
    assert_eq!(first.output("pypi_package"), "feature-pets");
    assert_eq!(first.output("pypi_version"), "1.4.0");
    assert_eq!(first.output("pypi_published"), "true");
    assert_eq!(first.output("skipped"), "false");
    assert_eq!(
        first.output("pypi_url"),
        format!("{}feature-pets/", s.pypi.index_url())
    );
    assert!(
        first
            .summary
            .contains("| npm | `feature-pets` | 1.4.0 | published feature-pets-1.4.0.tgz |"),
        "{}",
        first.summary
    );
    assert_eq!(
        s.pypi.stored(),
        [
            "feature_pets-1.4.0-py3-none-any.whl",
            "feature_pets-1.4.0.tar.gz"
        ]
    );
    assert_no_secrets(&first, &[&s.npm_token, PYPI_PASSWORD]);

    let second = s.job.run();
    second.expect_code(0);
    assert_eq!(second.output("npm_published"), "false");
    assert_eq!(second.output("pypi_published"), "false");
    assert_eq!(second.output("skipped"), "true");
    second.expect_stderr("already published with the same content, skipped");
    assert_no_secrets(&second, &[&s.npm_token, PYPI_PASSWORD]);

    let server = pet_server();
    let project = NodeProject::new();
    project.npm_install("feature-pets@1.4.0", Some(&s.verdaccio.registry()));
    assert_eq!(
        call_typescript_client(&project, &server),
        r#"{"id":1,"name":"Rex","kind":"dog"}"#
    );
    let env = PythonEnv::new();
    let wheelhouse = wheelhouse();
    env.pip_install(&[
        "--index-url",
        &s.pypi.index_url(),
        "--find-links",
        wheelhouse.to_str().unwrap(),
        "feature-pets==1.4.0",
    ]);
    assert_eq!(call_generated_python_client(&env, &server), "1.4.0 1 Rex");
}

#[test]
fn a_run_with_pypi_down_fails_and_the_next_publishes_only_what_is_missing() {
    let mut s = setup();
    s.pypi.stop();
    let broken = s.job.run();
    broken.expect_code(3);
    broken.expect_stderr("could not connect");
    broken.expect_stderr("a re-run publishes only what is missing");
    assert_eq!(broken.output("npm_published"), "true");
    assert_eq!(broken.output("pypi_published"), "false");
    assert!(
        broken.summary.contains("Publish incomplete"),
        "{}",
        broken.summary
    );
    assert_no_secrets(&broken, &[&s.npm_token, PYPI_PASSWORD]);

    s.pypi.restart();
    let finished = s.job.run();
    finished.expect_code(0);
    assert_eq!(finished.output("npm_published"), "false", "npm was done");
    assert_eq!(finished.output("pypi_published"), "true");
    assert_eq!(s.pypi.stored().len(), 2);
}

#[test]
fn the_same_version_with_other_content_fails_and_uploads_nothing() {
    let mut s = setup();
    s.job.input("registries", "npm");
    s.job.run().expect_code(0);
    let published = npm_integrity(&s.verdaccio).unwrap();

    // Another build time gives other bytes under the same version; PyPI,
    // which lacks the version, must not get it either.
    s.job
        .input("registries", "npm,pypi")
        .env("SOURCE_DATE_EPOCH", "1767225700");
    let run = s.job.run();
    run.expect_code(1);
    run.expect_stderr("already published with different content");
    run.expect_stderr(&published);
    assert_eq!(npm_integrity(&s.verdaccio).unwrap(), published);
    assert!(
        s.pypi.stored().is_empty(),
        "nothing uploaded: {:?}",
        s.pypi.stored()
    );
    assert_no_secrets(&run, &[&s.npm_token, PYPI_PASSWORD]);
}

#[test]
fn dry_run_builds_and_reports_but_uploads_nothing() {
    let mut s = setup();
    s.job
        .remove_input("npm_token")
        .remove_input("pypi_token")
        .input("dry_run", "true");
    let run = s.job.run();
    run.expect_code(0);
    run.expect_stderr("dry run: would publish feature-pets-1.4.0.tgz");
    run.expect_stderr(&format!("to {}", s.verdaccio.registry()));
    run.expect_stderr("dry run: would upload specrelay_fixture_pets-1.4.0-py3-none-any.whl");
    run.expect_stderr("dry run: would upload specrelay_fixture_pets-1.4.0.tar.gz");
    assert_eq!(run.output("npm_published"), "false");
    assert!(run.summary.contains("dry run"), "{}", run.summary);
    assert_eq!(npm_integrity(&s.verdaccio), None);
    assert!(s.pypi.stored().is_empty());
}

#[test]
fn missing_credentials_are_refused_before_anything_is_sent() {
    let mut s = setup();
    s.job.remove_input("pypi_token");
    let run = s.job.run();
    run.expect_code(1);
    run.expect_stderr("no PyPI token");
    assert_eq!(npm_integrity(&s.verdaccio), None, "npm untouched too");
}

#[test]
fn npm_configuration_from_an_npmrc_as_setup_node_writes_it() {
    let mut s = setup();
    let registry = s.verdaccio.registry();
    let authority = registry.trim_start_matches("http://").trim_end_matches('/');
    let npmrc = s.job.workspace().join("../user.npmrc");
    std::fs::write(
        &npmrc,
        format!(
            "//{authority}/:_authToken=${{VERDACCIO_TOKEN}}\nregistry={registry}\nalways-auth=false\n"
        ),
    )
    .unwrap();
    s.job
        .remove_input("npm_registry_url")
        .remove_input("npm_token")
        .input("registries", "npm")
        .env("NPM_CONFIG_USERCONFIG", npmrc.to_str().unwrap())
        .env("VERDACCIO_TOKEN", &s.npm_token.clone());
    let run = s.job.run();
    run.expect_code(0);
    assert_eq!(run.output("npm_published"), "true");
    assert!(npm_integrity(&s.verdaccio).is_some());
    assert_no_secrets(&run, &[&s.npm_token]);
}

/// A job that publishes the Python fixture to `pypi` with no token, on a
/// runner that offers an OIDC token at `id_token_url`.
fn trusted_publishing_job(
    pypi: &PypiServer,
    oidc_url: &str,
    id_token_url: &str,
    runtime_token: &str,
) -> Job {
    let mut job = Job::new("publish");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/publish/python"),
        &job.workspace().join("sdk/python"),
    );
    job.input("registries", "pypi")
        .input("pypi_repository_url", &pypi.url(""))
        .input("pypi_oidc_url", oidc_url)
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", id_token_url)
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", runtime_token);
    job
}

#[test]
fn trusted_publishing_mints_an_upload_token_from_the_jobs_oidc_token() {
    use crate::support::http_server::{Behaviour, TestServer};
    const MINTED: &str = "pypi-MintedShortLivedToken-0042";
    const RUNTIME_TOKEN: &str = "actions-runtime-request-token-7";
    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvcGV0cyJ9.c2ln";
    // The index accepts the minted token, as PyPI does, for `__token__`.
    let pypi = PypiServer::start("__token__", MINTED);
    let oidc = TestServer::start(vec![
        (
            "/_/oidc/audience",
            Behaviour::json(r#"{"audience":"testpypi"}"#),
        ),
        (
            "/actions/idtoken",
            Behaviour::json(format!(r#"{{"count":1,"value":"{JWT}"}}"#)),
        ),
        (
            "/_/oidc/mint-token",
            Behaviour::json(format!(r#"{{"success":true,"token":"{MINTED}"}}"#)),
        ),
    ]);
    let run = trusted_publishing_job(
        &pypi,
        &oidc.url("/_/oidc/"),
        &oidc.url("/actions/idtoken?api-version=2.0"),
        RUNTIME_TOKEN,
    )
    .run();
    run.expect_code(0);
    assert_eq!(run.output("pypi_published"), "true");
    assert_eq!(pypi.stored().len(), 2);

    let requests = oidc.requests();
    let token_request = requests
        .iter()
        .find(|r| r.path == "/actions/idtoken")
        .expect("the OIDC token was requested");
    assert_eq!(
        token_request.query.as_deref(),
        Some("api-version=2.0&audience=testpypi"),
        "the audience the index named"
    );
    assert_eq!(
        token_request.header("authorization"),
        Some(format!("Bearer {RUNTIME_TOKEN}").as_str())
    );
    let mint = requests
        .iter()
        .find(|r| r.path == "/_/oidc/mint-token")
        .expect("the token was exchanged");
    assert_eq!(mint.method, "POST");
    let body: serde_json::Value = serde_json::from_slice(&mint.body).unwrap();
    assert_eq!(body, serde_json::json!({"token": JWT}));
    assert!(
        !mint.has_header("authorization"),
        "the runtime's token stays with the runtime"
    );
    assert_no_secrets(&run, &[MINTED, RUNTIME_TOKEN, JWT]);
}

#[test]
fn a_refused_token_exchange_fails_clearly() {
    use crate::support::http_server::{Behaviour, TestServer};
    let pypi = PypiServer::start("__token__", "unused");
    let oidc = TestServer::start(vec![
        ("/_/oidc/audience", Behaviour::json(r#"{"audience":"pypi"}"#)),
        ("/id", Behaviour::json(r#"{"value":"jwt"}"#)),
        (
            "/_/oidc/mint-token",
            Behaviour::Status {
                code: 422,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: br#"{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"valid token, but no corresponding publisher"}]}"#.to_vec(),
            },
        ),
    ]);
    let run = trusted_publishing_job(&pypi, &oidc.url("/_/oidc"), &oidc.url("/id"), "rt").run();
    run.expect_code(1);
    run.expect_stderr("invalid-publisher: valid token, but no corresponding publisher");
    run.expect_stderr("configure");
    assert!(pypi.stored().is_empty());
}
