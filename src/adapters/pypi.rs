//! A Python package index, for the `publish` stage: the simple-index query
//! (is this file there, with which sha256) and the legacy upload (the
//! multipart POST twine sends). The requests are built in
//! [`crate::publish::pypi_upload`]; this only sends them.

use super::http::{Credential, Downloader, HttpError, Upload};
use super::package_registry::{PublishError, Target};
use crate::publish::Presence;
use crate::publish::pypi_upload::{self, Distribution};
use crate::publish::pyproject::PyProject;
use secrecy::SecretString;
use url::Url;

/// One index: where uploads go, where its simple pages are, and the login.
pub struct PypiRepository<'a> {
    http: &'a Downloader,
    upload_url: Url,
    index_url: Url,
    credential: Credential,
}

impl<'a> PypiRepository<'a> {
    /// `username` is `__token__` for PyPI API tokens. The login goes to the
    /// upload URL's origin only; the index is read with it only when it is
    /// on the same origin (PyPI's is not, and is public).
    pub fn new(
        http: &'a Downloader,
        upload_url: Url,
        index_url: Url,
        username: &str,
        password: SecretString,
    ) -> Self {
        let credential = Credential::basic(upload_url.origin(), username, password);
        PypiRepository {
            http,
            upload_url,
            index_url,
            credential,
        }
    }

    pub fn upload_url(&self) -> &Url {
        &self.upload_url
    }

    /// Whether `dist` is on the project's index page, with the same sha256.
    pub async fn presence(
        &self,
        project: &PyProject,
        dist: &Distribution<'_>,
    ) -> Result<Presence, PublishError> {
        let page = pypi_upload::project_page(&self.index_url, &project.name);
        let what = || format!("{} on {}", dist.file_name, self.index_url);
        let headers = [
            ("accept", pypi_upload::SIMPLE_ACCEPT),
            ("cache-control", "max-age=0"),
        ];
        let found = match self
            .http
            .get_with(&page, Some(&self.credential), &headers)
            .await
        {
            Ok(found) => found,
            Err(e) if e.status() == Some(404) => return Ok(Presence::Missing),
            Err(e) => {
                return Err(PublishError::Http {
                    what: what(),
                    source: e,
                });
            }
        };
        let unreadable = |reason: String| PublishError::Unreadable {
            what: what(),
            reason,
        };
        let files = pypi_upload::index_files(found.content_type.as_deref(), &found.bytes)
            .map_err(|e| unreadable(e.to_string()))?;
        pypi_upload::presence_in_index(&files, dist).map_err(|e| unreadable(e.to_string()))
    }

    /// One legacy-API upload of `dist`.
    pub async fn upload(
        &self,
        project: &PyProject,
        dist: &Distribution<'_>,
    ) -> Result<(), HttpError> {
        let form = pypi_upload::upload_form(project, dist);
        let upload = Upload {
            method: reqwest::Method::POST,
            url: self.upload_url.clone(),
            headers: vec![("content-type", form.content_type)],
            body: form.body,
        };
        self.http
            .send_once(&upload, Some(&self.credential))
            .await
            .map(drop)
    }

    /// `dist` of `project`, as a [`Target`] for [`super::package_registry::publish`].
    pub fn target<'r>(&'r self, project: &'r PyProject, dist: Distribution<'r>) -> PypiTarget<'r> {
        PypiTarget {
            repository: self,
            project,
            dist,
        }
    }
}

/// One distribution file bound for one index.
pub struct PypiTarget<'r> {
    repository: &'r PypiRepository<'r>,
    project: &'r PyProject,
    dist: Distribution<'r>,
}

impl Target for PypiTarget<'_> {
    fn describe(&self) -> String {
        format!("{} on {}", self.dist.file_name, self.repository.upload_url)
    }

    async fn presence(&self) -> Result<Presence, PublishError> {
        self.repository.presence(self.project, &self.dist).await
    }

    async fn upload(&self) -> Result<(), HttpError> {
        self.repository.upload(self.project, &self.dist).await
    }
}
