//! Runtime conformance of the generated TypeScript SDK: every operation of
//! a spec called through the generated client against Prism (a mock server
//! that answers from the same spec and rejects requests that do not match
//! it). A call passes when it succeeds and Prism reports no request
//! violation. The harness is `tests/node/run-conformance.sh`; its few
//! skips (Prism's own limits) are listed there with their reasons.

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

fn conforms(spec: &Path) {
    let out = Command::new("bash")
        .arg(Path::new(ROOT).join("tests/node/run-conformance.sh"))
        .arg(spec)
        .arg(free_port().to_string())
        .env("SPECRELAY", env!("CARGO_BIN_EXE_specrelay"))
        .env("PRISM", prism())
        .env("TSC", crate::sdk_support::tsc())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} does not conform:\n{stderr}",
        spec.display()
    );
    eprintln!(
        "{}: {}",
        spec.display(),
        stderr
            .lines()
            .rev()
            .find(|l| l.contains("passed"))
            .unwrap_or("")
    );
}

#[test]
fn the_example_sdk_conforms_to_its_spec() {
    conforms(&Path::new(ROOT).join("examples/acme-pets.openapi.yaml"));
}

#[test]
fn corpus_sdks_conform_to_their_specs() {
    let Some(dir) = corpus::dir() else { return };
    for spec in [
        "small/redocly-museum/openapi.yaml",
        "small/swagger-petstore/openapi.yaml",
        "small/mistral/openapi.yaml",
    ] {
        conforms(&dir.join(spec));
    }
}
