//! What the stages that write to GitHub share: a client built from the
//! inputs and the runner's environment (`GITHUB_API_URL`, the token masked
//! at once), the repository and branch the workflow runs on, and the
//! `commit` step of `ingest` and `generate`. It decides nothing about what
//! to write; each stage hands over its own changes.

use super::Context;
use crate::actions::env;
use crate::adapters::github::commit::{self, Committed, Snapshot};
use crate::adapters::github::rest::{FileChange, RepoName};
use crate::adapters::github::{DEFAULT_API_URL, GitHub, RetryPolicy, app};
use crate::cli::{CommitArgs, GitHubArgs};
use anyhow::{Context as _, Result, bail};
use secrecy::{ExposeSecret, SecretString};

/// Ref updates tried before a commit gives up on a branch that keeps moving.
const COMMIT_ATTEMPTS: u32 = 8;

/// A client for `GITHUB_API_URL` (default GitHub.com): with `app_id` and
/// `app_private_key`, as the GitHub App's installation on `repo`'s owner;
/// otherwise with `github_token` (or `GITHUB_TOKEN`). Every secret is
/// masked before it is used.
pub async fn client(args: &GitHubArgs, ctx: &Context, repo: &RepoName) -> Result<GitHub> {
    let api_url = env::var(env::GITHUB_API_URL).unwrap_or_else(|| DEFAULT_API_URL.to_owned());
    let policy = RetryPolicy {
        max_attempts: args.github_max_attempts,
        ..RetryPolicy::default()
    };
    let non_empty = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let token = match (non_empty(&args.app_id), non_empty(&args.app_private_key)) {
        (Some(app_id), Some(key)) => {
            // The runner masks whole values; a PEM is masked line by line too.
            for line in key.lines().filter(|l| !l.starts_with("-----")) {
                ctx.runtime.mask(line.trim());
            }
            let token = app::installation_token(
                &api_url,
                &app_id,
                &SecretString::from(key),
                repo,
                policy.clone(),
            )
            .await
            .with_context(|| format!("getting an installation token for app {app_id} on {repo}"))?;
            ctx.runtime.mask(token.expose_secret());
            token
        }
        _ => {
            let Some(token) = non_empty(&args.github_token) else {
                bail!(
                    "a GitHub token is needed: set input github_token (for example `${{{{ secrets.GITHUB_TOKEN }}}}`), $GITHUB_TOKEN, or app_id and app_private_key"
                );
            };
            ctx.runtime.mask(&token);
            SecretString::from(token)
        }
    };
    Ok(GitHub::new(&api_url, &token, policy)?)
}

/// The repository and branch the workflow runs on: `GITHUB_REPOSITORY`, and
/// `GITHUB_HEAD_REF` in a pull request, else `GITHUB_REF_NAME`.
pub fn workflow_branch() -> Result<(RepoName, String)> {
    let full = env::var(env::GITHUB_REPOSITORY)
        .context("commit needs $GITHUB_REPOSITORY (owner/name); it is set on GitHub Actions")?;
    let repo = RepoName::parse(&full)
        .with_context(|| format!("$GITHUB_REPOSITORY {full:?} is not owner/name"))?;
    let branch = env::var(env::GITHUB_HEAD_REF)
        .or_else(|| env::var(env::GITHUB_REF_NAME))
        .context("commit needs the branch: $GITHUB_REF_NAME (or $GITHUB_HEAD_REF) is unset")?;
    Ok((repo, branch))
}

/// Commits what `recompute` derives from the workflow branch's head as one
/// commit; the new commit's id, or `None` when everything was already there.
pub async fn commit_to_workflow_branch(
    args: &CommitArgs,
    ctx: &Context,
    message: &str,
    recompute: impl AsyncFnMut(&Snapshot<'_>) -> Result<Vec<FileChange>>,
) -> Result<Option<String>> {
    let (repo, branch) = workflow_branch()?;
    let github = client(&args.github, ctx, &repo).await?;
    let _group = ctx
        .runtime
        .group(&format!("Committing to {repo}@{branch} through the API"));
    let committed =
        commit::commit_to_branch(&github, &repo, &branch, message, COMMIT_ATTEMPTS, recompute)
            .await
            .with_context(|| format!("committing to {repo}@{branch}"))?;
    Ok(match committed {
        Committed::Created { sha, attempts } => {
            tracing::info!("committed {sha} to {repo}@{branch} ({attempts} attempt(s))");
            Some(sha)
        }
        Committed::Unchanged => {
            tracing::info!("{repo}@{branch} already has these files; no commit");
            None
        }
    })
}
