//! Benchmark: `diff` wall time and peak memory on every pair of consecutive
//! versions of the Stripe and OpenAI specs (`history/stripe/` and
//! `history/openai/` in `../shared/corpus`), side by side with peer OpenAPI
//! diff tools from the npm registry. Every tool runs as a user would run it:
//! one fresh process per diff, JSON output. Prints figures; asserts nothing
//! about speed.
//!
//! `cargo bench --bench diff`. The peers come from the `NAME=/path` lines of
//! `scripts/install-bench-tools.sh`, which the bench runs itself (it installs
//! them into `.tools/bench/` the first time). Environment:
//!
//! - `SPECRELAY_CORPUS`: use another corpus;
//! - `BENCH_RUNS`: runs per tool and pair (default 3); the table shows the
//!   median wall time and the highest peak RSS of those runs;
//! - `BENCH_TIMEOUT_SECS`: limit for one run (default 120); the whole process
//!   group is killed then. A tool that times out or fails on a pair is not run
//!   on that pair again;
//! - `BENCH_PEERS`: comma-separated peers to run (default `optic,openapi-diff`;
//!   `none` to run specrelay alone);
//! - `OPTIC`, `OPENAPI_DIFF`: peer executables; when all the selected ones are
//!   set, the install script is not run.

// Test, bench and startup code reads files and the environment directly
// (clippy.toml disallows it in the library outside actions/ and adapters/).
#![allow(clippy::disallowed_methods)]

#[path = "support/mod.rs"]
mod support;

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{Failure, env_number, geometric_mean, print_failures, wait_with_timeout};

const SEQUENCES: &[&str] = &["stripe", "openai"];
const DEFAULT_RUNS: usize = 3;
const DEFAULT_TIMEOUT_SECS: u64 = 120;
/// Width of one tool's cell: `12345ms 1234.5MB`.
const CELL: usize = 18;

/// A peer diff tool, as `scripts/install-bench-tools.sh` names it.
struct Peer {
    name: &'static str,
    /// The variable the install script prints the executable's path under.
    var: &'static str,
    args: fn(&Path, &Path) -> Vec<OsString>,
    /// Exit codes of a completed diff (most tools exit 1 on breaking changes).
    exits: &'static [i32],
    /// The tool prints a line of prose before its JSON.
    prose_first: bool,
}

const PEERS: &[Peer] = &[
    Peer {
        name: "optic",
        var: "OPTIC",
        args: optic_args,
        exits: &[0, 1],
        prose_first: false,
    },
    Peer {
        name: "openapi-diff",
        var: "OPENAPI_DIFF",
        args: openapi_diff_args,
        exits: &[0, 1],
        prose_first: true,
    },
];

/// `optic diff` compares two files and runs its breaking-change rules. Loose
/// validation: strict mode rejects real specs for harmless schema quirks
/// (the OpenAI spec's `required` next to `type: array`).
fn optic_args(base: &Path, revision: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["diff".into(), base.into(), revision.into()];
    args.extend(["--validation", "loose", "--json"].map(OsString::from));
    args
}

fn openapi_diff_args(base: &Path, revision: &Path) -> Vec<OsString> {
    vec![base.into(), revision.into()]
}

fn specrelay_args(base: &Path, revision: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["diff".into(), "--base".into(), base.into()];
    args.extend(["--revision".into(), revision.into()]);
    args.extend(["--format", "json", "--fail-on", "none"].map(OsString::from));
    args
}

/// One column of the table: a program and how to run and judge it.
struct Tool {
    name: &'static str,
    program: PathBuf,
    args: fn(&Path, &Path) -> Vec<OsString>,
    exits: &'static [i32],
    prose_first: bool,
    env: Vec<(&'static str, OsString)>,
}

enum Outcome {
    Done { wall: Duration, rss_kib: i64 },
    Timeout,
    Failed(String),
}

/// What one tool did on one pair over all its runs.
#[derive(Default)]
struct Measured {
    walls: Vec<Duration>,
    peak_kib: i64,
    failure: Option<Failure>,
}

impl Measured {
    fn median_ms(&self) -> Option<f64> {
        if self.failure.is_some() || self.walls.is_empty() {
            return None;
        }
        let mut walls = self.walls.clone();
        walls.sort();
        Some(walls[walls.len() / 2].as_secs_f64() * 1e3)
    }

    fn cell(&self) -> String {
        match (&self.failure, self.median_ms()) {
            (Some(Failure::Timeout), _) => format!("{:>CELL$}", "timeout"),
            (Some(Failure::Error(_)), _) => format!("{:>CELL$}", "error"),
            (None, Some(ms)) => {
                let mb = self.peak_kib as f64 / 1024.0;
                format!("{:>CELL$}", format!("{ms:.0}ms {mb:.1}MB"))
            }
            (None, None) => format!("{:>CELL$}", "-"),
        }
    }
}

fn main() {
    let corpus = std::env::var_os("SPECRELAY_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")));
    let corpus = corpus.canonicalize().unwrap_or(corpus);
    if !corpus.join("MANIFEST.json").is_file() {
        println!(
            "SKIPPED: no corpus at {} (set SPECRELAY_CORPUS)",
            corpus.display()
        );
        return;
    }
    let runs = env_number("BENCH_RUNS", DEFAULT_RUNS as u64).max(1) as usize;
    let timeout =
        Duration::from_secs(env_number("BENCH_TIMEOUT_SECS", DEFAULT_TIMEOUT_SECS).max(1));

    let scratch = tempfile::tempdir().expect("a temporary directory");
    let home = scratch.path().join("home");
    let cwd = scratch.path().join("cwd");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&cwd).unwrap();

    let mut tools = vec![Tool {
        name: "specrelay",
        program: PathBuf::from(env!("CARGO_BIN_EXE_specrelay")),
        args: specrelay_args,
        exits: &[0],
        prose_first: false,
        env: Vec::new(),
    }];
    // Peers get a PATH (npm executables start with `#!/usr/bin/env node`), a
    // HOME of their own, and no telemetry or update check (Optic's).
    let peer_env = vec![
        ("PATH", std::env::var_os("PATH").unwrap_or_default()),
        ("HOME", home.into_os_string()),
        ("NO_UPDATE_NOTIFIER", "1".into()),
        ("OPTIC_TELEMETRY_LEVEL", "off".into()),
    ];
    for (peer, program) in find_peers() {
        tools.push(Tool {
            name: peer.name,
            program,
            args: peer.args,
            exits: peer.exits,
            prose_first: peer.prose_first,
            env: peer_env.clone(),
        });
    }

    let mut pairs = Vec::new();
    for sequence in SEQUENCES {
        match versions(&corpus.join("history").join(sequence)) {
            Ok(files) => {
                for window in files.windows(2) {
                    let label = format!("{sequence} {}->{}", window[0].0, window[1].0);
                    pairs.push((label, window[0].1.clone(), window[1].1.clone()));
                }
            }
            Err(err) => println!("history/{sequence}: {err}"),
        }
    }

    println!(
        "diff benchmark: median wall time of {runs} runs and highest peak RSS per tool, \
         one process per diff, timeout {}s",
        timeout.as_secs()
    );
    for tool in &tools {
        println!("  {:<14} {}", tool.name, tool.program.display());
    }
    if tools.len() > 1 {
        println!(
            "speed-up: the fastest peer's median wall time over specrelay's \
             (>N: no peer finished, one timed out)"
        );
    }
    let mut header = format!("{:<16}", "pair");
    for tool in &tools {
        header += &format!(" {:>CELL$}", tool.name);
    }
    if tools.len() > 1 {
        header += &format!(" {:>9}", "speed-up");
    }
    println!("{header}");

    // results[pair][tool]
    let mut results: Vec<Vec<Measured>> = Vec::new();
    for (label, base, revision) in &pairs {
        let mut row: Vec<Measured> = tools.iter().map(|_| Measured::default()).collect();
        // Runs interleave the tools, so a slow spell on the machine hits all.
        for _ in 0..runs {
            for (tool, result) in tools.iter().zip(row.iter_mut()) {
                if result.failure.is_some() {
                    continue;
                }
                match run_once(tool, base, revision, timeout, scratch.path(), &cwd) {
                    Outcome::Done { wall, rss_kib } => {
                        result.walls.push(wall);
                        result.peak_kib = result.peak_kib.max(rss_kib);
                    }
                    Outcome::Timeout => result.failure = Some(Failure::Timeout),
                    Outcome::Failed(reason) => result.failure = Some(Failure::Error(reason)),
                }
            }
        }
        let mut line = format!("{label:<16}");
        for result in &row {
            line += &format!(" {}", result.cell());
        }
        if tools.len() > 1 {
            let timed_out = row[1..]
                .iter()
                .any(|result| matches!(result.failure, Some(Failure::Timeout)));
            let ratio = match (fastest_peer_ms(&row), row[0].median_ms()) {
                (Some(peer), Some(ours)) => format!("{:.1}x", peer / ours),
                // No peer finished, one ran out of time: a lower bound.
                (None, Some(ours)) if timed_out => {
                    format!(">{:.0}x", timeout.as_secs_f64() * 1e3 / ours)
                }
                _ => "-".to_string(),
            };
            line += &format!(" {ratio:>9}");
        }
        println!("{line}");
        results.push(row);
    }

    if tools.len() > 1 {
        println!(
            "speed-up of specrelay (peer time / specrelay time), geometric mean over the pairs both completed:"
        );
        for (index, tool) in tools.iter().enumerate().skip(1) {
            let ratios: Vec<f64> = results
                .iter()
                .filter_map(|row| Some(row[index].median_ms()? / row[0].median_ms()?))
                .collect();
            let timeouts = results
                .iter()
                .filter(|row| matches!(row[index].failure, Some(Failure::Timeout)))
                .count();
            let errors = results
                .iter()
                .filter(|row| matches!(row[index].failure, Some(Failure::Error(_))))
                .count();
            println!(
                "  vs {:<14} {} ({} of {} pairs; {timeouts} timed out, {errors} failed)",
                tool.name,
                geometric_mean(&ratios).map_or("-".to_string(), |mean| format!("{mean:.1}x")),
                ratios.len(),
                results.len()
            );
        }
        let fastest: Vec<f64> = results
            .iter()
            .filter_map(|row| Some(fastest_peer_ms(row)? / row[0].median_ms()?))
            .collect();
        println!(
            "  vs {:<14} {} (min {}; {} of {} pairs)",
            "fastest peer",
            geometric_mean(&fastest).map_or("-".to_string(), |mean| format!("{mean:.1}x")),
            fastest
                .iter()
                .copied()
                .reduce(f64::min)
                .map_or("-".to_string(), |min| format!("{min:.1}x")),
            fastest.len(),
            results.len()
        );
    }

    print_failures(
        pairs.iter().zip(&results).flat_map(|((label, _, _), row)| {
            tools.iter().zip(row).filter_map(move |(tool, result)| {
                result
                    .failure
                    .as_ref()
                    .map(|f| (label.as_ref(), tool.name, f))
            })
        }),
        timeout,
    );
}

/// The files of a history folder, `N-<sha>.<ext>`, in the order of N.
fn versions(dir: &Path) -> Result<Vec<(u64, PathBuf)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|err| format!("cannot list: {err}"))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|err| format!("cannot list: {err}"))?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let number = name
            .split_once('-')
            .and_then(|(n, _)| n.parse::<u64>().ok());
        if let (Some(number), true) = (number, path.is_file()) {
            files.push((number, path));
        }
    }
    files.sort_by_key(|(number, _)| *number);
    if files.len() < 2 {
        return Err(format!("fewer than two versions in {}", dir.display()));
    }
    Ok(files)
}

impl support::PeerSpec for Peer {
    fn name(&self) -> &'static str {
        self.name
    }
    fn var(&self) -> &'static str {
        self.var
    }
}

fn find_peers() -> Vec<(&'static Peer, PathBuf)> {
    support::find_peers(PEERS, "scripts/install-bench-tools.sh", "diff")
}

fn fastest_peer_ms(row: &[Measured]) -> Option<f64> {
    row[1..]
        .iter()
        .filter_map(Measured::median_ms)
        .reduce(f64::min)
}

/// One diff in a fresh process: wall time and peak RSS, or why it failed.
/// Its stdout goes to a file, so the output can be checked after the clock
/// has stopped: a completed diff must have printed JSON.
fn run_once(
    tool: &Tool,
    base: &Path,
    revision: &Path,
    timeout: Duration,
    scratch: &Path,
    cwd: &Path,
) -> Outcome {
    use std::os::unix::process::CommandExt;

    let stdout_path = scratch.join("stdout");
    let stderr_path = scratch.join("stderr");
    let stdout = File::create(&stdout_path).expect("a file for stdout");
    let stderr = File::create(&stderr_path).expect("a file for stderr");
    let started = Instant::now();
    let spawned = Command::new(&tool.program)
        .args((tool.args)(base, revision))
        .env_clear()
        .envs(tool.env.iter().map(|(name, value)| (name, value)))
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        // Its own process group, so a timeout kills whatever it started too.
        .process_group(0)
        .spawn();
    let child = match spawned {
        Ok(child) => child,
        Err(err) => {
            return Outcome::Failed(format!("cannot start {}: {err}", tool.program.display()));
        }
    };
    let waited = wait_with_timeout(child.id() as libc::pid_t, timeout, started);
    if waited.timed_out {
        return Outcome::Timeout;
    }
    let stderr_text = std::fs::read(&stderr_path).unwrap_or_default();
    let why = || first_error_line(&String::from_utf8_lossy(&stderr_text));
    if libc::WIFSIGNALED(waited.status) {
        return Outcome::Failed(format!(
            "killed by signal {}: {}",
            libc::WTERMSIG(waited.status),
            why()
        ));
    }
    let code = libc::WEXITSTATUS(waited.status);
    if !tool.exits.contains(&code) {
        return Outcome::Failed(format!("exit status {code}: {}", why()));
    }
    let output = std::fs::read(&stdout_path).unwrap_or_default();
    let json = if tool.prose_first {
        let start = output
            .iter()
            .position(|byte| matches!(byte, b'{' | b'['))
            .unwrap_or(output.len());
        &output[start..]
    } else {
        &output[..]
    };
    if output.iter().all(u8::is_ascii_whitespace) {
        return Outcome::Failed(format!("exit status {code}, nothing on stdout: {}", why()));
    }
    if let Err(err) = serde_json::from_slice::<serde_json::Value>(json) {
        return Outcome::Failed(format!(
            "exit status {code}, stdout is not JSON ({err}): {}",
            why()
        ));
    }
    Outcome::Done {
        wall: waited.wall,
        rss_kib: waited.rss_kib,
    }
}

/// The most telling line of a tool's stderr, shortened.
fn first_error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let line = lines
        .iter()
        .find(|line| line.to_lowercase().contains("error"))
        .or(lines.first())
        .copied()
        .unwrap_or("(nothing on stderr)");
    let mut short: String = line.chars().take(200).collect();
    if short.len() < line.len() {
        short.push_str("...");
    }
    short
}
