//! `register`'s decision, pure: the pre-deploy gate's verdict, or the
//! registration to write and what to verify afterwards, or nothing when the
//! registry could not be read.

use super::request::RegisterRequest;
use crate::catalog::model::{Registration, Service};
use crate::stages::shape::{Decide, Describe};
use url::Url;

/// What `observe` read.
pub struct Observed {
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
    Unreachable { target: String, why: Unreachable },
}

impl Decide for Plan {
    type Request = RegisterRequest;
    type Observed = Observed;
    fn decide(request: &RegisterRequest, observed: Observed) -> anyhow::Result<Self> {
        Ok(decide(
            &request.registration,
            request.check_only,
            request.registry.discovery.as_ref(),
            observed,
        ))
    }
}

pub fn decide(
    registration: &Registration,
    check_only: bool,
    discovery: Option<&Url>,
    observed: Observed,
) -> Plan {
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
        },
        Ok(existing) => Plan::Register(Registering {
            target: observed.target,
            registration: registration.clone(),
            existed: existing.is_some(),
            health: registration.endpoints.get("health").cloned(),
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
            Plan::Unreachable { target, why } => {
                vec![format!(
                    "nothing: {target} could not be read: {}",
                    why.reason
                )]
            }
        }
    }
}
