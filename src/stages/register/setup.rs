//! The registry inputs both `register` and `reconcile` take, validated once
//! (the token masked at once), and the registry they name, opened.

use super::super::Context;
use crate::adapters::github::rest::RepoName;
use crate::adapters::http::{Credential, Downloader, FetchPolicy};
use crate::adapters::service_registry::Registry;
use crate::adapters::service_registry::file::{BranchFile, FileRegistry};
use crate::adapters::service_registry::http::{HttpRegistry, Paths};
use crate::adapters::service_registry::probe::{self, Prober};
use crate::cli::{RegistryArgs, RegistryKind};
use crate::stages::common::github::GitHubAuth;
use crate::stages::common::inputs::non_blank;
use anyhow::{Context as _, Result, bail};
use secrecy::SecretString;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// The discovery document's default path under `registry_url`.
pub const DISCOVERY_PATH: &str = "/.well-known/services.json";

/// Attempts per registry request.
const REGISTRY_ATTEMPTS: u32 = 3;

/// Where the registry is and how to reach it.
pub struct RegistrySetup {
    pub kind: Backend,
    pub discovery: Option<Url>,
    pub allow_http: bool,
    pub allow_private_network: bool,
    pub max_bytes: u64,
    pub timeout: Duration,
    pub github: GitHubAuth,
}

pub enum Backend {
    WorkspaceFile {
        path: PathBuf,
    },
    RepositoryFile {
        repo: RepoName,
        branch: Option<String>,
        path: String,
    },
    Http {
        url: Url,
        token: Option<SecretString>,
        paths: Paths,
    },
}

/// Validates the registry inputs.
pub fn setup(args: RegistryArgs, ctx: &Context) -> Result<RegistrySetup> {
    let url = |name: &str, value: &str| -> Result<Url> {
        let url =
            Url::parse(value.trim()).with_context(|| format!("{name} {value:?} is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            bail!("{name} {value:?} must be an http(s) URL");
        }
        Ok(url)
    };
    let mut discovery = args
        .discovery_url
        .as_deref()
        .map(|v| url("discovery_url", v))
        .transpose()?;
    let kind = match args.registry {
        RegistryKind::File => match &args.registry_repository {
            Some(full) => Backend::RepositoryFile {
                repo: RepoName::parse(full)
                    .with_context(|| format!("registry_repository {full:?} is not owner/name"))?,
                branch: args.registry_branch.clone(),
                path: crate::layout::display_path(&args.registry_file),
            },
            None => Backend::WorkspaceFile {
                path: ctx.workspace.join(&args.registry_file),
            },
        },
        RegistryKind::Http => {
            let Some(raw) = &args.registry_url else {
                bail!("registry: http needs registry_url (the registry server's base URL)");
            };
            let base = url("registry_url", raw)?;
            if discovery.is_none() {
                discovery = Some(base.join(DISCOVERY_PATH)?);
            }
            let token = non_blank(args.registry_token.as_deref()).map(|t| {
                ctx.runtime.mask(t);
                SecretString::from(t.to_owned())
            });
            Backend::Http {
                url: base,
                token,
                paths: Paths {
                    register: args.register_path.clone(),
                    services: args.services_path.clone(),
                    service: args.service_path.clone(),
                    status: args.status_path.clone(),
                },
            }
        }
    };
    Ok(RegistrySetup {
        kind,
        discovery,
        allow_http: args.allow_http,
        allow_private_network: args.allow_private_network,
        max_bytes: args.max_registry_bytes,
        timeout: Duration::from_secs(args.registry_timeout.max(1)),
        github: GitHubAuth::from_args(args.github),
    })
}

impl RegistrySetup {
    /// The registry, opened (a GitHub client for a repository file).
    pub async fn open(&self, ctx: &Context) -> Result<Registry> {
        Ok(match &self.kind {
            Backend::WorkspaceFile { path } => Registry::File(FileRegistry::Workspace {
                display: ctx
                    .workspace_relative(path)
                    .unwrap_or_else(|| path.display().to_string()),
                path: path.clone(),
            }),
            Backend::RepositoryFile { repo, branch, path } => {
                let github = crate::stages::common::github::client(&self.github, ctx, repo).await?;
                let branch = match branch {
                    Some(b) => b.clone(),
                    None => {
                        github
                            .repository(repo)
                            .await
                            .with_context(|| format!("reading {repo}'s default branch"))?
                            .default_branch
                    }
                };
                Registry::File(FileRegistry::Repository(BranchFile {
                    github,
                    repo: repo.clone(),
                    branch,
                    path: path.clone(),
                }))
            }
            Backend::Http { url, token, paths } => {
                let policy = FetchPolicy {
                    allow_http: self.allow_http,
                    allow_private_network: self.allow_private_network,
                    max_bytes: self.max_bytes,
                    size_setting: "max_registry_bytes",
                    attempt_timeout: self.timeout,
                    timeout_setting: "registry_timeout",
                    max_attempts: REGISTRY_ATTEMPTS,
                    base_delay: Duration::from_millis(500),
                    max_delay: Duration::from_secs(10),
                    ..FetchPolicy::default()
                };
                Registry::Http(HttpRegistry {
                    base: url.clone(),
                    paths: paths.clone(),
                    client: Downloader::new(policy)?,
                    credential: token.clone().map(|t| Credential::bearer(url.origin(), t)),
                    write_attempts: REGISTRY_ATTEMPTS,
                })
            }
        })
    }

    /// A prober for health, proxy and MCP checks.
    pub fn prober(&self, timeout: Duration) -> Result<Prober> {
        let cap = (probe::MAX_ANSWER_BYTES, "the 1 MiB cap on health answers");
        Prober::new(timeout, cap, self.allow_http, self.allow_private_network)
    }

    /// A prober for the discovery document (as large as a registry answer).
    pub fn discovery_prober(&self) -> Result<Prober> {
        let cap = (self.max_bytes, "max_registry_bytes");
        Prober::new(
            self.timeout,
            cap,
            self.allow_http,
            self.allow_private_network,
        )
    }
}
