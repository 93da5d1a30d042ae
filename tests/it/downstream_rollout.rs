//! `downstream` with `waves` against the fake GitHub: a staged rollout that
//! advances across repeated runs as check runs turn green, halts on a red
//! one (labels, one issue), pauses, resumes and aborts, waits for an
//! approval, skips a pinned consumer, is superseded by a newer release,
//! is not double-opened by concurrent runs, and lands every pull request of
//! a wave exactly once across four shards (also when GitHub's secondary
//! rate limits push back), and rolls merged consumers back to the
//! known-good version when a later wave goes red. Time moves through
//! `SOURCE_DATE_EPOCH`, so `bake_time` is tested without sleeping.

use crate::support::fake_github::{FakeGitHub, Fault, TOKEN};
use crate::support::runner::{Job, Run};
use serde_json::Value;

const SOURCE: &str = "acme/pets-api";
const STATE: &str = "openapi/rollouts/acme-pets-2.0.0.json";
const T0: i64 = 1_790_000_000;
const HOUR: i64 = 3600;

const CONSUMER_PACKAGE_JSON: &[u8] =
    b"{\n  \"name\": \"web\",\n  \"dependencies\": {\n    \"@acme/pets\": \"^1.4.0\"\n  }\n}\n";

fn consumers(github: &FakeGitHub, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let repo = format!("acme/c{i:02}");
            github.create_repo(&repo, "main", &[("package.json", CONSUMER_PACKAGE_JSON)]);
            repo
        })
        .collect()
}

fn source(github: &FakeGitHub) {
    github.create_repo(SOURCE, "main", &[("README.md", b"pets api\n")]);
}

/// Records `version` of `@acme/pets` as known-good in the source repository.
fn known_good(github: &FakeGitHub, version: &str) {
    let record = format!(
        "{{\"packages\":{{\"@acme/pets\":{{\"version\":\"{version}\",\"recorded_at\":\"t\"}}}}}}\n"
    );
    github.push_human_commit(
        SOURCE,
        "main",
        &[("openapi/known-good.json", record.as_bytes())],
    );
}

fn pull(github: &FakeGitHub, repo: &str, number: u64) -> crate::support::fake_github::Pull {
    github
        .pulls(repo)
        .into_iter()
        .find(|p| p.number == number)
        .unwrap_or_else(|| panic!("no pull request {repo}#{number}"))
}

/// A scheduled `downstream` run at `now` (Unix seconds).
fn job(github: &FakeGitHub, repositories: &[String], version: &str, now: i64) -> Job {
    let mut job = Job::new("downstream");
    let sdk = job.workspace().join("sdk/typescript");
    std::fs::create_dir_all(&sdk).unwrap();
    std::fs::write(
        sdk.join("package.json"),
        format!("{{\n  \"name\": \"@acme/pets\",\n  \"version\": \"{version}\"\n}}\n"),
    )
    .unwrap();
    if !repositories.is_empty() {
        job.input("repositories", &repositories.join(","));
    }
    job.input("github_token", TOKEN)
        .input("waves", "1,10,50,100")
        .input("bake_time", "1h")
        .env("GITHUB_API_URL", &github.url())
        .env("GITHUB_REPOSITORY", SOURCE)
        .env("GITHUB_REF_NAME", "main")
        .env("SOURCE_DATE_EPOCH", &now.to_string());
    job
}

/// A run at `now` with `rollout_action: action`, in two waves (`50,100`)
/// with no bake time, and the consumers from `specrelay.yaml` when `config`
/// is given (else from input `repositories`).
fn staged(
    github: &FakeGitHub,
    repos: &[String],
    config: Option<&str>,
    now: i64,
    action: &str,
) -> Job {
    let mut j = job(github, repos, "2.0.0", now);
    if let Some(config) = config {
        std::fs::write(j.workspace().join("specrelay.yaml"), config).unwrap();
    }
    j.input("waves", "50,100")
        .input("bake_time", "0s")
        .input("rollout_action", action);
    j
}

fn state(github: &FakeGitHub, path: &str) -> Value {
    let bytes = github
        .file(SOURCE, "main", path)
        .unwrap_or_else(|| panic!("no {path} in {SOURCE}"));
    serde_json::from_slice(&bytes).unwrap()
}

/// `(repo, pull number)` of every consumer of wave `index` that has one.
fn wave_pulls(state: &Value, index: usize) -> Vec<(String, u64)> {
    state["waves"][index]["repos"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            Some((
                r["repo"].as_str()?.to_owned(),
                r["pull"]["number"].as_u64()?,
            ))
        })
        .collect()
}

fn wave_size(state: &Value, index: usize) -> usize {
    state["waves"][index]["repos"].as_array().unwrap().len()
}

fn open_pulls(github: &FakeGitHub, repo: &str) -> usize {
    github
        .pulls(repo)
        .iter()
        .filter(|p| p.state == "open")
        .count()
}

fn green(github: &FakeGitHub, pulls: &[(String, u64)]) {
    for (repo, number) in pulls {
        github.set_check(repo, *number, "build", Some("success"));
    }
}

fn rollout_status(run: &Run) -> String {
    let states: Value = serde_json::from_str(run.output("rollout_state")).unwrap();
    states[0]["status"].as_str().unwrap().to_owned()
}

#[test]
fn twenty_consumers_in_four_waves_advance_as_checks_turn_green() {
    let github = FakeGitHub::start();
    source(&github);
    let repos = consumers(&github, 20);

    let run = job(&github, &repos, "2.0.0", T0).run();
    run.expect_code(0);
    assert_eq!(run.output("wave"), "1");
    assert_eq!(run.output("opened"), "1");
    let s = state(&github, STATE);
    assert_eq!(
        (0..4).map(|w| wave_size(&s, w)).collect::<Vec<_>>(),
        [1, 1, 8, 10]
    );
    let first = wave_pulls(&s, 0);
    assert_eq!(first.len(), 1);
    assert_eq!(open_pulls(&github, &first[0].0), 1);
    // The waves and the pull requests this run opened, as Mermaid parses them.
    let diagrams = run.summary.matches("```mermaid\n").count();
    assert_eq!(diagrams, 2, "waves and pull requests:\n{}", run.summary);
    crate::support::mermaid::assert_diagrams_parse("rollout summary", &run.summary, diagrams);

    // Checks still running: the next run waits and opens nothing.
    github.set_check(&first[0].0, first[0].1, "build", None);
    let run = job(&github, &repos, "2.0.0", T0 + 60).run();
    run.expect_code(0);
    assert_eq!(run.output("opened"), "0");
    assert_eq!(wave_pulls(&state(&github, STATE), 1).len(), 0);

    // Green, but a wave bakes for an hour before the next one opens.
    let mut now = T0 + 120;
    green(&github, &first);
    job(&github, &repos, "2.0.0", now).run().expect_code(0);
    assert_eq!(
        wave_pulls(&state(&github, STATE), 1).len(),
        0,
        "still baking"
    );
    for wave in 1..4 {
        now += HOUR + 1;
        let run = job(&github, &repos, "2.0.0", now).run();
        run.expect_code(0);
        assert_eq!(run.output("wave"), (wave + 1).to_string());
        let s = state(&github, STATE);
        let pulls = wave_pulls(&s, wave);
        assert_eq!(
            pulls.len(),
            wave_size(&s, wave),
            "wave {} fully opened",
            wave + 1
        );
        green(&github, &pulls);
        now += 60;
        job(&github, &repos, "2.0.0", now).run().expect_code(0);
    }
    now += HOUR + 1;
    let run = job(&github, &repos, "2.0.0", now).run();
    run.expect_code(0);
    assert_eq!(rollout_status(&run), "completed");
    let known: Value = serde_json::from_slice(
        &github
            .file(SOURCE, "main", "openapi/known-good.json")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(known["packages"]["@acme/pets"]["version"], "2.0.0");
    for repo in &repos {
        assert_eq!(open_pulls(&github, repo), 1, "{repo}: one pull request");
    }
    // A completed rollout is left alone: no new commit on the source.
    let commits = github.history(SOURCE, "main").len();
    job(&github, &repos, "2.0.0", now + HOUR)
        .run()
        .expect_code(0);
    assert_eq!(github.history(SOURCE, "main").len(), commits);
}

#[test]
fn a_red_check_halts_with_labels_and_one_issue_then_resume_and_abort() {
    let github = FakeGitHub::start();
    source(&github);
    let repos = consumers(&github, 4);
    let run_at = |now: i64, action: &str| staged(&github, &repos, None, now, action).run();
    run_at(T0, "advance").expect_code(0);
    let first = wave_pulls(&state(&github, STATE), 0);
    assert_eq!(first.len(), 2);
    github.set_check(&first[0].0, first[0].1, "build", Some("success"));
    github.set_check(&first[1].0, first[1].1, "build", Some("failure"));

    let run = run_at(T0 + 60, "advance");
    run.expect_code(0);
    assert_eq!(rollout_status(&run), "halted");
    assert!(
        run.output("halted_reason").contains("1 of 2"),
        "{}",
        run.output("halted_reason")
    );
    let failing = github
        .pulls(&first[1].0)
        .into_iter()
        .find(|p| p.number == first[1].1)
        .unwrap();
    assert!(
        failing
            .labels
            .contains(&"specrelay-rollout-failed".to_owned())
    );
    let healthy = github
        .pulls(&first[0].0)
        .into_iter()
        .find(|p| p.number == first[0].1)
        .unwrap();
    assert!(
        !healthy
            .labels
            .contains(&"specrelay-rollout-failed".to_owned())
    );
    let issues = github.issues(SOURCE);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(issues[0].body.contains(&first[1].0));

    // A scheduled run while halted changes nothing and opens no second issue.
    run_at(T0 + 120, "advance").expect_code(0);
    assert_eq!(github.issues(SOURCE).len(), 1);
    assert_eq!(wave_pulls(&state(&github, STATE), 1).len(), 0);

    // Fixed; resume re-checks the gate and opens the next wave.
    github.set_check(&first[1].0, first[1].1, "build", Some("success"));
    let run = run_at(T0 + 180, "resume");
    run.expect_code(0);
    assert_eq!(rollout_status(&run), "active");
    let second = wave_pulls(&state(&github, STATE), 1);
    assert_eq!(second.len(), 2);

    let run = run_at(T0 + 240, "abort");
    run.expect_code(0);
    assert_eq!(rollout_status(&run), "aborted");
    for (repo, number) in first.iter().chain(&second) {
        let pull = github
            .pulls(repo)
            .into_iter()
            .find(|p| p.number == *number)
            .unwrap();
        assert_eq!(pull.state, "closed", "{repo}#{number}");
        assert!(
            github
                .comments(repo, *number)
                .iter()
                .any(|c| c.body.contains("aborted"))
        );
    }
}

#[test]
fn pause_holds_the_rollout_until_resume() {
    let github = FakeGitHub::start();
    source(&github);
    let repos = consumers(&github, 2);
    let run_at = |now: i64, action: &str| staged(&github, &repos, None, now, action).run();
    run_at(T0, "advance").expect_code(0);
    green(&github, &wave_pulls(&state(&github, STATE), 0));
    assert_eq!(rollout_status(&run_at(T0 + 10, "pause")), "paused");
    let run = run_at(T0 + 20, "advance");
    assert_eq!(rollout_status(&run), "paused");
    assert_eq!(wave_pulls(&state(&github, STATE), 1).len(), 0);
    let run = run_at(T0 + 30, "resume");
    assert_eq!(run.output("wave"), "2");
    assert_eq!(wave_pulls(&state(&github, STATE), 1).len(), 1);
}

#[test]
fn approval_required_waits_for_a_review_and_a_pinned_consumer_is_left_out() {
    let github = FakeGitHub::start();
    source(&github);
    consumers(&github, 3);
    let config = "downstream:\n  repositories:\n    - acme/c00\n    - repo: acme/c01\n      approval: required\n    - repo: acme/c02\n      pinned: \"^1\"\n";
    let run_at = |now: i64| staged(&github, &[], Some(config), now, "advance").run();
    run_at(T0).expect_code(0);
    let s = state(&github, STATE);
    assert_eq!(s["pinned"][0]["repo"], "acme/c02");
    assert_eq!(wave_pulls(&s, 0), [("acme/c00".to_owned(), 1)]);
    green(&github, &wave_pulls(&s, 0));
    run_at(T0 + 10).expect_code(0);
    let last = wave_pulls(&state(&github, STATE), 1);
    assert_eq!(last.len(), 1);
    assert_eq!(
        last[0].0, "acme/c01",
        "the approval consumer gets the last wave"
    );
    green(&github, &last);
    let run = run_at(T0 + 20);
    assert_eq!(
        rollout_status(&run),
        "active",
        "waits for the approving review"
    );
    github.approve("acme/c01", last[0].1, "carol");
    let run = run_at(T0 + 30);
    assert_eq!(rollout_status(&run), "completed");
    assert_eq!(open_pulls(&github, "acme/c02"), 0, "pinned: never bumped");
}

#[test]
fn a_newer_release_supersedes_an_unfinished_rollout() {
    let github = FakeGitHub::start();
    source(&github);
    let repos = consumers(&github, 4);
    job(&github, &repos, "2.0.0", T0).run().expect_code(0);
    let run = job(&github, &repos, "2.1.0", T0 + 60).run();
    run.expect_code(0);
    assert_eq!(state(&github, STATE)["status"], "superseded");
    assert_eq!(state(&github, STATE)["superseded_by"], "2.1.0");
    let newer = state(&github, "openapi/rollouts/acme-pets-2.1.0.json");
    assert_eq!(newer["status"], "active");
    // The consumer's one pull request now carries the newer version.
    let (repo, _) = &wave_pulls(&newer, 0)[0];
    assert_eq!(open_pulls(&github, repo), 1);
}

#[test]
fn concurrent_runs_do_not_double_open_a_wave() {
    let github = FakeGitHub::start();
    source(&github);
    let repos = consumers(&github, 6);
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| job(&github, &repos, "2.0.0", T0).run()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in &runs {
        run.expect_code(0);
    }
    let s = state(&github, STATE);
    assert_eq!(wave_pulls(&s, 0).len(), 1);
    assert_eq!(
        wave_pulls(&s, 1).len(),
        0,
        "the second run did not open wave 2"
    );
    let opened: usize = repos.iter().map(|r| open_pulls(&github, r)).sum();
    assert_eq!(opened, 1);
    let claims = github
        .history(SOURCE, "main")
        .iter()
        .filter(|c| c.message.contains("open wave 1"))
        .count();
    assert_eq!(claims, 1, "one claim commit");
}

#[test]
fn four_shards_land_every_pull_request_of_a_wave_exactly_once() {
    let github = FakeGitHub::start();
    source(&github);
    let repos = consumers(&github, 12);
    let mut plan = job(&github, &repos, "2.0.0", T0);
    plan.input("waves", "100").input("plan_only", "true");
    let run = plan.run();
    run.expect_code(0);
    assert_eq!(run.output("opened"), "0");
    let matrix: Value = serde_json::from_str(run.output("matrix")).unwrap();
    assert_eq!(matrix["shard"][0], "1/1");
    assert_eq!(
        repos.iter().map(|r| open_pulls(&github, r)).sum::<usize>(),
        0
    );

    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..=4)
            .map(|k| {
                let github = &github;
                let repos = &repos;
                scope.spawn(move || {
                    let mut shard = job(github, repos, "2.0.0", T0 + 10);
                    shard
                        .input("waves", "100")
                        .input("shard", &format!("{k}/4"));
                    shard.run()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut opened = 0;
    for run in &runs {
        run.expect_code(0);
        opened += run.output("opened").parse::<usize>().unwrap();
    }
    assert_eq!(opened, 12);
    for repo in &repos {
        assert_eq!(open_pulls(&github, repo), 1, "{repo}");
    }
    assert_eq!(wave_pulls(&state(&github, STATE), 0).len(), 12);
}

#[test]
fn a_merged_consumer_gets_its_sweeps_and_rollback_closes_what_is_open() {
    let github = FakeGitHub::start();
    source(&github);
    consumers(&github, 2);
    known_good(&github, "1.4.0");
    let config = "downstream:\n  repositories:\n    - repo: acme/c00\n      sweep_workflows: [e2e.yml]\n    - acme/c01\n";
    let run_at = |now: i64, action: &str| staged(&github, &[], Some(config), now, action).run();
    run_at(T0, "advance").expect_code(0);
    let first = wave_pulls(&state(&github, STATE), 0);
    green(&github, &first);
    github.merge(&first[0].0, first[0].1);
    run_at(T0 + 10, "advance").expect_code(0);
    let runs = github.workflow_runs("acme/c00");
    assert_eq!(runs.len(), 1, "the sweep was dispatched once");
    let second = wave_pulls(&state(&github, STATE), 1);
    github.set_check(&second[0].0, second[0].1, "build", None);
    github.finish_workflow_runs("acme/c00", "success");
    run_at(T0 + 20, "advance").expect_code(0);
    let s = state(&github, STATE);
    assert_eq!(
        s["waves"][0]["repos"][0]["sweeps"][0]["conclusion"],
        "success"
    );
    assert_eq!(
        github.workflow_runs("acme/c00").len(),
        1,
        "not dispatched again"
    );

    let run = run_at(T0 + 30, "rollback");
    run.expect_code(0);
    assert_eq!(rollout_status(&run), "rolled_back");
    let pull = github
        .pulls(&second[0].0)
        .into_iter()
        .find(|p| p.number == second[0].1)
        .unwrap();
    assert_eq!(pull.state, "closed");
}

#[test]
fn a_red_wave_after_a_merged_one_rolls_merged_consumers_back_to_the_known_good_version() {
    let github = FakeGitHub::start();
    source(&github);
    known_good(&github, "1.4.0");
    let repos = consumers(&github, 4);
    let run_at = |now: i64| {
        let mut j = staged(&github, &repos, None, now, "advance");
        j.input("auto_rollback", "true");
        j.run()
    };
    run_at(T0).expect_code(0);
    let first = wave_pulls(&state(&github, STATE), 0);
    assert_eq!(first.len(), 2);
    green(&github, &first);
    run_at(T0 + 10).expect_code(0);
    let second = wave_pulls(&state(&github, STATE), 1);
    assert_eq!(second.len(), 2);
    // The first wave merges after its gate passed: only a rollback reads it again.
    for (repo, number) in &first {
        github.merge(repo, *number);
        let merged = github.file(repo, "main", "package.json").unwrap();
        assert!(String::from_utf8(merged).unwrap().contains("\"^2.0.0\""));
    }
    github.set_check(&second[0].0, second[0].1, "build", Some("success"));
    github.set_check(&second[1].0, second[1].1, "build", Some("failure"));

    // A dry run lists the rollback and changes nothing.
    let commits = github.history(SOURCE, "main").len();
    let mut dry = staged(&github, &repos, None, T0 + 20, "advance");
    dry.input("auto_rollback", "true").input("dry_run", "true");
    let dry = dry.run();
    dry.expect_code(0);
    for (repo, _) in &first {
        let line =
            format!("would create a pull request in {repo} rolling back @acme/pets to 1.4.0");
        assert!(dry.stderr.contains(&line), "{}", dry.stderr);
        assert_eq!(open_pulls(&github, repo), 0);
    }
    assert_eq!(github.history(SOURCE, "main").len(), commits);

    let run = run_at(T0 + 20);
    run.expect_code(0);
    assert_eq!(rollout_status(&run), "rolled_back");
    let s = state(&github, STATE);
    let recorded = s["rollback_pulls"].as_array().unwrap();
    assert_eq!(recorded.len(), 2, "{s}");
    for (repo, _) in &first {
        let rollback: Vec<_> = github
            .pulls(repo)
            .into_iter()
            .filter(|p| p.state == "open")
            .collect();
        assert_eq!(rollback.len(), 1, "{repo}: one rollback pull request");
        assert_eq!(rollback[0].title, "Roll @acme/pets back to 1.4.0");
        assert!(
            rollback[0].body.contains("back to **1.4.0**"),
            "{}",
            rollback[0].body
        );
        let manifest = github
            .file(repo, &rollback[0].head, "package.json")
            .unwrap();
        // Back to the bytes it had before the rollout: `^1.4.0`, nothing else.
        assert_eq!(
            String::from_utf8(manifest).unwrap(),
            String::from_utf8_lossy(CONSUMER_PACKAGE_JSON),
            "{repo}"
        );
        assert!(
            recorded
                .iter()
                .any(|r| r["repo"] == repo.as_str() && r["number"] == rollback[0].number)
        );
    }
    for (repo, number) in &second {
        let closed = pull(&github, repo, *number);
        assert_eq!(closed.state, "closed", "{repo}#{number}");
        assert!(
            github.comments(repo, *number).iter().any(|c| c
                .body
                .contains("rolled back to the known-good version 1.4.0")),
            "{repo}#{number}"
        );
        assert_eq!(
            open_pulls(&github, repo),
            0,
            "{repo}: not merged, nothing to roll back"
        );
    }

    // The rollout has ended: a later run opens nothing more.
    let commits = github.history(SOURCE, "main").len();
    run_at(T0 + 30).expect_code(0);
    assert_eq!(github.history(SOURCE, "main").len(), commits);
    for (repo, _) in &first {
        assert_eq!(open_pulls(&github, repo), 1);
    }
}

#[test]
fn shards_back_off_on_secondary_rate_limits_and_still_land_every_pull_request_once() {
    let github = FakeGitHub::start();
    source(&github);
    let repos = consumers(&github, 6);
    let mut plan = job(&github, &repos, "2.0.0", T0);
    plan.input("waves", "100").input("plan_only", "true");
    plan.run().expect_code(0);
    // Content creation is what GitHub's secondary limits throttle: pull
    // requests, blobs, commits (POST), and the state's ref update (PATCH).
    github.inject(
        Fault::SecondaryRateLimit { retry_after: 1 },
        3,
        None,
        Some("POST"),
    );
    github.inject(
        Fault::TooManyRequests { retry_after: 1 },
        1,
        Some(SOURCE),
        Some("PATCH"),
    );
    let started = std::time::Instant::now();
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..=2)
            .map(|k| {
                let (github, repos) = (&github, &repos);
                scope.spawn(move || {
                    let mut shard = job(github, repos, "2.0.0", T0 + 10);
                    shard
                        .input("waves", "100")
                        .input("shard", &format!("{k}/2"));
                    shard.run()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in &runs {
        run.expect_code(0);
    }
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "retry-after was honoured"
    );
    assert!(
        runs.iter()
            .any(|r| r.stderr.contains("secondary rate limit")),
        "a shard met the secondary rate limit"
    );
    for repo in &repos {
        assert_eq!(open_pulls(&github, repo), 1, "{repo}");
    }
    assert_eq!(wave_pulls(&state(&github, STATE), 0).len(), 6);
}

#[test]
fn the_lag_report_places_every_consumer_and_changes_nothing() {
    let github = FakeGitHub::start();
    source(&github);
    known_good(&github, "1.4.0");
    let pinning = |repo: &str, spec: &str| {
        let manifest = format!("{{\"dependencies\": {{\"@acme/pets\": \"{spec}\"}}}}\n");
        github.create_repo(repo, "main", &[("package.json", manifest.as_bytes())]);
    };
    pinning("acme/latest", "^2.0.0");
    pinning("acme/rolling", "^1.9.0");
    pinning("acme/good", "^1.4.0");
    pinning("acme/old", "~1.0.0");
    pinning("acme/git", "github:acme/pets#v2");
    github.create_repo(
        "acme/other",
        "main",
        &[(
            "package.json",
            b"{\"dependencies\": {\"left-pad\": \"^1.0.0\"}}\n",
        )],
    );
    let repos: Vec<String> = [
        "acme/latest",
        "acme/rolling",
        "acme/good",
        "acme/old",
        "acme/git",
        "acme/other",
        "acme/missing",
    ]
    .map(str::to_owned)
    .to_vec();
    let commits = github.history(SOURCE, "main").len();
    let mut report = job(&github, &repos, "2.0.0", T0);
    report.input("waves", "").input("rollout_action", "report");
    let run = report.run();
    run.expect_code(0);

    let lag: Value = serde_json::from_str(run.output("lag_report")).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(run.stdout.trim()).unwrap(),
        lag,
        "the same document on stdout"
    );
    let pets = &lag[0];
    assert_eq!(pets["package"], "@acme/pets");
    assert_eq!(pets["latest"], "2.0.0");
    assert_eq!(pets["known_good"], "1.4.0");
    let placed: Vec<(String, String)> = pets["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["repo"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("acme/latest", "latest"),
        ("acme/rolling", "rolling"),
        ("acme/good", "known_good"),
        ("acme/old", "behind"),
        ("acme/git", "unknown"),
        ("acme/other", "not_a_dependency"),
        ("acme/missing", "unreadable"),
    ];
    assert_eq!(
        placed,
        expected.map(|(r, s)| (r.to_owned(), s.to_owned())).to_vec()
    );
    assert_eq!(pets["consumers"][3]["pins"][0]["requirement"], "~1.0.0");
    assert_eq!(pets["counts"]["behind"], 1);
    assert!(
        run.summary
            .contains("| acme/old | behind | `~1.0.0` (package.json) |"),
        "{}",
        run.summary
    );

    // Read only: no commit, no pull request, and each repository read once.
    assert_eq!(github.history(SOURCE, "main").len(), commits);
    for repo in &repos {
        if repo != "acme/missing" {
            assert_eq!(github.pulls(repo).len(), 0, "{repo}");
        }
        let reads = github
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == format!("/repos/{repo}"))
            .count();
        assert_eq!(reads, 1, "{repo}: its repository read once");
    }
    assert!(
        github.requests().iter().all(|r| r.method == "GET"),
        "nothing but reads"
    );
}
