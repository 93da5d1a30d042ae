//! Benchmark: a staged rollout (`downstream` with `waves: 1,10,50,100`)
//! over 500 consumer repositories on the fake GitHub (tests/support), run
//! by the release binary one scheduled run per wave, as the hourly
//! workflow would: each run checks the current wave's gate and opens the
//! next wave. Between runs every open pull request's check turns green.
//!
//! Prints, per run: the wall time, the repositories it touched, and the
//! API calls per repository (mean and most); then, per repository over the
//! whole rollout (each takes part in one wave: opened, then gated), the
//! mean and most calls, and how many GET requests a run repeated on one
//! path of one repository (a repository read twice in one run).
//!
//! Goal (from the issue): at most 12 calls per repository per wave, and no
//! repository read twice in one run.
//!
//! `cargo bench --bench rollout` (BENCH_REPOS and BENCH_CONCURRENCY change
//! the defaults).
#![allow(clippy::disallowed_methods)]
// The fake GitHub builds large `json!` documents.
#![recursion_limit = "256"]

// tests/support allows its own dead code (this bench uses the fake GitHub
// and the runner only).
#[path = "../tests/support/mod.rs"]
mod support;

#[path = "support/mod.rs"]
#[allow(dead_code, reason = "this bench uses env_number only")]
mod bench_support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Instant;
use support::fake_github::{FakeGitHub, TOKEN};
use support::runner::Job;

const SOURCE: &str = "acme/pets-api";
const STATE: &str = "openapi/rollouts/acme-pets-2.0.0.json";
const T0: i64 = 1_790_000_000;
const MANIFEST: &[u8] =
    b"{\n  \"name\": \"web\",\n  \"dependencies\": {\n    \"@acme/pets\": \"^1.4.0\"\n  }\n}\n";

fn job(github: &FakeGitHub, repos: &[String], concurrency: u64, now: i64) -> Job {
    let mut job = Job::new("downstream");
    let sdk = job.workspace().join("sdk/typescript");
    std::fs::create_dir_all(&sdk).unwrap();
    std::fs::write(
        sdk.join("package.json"),
        "{\n  \"name\": \"@acme/pets\",\n  \"version\": \"2.0.0\"\n}\n",
    )
    .unwrap();
    job.input("repositories", &repos.join(","))
        .input("github_token", TOKEN)
        .input("waves", "1,10,50,100")
        .input("bake_time", "0s")
        .input("concurrency", &concurrency.to_string())
        .env("GITHUB_API_URL", &github.url())
        .env("GITHUB_REPOSITORY", SOURCE)
        .env("GITHUB_REF_NAME", "main")
        .env("SOURCE_DATE_EPOCH", &now.to_string());
    job
}

/// `(repo, pull number)` of every consumer of every wave that has one.
fn pulls(github: &FakeGitHub) -> Vec<(String, u64)> {
    let state: Value =
        serde_json::from_slice(&github.file(SOURCE, "main", STATE).expect("state")).unwrap();
    state["waves"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["repos"].as_array().unwrap())
        .filter_map(|r| {
            Some((
                r["repo"].as_str()?.to_owned(),
                r["pull"]["number"].as_u64()?,
            ))
        })
        .collect()
}

/// Per consumer repository: its calls among `requests`, and how many GETs
/// repeated a path already read.
fn per_repo(
    requests: &[support::http_server::RecordedRequest],
) -> (BTreeMap<String, usize>, usize) {
    let mut calls: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut repeated = 0;
    for r in requests {
        let mut parts = r.path.trim_start_matches('/').splitn(4, '/');
        let (Some("repos"), Some(owner), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let repo = format!("{owner}/{name}");
        if repo == SOURCE {
            continue;
        }
        *calls.entry(repo).or_default() += 1;
        let key = format!(
            "{} {}?{}",
            r.method,
            r.path,
            r.query.as_deref().unwrap_or("")
        );
        if r.method == "GET" && !seen.insert(key) {
            repeated += 1;
        }
    }
    (calls, repeated)
}

fn main() {
    let count = bench_support::env_number("BENCH_REPOS", 500) as usize;
    let concurrency = bench_support::env_number("BENCH_CONCURRENCY", 16);
    let github = FakeGitHub::start();
    github.create_repo(SOURCE, "main", &[("README.md", b"pets api\n")]);
    let repos: Vec<String> = (0..count)
        .map(|i| {
            let repo = format!("acme/c{i:03}");
            github.create_repo(&repo, "main", &[("package.json", MANIFEST)]);
            repo
        })
        .collect();
    println!(
        "rollout of @acme/pets 2.0.0 over {count} consumers, waves 1,10,50,100, concurrency {concurrency}\n"
    );
    println!(
        "{:<28} {:>8} {:>6} {:>12} {:>10} {:>10} {:>14}",
        "run", "wall s", "opened", "repos hit", "calls/repo", "most", "repeated GETs"
    );
    let mut total: BTreeMap<String, usize> = BTreeMap::new();
    let mut worst_repeats = 0;
    let mut now = T0;
    let mut green = std::collections::BTreeSet::new();
    for run_index in 0..5 {
        let before = github.requests().len();
        let started = Instant::now();
        let run = job(&github, &repos, concurrency, now).run();
        let wall = started.elapsed();
        if run.code != 0 {
            eprintln!(
                "run {} failed ({}):\n{}",
                run_index + 1,
                run.code,
                run.stderr
            );
            std::process::exit(1);
        }
        let requests = github.requests();
        let (calls, repeated) = per_repo(&requests[before..]);
        worst_repeats = worst_repeats.max(repeated);
        for (repo, n) in &calls {
            *total.entry(repo.clone()).or_default() += n;
        }
        let most = calls.values().max().copied().unwrap_or(0);
        let mean = if calls.is_empty() {
            0.0
        } else {
            calls.values().sum::<usize>() as f64 / calls.len() as f64
        };
        let label = match run_index {
            0 => "open wave 1".to_owned(),
            4 => "gate wave 4, complete".to_owned(),
            w => format!("gate wave {w}, open wave {}", w + 1),
        };
        println!(
            "{label:<28} {:>8.2} {:>6} {:>12} {:>10.1} {:>10} {:>14}",
            wall.as_secs_f64(),
            run.outputs.get("opened").map_or("?", String::as_str),
            calls.len(),
            mean,
            most,
            repeated
        );
        for (repo, number) in pulls(&github) {
            if green.insert(repo.clone()) {
                github.set_check(&repo, number, "build", Some("success"));
            }
        }
        now += 60;
    }
    let most = total.values().max().copied().unwrap_or(0);
    let mean = total.values().sum::<usize>() as f64 / total.len().max(1) as f64;
    println!(
        "\nper repository over the rollout (its one wave): mean {mean:.1} calls, most {most} (goal <= 12)"
    );
    println!("repositories with a pull request: {}", pulls(&github).len());
    println!("most GETs repeated in one run: {worst_repeats} (goal 0)");
}
