//! `ingest --commit` and `generate --commit` against the fake GitHub: files
//! land as one commit through the git data API, concurrent runs all land,
//! and a version that is already there makes no commit.

use crate::payload;
use crate::spec_json;
use crate::support::fake_github::{FakeGitHub, Fault, TOKEN};
use crate::support::http_server::{Behaviour, TestServer};
use crate::support::runner::{Job, Run};
use std::collections::BTreeMap;

const REPO: &str = "acme/api";

/// An ingestion of `version` (served by `specs`) that commits to `main`.
fn ingest_job(github: &FakeGitHub, specs: &TestServer, version: &str) -> Job {
    let body = spec_json(version);
    let mut job = Job::new("ingest");
    job.dispatch(payload(
        version,
        &body,
        &specs.url(&format!("/{version}.json")),
    ))
    .input("commit", "true")
    .input("github_token", TOKEN)
    .env("GITHUB_API_URL", &github.url())
    .env("GITHUB_REPOSITORY", REPO)
    .env("GITHUB_REF_NAME", "main");
    job
}

fn ingest(github: &FakeGitHub, specs: &TestServer, version: &str) -> Run {
    ingest_job(github, specs, version).run()
}

fn spec_server(versions: &[&str]) -> TestServer {
    let routes: Vec<(&'static str, Behaviour)> = versions
        .iter()
        .map(|v| {
            let path: &'static str = Box::leak(format!("/{v}.json").into_boxed_str());
            (path, Behaviour::json(spec_json(v)))
        })
        .collect();
    TestServer::start(routes)
}

#[test]
fn five_concurrent_ingestions_all_land_and_latest_is_the_highest() {
    let versions = ["1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0"];
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[("README.md", b"# API\n")]);
    let specs = spec_server(&versions);

    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = versions
            .iter()
            .map(|v| scope.spawn(|| ingest(&github, &specs, v)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in &runs {
        run.expect_code(0);
        assert_eq!(run.output("commit_sha").len(), 40, "{}", run.stderr);
        let leaked = run
            .stderr
            .lines()
            .chain(run.stdout.lines())
            .any(|l| l.contains(TOKEN) && !l.starts_with("::add-mask::"));
        assert!(!leaked, "the token leaked into the log:\n{}", run.stderr);
    }

    let files = github.files(REPO, "main");
    for v in versions {
        assert!(
            files.contains_key(&format!("openapi/history/openapi-{v}.json")),
            "{v} is missing: {:?}",
            files.keys().collect::<Vec<_>>()
        );
    }
    let latest: serde_json::Value = serde_json::from_slice(&files["openapi/latest.json"]).unwrap();
    assert_eq!(latest["version"], "1.5.0");
    let changelog = String::from_utf8(files["CHANGELOG.md"].clone()).unwrap();
    for v in versions {
        assert_eq!(
            changelog.matches(&format!("## {v}")).count(),
            1,
            "one changelog entry per version:\n{changelog}"
        );
    }
    assert_eq!(files["README.md"], b"# API\n", "other files are kept");
    // One commit per run on top of the initial one: nothing was lost or doubled.
    let history = github.history(REPO, "main");
    assert_eq!(history.len(), 1 + versions.len());
    let refused = github
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.contains("/git/refs/"))
        .count();
    eprintln!("ref updates sent: {refused} for {} commits", versions.len());
}

#[test]
fn the_same_version_twice_lands_once() {
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[("README.md", b"# API\n")]);
    let specs = spec_server(&["2.0.0"]);
    let first = ingest(&github, &specs, "2.0.0");
    first.expect_code(0);
    assert_eq!(first.output("commit_sha").len(), 40);
    let before = github.files(REPO, "main");

    // A second run from a fresh checkout (as a re-delivered dispatch would be).
    let second = ingest(&github, &specs, "2.0.0");
    second.expect_code(0);
    assert_eq!(second.output("commit_sha"), "", "no second commit");
    assert_eq!(github.history(REPO, "main").len(), 2);
    assert_eq!(github.files(REPO, "main"), before);
    let last = &github.history(REPO, "main")[0];
    assert_eq!(last.message, "openapi: ingest 2.0.0");
}

#[test]
fn commit_is_retried_through_server_errors_and_rate_limits() {
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[]);
    let specs = spec_server(&["1.0.0"]);
    github.inject(Fault::ServerError(502), 2, Some(REPO), Some("GET"));
    github.inject(
        Fault::SecondaryRateLimit { retry_after: 1 },
        1,
        Some(REPO),
        Some("POST"),
    );
    github.inject(
        Fault::PrimaryRateLimit { reset_in: 1 },
        1,
        Some(REPO),
        Some("PATCH"),
    );
    let run = ingest(&github, &specs, "1.0.0");
    run.expect_code(0);
    assert!(
        github
            .file(REPO, "main", "openapi/history/openapi-1.0.0.json")
            .is_some()
    );
    assert!(run.stderr.contains("retrying"), "{}", run.stderr);
}

#[test]
fn a_failing_github_fails_the_step_with_code_3_after_retries() {
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[]);
    github.break_repo(REPO);
    let specs = spec_server(&["1.0.0"]);
    let mut job = ingest_job(&github, &specs, "1.0.0");
    let run = job.input("github_max_attempts", "2").run();
    run.expect_code(3).expect_stderr("HTTP 500");
}

#[test]
fn generate_commits_the_sdk_and_removes_stale_files() {
    let github = FakeGitHub::start();
    github.create_repo(
        REPO,
        "main",
        &[("sdk/typescript/stale.ts", b"// no longer generated\n")],
    );
    let mut job = Job::new("generate");
    std::fs::write(job.workspace().join("openapi.json"), spec_json("3.1.0")).unwrap();
    job.input("spec", "openapi.json")
        .input("commit", "true")
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url())
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_HEAD_REF", "feature")
        .env("GITHUB_REF_NAME", "12/merge");
    github.create_branch(REPO, "feature", "main");
    let run = job.run();
    run.expect_code(0);
    let files: BTreeMap<String, Vec<u8>> = github.files(REPO, "feature");
    assert!(!files.contains_key("sdk/typescript/stale.ts"));
    let local = crate::support::runner::snapshot(&job.workspace().join("sdk/typescript"));
    assert!(!local.is_empty());
    for (path, bytes) in &local {
        let remote = format!("sdk/typescript/{}", path.display());
        assert_eq!(files.get(&remote), Some(bytes), "{remote}");
    }
    assert_eq!(github.history(REPO, "feature").len(), 2, "one commit");
    assert_eq!(github.history(REPO, "main").len(), 1, "main untouched");
    // Nothing changed: a second run makes no commit.
    let again = job.run();
    again.expect_code(0);
    assert_eq!(again.output("commit_sha"), "");
}

#[test]
fn a_github_app_installation_token_can_be_used_instead_of_a_token() {
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[]);
    let key = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/github/app-test-key.pem"),
    )
    .unwrap();
    github.install_app("12345", &key);
    let specs = spec_server(&["1.0.0"]);
    let app_job = || {
        let mut job = ingest_job(&github, &specs, "1.0.0");
        job.remove_input("github_token")
            .input("app_id", "12345")
            .input("app_private_key", &key);
        job
    };
    let run = app_job().run();
    run.expect_code(0);
    assert!(github.file(REPO, "main", "openapi/latest.json").is_some());
    let minted = github
        .requests()
        .iter()
        .filter(|r| r.path == "/app/installations/7/access_tokens")
        .count();
    assert_eq!(minted, 1);
    // Every line of the key is masked before anything else is logged.
    let key_line = key.lines().nth(1).unwrap();
    assert!(
        run.stderr.contains(&format!("::add-mask::{key_line}")),
        "{}",
        run.stderr
    );

    // A key of another app is refused by GitHub: a clear failure, no retry loop.
    github.install_app("999", &key);
    app_job()
        .run()
        .expect_code(1)
        .expect_stderr("getting an installation token for app 12345 on acme/api");
}

#[test]
fn tag_true_tags_the_commit_that_stores_everything_ingest_wrote() {
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[("README.md", b"# API\n")]);
    let specs = spec_server(&["1.0.0", "1.1.0"]);
    let mut job = ingest_job(&github, &specs, "1.0.0");
    job.input("tag", "true");
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("tag"), "openapi-v1.0.0");
    let sha = run.output("commit_sha");
    assert_eq!(github.tag(REPO, "openapi-v1.0.0").as_deref(), Some(sha));
    let files = github.files(REPO, "main");
    for file in [
        "openapi/history/openapi-1.0.0.json",
        "openapi/latest.json",
        "openapi/history/index.json",
        "openapi/TIMELINE.md",
        "CHANGELOG.md",
    ] {
        assert!(files.contains_key(file), "{file} was not committed");
    }

    // GitHub creates the tag but the answer is lost: the retry finds it at
    // this commit, which is fine.
    github.inject_at(Fault::ServerErrorAfterApplying(502), 1, "POST", "/git/refs");
    let mut job = ingest_job(&github, &specs, "1.1.0");
    job.input("tag", "true")
        .input("tag_format", "api/{version}");
    let run = job.run();
    run.expect_code(0);
    assert_eq!(run.output("tag"), "api/1.1.0");
    assert!(
        run.stderr
            .contains("tag api/1.1.0 in acme/api already points at"),
        "{}",
        run.stderr
    );
    assert_eq!(
        github.tag(REPO, "api/1.1.0").as_deref(),
        Some(run.output("commit_sha"))
    );
    // The branch's index (this job's checkout is empty) gets the new version.
    let files = github.files(REPO, "main");
    let index: serde_json::Value =
        serde_json::from_slice(&files["openapi/history/index.json"]).unwrap();
    let versions: Vec<&str> = index["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["1.0.0", "1.1.0"], "{index}");
}

#[test]
fn a_tag_already_at_another_commit_fails_the_step_and_stays() {
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[("README.md", b"# API\n")]);
    let old = github.push_human_commit(REPO, "main", &[("NOTES.md", b"notes\n")]);
    github.set_tag(REPO, "openapi-v1.0.0", &old);
    let specs = spec_server(&["1.0.0"]);
    let mut job = ingest_job(&github, &specs, "1.0.0");
    job.input("tag", "true");
    let run = job.run();
    run.expect_code(1).expect_stderr(&format!(
        "tag openapi-v1.0.0 already exists in acme/api at {old}"
    ));
    assert_eq!(
        github.tag(REPO, "openapi-v1.0.0").as_deref(),
        Some(old.as_str())
    );
}

#[test]
fn tag_without_commit_or_with_a_bad_format_is_refused_before_anything_is_written() {
    let github = FakeGitHub::start();
    let specs = spec_server(&["1.0.0"]);
    let mut job = ingest_job(&github, &specs, "1.0.0");
    job.input("tag", "true").remove_input("commit");
    job.run().expect_code(1).expect_stderr("set commit: true");
    assert!(job.snapshot().is_empty());
    for format in ["v..{version}", "release", "a b{version}"] {
        let mut job = ingest_job(&github, &specs, "1.0.0");
        job.input("tag", "true").input("tag_format", format);
        job.run().expect_code(1).expect_stderr("valid tag name");
        assert!(job.snapshot().is_empty(), "{format}");
    }
    assert!(github.requests().is_empty(), "nothing was sent");
    assert!(specs.requests().is_empty(), "nothing was downloaded");
}
