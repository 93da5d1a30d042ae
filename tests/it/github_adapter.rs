//! `adapters::github` in-process against the fake GitHub: the race that
//! `commit_to_branch` re-applies, and GitHub's refusals as the client sees
//! them (non-fast-forward, an existing pull request, bad credentials).

use crate::support::fake_github::{FakeGitHub, TOKEN};
use secrecy::SecretString;
use specrelay::adapters::github::commit::{Committed, commit_to_branch, is_not_fast_forward};
use specrelay::adapters::github::rest::{FileChange, RepoName};
use specrelay::adapters::github::{GitHub, RetryPolicy};

const REPO: &str = "acme/api";

fn client(github: &FakeGitHub, token: &str) -> GitHub {
    GitHub::new(
        &github.url(),
        &SecretString::from(token.to_owned()),
        RetryPolicy::default(),
    )
    .unwrap()
}

/// One runtime per test: the client spawns its connection pool's task on
/// the runtime it is built in.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_push_during_the_commit_is_kept_and_the_change_reapplied_on_top() {
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[("list.txt", b"first\n")]);
    let rt = runtime();
    let _entered = rt.enter();
    let client = client(&github, TOKEN);
    let repo = RepoName::parse(REPO).unwrap();
    let mut bases = Vec::new();
    let committed = rt
        .block_on(commit_to_branch(
            &client,
            &repo,
            "main",
            "append second",
            3,
            async |base| {
                bases.push(base.commit.clone());
                if bases.len() == 1 {
                    // Another run lands between our read and our ref update.
                    github.push_human_commit(REPO, "main", &[("list.txt", b"first\nother\n")]);
                }
                let mut list = base.read("list.txt").await?.unwrap_or_default();
                list.extend_from_slice(b"second\n");
                Ok(vec![FileChange {
                    path: "list.txt".into(),
                    contents: Some(list),
                }])
            },
        ))
        .unwrap();
    assert!(
        matches!(committed, Committed::Created { attempts: 2, .. }),
        "{committed:?}"
    );
    assert_eq!(bases.len(), 2);
    assert_ne!(
        bases[0], bases[1],
        "the second attempt starts from the new head"
    );
    assert_eq!(
        github.file(REPO, "main", "list.txt").unwrap(),
        b"first\nother\nsecond\n"
    );
    let history: Vec<String> = github
        .history(REPO, "main")
        .into_iter()
        .map(|c| c.message)
        .collect();
    assert_eq!(
        history,
        ["append second", "Fix the build by hand", "Initial commit"]
    );

    // The same change again: already there, so no commit.
    let again = rt
        .block_on(commit_to_branch(
            &client,
            &repo,
            "main",
            "again",
            3,
            async |_| {
                Ok(vec![FileChange {
                    path: "list.txt".into(),
                    contents: Some(b"first\nother\nsecond\n".to_vec()),
                }])
            },
        ))
        .unwrap();
    assert_eq!(again, Committed::Unchanged);
}

#[test]
fn githubs_refusals_reach_the_caller_with_their_status_and_message() {
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[("a", b"a")]);
    github.create_branch(REPO, "topic", "main");
    let old = github.history(REPO, "main")[0].clone();
    let new_head = github.push_human_commit(REPO, "main", &[("b", b"b")]);
    let rt = runtime();
    let _entered = rt.enter();
    let client = client(&github, TOKEN);
    let repo = RepoName::parse(REPO).unwrap();
    rt.block_on(async {
        // Moving `topic` forward to main's head is a fast forward...
        client
            .update_branch(&repo, "topic", &new_head, false)
            .await
            .unwrap();
        // ...moving main back to its parent is not, unless forced.
        let parent = client.commit(&repo, &new_head).await.unwrap().parents[0]
            .sha
            .clone();
        let refused = client
            .update_branch(&repo, "main", &parent, false)
            .await
            .unwrap_err();
        assert_eq!(refused.status(), Some(422));
        assert!(is_not_fast_forward(&refused), "{refused}");
        client
            .update_branch(&repo, "main", &parent, true)
            .await
            .unwrap();
        assert_eq!(
            client.branch_head(&repo, "main").await.unwrap(),
            Some(parent)
        );
        assert_eq!(client.branch_head(&repo, "nope").await.unwrap(), None);

        client
            .create_pull(&repo, "t", "b", "topic", "main")
            .await
            .unwrap();
        let duplicate = client
            .create_pull(&repo, "t", "b", "topic", "main")
            .await
            .unwrap_err();
        assert_eq!(duplicate.status(), Some(422));
        assert!(
            duplicate.to_string().contains("Validation Failed"),
            "{duplicate}"
        );
        assert_eq!(
            client.open_pulls(&repo, Some("topic")).await.unwrap().len(),
            1
        );
        assert_eq!(
            client.open_pulls(&repo, Some("other")).await.unwrap().len(),
            0
        );
    });
    assert_eq!(old.message, "Initial commit");

    let bad = client_with_bad_token(&github);
    let denied = rt.block_on(bad.repository(&repo)).unwrap_err();
    assert_eq!(denied.status(), Some(401));
    assert!(!denied.is_service_failure());
    let attempts = github
        .requests()
        .iter()
        .filter(|r| r.path == "/repos/acme/api" && r.method == "GET")
        .count();
    assert_eq!(attempts, 1, "a refusal is not retried");
}

fn client_with_bad_token(github: &FakeGitHub) -> GitHub {
    client(github, "wrong")
}

#[test]
fn lists_are_read_page_by_page() {
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[]);
    for n in 0..230 {
        let branch = format!("topic-{n}");
        github.create_branch(REPO, &branch, "main");
        github.open_pull(REPO, &branch, &format!("pull {n}"), "");
    }
    let rt = runtime();
    let _entered = rt.enter();
    let client = client(&github, TOKEN);
    let repo = RepoName::parse(REPO).unwrap();
    let pulls = rt.block_on(client.open_pulls(&repo, None)).unwrap();
    assert_eq!(pulls.len(), 230);
    assert_eq!(pulls[229].title, "pull 229");
    let pages = github
        .requests()
        .iter()
        .filter(|r| r.path == "/repos/acme/api/pulls")
        .count();
    assert_eq!(pages, 3);
}

/// One raw HTTP/1.1 request to the fake (which closes every connection):
/// the status and the JSON body (`Null` when empty).
fn raw(github: &FakeGitHub, method: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    use std::io::{Read, Write};
    let address = github.url().trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase().contains("x-ratelimit-remaining:"),
        "{head}"
    );
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(body).unwrap()
    };
    (status, body)
}

#[test]
fn the_fake_answers_dispatches_check_runs_and_statuses_as_github_does() {
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[]);
    let sha = github.history(REPO, "main")[0].tree.clone();
    let (status, body) = raw(
        &github,
        "POST",
        "/repos/acme/api/dispatches",
        r#"{"event_type":"openapi_spec_updated","client_payload":{"version":"1.0.0"}}"#,
    );
    assert_eq!((status, body), (204, serde_json::Value::Null));
    let (status, body) = raw(&github, "POST", "/repos/acme/api/dispatches", "{}");
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("event_type"));

    let (status, run) = raw(
        &github,
        "POST",
        "/repos/acme/api/check-runs",
        &format!(
            r#"{{"name":"specrelay","head_sha":"{sha}","status":"completed","conclusion":"success"}}"#
        ),
    );
    assert_eq!(status, 201);
    assert_eq!(run["name"], "specrelay");
    assert_eq!(run["conclusion"], "success");
    assert!(run["id"].is_u64());

    let (status, posted) = raw(
        &github,
        "POST",
        &format!("/repos/acme/api/statuses/{sha}"),
        r#"{"state":"success","context":"specrelay/diff"}"#,
    );
    assert_eq!(status, 201);
    assert_eq!(posted["state"], "success");
    // GitHub's `status` has no `sha`; its `url` names the commit.
    assert!(
        posted["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/statuses/{sha}"))
    );

    let (status, missing) = raw(&github, "GET", "/repos/acme/nope", "");
    assert_eq!(status, 404);
    assert_eq!(missing["message"], "Not Found");
}
