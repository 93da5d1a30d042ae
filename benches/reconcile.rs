//! Benchmark: `reconcile` over 10,000 registered services on loopback,
//! running the release binary as a scheduled job would (file registry in
//! the workspace, every status recorded, the JSON report written). Prints
//! the wall time, the peak memory, and the most requests the service
//! servers saw in flight at once, which must not exceed `concurrency`.
//!
//! Goal (from the issue): under 15 s and under 150 MB on 2 cores.
//!
//! `cargo bench --bench reconcile` (BENCH_SERVICES, BENCH_CONCURRENCY and
//! BENCH_LATENCY_MS change the defaults).
// Benchmarks set up files and read settings directly (clippy.toml's rules
// are for the library).
#![allow(clippy::disallowed_methods)]

#[path = "support/mod.rs"]
#[allow(dead_code, reason = "this bench uses the runner and env helpers only")]
mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The service servers (each holds a quarter of the services).
const SERVERS: usize = 4;
/// Every this-many-th service answers 500 (so retries are part of the run).
const FAILING_EVERY: usize = 100;

/// Counts what the bound is about.
#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    open: AtomicUsize,
    max_open: AtomicUsize,
    requests: AtomicUsize,
}

fn raise(max: &AtomicUsize, value: usize) {
    max.fetch_max(value, Ordering::SeqCst);
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 answering `GET /svc-N/health`
/// after `latency`; one thread per connection.
fn serve(
    counters: Arc<Counters>,
    latency: Duration,
    stop: Arc<AtomicBool>,
) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let counters = Arc::clone(&counters);
            std::thread::spawn(move || connection(stream, &counters, latency));
        }
    });
    (port, handle)
}

fn connection(stream: TcpStream, counters: &Counters, latency: Duration) {
    let open = counters.open.fetch_add(1, Ordering::SeqCst) + 1;
    raise(&counters.max_open, open);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            break;
        }
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
        }
        let n = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        raise(&counters.max_in_flight, n);
        counters.requests.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(latency);
        let index: usize = request_line
            .split("/svc-")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let (status, body) = if index % FAILING_EVERY == FAILING_EVERY - 1 {
            ("500 Internal Server Error", "{}".to_owned())
        } else {
            (
                "200 OK",
                "{\"status\":\"ok\",\"version\":\"1.0.0\"}".to_owned(),
            )
        };
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        counters.in_flight.fetch_sub(1, Ordering::SeqCst);
        if writer.write_all(response.as_bytes()).is_err() {
            break;
        }
    }
    counters.open.fetch_sub(1, Ordering::SeqCst);
}

fn catalog(count: usize, ports: &[u16]) -> Vec<u8> {
    let services: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            let port = ports[i % ports.len()];
            serde_json::json!({
                "name": format!("svc-{i}"),
                "version": "1.0.0",
                "endpoints": {"health": format!("http://127.0.0.1:{port}/svc-{i}/health")},
                "routes": [format!("/svc-{i}")],
                "status": "active",
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"services": services})).unwrap()
}

fn main() {
    let count = support::env_number("BENCH_SERVICES", 10_000) as usize;
    let concurrency = support::env_number("BENCH_CONCURRENCY", 32) as usize;
    let latency = Duration::from_millis(support::env_number("BENCH_LATENCY_MS", 5));
    let counters = Arc::new(Counters::default());
    let stop = Arc::new(AtomicBool::new(false));
    let servers: Vec<(u16, std::thread::JoinHandle<()>)> = (0..SERVERS)
        .map(|_| serve(Arc::clone(&counters), latency, Arc::clone(&stop)))
        .collect();
    let ports: Vec<u16> = servers.iter().map(|(p, _)| *p).collect();

    let workspace = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(workspace.path().join("registry")).unwrap();
    std::fs::write(
        workspace.path().join("registry/services.json"),
        catalog(count, &ports),
    )
    .unwrap();

    let binary = env!("CARGO_BIN_EXE_specrelay");
    let started = Instant::now();
    #[expect(
        clippy::zombie_processes,
        reason = "reaped by wait_with_timeout, which also reports its peak memory"
    )]
    let child = Command::new(binary)
        .args([
            "reconcile",
            "--allow-http",
            "--allow-private-network",
            "--issue-repository",
            "none",
        ])
        .args([
            "--concurrency",
            &concurrency.to_string(),
            "--check-timeout",
            "10",
        ])
        .arg("--workspace")
        .arg(workspace.path())
        .env_clear()
        .env("SPECRELAY_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let waited =
        support::wait_with_timeout(child.id() as libc::pid_t, Duration::from_secs(300), started);
    stop.store(true, Ordering::SeqCst);
    for (port, handle) in servers {
        let _ = TcpStream::connect(("127.0.0.1", port));
        let _ = handle.join();
    }

    let report: serde_json::Value = std::fs::read(workspace.path().join("reconcile-report.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    print_and_check(&waited, &counters, &report, (count, concurrency, latency));
}

/// The figures, then the checks that make a broken run visible.
fn print_and_check(
    waited: &support::Waited,
    counters: &Counters,
    report: &serde_json::Value,
    (count, concurrency, latency): (usize, usize, Duration),
) {
    let max_in_flight = counters.max_in_flight.load(Ordering::SeqCst);
    println!(
        "reconcile benchmark: {count} services on {SERVERS} loopback servers, {}ms per answer, 1 in {FAILING_EVERY} failing",
        latency.as_millis()
    );
    println!(
        "  exit status          {}{}",
        waited.status,
        if waited.timed_out { " (timed out)" } else { "" }
    );
    println!(
        "  wall time            {:.2} s   (goal < 15 s)",
        waited.wall.as_secs_f64()
    );
    println!("  cpu time             {:.2} s", waited.cpu.as_secs_f64());
    println!(
        "  peak memory (RSS)    {:.1} MB  (goal < 150 MB)",
        waited.rss_kib as f64 / 1024.0
    );
    println!(
        "  requests served      {}",
        counters.requests.load(Ordering::SeqCst)
    );
    println!("  most in flight       {max_in_flight}   (concurrency {concurrency})");
    println!(
        "  most connections     {}",
        counters.max_open.load(Ordering::SeqCst)
    );
    println!(
        "  report               healthy {} unhealthy {}",
        report["counts"]["healthy"], report["counts"]["unhealthy"]
    );
    let bound = if max_in_flight <= concurrency {
        "honoured"
    } else {
        "EXCEEDED"
    };
    println!("  concurrency bound    {bound}");
    assert!(waited.status == 0 && !waited.timed_out, "reconcile failed");
    assert!(
        max_in_flight <= concurrency,
        "more requests in flight ({max_in_flight}) than concurrency ({concurrency})"
    );
    assert_eq!(
        report["services"].as_array().map(Vec::len),
        Some(count),
        "every service reported"
    );
}
