//! `downstream`: reading one consumer repository's base branch (the
//! default branch unless the config names one) and the manifests to bump
//! there. Shared by the pull-request run ([`super::observe`]) and the lag
//! report ([`super::lag`]), so each reads a consumer the same way.

use crate::adapters::github::GitHub;
use crate::adapters::github::commit::{self, Snapshot};
use crate::adapters::github::rest::RepoName;
use crate::downstream::config::{self, Consumer};
use anyhow::Result;

/// One consumer repository's base branch as it stands, and the manifests
/// to bump there: the configured ones, else every manifest found.
pub struct ConsumerBase<'a> {
    pub base_branch: String,
    pub base: Snapshot<'a>,
    pub manifests: Vec<String>,
}

/// Reads a consumer's base branch once (the default branch unless the
/// config names one); the pull-request run and the lag report share it.
pub async fn consumer_base<'a>(
    github: &'a GitHub,
    repo: &'a RepoName,
    consumer: &Consumer,
) -> Result<ConsumerBase<'a>> {
    let base_branch = match &consumer.base {
        Some(base) => base.clone(),
        None => github.repository(repo).await?.default_branch,
    };
    let base = commit::snapshot(github, repo, &base_branch).await?;
    let manifests = if consumer.manifests.is_empty() {
        config::manifests_in(&base.files.keys().cloned().collect::<Vec<_>>())
    } else {
        consumer.manifests.clone()
    };
    Ok(ConsumerBase {
        base_branch,
        base,
        manifests,
    })
}
