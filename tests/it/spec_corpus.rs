//! Loads every root document of the real-world corpus in `../shared/corpus`
//! (see its MANIFEST.json) through `specrelay::spec`, reading referenced
//! files from disk with the `DocumentSet` loop. Prints what was skipped and
//! why when the corpus is absent.

use std::time::Instant;

use crate::support::corpus;
use specrelay::spec::{self, Severity};

fn count_paths_and_operations(document: &serde_json::Value) -> (u64, u64) {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let Some(paths) = document.get("paths").and_then(|p| p.as_object()) else {
        return (0, 0);
    };
    let items: Vec<_> = paths.iter().filter(|(k, _)| !k.starts_with("x-")).collect();
    let operations = items
        .iter()
        .map(|(_, item)| METHODS.iter().filter(|m| item.get(**m).is_some()).count() as u64)
        .sum();
    (items.len() as u64, operations)
}

#[test]
fn corpus_specs_load() {
    let Some(dir) = corpus::dir() else { return };
    let dir = dir.canonicalize().expect("corpus dir");
    let entries = corpus::manifest(&dir);
    let only = std::env::var("SPECRELAY_CORPUS_ONLY").ok();
    let mut failures = Vec::new();
    let total = Instant::now();
    let mut loaded = 0;
    for entry in &entries {
        let path = entry["path"].as_str().expect("path");
        if entry["openapi_version"].is_null() {
            println!("skip  {path}: fragment, not a root document");
            continue;
        }
        if only.as_deref().is_some_and(|o| !path.contains(o)) {
            continue;
        }
        let start = Instant::now();
        let result = corpus::load(&dir.join(path)).map_err(|problems| {
            problems
                .into_iter()
                .filter(|p| p.severity == Severity::Error)
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
        });
        let ms = start.elapsed().as_millis();
        let expected = corpus::expected_rejection(path);
        match (result, expected) {
            (Ok((spec, documents)), None) => {
                loaded += 1;
                let (paths, operations) = count_paths_and_operations(&spec.document);
                let expected = (entry["paths"].as_u64(), entry["operations"].as_u64());
                if expected != (Some(paths), Some(operations)) {
                    failures.push(format!(
                        "{path}: bundled document has {paths} paths / {operations} operations, MANIFEST says {expected:?}"
                    ));
                }
                let dangling = spec::unresolved_refs(&spec.document);
                if !dangling.is_empty() {
                    failures.push(format!(
                        "{path}: bundled document has unresolved refs: {:?}",
                        &dangling[..dangling.len().min(5)]
                    ));
                }
                let dangling = spec::unresolved_refs(&spec.upgraded);
                if !dangling.is_empty() {
                    failures.push(format!(
                        "{path}: upgraded document has unresolved refs: {:?}",
                        &dangling[..dangling.len().min(5)]
                    ));
                }
                println!(
                    "ok    {path}: {ms} ms, {documents} document(s), openapi {}, {} warning(s)",
                    spec.version,
                    spec.warnings.len()
                );
                for w in spec.warnings.iter().take(3) {
                    println!("        {w}");
                }
            }
            (Ok(_), Some(reason)) => {
                failures.push(format!("{path}: expected to fail ({reason}) but loaded"));
            }
            (Err(errors), Some(reason)) => {
                println!(
                    "xfail {path}: {ms} ms, {} error(s), expected: {reason}",
                    errors.len()
                );
            }
            (Err(errors), None) => {
                println!("FAIL  {path}: {ms} ms, {} error(s)", errors.len());
                for e in errors.iter().take(10) {
                    println!("        {e}");
                }
                failures.push(format!(
                    "{path}: {} error(s), first: {}",
                    errors.len(),
                    errors[0]
                ));
            }
        }
    }
    println!(
        "{loaded} spec(s) loaded in {} ms",
        total.elapsed().as_millis()
    );
    assert!(
        failures.is_empty(),
        "corpus failures:\n{}",
        failures.join("\n")
    );
}
