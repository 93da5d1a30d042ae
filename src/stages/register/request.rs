//! `register`'s inputs -> a validated request: the service as the inputs
//! describe it (name, the version and description as given, endpoints,
//! capabilities, routes) and the run's `GITHUB_*` metadata. Reads nothing:
//! the service's own manifest, which defaults the version and description,
//! is read by `observe`, and the registration is built from both there.

use super::setup::{self, RegistrySetup};
use crate::catalog::model::{self, Deployment};
use crate::cli::RegisterArgs;
use crate::stages::Context;
use crate::stages::common::inputs::{non_blank, split_list};
use anyhow::{Context as _, Result, bail};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct RegisterRequest {
    pub service: ServiceInputs,
    pub check_only: bool,
    pub verify_timeout: Duration,
    pub fail_on_error: bool,
    pub registry: RegistrySetup,
}

/// The service as the inputs describe it; `observe` completes it from the
/// manifest into the registration ([`registration`](super::plan::registration)).
pub struct ServiceInputs {
    pub name: String,
    /// `service_version`, when given (not blank); else the manifest's.
    pub version: Option<String>,
    /// `service_description`, when given; else the manifest's.
    pub description: Option<String>,
    pub endpoints: BTreeMap<String, String>,
    pub capabilities: Vec<String>,
    pub routes: Vec<String>,
    pub deployment: Deployment,
}

/// The stage's first step (see [`shape`](crate::stages::shape)): the raw
/// arguments and the run's context -> the validated request.
pub fn request(args: RegisterArgs, ctx: &Context) -> Result<RegisterRequest> {
    let name = match &args.service_name {
        Some(name) => name.trim().to_owned(),
        None => ctx
            .env
            .repository
            .as_deref()
            .and_then(|full| full.rsplit_once('/'))
            .map(|(_, name)| name.to_ascii_lowercase())
            .context("service_name is needed (there is no $GITHUB_REPOSITORY to take it from)")?,
    };
    model::check_name(&name).map_err(|e| anyhow::anyhow!("service_name: {e}"))?;
    Ok(RegisterRequest {
        service: ServiceInputs {
            name,
            version: non_blank(args.service_version.as_deref()).map(str::to_owned),
            description: args.service_description,
            endpoints: endpoints(args.endpoints.as_deref(), args.service_url.as_deref())?,
            capabilities: split_list(args.capabilities.as_deref()),
            routes: split_list(args.routes.as_deref()),
            deployment: Deployment {
                commit: ctx.env.sha.clone(),
                branch: ctx.env.branch().map(str::to_owned),
                deployed_at: Some(ctx.clock.rfc3339()),
                workflow_run: ctx.env.run_url(),
                repository: ctx.env.repository.clone(),
            },
        },
        check_only: args.check_only,
        verify_timeout: Duration::from_secs(args.verify_timeout),
        fail_on_error: args.fail_on_error,
        registry: setup::setup(args.registry, ctx)?,
    })
}

/// `endpoints` (a YAML or JSON mapping), with `health` defaulting to
/// `{service_url}/health`.
fn endpoints(text: Option<&str>, service_url: Option<&str>) -> Result<BTreeMap<String, String>> {
    let mut endpoints: BTreeMap<String, String> =
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => serde_yaml::from_str(text).map_err(|e| {
                anyhow::anyhow!(
                    "endpoints is not a mapping of names to URLs (`health: https://...`): {e}"
                )
            })?,
            None => BTreeMap::new(),
        };
    if !endpoints.contains_key("health") {
        let Some(base) = service_url.map(str::trim).filter(|u| !u.is_empty()) else {
            bail!(
                "set service_url (the health endpoint defaults to {{service_url}}/health) or endpoints.health"
            );
        };
        url::Url::parse(base).with_context(|| format!("service_url {base:?} is not a URL"))?;
        endpoints.insert(
            "health".into(),
            format!("{}/health", base.trim_end_matches('/')),
        );
    }
    Ok(endpoints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_defaults_to_the_service_url() {
        let e = endpoints(None, Some("https://pets.example.com/")).unwrap();
        assert_eq!(e["health"], "https://pets.example.com/health");
        let e = endpoints(
            Some("{\"health\": \"https://h/ok\", \"mcp\": \"https://h/mcp\"}"),
            None,
        )
        .unwrap();
        assert_eq!(e.len(), 2);
        assert!(
            endpoints(None, None)
                .unwrap_err()
                .to_string()
                .contains("service_url")
        );
        assert!(
            endpoints(Some("- a\n- b"), None)
                .unwrap_err()
                .to_string()
                .contains("not a mapping")
        );
    }
}
