//! The catalog: what a registry holds about each service, in exactly the
//! shape of the contract's `GET /api/services` answer
//! (`contracts/registry.yaml`), which is also the file backend's format.
//!
//! Decoding is strict (unknown fields and duplicate names are errors naming
//! the field or the service): a catalog is written by machines, and a typo
//! that is silently dropped would lose data on the next write.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `{"services": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub services: Vec<Service>,
}

/// One registered service: its registration and what the registry adds.
/// (Spelled out rather than `#[serde(flatten)]`ed: serde cannot deny
/// unknown fields through a flatten.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub endpoints: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Deployment>,
    /// What the last check found; absent until a check or a registration set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// When the registration was first made (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_at: Option<String>,
    /// When the registration or the status last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// What `POST /api/register` carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `health`, `api`, `mcp`, ... -> URL.
    #[serde(default)]
    pub endpoints: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// Path prefixes the service answers under (`/pets`, `/api/v1/orders`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Deployment>,
}

/// Where a registration came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_at: Option<String>,
    /// The workflow run's web address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_run: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
}

/// A service's state as the registry records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Degraded,
    Inactive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Degraded => "degraded",
            Status::Inactive => "inactive",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Service {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The registration part (what `POST /api/register` carried).
    pub fn registration(&self) -> Registration {
        Registration {
            name: self.name.clone(),
            version: self.version.clone(),
            description: self.description.clone(),
            endpoints: self.endpoints.clone(),
            capabilities: self.capabilities.clone(),
            routes: self.routes.clone(),
            deployment: self.deployment.clone(),
        }
    }

    /// A new entry for `registration`, first registered `now`.
    pub fn new(registration: Registration, now: &str) -> Service {
        let mut service = Service {
            name: String::new(),
            version: String::new(),
            description: String::new(),
            endpoints: BTreeMap::new(),
            capabilities: Vec::new(),
            routes: Vec::new(),
            deployment: None,
            status: None,
            registered_at: Some(now.to_owned()),
            updated_at: None,
        };
        service.update(registration, now);
        service
    }

    /// Replaces the registration part, keeping status and first registration.
    pub fn update(&mut self, r: Registration, now: &str) {
        self.name = r.name;
        self.version = r.version;
        self.description = r.description;
        self.endpoints = r.endpoints;
        self.capabilities = r.capabilities;
        self.routes = r.routes;
        self.deployment = r.deployment;
        self.updated_at = Some(now.to_owned());
    }
}

/// Why a catalog or a registration is not acceptable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogError {
    #[error("{source_name}: not a service catalog: {reason}")]
    Malformed { source_name: String, reason: String },
    #[error("{source_name}: service {name:?} appears {count} times; names must be unique")]
    Duplicate {
        source_name: String,
        name: String,
        count: usize,
    },
    #[error("{source_name}: service {name:?}: {reason}")]
    Invalid {
        source_name: String,
        name: String,
        reason: String,
    },
}

/// Decodes a catalog (`source_name` names it in errors: a file path or a
/// URL) and checks that every name is valid and unique. serde's own
/// message names an unknown field and where it is (line and column).
pub fn parse_catalog(bytes: &[u8], source_name: &str) -> Result<Catalog, CatalogError> {
    let catalog: Catalog = serde_json::from_slice(bytes).map_err(|e| CatalogError::Malformed {
        source_name: source_name.to_owned(),
        reason: e.to_string(),
    })?;
    check_catalog(&catalog, source_name)?;
    Ok(catalog)
}

/// Every name valid, none twice.
pub fn check_catalog(catalog: &Catalog, source_name: &str) -> Result<(), CatalogError> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for service in &catalog.services {
        check_registration(&service.registration()).map_err(|reason| CatalogError::Invalid {
            source_name: source_name.to_owned(),
            name: service.name().to_owned(),
            reason,
        })?;
        *counts.entry(service.name()).or_default() += 1;
    }
    if let Some((name, count)) = counts.into_iter().find(|(_, n)| *n > 1) {
        return Err(CatalogError::Duplicate {
            source_name: source_name.to_owned(),
            name: name.to_owned(),
            count,
        });
    }
    Ok(())
}

/// A service name is a URL path segment and a file-name-safe word:
/// lowercase letters, digits, `-`, `_`, `.`, 1-100 characters.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the name {name:?} is not valid: use 1-100 lowercase letters, digits, '-', '_' or '.'"
        ))
    }
}

/// The checks every registration passes before it is written anywhere.
pub fn check_registration(registration: &Registration) -> Result<(), String> {
    check_name(&registration.name)?;
    if registration.version.trim().is_empty() {
        return Err("version is empty".into());
    }
    for route in &registration.routes {
        if !route.starts_with('/') {
            return Err(format!("route {route:?} does not start with '/'"));
        }
    }
    for (kind, url) in &registration.endpoints {
        if url::Url::parse(url).is_err() {
            return Err(format!("endpoint {kind} {url:?} is not an absolute URL"));
        }
    }
    Ok(())
}

/// The catalog with `registration` added, or replacing the service of the
/// same name in place (its place in the list, its first registration time
/// and its status are kept). Returns whether the service already existed.
pub fn upsert(catalog: &mut Catalog, registration: Registration, now: &str) -> bool {
    match catalog
        .services
        .iter_mut()
        .find(|s| s.name == registration.name)
    {
        Some(existing) => {
            existing.update(registration, now);
            true
        }
        None => {
            catalog.services.push(Service::new(registration, now));
            false
        }
    }
}

/// Sets the status of each named service that exists; names not in the
/// catalog (removed meanwhile) are skipped. Returns how many changed.
pub fn set_statuses(
    catalog: &mut Catalog,
    statuses: &BTreeMap<String, Status>,
    now: &str,
) -> usize {
    let mut changed = 0;
    for service in &mut catalog.services {
        if let Some(status) = statuses.get(service.name())
            && service.status != Some(*status)
        {
            service.status = Some(*status);
            service.updated_at = Some(now.to_owned());
            changed += 1;
        }
    }
    changed
}

/// The catalog file's bytes: pretty JSON and a final newline, so that a
/// change is a readable diff.
pub fn to_bytes(catalog: &Catalog) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(catalog).expect("a catalog serialises");
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registration(name: &str) -> Registration {
        Registration {
            name: name.into(),
            version: "1.0.0".into(),
            description: String::new(),
            endpoints: BTreeMap::from([("health".into(), "https://x.example/health".into())]),
            capabilities: vec![],
            routes: vec!["/pets".into()],
            deployment: None,
        }
    }

    #[test]
    fn duplicate_names_and_unknown_fields_are_named() {
        let dup = br#"{"services":[{"name":"a","version":"1"},{"name":"a","version":"2"}]}"#;
        let err = parse_catalog(dup, "registry/services.json").unwrap_err();
        assert!(
            err.to_string().contains("service \"a\" appears 2 times"),
            "{err}"
        );
        let unknown = br#"{"services":[{"name":"a","version":"1","helth":"x"}]}"#;
        let err = parse_catalog(unknown, "registry/services.json").unwrap_err();
        assert!(err.to_string().contains("unknown field `helth`"), "{err}");
        let bad_name = br#"{"services":[{"name":"A B","version":"1"}]}"#;
        assert!(
            parse_catalog(bad_name, "f")
                .unwrap_err()
                .to_string()
                .contains("\"A B\"")
        );
    }

    #[test]
    fn upsert_replaces_in_place_and_keeps_status_and_first_time() {
        let mut catalog = Catalog::default();
        assert!(!upsert(&mut catalog, registration("a"), "t1"));
        assert!(!upsert(&mut catalog, registration("b"), "t1"));
        set_statuses(
            &mut catalog,
            &BTreeMap::from([("a".into(), Status::Active)]),
            "t2",
        );
        let mut newer = registration("a");
        newer.version = "2.0.0".into();
        assert!(upsert(&mut catalog, newer, "t3"));
        assert_eq!(catalog.services.len(), 2);
        let a = &catalog.services[0];
        assert_eq!(a.version, "2.0.0");
        assert_eq!(a.status, Some(Status::Active));
        assert_eq!(a.registered_at.as_deref(), Some("t1"));
        assert_eq!(a.updated_at.as_deref(), Some("t3"));
        let round = parse_catalog(&to_bytes(&catalog), "f").unwrap();
        assert_eq!(round, catalog);
    }
}
