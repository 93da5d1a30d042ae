//! The fake GitHub answers as GitHub's own OpenAPI description says: every
//! request the GitHub client can make is sent to the fake, and every answer
//! (successes and refusals) is validated against the description. The fake
//! also checks every answer in every other test and fails on drop.

use crate::support::fake_github::{FakeGitHub, TOKEN};
use crate::support::github_description;
use secrecy::SecretString;
use serde_json::json;
use specrelay::adapters::github::rest::RepoName;
use specrelay::adapters::github::{GitHub, RetryPolicy};

const REPO: &str = "acme/api";

/// `None` (and a SKIPPED line) when the corpus lacks the description; with
/// `CI=true` a missing description is a failure, not a skip.
fn description_or_skip() -> Option<()> {
    if github_description::path().is_some() {
        return Some(());
    }
    crate::support::skip::missing(
        "no GitHub description in the corpus (big/github/api.github.com.json); the fake was not checked",
    );
    None
}

#[test]
fn every_answer_of_the_fake_matches_githubs_description() {
    let Some(()) = description_or_skip() else {
        return;
    };
    let github = FakeGitHub::start();
    github.create_repo(REPO, "main", &[("openapi.yaml", b"a: 1\n")]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _entered = rt.enter();
    let client = GitHub::new(
        &github.url(),
        &SecretString::from(TOKEN.to_owned()),
        RetryPolicy::default(),
    )
    .unwrap();
    let repo = RepoName::parse(REPO).unwrap();
    rt.block_on(exercise(&client, &repo, &github));
    let seen = github.conformance();
    assert!(
        seen.checked >= 20,
        "only {} answers were checked",
        seen.checked
    );
    assert!(seen.errors.is_empty(), "{}", seen.errors.join("\n"));
    eprintln!("{} answers of the fake validated", seen.checked);
}

async fn exercise(client: &GitHub, repo: &RepoName, github: &FakeGitHub) {
    assert_eq!(
        client.repository(repo).await.unwrap().default_branch,
        "main"
    );
    let head = client.branch_head(repo, "main").await.unwrap().unwrap();
    assert_eq!(client.branch_head(repo, "nope").await.unwrap(), None);
    let commit = client.commit(repo, &head).await.unwrap();
    let files = client.files(repo, &commit.tree.sha).await.unwrap();
    assert_eq!(files.len(), 1);
    let bytes = client.file(repo, "openapi.yaml", "main").await.unwrap();
    assert_eq!(bytes.as_deref(), Some(&b"a: 1\n"[..]));
    assert_eq!(
        client.file(repo, "missing.yaml", "main").await.unwrap(),
        None
    );
    assert_eq!(client.blob(repo, &files[0].1).await.unwrap(), b"a: 1\n");
    let blob = client.create_blob(repo, b"b: 2\n").await.unwrap();
    let change = [("b.yaml".to_owned(), Some(blob))];
    let tree = client
        .create_tree(repo, &commit.tree.sha, &change)
        .await
        .unwrap();
    let new = client
        .create_commit(repo, "add b", &tree, &[head.as_str()])
        .await
        .unwrap();
    client.create_branch(repo, "feature", &new).await.unwrap();
    assert!(client.create_branch(repo, "feature", &new).await.is_err());
    // Tags: POST git/refs with refs/tags/..., GET git/ref/tags/...
    client
        .create_tag(repo, "openapi-v1.0.0", &new)
        .await
        .unwrap();
    assert!(
        client
            .create_tag(repo, "openapi-v1.0.0", &head)
            .await
            .is_err()
    );
    assert_eq!(
        client.tag_target(repo, "openapi-v1.0.0").await.unwrap(),
        Some(new.clone())
    );
    assert_eq!(client.tag_target(repo, "nope").await.unwrap(), None);
    client
        .update_branch(repo, "feature", &new, false)
        .await
        .unwrap();
    github.push_human_commit(REPO, "feature", &[("c.yaml", b"c: 3\n")]);
    let commits = client
        .commits_between(repo, "main", "feature")
        .await
        .unwrap();
    assert_eq!(commits.len(), 2, "{commits:?}");
    assert!(commits.iter().any(|c| c.sha == new && c.message == "add b"));
    let pull = client
        .create_pull(repo, "title", "body", "feature", "main")
        .await
        .unwrap();
    assert!(
        client
            .create_pull(repo, "title", "body", "feature", "main")
            .await
            .is_err()
    );
    assert_eq!(
        client
            .open_pulls(repo, Some("feature"))
            .await
            .unwrap()
            .len(),
        1
    );
    client
        .update_pull(repo, pull.number, &json!({"title": "new title"}))
        .await
        .unwrap();
    client.comment(repo, pull.number, "hello").await.unwrap();
    assert_eq!(client.comments(repo, pull.number).await.unwrap(), ["hello"]);
    client
        .add_labels(repo, pull.number, &["api".to_owned()])
        .await
        .unwrap();
    client
        .request_reviewers(
            repo,
            pull.number,
            &["octocat".to_owned(), "acme/api-team".to_owned()],
        )
        .await
        .unwrap();
    let missing = RepoName::parse("acme/none").unwrap();
    assert!(client.repository(&missing).await.is_err());
}

#[test]
fn the_check_rejects_an_answer_that_lacks_what_github_sends() {
    let Some(()) = description_or_skip() else {
        return;
    };
    let doc = github_description::description().unwrap();
    // The shape the fake used to send: a compare without its URLs, whose
    // commits carry the sha only inside the nested `commit`.
    let old = json!({"status": "ahead", "ahead_by": 1, "behind_by": 0, "total_commits": 1,
        "commits": [{"commit": {"sha": "abc", "message": "m", "tree": {"sha": "t"}}}]});
    let errors = github_description::check(doc, "GET", "/repos/a/b/compare/main...x", 200, &old)
        .unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("/commits/0: required property `sha`")),
        "{errors:?}"
    );
    let error =
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"});
    github_description::check(doc, "GET", "/repos/a/b/compare/main...x", 404, &error).unwrap();
    let undeclared =
        github_description::check(doc, "GET", "/repos/a/b/compare/main...x", 201, &error);
    assert!(undeclared.is_err());
}
