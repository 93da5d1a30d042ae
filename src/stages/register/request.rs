//! `register`'s inputs -> a validated request: the registration built from
//! the inputs, the service's own manifest (`package.json`, `Cargo.toml`,
//! `pyproject.toml`) and the run's `GITHUB_*` metadata.

use super::setup::{self, RegistrySetup};
use crate::catalog::manifest::{self, Manifest};
use crate::catalog::model::{self, Deployment, Registration};
use crate::cli::RegisterArgs;
use crate::stages::Context;
use crate::stages::common::inputs::split_list;
use anyhow::{Context as _, Result, bail};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct RegisterRequest {
    pub registration: Registration,
    pub check_only: bool,
    pub verify_timeout: Duration,
    pub fail_on_error: bool,
    pub registry: RegistrySetup,
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
    let manifest = read_manifest(ctx)?;
    let version = match (
        &args.service_version,
        manifest.as_ref().and_then(|m| m.version.clone()),
    ) {
        (Some(v), _) if !v.trim().is_empty() => v.trim().to_owned(),
        (_, Some(v)) => v,
        _ => bail!(
            "service_version is needed: none of {} in the workspace gives a version",
            manifest::FILES.join(", ")
        ),
    };
    let description = args
        .service_description
        .clone()
        .or_else(|| manifest.as_ref().and_then(|m| m.description.clone()))
        .unwrap_or_default();
    let endpoints = endpoints(args.endpoints.as_deref(), args.service_url.as_deref())?;
    let registration = Registration {
        name,
        version,
        description,
        endpoints,
        capabilities: split_list(args.capabilities.as_deref()),
        routes: split_list(args.routes.as_deref()),
        deployment: Some(Deployment {
            commit: ctx.env.sha.clone(),
            branch: ctx.env.branch().map(str::to_owned),
            deployed_at: Some(ctx.clock.rfc3339()),
            workflow_run: ctx.env.run_url(),
            repository: ctx.env.repository.clone(),
        }),
    };
    model::check_registration(&registration)
        .map_err(|e| anyhow::anyhow!("service {:?}: {e}", registration.name))?;
    Ok(RegisterRequest {
        registration,
        check_only: args.check_only,
        verify_timeout: Duration::from_secs(args.verify_timeout),
        fail_on_error: args.fail_on_error,
        registry: setup::setup(args.registry, ctx)?,
    })
}

/// The first manifest in the workspace, if any.
fn read_manifest(ctx: &Context) -> Result<Option<Manifest>> {
    for file in manifest::FILES {
        let path = ctx.workspace.join(file);
        if let Some(bytes) = crate::adapters::fs::read_optional(&path)? {
            let text = String::from_utf8_lossy(&bytes);
            return manifest::parse(file, &text)
                .map(Some)
                .map_err(anyhow::Error::msg);
        }
    }
    Ok(None)
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
