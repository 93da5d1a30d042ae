//! Publishing to real registries on 127.0.0.1 (Verdaccio for npm,
//! pypiserver for PyPI, started by the test; see `support::registries`)
//! through specrelay's registry adapters, then installing from them with
//! `npm install` and `pip install` into fresh projects and calling the
//! clients. Also: a second publish skips, the same version with other
//! content is refused without uploading, bad credentials fail without retry.

use crate::publish_packages::{
    BUILD_TIME, call_python_client, call_typescript_client, pet_server, python_package,
    typescript_sdk,
};
use crate::support::clients::{NodeProject, PythonEnv, wheelhouse};
use crate::support::registries::{PypiServer, Verdaccio, http};
use secrecy::SecretString;
use specrelay::adapters::http::{Downloader, FetchPolicy};
use specrelay::adapters::npm::NpmRegistry;
use specrelay::adapters::package_registry::{self, Outcome, PublishError, RetryPolicy};
use specrelay::adapters::pypi::PypiRepository;
use specrelay::publish::pypi_upload::{Distribution, default_index_url};
use specrelay::publish::{npm_tarball, pyproject, sdist, wheel};
use std::time::Duration;
use url::Url;

fn downloader() -> Downloader {
    Downloader::new(FetchPolicy {
        allow_http: true,
        allow_private_network: true,
        attempt_timeout: Duration::from_secs(30),
        max_attempts: 2,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        ..FetchPolicy::default()
    })
    .unwrap()
}

fn retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        deadline: Duration::from_secs(30),
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn test_registries_start_and_guard_uploads() {
    let verdaccio = Verdaccio::start();
    let token = verdaccio.add_user("publisher", "correct-horse-battery");
    let (status, body) = http(
        "GET",
        &verdaccio.url("-/whoami"),
        &[("authorization", &format!("Bearer {token}"))],
        None,
    )
    .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("publisher"));
    // No uplinks: a package it does not hold is simply not there.
    let (status, _) = http("GET", &verdaccio.url("left-pad"), &[], None).unwrap();
    assert_eq!(status, 404);

    let pypi = PypiServer::start("uploader", "pypi-secret");
    let (status, _) = http("GET", &pypi.url("simple/httpx/"), &[], None).unwrap();
    assert_eq!(status, 404, "no fallback to pypi.org");
    let (status, _) = http(
        "POST",
        &pypi.url(""),
        &[("content-type", "multipart/form-data; boundary=x")],
        Some(b"--x--\r\n".to_vec()),
    )
    .unwrap();
    assert_eq!(status, 401, "uploads need the password");
}

#[test]
fn npm_publish_to_verdaccio_then_install_from_it() {
    let verdaccio = Verdaccio::start();
    let token = verdaccio.add_user("publisher", "correct-horse-battery");
    let registry_url = Url::parse(&verdaccio.registry()).unwrap();
    let http = downloader();
    let registry = NpmRegistry::new(&http, registry_url.clone(), Some(SecretString::from(token)));
    let tarball = npm_tarball::build(&typescript_sdk(), BUILD_TIME).unwrap();

    let first = block_on(package_registry::publish(
        &registry.target(&tarball, "latest", None),
        &retries(),
    ));
    assert_eq!(first.unwrap(), Outcome::Uploaded { attempts: 1 });
    let again = block_on(package_registry::publish(
        &registry.target(&tarball, "latest", None),
        &retries(),
    ));
    assert_eq!(again.unwrap(), Outcome::AlreadyPublished);

    // The same version with other bytes is refused before anything is sent.
    let rebuilt = npm_tarball::build(&typescript_sdk(), BUILD_TIME + 1).unwrap();
    let err = block_on(package_registry::publish(
        &registry.target(&rebuilt, "latest", None),
        &retries(),
    ))
    .unwrap_err();
    assert!(matches!(err, PublishError::Conflict { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains(&tarball.integrity) && message.contains(&rebuilt.integrity),
        "{message}"
    );

    // Without a token the registry refuses, and that is not retried.
    let anonymous = NpmRegistry::new(&http, registry_url, None);
    let mut next = typescript_sdk();
    let manifest = String::from_utf8(next["package.json"].clone()).unwrap();
    next.insert(
        "package.json".into(),
        manifest.replace("\"1.4.0\"", "\"1.4.1\"").into_bytes(),
    );
    let next = npm_tarball::build(&next, BUILD_TIME).unwrap();
    let err = block_on(package_registry::publish(
        &anonymous.target(&next, "latest", None),
        &retries(),
    ))
    .unwrap_err();
    match &err {
        PublishError::Http { source, .. } => assert_eq!(source.status(), Some(401), "{err}"),
        other => panic!("expected an HTTP refusal, got {other}"),
    }

    // A user installs what was published, from the registry.
    let project = NodeProject::new();
    project.npm_install("feature-pets@1.4.0", Some(&verdaccio.registry()));
    let lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.path().join("package-lock.json")).unwrap())
            .unwrap();
    let installed = &lock["packages"]["node_modules/feature-pets"];
    assert_eq!(installed["integrity"], tarball.integrity.as_str());
    assert!(
        installed["resolved"]
            .as_str()
            .unwrap()
            .starts_with(&verdaccio.registry()),
        "{installed}"
    );
    let server = pet_server();
    assert_eq!(
        call_typescript_client(&project, &server),
        r#"{"id":1,"name":"Rex","kind":"dog"}"#
    );
}

#[test]
fn pypi_upload_to_pypiserver_then_install_from_it() {
    let mut pypi = PypiServer::start("uploader", "pypi-secret");
    let upload_url = Url::parse(&pypi.url("")).unwrap();
    let index_url = default_index_url(&upload_url);
    assert_eq!(index_url.as_str(), pypi.index_url());
    let http = downloader();
    let repository = PypiRepository::new(
        &http,
        upload_url.clone(),
        index_url.clone(),
        "uploader",
        SecretString::from("pypi-secret"),
    );
    let files = python_package();
    let project = pyproject::read(&files).unwrap();
    let wheel = wheel::build(&project, &files, BUILD_TIME).unwrap();
    let sdist = sdist::build(&project, &files, BUILD_TIME).unwrap();
    let publish = |dist: Distribution<'_>| {
        block_on(package_registry::publish(
            &repository.target(&project, dist),
            &retries(),
        ))
    };

    for dist in [Distribution::from(&wheel), Distribution::from(&sdist)] {
        assert_eq!(publish(dist).unwrap(), Outcome::Uploaded { attempts: 1 });
    }
    assert_eq!(
        pypi.stored(),
        [wheel.file_name.as_str(), sdist.file_name.as_str()]
    );
    for dist in [Distribution::from(&wheel), Distribution::from(&sdist)] {
        assert_eq!(publish(dist).unwrap(), Outcome::AlreadyPublished);
    }

    let rebuilt = wheel::build(&project, &files, BUILD_TIME + 2).unwrap();
    let err = publish(Distribution::from(&rebuilt)).unwrap_err();
    assert!(matches!(err, PublishError::Conflict { .. }), "{err}");
    assert!(err.to_string().contains(&wheel.sha256), "{err}");

    let intruder = PypiRepository::new(
        &http,
        upload_url,
        index_url,
        "uploader",
        SecretString::from("wrong"),
    );
    let mut later = files.clone();
    let toml = String::from_utf8(later["pyproject.toml"].clone()).unwrap();
    later.insert(
        "pyproject.toml".into(),
        toml.replace("version = \"1.4.0\"", "version = \"1.4.1\"")
            .into_bytes(),
    );
    let later_project = pyproject::read(&later).unwrap();
    let later_wheel = wheel::build(&later_project, &later, BUILD_TIME).unwrap();
    let err = block_on(package_registry::publish(
        &intruder.target(&later_project, Distribution::from(&later_wheel)),
        &retries(),
    ))
    .unwrap_err();
    // pypiserver answers a wrong password with 403 (a missing one with 401).
    match &err {
        PublishError::Http { source, .. } => assert_eq!(source.status(), Some(403), "{err}"),
        other => panic!("expected an HTTP refusal, got {other}"),
    }
    assert_eq!(pypi.stored().len(), 2, "nothing more stored");

    // Users install from the index: the wheel, and (forced) the sdist, which
    // pip builds with hatchling. httpx and hatchling come from the wheelhouse.
    let wheelhouse = wheelhouse();
    let server = pet_server();
    for (how, extra) in [
        ("wheel", None),
        ("sdist", Some("--no-binary=specrelay-fixture-pets")),
    ] {
        let env = PythonEnv::new();
        let mut args = vec![
            "--index-url".to_owned(),
            pypi.index_url(),
            "--find-links".to_owned(),
            wheelhouse.display().to_string(),
        ];
        args.extend(extra.map(str::to_owned));
        args.push("specrelay-fixture-pets==1.4.0".to_owned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let log = env.pip_install(&args);
        let file = if how == "wheel" {
            &wheel.file_name
        } else {
            &sdist.file_name
        };
        // The wheelhouse does not hold the package: the only place to
        // download it from is the index.
        assert!(
            log.contains(&format!("Looking in indexes: {}", pypi.index_url()))
                && log.contains(&format!("Downloading {file}")),
            "pip did not fetch the {how} from pypiserver:\n{log}"
        );
        assert_eq!(
            call_python_client(&env, &server),
            "1.4.0 {'id': 1, 'name': 'Rex', 'kind': 'dog'}"
        );
    }

    // A registry that is down fails the query clearly, and a restart brings
    // the same files back.
    pypi.stop();
    let err = publish(Distribution::from(&wheel)).unwrap_err();
    assert!(err.is_service_failure(), "{err}");
    assert!(err.to_string().contains("could not connect"), "{err}");
    pypi.restart();
    assert_eq!(
        publish(Distribution::from(&wheel)).unwrap(),
        Outcome::AlreadyPublished
    );
}
