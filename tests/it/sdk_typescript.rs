//! The TypeScript SDK: golden packages for the feature specs under
//! `tests/fixtures/sdk/`, determinism, escaping of hostile text, and a run
//! over every corpus spec (when the corpus is present).

use crate::sdk_support::*;
use specrelay::sdk::{self, Language, typescript};
use std::path::Path;

fn generate(path: &Path) -> Vec<(String, String)> {
    generate_api(path).1
}

fn generate_api(path: &Path) -> (sdk::Api, Vec<(String, String)>) {
    let spec = load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let api = sdk::lower(&spec.upgraded, Language::TypeScript);
    let options = typescript::TsOptions {
        package_name: sdk::naming::npm_package_name(&api.name),
        package_version: api.version.clone(),
    };
    let files = typescript::render(&api, &options, &typescript::builtin_environment()).unwrap();
    (api, files)
}

/// A consumer file (calls the first operation) and a strict tsconfig, for
/// checking a written package with `tsc -p`.
pub(crate) fn consumer_files(api: &sdk::Api) -> Vec<(String, String)> {
    let call = api.resources.first().and_then(|r| {
        r.operations
            .first()
            .map(|op| format!("client.{}.{}", r.ident, op.ident))
    });
    let mut ts = String::from(
        "import { Client, ApiError } from \"./index.js\";\n\nconst client = new Client({ baseUrl: \"http://127.0.0.1:4010\", retries: 0, timeoutMs: 5000 });\n",
    );
    if let Some(call) = call {
        ts.push_str(&format!(
            "\nexport async function callOne(...args: Parameters<typeof {call}>): Promise<unknown> {{\n  try {{\n    return await {call}(...args);\n  }} catch (error) {{\n    if (error instanceof ApiError) return error.status;\n    throw error;\n  }}\n}}\n"
        ));
    } else {
        ts.push_str("export { client };\n");
    }
    let tsconfig = r#"{
  "compilerOptions": {
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "exactOptionalPropertyTypes": true,
    "target": "es2022",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "lib": ["es2022", "dom"],
    "noEmit": true,
    "skipLibCheck": false
  },
  "files": ["consumer.ts", "index.d.ts"]
}
"#;
    vec![
        ("consumer.ts".into(), ts),
        ("tsconfig.json".into(), tsconfig.into()),
    ]
}

fn golden(stem: &str, ext: &str) -> Vec<(String, String)> {
    let (api, files) = generate_api(&fixtures().join(format!("{stem}.{ext}")));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/sdk/typescript")
        .join(stem);
    assert_golden(&dir, &files);
    if let Some(out) = std::env::var_os("SDK_TS_OUT") {
        write_package(&Path::new(&out).join(stem), &files);
        let mut extra = consumer_files(&api);
        let hand_written = fixtures().join(format!("{stem}.consumer.ts"));
        if let Ok(text) = std::fs::read_to_string(&hand_written) {
            extra[0].1 = text;
        }
        write_package_extra(&Path::new(&out).join(stem), &extra);
    }
    files
}

pub(crate) fn write_package(dir: &Path, files: &[(String, String)]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    for (name, contents) in files {
        std::fs::write(dir.join(name), contents).unwrap();
    }
}

pub(crate) fn write_package_extra(dir: &Path, files: &[(String, String)]) {
    for (name, contents) in files {
        std::fs::write(dir.join(name), contents).unwrap();
    }
}

fn file<'f>(files: &'f [(String, String)], name: &str) -> &'f str {
    &files.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn golden_pets_30() {
    let files = golden("pets-30", "yaml");
    let client = file(&files, "client.d.ts");
    assert!(client.contains("readonly pets: PetsResource;"));
    assert!(client.contains(
        "list(args?: M.ListPetsParams, options?: RequestOptions): Promise<M.ListPetsResponse>;"
    ));
}

#[test]
fn golden_shapes_31() {
    golden("shapes-31", "yaml");
}

#[test]
fn golden_hostile() {
    let files = golden("hostile", "yaml");
    for (name, contents) in &files {
        if name.ends_with(".md") || name.ends_with(".json") {
            continue;
        }
        // No spec text may close a comment early.
        for line in contents.lines() {
            if let Some(pos) = line.find("*/") {
                let before = &line[..pos];
                assert!(
                    before.trim_start().starts_with("/**")
                        || before.trim().is_empty()
                        || line.contains('"'),
                    "{name}: suspicious comment end in {line:?}"
                );
            }
        }
        assert!(
            !contents.contains('\u{2028}') && !contents.contains('\u{2029}'),
            "{name}"
        );
    }
    let models = file(&files, "models.d.ts");
    assert!(models.contains("export type ClientModel = string;"));
    // Enum values arrive intact, as JSON-compatible literals.
    for value in [
        "*/",
        "`${x}`",
        "\"",
        "'",
        "\u{2028}",
        "new\nline",
        "</script>",
    ] {
        let literal = specrelay::sdk::escape::js_string(value);
        assert!(models.contains(&literal), "missing {literal}");
    }
    // Hostile property keys are quoted, never bare.
    assert!(models.contains("\"*/\"?: string;"));
    assert!(models.contains("\"new\\nline\"?: string;"));
}

#[test]
fn output_is_deterministic() {
    let path = fixtures().join("pets-30.yaml");
    assert_eq!(generate(&path), generate(&path));
}

/// Every corpus root: lowering (TypeScript and Python) and rendering must
/// not panic, and every package must type-check with tsc 5.9 in strict mode
/// (noUncheckedIndexedAccess, exactOptionalPropertyTypes) together with a
/// consumer that calls one operation. SDK_TS_OUT keeps the packages there.
#[test]
fn corpus_specs_generate() {
    let Some(dir) = corpus_dir() else { return };
    let temp = tempfile::tempdir().unwrap();
    let out = std::env::var_os("SDK_TS_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    let mut projects = Vec::new();
    let mut generated = 0;
    let mut rejected = Vec::new();
    for root in corpus_roots(&dir) {
        let spec = match load(&dir.join(&root)) {
            Ok(spec) => spec,
            Err(e) => {
                rejected.push(format!("{root}: {e}"));
                continue;
            }
        };
        let started = std::time::Instant::now();
        let api = sdk::lower(&spec.upgraded, Language::TypeScript);
        let options = typescript::TsOptions {
            package_name: "corpus-sdk".into(),
            package_version: "1.0.0".into(),
        };
        let files = typescript::render(&api, &options, &typescript::builtin_environment())
            .unwrap_or_else(|e| panic!("{root}: {e}"));
        // The Python model is lowered from the same spec; it must not panic
        // and must name the same operations.
        let python = sdk::lower(&spec.upgraded, Language::Python);
        assert_eq!(python.resources.len(), api.resources.len(), "{root}");
        assert_eq!(python.types.len(), api.types.len(), "{root}");
        let operations: usize = api.resources.iter().map(|r| r.operations.len()).sum();
        println!(
            "{root}: {operations} operations, {} types, {} warnings, {} ms",
            api.types.len(),
            api.warnings.len(),
            started.elapsed().as_millis()
        );
        for w in api.warnings.iter().take(3) {
            println!("    {w}");
        }
        let name = root.replace(['/', '.'], "_");
        let dir = out.join("corpus").join(name);
        write_package(&dir, &files);
        write_package_extra(&dir, &consumer_files(&api));
        projects.push(dir);
        generated += 1;
    }
    println!(
        "generated {generated} packages; specs the loader rejects: {}",
        rejected.len()
    );
    for r in &rejected {
        println!("  {r}");
    }
    assert!(generated > 50, "only {generated} corpus specs generated");
    let started = std::time::Instant::now();
    let failures = tsc_projects(&projects);
    println!(
        "tsc (strict): {} of {} corpus packages pass in {:?}",
        projects.len() - failures.len(),
        projects.len(),
        started.elapsed()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
