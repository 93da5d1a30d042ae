//! Benchmark: `generate` wall time, CPU time and peak memory on the Stripe
//! and GitHub specs (`../shared/corpus`), one table per SDK language, side
//! by side with peers: for TypeScript, OpenAPI Generator's `typescript-fetch`
//! generator; for Python, OpenAPI Generator's `python` generator and
//! openapi-python-client. (OpenAPI Generator is `openapi-generator-cli` from
//! PyPI, which bundles its JAR and runs it on the `java` on PATH.) Every tool
//! runs as a user would run it: one fresh process per generation, into a
//! fresh empty folder; specrelay generates only the table's language. Prints
//! figures; asserts nothing about speed (the target is specrelay at least
//! 50x faster; the summary says whether it was met).
//!
//! `cargo bench --bench generate`. The peers come from the `NAME=/path` lines
//! of `scripts/install-bench-generators.sh`, which the bench runs itself (it
//! installs them into `.tools/bench/` the first time; needs python3 with pip
//! and venv, and Java 11+). Environment:
//!
//! - `SPECRELAY_CORPUS`: use another corpus;
//! - `BENCH_RUNS`: runs per tool and spec (default 3); the table shows the
//!   median wall time and the highest peak RSS of those runs;
//! - `BENCH_TIMEOUT_SECS`: limit for one run (default 600); the whole process
//!   group is killed then. A tool that times out or fails on a spec is not run
//!   on that spec again;
//! - `BENCH_LANGUAGES`: the tables to make, comma-separated (default
//!   `typescript,python`);
//! - `BENCH_PEERS`: comma-separated peers to run (default all:
//!   `openapi-generator` for TypeScript, `openapi-generator-python` and
//!   `openapi-python-client` for Python; `none` to run specrelay alone);
//! - `OPENAPI_GENERATOR`, `OPENAPI_PYTHON_CLIENT`: the peers' executables;
//!   when both are set, the install script is not run. `JAVA_OPTS` is passed
//!   on to OpenAPI Generator (unset by default, so the JVM picks its own heap
//!   size: a quarter of the machine's memory).
//!
//! openapi-python-client runs with one setting, `literal_enums: true`: with
//! its defaults it stops on the Stripe spec ("Duplicate key GMT0 in enum";
//! the setting is the fix its error message suggests). A run that fails still
//! shows how long it took.
//!
//! Peak RSS is `ru_maxrss` from `wait4`: the largest resident set of the
//! process and of every descendant it waited for, so for OpenAPI Generator it
//! is the JVM's, not its Python launcher's. The CPU time (user + system, also
//! from `wait4`, children included) is printed too: on a busy machine it moves
//! less than the wall time.

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

/// (label, path in the corpus).
const SPECS: &[(&str, &str)] = &[
    ("stripe", "history/stripe/6-e0123a38.json"),
    ("github", "big/github/api.github.com.json"),
];
const DEFAULT_RUNS: usize = 3;
const DEFAULT_TIMEOUT_SECS: u64 = 600;
/// What the issue asks of specrelay: at least this many times faster.
const TARGET_SPEED_UP: f64 = 50.0;
/// Width of one tool's cell: `123456ms 1234.5MB`, or the longest peer name.
const CELL: usize = 24;

/// A peer SDK generator, as `scripts/install-bench-generators.sh` names it.
struct Peer {
    name: &'static str,
    /// The table it appears in.
    language: Lang,
    /// The variable the install script prints the executable's path under.
    var: &'static str,
    args: fn(&Path, &Path) -> Vec<OsString>,
    check: fn(&Path) -> Result<(), String>,
}

/// The SDK language of one table.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    TypeScript,
    Python,
}

impl Lang {
    fn label(self) -> &'static str {
        match self {
            Lang::TypeScript => "TypeScript",
            Lang::Python => "Python",
        }
    }

    /// The value of specrelay's `--languages`.
    fn flag(self) -> &'static str {
        match self {
            Lang::TypeScript => "typescript",
            Lang::Python => "python",
        }
    }

    /// specrelay's column in this language's table.
    fn specrelay(self) -> Tool {
        let mut tool = Tool {
            name: "specrelay",
            program: PathBuf::from(env!("CARGO_BIN_EXE_specrelay")),
            args: specrelay_typescript_args,
            check: specrelay_typescript_check,
            env: Vec::new(),
        };
        if self == Lang::Python {
            tool.args = specrelay_python_args;
            tool.check = specrelay_python_check;
        }
        tool
    }
}

const PEERS: &[Peer] = &[
    Peer {
        name: "openapi-generator",
        language: Lang::TypeScript,
        var: "OPENAPI_GENERATOR",
        args: openapi_generator_args,
        check: openapi_generator_check,
    },
    Peer {
        name: "openapi-generator-python",
        language: Lang::Python,
        var: "OPENAPI_GENERATOR",
        args: openapi_generator_python_args,
        check: openapi_generator_python_check,
    },
    Peer {
        name: "openapi-python-client",
        language: Lang::Python,
        var: "OPENAPI_PYTHON_CLIENT",
        args: openapi_python_client_args,
        check: openapi_python_client_check,
    },
];

/// `openapi-generator-cli generate -g <generator>`, with its defaults
/// otherwise, but for `--skip-validate-spec`: its validation rejects the
/// GitHub spec (four array schemas without `items`, which OpenAPI 3.0 asks
/// for) and stops before generating anything. Skipping it on every spec keeps
/// the runs alike; it only makes the peer's work lighter.
fn openapi_generator_with(generator: &str, spec: &Path, out: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["generate", "-g", generator, "--skip-validate-spec"]
        .map(OsString::from)
        .to_vec();
    args.extend(["-i".into(), spec.into(), "-o".into(), out.into()]);
    args
}

fn openapi_generator_args(spec: &Path, out: &Path) -> Vec<OsString> {
    openapi_generator_with("typescript-fetch", spec, out)
}

fn openapi_generator_python_args(spec: &Path, out: &Path) -> Vec<OsString> {
    openapi_generator_with("python", spec, out)
}

/// `openapi-python-client generate`, with `literal_enums: true` (see the
/// module docs) from a config file next to the output folder.
fn openapi_python_client_args(spec: &Path, out: &Path) -> Vec<OsString> {
    let config = out.with_file_name("openapi-python-client.yaml");
    std::fs::write(&config, "literal_enums: true\n").expect("writing the config");
    vec![
        "generate".into(),
        "--path".into(),
        spec.into(),
        "--output-path".into(),
        out.into(),
        "--config".into(),
        config.into(),
    ]
}

fn expect_files(out: &Path, files: &[&str]) -> Result<(), String> {
    for file in files {
        if !out.join(file).is_file() {
            return Err(format!("no {file} in its output"));
        }
    }
    Ok(())
}

/// Whether a folder under `dir` holds a `client.py` (a generated package).
fn has_client_package(dir: &Path) -> Result<(), String> {
    let found = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read its output: {e}"))?
        .flatten()
        .any(|e| e.path().join("client.py").is_file());
    if found {
        Ok(())
    } else {
        Err("no package with a client.py in its output".into())
    }
}

/// A completed `typescript-fetch` run wrote its runtime and its API classes.
fn openapi_generator_check(out: &Path) -> Result<(), String> {
    expect_files(
        out,
        &["runtime.ts", "index.ts", "apis/index.ts", "models/index.ts"],
    )
}

/// A completed `python` run wrote its package, its API classes and models.
fn openapi_generator_python_check(out: &Path) -> Result<(), String> {
    expect_files(
        out,
        &[
            "pyproject.toml",
            "openapi_client/__init__.py",
            "openapi_client/api/__init__.py",
            "openapi_client/models/__init__.py",
        ],
    )
}

/// A completed run wrote a `pyproject.toml` and a package with a client.
fn openapi_python_client_check(out: &Path) -> Result<(), String> {
    expect_files(out, &["pyproject.toml"])?;
    has_client_package(out)
}

/// `specrelay generate --languages <language>`: the SDK into
/// `<out>/<language>/`. The workspace is the run's own empty folder, which
/// `out` is in (`--sdk-dir` is given relative to it, as users do); the spec path
/// is absolute, so it is not joined to the workspace.
fn specrelay_args(language: Lang, spec: &Path, out: &Path) -> Vec<OsString> {
    let workspace = out
        .parent()
        .expect("the output folder is in the run's folder");
    let relative = out.file_name().expect("the output folder has a name");
    vec![
        "generate".into(),
        "--spec".into(),
        spec.into(),
        "--languages".into(),
        language.flag().into(),
        "--workspace".into(),
        workspace.into(),
        "--sdk-dir".into(),
        relative.into(),
    ]
}

fn specrelay_typescript_args(spec: &Path, out: &Path) -> Vec<OsString> {
    specrelay_args(Lang::TypeScript, spec, out)
}

fn specrelay_python_args(spec: &Path, out: &Path) -> Vec<OsString> {
    specrelay_args(Lang::Python, spec, out)
}

fn specrelay_typescript_check(out: &Path) -> Result<(), String> {
    expect_files(
        out,
        &[
            "typescript/package.json",
            "typescript/index.js",
            "typescript/index.d.ts",
        ],
    )
}

fn specrelay_python_check(out: &Path) -> Result<(), String> {
    expect_files(out, &["python/pyproject.toml"])?;
    has_client_package(&out.join("python"))
}

/// One column of the table: a program and how to run and judge it.
struct Tool {
    name: &'static str,
    program: PathBuf,
    args: fn(&Path, &Path) -> Vec<OsString>,
    check: fn(&Path) -> Result<(), String>,
    env: Vec<(&'static str, OsString)>,
}

enum Outcome {
    Done {
        wall: Duration,
        cpu: Duration,
        rss_kib: i64,
        files: usize,
        bytes: u64,
    },
    Timeout,
    Failed(String),
}

/// What one tool did on one spec over all its runs.
#[derive(Default)]
struct Measured {
    walls: Vec<Duration>,
    /// User plus system CPU time of each run.
    cpus: Vec<Duration>,
    peak_kib: i64,
    /// Files and bytes it wrote (the last run's).
    files: usize,
    bytes: u64,
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

    /// Median CPU time (user + system, the process and its children): less
    /// sensitive than wall time to other work on the machine.
    fn median_cpu_ms(&self) -> Option<f64> {
        self.median_ms()?;
        let mut cpus = self.cpus.clone();
        cpus.sort();
        Some(cpus[cpus.len() / 2].as_secs_f64() * 1e3)
    }

    fn peak_mb(&self) -> Option<f64> {
        self.median_ms()?;
        Some(self.peak_kib as f64 / 1024.0)
    }

    fn cell(&self) -> String {
        match (&self.failure, self.median_ms(), self.peak_mb()) {
            (Some(Failure::Timeout), _, _) => format!("{:>CELL$}", "timeout"),
            (Some(Failure::Error(_)), _, _) => format!("{:>CELL$}", "error"),
            (None, Some(ms), Some(mb)) => format!("{:>CELL$}", format!("{ms:.0}ms {mb:.1}MB")),
            _ => format!("{:>CELL$}", "-"),
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
    std::fs::create_dir_all(&home).unwrap();

    let languages: Vec<Lang> = std::env::var("BENCH_LANGUAGES")
        .unwrap_or_else(|_| "typescript,python".into())
        .split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l {
            "typescript" => Lang::TypeScript,
            "python" => Lang::Python,
            other => panic!("BENCH_LANGUAGES: unknown language {other:?} (typescript, python)"),
        })
        .collect();
    // The peers get a PATH (their launchers run python, which runs `java` or
    // ruff), a HOME of their own, and JAVA_OPTS / JAVA_HOME if the caller set
    // them.
    let mut peer_env = vec![
        ("PATH", std::env::var_os("PATH").unwrap_or_default()),
        ("HOME", home.into_os_string()),
    ];
    for name in ["JAVA_OPTS", "JAVA_HOME"] {
        if let Some(value) = std::env::var_os(name) {
            peer_env.push((name, value));
        }
    }
    let peers: Vec<(&'static Peer, PathBuf)> = find_peers()
        .into_iter()
        .filter(|(peer, _)| languages.contains(&peer.language))
        .collect();

    let mut specs = Vec::new();
    for (label, relative) in SPECS {
        let path = corpus.join(relative);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => specs.push((*label, path, meta.len())),
            _ => println!("{label}: missing {}", path.display()),
        }
    }

    for language in languages {
        let mut tools = vec![language.specrelay()];
        for (peer, program) in peers.iter().filter(|(p, _)| p.language == language) {
            tools.push(Tool {
                name: peer.name,
                program: program.clone(),
                args: peer.args,
                check: peer.check,
                env: peer_env.clone(),
            });
        }
        table(language, &tools, &specs, runs, timeout, scratch.path());
    }
}

/// Runs every tool of one language's table on every spec and prints the
/// table, the CPU times, the output sizes, the summary and the failures.
fn table(
    language: Lang,
    tools: &[Tool],
    specs: &[(&str, PathBuf, u64)],
    runs: usize,
    timeout: Duration,
    scratch: &Path,
) {
    println!(
        "\ngenerate benchmark ({} SDK): median wall time of {runs} runs and highest \
         peak RSS per tool, one process per generation into an empty folder, timeout {}s",
        language.label(),
        timeout.as_secs()
    );
    println!(
        "machine: {} CPUs available; other work on it shows up in the figures",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for tool in tools {
        println!("  {:<24} {}", tool.name, tool.program.display());
    }
    for (label, path, size) in specs {
        println!(
            "  {label:<18} {} ({:.1}MB)",
            path.display(),
            *size as f64 / 1e6
        );
    }
    if tools.len() > 1 {
        println!(
            "speed-up: the peer's median wall time over specrelay's; memory: its peak RSS over \
             specrelay's (>N: the peer timed out)"
        );
    }
    let mut header = format!("{:<8}", "spec");
    for tool in tools {
        header += &format!(" {:>CELL$}", tool.name);
    }
    for _peer in tools.iter().skip(1) {
        header += &format!(" {:>9} {:>7}", "speed-up", "memory");
    }
    println!("{header}");

    // results[spec][tool]
    let mut results: Vec<Vec<Measured>> = Vec::new();
    for (label, spec, _) in specs {
        let mut row: Vec<Measured> = tools.iter().map(|_| Measured::default()).collect();
        // Runs interleave the tools, so a slow spell on the machine hits all.
        for _ in 0..runs {
            for (tool, result) in tools.iter().zip(row.iter_mut()) {
                if result.failure.is_some() {
                    continue;
                }
                match run_once(tool, spec, timeout, scratch) {
                    Outcome::Done {
                        wall,
                        cpu,
                        rss_kib,
                        files,
                        bytes,
                    } => {
                        result.walls.push(wall);
                        result.cpus.push(cpu);
                        result.peak_kib = result.peak_kib.max(rss_kib);
                        result.files = files;
                        result.bytes = bytes;
                    }
                    Outcome::Timeout => result.failure = Some(Failure::Timeout),
                    Outcome::Failed(reason) => result.failure = Some(Failure::Error(reason)),
                }
            }
        }
        let mut line = format!("{label:<8}");
        for result in &row {
            line += &format!(" {}", result.cell());
        }
        for peer in &row[1..] {
            let speed_up = match (peer.median_ms(), row[0].median_ms(), &peer.failure) {
                (Some(theirs), Some(ours), _) => format!("{:.1}x", theirs / ours),
                // The peer ran out of time: a lower bound.
                (None, Some(ours), Some(Failure::Timeout)) => {
                    format!(">{:.0}x", timeout.as_secs_f64() * 1e3 / ours)
                }
                _ => "-".to_string(),
            };
            let memory = match (peer.peak_mb(), row[0].peak_mb()) {
                (Some(theirs), Some(ours)) => format!("{:.1}x", theirs / ours),
                _ => "-".to_string(),
            };
            line += &format!(" {speed_up:>9} {memory:>7}");
        }
        println!("{line}");
        results.push(row);
    }

    println!("CPU time (user + system, median; less sensitive to other work on the machine):");
    for ((label, _, _), row) in specs.iter().zip(&results) {
        let mut line = format!("  {label:<8}");
        for (tool, result) in tools.iter().zip(row) {
            if let Some(ms) = result.median_cpu_ms() {
                line += &format!(" {}: {ms:.0}ms;", tool.name);
            }
        }
        for peer in &row[1..] {
            if let (Some(theirs), Some(ours)) = (peer.median_cpu_ms(), row[0].median_cpu_ms()) {
                line += &format!(" ratio {:.1}x;", theirs / ours);
            }
        }
        println!("{}", line.trim_end_matches(';'));
    }

    println!("output written (last run):");
    for ((label, _, _), row) in specs.iter().zip(&results) {
        let mut line = format!("  {label:<8}");
        for (tool, result) in tools.iter().zip(row) {
            if result.median_ms().is_some() {
                line += &format!(
                    " {}: {} files, {:.1}MB;",
                    tool.name,
                    result.files,
                    result.bytes as f64 / 1e6
                );
            }
        }
        println!("{}", line.trim_end_matches(';'));
    }

    if tools.len() > 1 {
        println!(
            "specrelay vs each peer, geometric mean over the specs both completed \
             (target: {TARGET_SPEED_UP:.0}x faster):"
        );
        for (index, tool) in tools.iter().enumerate().skip(1) {
            let speed_ups: Vec<f64> = results
                .iter()
                .filter_map(|row| Some(row[index].median_ms()? / row[0].median_ms()?))
                .collect();
            let memory: Vec<f64> = results
                .iter()
                .filter_map(|row| Some(row[index].peak_mb()? / row[0].peak_mb()?))
                .collect();
            let cpu: Vec<f64> = results
                .iter()
                .filter_map(|row| Some(row[index].median_cpu_ms()? / row[0].median_cpu_ms()?))
                .collect();
            let lowest = speed_ups.iter().copied().reduce(f64::min);
            let verdict = match lowest {
                Some(lowest) if speed_ups.len() == results.len() => {
                    if lowest >= TARGET_SPEED_UP {
                        format!("target met on every spec (lowest {lowest:.1}x)")
                    } else {
                        format!("target NOT met (lowest {lowest:.1}x)")
                    }
                }
                _ => "target not judged: not every spec completed".to_string(),
            };
            println!(
                "  vs {:<18} {} faster ({} in CPU time), {} less memory ({} of {} specs); \
                 {verdict}",
                tool.name,
                geometric_mean(&speed_ups).map_or("-".to_string(), |mean| format!("{mean:.1}x")),
                geometric_mean(&cpu).map_or("-".to_string(), |mean| format!("{mean:.1}x")),
                geometric_mean(&memory).map_or("-".to_string(), |mean| format!("{mean:.1}x")),
                speed_ups.len(),
                results.len()
            );
        }
    }

    print_failures(
        specs.iter().zip(&results).flat_map(|((label, _, _), row)| {
            tools.iter().zip(row).filter_map(move |(tool, result)| {
                result.failure.as_ref().map(|f| (*label, tool.name, f))
            })
        }),
        timeout,
    );
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
    support::find_peers(PEERS, "scripts/install-bench-generators.sh", "generate")
}

/// One generation in a fresh process, into `out` in a fresh folder that is
/// also its working directory: wall time and peak RSS, or why it failed. The
/// output is checked, counted and removed after the clock has stopped.
fn run_once(tool: &Tool, spec: &Path, timeout: Duration, scratch: &Path) -> Outcome {
    use std::os::unix::process::CommandExt;

    let run = tempfile::tempdir_in(scratch).expect("a folder for the run");
    let out = run.path().join("out");
    let stdout_path = scratch.join("stdout");
    let stderr_path = scratch.join("stderr");
    let stdout = File::create(&stdout_path).expect("a file for stdout");
    let stderr = File::create(&stderr_path).expect("a file for stderr");
    let args = (tool.args)(spec, &out);
    let started = Instant::now();
    let spawned = Command::new(&tool.program)
        .args(args)
        .env_clear()
        .envs(tool.env.iter().map(|(name, value)| (name, value)))
        .current_dir(run.path())
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
    let mut output_text = std::fs::read(&stderr_path).unwrap_or_default();
    // OpenAPI Generator logs its errors on stdout.
    output_text.extend(std::fs::read(&stdout_path).unwrap_or_default());
    let why = || first_error_line(&String::from_utf8_lossy(&output_text));
    let after = format!("after {:.1}s", waited.wall.as_secs_f64());
    if libc::WIFSIGNALED(waited.status) {
        return Outcome::Failed(format!(
            "killed by signal {} {after}: {}",
            libc::WTERMSIG(waited.status),
            why()
        ));
    }
    let code = libc::WEXITSTATUS(waited.status);
    if code != 0 {
        return Outcome::Failed(format!("exit status {code} {after}: {}", why()));
    }
    if let Err(err) = (tool.check)(&out) {
        return Outcome::Failed(format!("exit status 0 {after} but {err}: {}", why()));
    }
    let (files, bytes) = tree_size(&out);
    Outcome::Done {
        wall: waited.wall,
        cpu: waited.cpu,
        rss_kib: waited.rss_kib,
        files,
        bytes,
    }
}

/// Files under `dir` and their total size.
fn tree_size(dir: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                files += 1;
                bytes += entry.metadata().map_or(0, |meta| meta.len());
            }
        }
    }
    (files, bytes)
}

/// The most telling line of a tool's output, shortened: an exception, else
/// an error (OpenAPI Generator's warnings often contain "Error" too, and it
/// logs errors it recovers from), else the last line.
fn first_error_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let line = lines
        .iter()
        .find(|line| line.contains("Exception"))
        .or_else(|| lines.iter().find(|line| line.contains("ERROR")))
        .or_else(|| {
            lines
                .iter()
                .find(|line| line.to_lowercase().contains("error") && !line.contains("WARN"))
        })
        .or(lines.last())
        .copied()
        .unwrap_or("(no output)");
    let mut short: String = line.chars().take(200).collect();
    if short.len() < line.len() {
        short.push_str("...");
    }
    short
}
