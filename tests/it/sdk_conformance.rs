//! Runtime conformance of the generated SDKs: every operation of a spec
//! called through the generated client against Prism (a mock server that
//! answers from the same spec and rejects requests that do not match it).
//! A call passes when it succeeds and Prism reports no request violation.
//! The harnesses are `tests/node/run-conformance.sh` (TypeScript) and
//! `tests/python/run-conformance.sh` (Python, sync and async, with pytest;
//! it also checks that responses parse into the models); their few skips
//! (Prism's own limits) are listed in `tests/node/conformance-common.sh`
//! with their reasons.

use crate::support::corpus;
use crate::support::registries::free_port;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn prism() -> PathBuf {
    if let Some(path) = std::env::var_os("PRISM") {
        return PathBuf::from(path);
    }
    let installed = Path::new(ROOT).join(".tools/sdk/node_modules/.bin/prism");
    assert!(
        installed.exists(),
        "prism is missing: run scripts/install-sdk-tools.sh (the README's test command does)"
    );
    installed
}

/// The real specs both SDKs are run against (besides the bundled example).
const CORPUS_SPECS: &[&str] = &[
    "small/redocly-museum/openapi.yaml",
    "small/swagger-petstore/openapi.yaml",
    "small/mistral/openapi.yaml",
];

/// Runs one harness (`tests/<harness>/run-conformance.sh`) on `spec`.
fn conforms(harness: &str, spec: &Path) {
    let out = Command::new("bash")
        .arg(
            Path::new(ROOT)
                .join("tests")
                .join(harness)
                .join("run-conformance.sh"),
        )
        .arg(spec)
        .arg(free_port().to_string())
        .env("SPECRELAY", env!("CARGO_BIN_EXE_specrelay"))
        .env("PRISM", prism())
        .env("TSC", crate::sdk_support::tsc())
        .env("PYTHON", crate::sdk_support::python())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} does not conform ({harness}):\n{stderr}",
        spec.display()
    );
    eprintln!(
        "{}: {}",
        spec.display(),
        stderr
            .lines()
            .rev()
            .find(|l| l.contains("conformance: ") && l.contains("passed"))
            .unwrap_or("")
    );
}

#[test]
fn the_example_sdk_conforms_to_its_spec() {
    conforms(
        "node",
        &Path::new(ROOT).join("examples/acme-pets.openapi.yaml"),
    );
}

#[test]
fn corpus_sdks_conform_to_their_specs() {
    let Some(dir) = corpus::dir() else { return };
    for spec in CORPUS_SPECS {
        conforms("node", &dir.join(spec));
    }
}

#[test]
fn the_example_python_sdk_conforms_to_its_spec() {
    conforms(
        "python",
        &Path::new(ROOT).join("examples/acme-pets.openapi.yaml"),
    );
}

#[test]
fn corpus_python_sdks_conform_to_their_specs() {
    let Some(dir) = corpus::dir() else { return };
    for spec in CORPUS_SPECS {
        conforms("python", &dir.join(spec));
    }
}
