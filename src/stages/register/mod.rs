//! The `register` stage: the post-deploy step of a shared deploy workflow.
//! It registers the service (an update in place when it exists), waits
//! until its health endpoint answers and it is discoverable, then marks it
//! `active` (or `inactive` when it never became healthy). With
//! `check_only` it is the pre-deploy gate and writes nothing.
//!
//! A registration must not fail a deployment: unless `fail_on_error` is
//! set, every failure is a warning and the outputs say what failed.
//!
//! `observe` reads the service's manifest (`package.json`, `Cargo.toml`,
//! `pyproject.toml`) first and builds the registration from it and the
//! request ([`plan::registration`]): a missing version fails the run there,
//! before the registry is asked anything. Then it reads the registry.

pub mod apply;
pub mod plan;
pub mod request;
pub mod setup;

use super::shape::{self, Failure, Stage};
use super::{Context, Report};
use crate::actions::{Annotation, Outputs};
use crate::catalog::manifest::{self, Manifest};
use crate::cli::RegisterArgs;
use anyhow::Result;
use plan::{Observed, Plan, Registering, Unreachable};
use request::RegisterRequest;
use std::fmt::Write as _;

shape::stage!(Register = "register",
    args: RegisterArgs, request: RegisterRequest, plan: Plan, outputs: [
    "registered", "healthy", "discoverable", "status", "ready",
]);

impl Stage for Register {
    async fn observe(request: &RegisterRequest, ctx: &Context) -> Result<Observed> {
        // An early error, not a plan: the inputs are wrong whatever the
        // registry says.
        let registration = plan::registration(&request.service, read_manifest(ctx)?)?;
        let unreachable = |e: &dyn std::fmt::Display, service_failure| Unreachable {
            reason: e.to_string(),
            service_failure,
        };
        let registry = match request.registry.open(ctx).await {
            Ok(registry) => registry,
            Err(e) => {
                let service = crate::exit::code_for(&e) == crate::exit::SERVICE_FAILED;
                return Ok(Observed {
                    registration,
                    target: "the registry".into(),
                    existing: Err(unreachable(&format!("{e:#}"), service)),
                    discovery: None,
                });
            }
        };
        let name = &request.service.name;
        let existing = registry
            .get(name)
            .await
            .map_err(|e| unreachable(&e, e.is_service_failure()));
        let discovery = match (&request.registry.discovery, request.check_only) {
            (Some(url), true) => Some(
                request
                    .registry
                    .discovery_prober()?
                    .discovery(url)
                    .await
                    .map(|names| names.contains(name)),
            ),
            _ => None,
        };
        Ok(Observed {
            registration,
            target: registry.describe(),
            existing,
            discovery,
        })
    }

    async fn apply(request: RegisterRequest, plan: Plan, ctx: &Context) -> Result<Report> {
        match plan {
            Plan::Gate {
                target,
                existing,
                discovery,
            } => Ok(gate(&request, &target, existing, discovery, ctx)),
            Plan::Unreachable {
                target,
                why,
                version,
            } => Ok(outcome(
                &request,
                ctx,
                Outcome {
                    target,
                    version,
                    error: Some(why),
                    ..Outcome::default()
                },
            )),
            Plan::Register(registering) => {
                let o = register_and_verify(&request, ctx, registering).await?;
                Ok(outcome(&request, ctx, o))
            }
        }
    }
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

/// Registers, verifies, and records the status.
async fn register_and_verify(
    request: &RegisterRequest,
    ctx: &Context,
    plan: Registering,
) -> Result<Outcome> {
    let (target, registration) = (plan.target, &plan.registration);
    let registry = request.registry.open(ctx).await?;
    let now = ctx.clock.rfc3339();
    if let Err(e) = registry.register(registration, None, &now).await {
        let why = Unreachable {
            reason: format!("registering {} in {target} failed: {e}", registration.name),
            service_failure: e.is_service_failure(),
        };
        return Ok(Outcome {
            target,
            version: registration.version.clone(),
            error: Some(why),
            ..Outcome::default()
        });
    }
    tracing::info!(
        "{} {} {} in {target}",
        if plan.existed {
            "updated"
        } else {
            "registered"
        },
        registration.name,
        registration.version
    );
    let health = plan.health.as_deref();
    let verified = apply::verify(request, &registry, health, plan.discovery.as_ref()).await?;
    let status = apply::status(&verified);
    let statuses = std::collections::BTreeMap::from([(registration.name.clone(), status)]);
    let error = registry
        .set_statuses(&statuses, &ctx.clock.rfc3339(), 1)
        .await
        .err()
        .map(|e| Unreachable {
            reason: format!("recording the status of {} failed: {e}", registration.name),
            service_failure: e.is_service_failure(),
        });
    Ok(Outcome {
        target,
        version: registration.version.clone(),
        registered: true,
        existed: plan.existed,
        verified: Some(verified),
        status: error.is_none().then_some(status),
        error,
    })
}

/// What a registration run came to.
#[derive(Default)]
struct Outcome {
    target: String,
    /// The version registered (or that was to be).
    version: String,
    registered: bool,
    existed: bool,
    verified: Option<apply::Verified>,
    status: Option<crate::catalog::model::Status>,
    error: Option<Unreachable>,
}

/// The report of a registration: outputs, summary, and the failure when
/// `fail_on_error` is set and something failed (else warnings).
fn outcome(request: &RegisterRequest, ctx: &Context, o: Outcome) -> Report {
    let name = &request.service.name;
    let healthy = o.verified.as_ref().is_some_and(|v| v.healthy);
    let discoverable = o.verified.as_ref().is_some_and(|v| v.discoverable);
    let mut problems = Vec::new();
    if let Some(e) = &o.error {
        problems.push(e.reason.clone());
    }
    if let Some(v) = &o.verified {
        if !v.healthy {
            problems.push(format!(
                "{name} did not become healthy within {}s ({})",
                request.verify_timeout.as_secs(),
                v.health_detail.as_deref().unwrap_or("no 2xx answer")
            ));
        }
        if !v.discoverable {
            problems.push(format!(
                "{name} is not discoverable after {}s{}",
                request.verify_timeout.as_secs(),
                v.discovery_detail
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ));
        }
    }
    let mut outputs = Outputs::new();
    outputs
        .set("registered", o.registered)
        .set("healthy", healthy)
        .set("discoverable", discoverable)
        .set("status", o.status.map(|s| s.as_str()).unwrap_or(""));
    let rows = [
        ("Registry", o.target.clone()),
        ("Service", format!("`{name}` {}", o.version)),
        (
            "Registered",
            yes_no(
                o.registered,
                if o.existed { " (updated in place)" } else { "" },
            ),
        ),
        ("Healthy", yes_no(healthy, "")),
        ("Discoverable", yes_no(discoverable, "")),
        (
            "Status",
            o.status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "unchanged".into()),
        ),
    ];
    let mut summary = String::from("### specrelay register\n\n");
    summary.push_str(&steps_diagram(
        o.registered,
        healthy,
        discoverable,
        o.status,
    ));
    summary.push_str(&table(&rows));
    let failure = finish(request, ctx, &problems, o.error.as_ref(), &mut summary);
    Report {
        outputs,
        summary,
        stdout: None,
        failure,
    }
}

/// Warnings, or a failure with `fail_on_error`.
fn finish(
    request: &RegisterRequest,
    ctx: &Context,
    problems: &[String],
    error: Option<&Unreachable>,
    summary: &mut String,
) -> Option<Failure> {
    if problems.is_empty() {
        return None;
    }
    summary.push('\n');
    for p in problems {
        let _ = writeln!(summary, "- ⚠️ {p}");
    }
    if !request.fail_on_error {
        for p in problems {
            ctx.runtime
                .annotate(&Annotation::warning(p.clone()).with_title("register"));
        }
        return None;
    }
    let message = problems.join("; ");
    Some(if error.is_some_and(|e| e.service_failure) {
        Failure::service(message)
    } else {
        Failure::policy(message)
    })
}

/// `--check-only`: readiness, and whether the service is registered.
fn gate(
    request: &RegisterRequest,
    target: &str,
    existing: Result<Option<crate::catalog::model::Service>, Unreachable>,
    discovery: Option<Result<bool, String>>,
    ctx: &Context,
) -> Report {
    let name = &request.service.name;
    let mut problems = Vec::new();
    let (reachable, registered, status) = match &existing {
        Ok(service) => (
            true,
            service.is_some(),
            service.as_ref().and_then(|s| s.status),
        ),
        Err(e) => {
            problems.push(format!("{target} is not reachable: {}", e.reason));
            (false, false, None)
        }
    };
    let discoverable = match &discovery {
        Some(Ok(listed)) => *listed,
        Some(Err(e)) => {
            problems.push(e.clone());
            false
        }
        None => registered,
    };
    let ready = problems.is_empty();
    let mut outputs = Outputs::new();
    outputs
        .set("ready", ready)
        .set("registered", registered)
        .set("discoverable", discoverable)
        .set("status", status.map(|s| s.as_str()).unwrap_or(""));
    let rows = [
        (
            "Registry",
            format!(
                "{target}: {}",
                if reachable {
                    "reachable"
                } else {
                    "not reachable"
                }
            ),
        ),
        (
            "Discovery document",
            match &discovery {
                Some(Ok(_)) => "readable".to_owned(),
                Some(Err(_)) => "not readable".to_owned(),
                None => "none (file registry)".to_owned(),
            },
        ),
        (
            "Service",
            format!(
                "`{name}` {}",
                if registered {
                    "is registered"
                } else {
                    "is not registered yet"
                }
            ),
        ),
        ("Ready", yes_no(ready, "")),
    ];
    let mut summary = String::from("### specrelay register --check-only\n\n");
    summary.push_str(&table(&rows));
    let error = existing.as_ref().err();
    let failure = finish(request, ctx, &problems, error, &mut summary);
    Report {
        outputs,
        summary,
        stdout: None,
        failure,
    }
}

fn yes_no(value: bool, note: &str) -> String {
    format!("{}{note}", if value { "✅ yes" } else { "❌ no" })
}

fn table(rows: &[(&str, String)]) -> String {
    let mut md = String::from("| | |\n|---|---|\n");
    for (k, v) in rows {
        let _ = writeln!(md, "| {k} | {} |", v.replace('|', "\\|"));
    }
    md
}

/// register -> healthy -> discoverable -> status, each step coloured.
fn steps_diagram(
    registered: bool,
    healthy: bool,
    discoverable: bool,
    status: Option<crate::catalog::model::Status>,
) -> String {
    let class = |ok: bool| if ok { "ok" } else { "failed" };
    let status_text = status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "unchanged".into());
    format!(
        "```mermaid\nflowchart LR\n  classDef ok fill:#d4f7d4,stroke:#2a7d2a\n  classDef failed fill:#ffd6d6,stroke:#b00020\n  r[\"registered\"]:::{} --> h[\"healthy\"]:::{} --> d[\"discoverable\"]:::{} --> s[\"status: {status_text}\"]:::{}\n```\n\n",
        class(registered),
        class(healthy),
        class(discoverable),
        class(status == Some(crate::catalog::model::Status::Active)),
    )
}
