//! Benchmark: `ingest` wall time and peak memory on the biggest real specs
//! (Stripe, GitHub, and more from `../shared/corpus`), running the release
//! binary as a user would. Prints figures; asserts nothing about speed.
//!
//! `cargo bench --bench ingest` (set SPECRELAY_CORPUS to use another corpus).

// Test, bench and startup code reads files and the environment directly
// (clippy.toml disallows it in the library outside actions/ and adapters/).
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

const SPECS: &[&str] = &[
    "history/stripe/6-e0123a38.json",
    "big/stripe/spec3.yaml",
    "big/github/api.github.com.json",
    "big/openai/openapi.yaml",
    "history/digitalocean-multifile/3-7c1300c4/specification/DigitalOcean-public.v2.yaml",
];

fn main() {
    let corpus = std::env::var_os("SPECRELAY_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")));
    if !corpus.join("MANIFEST.json").is_file() {
        println!(
            "SKIPPED: no corpus at {} (set SPECRELAY_CORPUS)",
            corpus.display()
        );
        return;
    }
    let binary = env!("CARGO_BIN_EXE_specrelay");
    println!("ingest benchmark: median of {RUNS} runs of the release binary, file: download");
    println!(
        "{:<90} {:>10} {:>10} {:>12}",
        "spec", "size", "wall", "peak RSS"
    );
    for spec in SPECS {
        let path = corpus.join(spec);
        if !path.exists() {
            println!("{spec:<90} missing");
            continue;
        }
        let size = std::fs::metadata(&path).unwrap().len();
        let mut walls = Vec::new();
        let mut peak = 0;
        for _ in 0..RUNS {
            let (wall, rss) = run_once(binary, &path);
            walls.push(wall);
            peak = peak.max(rss);
        }
        walls.sort();
        let median = walls[RUNS / 2];
        println!(
            "{spec:<90} {:>8.1}MB {:>8.0}ms {:>10.1}MB",
            size as f64 / 1e6,
            median.as_secs_f64() * 1e3,
            peak as f64 / 1024.0
        );
    }
}

/// One ingest in a fresh workspace: wall time, and peak RSS in KiB from wait4.
fn run_once(binary: &str, spec: &Path) -> (Duration, i64) {
    let workspace = tempfile::tempdir().unwrap();
    let body = std::fs::read(spec).unwrap();
    let checksum = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&body))
    };
    let url = url::Url::from_file_path(spec).unwrap();
    let started = Instant::now();
    #[expect(
        clippy::zombie_processes,
        reason = "reaped by wait4 below, which also reports its peak memory"
    )]
    let child = Command::new(binary)
        .args([
            "ingest",
            "--allow-file-urls",
            "--version",
            "1.0.0",
            "--change-type",
            "major",
        ])
        .args([
            "--checksum",
            &checksum,
            "--download-url",
            url.as_str(),
            "--source-repo",
            "bench/specs",
        ])
        .arg("--workspace")
        .arg(workspace.path())
        .env_clear()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (status, rss) = wait_with_rusage(child.id() as libc::pid_t);
    let wall = started.elapsed();
    assert!(
        status == 0,
        "ingest of {} failed with status {status}",
        spec.display()
    );
    (wall, rss)
}

fn wait_with_rusage(pid: libc::pid_t) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: plain FFI call with valid out-pointers; `pid` is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}
