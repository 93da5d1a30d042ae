//! `ingest` on every real-world spec root in `../shared/corpus` (see its
//! MANIFEST.json), through the real binary, reading multi-file specs from
//! disk. The corpus is third-party data and is never committed here; when it
//! is absent the test says so and checks nothing.

use crate::support::corpus;
use crate::support::runner::{Job, sha256};
use serde_json::json;
use std::sync::Mutex;
use std::time::Instant;

#[test]
fn ingest_accepts_every_corpus_spec() {
    let Some(dir) = corpus::dir() else { return };
    let roots = corpus::roots(&dir);
    assert!(roots.len() > 50, "the manifest lists {} roots", roots.len());
    let queue = Mutex::new(roots.clone());
    let results = Mutex::new(Vec::new());
    // Two workers: the machine has two cores.
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some((name, path)) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let body = std::fs::read(&path).unwrap();
                    let mut job = Job::new("ingest");
                    job.input("allow_file_urls", "true").dispatch(json!({
                        "version": "1.0.0",
                        "checksum": sha256(&body),
                        "change_type": "major",
                        "download_url": url::Url::from_file_path(&path).unwrap().to_string(),
                        "source_repo": "corpus/specs",
                    }));
                    let started = Instant::now();
                    let run = job.run();
                    let elapsed = started.elapsed();
                    let warnings = run.stderr.matches("::warning").count();
                    results.lock().unwrap().push((name, run, elapsed, warnings));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let mut unexpected = Vec::new();
    for (name, run, elapsed, warnings) in &results {
        let expected_rejection = corpus::expected_rejection(name);
        let verdict = match (run.code, expected_rejection) {
            (0, None) => "ok",
            (_, Some(_)) if run.code != 0 => "rejected as expected",
            _ => {
                unexpected.push(format!("{name}: exit {}\n{}", run.code, tail(&run.stderr)));
                "UNEXPECTED"
            }
        };
        eprintln!(
            "{verdict:>20}  {:>6} ms  {warnings:>4} warnings  {name}",
            elapsed.as_millis()
        );
    }
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n\n"));
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}
