//! What the benchmarks share: one tool run in its own process group under a
//! deadline, measured for wall time, CPU time and peak memory, and the small
//! numeric helpers of their tables. Each bench includes it with
//! `#[path = "support/mod.rs"] mod support;`.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Why a tool's run on one input has no figures.
pub enum Failure {
    Timeout,
    Error(String),
}

/// Prints one line per failed run, as `(input label, tool, failure)`,
/// under a `failures:` heading; nothing when every run completed.
pub fn print_failures<'a>(
    failures: impl IntoIterator<Item = (&'a str, &'a str, &'a Failure)>,
    timeout: Duration,
) {
    let notes: Vec<String> = failures
        .into_iter()
        .map(|(label, tool, failure)| match failure {
            Failure::Timeout => format!("{label} {tool}: timed out after {}s", timeout.as_secs()),
            Failure::Error(reason) => format!("{label} {tool}: {reason}"),
        })
        .collect();
    if !notes.is_empty() {
        println!("failures:");
        for note in notes {
            println!("  {note}");
        }
    }
}

/// A whole number from the environment, or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a whole number")),
        Err(_) => default,
    }
}

/// The geometric mean of speed-up ratios.
pub fn geometric_mean(ratios: &[f64]) -> Option<f64> {
    if ratios.is_empty() {
        return None;
    }
    Some((ratios.iter().map(|ratio| ratio.ln()).sum::<f64>() / ratios.len() as f64).exp())
}

pub struct Waited {
    /// The raw wait status.
    pub status: i32,
    pub wall: Duration,
    /// User plus system time of the process and the children it waited for.
    #[allow(dead_code, reason = "read by the generate bench, not by every bench")]
    pub cpu: Duration,
    pub rss_kib: i64,
    pub timed_out: bool,
}

/// Waits for the child `pid` (a process group leader), killing its process
/// group once `timeout` has passed since `started`.
///
/// A watchdog thread does the killing. The child is first waited for without
/// being reaped (`waitid` with `WNOWAIT`), so its pid, which is also the
/// group's id, cannot be reused while the watchdog might still signal it;
/// only then is it reaped with `wait4`, which also gives the peak RSS.
pub fn wait_with_timeout(pid: libc::pid_t, timeout: Duration, started: Instant) -> Waited {
    #[derive(Default)]
    struct Watch {
        exited: bool,
        killed: bool,
    }
    let watch = Arc::new((Mutex::new(Watch::default()), Condvar::new()));
    let watchdog = {
        let watch = Arc::clone(&watch);
        std::thread::spawn(move || {
            let (lock, exited) = &*watch;
            let left = timeout.saturating_sub(started.elapsed());
            let (mut state, _) = exited
                .wait_timeout_while(lock.lock().unwrap(), left, |state| !state.exited)
                .unwrap();
            if !state.exited {
                // SAFETY: plain FFI call; the group is ours and not yet reaped.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
                state.killed = true;
            }
        })
    };

    loop {
        // SAFETY: plain FFI call with a valid out-pointer; `pid` is our own child.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let waited = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if waited == 0 {
            break;
        }
        let err = std::io::Error::last_os_error();
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::Interrupted,
            "waitid failed: {err}"
        );
    }
    let wall = started.elapsed();

    let timed_out = {
        let (lock, exited) = &*watch;
        let mut state = lock.lock().unwrap();
        state.exited = true;
        exited.notify_all();
        // Whatever the tool left running in its group (it has exited) goes
        // too, so it cannot slow down the next runs.
        // SAFETY: plain FFI call; the group leader is ours and not yet reaped.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        state.killed
    };
    watchdog.join().expect("the watchdog thread");

    let mut status = 0;
    // SAFETY: plain FFI call with valid out-pointers; `pid` is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Waited {
        status,
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        rss_kib: usage.ru_maxrss,
        timed_out,
    }
}

/// A peer tool as a bench names it: its name, and the variable under which
/// the bench's install script prints its executable.
pub trait PeerSpec: 'static {
    fn name(&self) -> &'static str;
    fn var(&self) -> &'static str;
}

/// The peers selected by `BENCH_PEERS` (default: all) that are installed,
/// with their executables: from their variables, else from the `NAME=/path`
/// lines of `install_script` (a path under the repository), which is run.
pub fn find_peers<P: PeerSpec>(
    peers: &'static [P],
    install_script: &str,
    bench: &str,
) -> Vec<(&'static P, PathBuf)> {
    let selected: Vec<&'static P> = match std::env::var("BENCH_PEERS") {
        Ok(list) if list.trim() == "none" => return Vec::new(),
        Ok(list) => list
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(|name| {
                peers
                    .iter()
                    .find(|peer| peer.name() == name)
                    .unwrap_or_else(|| {
                        let known: Vec<_> = peers.iter().map(|peer| peer.name()).collect();
                        panic!("BENCH_PEERS: unknown peer {name:?} (known: {known:?}, or none)")
                    })
            })
            .collect(),
        Err(_) => peers.iter().collect(),
    };
    let mut found: Vec<(&'static str, PathBuf)> = selected
        .iter()
        .filter_map(|peer| Some((peer.var(), PathBuf::from(std::env::var_os(peer.var())?))))
        .collect();
    if found.len() < selected.len() {
        let script = format!("{}/{install_script}", env!("CARGO_MANIFEST_DIR"));
        eprintln!("{bench} bench: running {script}");
        // Progress goes to our stderr; stdout has the NAME=/path lines.
        match Command::new(&script).stderr(Stdio::inherit()).output() {
            Ok(output) if output.status.success() => {
                for line in String::from_utf8_lossy(&output.stdout).lines() {
                    let Some((var, path)) = line.split_once('=') else {
                        continue;
                    };
                    let peer = peers.iter().find(|peer| peer.var() == var);
                    if let (Some(peer), false) =
                        (peer, found.iter().any(|(known, _)| *known == var))
                    {
                        found.push((peer.var(), PathBuf::from(path)));
                    }
                }
            }
            Ok(output) => println!(
                "peers: {script} failed ({}); running without them",
                output.status
            ),
            Err(err) => println!("peers: cannot run {script} ({err}); running without them"),
        }
    }
    selected
        .into_iter()
        .filter_map(|peer| {
            let (_, program) = found.iter().find(|(var, _)| *var == peer.var())?;
            if program.is_file() {
                Some((peer, program.clone()))
            } else {
                println!(
                    "peers: {} not found at {}; skipped",
                    peer.name(),
                    program.display()
                );
                None
            }
        })
        .collect()
}
