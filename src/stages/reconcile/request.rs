//! `reconcile`'s inputs -> a validated request.

use crate::adapters::github::rest::RepoName;
use crate::adapters::service_registry::probe::Extras;
use crate::catalog::reconcile::Shard;
use crate::cli::ReconcileArgs;
use crate::stages::Context;
use crate::stages::register::setup::{self, RegistrySetup};
use anyhow::{Context as _, Result, bail};
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// `issue_repository: none` turns the issue off (an empty input is unset
/// on GitHub Actions, so it cannot say "none").
pub const NO_ISSUE: &str = "none";

pub struct ReconcileRequest {
    pub registry: RegistrySetup,
    pub concurrency: usize,
    pub check_timeout: Duration,
    pub update_status: bool,
    pub extras: Extras,
    pub discovery_refresh: Option<Url>,
    /// Relative to the workspace.
    pub report_path: PathBuf,
    pub issue: Option<RepoName>,
    pub shard: Option<Shard>,
    pub merge: Option<String>,
    pub fail_on_problems: bool,
    pub run_url: Option<String>,
}

/// The stage's first step (see [`shape`](crate::stages::shape)): the raw
/// arguments and the run's context -> the validated request.
pub fn request(args: ReconcileArgs, ctx: &Context) -> Result<ReconcileRequest> {
    let shard = args
        .shard
        .as_deref()
        .map(Shard::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    if shard.is_some() && args.merge_reports.is_some() {
        bail!("shard and merge_reports exclude each other: shards check, the merge job merges");
    }
    let issue = match args.issue_repository.as_deref().map(str::trim) {
        Some(NO_ISSUE) => None,
        Some(full) => Some(
            RepoName::parse(full)
                .with_context(|| format!("issue_repository {full:?} is not owner/name"))?,
        ),
        None => ctx.env.repository.as_deref().and_then(RepoName::parse),
    };
    // One issue for the whole registry: a shard of several leaves it to the merge.
    let issue = issue.filter(|_| shard.is_none_or(|s| s.count == 1));
    if let Some(template) = &args.proxy_url_template
        && !template.contains("{name}")
    {
        bail!("proxy_url_template {template:?} has no {{name}} placeholder");
    }
    let discovery_refresh = args
        .discovery_refresh_url
        .as_deref()
        .map(|u| Url::parse(u).with_context(|| format!("discovery_refresh_url {u:?} is not a URL")))
        .transpose()?;
    if args.report_path.is_absolute()
        || args.report_path.components().any(|c| c.as_os_str() == "..")
    {
        bail!(
            "report_path {} must be a path inside the workspace",
            args.report_path.display()
        );
    }
    Ok(ReconcileRequest {
        concurrency: args.concurrency as usize,
        check_timeout: Duration::from_secs(args.check_timeout.max(1)),
        update_status: args.update_status,
        extras: Extras {
            proxy_url_template: args.proxy_url_template.clone(),
            mcp: true,
        },
        discovery_refresh,
        report_path: args.report_path.clone(),
        issue,
        shard,
        merge: args.merge_reports.clone(),
        fail_on_problems: args.fail_on_problems,
        run_url: ctx.env.run_url(),
        registry: setup::setup(args.registry, ctx)?,
    })
}

/// Whether `name` matches a glob of `*` (any run) and `?` (one character).
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("shard-*.json", "shard-1.json"));
        assert!(glob_match("*", "x"));
        assert!(glob_match("r?.json", "r1.json"));
        assert!(!glob_match("shard-*.json", "shard-1.txt"));
        assert!(!glob_match("a*b", "ac"));
    }
}
