//! Benchmark: `discover` scanning a generated front-end tree (HTML, JSX,
//! TSX, Vue and Svelte files, one in twenty with `data-integration`
//! declarations), side by side with ripgrep searching the same tree for the
//! same attribute (`rg data-integration`). Prints files/s, MB/s, CPU time
//! and peak memory; asserts nothing about speed (the goal is discover at
//! least as fast as ripgrep).
//!
//! `cargo bench --bench discover`. Environment:
//!
//! - `BENCH_DISCOVER_FILES`: files in the tree (default 10,000; the full
//!   size is 100,000, about 1 GB with the default file size: set
//!   `BENCH_DISCOVER_FULL=1` for that);
//! - `BENCH_DISCOVER_FILE_BYTES`: bytes per file (default 10,000);
//! - `BENCH_RUNS`: timed runs per tool (default 3), after one untimed
//!   warm-up run each (so both read from the page cache); the table shows
//!   the median wall time and the highest peak RSS;
//! - `RG`: the ripgrep executable (default `rg` on PATH; `apt-get install
//!   ripgrep` or `cargo install ripgrep --locked`). Without it only discover
//!   runs, and the table says so.
//!
//! The tree is generated under the system temporary folder
//! (`specrelay-discover-bench-{files}x{bytes}/`) on the first run and reused
//! while its marker file matches. discover runs as a user runs it, one
//! process with `--dry-run` (it scans, reads the manifests and validates,
//! but writes nothing); ripgrep with its defaults and stdout to /dev/null.
//! Peak RSS is `ru_maxrss` from `wait4`.
// Benchmarks set up files and read settings directly (clippy.toml's rules
// are for the library).
#![allow(clippy::disallowed_methods)]

#[path = "support/mod.rs"]
#[allow(dead_code, reason = "the shared bench helpers; this bench uses two")]
mod support;

use std::fmt::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{env_number, wait_with_timeout};

const EXTENSIONS: &[&str] = &["html", "jsx", "tsx", "vue", "svelte"];
const NAMES: usize = 20;
const FILES_PER_DIR: usize = 1000;

fn main() {
    let files = if std::env::var_os("BENCH_DISCOVER_FULL").is_some() {
        100_000
    } else {
        env_number("BENCH_DISCOVER_FILES", 10_000) as usize
    };
    let file_bytes = env_number("BENCH_DISCOVER_FILE_BYTES", 10_000) as usize;
    let runs = env_number("BENCH_RUNS", 3).max(1) as usize;
    let tree = std::env::temp_dir().join(format!("specrelay-discover-bench-{files}x{file_bytes}"));
    let started = Instant::now();
    let total = generate(&tree, files, file_bytes);
    eprintln!(
        "tree: {} ({files} files, {:.1} MB) ready in {:.1?}",
        tree.display(),
        total as f64 / 1e6,
        started.elapsed()
    );

    let specrelay = Command::new(env!("CARGO_BIN_EXE_specrelay"));
    let mut tools = vec![("specrelay discover", specrelay, true)];
    let rg = std::env::var_os("RG").map_or_else(|| PathBuf::from("rg"), PathBuf::from);
    let have_rg = Command::new(&rg)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if have_rg {
        tools.push(("rg data-integration", Command::new(&rg), false));
    }
    let mut table = String::from(
        "| tool | wall (median) | files/s | MB/s | CPU | peak RSS |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for (label, program, is_discover) in &tools {
        let (wall, cpu, rss_kib) = measure(program, *is_discover, &tree, runs);
        let _ = writeln!(
            table,
            "| {label} | {wall:.3} s | {:.0} | {:.0} | {:.3} s | {:.1} MiB |",
            files as f64 / wall,
            total as f64 / 1e6 / wall,
            cpu.as_secs_f64(),
            rss_kib as f64 / 1024.0
        );
    }
    println!(
        "discover benchmark: {files} files, {:.1} MB, {runs} run(s) each\n",
        total as f64 / 1e6
    );
    println!("{table}");
    if !have_rg {
        println!("ripgrep not found ({}): only discover ran", rg.display());
    }
}

/// One warm-up run, then `runs` timed ones: the median wall time (s), the
/// highest CPU time and the highest peak RSS (KiB).
fn measure(program: &Command, is_discover: bool, tree: &Path, runs: usize) -> (f64, Duration, i64) {
    let mut walls = Vec::new();
    let mut cpu = Duration::ZERO;
    let mut rss = 0;
    for run in 0..=runs {
        let mut cmd = Command::new(program.get_program());
        if is_discover {
            // `--dry-run` takes an optional value, so it goes after the stage.
            cmd.arg("--workspace")
                .arg(tree)
                .args(["discover", "--dry-run"]);
        } else {
            cmd.arg("data-integration").arg(tree);
        }
        cmd.stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .env_clear();
        let t = Instant::now();
        #[expect(
            clippy::zombie_processes,
            reason = "reaped by wait4 in wait_with_timeout, which also reports its peak memory"
        )]
        let child = cmd.spawn().expect("spawn");
        let waited = wait_with_timeout(child.id() as libc::pid_t, Duration::from_secs(1800), t);
        assert!(!waited.timed_out, "{:?} timed out", program.get_program());
        if run == 0 {
            continue; // warm-up: both tools then read from the page cache
        }
        walls.push(waited.wall);
        cpu = cpu.max(waited.cpu);
        rss = rss.max(waited.rss_kib);
    }
    walls.sort();
    (walls[walls.len() / 2].as_secs_f64(), cpu, rss)
}

/// Writes the tree unless its marker says it is already there; returns its size in bytes.
fn generate(tree: &Path, files: usize, file_bytes: usize) -> u64 {
    let marker = tree.join(".bench-complete");
    let total = (files * file_bytes) as u64;
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(&total.to_string()) {
        return total;
    }
    let _ = std::fs::remove_dir_all(tree);
    std::fs::create_dir_all(tree.join("integrations")).unwrap();
    for n in 0..NAMES {
        std::fs::write(
            tree.join(format!("integrations/integration-{n}.yaml")),
            format!("name: integration-{n}\nprovider: bench\nversions: [1.0.0, 1.1.0, 2.0.0]\n"),
        )
        .unwrap();
    }
    for i in 0..files {
        let ext = EXTENSIONS[i % EXTENSIONS.len()];
        let dir = tree.join(format!("src/d{:03}", i / FILES_PER_DIR));
        if i % FILES_PER_DIR == 0 {
            std::fs::create_dir_all(&dir).unwrap();
        }
        std::fs::write(dir.join(format!("f{i}.{ext}")), file_text(i, file_bytes)).unwrap();
    }
    std::fs::write(&marker, total.to_string()).unwrap();
    total
}

/// One source file of exactly `bytes` bytes: markup lines, and in one file
/// of twenty a declaration near the middle.
fn file_text(i: usize, bytes: usize) -> Vec<u8> {
    let mut text = String::with_capacity(bytes + 200);
    let declaration = format!(
        "    <section class=\"card\" onClick={{() => open({i} > 0)}} data-integration=\"integration-{}\" data-integration-version=\"^1\">\n",
        (i / 20) % NAMES
    );
    let mut line = 0;
    while text.len() < bytes {
        if i.is_multiple_of(20) && line == 40 {
            text.push_str(&declaration);
        } else {
            let _ = writeln!(
                text,
                "    <div class=\"row-{line}\"><span>item {i}.{line}</span><a href=\"/p/{line}\">link</a></div>"
            );
        }
        line += 1;
    }
    text.truncate(bytes);
    text.into_bytes()
}
