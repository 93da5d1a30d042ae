//! `register`'s decision, pure: the registration, from the request and the
//! service's manifest; then the pre-deploy gate's verdict, or the
//! registration to write and what to verify afterwards, or nothing when the
//! registry could not be read.

use super::request::{RegisterRequest, ServiceInputs};
use crate::catalog::manifest::{self, Manifest};
use crate::catalog::model::{self, Registration, Service};
use crate::stages::shape::{Decide, Describe};
use anyhow::{Result, bail};
use url::Url;

/// What `observe` read.
pub struct Observed {
    /// The registration, the request's inputs defaulted from the manifest.
    pub registration: Registration,
    /// The registry, as the messages name it.
    pub target: String,
    /// The service's current entry; `Err` when the registry could not be read.
    pub existing: Result<Option<Service>, Unreachable>,
    /// `--check-only`: whether the discovery document lists the service.
    pub discovery: Option<Result<bool, String>>,
}

/// A registration to write, and what to verify afterwards.
pub struct Registering {
    /// The registry, as the messages name it.
    pub target: String,
    pub registration: Registration,
    /// The service was registered before (an update).
    pub existed: bool,
    /// The health endpoint to wait for.
    pub health: Option<String>,
    /// The discovery document that must list the service.
    pub discovery: Option<Url>,
}

/// Why the registry could not be used.
#[derive(Debug, Clone)]
pub struct Unreachable {
    pub reason: String,
    /// The registry failed (exit code 3), rather than the request.
    pub service_failure: bool,
}

pub enum Plan {
    /// `--check-only`: report readiness, write nothing.
    Gate {
        target: String,
        existing: Result<Option<Service>, Unreachable>,
        discovery: Option<Result<bool, String>>,
    },
    /// Register (or update), then verify health and discoverability.
    Register(Registering),
    /// The registry could not be read; nothing is written.
    Unreachable {
        target: String,
        why: Unreachable,
        /// The version that was to be registered, for the report.
        version: String,
    },
}

/// The registration: the service's inputs, the version and description
/// defaulting to the manifest's, checked. Called by `observe` before the
/// registry is asked anything, so that a missing version is the user's
/// error (exit code 1) whatever the registry's state.
pub fn registration(service: &ServiceInputs, manifest: Option<Manifest>) -> Result<Registration> {
    let (manifest_version, manifest_description) = manifest
        .map(|m| (m.version, m.description))
        .unwrap_or_default();
    let Some(version) = service.version.clone().or(manifest_version) else {
        bail!(
            "service_version is needed: none of {} in the workspace gives a version",
            manifest::FILES.join(", ")
        );
    };
    let registration = Registration {
        name: service.name.clone(),
        version,
        description: service
            .description
            .clone()
            .or(manifest_description)
            .unwrap_or_default(),
        endpoints: service.endpoints.clone(),
        capabilities: service.capabilities.clone(),
        routes: service.routes.clone(),
        deployment: Some(service.deployment.clone()),
    };
    model::check_registration(&registration)
        .map_err(|e| anyhow::anyhow!("service {:?}: {e}", registration.name))?;
    Ok(registration)
}

impl Decide for Plan {
    type Request = RegisterRequest;
    type Observed = Observed;
    fn decide(request: &RegisterRequest, observed: Observed) -> Result<Self> {
        Ok(decide(
            request.check_only,
            request.registry.discovery.as_ref(),
            observed,
        ))
    }
}

pub fn decide(check_only: bool, discovery: Option<&Url>, observed: Observed) -> Plan {
    if check_only {
        return Plan::Gate {
            target: observed.target,
            existing: observed.existing,
            discovery: observed.discovery,
        };
    }
    match observed.existing {
        Err(why) => Plan::Unreachable {
            target: observed.target,
            why,
            version: observed.registration.version,
        },
        Ok(existing) => Plan::Register(Registering {
            target: observed.target,
            health: observed.registration.endpoints.get("health").cloned(),
            registration: observed.registration,
            existed: existing.is_some(),
            discovery: discovery.cloned(),
        }),
    }
}

impl Registering {
    /// The registration, then the checks after it.
    fn describe(&self) -> Vec<String> {
        let name = &self.registration.name;
        let mut lines = vec![format!(
            "{} {name} {} in {}",
            if self.existed { "update" } else { "register" },
            self.registration.version,
            self.target
        )];
        if let Some(health) = &self.health {
            lines.push(format!("wait for {health} to answer 2xx"));
        }
        match &self.discovery {
            Some(url) => lines.push(format!("wait for {url} to list {name}")),
            None => lines.push(format!("read {} back to see {name}", self.target)),
        }
        lines.push(format!("set the status of {name} (active when healthy)"));
        lines
    }
}

impl Describe for Plan {
    fn describe(&self) -> Vec<String> {
        match self {
            Plan::Gate { target, .. } => vec![format!(
                "check that {target} is reachable and the discovery document readable (writes nothing)"
            )],
            Plan::Register(plan) => plan.describe(),
            Plan::Unreachable { target, why, .. } => {
                vec![format!(
                    "nothing: {target} could not be read: {}",
                    why.reason
                )]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::Deployment;
    use std::collections::BTreeMap;

    fn service(version: Option<&str>, description: Option<&str>) -> ServiceInputs {
        ServiceInputs {
            name: "pets".into(),
            version: version.map(str::to_owned),
            description: description.map(str::to_owned),
            endpoints: BTreeMap::from([(
                "health".into(),
                "https://pets.example.com/health".into(),
            )]),
            capabilities: vec![],
            routes: vec!["/pets".into()],
            deployment: Deployment::default(),
        }
    }

    fn manifest(version: Option<&str>, description: Option<&str>) -> Option<Manifest> {
        Some(Manifest {
            file: "package.json",
            version: version.map(str::to_owned),
            description: description.map(str::to_owned),
        })
    }

    #[test]
    fn the_inputs_win_and_the_manifest_fills_in() {
        let given = registration(
            &service(Some("1.2.0"), Some("")),
            manifest(Some("9.9.9"), Some("Pets")),
        );
        let given = given.unwrap();
        assert_eq!(
            (given.version.as_str(), given.description.as_str()),
            ("1.2.0", "")
        );
        let defaulted =
            registration(&service(None, None), manifest(Some("2.0.0"), Some("Pets"))).unwrap();
        assert_eq!(
            (defaulted.version.as_str(), defaulted.description.as_str()),
            ("2.0.0", "Pets")
        );
        assert_eq!(defaulted.deployment, Some(Deployment::default()));
    }

    #[test]
    fn a_missing_version_or_a_bad_route_is_an_error() {
        for manifest in [None, manifest(None, Some("Pets"))] {
            let err = registration(&service(None, None), manifest).unwrap_err();
            assert_eq!(
                err.to_string(),
                "service_version is needed: none of package.json, Cargo.toml, pyproject.toml in the workspace gives a version"
            );
        }
        let mut bad_route = service(Some("1.0.0"), None);
        bad_route.routes = vec!["pets".into()];
        let err = registration(&bad_route, None).unwrap_err().to_string();
        assert!(err.starts_with("service \"pets\": route"), "{err}");
    }
}
