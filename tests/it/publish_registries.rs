//! Publishing to real registries on 127.0.0.1: Verdaccio for npm and
//! pypiserver for PyPI, started by the test (see `support::registries`).

use crate::support::registries::{PypiServer, Verdaccio, http};

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
