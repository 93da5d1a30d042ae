//! `dispatch`: the raw arguments and the runner's environment turned into a
//! validated [`DispatchRequest`]. Pure.

use crate::adapters::github::rest::RepoName;
use crate::announce;
use crate::cli::DispatchArgs;
use crate::semver_policy::SemverPolicy;
use crate::stages::Context;
use crate::stages::common::github::GitHubAuth;
use crate::stages::common::inputs::{non_blank, semver_policy, split_list};
use anyhow::{Context as _, Result, bail};
use std::path::PathBuf;
use url::Url;

/// Where the last announced version is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// A file in the workspace.
    File(PathBuf),
    /// A file in the workspace's git history.
    Git { rev: String, path: String },
    /// A URL (https, or http for private networks the runner allows).
    Url(Url),
    /// The consumer's `latest.json` and the spec it points at, read through
    /// GitHub's API.
    Repo(RepoName),
}

/// A validated `dispatch` request.
#[derive(Debug)]
pub struct DispatchRequest {
    /// The spec file, absolute.
    pub spec: PathBuf,
    /// The spec file as the repository names it (`/`-separated, relative).
    pub spec_path: String,
    pub version: Option<semver::Version>,
    pub repositories: Vec<RepoName>,
    pub baseline: Baseline,
    pub download_template: Option<String>,
    /// `GITHUB_SERVER_URL`, for the default download URL.
    pub server_url: String,
    /// The commit announced (`GITHUB_SHA`); needed by the default URL.
    pub sha: Option<String>,
    /// `(run_id, run_attempt)` of this run, for the correlation id.
    pub run: Option<(String, String)>,
    pub api: Option<String>,
    pub correlation_id: Option<String>,
    pub source_repo: RepoName,
    pub event_type: String,
    pub semver_policy: SemverPolicy,
    pub openapi_dir: PathBuf,
    pub max_spec_bytes: u64,
    pub github: GitHubAuth,
}

/// The stage's first step (see [`shape`](crate::stages::shape)): the raw
/// arguments and the run's context -> the validated request.
pub fn request(args: DispatchArgs, ctx: &Context) -> Result<DispatchRequest> {
    let repositories = repositories(&args.repositories)?;
    let source = match non_blank(args.source_repo.as_deref()) {
        Some(given) => given.to_owned(),
        None => ctx.env.repository.clone().context(
            "source_repo is needed: set the `source_repo` input (owner/name) or run on GitHub Actions ($GITHUB_REPOSITORY)",
        )?,
    };
    let source_repo = RepoName::parse(&source)
        .with_context(|| format!("source_repo {source:?} is not owner/name"))?;
    let version = non_blank(args.version.as_deref())
        .map(|v| {
            semver::Version::parse(v)
                .with_context(|| format!("version {v:?} is not a semantic version such as 1.2.0"))
        })
        .transpose()?;
    let baseline = baseline(args.baseline.as_deref(), &repositories[0], ctx)?;
    let api = non_blank(args.api.as_deref())
        .map(announce::api_name)
        .transpose()?;
    let spec = ctx.workspace.join(&args.spec);
    let spec_path = crate::layout::display_path(&args.spec);
    if args.event_type.trim().is_empty() || args.event_type.len() > 100 {
        bail!("event_type must be 1-100 characters, as GitHub requires");
    }
    Ok(DispatchRequest {
        spec,
        spec_path,
        version,
        repositories,
        baseline,
        download_template: args.download_url.filter(|s| !s.trim().is_empty()),
        server_url: ctx
            .env
            .server_url
            .clone()
            .unwrap_or_else(|| "https://github.com".to_owned()),
        sha: ctx.env.sha.clone(),
        run: ctx.env.run_id.clone().map(|id| {
            let attempt = ctx.env.run_attempt.clone().unwrap_or_else(|| "1".into());
            (id, attempt)
        }),
        api,
        correlation_id: args.correlation_id,
        source_repo,
        event_type: args.event_type.trim().to_owned(),
        semver_policy: semver_policy(args.semver_policy),
        openapi_dir: args.openapi_dir,
        max_spec_bytes: args.max_spec_bytes,
        github: GitHubAuth::from_args(args.github),
    })
}

/// `repositories`: at least one, each `owner/name`, no repeats.
pub fn repositories(raw: &str) -> Result<Vec<RepoName>> {
    let mut repos: Vec<RepoName> = Vec::new();
    for entry in split_list(Some(raw)) {
        let repo = RepoName::parse(&entry)
            .with_context(|| format!("repositories: {entry:?} is not owner/name"))?;
        if !repos.contains(&repo) {
            repos.push(repo);
        }
    }
    if repos.is_empty() {
        bail!("repositories is empty: name at least one consumer repository (owner/name)");
    }
    Ok(repos)
}

/// `baseline` as given, or the first consumer's `latest.json`.
pub fn baseline(raw: Option<&str>, first: &RepoName, ctx: &Context) -> Result<Baseline> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Baseline::Repo(first.clone()));
    };
    if let Some(repo) = raw.strip_prefix("repo:") {
        return RepoName::parse(repo)
            .map(Baseline::Repo)
            .with_context(|| format!("baseline {raw:?}: expected repo:OWNER/NAME"));
    }
    if let Some(rest) = raw.strip_prefix("git:") {
        return match rest.split_once(':') {
            Some((rev, path)) if !rev.is_empty() && !path.is_empty() => Ok(Baseline::Git {
                rev: rev.to_owned(),
                path: path.to_owned(),
            }),
            _ => bail!("baseline {raw:?}: expected git:REV:PATH"),
        };
    }
    if raw.starts_with("https://") || raw.starts_with("http://") {
        let url = Url::parse(raw).with_context(|| format!("baseline {raw:?} is not a URL"))?;
        return Ok(Baseline::Url(url));
    }
    Ok(Baseline::File(ctx.workspace.join(raw)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_are_checked_and_deduplicated() {
        let repos = repositories("acme/web,\n acme/app\nacme/web").unwrap();
        let names: Vec<String> = repos.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["acme/web", "acme/app"]);
        assert!(repositories(" , ").is_err());
        let bad = repositories("acme").unwrap_err();
        assert!(bad.to_string().contains("\"acme\""), "{bad}");
    }
}
