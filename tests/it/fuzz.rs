//! Fuzz targets, one per parser and stage entry point, run for a bounded
//! time in the test command (`cargo fuzz` needs nightly with libFuzzer,
//! which this setup does not build; these use proptest's generators and
//! shrinking instead). Seeds come from `../shared/corpus` at run time (never
//! committed); without it they start from small built-in documents.
//!
//! Each target runs for `SPECRELAY_FUZZ_SECS` seconds (default 10; about a
//! minute for all six) and prints how many cases it ran; set it higher for
//! a long run. A failing case is shrunk and reported by proptest.

use crate::support::runner::Job;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use specrelay::actions::Redactor;
use specrelay::spec::{self, DocumentSet, Limits, Validation};
use std::time::{Duration, Instant};

fn budget() -> Duration {
    let secs = std::env::var("SPECRELAY_FUZZ_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10.0);
    Duration::from_secs_f64(secs)
}

/// Runs `test` on values from `strategy` until the budget is spent; a
/// seed from the clock, printed, so that a run can be told apart.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        .to_le_bytes();
    let mut seed32 = [0u8; 32];
    seed32[..16].copy_from_slice(&seed);
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed32);
    let config = Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    };
    // A runner counts its cases once: each round forks a fresh one.
    let mut master = TestRunner::new_with_rng(config.clone(), rng);
    let started = Instant::now();
    let cases = std::cell::Cell::new(0u64);
    let counted = |value: S::Value| {
        cases.set(cases.get() + 1);
        test(value)
    };
    while started.elapsed() < budget() {
        let mut runner = TestRunner::new_with_rng(config.clone(), master.new_rng());
        if let Err(e) = runner.run(&strategy, counted) {
            panic!("fuzz target {name} (seed {seed:?}): {e}");
        }
    }
    let cases = cases.get();
    println!(
        "fuzz {name}: {cases} cases in {:.1}s, no failure",
        started.elapsed().as_secs_f64()
    );
}

/// Up to `limit` corpus documents no larger than `max_bytes`, or small
/// built-in ones when the corpus is absent.
fn seeds(limit: usize, max_bytes: u64) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    if let Some(dir) = crate::support::corpus::dir_if_present() {
        let mut pending = vec![dir];
        while let Some(path) = pending.pop() {
            if found.len() >= limit {
                break;
            }
            if path.is_dir() {
                let mut entries: Vec<_> = std::fs::read_dir(&path)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .collect();
                entries.sort();
                pending.extend(entries);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let small = path.metadata().is_ok_and(|m| m.len() <= max_bytes);
            if ["yaml", "yml", "json"].contains(&ext) && small {
                found.push(std::fs::read(&path).unwrap());
            }
        }
    }
    if found.is_empty() {
        println!("fuzz: no corpus at ../shared/corpus; seeding from built-in documents");
        found.push(crate::spec_json("1.0.0"));
        found.push(b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n".to_vec());
    }
    found
}

/// One mutation of a seed document.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let hostile = prop_oneof![
        Just(b"[".repeat(300)),
        Just(b"{a: ".repeat(200)),
        Just(b"- ".repeat(300)),
        Just(b"&a [*a, *a, *a]".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"'".to_vec()),
        Just(b"\n  |\n".to_vec()),
        Just(b"$ref: '#/components/schemas/X'".to_vec()),
        Just(b"\"$ref\": \"other.yaml#/x\"".to_vec()),
        Just(b"\xff\xfe".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..16),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), hostile).prop_map(|(i, s)| Mutation::Insert(i, s)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn mutate(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(i, b) if !bytes.is_empty() => bytes[i % len] ^= b,
            Mutation::Flip(..) => {}
            Mutation::Insert(i, s) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, s.iter().copied());
            }
            Mutation::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
            Mutation::Duplicate(i, n) => {
                let at = i % len.min(bytes.len() + 1);
                let end = (at + n % 4096).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
        }
    }
    bytes
}

fn mutated_documents(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let count = seeds.len();
    (0..count, proptest::collection::vec(mutation(), 0..6))
        .prop_map(move |(i, ms)| mutate(&seeds[i], &ms))
}

/// Every hostile input is answered within a second.
fn bounded<T>(what: &str, work: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    let started = Instant::now();
    let out = work();
    prop_assert!(
        started.elapsed() < Duration::from_secs(1),
        "{what} took {:?}",
        started.elapsed()
    );
    Ok(out)
}

#[test]
fn fuzz_parse_document() {
    fuzz(
        "spec::parse_document",
        mutated_documents(seeds(200, 200_000)),
        |bytes| {
            bounded("parse", || {
                let _ = spec::parse_document(&bytes);
            })
        },
    );
}

#[test]
fn fuzz_load_bundle_validate() {
    fuzz(
        "spec::load",
        mutated_documents(seeds(60, 60_000)),
        |bytes| {
            let Ok(doc) = spec::parse_document(&bytes) else {
                return Ok(());
            };
            let root = url::Url::parse("file:///fuzz/openapi.yaml").unwrap();
            let set = DocumentSet::new(root, doc);
            bounded("load", || {
                let _ = spec::load_with(set, &Limits::default(), Validation::Lenient);
            })
        },
    );
}

#[test]
fn fuzz_diff_and_sdk_lowering() {
    let seeds = seeds(60, 60_000);
    let strategy = (mutated_documents(seeds.clone()), mutated_documents(seeds));
    fuzz("diff::diff + sdk::lower", strategy, |(a, b)| {
        let load = |bytes: &[u8]| {
            let doc = spec::parse_document(bytes).ok()?;
            let root = url::Url::parse("file:///fuzz/openapi.yaml").unwrap();
            spec::load_with(
                DocumentSet::new(root, doc),
                &Limits::default(),
                Validation::Lenient,
            )
            .ok()
        };
        let (Some(a), Some(b)) = (load(&a), load(&b)) else {
            return Ok(());
        };
        let _ = specrelay::diff::diff(&a.upgraded, &b.upgraded, &Default::default());
        let _ = specrelay::sdk::lower(&b.upgraded, specrelay::sdk::Language::Python);
        let _ = specrelay::sdk::lower(&b.upgraded, specrelay::sdk::Language::TypeScript);
        Ok(())
    });
}

#[test]
fn fuzz_redactor() {
    let strategy = ("[ -~]{6,40}", "[ -~\n]{0,80}", "[ -~\n]{0,80}", 0..4usize);
    fuzz(
        "actions::redact",
        strategy,
        |(secret, before, after, form)| {
            use base64::Engine as _;
            let r = Redactor::new();
            r.add(&secret);
            let secret = secret.trim().to_owned();
            prop_assume!(secret.len() >= 6);
            let b64 = base64::engine::general_purpose::STANDARD;
            let shown = match form {
                0 => secret.clone(),
                1 => b64.encode(&secret),
                2 => format!("Basic {}", b64.encode(format!("__token__:{secret}"))),
                _ => format!("Bearer {secret}"),
            };
            let text = format!("{before}{shown}{after}");
            let out = r.redact(&text);
            prop_assert!(!out.contains(&secret), "{text:?} -> {out:?}");
            prop_assert!(!out.contains(&b64.encode(&secret)), "{text:?} -> {out:?}");
            Ok(())
        },
    );
}

/// The ingest stage's entry point: any announcement, from the event or
/// the inputs, ends in a documented exit code, never a panic.
#[test]
fn fuzz_ingest_announcement() {
    let field = prop_oneof![
        Just(serde_json::Value::Null),
        any::<i64>().prop_map(serde_json::Value::from),
        "[ -~]{0,30}".prop_map(serde_json::Value::from),
        Just(serde_json::json!("1.0.0")),
        Just(serde_json::json!(format!("sha256:{}", "A".repeat(64)))),
        Just(serde_json::json!("file:///etc/passwd")),
        Just(serde_json::json!(
            "http://127.0.0.1:9/openapi.json?access_token=x"
        )),
        Just(serde_json::json!({"nested": [1, 2]})),
    ];
    let strategy = proptest::collection::vec(field, 5);
    fuzz("ingest announcement", strategy, |fields| {
        let names = [
            "version",
            "checksum",
            "change_type",
            "download_url",
            "source_repo",
        ];
        let payload: serde_json::Map<String, serde_json::Value> = names
            .iter()
            .zip(fields)
            .filter(|(_, v)| !v.is_null())
            .map(|(n, v)| ((*n).to_owned(), v))
            .collect();
        let mut job = Job::new("ingest");
        job.input("max_attempts", "1")
            .input("download_timeout", "2");
        job.dispatch(serde_json::Value::Object(payload));
        let run = job.run();
        prop_assert!(
            [0, 1, 2, 3].contains(&run.code),
            "exit {}: {}",
            run.code,
            run.stderr
        );
        prop_assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        Ok(())
    });
}
