//! The service registries `register` and `reconcile` talk to, behind one
//! type with the same behaviour whatever the backend:
//!
//! - [`file`]: a catalog file (the default; nothing to run), in the
//!   workspace or, with a repository, read and committed through GitHub's
//!   API with the compare-and-swap commit of `adapters::github::commit`, so
//!   that concurrent deploys lose nothing.
//! - [`http`]: a server implementing `contracts/registry.yaml`.
//!
//! And [`probe`]: health checks with bounded concurrency, a per-request
//! timeout and one retry, proxy checks, MCP `tools/list`, and the
//! discovery document.
//!
//! Nothing here decides anything: `catalog` does.

pub mod file;
pub mod http;
pub mod probe;

use crate::adapters::github::GitHubError;
use crate::adapters::github::commit::CommitError;
use crate::adapters::http::HttpError;
use crate::catalog::model::{Catalog, CatalogError, Registration, Service, Status};
use std::collections::BTreeMap;

/// Why a registry could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{what}: {reason}")]
    Answer { what: String, reason: String },
    #[error(transparent)]
    GitHub(#[from] GitHubError),
    #[error(transparent)]
    Commit(#[from] CommitError),
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
}

impl RegistryError {
    /// The registry (or GitHub) failed, not the request: exit code 3.
    pub fn is_service_failure(&self) -> bool {
        match self {
            RegistryError::Http(e) => e.is_service_failure(),
            RegistryError::GitHub(e) => e.is_service_failure(),
            RegistryError::Commit(e) => e.is_service_failure(),
            RegistryError::Catalog(_)
            | RegistryError::Answer { .. }
            | RegistryError::File { .. } => false,
        }
    }
}

/// `template` with `{name}` replaced by the service's name, percent-encoded
/// (registry paths and proxy URLs both name a service this way).
fn fill_name(template: &str, name: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    template.replace("{name}", &encoded)
}

/// One registry, whichever backend.
pub enum Registry {
    File(file::FileRegistry),
    Http(http::HttpRegistry),
}

impl Registry {
    /// Where the registry is, for messages.
    pub fn describe(&self) -> String {
        match self {
            Registry::File(f) => f.describe(),
            Registry::Http(h) => h.describe(),
        }
    }

    /// Every registered service.
    pub async fn list(&self) -> Result<Catalog, RegistryError> {
        match self {
            Registry::File(f) => f.list().await,
            Registry::Http(h) => h.list().await,
        }
    }

    /// One service, `None` if it is not registered.
    pub async fn get(&self, name: &str) -> Result<Option<Service>, RegistryError> {
        match self {
            Registry::File(f) => Ok(f
                .list()
                .await?
                .services
                .into_iter()
                .find(|s| s.name == name)),
            Registry::Http(h) => h.get(name).await,
        }
    }

    /// Registers `registration` (an update in place when the name exists),
    /// with `status` when it is known already.
    pub async fn register(
        &self,
        registration: &Registration,
        status: Option<Status>,
        now: &str,
    ) -> Result<(), RegistryError> {
        match self {
            Registry::File(f) => f.register(registration, status, now).await,
            Registry::Http(h) => {
                h.register(registration).await?;
                match status {
                    Some(status) => h.set_status(&registration.name, status).await,
                    None => Ok(()),
                }
            }
        }
    }

    /// Records new statuses (one commit for a file registry; one PATCH per
    /// service, `concurrency` at a time, over HTTP). Returns how many
    /// services were updated.
    pub async fn set_statuses(
        &self,
        statuses: &BTreeMap<String, Status>,
        now: &str,
        concurrency: usize,
    ) -> Result<usize, RegistryError> {
        if statuses.is_empty() {
            return Ok(0);
        }
        match self {
            Registry::File(f) => f.set_statuses(statuses, now).await,
            Registry::Http(h) => h.set_statuses(statuses, concurrency).await,
        }
    }
}
