//! The http backend: a registry server implementing
//! `contracts/registry.yaml`, with configurable paths. Reads go through the
//! shared downloader (retries, size cap, address checks); writes are sent
//! with [`Downloader::send_once`] and retried here, which is safe because
//! both are idempotent (a registration is an upsert by name; a status is a
//! value, not a delta). The token travels to the registry's origin only.

use super::RegistryError;
use crate::adapters::http::{Credential, Downloader, HttpError, Upload};
use crate::catalog::model::{self, Catalog, Registration, Service, Status};
use futures_util::StreamExt as _;
use std::collections::BTreeMap;
use std::time::Duration;
use url::Url;

/// The contract's paths; `{name}` stands for the service's name.
#[derive(Debug, Clone)]
pub struct Paths {
    pub register: String,
    pub services: String,
    pub service: String,
    pub status: String,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            register: "/api/register".into(),
            services: "/api/services".into(),
            service: "/api/services/{name}".into(),
            status: "/api/services/{name}/status".into(),
        }
    }
}

pub struct HttpRegistry {
    pub base: Url,
    pub paths: Paths,
    pub client: Downloader,
    pub credential: Option<Credential>,
    /// Attempts per write, the first included.
    pub write_attempts: u32,
}

impl HttpRegistry {
    pub fn describe(&self) -> String {
        self.base.to_string()
    }

    /// `path` (with `{name}` filled in, percent-encoded) under the base URL.
    fn url(&self, path: &str, name: Option<&str>) -> Result<Url, RegistryError> {
        let path = match name {
            Some(name) => super::fill_name(path, name),
            None => path.to_owned(),
        };
        self.base.join(&path).map_err(|e| RegistryError::Answer {
            what: format!("registry path {path:?}"),
            reason: e.to_string(),
        })
    }

    pub async fn list(&self) -> Result<Catalog, RegistryError> {
        let url = self.url(&self.paths.services, None)?;
        let answer = self.client.get(&url, self.credential.as_ref()).await?;
        Ok(model::parse_catalog(&answer.bytes, url.as_str())?)
    }

    pub async fn get(&self, name: &str) -> Result<Option<Service>, RegistryError> {
        let url = self.url(&self.paths.service, Some(name))?;
        let answer = match self.client.get(&url, self.credential.as_ref()).await {
            Ok(answer) => answer,
            Err(e) if e.status() == Some(404) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let service: Service =
            serde_json::from_slice(&answer.bytes).map_err(|e| RegistryError::Answer {
                what: format!("{url}: service {name:?}"),
                reason: format!("not a service record: {e}"),
            })?;
        Ok(Some(service))
    }

    pub async fn register(&self, registration: &Registration) -> Result<(), RegistryError> {
        let url = self.url(&self.paths.register, None)?;
        let body = serde_json::to_vec(registration).expect("a registration serialises");
        self.write(reqwest::Method::POST, url, body).await
    }

    pub async fn set_status(&self, name: &str, status: Status) -> Result<(), RegistryError> {
        let url = self.url(&self.paths.status, Some(name))?;
        let body = serde_json::to_vec(&serde_json::json!({"status": status})).expect("json");
        self.write(reqwest::Method::PATCH, url, body).await
    }

    /// One PATCH per service, `concurrency` at a time; the first failure
    /// is returned after every request has finished.
    pub async fn set_statuses(
        &self,
        statuses: &BTreeMap<String, Status>,
        concurrency: usize,
    ) -> Result<usize, RegistryError> {
        let results: Vec<Result<(), RegistryError>> = futures_util::stream::iter(statuses)
            .map(|(name, status)| self.set_status(name, *status))
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        let mut done = 0;
        for result in results {
            result?;
            done += 1;
        }
        Ok(done)
    }

    async fn write(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Vec<u8>,
    ) -> Result<(), RegistryError> {
        let upload = Upload {
            method,
            url,
            headers: vec![("content-type", "application/json".into())],
            body,
        };
        let mut attempt = 1;
        loop {
            match self
                .client
                .send_once(&upload, self.credential.as_ref())
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) if e.is_retryable() && attempt < self.write_attempts => {
                    let wait = backoff(attempt, &e);
                    tracing::warn!("{e}; retrying in {:.1}s", wait.as_secs_f64());
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// 0.5 s, 1 s, 2 s, ... up to 10 s, or what `Retry-After` asked (capped).
fn backoff(attempt: u32, error: &HttpError) -> Duration {
    let planned = Duration::from_millis(500 * 2u64.pow(attempt.saturating_sub(1).min(5)));
    error
        .retry_after()
        .unwrap_or(planned)
        .min(Duration::from_secs(10))
}
