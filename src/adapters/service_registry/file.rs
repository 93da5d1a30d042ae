//! The file backend: the catalog as one JSON file shaped like the
//! contract's `GET /api/services` answer. In the workspace it is rewritten
//! atomically; in a repository it is read from the branch and committed
//! through GitHub's API, each attempt recomputed from the branch's head so
//! that two deploys registering at once both land.

use super::RegistryError;
use crate::adapters::fs;
use crate::adapters::github::GitHub;
use crate::adapters::github::commit::{self, Committed, Snapshot};
use crate::adapters::github::rest::{FileChange, RepoName};
use crate::catalog::model::{self, Catalog, Registration, Status};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Ref updates tried before a commit gives up on a branch that keeps moving
/// (many services deploying at once).
const COMMIT_ATTEMPTS: u32 = 12;

/// Largest catalog file read.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

pub enum FileRegistry {
    /// A file in the workspace (absolute path, and as the user named it).
    Workspace { path: PathBuf, display: String },
    /// A file on a branch of a repository.
    Repository(BranchFile),
}

/// A catalog file on a branch of a repository, read and committed through
/// GitHub's API.
pub struct BranchFile {
    pub github: GitHub,
    pub repo: RepoName,
    pub branch: String,
    pub path: String,
}

impl FileRegistry {
    pub fn describe(&self) -> String {
        match self {
            FileRegistry::Workspace { display, .. } => display.clone(),
            FileRegistry::Repository(file) => file.describe(),
        }
    }

    pub async fn list(&self) -> Result<Catalog, RegistryError> {
        match self {
            FileRegistry::Workspace { path, display } => {
                if !path.exists() {
                    return Ok(Catalog::default());
                }
                let bytes = fs::read_capped(path, MAX_FILE_BYTES).map_err(file_error(display))?;
                Ok(model::parse_catalog(&bytes, display)?)
            }
            FileRegistry::Repository(file) => file.list().await,
        }
    }

    pub async fn register(
        &self,
        registration: &Registration,
        status: Option<Status>,
        now: &str,
    ) -> Result<(), RegistryError> {
        let message = format!(
            "registry: register {} {}",
            registration.name, registration.version
        );
        self.change(&message, |catalog| {
            model::upsert(catalog, registration.clone(), now);
            if let Some(status) = status {
                model::set_statuses(
                    catalog,
                    &BTreeMap::from([(registration.name.clone(), status)]),
                    now,
                );
            }
        })
        .await
    }

    pub async fn set_statuses(
        &self,
        statuses: &BTreeMap<String, Status>,
        now: &str,
    ) -> Result<usize, RegistryError> {
        let mut changed = 0;
        let message = format!("registry: status of {} service(s)", statuses.len());
        self.change(&message, |catalog| {
            changed = model::set_statuses(catalog, statuses, now);
        })
        .await?;
        Ok(changed)
    }

    /// Applies `edit` to the catalog as it is now and writes it back.
    async fn change(
        &self,
        message: &str,
        mut edit: impl FnMut(&mut Catalog),
    ) -> Result<(), RegistryError> {
        match self {
            FileRegistry::Workspace { path, display } => {
                let mut catalog = self.list().await?;
                edit(&mut catalog);
                let mut writes = fs::AtomicWrites::new();
                writes.write(path.clone(), model::to_bytes(&catalog));
                writes.commit().map_err(file_error(display))
            }
            FileRegistry::Repository(file) => file.change(message, edit).await,
        }
    }
}

impl BranchFile {
    fn describe(&self) -> String {
        format!("{}@{}:{}", self.repo, self.branch, self.path)
    }

    async fn list(&self) -> Result<Catalog, RegistryError> {
        let bytes = self
            .github
            .file(&self.repo, &self.path, &self.branch)
            .await?;
        read(bytes.as_deref(), &self.describe())
    }

    /// Applies `edit` to the catalog at the branch's head and commits it,
    /// again from the new head when the branch moved meanwhile.
    async fn change(
        &self,
        message: &str,
        mut edit: impl FnMut(&mut Catalog),
    ) -> Result<(), RegistryError> {
        let described = self.describe();
        let committed = commit::commit_to_branch(
            &self.github,
            &self.repo,
            &self.branch,
            message,
            COMMIT_ATTEMPTS,
            async |base: &Snapshot<'_>| {
                let bytes = base.read(&self.path).await?;
                let mut catalog = read(bytes.as_deref(), &described)?;
                edit(&mut catalog);
                Ok(vec![FileChange {
                    path: self.path.clone(),
                    contents: Some(model::to_bytes(&catalog)),
                }])
            },
        )
        .await?;
        if let Committed::Created { sha, attempts } = committed {
            tracing::info!("committed {sha} to {described} ({attempts} attempt(s))");
        }
        Ok(())
    }
}

/// A catalog from a file's bytes; no file is an empty catalog.
fn read(bytes: Option<&[u8]>, name: &str) -> Result<Catalog, RegistryError> {
    match bytes {
        None => Ok(Catalog::default()),
        Some(bytes) => Ok(model::parse_catalog(bytes, name)?),
    }
}

/// A workspace file's I/O error, naming the file as the user named it.
fn file_error(display: &str) -> impl FnOnce(anyhow::Error) -> RegistryError + '_ {
    move |e| RegistryError::File {
        path: display.to_owned(),
        reason: format!("{e:#}"),
    }
}
