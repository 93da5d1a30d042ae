//! The `discover` stage end to end: the binary run as the Actions runner
//! runs it, on workspaces with front-end sources, manifests and provider
//! specs; the generated configuration type-checked with the pinned tsc and
//! @types/react (scripts/install-react-types.sh).

use crate::support::runner::{Job, Run};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn job() -> Job {
    let mut job = Job::new("discover");
    job.remove_input("allow_http")
        .remove_input("allow_private_network");
    job
}

fn write(job: &Job, relative: &str, text: impl AsRef<[u8]>) {
    let path = job.workspace().join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const APP: &str = "export function App() {\n  return (\n    <main>\n      <Address onChange={(e) => set(e.value > 0)}\n        data-integration=\"address-validation\" data-integration-version=\"^3\" />\n      <Map data-integration=\"maps\" />\n    </main>\n  );\n}\n";

const ADDRESS: &str = "name: address-validation\nprovider: geo-team\nversions: [3.0.0, 3.2.1, 4.0.0]\ndependencies:\n  maps: ^2\nconfig:\n  endpoint: https://geo.example/v3\n  retries: 2\nfallback: manual-entry\n";

const MAPS: &str = "name: maps\nprovider: geo-team\nstatus: draft\nversions: [2.0.0, 2.5.0]\n";

/// The happy-path workspace: a TSX page, a Vue page and two manifests.
fn happy() -> Job {
    let job = job();
    write(&job, "src/App.tsx", APP);
    write(
        &job,
        "src/pages/Checkout.vue",
        "<template>\n  <div data-integration=\"address-validation\" data-integration-version=\"~3.2\"></div>\n</template>\n",
    );
    write(&job, "integrations/address-validation.yaml", ADDRESS);
    write(&job, "integrations/maps.yaml", MAPS);
    job
}

fn json(job: &Job, relative: &str) -> Value {
    serde_json::from_str(&job.read(relative)).unwrap()
}

/// The pinned tsc and @types/react, installed by the repository's scripts.
fn typescript_tools() -> (PathBuf, PathBuf) {
    let out = Command::new("bash")
        .arg(Path::new(ROOT).join("scripts/install-react-types.sh"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let react = line.trim().strip_prefix("REACT_TYPES=").unwrap().to_owned();
    (crate::sdk_support::tsc(), PathBuf::from(react))
}

/// `tsc --strict` over the generated files and a consumer that uses them.
fn typecheck(dir: &Path) {
    let (tsc, react) = typescript_tools();
    let r = react.display();
    std::fs::write(
        dir.join("consumer.tsx"),
        "import { IntegrationProvider, useIntegration } from \"./IntegrationProvider\";\n\
         import { integrationConfig } from \"./integration-config\";\n\
         const version: string = integrationConfig(\"address-validation\").version;\n\
         function Uses(): string { return useIntegration(\"maps\").provider + version; }\n\
         export const tree = <IntegrationProvider><span>{Uses()}</span></IntegrationProvider>;\n\
         // @ts-expect-error: not a validated integration\n\
         integrationConfig(\"nope\");\n",
    )
    .unwrap();
    let config = json!({
        "compilerOptions": {
            "strict": true, "noEmit": true, "jsx": "react-jsx", "module": "esnext",
            "moduleResolution": "bundler", "target": "ES2022", "lib": ["ES2022", "DOM"],
            "types": [], "noUncheckedIndexedAccess": true, "exactOptionalPropertyTypes": true,
            "skipDefaultLibCheck": true,
            "paths": {"react": [format!("{r}/@types/react")], "react/*": [format!("{r}/@types/react/*")]}
        },
        "files": ["integration-config.ts", "IntegrationProvider.tsx", "consumer.tsx"]
    });
    std::fs::write(dir.join("tsconfig.json"), config.to_string()).unwrap();
    let out = crate::support::command::run_bounded(
        Command::new(tsc)
            .args(["-p", "tsconfig.json", "--pretty", "false"])
            .current_dir(dir),
        Duration::from_secs(300),
    );
    assert!(
        out.status.success(),
        "tsc rejected the generated files:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn annotated(run: &Run, level: &str, file: &str, line: u32) -> bool {
    run.stderr
        .lines()
        .any(|l| l.starts_with(&format!("::{level} file={file},line={line},")))
}

#[test]
fn happy_path_writes_the_map_the_result_and_a_config_that_type_checks() {
    let job = happy();
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("found_count"), "2");
    assert_eq!(run.output("missing_count"), "0");
    assert_eq!(run.output("cycle_count"), "0");
    assert_eq!(run.output("valid"), "true");
    let map = json(&job, "integrations/discovery-map.json");
    assert_eq!(
        map["integrations"]["address-validation"],
        json!({"locations": ["src/App.tsx:5", "src/pages/Checkout.vue:2"], "attributes": {"version": ["^3", "~3.2"]}})
    );
    let result = json(&job, "integrations/validation.json");
    assert_eq!(result["valid"], json!(["address-validation", "maps"]));
    assert_eq!(
        result["versions"],
        json!({"address-validation": "3.2.1", "maps": "2.5.0"})
    );
    assert_eq!(
        result["states"],
        json!({"address-validation": "active", "maps": "generated"})
    );
    assert_eq!(
        result["dependencies"]["address-validation"],
        json!({"maps": "^2"})
    );
    assert!(run.summary.contains("```mermaid") && run.summary.contains("-->|\"^2\"| n_maps"));
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap(), result);
    let config = job.read("src/integrations/integration-config.ts");
    assert!(config.contains("version: \"3.2.1\""), "{config}");
    typecheck(&job.workspace().join("src/integrations"));

    // A re-run is a no-op and `--check` passes on a fresh tree.
    let before = job.snapshot();
    job.run_with_args(&["discover", "--check"]).expect_code(0);
    assert_eq!(before, job.snapshot());
}

#[test]
fn check_fails_when_the_generated_config_is_stale_and_writes_nothing() {
    let job = happy();
    job.run().expect_code(0);
    write(
        &job,
        "integrations/maps.yaml",
        MAPS.replace("2.5.0", "2.6.0"),
    );
    let before = job.snapshot();
    let run = job.run_with_args(&["discover", "--check"]);
    run.expect_code(1)
        .expect_stderr("stale: src/integrations/integration-config.ts");
    assert_eq!(before, job.snapshot());
}

#[test]
fn missing_manifest_is_blocking_and_the_stub_never_overwrites() {
    let mut job = happy();
    write(
        &job,
        "src/Extra.jsx",
        "const a = <b\n  data-integration=\"loyalty-points\" data-integration-version=\"^1\" />;\n",
    );
    job.input("write_stubs", "true");
    let run = job.run();
    run.expect_code(1);
    assert_eq!(run.output("missing_count"), "1");
    assert_eq!(run.output("valid"), "false");
    assert!(
        annotated(&run, "error", "src/Extra.jsx", 2),
        "{}",
        run.stderr
    );
    let stub = job.read("integrations/loyalty-points.yaml");
    assert!(
        stub.contains("name: loyalty-points") && stub.contains("TODO"),
        "{stub}"
    );
    assert!(
        stub.contains("src/Extra.jsx:2") && stub.contains("^1"),
        "{stub}"
    );
    // A failing run writes nothing else.
    assert!(!job.exists("integrations/validation.json"));
    assert!(!job.exists("src/integrations/integration-config.ts"));

    // Half-completed: the next run reports the TODO left and keeps the file.
    let edited = stub.replace(
        "provider: TODO the team, vendor or service that provides it",
        "provider: loyalty",
    );
    write(&job, "integrations/loyalty-points.yaml", &edited);
    let run = job.run();
    run.expect_code(1).expect_stderr("TODO marker");
    assert_eq!(run.output("missing_count"), "0");
    assert_eq!(job.read("integrations/loyalty-points.yaml"), edited);
}

#[test]
fn a_cycle_is_blocking_and_printed() {
    let job = happy();
    write(
        &job,
        "integrations/maps.yaml",
        format!("{MAPS}dependencies:\n  tiles: '*'\n"),
    );
    write(
        &job,
        "integrations/tiles.yaml",
        "name: tiles\nprovider: geo\nversions: [1.0.0]\ndependencies:\n  address-validation: ^3\n",
    );
    let before = job.snapshot();
    let run = job.run();
    run.expect_code(1).expect_stderr(
        "circular dependency: address-validation -> maps -> tiles -> address-validation",
    );
    assert_eq!(run.output("cycle_count"), "1");
    assert!(run.summary.contains("address-validation -> maps -> tiles"));
    assert_eq!(before, job.snapshot());
}

#[test]
fn a_version_conflict_names_both_constraints() {
    let job = happy();
    write(
        &job,
        "src/Old.html",
        "<p>\n<div data-integration=\"maps\" data-integration-version=\"^1\"></div>\n",
    );
    write(
        &job,
        "integrations/maps.yaml",
        MAPS.replace("[2.0.0, 2.5.0]", "[1.4.0, 2.0.0, 2.5.0]"),
    );
    let run = job.run();
    run.expect_code(1).expect_stderr(
        "maps: ^1 (from src/Old.html:2) conflicts with ^2 (from the manifest of address-validation)",
    );
    assert!(annotated(&run, "error", "src/Old.html", 2));
}

#[test]
fn malformed_markup_is_a_warning_at_its_file_and_line() {
    let job = happy();
    write(
        &job,
        "web/index.html",
        "<html>\n<body>\n<div data-integration></div>\n<span data-integration=\"Not Valid\"></span>\n",
    );
    let run = job.run();
    run.expect_code(0);
    assert!(
        annotated(&run, "warning", "web/index.html", 3),
        "{}",
        run.stderr
    );
    assert!(
        annotated(&run, "warning", "web/index.html", 4),
        "{}",
        run.stderr
    );
    run.expect_stderr("data-integration has no value");
}

/// A provider spec with two operations; `version` 2 removes `getPet` and
/// breaks `listStores`.
fn provider_spec(version: &str, breaking: bool) -> Vec<u8> {
    let mut spec: Value = serde_json::from_slice(&crate::spec_json(version)).unwrap();
    spec["paths"]["/stores"] = json!({"get": {"operationId": "listStores", "parameters": [
        {"name": "limit", "in": "query", "required": breaking, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "ok"}}}});
    if breaking {
        spec["paths"]["/pets/{petId}"]["get"]["parameters"][0]["schema"] =
            json!({"type": "integer"});
    }
    serde_json::to_vec_pretty(&spec).unwrap()
}

fn with_provider(operations: &str) -> Job {
    let job = happy();
    write(
        &job,
        "openapi/history/openapi-1.0.0.json",
        provider_spec("1.0.0", false),
    );
    write(
        &job,
        "integrations/maps.yaml",
        format!(
            "{MAPS}api:\n  spec: openapi/history/openapi-1.0.0.json\n  operations:\n{operations}"
        ),
    );
    job
}

#[test]
fn an_operation_the_spec_lacks_is_blocking_at_its_line() {
    let job = with_provider("    - getPet\n    - DELETE /pets/{id}\n");
    let run = job.run();
    run.expect_code(1).expect_stderr(
        "maps: operation DELETE /pets/{id} is not in openapi/history/openapi-1.0.0.json",
    );
    assert!(
        annotated(&run, "error", "integrations/maps.yaml", 9),
        "{}",
        run.stderr
    );
}

#[test]
fn a_newer_spec_that_breaks_a_used_operation_is_reported() {
    let job = with_provider("    - GET /pets/{id}\n");
    write(
        &job,
        "openapi/history/openapi-2.0.0.json",
        provider_spec("2.0.0", true),
    );
    let run = job.run();
    run.expect_code(0);
    let result = json(&job, "integrations/validation.json");
    let changes = result["api_changes"]["maps"].as_array().unwrap();
    assert!(!changes.is_empty());
    // Only the operation the integration uses: listStores broke too, unreported.
    for change in changes {
        assert_eq!(change["operation"], "GET /pets/{petId}", "{change}");
        assert_eq!(
            (change["from"].as_str(), change["to"].as_str()),
            (Some("1.0.0"), Some("2.0.0"))
        );
    }
    run.expect_stderr("openapi/history/openapi-2.0.0.json (2.0.0) breaks GET /pets/{petId}");
    assert!(
        annotated(&run, "warning", "integrations/maps.yaml", 6),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_manifests_are_clear_errors_and_nothing_is_written() {
    for (text, needle) in [
        ("name: maps\nprovider: [unclosed\n", "not a valid manifest"),
        (
            "name: maps\nprovider: geo\nversions: [1.0.0]\nowner: me\n",
            "unknown field `owner`",
        ),
    ] {
        let job = happy();
        write(&job, "integrations/maps.yaml", text);
        let before = job.snapshot();
        let run = job.run();
        run.expect_code(1).expect_stderr(needle);
        assert!(
            run.stderr
                .contains("::error file=integrations/maps.yaml,line="),
            "{}",
            run.stderr
        );
        assert_eq!(before, job.snapshot(), "{needle}");
    }
}

#[test]
fn binary_huge_and_looping_sources_are_warnings() {
    let job = happy();
    write(
        &job,
        "src/logo.html",
        b"\x89PNG\r\n\x1a\n\0\0\0data-integration=\"ghost\"",
    );
    let big = job.workspace().join("src/huge.html");
    let mut text = String::from("<div data-integration=\"ghost\"></div>\n");
    text.push_str(&"<p>filler</p>\n".repeat(50 * 1024 * 1024 / 14));
    std::fs::write(&big, text).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        job.workspace().join("src"),
        job.workspace().join("src/pages/loop"),
    )
    .unwrap();
    let run = job.run();
    run.expect_code(0);
    assert_eq!(
        run.output("found_count"),
        "2",
        "ghost is only in skipped files"
    );
    run.expect_stderr("::warning file=src/logo.html,title=not scanned::binary file")
        .expect_stderr("::warning file=src/huge.html,title=not scanned::")
        .expect_stderr("larger than max_file_bytes");
    #[cfg(unix)]
    run.expect_stderr("loop");
}
