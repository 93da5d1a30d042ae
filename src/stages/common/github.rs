//! What the stages that write to GitHub share: a client built from the
//! request's credentials and the runner's environment (`ctx.env`: the API
//! URL, the repository and branch), every token masked at once, and the
//! `commit` step of `ingest` and `generate`. It decides nothing about what
//! to write; each stage hands over its own changes.

use crate::actions::env::RunnerEnv;
use crate::adapters::github::commit::{self, Committed, Snapshot};
use crate::adapters::github::rest::{FileChange, RepoName};
use crate::adapters::github::{DEFAULT_API_URL, GitHub, RetryPolicy, app};
use crate::cli::{CommitArgs, GitHubArgs};
use crate::stages::Context;
use anyhow::{Context as _, Result, bail};
use secrecy::{ExposeSecret, SecretString};

/// How to reach GitHub's API, validated: the part of a request that
/// `github_token`, `app_id`, `app_private_key` and `github_max_attempts` become.
#[derive(Debug, Clone)]
pub struct GitHubAuth {
    /// `github_token`, or `$GITHUB_TOKEN`; empty counts as unset.
    pub token: Option<SecretString>,
    /// A GitHub App's id and private key, which win over the token.
    pub app: Option<(String, SecretString)>,
    pub max_attempts: u32,
}

impl GitHubAuth {
    pub fn from_args(args: GitHubArgs) -> GitHubAuth {
        let non_empty =
            |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let app = match (non_empty(args.app_id), non_empty(args.app_private_key)) {
            (Some(id), Some(key)) => Some((id, SecretString::from(key))),
            _ => None,
        };
        GitHubAuth {
            token: non_empty(args.github_token).map(SecretString::from),
            app,
            max_attempts: args.github_max_attempts,
        }
    }
}

/// `--commit` and how to reach GitHub for it.
#[derive(Debug, Clone)]
pub struct CommitRequest {
    pub enabled: bool,
    pub github: GitHubAuth,
}

impl CommitRequest {
    pub fn from_args(args: CommitArgs) -> CommitRequest {
        CommitRequest {
            enabled: args.commit,
            github: GitHubAuth::from_args(args.github),
        }
    }

    /// What a commit needs that can be checked without the network: the
    /// repository and branch, and a credential. A stage checks this in its
    /// request, before its first write, so that a commit that cannot happen
    /// leaves nothing behind. Nothing to check when the commit is off (or on
    /// a dry run, which commits nothing).
    pub fn check_preconditions(&self, env: &RunnerEnv, dry_run: bool) -> Result<()> {
        if !self.enabled || dry_run {
            return Ok(());
        }
        workflow_branch(env).context("nothing was written")?;
        if self.github.app.is_none() && self.github.token.is_none() {
            bail!(
                "commit needs a GitHub token: set input github_token (for example `${{{{ secrets.GITHUB_TOKEN }}}}`), $GITHUB_TOKEN, or app_id and app_private_key; nothing was written"
            );
        }
        Ok(())
    }
}

/// Ref updates tried before a commit gives up on a branch that keeps moving.
const COMMIT_ATTEMPTS: u32 = 8;

/// A client for `GITHUB_API_URL` (default GitHub.com): with `app_id` and
/// `app_private_key`, as the GitHub App's installation on `repo`'s owner;
/// otherwise with `github_token` (or `GITHUB_TOKEN`). Every secret is
/// masked before it is used.
pub async fn client(auth: &GitHubAuth, ctx: &Context, repo: &RepoName) -> Result<GitHub> {
    let api_url = ctx.env.api_url.as_deref().unwrap_or(DEFAULT_API_URL);
    let policy = RetryPolicy {
        max_attempts: auth.max_attempts,
        ..RetryPolicy::default()
    };
    let token = match &auth.app {
        Some((app_id, key)) => {
            // The runner masks whole values; a PEM is masked line by line too.
            for line in key
                .expose_secret()
                .lines()
                .filter(|l| !l.starts_with("-----"))
            {
                ctx.runtime.mask(line.trim());
            }
            let token = app::installation_token(api_url, app_id, key, repo, policy.clone())
                .await
                .with_context(|| {
                    format!("getting an installation token for app {app_id} on {repo}")
                })?;
            ctx.runtime.mask(token.expose_secret());
            token
        }
        None => {
            let Some(token) = &auth.token else {
                bail!(
                    "a GitHub token is needed: set input github_token (for example `${{{{ secrets.GITHUB_TOKEN }}}}`), $GITHUB_TOKEN, or app_id and app_private_key"
                );
            };
            ctx.runtime.mask(token.expose_secret());
            token.clone()
        }
    };
    Ok(GitHub::new(api_url, &token, policy)?)
}

/// The repository and branch the workflow runs on: `GITHUB_REPOSITORY`, and
/// `GITHUB_HEAD_REF` in a pull request, else `GITHUB_REF_NAME`.
pub fn workflow_branch(env: &RunnerEnv) -> Result<(RepoName, String)> {
    let full = env
        .repository
        .as_deref()
        .context("commit needs $GITHUB_REPOSITORY (owner/name); it is set on GitHub Actions")?;
    let repo = RepoName::parse(full)
        .with_context(|| format!("$GITHUB_REPOSITORY {full:?} is not owner/name"))?;
    let branch = env
        .branch()
        .context("commit needs the branch: $GITHUB_REF_NAME (or $GITHUB_HEAD_REF) is unset")?;
    Ok((repo, branch.to_owned()))
}

/// Commits what `recompute` derives from the workflow branch's head as one
/// commit; the new commit's id, or `None` when everything was already there.
pub async fn commit_to_workflow_branch(
    auth: &GitHubAuth,
    ctx: &Context,
    message: &str,
    recompute: impl AsyncFnMut(&Snapshot<'_>) -> Result<Vec<FileChange>>,
) -> Result<Option<String>> {
    let (repo, branch) = workflow_branch(&ctx.env)?;
    let github = client(auth, ctx, &repo).await?;
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
