//! Diffs every consecutive pair of the real spec histories in
//! `../shared/corpus/history/` (raw 3.0/3.1 input as parsed, not upgraded), prints
//! timing, counts per level and sample findings per pair, and checks that
//! the GitHub 5 -> 6 pair (a pure reformat) reports nothing.
//! Prints that it was skipped when the corpus is absent.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::support::corpus;
use serde_json::Value;
use specrelay::diff::{DiffOptions, Level, diff, implied_change, render_json, summarize};
use specrelay::spec::upgrade_to_31;

#[test]
fn corpus_history_pairs() {
    let Some(corpus) = corpus::dir() else { return };
    let root = corpus.join("history");
    let mut series: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("read corpus history")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    series.sort();
    for dir in series {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name.contains("multifile") {
            println!("{name}: see corpus_multi_file_history_pairs");
            continue;
        }
        let files = corpus::history(&root, &name);
        let docs: Vec<(String, Value)> = files
            .iter()
            .map(|p| {
                (
                    p.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned(),
                    corpus::parse(p).unwrap_or_else(|e| panic!("{e}")),
                )
            })
            .collect();
        for pair in docs.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let start = Instant::now();
            let findings = diff(&a.1, &b.1, &DiffOptions::default());
            let elapsed = start.elapsed();
            let summary = summarize(&findings);
            // The JSON rendering must always serialise.
            let _ = serde_json::to_string(&render_json(&findings, &summary)).expect("json");
            println!(
                "{name} {} -> {}: {:?} breaking={} warning={} info={} implied={:?}",
                a.0,
                b.0,
                elapsed,
                summary.breaking,
                summary.warning,
                summary.info,
                implied_change(&findings)
            );
            for level in [Level::Breaking, Level::Warning, Level::Info] {
                for f in findings.iter().filter(|f| f.level == level).take(4) {
                    println!(
                        "    [{}] {} {} :: {}",
                        f.level.as_str(),
                        f.id,
                        f.operation
                            .as_deref()
                            .or(f.component.as_deref())
                            .unwrap_or("-"),
                        f.message
                    );
                }
            }
            if let Some(dump) = std::env::var_os("SPECRELAY_DIFF_DUMP") {
                let file = Path::new(&dump).join(format!("{name}-{}-{}.txt", a.0, b.0));
                let lines: Vec<String> = findings
                    .iter()
                    .map(|f| {
                        format!(
                            "[{}] {} {} | {} | {:?} -> {:?}",
                            f.level.as_str(),
                            f.id,
                            f.operation.as_deref().unwrap_or("-"),
                            f.message,
                            f.base_pointer,
                            f.revision_pointer
                        )
                    })
                    .collect();
                std::fs::write(file, lines.join("\n")).expect("dump");
            }
            if name == "github" && a.0.starts_with("5-") && b.0.starts_with("6-") {
                assert!(
                    findings.is_empty(),
                    "github 5 -> 6 is a pure reformat: {findings:#?}"
                );
            }
        }
    }
}

fn spec_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if path.is_dir() {
            if !name.contains("multifile") {
                spec_files(&path, out);
            }
        } else if name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(path);
        }
    }
}

/// The DigitalOcean history is ~2,000 files per version: bundled by `spec`
/// (as ingest does), then diffed in the 3.1 model, pair by pair.
#[test]
fn corpus_multi_file_history_pairs() {
    let Some(root) = corpus::dir() else { return };
    let dir = root.join("history/digitalocean-multifile");
    let mut versions: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    versions.sort();
    let specs: Vec<(String, Value)> = versions
        .iter()
        .map(|v| {
            let root_file = v.join("specification/DigitalOcean-public.v2.yaml");
            let (loaded, files) = corpus::load(&root_file)
                .unwrap_or_else(|p| panic!("{}: {}", root_file.display(), p[0]));
            let name = v.file_name().unwrap().to_string_lossy().into_owned();
            println!("digitalocean {name}: {files} files bundled");
            (name, loaded.upgraded)
        })
        .collect();
    assert!(specs.len() >= 2, "no DigitalOcean history in the corpus");
    for pair in specs.windows(2) {
        let start = Instant::now();
        let findings = diff(&pair[0].1, &pair[1].1, &DiffOptions::default());
        let summary = summarize(&findings);
        println!(
            "digitalocean {} -> {}: {:?} breaking={} warning={} info={}",
            pair[0].0,
            pair[1].0,
            start.elapsed(),
            summary.breaking,
            summary.warning,
            summary.info
        );
        assert!(
            !findings.is_empty(),
            "a year of API changes cannot be empty"
        );
    }
}

/// Every single-file spec in `big/` and `small/`: diffed with itself it
/// must report nothing; diffed with the next spec and with an empty
/// document it must not crash.
#[test]
fn corpus_specs_self_and_cross() {
    let Some(root) = corpus::dir() else { return };
    let mut files = Vec::new();
    spec_files(&root.join("big"), &mut files);
    spec_files(&root.join("small"), &mut files);
    let docs: Vec<(PathBuf, Value)> = files
        .into_iter()
        .filter_map(|p| match corpus::parse(&p) {
            Ok(doc) if doc.get("openapi").is_some() => Some((p, doc)),
            Ok(_) => None,
            Err(e) => {
                println!("{}: not loadable, skipped: {e}", p.display());
                None
            }
        })
        .collect();
    let empty = serde_json::json!({"openapi": "3.1.0", "paths": {}});
    let options = DiffOptions::default();
    let start = Instant::now();
    for (i, (path, doc)) in docs.iter().enumerate() {
        let same = diff(doc, doc, &options);
        assert!(same.is_empty(), "{} vs itself: {same:#?}", path.display());
        let _ = diff(doc, &empty, &options);
        let _ = diff(&empty, doc, &options);
        let next = &docs[(i + 1) % docs.len()].1;
        let _ = diff(doc, next, &options);
    }
    println!(
        "{} specs: self, empty and cross diffs in {:?}",
        docs.len(),
        start.elapsed()
    );
}

/// Raw 3.0 input against its 3.1 upgrade must report nothing, both ways.
#[test]
fn corpus_raw_vs_upgraded_reports_nothing() {
    let Some(root) = corpus::dir() else { return };
    let mut files = Vec::new();
    spec_files(&root.join("big"), &mut files);
    spec_files(&root.join("small"), &mut files);
    for series in ["github", "stripe", "openai"] {
        files.extend(corpus::history(&root, series).into_iter().take(1));
    }
    let options = DiffOptions::default();
    let mut checked = 0;
    for path in files {
        let Ok(doc) = corpus::parse(&path) else {
            continue;
        };
        if !doc
            .get("openapi")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("3.0"))
        {
            continue;
        }
        let upgraded = upgrade_to_31(&doc);
        for (a, b) in [(&doc, &upgraded), (&upgraded, &doc)] {
            let findings = diff(a, b, &options);
            assert!(
                findings.is_empty(),
                "{}: 3.0 vs upgraded 3.1 reported {} findings, e.g. {:#?}",
                path.display(),
                findings.len(),
                &findings[..findings.len().min(5)]
            );
        }
        checked += 1;
    }
    println!("{checked} 3.0 specs: raw vs upgraded 3.1 gave no findings");
}

/// Refactors a real spec without changing its meaning: every inline body
/// schema moves to `components/schemas` behind a `$ref`, and every object
/// component with two or more properties is split into two `allOf` parts.
fn refactor(doc: &Value) -> Value {
    let mut out = doc.clone();
    let mut extracted = serde_json::Map::new();
    let mut counter = 0;
    if let Some(paths) = out.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for op in item.values_mut() {
                if let Some(content) = op
                    .pointer_mut("/requestBody/content")
                    .and_then(Value::as_object_mut)
                {
                    for entry in content.values_mut() {
                        extract(entry, &mut extracted, &mut counter);
                    }
                }
                let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                    continue;
                };
                for response in responses.values_mut() {
                    if let Some(content) =
                        response.get_mut("content").and_then(Value::as_object_mut)
                    {
                        for entry in content.values_mut() {
                            extract(entry, &mut extracted, &mut counter);
                        }
                    }
                }
            }
        }
    }
    let schemas = out
        .as_object_mut()
        .expect("object")
        .entry("components")
        .or_insert_with(|| serde_json::json!({}))
        .as_object_mut()
        .expect("components")
        .entry("schemas")
        .or_insert_with(|| serde_json::json!({}))
        .as_object_mut()
        .expect("schemas");
    for schema in schemas.values_mut() {
        split_into_all_of(schema);
    }
    schemas.extend(extracted);
    out
}

fn extract(entry: &mut Value, extracted: &mut serde_json::Map<String, Value>, counter: &mut usize) {
    let Some(schema) = entry.get_mut("schema") else {
        return;
    };
    if schema.get("$ref").is_some() || !schema.is_object() {
        return;
    }
    *counter += 1;
    let name = format!("ZzExtracted{counter}");
    let reference = serde_json::json!({"$ref": format!("#/components/schemas/{name}")});
    extracted.insert(name, std::mem::replace(schema, reference));
}

fn split_into_all_of(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if map.contains_key("allOf") || map.contains_key("$ref") {
        return;
    }
    let Some(Value::Object(properties)) = map.get("properties").cloned() else {
        return;
    };
    if properties.len() < 2 {
        return;
    }
    let required: Vec<String> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let half = properties.len() / 2;
    let mut parts = Vec::new();
    for chunk in [
        properties.iter().take(half).collect::<Vec<_>>(),
        properties.iter().skip(half).collect(),
    ] {
        let names: Vec<&String> = chunk.iter().map(|(k, _)| *k).collect();
        let props: serde_json::Map<String, Value> = chunk
            .into_iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let req: Vec<&String> = required.iter().filter(|r| names.contains(r)).collect();
        parts.push(serde_json::json!({"properties": props, "required": req}));
    }
    map.remove("properties");
    map.remove("required");
    map.insert("allOf".to_owned(), Value::Array(parts));
}

#[test]
fn corpus_refactored_reports_nothing() {
    let Some(root) = corpus::dir() else { return };
    let mut files = Vec::new();
    spec_files(&root.join("big"), &mut files);
    for series in ["github", "stripe", "openai"] {
        files.extend(corpus::history(&root, series).into_iter().take(1));
    }
    let options = DiffOptions::default();
    for path in files {
        let Ok(doc) = corpus::parse(&path) else {
            continue;
        };
        let refactored = refactor(&doc);
        assert_ne!(
            refactored,
            doc,
            "{}: the refactor changed nothing",
            path.display()
        );
        for (a, b) in [(&doc, &refactored), (&refactored, &doc)] {
            let start = Instant::now();
            let findings = diff(a, b, &options);
            assert!(
                findings.is_empty(),
                "{}: refactor reported {} findings, e.g. {:#?}",
                path.display(),
                findings.len(),
                &findings[..findings.len().min(5)]
            );
            println!(
                "{}: refactored, no findings ({:?})",
                path.display(),
                start.elapsed()
            );
        }
    }
}

/// The `diff` stage itself, as users run it, on every consecutive pair of
/// every history (multi-file DigitalOcean included): each pair is compared
/// without error, whatever lint errors the real specs carry.
#[test]
fn diff_stage_compares_every_history_pair() {
    let Some(root) = corpus::dir() else { return };
    let history = root.join("history");
    let mut pairs = Vec::new();
    for sequence in ["github", "stripe", "openai", "openai-consecutive"] {
        let files = corpus::history(&root, sequence);
        for pair in files.windows(2) {
            pairs.push((pair[0].clone(), pair[1].clone()));
        }
    }
    let mut versions: Vec<_> = std::fs::read_dir(history.join("digitalocean-multifile"))
        .map(|e| e.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    versions.sort();
    for pair in versions.windows(2) {
        let root_file = |v: &Path| v.join("specification/DigitalOcean-public.v2.yaml");
        pairs.push((root_file(&pair[0]), root_file(&pair[1])));
    }
    assert!(pairs.len() >= 20, "only {} history pairs", pairs.len());
    let mut failures = Vec::new();
    for (base, revision) in &pairs {
        let relative = |p: &Path| {
            p.strip_prefix(&history)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        };
        let start = Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_specrelay"))
            .args([
                "diff",
                "--format",
                "json",
                "--fail-on",
                "none",
                "--workspace",
            ])
            .arg(&history)
            .args(["--base", &relative(base), "--revision", &relative(revision)])
            .env_clear()
            .output()
            .unwrap();
        let report: Option<Value> = serde_json::from_slice(&out.stdout).ok();
        match (out.status.code(), report) {
            (Some(0), Some(report)) => println!(
                "{} -> {}: {:?} {}",
                relative(base),
                relative(revision),
                start.elapsed(),
                report["summary"]
            ),
            (code, _) => failures.push(format!(
                "{} -> {}: exit {code:?}\n{}",
                relative(base),
                relative(revision),
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .rev()
                    .take(5)
                    .collect::<Vec<_>>()
                    .join("\n")
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
