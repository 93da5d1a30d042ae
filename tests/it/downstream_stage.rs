//! `downstream` against the fake GitHub: one pull request per consumer and
//! package, updated in place on re-runs, never over a human's commit,
//! through server errors and rate limits, and one broken consumer does not
//! stop the others.

use crate::support::fake_github::{FakeGitHub, Fault, TOKEN};
use crate::support::runner::{Job, Run};
use serde_json::Value;

pub(crate) const WEB: &str = "acme/web";
const BRANCH: &str = "specrelay/@acme/pets";

const CONSUMER_PACKAGE_JSON: &[u8] =
    b"{\r\n\t\"name\": \"web\",\r\n\t\"dependencies\": {\r\n\t\t\"@acme/pets\": \"^1.4.0\",\r\n\t\t\"left-pad\": \"1.0.0\"\r\n\t}\r\n}\r\n";

fn sdk_package_json(version: &str) -> String {
    format!("{{\n  \"name\": \"@acme/pets\",\n  \"version\": \"{version}\"\n}}\n")
}

pub(crate) fn consumer(github: &FakeGitHub, repo: &str) {
    github.create_repo(
        repo,
        "main",
        &[
            ("package.json", CONSUMER_PACKAGE_JSON),
            ("package-lock.json", b"{}\n"),
            ("README.md", b"web\n"),
        ],
    );
}

pub(crate) fn job(github: &FakeGitHub, repositories: &str, version: &str) -> Job {
    let mut job = Job::new("downstream");
    let sdk = job.workspace().join("sdk/typescript");
    std::fs::create_dir_all(&sdk).unwrap();
    std::fs::write(sdk.join("package.json"), sdk_package_json(version)).unwrap();
    job.input("repositories", repositories)
        .input("labels", "dependencies,sdk")
        .input("reviewers", "alice,acme/sdk-team")
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url());
    job
}

fn rows(run: &Run) -> Vec<Value> {
    serde_json::from_str::<Value>(run.output("pull_requests"))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn opens_a_pull_request_then_updates_it_in_place() {
    let github = FakeGitHub::start();
    consumer(&github, WEB);
    // An older specrelay pull request for the package, from another branch.
    github.create_branch(WEB, "specrelay/pets-old", "main");
    let old = github.open_pull(
        WEB,
        "specrelay/pets-old",
        "Bump pets",
        "old\n<!-- specrelay:package=@acme/pets -->",
    );

    let run = job(&github, WEB, "2.0.0").run();
    run.expect_code(0);
    let rows = rows(&run);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["action"], "created");
    assert_eq!(rows[0]["repo"], WEB);
    let number = rows[0]["number"].as_u64().unwrap();
    assert_eq!(
        rows[0]["url"],
        format!("https://github.com/{WEB}/pull/{number}")
    );

    let bumped = github.file(WEB, BRANCH, "package.json").unwrap();
    assert_eq!(
        bumped,
        String::from_utf8(CONSUMER_PACKAGE_JSON.to_vec())
            .unwrap()
            .replace("^1.4.0", "^2.0.0")
            .into_bytes(),
        "only the version text changes (tabs and CRLF kept)"
    );
    assert_eq!(
        github.file(WEB, "main", "package.json").unwrap(),
        CONSUMER_PACKAGE_JSON
    );
    let pulls = github.pulls(WEB);
    let pull = pulls.iter().find(|p| p.number == number).unwrap();
    assert_eq!(pull.title, "Bump @acme/pets to 2.0.0");
    assert_eq!(pull.base, "main");
    assert!(
        pull.body.contains("npm install"),
        "lockfile hint: {}",
        pull.body
    );
    assert_eq!(pull.labels, ["dependencies", "sdk"]);
    assert_eq!(pull.reviewers, ["alice"]);
    assert_eq!(pull.team_reviewers, ["sdk-team"]);
    assert!(
        pull.body
            .contains("| `package.json` | dependencies, line 4 | `^1.4.0` | `^2.0.0` |"),
        "{}",
        pull.body
    );
    let superseded = pulls.iter().find(|p| p.number == old).unwrap();
    assert_eq!(superseded.state, "closed");
    assert!(
        github.comments(WEB, old)[0]
            .body
            .contains(&format!("#{number}"))
    );
    assert!(
        run.summary.contains("| acme/web | @acme/pets | created |"),
        "{}",
        run.summary
    );

    // The same run again: nothing to change.
    let again = job(&github, WEB, "2.0.0").run();
    again.expect_code(0);
    assert_eq!(rows_action(&again), ["unchanged"]);
    assert_eq!(github.history(WEB, BRANCH).len(), 2);

    // A newer SDK: the same pull request, rewritten, on a force-updated branch.
    let newer = job(&github, WEB, "2.1.0").run();
    newer.expect_code(0);
    let newer_rows = self::rows(&newer);
    assert_eq!(newer_rows[0]["action"], "updated");
    assert_eq!(newer_rows[0]["number"].as_u64(), Some(number));
    let open: Vec<_> = github
        .pulls(WEB)
        .into_iter()
        .filter(|p| p.state == "open")
        .collect();
    assert_eq!(open.len(), 1, "no duplicate pull request");
    assert_eq!(open[0].title, "Bump @acme/pets to 2.1.0");
    let file = String::from_utf8(github.file(WEB, BRANCH, "package.json").unwrap()).unwrap();
    assert!(file.contains("\"^2.1.0\""), "{file}");
    assert_eq!(
        github.history(WEB, BRANCH).len(),
        2,
        "one commit on main's head"
    );
}

fn rows_action(run: &Run) -> Vec<String> {
    rows(run)
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_human_commit_on_the_branch_is_left_alone_with_a_comment() {
    let github = FakeGitHub::start();
    consumer(&github, WEB);
    job(&github, WEB, "2.0.0").run().expect_code(0);
    let number = github.pulls(WEB)[0].number;
    github.push_human_commit(WEB, BRANCH, &[("src/fix.ts", b"export {};\n")]);
    let human_head = github.history(WEB, BRANCH)[0].clone();

    let run = job(&github, WEB, "2.1.0").run();
    run.expect_code(0);
    let rows = rows(&run);
    assert_eq!(rows[0]["action"], "skipped");
    assert_eq!(rows[0]["number"].as_u64(), Some(number));
    assert_eq!(github.history(WEB, BRANCH)[0].message, human_head.message);
    assert!(
        github.file(WEB, BRANCH, "src/fix.ts").is_some(),
        "the human's work stays"
    );
    assert_eq!(github.pulls(WEB)[0].title, "Bump @acme/pets to 2.0.0");
    let comments = github.comments(WEB, number);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].body.contains("did not make"),
        "{}",
        comments[0].body
    );

    // Re-runs do not repeat the comment.
    job(&github, WEB, "2.1.0").run().expect_code(0);
    assert_eq!(github.comments(WEB, number).len(), 1);
}

#[test]
fn server_errors_and_rate_limits_are_retried() {
    let github = FakeGitHub::start();
    consumer(&github, WEB);
    github.inject(Fault::ServerError(503), 3, Some(WEB), Some("GET"));
    github.inject(
        Fault::SecondaryRateLimit { retry_after: 1 },
        1,
        Some(WEB),
        Some("POST"),
    );
    github.inject(
        Fault::TooManyRequests { retry_after: 1 },
        1,
        Some(WEB),
        Some("PATCH"),
    );
    github.inject(
        Fault::PrimaryRateLimit { reset_in: 1 },
        1,
        Some(WEB),
        Some("POST"),
    );
    let started = std::time::Instant::now();
    let run = job(&github, WEB, "2.0.0").run();
    run.expect_code(0);
    assert_eq!(rows_action(&run), ["created"]);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "retry-after was honoured"
    );
    assert!(run.stderr.contains("HTTP 503"), "{}", run.stderr);
    assert!(
        run.stderr.contains("secondary rate limit"),
        "{}",
        run.stderr
    );
    assert_eq!(github.pulls(WEB).len(), 1);
}

#[test]
fn one_broken_consumer_does_not_stop_the_others() {
    let github = FakeGitHub::start();
    for repo in ["acme/a", "acme/b", "acme/c"] {
        consumer(&github, repo);
    }
    github.break_repo("acme/b");
    let mut job = job(&github, "acme/a\nacme/b\nacme/c", "2.0.0");
    job.input("github_max_attempts", "2");
    let run = job.run();
    run.expect_code(1);
    let rows = rows(&run);
    let repos: Vec<&str> = rows.iter().map(|r| r["repo"].as_str().unwrap()).collect();
    assert_eq!(repos, ["acme/a", "acme/c"]);
    assert!(rows.iter().all(|r| r["action"] == "created"));
    assert_eq!(run.output("failed_repositories"), "acme/b");
    assert!(run.summary.contains("- acme/b:"), "{}", run.summary);
    // The picture: spec -> package -> each pull request, the failure dotted.
    crate::support::mermaid::assert_diagrams_parse("downstream summary", &run.summary, 1);
    assert!(
        run.summary.contains("-.-> f0[\"acme/b failed\"]"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains(" created\"]"), "{}", run.summary);
    assert!(
        run.stderr.contains("1 consumer repository failed: acme/b"),
        "{}",
        run.stderr
    );
    assert_eq!(github.pulls("acme/a").len(), 1);
    assert_eq!(github.pulls("acme/c").len(), 1);
}

#[test]
fn the_body_carries_breaking_changes_and_the_changelog_of_the_newest_spec() {
    let github = FakeGitHub::start();
    consumer(&github, WEB);
    let job = job(&github, WEB, "2.0.0");
    let openapi = job.workspace().join("openapi");
    std::fs::create_dir_all(openapi.join("history")).unwrap();
    let spec = |paths: Value| {
        serde_json::to_vec_pretty(&serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "Pets API", "version": "x"},
            "paths": paths,
        }))
        .unwrap()
    };
    let get = serde_json::json!({"get": {"operationId": "op", "responses": {"200": {"description": "ok"}}}});
    std::fs::write(
        openapi.join("history/openapi-1.0.0.json"),
        spec(serde_json::json!({"/pets": get, "/owners": get})),
    )
    .unwrap();
    std::fs::write(
        openapi.join("history/openapi-2.0.0.json"),
        spec(serde_json::json!({"/pets": get})),
    )
    .unwrap();
    let latest = serde_json::json!({
        "version": "2.0.0", "checksum": "c", "stored_sha256": "s",
        "path": "openapi/history/openapi-2.0.0.json", "previous_version": "1.0.0",
        "change_type": "major", "breaking": true, "title": "Pets API",
        "source_repo": "acme/pet-store", "download_url": "https://example.com/openapi.json",
        "ingested_at": "2026-01-01T00:00:00Z",
    });
    std::fs::write(openapi.join("latest.json"), latest.to_string()).unwrap();
    job.run().expect_code(0);
    let body = &github.pulls(WEB)[0].body;
    for needle in [
        "the SDK for Pets API",
        "### ⚠️ Breaking changes",
        "**1.0.0 → 2.0.0**",
        "/owners",
        "### Changelog",
        "https://github.com/acme/pet-store",
    ] {
        assert!(body.contains(needle), "{needle:?} missing from:\n{body}");
    }
}

#[test]
fn a_dry_run_reports_the_actions_it_read_from_github_and_sends_nothing() {
    let github = FakeGitHub::start();
    consumer(&github, WEB);
    let before = github.requests().len();
    let mut dry = job(&github, WEB, "2.0.0");
    dry.input("dry_run", "true");
    let run = dry.run();
    run.expect_code(0);
    run.expect_stderr(
        "dry run: would create a pull request in acme/web bumping @acme/pets to 2.0.0",
    );
    assert_eq!(rows_action(&run), ["created"]);
    let sent: Vec<String> = github.requests()[before..]
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(sent.is_empty(), "a dry run only reads: {sent:?}");
    assert!(github.pulls(WEB).is_empty());
    assert!(!github.branch_exists(WEB, BRANCH));

    // After a real run, the dry run says it would update that pull request.
    job(&github, WEB, "2.0.0").run().expect_code(0);
    let number = github.pulls(WEB)[0].number;
    let mut again = job(&github, WEB, "2.1.0");
    again.input("dry_run", "true");
    let run = again.run();
    run.expect_code(0);
    run.expect_stderr(&format!(
        "dry run: would update pull request #{number} in acme/web"
    ));
    assert_eq!(rows_action(&run), ["updated"]);
}
