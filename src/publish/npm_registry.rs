//! The npm registry requests of the `publish` stage, as data: the document
//! `npm publish` PUTs, and what a packument says about a version already
//! there. Pure; `adapters::npm` sends them.
//!
//! The document follows libnpmpublish: `_id`, `name`, `description`,
//! `dist-tags` with the one tag, `versions` with the version's manifest
//! (`package.json` plus `_id` and `dist`), `_attachments` with the tarball in
//! base64, and `access`. One difference: npm rewrites an https tarball URL to
//! http in `dist.tarball`; this keeps the registry's scheme (registries
//! rewrite the field anyway).

use super::Presence;
use super::npm_tarball::NpmTarball;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use url::Url;

/// Who may install a scoped package (`npm publish --access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    Restricted,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Restricted => "restricted",
        }
    }
}

/// `registry` made to end in `/`, so that joining keeps its path
/// (`https://npm.example.com/api/npm/` + `pets`).
pub fn registry_base(registry: &Url) -> Url {
    let mut base = registry.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base.set_query(None);
    base.set_fragment(None);
    base
}

/// The package's URL on the registry: `@scope/name` travels as `@scope%2fname`.
pub fn package_url(registry: &Url, name: &str) -> Url {
    let escaped = name.replacen('/', "%2f", 1);
    registry_base(registry)
        .join(&escaped)
        .expect("a checked npm package name is a valid URL path segment")
}

/// The body of `PUT <package_url>` that publishes `tarball` under `tag`.
pub fn publish_document(
    tarball: &NpmTarball,
    registry: &Url,
    tag: &str,
    access: Option<Access>,
) -> Value {
    let attachment = tarball.attachment_name();
    let tarball_url = registry_base(registry)
        .join(&format!("{}/-/{attachment}", tarball.name))
        .expect("a checked npm package name is a valid URL path");
    let mut manifest: Map<String, Value> = tarball.manifest.clone();
    manifest.insert(
        "_id".into(),
        json!(format!("{}@{}", tarball.name, tarball.version)),
    );
    manifest.insert(
        "dist".into(),
        json!({
            "integrity": tarball.integrity,
            "shasum": tarball.shasum,
            "tarball": tarball_url.as_str(),
        }),
    );
    let version = tarball.version.to_string();
    let mut document = json!({
        "_id": tarball.name,
        "name": tarball.name,
        "dist-tags": { tag: version },
        "versions": { version.clone(): manifest },
        "_attachments": {
            attachment: {
                "content_type": "application/octet-stream",
                "data": STANDARD.encode(&tarball.bytes),
                "length": tarball.bytes.len(),
            }
        },
    });
    if let Some(description) = tarball.manifest.get("description") {
        document["description"] = description.clone();
    }
    if let Some(access) = access {
        document["access"] = json!(access.as_str());
    }
    document
}

/// The tag a version goes out under when none is given: pre-releases go to
/// `next`, so that `npm install name` keeps getting the latest release.
pub fn default_tag(version: &semver::Version) -> &'static str {
    if version.pre.is_empty() {
        "latest"
    } else {
        "next"
    }
}

/// Why a packument could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the registry's document for {name} is not a packument: {reason}")]
pub struct PackumentError {
    pub name: String,
    pub reason: String,
}

/// Whether `tarball`'s version is in the packument `body` (the answer to
/// `GET <package_url>`), and with which content. A version without
/// `dist.integrity` is compared by `dist.shasum`, as old registries record
/// only that.
pub fn presence_in_packument(
    body: &[u8],
    tarball: &NpmTarball,
) -> Result<Presence, PackumentError> {
    let fail = |reason: &str| PackumentError {
        name: tarball.name.clone(),
        reason: reason.to_owned(),
    };
    let doc: Value = serde_json::from_slice(body).map_err(|e| fail(&e.to_string()))?;
    let versions = match doc.get("versions") {
        None | Some(Value::Null) => return Ok(Presence::Missing),
        Some(Value::Object(v)) => v,
        Some(_) => return Err(fail("`versions` is not an object")),
    };
    let Some(published) = versions.get(&tarball.version.to_string()) else {
        return Ok(Presence::Missing);
    };
    let dist = published.get("dist");
    let field = |name: &str| dist.and_then(|d| d.get(name)).and_then(Value::as_str);
    let (ours, theirs) = match (field("integrity"), field("shasum")) {
        (Some(integrity), _) => (&tarball.integrity, integrity),
        (None, Some(shasum)) => (&tarball.shasum, shasum),
        (None, None) => return Err(fail("the version has no dist.integrity or dist.shasum")),
    };
    Ok(Presence::compare(ours, theirs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::{PackageFiles, npm_tarball};

    fn tarball(name: &str, version: &str) -> NpmTarball {
        let files: PackageFiles = [
            (
                "package.json".to_owned(),
                format!(r#"{{"name":"{name}","version":"{version}","description":"Pets"}}"#)
                    .into_bytes(),
            ),
            ("index.js".to_owned(), b"export {};\n".to_vec()),
        ]
        .into();
        npm_tarball::build(&files, 0).unwrap()
    }

    #[test]
    fn urls_keep_the_registry_path_and_escape_scopes() {
        let registry = Url::parse("https://npm.example.com/api/npm").unwrap();
        assert_eq!(
            package_url(&registry, "@acme/pets").as_str(),
            "https://npm.example.com/api/npm/@acme%2fpets"
        );
        let root = Url::parse("http://127.0.0.1:4873/").unwrap();
        assert_eq!(
            package_url(&root, "pets").as_str(),
            "http://127.0.0.1:4873/pets"
        );
    }

    #[test]
    fn the_document_npm_publish_sends() {
        let t = tarball("@acme/pets", "1.2.0");
        let registry = Url::parse("https://registry.example.com/").unwrap();
        let doc = publish_document(&t, &registry, "latest", Some(Access::Public));
        assert_eq!(doc["_id"], "@acme/pets");
        assert_eq!(doc["name"], "@acme/pets");
        assert_eq!(doc["description"], "Pets");
        assert_eq!(doc["access"], "public");
        assert_eq!(doc["dist-tags"], json!({"latest": "1.2.0"}));
        let version = &doc["versions"]["1.2.0"];
        assert_eq!(version["_id"], "@acme/pets@1.2.0");
        assert_eq!(version["name"], "@acme/pets");
        assert_eq!(version["dist"]["integrity"], t.integrity.as_str());
        assert_eq!(version["dist"]["shasum"], t.shasum.as_str());
        assert_eq!(
            version["dist"]["tarball"],
            "https://registry.example.com/@acme/pets/-/@acme/pets-1.2.0.tgz"
        );
        let attachment = &doc["_attachments"]["@acme/pets-1.2.0.tgz"];
        assert_eq!(attachment["content_type"], "application/octet-stream");
        assert_eq!(attachment["length"], t.bytes.len());
        let data = STANDARD
            .decode(attachment["data"].as_str().unwrap())
            .unwrap();
        assert_eq!(data, t.bytes);
        let without = publish_document(&t, &registry, "next", None);
        assert!(without.get("access").is_none());
        assert_eq!(without["dist-tags"], json!({"next": "1.2.0"}));
    }

    #[test]
    fn pre_releases_default_to_next() {
        assert_eq!(default_tag(&"1.0.0".parse().unwrap()), "latest");
        assert_eq!(default_tag(&"1.0.0-rc.1".parse().unwrap()), "next");
    }

    #[test]
    fn packument_presence() {
        let t = tarball("pets", "1.0.0");
        let packument = |dist: Value| {
            serde_json::to_vec(
                &json!({"name": "pets", "versions": {"1.0.0": {"dist": dist}, "0.9.0": {}}}),
            )
            .unwrap()
        };
        let same = packument(json!({"integrity": t.integrity, "shasum": t.shasum}));
        assert_eq!(presence_in_packument(&same, &t).unwrap(), Presence::Same);
        let other = packument(json!({"integrity": "sha512-other", "shasum": t.shasum}));
        assert_eq!(
            presence_in_packument(&other, &t).unwrap(),
            Presence::Different {
                published: "sha512-other".into(),
                built: t.integrity.clone()
            }
        );
        let legacy = packument(json!({"shasum": t.shasum}));
        assert_eq!(presence_in_packument(&legacy, &t).unwrap(), Presence::Same);
        let newer = tarball("pets", "1.1.0");
        assert_eq!(
            presence_in_packument(&same, &newer).unwrap(),
            Presence::Missing
        );
        assert!(presence_in_packument(b"<html>", &t).is_err());
        assert!(presence_in_packument(&packument(json!({})), &t).is_err());
    }
}
