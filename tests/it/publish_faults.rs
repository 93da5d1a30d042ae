//! How publishing behaves when a registry misbehaves, against a scripted
//! server standing in for an npm registry (the same loop serves PyPI): a 503
//! then success, a 429 with `Retry-After`, a connection broken while the
//! answer to a stored upload arrives, a registry that hangs, and bad
//! credentials. The token never appears in an error message.

use crate::publish_packages::{BUILD_TIME, typescript_sdk};
use crate::support::http_server::{Behaviour, TestServer};
use secrecy::SecretString;
use specrelay::adapters::http::{Downloader, FetchPolicy};
use specrelay::adapters::npm::NpmRegistry;
use specrelay::adapters::package_registry::{self, Outcome, PublishError, RetryPolicy};
use specrelay::publish::npm_tarball::{self, NpmTarball};
use std::time::{Duration, Instant};
use url::Url;

const TOKEN: &str = "npm_faultsTestToken0123456789";

fn missing() -> Behaviour {
    Behaviour::Status {
        code: 404,
        headers: vec![],
        body: br#"{"error":"not found"}"#.to_vec(),
    }
}

fn created() -> Behaviour {
    Behaviour::Status {
        code: 201,
        headers: vec![],
        body: br#"{"ok":"created"}"#.to_vec(),
    }
}

/// The packument of a registry that holds `tarball`.
fn holding(tarball: &NpmTarball) -> Behaviour {
    Behaviour::json(
        serde_json::json!({
            "name": tarball.name,
            "versions": {tarball.version.to_string(): {"dist": {"integrity": tarball.integrity, "shasum": tarball.shasum}}},
        })
        .to_string(),
    )
}

/// Publishes the golden SDK to a server whose one route (the package URL,
/// for both the packument GET and the publish PUT) answers `script` in turn.
/// Returns the outcome, the methods the server saw, and the time taken.
fn publish_against(
    script: impl FnOnce(&NpmTarball) -> Vec<Behaviour>,
    attempt_timeout: Duration,
) -> (
    Result<Outcome, PublishError>,
    Vec<String>,
    Duration,
    TestServer,
) {
    let tarball = npm_tarball::build(&typescript_sdk(), BUILD_TIME).unwrap();
    let server = TestServer::start(vec![(
        "/feature-pets",
        Behaviour::Sequence(script(&tarball)),
    )]);
    let http = Downloader::new(FetchPolicy {
        allow_http: true,
        allow_private_network: true,
        attempt_timeout,
        max_attempts: 2,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_secs(2),
        ..FetchPolicy::default()
    })
    .unwrap();
    let registry = NpmRegistry::new(
        &http,
        Url::parse(&server.origin()).unwrap(),
        Some(SecretString::from(TOKEN)),
    );
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_secs(2),
        deadline: Duration::from_secs(10),
    };
    let started = Instant::now();
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(package_registry::publish(
            &registry.target(&tarball, "latest", None),
            &policy,
        ));
    let elapsed = started.elapsed();
    let methods = server.requests().into_iter().map(|r| r.method).collect();
    if let Err(err) = &outcome {
        assert!(
            !format!("{err} {err:?}").contains(TOKEN),
            "the token leaked: {err}"
        );
    }
    (outcome, methods, elapsed, server)
}

#[test]
fn a_503_is_checked_and_retried() {
    let (outcome, methods, _, server) = publish_against(
        |_| vec![missing(), Behaviour::status(503), missing(), created()],
        Duration::from_secs(10),
    );
    assert_eq!(outcome.unwrap(), Outcome::Uploaded { attempts: 2 });
    assert_eq!(methods, ["GET", "PUT", "GET", "PUT"]);
    let puts: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    for put in &puts {
        assert_eq!(
            put.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(put.header("content-type"), Some("application/json"));
        let doc: serde_json::Value = serde_json::from_slice(&put.body).unwrap();
        assert_eq!(doc["versions"]["1.4.0"]["name"], "feature-pets");
    }
}

#[test]
fn a_429_waits_as_told_and_does_not_check() {
    let rate_limited = Behaviour::Status {
        code: 429,
        headers: vec![("Retry-After".into(), "1".into())],
        body: Vec::new(),
    };
    let (outcome, methods, elapsed, _) = publish_against(
        |_| vec![missing(), rate_limited, created()],
        Duration::from_secs(10),
    );
    assert_eq!(outcome.unwrap(), Outcome::Uploaded { attempts: 2 });
    assert_eq!(
        methods,
        ["GET", "PUT", "PUT"],
        "a rate limit stored nothing"
    );
    assert!(
        elapsed >= Duration::from_secs(1),
        "Retry-After honoured: {elapsed:?}"
    );
}

#[test]
fn a_broken_answer_to_a_stored_upload_is_not_resent() {
    let (outcome, methods, _, _) = publish_against(
        |tarball| {
            vec![
                missing(),
                Behaviour::Truncated {
                    body: br#"{"ok":"created","success":true}"#.to_vec(),
                    send: 5,
                },
                holding(tarball),
            ]
        },
        Duration::from_secs(10),
    );
    assert_eq!(outcome.unwrap(), Outcome::Uploaded { attempts: 1 });
    assert_eq!(methods, ["GET", "PUT", "GET"], "uploaded once");
}

#[test]
fn a_hung_registry_fails_within_the_deadline() {
    let (outcome, methods, elapsed, _) =
        publish_against(|_| vec![missing(), Behaviour::Hang], Duration::from_secs(1));
    let err = outcome.unwrap_err();
    assert!(err.is_service_failure(), "{err}");
    assert!(
        err.to_string().contains("no complete answer within 1s"),
        "{err}"
    );
    assert!(elapsed < Duration::from_secs(15), "bounded: {elapsed:?}");
    assert_eq!(methods[..2], ["GET", "PUT"]);
}

#[test]
fn bad_credentials_fail_clearly_without_retry() {
    let refused = Behaviour::Status {
        code: 401,
        headers: vec![],
        body: br#"{"error":"authorization required"}"#.to_vec(),
    };
    let (outcome, methods, _, _) =
        publish_against(|_| vec![missing(), refused], Duration::from_secs(10));
    let err = outcome.unwrap_err();
    assert!(!err.is_service_failure());
    let message = err.to_string();
    assert!(
        message.contains("HTTP 401") && message.contains("authorization required"),
        "{message}"
    );
    assert_eq!(methods, ["GET", "PUT"]);
}

#[test]
fn the_same_version_with_other_content_uploads_nothing() {
    let (outcome, methods, _, _) = publish_against(
        |tarball| {
            let mut other = tarball.clone();
            other.integrity = "sha512-c29tZXRoaW5nIGVsc2U=".into();
            vec![holding(&other)]
        },
        Duration::from_secs(10),
    );
    let err = outcome.unwrap_err();
    assert!(matches!(err, PublishError::Conflict { .. }), "{err}");
    assert!(
        err.to_string().contains("sha512-c29tZXRoaW5nIGVsc2U="),
        "{err}"
    );
    assert_eq!(methods, ["GET"]);
}
