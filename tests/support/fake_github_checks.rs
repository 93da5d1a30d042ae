//! The fake GitHub's endpoints for rollout gates: one pull request
//! (`GET /repos/{o}/{r}/pulls/{n}`, with `merged` and `head.sha`), check
//! runs and the combined status of a commit, pull request reviews, and
//! workflow dispatches with their runs. Shapes follow GitHub's REST
//! description (`pulls/get`, `checks/list-for-ref`,
//! `repos/get-combined-status-for-ref`, `pulls/list-reviews`,
//! `actions/create-workflow-dispatch`, `actions/list-workflow-runs`).
//!
//! Tests drive the other side through [`FakeGitHub`]'s helpers below:
//! a check turning green or red, a review, a merge.

use super::{FakeGitHub, LOGIN, Reply, State, error, paginate, pull_json, shape};
use serde_json::{Value, json};
use std::collections::HashMap;

pub(super) fn route(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    body: &Value,
    q: &HashMap<String, String>,
) -> Option<Reply> {
    Some(match (method, rest) {
        ("GET", ["pulls", number]) => {
            let number: u64 = number.parse().unwrap_or(0);
            let r = state.repo(repo);
            let Some(pull) = r.pull(number) else {
                return Some(error(404, "Not Found"));
            };
            let mut out = pull_json(&r.refs, repo, pull);
            out["merged"] = json!(r.merged.contains(&number));
            out["head"]["sha"] = json!(
                r.refs
                    .get(&format!("heads/{}", pull.head))
                    .cloned()
                    .unwrap_or_default()
            );
            (200, Vec::new(), out)
        }
        ("GET", ["pulls", number, "reviews"]) => {
            let number: u64 = number.parse().unwrap_or(0);
            let list: Vec<Value> = state
                .repo(repo)
                .reviews
                .iter()
                .filter(|(n, _)| *n == number)
                .map(|(_, review)| review.clone())
                .collect();
            (200, Vec::new(), paginate(list, q))
        }
        ("GET", ["commits", sha, "check-runs"]) => {
            let runs: Vec<Value> = state
                .repo(repo)
                .check_runs
                .iter()
                .filter(|run| run["head_sha"] == *sha)
                .cloned()
                .collect();
            (
                200,
                Vec::new(),
                json!({"total_count": runs.len(), "check_runs": runs}),
            )
        }
        ("GET", ["commits", sha, "status"]) => {
            // The newest status per context, newest first, as GitHub combines them.
            let mut latest: Vec<Value> = Vec::new();
            for status in state.repo(repo).statuses.iter().rev().filter(|s| {
                s["url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(&format!("/statuses/{sha}")))
            }) {
                if !latest.iter().any(|l| l["context"] == status["context"]) {
                    latest.push(status.clone());
                }
            }
            let combined = if latest
                .iter()
                .any(|s| matches!(s["state"].as_str(), Some("failure" | "error")))
            {
                "failure"
            } else if latest.iter().all(|s| s["state"] == "success") && !latest.is_empty() {
                "success"
            } else {
                "pending"
            };
            let default_branch = state.repo(repo).default_branch.clone();
            (
                200,
                Vec::new(),
                shape::combined_status(repo, sha, combined, latest, &default_branch),
            )
        }
        ("POST", ["actions", "workflows", workflow, "dispatches"]) => {
            if body["ref"].as_str().is_none_or(str::is_empty) {
                return Some(error(422, "Invalid request.\n\n\"ref\" wasn't supplied."));
            }
            let id = state.next();
            let branch = body["ref"].as_str().unwrap_or_default().to_owned();
            let r = state.repo(repo);
            let sha = r
                .refs
                .get(&format!("heads/{branch}"))
                .cloned()
                .unwrap_or_default();
            let run = shape::workflow_run(
                repo,
                id,
                workflow,
                &branch,
                &sha,
                ("queued", None),
                &r.default_branch.clone(),
            );
            state.repo_mut(repo).workflow_runs.push(run);
            (204, Vec::new(), Value::Null)
        }
        ("GET", ["actions", "workflows", workflow, "runs"]) => {
            let runs: Vec<Value> = state
                .repo(repo)
                .workflow_runs
                .iter()
                .rev()
                .filter(|run| run["name"] == *workflow)
                .filter(|run| q.get("event").is_none_or(|e| run["event"] == e.as_str()))
                .cloned()
                .collect();
            let total = runs.len();
            let page = paginate(runs, q);
            (
                200,
                Vec::new(),
                json!({"total_count": total, "workflow_runs": page}),
            )
        }
        _ => return None,
    })
}

impl FakeGitHub {
    /// The commit a pull request's branch points at.
    pub fn pull_head_sha(&self, repo: &str, number: u64) -> String {
        let state = self.lock();
        let r = state.repo(repo);
        let pull = r.pull(number).expect("no such pull request");
        r.refs[&format!("heads/{}", pull.head)].clone()
    }

    /// A check run on the pull request's head commit, as a CI app reports
    /// one: `conclusion` `None` means still in progress.
    pub fn set_check(&self, repo: &str, number: u64, name: &str, conclusion: Option<&str>) {
        let sha = self.pull_head_sha(repo, number);
        let mut state = self.lock();
        let id = state.next();
        let runs = &mut state.repo_mut(repo).check_runs;
        runs.retain(|run| !(run["head_sha"] == sha.as_str() && run["name"] == name));
        runs.push(shape::check_run(
            repo,
            id,
            &json!({
                "name": name, "head_sha": sha,
                "status": if conclusion.is_some() { "completed" } else { "in_progress" },
                "conclusion": conclusion,
            }),
        ));
    }

    /// A commit status on the pull request's head commit.
    pub fn set_status(&self, repo: &str, number: u64, context: &str, state_name: &str) {
        let sha = self.pull_head_sha(repo, number);
        let mut state = self.lock();
        let id = state.next();
        let status = shape::status(
            repo,
            &sha,
            id,
            &json!({"state": state_name, "context": context}),
            LOGIN,
        );
        state.repo_mut(repo).statuses.push(status);
    }

    pub fn approve(&self, repo: &str, number: u64, reviewer: &str) {
        let sha = self.pull_head_sha(repo, number);
        let mut state = self.lock();
        let id = state.next();
        state.repo_mut(repo).reviews.push((
            number,
            shape::review(repo, number, id, "APPROVED", reviewer, &sha),
        ));
    }

    /// Merges a pull request (closed, `merged: true`).
    ///
    /// The base branch moves to the pull request's head, as GitHub's
    /// fast-forwarding merge methods do (rebase, or squash of a branch with
    /// one commit on an unmoved base), so the base then holds the change.
    /// Only that case is modelled: a base that moved since is a test error.
    pub fn merge(&self, repo: &str, number: u64) {
        let mut state = self.lock();
        let r = state.repo(repo);
        let pull = r.pull(number).expect("no such pull request");
        let head = r.refs[&format!("heads/{}", pull.head)].clone();
        let base_ref = format!("heads/{}", pull.base);
        let base = r.refs[&base_ref].clone();
        assert!(
            state.ancestors(&head).contains(&base),
            "the fake merges only pull requests whose head contains the base's head"
        );
        let r = state.repo_mut(repo);
        r.refs.insert(base_ref, head);
        let pull = r
            .pulls
            .iter_mut()
            .find(|p| p.number == number)
            .expect("no such pull request");
        pull.state = "closed".into();
        r.merged.insert(number);
    }

    /// The `workflow_dispatch` runs started in a repository, oldest first.
    pub fn workflow_runs(&self, repo: &str) -> Vec<Value> {
        self.lock().repo(repo).workflow_runs.clone()
    }

    /// Finishes every queued workflow run of `repo` with `conclusion`.
    pub fn finish_workflow_runs(&self, repo: &str, conclusion: &str) {
        let mut state = self.lock();
        for run in &mut state.repo_mut(repo).workflow_runs {
            run["status"] = json!("completed");
            run["conclusion"] = json!(conclusion);
        }
    }
}
