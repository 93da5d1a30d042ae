//! The Python SDK: golden packages for the feature specs under
//! `tests/fixtures/sdk/`, determinism, escaping of hostile text, and the
//! generated packages checked the way their users use them: `mypy --strict`
//! (for Python 3.9) on each package with a consumer that calls it sync and
//! async, an import of each, the models' wire format and the runtime's
//! behaviour run for real, and a wheel built from the `pyproject.toml`. A run
//! over every corpus spec type-checks and imports all of them in one mypy
//! process and one Python process (when the corpus is present).

use crate::sdk_support::*;
use specrelay::sdk::{self, Language, naming, python};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn generate_api(path: &Path) -> (sdk::Api, Vec<(String, String)>) {
    let spec = load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let api = sdk::lower(&spec.upgraded, Language::Python);
    let options = python::PyOptions {
        package_name: naming::python_default_distribution_name(&api.name),
        package_version: specrelay::pep440::from_any(&api.version),
    };
    let files = python::render(&api, &options, &python::builtin_environment()).unwrap();
    (api, files)
}

fn golden_dir(stem: &str) -> PathBuf {
    Path::new(ROOT).join("tests/golden/sdk/python").join(stem)
}

fn golden(stem: &str) -> Vec<(String, String)> {
    let (_, files) = generate_api(&fixtures().join(format!("{stem}.yaml")));
    assert_golden(&golden_dir(stem), &files);
    files
}

/// The import package of a generated file list (the folder of `__init__.py`).
pub(crate) fn import_name(files: &[(String, String)]) -> String {
    files
        .iter()
        .find_map(|(name, _)| name.strip_suffix("/__init__.py"))
        .expect("an __init__.py")
        .to_owned()
}

fn file<'f>(files: &'f [(String, String)], name: &str) -> &'f str {
    &files
        .iter()
        .find(|(n, _)| n.ends_with(name))
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

pub(crate) fn write_tree(dir: &Path, files: &[(String, String)]) {
    for (name, contents) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

/// A consumer module that calls the first operation, sync and async (the
/// arguments come from the caller, so any operation will do), or only makes
/// the clients when there is none.
pub(crate) fn consumer(api: &sdk::Api, import: &str) -> String {
    let mut py = format!(
        "from __future__ import annotations\n\nfrom typing import Any\n\nfrom {import} import ApiError, AsyncClient, Client\n"
    );
    let first = api.resources.first().and_then(|r| {
        r.operations.first().map(|op| {
            let returns =
                op.response.kind != sdk::model::ResponseKind::Empty && op.response.ty.is_some();
            (format!("client.{}.{}", r.ident, op.ident), returns)
        })
    });
    let Some((call, returns)) = first else {
        py.push_str("\nclients = (Client(), AsyncClient())\n");
        return py;
    };
    // mypy rejects using the result of a call that returns None.
    let (sync_call, async_call) = if returns {
        (
            format!("return {call}(**kwargs)"),
            format!("return await {call}(**kwargs)"),
        )
    } else {
        (
            format!("{call}(**kwargs)\n            return None"),
            format!("await {call}(**kwargs)\n            return None"),
        )
    };
    py.push_str(&format!(
        "\n\ndef call_sync(**kwargs: Any) -> object:\n    with Client(base_url=\"http://127.0.0.1:4010\", retries=0) as client:\n        try:\n            {sync_call}\n        except ApiError as error:\n            return error.status\n\n\nasync def call_async(**kwargs: Any) -> object:\n    async with AsyncClient(base_url=\"http://127.0.0.1:4010\", retries=0) as client:\n        try:\n            {async_call}\n        except ApiError as error:\n            return error.status\n"
    ));
    py
}

#[test]
fn golden_pets_30() {
    let files = golden("pets-30");
    let client = file(&files, "/client.py");
    assert!(client.contains("class AsyncPetsResource:"));
    assert!(client.contains("        filter: Optional[models.ListPetsFilter] = None,\n"));
    assert!(client.contains("    async def show_by_id(\n"));
    let models = file(&files, "/models.py");
    // Optional and nullable stay apart.
    assert!(models.contains("    tag: Union[str, None, Unset] = UNSET\n"));
    assert!(models.contains("    name: str\n"));
    let pyproject = file(&files, "pyproject.toml");
    assert!(pyproject.contains("name = \"feature-pets\"\nversion = \"1.4.0\"\n"));
    assert!(pyproject.contains("dependencies = [\"httpx>=0.23,<1\"]"));
    assert!(files.iter().any(|(n, _)| n == "feature_pets/py.typed"));
}

#[test]
fn golden_shapes_31() {
    let files = golden("shapes-31");
    let models = file(&files, "/models.py");
    // A required const defaults to its value; the discriminator picks the class.
    assert!(models.contains("    type_: Literal[\"Circle\"] = \"Circle\"\n"));
    assert!(models.contains(
        r#"'{"alias":"Shape","codec":{"union":["Circle","Square"],"discriminator":"type","mapping":{"Circle":"Circle","Square":"Square"}}}\n'"#
    ));
}

#[test]
fn golden_hostile() {
    let files = golden("hostile");
    for (name, contents) in &files {
        assert!(
            !contents.contains(['\u{2028}', '\u{2029}', '\u{0}']),
            "{name} has a raw separator or NUL"
        );
    }
    let pyproject = file(&files, "pyproject.toml");
    assert!(pyproject.contains("version = \"1.0.0rc1\"\n"));
    let models = file(&files, "/models.py");
    assert!(models.contains("ClientModel = str\n"));
    assert!(models.contains("class Class(_r.Model):\n"));
    let client = file(&files, "/client.py");
    assert!(client.contains("        class_: str,\n"));
}

#[test]
fn output_is_deterministic() {
    let path = fixtures().join("pets-30.yaml");
    assert_eq!(generate_api(&path).1, generate_api(&path).1);
}

/// Every golden package with its consumer (hand-written for the feature
/// specs, generated for the hostile one) passes one `mypy --strict` run,
/// and all import.
#[test]
fn golden_packages_type_check_and_import() {
    let temp = tempfile::tempdir().unwrap();
    let mut packages = Vec::new();
    let mut consumers = Vec::new();
    for stem in ["pets-30", "shapes-31", "hostile"] {
        let (api, files) = generate_api(&fixtures().join(format!("{stem}.yaml")));
        let import = import_name(&files);
        write_tree(temp.path(), &files);
        let consumer_module = format!("consumer_{import}");
        let source = std::fs::read_to_string(fixtures().join(format!("{stem}.consumer.py")))
            .unwrap_or_else(|_| consumer(&api, &import));
        std::fs::write(temp.path().join(format!("{consumer_module}.py")), source).unwrap();
        packages.push(import);
        consumers.push(consumer_module);
    }
    if let Err(report) = mypy_strict(temp.path(), &packages, &consumers) {
        panic!("mypy --strict rejected the golden packages:\n{report}");
    }
    let imports = packages
        .iter()
        .chain(consumers.iter())
        .map(|p| format!("import {p}"))
        .collect::<Vec<_>>()
        .join("; ");
    run_python(temp.path(), &imports).unwrap();
}

/// Runs a script against the pets-30 package (importable as `feature_pets`).
fn run_with_pets(script: &str) -> String {
    let temp = tempfile::tempdir().unwrap();
    let (_, files) = generate_api(&fixtures().join("pets-30.yaml"));
    write_tree(temp.path(), &files);
    run_python(temp.path(), script).unwrap_or_else(|e| panic!("{e}"))
}

/// `from_dict` then `to_dict` gives back the same JSON: wire names,
/// enums, absent versus null, nested and recursive models, discriminated
/// unions and undeclared keys; and what does not fit is a `DecodeError`.
#[test]
fn models_round_trip_the_wire_format() {
    let out = run_with_pets(
        r#"
import json
from feature_pets import UNSET, Cat, DecodeError, Dog, Pet, PetKind

wire = {
    "id": 1, "name": "Rex", "kind": "in-between", "tag": None,
    "parent": {"id": 2, "name": "Old", "kind": "dog", "parent": None},
    "details": {"petType": "cat", "lives": 7, "legs": 4},
    "attributes": {"a": [1, {"b": None}]}, "x-extra": {"kept": True},
}
pet = Pet.from_dict(wire)
assert pet.kind is PetKind.IN_BETWEEN, pet.kind
assert pet.tag is None and pet.born is UNSET
assert isinstance(pet.parent, Pet) and pet.parent.parent is None
assert isinstance(pet.details, Cat) and pet.details.lives.value == 7
assert pet.additional_properties == {"x-extra": {"kept": True}}
assert pet.to_dict() == wire, pet.to_dict()
dog = Pet.from_dict({"id": 3, "name": "D", "kind": "dog", "details": {"petType": "dog", "barks": True}})
assert isinstance(dog.details, Dog) and dog.details.pet_type == "dog"
assert "tag" not in dog.to_dict()
made = Pet(id=4, name="N", kind=PetKind.CAT, tag=None)
assert made.to_dict() == {"id": 4, "name": "N", "kind": "cat", "tag": None}
for bad, where in [({"id": "1", "name": "x", "kind": "dog"}, "Pet.id"),
                   ({"id": 1, "name": "x", "kind": "bird"}, "Pet.kind"),
                   ({"id": 1, "kind": "dog"}, "Pet.name"),
                   ({"id": 1, "name": None, "kind": "dog"}, "Pet.name")]:
    try:
        Pet.from_dict(bad)
    except DecodeError as e:
        assert e.path == where, (e.path, where)
    else:
        raise AssertionError(f"{bad} was accepted")
print("ok")
"#,
    );
    assert_eq!(out.trim(), "ok");
}

/// The runtime against an in-process HTTP handler (httpx.MockTransport):
/// parameter serialisation, auth, headers, bodies, retries with backoff on
/// 429/5xx for idempotent methods only, and typed errors; sync and async.
#[test]
fn the_runtime_sends_what_the_spec_asks() {
    let out = run_with_pets(
        r#"
import asyncio, json
import httpx
from feature_pets import (UNSET, ApiError, AsyncClient, Auth, BasicCredentials, Client, CreatePetRequest,
                          DecodeError, Error, ListPetsFilter, ListPetsStatusItem, PetKind, PostStoreOrdersRequest,
                          RequestOptions, UploadPetPhotoRequest)

seen = []
answers = []

def handler(request: httpx.Request) -> httpx.Response:
    seen.append(request)
    status, body, headers = answers.pop(0) if answers else (200, {"items": []}, {})
    return httpx.Response(status, json=body, headers=headers)

pet = {"id": 1, "name": "Rex", "kind": "dog"}
client = Client(auth=Auth(bearer_auth=lambda: "tok", basic_auth=BasicCredentials("u", "p")),
                server_variables={"region": "us"}, headers={"x-app": "1"}, retries=2,
                http_client=httpx.Client(transport=httpx.MockTransport(handler)))
page = client.pets.list(limit=5, status=[ListPetsStatusItem.AVAILABLE, ListPetsStatusItem.SOLD],
                        filter=ListPetsFilter(name="a b", min_age=2), x_request_id="r1", session="s 1",
                        options=RequestOptions(headers={"X-Trace": "t"}))
r = seen[-1]
assert str(r.url) == "https://us.pets.example.com/v1/pets?limit=5&status=available,sold&filter[name]=a%20b&filter[minAge]=2", r.url
assert r.headers["authorization"] == "Bearer tok" and r.headers["x-request-id"] == "r1"
assert r.headers["cookie"] == "session=s%201" and r.headers["x-trace"] == "t" and r.headers["x-app"] == "1"
assert page.items == []

# 503 then 429 (Retry-After: 0) then success: a GET is retried.
answers[:] = [(503, {}, {}), (429, {}, {"retry-after": "0"}), (200, pet, {})]
assert client.pets.show_by_id(pet_id="a/b").name == "Rex"
assert [str(x.url).rsplit("/", 1)[-1] for x in seen[-3:]] == ["a%2Fb"] * 3
# A POST is not retried, and its error is typed.
answers[:] = [(503, {"code": 1, "message": "busy"}, {}), (200, pet, {})]
try:
    client.pets.create(body=CreatePetRequest(name="Rex", kind=PetKind.DOG))
except ApiError as e:
    assert e.status == 503 and e.body == {"code": 1, "message": "busy"} and e.parsed is None
else:
    raise AssertionError("no ApiError")
assert json.loads(seen[-1].content) == {"name": "Rex", "kind": "dog"}
answers[:] = [(422, {"code": 7, "message": "bad"}, {"x-id": "9"})]
try:
    client.pets.create(body=CreatePetRequest(name="Rex", kind=PetKind.DOG))
except ApiError as e:
    assert isinstance(e.parsed, Error) and e.parsed.code == 7 and e.headers["x-id"] == "9"
# Per-call retries.
answers[:] = [(500, {}, {}), (200, pet, {})]
try:
    client.pets.show_by_id(pet_id="1", options=RequestOptions(retries=0))
except ApiError as e:
    assert e.status == 500
answers.clear()
# Bodies: form (basic auth), multipart, raw bytes.
client.store.post_orders(body=PostStoreOrdersRequest(pet_id="7", quantity=2))
assert seen[-1].content == b"petId=7&quantity=2" and seen[-1].headers["authorization"] == "Basic dTpw"
answers[:] = [(200, {"stored": "yes"}, {})]
assert client.pets.upload_photo(pet_id="1", body=UploadPetPhotoRequest(file=b"\x00PNG", tags=["a", "b"])) == {"stored": "yes"}
m = seen[-1]
assert str(m.url).endswith("/pets/.1/photo"), m.url
assert m.headers["content-type"].startswith("multipart/form-data; boundary=")
assert b'name="file"; filename="file"' in m.content and b"\x00PNG" in m.content
assert m.content.count(b'name="tags"') == 2
client.pets.replace_photo(pet_id="1", body=b"raw")
assert seen[-1].content == b"raw" and seen[-1].headers["content-type"] == "application/octet-stream"

async def main() -> None:
    answers[:] = [(502, {}, {}), (200, pet, {})]
    async with AsyncClient(base_url="http://127.0.0.1:1/api/", auth=Auth(api_key="k"),
                           http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))) as ac:
        got = await ac.pets.show_by_id(pet_id="1")
    assert got.name == "Rex" and str(seen[-1].url) == "http://127.0.0.1:1/api/pets/1"
    assert seen[-1].headers["x-api-key"] == "k" and "authorization" not in seen[-1].headers

asyncio.run(main())

# A response that strays from the spec arrives whole by default; strict
# clients refuse it.
answers[:] = [(200, {"id": "not a number", "kind": "dog"}, {})]
odd = client.pets.show_by_id(pet_id="1")
assert odd.id == "not a number" and odd.name is UNSET and odd.kind is PetKind.DOG, odd
strict = Client(strict=True, http_client=httpx.Client(transport=httpx.MockTransport(handler)))
answers[:] = [(200, {"id": "not a number", "kind": "dog"}, {})]
try:
    strict.pets.show_by_id(pet_id="1")
except DecodeError as e:
    assert e.path == "response.id", e.path
else:
    raise AssertionError("strict client accepted it")
print("ok")
"#,
    );
    assert_eq!(out.trim(), "ok");
}

/// Text from the hostile spec arrives intact: the package imports, and its
/// docstrings, enum values, string literals and wire names are exactly the
/// spec's text.
#[test]
fn hostile_text_comes_through_faithfully() {
    let spec_path = fixtures().join("hostile.yaml");
    let spec: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&spec_path).unwrap()).unwrap();
    let temp = tempfile::tempdir().unwrap();
    let (_, files) = generate_api(&spec_path);
    let import = import_name(&files);
    write_tree(temp.path(), &files);
    let out = run_python(
        temp.path(),
        &format!(
            r#"
import inspect, json
import {import} as p
from {import} import models, client
print(json.dumps({{
    "class_doc": models.Class.__doc__,
    "enum": [m.value for m in models.GetItemsXDefault],
    "nested_enum": [m.value for m in models.ClassNested],
    "wire": [prop.wire for prop in p._runtime._MODELS[models.Class].props],
    "summary": inspect.getdoc(client.DeleteEverythingResource.get_items_x).split("\n\n")[0],
    "default_const": p._runtime._NAMED["Default"].value,
    "server_default": client._SERVER_VARIABLES["ver"],
    "server_url": client._SERVER_URL,
    "header": [q.name for q in client._OP_DeleteEverythingResource_get_items_x.params],
    "op_id_words": client.DeleteEverythingResource.get_items_x.__name__,
    "package_doc": p.__doc__.split("\n")[0],
}}))
"#
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let got: serde_json::Value = serde_json::from_str(&out).unwrap();
    let schemas = &spec["components"]["schemas"];
    assert_eq!(got["class_doc"], schemas["class"]["description"]);
    let op = &spec["paths"]["/items/{class}/{2fa}"]["get"];
    assert_eq!(got["enum"], op["parameters"][4]["schema"]["enum"]);
    assert_eq!(
        got["nested_enum"],
        schemas["class"]["properties"]["nested"]["properties"]["*/"]["enum"]
    );
    let wire: Vec<&str> = schemas["class"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(got["wire"], serde_json::json!(wire));
    // The summary's U+2029 is a line break inside a docstring, and
    // docstrings drop spaces at the end of a line.
    let summary: Vec<&str> = op["summary"]
        .as_str()
        .unwrap()
        .split('\u{2029}')
        .map(str::trim_end)
        .collect();
    assert_eq!(got["summary"], summary.join("\n"));
    assert_eq!(got["default_const"], schemas["default"]["const"]);
    let server = &spec["servers"][0];
    assert_eq!(got["server_default"], server["variables"]["ver"]["default"]);
    assert_eq!(got["server_url"], server["url"]);
    let names: Vec<&serde_json::Value> = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["name"])
        .collect();
    assert_eq!(got["header"], serde_json::json!(names));
    assert_eq!(got["op_id_words"], "get_items_x");
    assert_eq!(
        got["package_doc"],
        format!(
            "Python client for {}",
            spec["info"]["title"]
                .as_str()
                .unwrap()
                .split('\u{2028}')
                .next()
                .unwrap()
                .trim_end()
        )
    );
}

/// `pip wheel` builds the package from its `pyproject.toml` with the
/// pinned setuptools (offline: no build isolation), and the wheel carries
/// the modules, `py.typed` and the metadata.
#[test]
fn the_package_builds_a_wheel() {
    let temp = tempfile::tempdir().unwrap();
    let (_, files) = generate_api(&fixtures().join("pets-30.yaml"));
    let source = temp.path().join("src");
    write_tree(&source, &files);
    let wheels = temp.path().join("wheels");
    let out = std::process::Command::new(python())
        .args([
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-build-isolation",
            "--no-deps",
        ])
        .args(["--disable-pip-version-check", "--no-input", "--wheel-dir"])
        .arg(&wheels)
        .arg(&source)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wheel = wheels.join("feature_pets-1.4.0-py3-none-any.whl");
    assert!(
        wheel.is_file(),
        "{:?}",
        std::fs::read_dir(&wheels).unwrap().collect::<Vec<_>>()
    );
    let listing = run_python(
        temp.path(),
        &format!(
            "import zipfile, json\nz = zipfile.ZipFile({:?})\nmeta = z.read('feature_pets-1.4.0.dist-info/METADATA').decode()\nprint(json.dumps({{'names': sorted(z.namelist()), 'meta': meta}}))",
            wheel.display().to_string()
        ),
    )
    .unwrap();
    let listing: serde_json::Value = serde_json::from_str(&listing).unwrap();
    let names: Vec<&str> = listing["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    for expected in [
        "feature_pets/__init__.py",
        "feature_pets/_runtime.py",
        "feature_pets/client.py",
        "feature_pets/models.py",
        "feature_pets/py.typed",
    ] {
        assert!(names.contains(&expected), "{expected} not in {names:?}");
    }
    let meta = listing["meta"].as_str().unwrap();
    for line in [
        "Name: feature-pets",
        "Version: 1.4.0",
        "Requires-Python: >=3.9",
        "Requires-Dist: httpx<1,>=0.23",
    ] {
        assert!(meta.contains(line), "{line} not in\n{meta}");
    }
}

/// Writes the Python package (import name `corpus_NN`) and a consumer of
/// the corpus spec `root` into `out`; `Err` when the loader rejects it.
fn corpus_package(dir: &Path, root: &str, index: usize, out: &Path) -> Result<String, String> {
    let spec = load(&dir.join(root))?;
    let api = sdk::lower(&spec.upgraded, Language::Python);
    let options = python::PyOptions {
        package_name: format!("corpus-{index:02}"),
        package_version: specrelay::pep440::from_any(&api.version),
    };
    let files = python::render(&api, &options, &python::builtin_environment())
        .unwrap_or_else(|e| panic!("{root}: {e}"));
    let import = import_name(&files);
    println!(
        "{import}: {root} ({} operations, {} types)",
        api.resources
            .iter()
            .map(|r| r.operations.len())
            .sum::<usize>(),
        api.types.len()
    );
    let package_files: Vec<(String, String)> = files
        .into_iter()
        .filter(|(n, _)| n.starts_with(&format!("{import}/")))
        .collect();
    write_tree(out, &package_files);
    std::fs::write(
        out.join(format!("consumer_{import}.py")),
        consumer(&api, &import),
    )
    .unwrap();
    Ok(import)
}

/// Every corpus root: the Python package generates, and all of them pass
/// one `mypy --strict` run (each under its own import name, with a
/// consumer) and import in one Python process; the two run side by side,
/// as the packages are generated two at a time. SDK_PY_OUT keeps them there.
#[test]
fn corpus_specs_type_check_and_import() {
    let Some(dir) = corpus_dir() else { return };
    let temp = tempfile::tempdir().unwrap();
    let out = std::env::var_os("SDK_PY_OUT")
        .map(|o| PathBuf::from(o).join("corpus"))
        .unwrap_or_else(|| temp.path().to_path_buf());
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let started = std::time::Instant::now();
    let roots: Vec<(usize, String)> = corpus_roots(&dir).into_iter().enumerate().collect();
    let queue = std::sync::Mutex::new(roots);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some((index, root)) = queue.lock().unwrap().pop() {
                    let result = corpus_package(&dir, &root, index, &out);
                    results.lock().unwrap().push((index, root, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(index, _, _)| *index);
    let mut packages = Vec::new();
    let mut rejected = Vec::new();
    for (_, root, result) in results {
        match result {
            Ok(import) => packages.push(import),
            Err(e) => rejected.push(format!("{root}: {e}")),
        }
    }
    let consumers: Vec<String> = packages.iter().map(|p| format!("consumer_{p}")).collect();
    println!(
        "generated {} packages in {:?}; specs the loader rejects: {}",
        packages.len(),
        started.elapsed(),
        rejected.len()
    );
    for r in &rejected {
        println!("  {r}");
    }
    assert!(
        packages.len() > 50,
        "only {} corpus specs generated",
        packages.len()
    );

    let imports = packages
        .iter()
        .map(|p| format!("import {p}"))
        .collect::<Vec<_>>()
        .join("\n");
    let (checked, imported) = std::thread::scope(|scope| {
        let import = scope.spawn(|| {
            let started = std::time::Instant::now();
            (run_python(&out, &imports), started.elapsed())
        });
        let started = std::time::Instant::now();
        let checked = (mypy_strict(&out, &packages, &consumers), started.elapsed());
        (checked, import.join().unwrap())
    });
    let ((checked, mypy_time), (imported, import_time)) = (checked, imported);
    let failing: Vec<&String> = match &checked {
        Ok(_) => Vec::new(),
        Err(report) => packages
            .iter()
            .filter(|p| report.lines().any(|l| l.starts_with(&format!("{p}/"))))
            .collect(),
    };
    println!(
        "mypy --strict: {} of {} corpus packages pass, in {mypy_time:?} (one process)",
        packages.len() - failing.len(),
        packages.len(),
    );
    if let Err(report) = &checked {
        let shown: Vec<&str> = report.lines().take(40).collect();
        panic!("mypy --strict failed:\n{}", shown.join("\n"));
    }
    imported.unwrap_or_else(|e| panic!("import failed:\n{e}"));
    println!(
        "import: all {} packages in {import_time:?} (one process)",
        packages.len(),
    );
}

/// Every Python builtin and every TypeScript global as a property, an
/// operation, a tag and a parameter name: the generated package passes
/// `mypy --strict` and its models round-trip at runtime (a field named
/// `dict` used to shadow the builtin in `field(default_factory=dict)`).
#[test]
fn builtin_and_global_names_neither_shadow_nor_break() {
    let mut names: Vec<&str> = naming::PYTHON_BUILTINS.to_vec();
    names.extend(naming::TYPESCRIPT_GLOBALS);
    names.sort();
    names.dedup();
    let properties: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|n| ((*n).to_owned(), serde_json::json!({"type": "string"})))
        .collect();
    let mut paths = serde_json::Map::new();
    for name in [
        "dict", "list", "str", "type", "object", "int", "bool", "bytes", "float",
    ] {
        paths.insert(
            format!("/{name}/{{{name}}}"),
            serde_json::json!({"get": {
                "operationId": name,
                "tags": [name],
                "parameters": [
                    {"name": name, "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "list", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Everything"}}}}}
            }}),
        );
    }
    let spec = serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "Builtins", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": {
            "Everything": {"type": "object", "properties": properties},
            "dict": {"type": "object", "properties": {"dict": {"type": "object"}, "list": {"type": "array", "items": {"type": "integer"}}}},
        }},
    });
    let temp = tempfile::tempdir().unwrap();
    let spec_path = temp.path().join("builtins.json");
    std::fs::write(&spec_path, serde_json::to_vec(&spec).unwrap()).unwrap();
    let (api, files) = generate_api(&spec_path);
    let out = temp.path().join("out");
    write_tree(&out, &files);
    let import = import_name(&files);
    std::fs::write(out.join("consumer_builtins.py"), consumer(&api, &import)).unwrap();
    if let Err(report) = mypy_strict(
        &out,
        std::slice::from_ref(&import),
        &["consumer_builtins".to_owned()],
    ) {
        panic!("mypy --strict rejected builtin names:\n{report}");
    }
    let wire: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|n| ((*n).to_owned(), serde_json::json!(format!("v-{n}"))))
        .collect();
    let script = format!(
        "import json\nfrom {import} import models\nwire = json.loads({wire:?})\nm = models.Everything.from_dict(wire)\nassert m.to_dict() == wire, m.to_dict()\nassert m.additional_properties == {{}}\nd = models.DictModel.from_dict({{'dict': {{'a': 1}}, 'list': [1, 2]}})\nassert d.to_dict() == {{'dict': {{'a': 1}}, 'list': [1, 2]}}\nassert models.DictModel().additional_properties == {{}}\nprint('ok')\n",
        wire = serde_json::to_string(&wire).unwrap(),
    );
    let printed = run_python(&out, &script).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(printed.trim(), "ok");
}
