//! `downstream` with `waves` against the fake GitHub: a staged rollout that
//! advances across repeated runs as check runs turn green, halts on a red
//! one (labels, one issue), pauses, resumes and aborts, waits for an
//! approval, skips a pinned consumer, is superseded by a newer release,
//! is not double-opened by concurrent runs, and lands every pull request of
//! a wave exactly once across four shards. Time moves through
//! `SOURCE_DATE_EPOCH`, so `bake_time` is tested without sleeping.

use crate::support::fake_github::{FakeGitHub, TOKEN};
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
    assert!(run.summary.contains("```mermaid"), "{}", run.summary);

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
    let run_at = |now: i64, action: &str| {
        let mut j = job(&github, &repos, "2.0.0", now);
        j.input("waves", "50,100")
            .input("bake_time", "0s")
            .input("rollout_action", action);
        j.run()
    };
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
    let run_at = |now: i64, action: &str| {
        let mut j = job(&github, &repos, "2.0.0", now);
        j.input("waves", "50,100")
            .input("bake_time", "0s")
            .input("rollout_action", action);
        j.run()
    };
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
    let run_at = |now: i64| {
        let mut j = job(&github, &[], "2.0.0", now);
        std::fs::write(j.workspace().join("specrelay.yaml"), config).unwrap();
        j.input("waves", "50,100").input("bake_time", "0s");
        j.run()
    };
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
    github.push_human_commit(
        SOURCE,
        "main",
        &[(
            "openapi/known-good.json",
            b"{\"packages\":{\"@acme/pets\":{\"version\":\"1.4.0\",\"recorded_at\":\"t\"}}}\n",
        )],
    );
    let config = "downstream:\n  repositories:\n    - repo: acme/c00\n      sweep_workflows: [e2e.yml]\n    - acme/c01\n";
    let run_at = |now: i64, action: &str| {
        let mut j = job(&github, &[], "2.0.0", now);
        std::fs::write(j.workspace().join("specrelay.yaml"), config).unwrap();
        j.input("waves", "50,100")
            .input("bake_time", "0s")
            .input("rollout_action", action);
        j.run()
    };
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
