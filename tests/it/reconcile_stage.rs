//! `reconcile` end to end against service test servers on 127.0.0.1
//! (healthy, 500, hanging past the timeout, flapping, another version,
//! overlapping routes, MCP `tools/list`), with both registry backends: the
//! report, the outputs, the statuses recorded, the issue's life on the fake
//! GitHub, shards and their merge, and registries that answer badly.

use crate::support::fake_github::{FakeGitHub, TOKEN};
use crate::support::http_server::TestServer;
use crate::support::runner::{Job, Run};
use crate::support::service_registry::{self, Mode, RegistryServer, services};
use serde_json::{Value, json};

/// A catalog entry for a service server.
fn entry(name: &str, server: &TestServer, version: &str, routes: &[&str]) -> Value {
    json!({
        "name": name,
        "version": version,
        "endpoints": {"health": server.url("/health")},
        "routes": routes,
        "status": "active",
    })
}

/// Every kind of service, and what each should come to.
struct Fleet {
    servers: Vec<TestServer>,
    entries: Vec<Value>,
}

fn fleet() -> Fleet {
    let ok = services::healthy("1.0.0");
    let down = services::failing();
    let hang = services::hanging();
    let flap = services::flapping("1.0.0");
    let drift = services::healthy("2.0.0");
    let api = services::healthy("1.0.0");
    let orders = services::healthy("1.0.0");
    let mcp = services::mcp("1.0.0", 3);
    let mut mcp_entry = entry("tools", &mcp, "1.0.0", &["/tools"]);
    mcp_entry["endpoints"]["mcp"] = json!(mcp.url("/mcp"));
    let entries = vec![
        entry("ok", &ok, "1.0.0", &["/ok"]),
        entry("down", &down, "1.0.0", &["/down"]),
        entry("hang", &hang, "1.0.0", &["/hang"]),
        entry("flap", &flap, "1.0.0", &["/flap"]),
        entry("drift", &drift, "1.0.0", &["/drift"]),
        entry("api", &api, "1.0.0", &["/api"]),
        entry("orders", &orders, "1.0.0", &["/api/orders"]),
        mcp_entry,
    ];
    Fleet {
        servers: vec![ok, down, hang, flap, drift, api, orders, mcp],
        entries,
    }
}

fn write_catalog(job: &Job, entries: &[Value]) {
    let dir = job.workspace().join("registry");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("services.json"),
        serde_json::to_vec_pretty(&json!({"services": entries})).unwrap(),
    )
    .unwrap();
}

fn reconcile_job() -> Job {
    let mut job = Job::new("reconcile");
    job.input("check_timeout", "1")
        .input("concurrency", "4")
        .input("issue_repository", "none")
        .env("GITHUB_REPOSITORY", "acme/ops")
        .env("GITHUB_RUN_ID", "9");
    job
}

fn counts(run: &Run) -> [&str; 4] {
    [
        run.output("healthy_count"),
        run.output("unhealthy_count"),
        run.output("drift_count"),
        run.output("conflict_count"),
    ]
}

fn statuses(catalog: &Value) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = catalog["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().into(),
                s["status"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    list.sort();
    list
}

fn expected_statuses() -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = [
        ("ok", "active"),
        ("down", "inactive"),
        ("hang", "inactive"),
        ("flap", "active"),
        ("drift", "degraded"),
        ("api", "active"),
        ("orders", "active"),
        ("tools", "active"),
    ]
    .iter()
    .map(|(a, b)| ((*a).into(), (*b).into()))
    .collect();
    list.sort();
    list
}

fn report(job: &Job) -> Value {
    serde_json::from_str(&job.read("reconcile-report.json")).unwrap()
}

fn service<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in the report"))
}

#[test]
fn a_file_registry_is_checked_recorded_and_the_issue_lives_and_closes() {
    let fleet = fleet();
    let github = FakeGitHub::start();
    github.create_repo("acme/ops", "main", &[("README.md", b"ops\n")]);
    let mut job = reconcile_job();
    job.remove_input("issue_repository")
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url());
    write_catalog(&job, &fleet.entries);

    let first = job.run();
    first.expect_code(0);
    assert_eq!(counts(&first), ["6", "2", "1", "1"]);
    let catalog: Value = serde_json::from_str(&job.read("registry/services.json")).unwrap();
    assert_eq!(statuses(&catalog), expected_statuses());
    let errors = service_registry::validate(&service_registry::contract(), "ServiceList", &catalog);
    assert!(errors.is_empty(), "{errors:?}");
    let r = report(&job);
    assert_eq!(service(&r, "flap")["health"], "flapping");
    assert_eq!(service(&r, "hang")["health"], "unhealthy");
    assert!(
        service(&r, "hang")["detail"]
            .as_str()
            .unwrap()
            .contains("no answer within 1s")
    );
    assert_eq!(service(&r, "drift")["reported_version"], "2.0.0");
    assert_eq!(service(&r, "tools")["mcp_tools"], 3);
    assert_eq!(r["conflicts"][0]["a"], "api");
    assert_eq!(r["conflicts"][0]["b"], "orders");
    // The hanging service got exactly its two attempts, the flapping one its retry.
    assert_eq!(fleet.servers[2].hits("/health"), 2);
    assert_eq!(fleet.servers[3].hits("/health"), 2);
    let mcp_call = fleet.servers[7]
        .requests()
        .into_iter()
        .find(|r| r.path == "/mcp")
        .unwrap();
    let rpc: Value = serde_json::from_slice(&mcp_call.body).unwrap();
    assert_eq!(
        (rpc["jsonrpc"].as_str(), rpc["method"].as_str()),
        (Some("2.0"), Some("tools/list"))
    );
    assert!(first.summary.contains("```mermaid") && first.summary.contains("| `down` |"));

    let issues = github.issues("acme/ops");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].state, "open");
    assert!(issues[0].body.contains("<!-- specrelay:reconcile -->"));
    let url = first.output("issue_url").to_owned();
    assert_eq!(
        url,
        format!("https://github.com/acme/ops/issues/{}", issues[0].number)
    );

    // Still wrong, differently (the flap has settled): the same issue, edited.
    let second = job.run();
    second.expect_code(0);
    assert_eq!(second.output("issue_url"), url);
    let issues = github.issues("acme/ops");
    assert_eq!(issues.len(), 1, "never duplicated");
    assert!(issues[0].body.contains("| `down` |"));
    let patches = github
        .requests()
        .iter()
        .filter(|r| {
            r.method == "PATCH" && r.path.ends_with(&format!("/issues/{}", issues[0].number))
        })
        .count();
    assert_eq!(patches, 1, "edited in place once");

    // fail_on_problems turns the same findings into exit 1.
    job.input("fail_on_problems", "true").run().expect_code(1);
    job.remove_input("fail_on_problems");

    // All well again: closed with a comment.
    write_catalog(&job, &fleet.entries[..1]);
    let third = job.run();
    third.expect_code(0);
    assert_eq!(counts(&third), ["1", "0", "0", "0"]);
    let issues = github.issues("acme/ops");
    assert_eq!((issues.len(), issues[0].state.as_str()), (1, "closed"));
    assert_eq!(issues[0].state_reason.as_deref(), Some("completed"));
    let comments = github.comments("acme/ops", issues[0].number);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.contains("healthy again"));
}

#[test]
fn an_http_registry_gets_the_same_checks_and_its_statuses_patched() {
    let fleet = fleet();
    let registry = RegistryServer::start(Some("reg-token-abcdef"));
    registry.seed(&fleet.entries);
    let github = FakeGitHub::start();
    github.create_repo("acme/ops", "main", &[("README.md", b"ops\n")]);
    let mut job = reconcile_job();
    job.input("registry", "http")
        .input("registry_url", &registry.url())
        .input("registry_token", "reg-token-abcdef")
        .input("issue_repository", "acme/ops")
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url());
    let run = job.run();
    run.expect_code(0);
    let issues = github.issues("acme/ops");
    assert_eq!((issues.len(), issues[0].state.as_str()), (1, "open"));
    assert_eq!(
        run.output("issue_url"),
        format!("https://github.com/acme/ops/issues/{}", issues[0].number)
    );
    assert_eq!(counts(&run), ["6", "2", "1", "1"]);
    let stored: Vec<Value> = [
        "ok", "down", "hang", "flap", "drift", "api", "orders", "tools",
    ]
    .iter()
    .map(|n| registry.service(n).unwrap())
    .collect();
    assert_eq!(statuses(&json!({"services": stored})), expected_statuses());
    assert_eq!(registry.violations(), Vec::<String>::new());
    // Only changed statuses are sent: ok, flap, api, orders, tools were active already.
    let patches = registry
        .server
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count();
    assert_eq!(patches, 3);

    // update_status: false records nothing.
    let quiet = RegistryServer::start(None);
    quiet.seed(&fleet.entries);
    let mut job = reconcile_job();
    job.input("registry", "http")
        .input("registry_url", &quiet.url())
        .input("update_status", "false");
    job.run().expect_code(0);
    assert_eq!(
        quiet
            .server
            .requests()
            .iter()
            .filter(|r| r.method == "PATCH")
            .count(),
        0
    );
}

#[test]
fn shards_cover_every_service_once_and_merge_into_one_report() {
    let fleet = fleet();
    let mut shard_reports = Vec::new();
    for k in 1..=3 {
        let mut job = reconcile_job();
        job.input("shard", &format!("{k}/3"))
            .input("update_status", "false")
            .input("report_path", &format!("reports/shard-{k}.json"));
        write_catalog(&job, &fleet.entries);
        job.run().expect_code(0);
        shard_reports.push(job.read(&format!("reports/shard-{k}.json")));
    }
    let mut names: Vec<String> = shard_reports
        .iter()
        .flat_map(|text| {
            let r: Value = serde_json::from_str(text).unwrap();
            r["services"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "api", "down", "drift", "flap", "hang", "ok", "orders", "tools"
        ]
    );

    let merge = {
        let mut job = reconcile_job();
        job.input("merge_reports", "reports/shard-*.json");
        std::fs::create_dir_all(job.workspace().join("reports")).unwrap();
        for (k, text) in shard_reports.iter().enumerate() {
            std::fs::write(
                job.workspace()
                    .join(format!("reports/shard-{}.json", k + 1)),
                text,
            )
            .unwrap();
        }
        job
    };
    let run = merge.run();
    run.expect_code(0);
    assert_eq!(counts(&run), ["6", "2", "1", "1"]);
    assert_eq!(report(&merge)["services"].as_array().unwrap().len(), 8);

    // The same report twice is an overlap, named.
    std::fs::write(
        merge.workspace().join("reports/shard-9.json"),
        &shard_reports[0],
    )
    .unwrap();
    let run = merge.run();
    run.expect_code(1);
    run.expect_stderr("is in two reports");
}

/// A reconcile run that must fail with `needle` in its log and write nothing.
fn fails_cleanly(job: &Job, code: i32, needle: &str) {
    let before = job.snapshot();
    let run = job.run();
    run.expect_code(code);
    run.expect_stderr(needle);
    assert_eq!(job.snapshot(), before, "nothing written");
}

#[test]
fn bad_catalogs_and_bad_registries_are_clear_errors_and_write_nothing() {
    let ok = services::healthy("1.0.0");
    let job = reconcile_job();
    write_catalog(
        &job,
        &[
            entry("ok", &ok, "1.0.0", &[]),
            entry("ok", &ok, "2.0.0", &[]),
        ],
    );
    fails_cleanly(&job, 1, "service \"ok\" appears 2 times");

    let mut unknown = entry("ok", &ok, "1.0.0", &[]);
    unknown["helth"] = json!("x");
    write_catalog(&job, &[unknown]);
    fails_cleanly(&job, 1, "unknown field `helth`");

    let registry = RegistryServer::start(None);
    let mut job = reconcile_job();
    job.input("registry", "http")
        .input("registry_url", &registry.url());
    registry.set_mode(Mode::Garbage);
    fails_cleanly(&job, 1, "not a service catalog");
    registry.set_mode(Mode::Huge);
    fails_cleanly(&job, 1, "larger than max_registry_bytes");
    registry.set_mode(Mode::Down);
    fails_cleanly(&job, 3, "HTTP 500");
}

#[test]
fn a_file_registry_in_another_repository_gets_its_statuses_committed() {
    let ok = services::healthy("1.0.0");
    let down = services::failing();
    let github = FakeGitHub::start();
    let catalog = json!({"services": [entry("ok", &ok, "1.0.0", &["/ok"]), entry("down", &down, "1.0.0", &["/down"])]});
    let bytes = serde_json::to_vec_pretty(&catalog).unwrap();
    github.create_repo(
        "acme/registry",
        "main",
        &[("registry/services.json", &bytes)],
    );
    let mut job = reconcile_job();
    job.input("registry_repository", "acme/registry")
        .input("github_token", TOKEN)
        .env("GITHUB_API_URL", &github.url());
    let run = job.run();
    run.expect_code(0);
    assert_eq!(counts(&run), ["1", "1", "0", "0"]);
    let committed = github
        .file("acme/registry", "main", "registry/services.json")
        .unwrap();
    let committed: Value = serde_json::from_slice(&committed).unwrap();
    assert_eq!(
        statuses(&committed),
        [
            ("down".to_owned(), "inactive".to_owned()),
            ("ok".to_owned(), "active".to_owned())
        ]
    );
    assert_eq!(
        github.history("acme/registry", "main").len(),
        2,
        "one commit for every status"
    );
    assert!(
        !job.exists("registry/services.json"),
        "the workspace is not the registry"
    );
}
