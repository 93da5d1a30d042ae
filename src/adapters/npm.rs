//! The npm registry over its HTTP API, for the `publish` stage: the packument
//! query (is this version there, with which integrity) and the publish PUT,
//! as `npm publish` sends it. The requests are built in
//! [`crate::publish::npm_registry`]; this only sends them.

use super::http::{Credential, Downloader, HttpError, Upload};
use super::package_registry::{PublishError, Target};
use crate::publish::Presence;
use crate::publish::npm_registry::{self, Access};
use crate::publish::npm_tarball::NpmTarball;
use secrecy::SecretString;
use url::Url;

/// Abbreviated packuments are enough (they carry `dist`) and much smaller;
/// a registry without them answers with the full document.
const PACKUMENT_ACCEPT: &str =
    "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";

/// One registry, and the token for it.
pub struct NpmRegistry<'a> {
    http: &'a Downloader,
    registry: Url,
    credential: Option<Credential>,
}

impl<'a> NpmRegistry<'a> {
    /// `token` is sent as `Authorization: Bearer`, to the registry's origin only.
    pub fn new(http: &'a Downloader, registry: Url, token: Option<SecretString>) -> Self {
        let credential = token.map(|t| Credential::bearer(registry.origin(), t));
        NpmRegistry {
            http,
            registry,
            credential,
        }
    }

    pub fn url(&self) -> &Url {
        &self.registry
    }

    /// Whether `tarball`'s version is published, and with the same integrity.
    pub async fn presence(&self, tarball: &NpmTarball) -> Result<Presence, PublishError> {
        let url = npm_registry::package_url(&self.registry, &tarball.name);
        let what = || format!("{}@{} on {}", tarball.name, tarball.version, self.registry);
        let headers = [("accept", PACKUMENT_ACCEPT), ("cache-control", "no-cache")];
        match self
            .http
            .get_with(&url, self.credential.as_ref(), &headers)
            .await
        {
            Ok(found) => npm_registry::presence_in_packument(&found.bytes, tarball).map_err(|e| {
                PublishError::Unreadable {
                    what: what(),
                    reason: e.to_string(),
                }
            }),
            Err(e) if e.status() == Some(404) => Ok(Presence::Missing),
            Err(e) => Err(PublishError::Http {
                what: what(),
                source: e,
            }),
        }
    }

    /// One `PUT` of the publish document.
    pub async fn upload(
        &self,
        tarball: &NpmTarball,
        tag: &str,
        access: Option<Access>,
    ) -> Result<(), HttpError> {
        let document = npm_registry::publish_document(tarball, &self.registry, tag, access);
        let upload = Upload {
            method: reqwest::Method::PUT,
            url: npm_registry::package_url(&self.registry, &tarball.name),
            headers: vec![
                ("content-type", "application/json".into()),
                ("accept", "application/json".into()),
                ("npm-command", "publish".into()),
            ],
            body: serde_json::to_vec(&document).expect("a JSON value serialises"),
        };
        self.http
            .send_once(&upload, self.credential.as_ref())
            .await
            .map(drop)
    }

    /// `tarball` under `tag`, as a [`Target`] for [`super::package_registry::publish`].
    pub fn target<'r>(
        &'r self,
        tarball: &'r NpmTarball,
        tag: &'r str,
        access: Option<Access>,
    ) -> NpmTarget<'r> {
        NpmTarget {
            registry: self,
            tarball,
            tag,
            access,
        }
    }
}

/// One tarball bound for one registry.
pub struct NpmTarget<'r> {
    registry: &'r NpmRegistry<'r>,
    tarball: &'r NpmTarball,
    tag: &'r str,
    access: Option<Access>,
}

impl Target for NpmTarget<'_> {
    fn describe(&self) -> String {
        format!(
            "npm package {}@{} on {}",
            self.tarball.name, self.tarball.version, self.registry.registry
        )
    }

    async fn presence(&self) -> Result<Presence, PublishError> {
        self.registry.presence(self.tarball).await
    }

    async fn upload(&self) -> Result<(), HttpError> {
        self.registry
            .upload(self.tarball, self.tag, self.access)
            .await
    }
}
