//! The publish stage's packages in the hands of the real clients: the npm
//! tarball of a golden TypeScript SDK installed with `npm install`, the wheel
//! and the sdist of a Python package installed with `pip install` (the sdist
//! through its declared build backend), each into a fresh project, then
//! imported and called against a test server. npm's own integrity hash and
//! Python's own zip reader check the hashes the builders wrote.

use crate::support::clients::{NodeProject, PythonEnv, registries_python};
use crate::support::command::run_ok;
use crate::support::http_server::{Behaviour, TestServer};
use specrelay::publish::{PackageFiles, npm_tarball, pyproject, sdist, wheel};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// 2026-01-01T00:00:00Z, the build time of every package here.
pub const BUILD_TIME: u64 = 1_767_225_600;

pub fn package_files(relative: &str) -> PackageFiles {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    specrelay::adapters::fs::read_tree_bytes(&dir).unwrap()
}

/// The golden TypeScript SDK generated from `tests/fixtures/sdk/pets-30.yaml`.
pub fn typescript_sdk() -> PackageFiles {
    package_files("tests/golden/sdk/typescript/pets-30")
}

/// A hand-written Python client shaped like a generated one.
pub fn python_package() -> PackageFiles {
    package_files("tests/fixtures/publish/python")
}

/// A server with one pet, for the installed clients to call.
pub fn pet_server() -> TestServer {
    TestServer::start(vec![(
        "/pets/1",
        Behaviour::json(r#"{"id": 1, "name": "Rex", "kind": "dog"}"#),
    )])
}

/// Writes `bytes` as `name` in `dir`; returns the path.
pub fn write_artifact(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Imports the npm package `feature-pets` in `project` and fetches pet 1
/// from `server` through it; returns what the client returned, as JSON.
pub fn call_typescript_client(project: &NodeProject, server: &TestServer) -> String {
    let code = format!(
        "import {{ Client }} from 'feature-pets';\n\
         const client = new Client({{ baseUrl: '{}', retries: 0, timeoutMs: 5000 }});\n\
         console.log(JSON.stringify(await client.pets.showById({{ petId: '1' }})));",
        server.origin()
    );
    project.node_module(&code).trim().to_owned()
}

/// Imports the Python fixture in `env` and fetches pet 1 from `server`;
/// returns the installed version and what the client returned.
pub fn call_python_client(env: &PythonEnv, server: &TestServer) -> String {
    let code = format!(
        "import importlib.metadata as m, specrelay_fixture_pets as p\n\
         print(m.version('specrelay-fixture-pets'), p.Client('{}').get_pet('1'))",
        server.origin()
    );
    env.python(&code).trim().to_owned()
}

/// Checks a wheel with Python's own zip and csv readers: every file listed
/// in RECORD with its right urlsafe-base64 SHA-256 and size, RECORD itself
/// with empty fields, nothing unlisted, fixed modes and timestamps.
const VERIFY_WHEEL: &str = r#"
import base64, csv, hashlib, io, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = z.namelist()
record = [n for n in names if n.endswith(".dist-info/RECORD")]
assert len(record) == 1, record
rows = list(csv.reader(io.TextIOWrapper(z.open(record[0]), encoding="utf-8")))
assert {r[0] for r in rows} == set(names), {r[0] for r in rows} ^ set(names)
for path, digest, size in rows:
    if path == record[0]:
        assert digest == "" and size == "", (digest, size)
        continue
    data = z.read(path)
    want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert digest == "sha256=" + want, (path, digest, want)
    assert int(size) == len(data), path
for info in z.infolist():
    assert info.external_attr >> 16 == 0o100644, (info.filename, oct(info.external_attr >> 16))
    assert info.date_time == (2026, 1, 1, 0, 0, 0), (info.filename, info.date_time)
    assert info.compress_type == zipfile.ZIP_DEFLATED, info.filename
print(len(rows))
"#;

#[test]
fn npm_installs_the_tarball_and_the_client_works() {
    let tarball = npm_tarball::build(&typescript_sdk(), BUILD_TIME).unwrap();
    let project = NodeProject::new();
    let path = write_artifact(project.path(), &tarball.file_name(), &tarball.bytes);
    project.npm_install(path.to_str().unwrap(), None);

    // npm hashes the tarball itself when it installs it: same integrity.
    let lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.path().join("package-lock.json")).unwrap())
            .unwrap();
    let installed = &lock["packages"]["node_modules/feature-pets"];
    assert_eq!(installed["version"], "1.4.0");
    assert_eq!(installed["integrity"], tarball.integrity.as_str());

    let mut on_disk: Vec<String> =
        crate::support::runner::snapshot(&project.path().join("node_modules/feature-pets"))
            .keys()
            .map(|p| p.display().to_string())
            .collect();
    on_disk.sort();
    assert_eq!(on_disk, tarball.files);

    let server = pet_server();
    assert_eq!(
        call_typescript_client(&project, &server),
        r#"{"id":1,"name":"Rex","kind":"dog"}"#
    );
    assert_eq!(server.hits("/pets/1"), 1);
}

#[test]
fn pip_installs_the_wheel_and_the_client_works() {
    let files = python_package();
    let project = pyproject::read(&files).unwrap();
    let wheel = wheel::build(&project, &files, BUILD_TIME).unwrap();
    assert_eq!(
        wheel.file_name,
        "specrelay_fixture_pets-1.4.0-py3-none-any.whl"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write_artifact(dir.path(), &wheel.file_name, &wheel.bytes);

    let listed = run_ok(
        Command::new(registries_python())
            .args(["-c", VERIFY_WHEEL])
            .arg(&path),
        Duration::from_secs(30),
    );
    assert_eq!(listed.trim(), wheel.entries.len().to_string());

    let env = installs_offline_and_works(&path);
    // What pip recorded as installed: our metadata, and py.typed kept.
    let shown = env.python(
        "import importlib.metadata as m\n\
         d = m.distribution('specrelay-fixture-pets')\n\
         print(d.metadata['Requires-Python'], d.metadata.get_all('Requires-Dist'), d.read_text('INSTALLER').strip())\n\
         print(sorted(str(f) for f in d.files if f.name == 'py.typed'))",
    );
    assert_eq!(
        shown.trim(),
        ">=3.9 ['httpx>=0.23,<1'] pip\n['specrelay_fixture_pets/py.typed']"
    );
}

#[test]
fn pip_builds_and_installs_the_sdist() {
    let files = python_package();
    let project = pyproject::read(&files).unwrap();
    let sdist = sdist::build(&project, &files, BUILD_TIME).unwrap();
    assert_eq!(sdist.file_name, "specrelay_fixture_pets-1.4.0.tar.gz");
    let dir = tempfile::tempdir().unwrap();
    let path = write_artifact(dir.path(), &sdist.file_name, &sdist.bytes);

    // pip unpacks the sdist and builds a wheel with hatchling (from the
    // wheelhouse, in an isolated build environment), then installs it.
    installs_offline_and_works(&path);
}

/// `pip install`s the wheel or sdist at `path` into a fresh venv (offline,
/// dependencies and build backend from the wheelhouse) and calls the client.
fn installs_offline_and_works(path: &Path) -> PythonEnv {
    let env = PythonEnv::new();
    env.pip_install_offline(&[path.to_str().unwrap()]);
    assert_eq!(
        call_python_client(&env, &pet_server()),
        "1.4.0 {'id': 1, 'name': 'Rex', 'kind': 'dog'}"
    );
    env
}
