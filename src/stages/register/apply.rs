//! `register` carried out: write the registration, then poll (with
//! backoff, up to `verify_timeout`) until the health endpoint answers 2xx
//! and the service is discoverable, then record its status.

use super::request::RegisterRequest;
use crate::adapters::service_registry::Registry;
use crate::adapters::service_registry::probe::Prober;
use crate::catalog::model::Status;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use url::Url;

/// The first pause between verification rounds; doubles up to the cap.
const FIRST_WAIT: Duration = Duration::from_secs(1);
const MAX_WAIT: Duration = Duration::from_secs(30);
/// One health request's timeout while verifying.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// What verification found.
#[derive(Debug, Default)]
pub struct Verified {
    pub healthy: bool,
    pub discoverable: bool,
    /// The last health failure, for the message.
    pub health_detail: Option<String>,
    pub discovery_detail: Option<String>,
}

/// Polls until healthy and discoverable, or until the deadline.
pub async fn verify(
    request: &RegisterRequest,
    registry: &Registry,
    health: Option<&str>,
    discovery: Option<&Url>,
) -> anyhow::Result<Verified> {
    let name = &request.service.name;
    let prober = request
        .registry
        .prober(CHECK_TIMEOUT.min(request.verify_timeout.max(Duration::from_secs(1))))?;
    let discovery_prober = request.registry.discovery_prober()?;
    let deadline = Instant::now() + request.verify_timeout;
    let mut wait = FIRST_WAIT;
    let mut found = Verified {
        health_detail: health.is_none().then(|| "no health endpoint".to_owned()),
        ..Verified::default()
    };
    loop {
        if !found.healthy
            && let Some(url) = health
        {
            let attempt = prober.check(url).await;
            found.healthy = attempt.ok();
            found.health_detail = attempt.error;
        }
        if !found.discoverable {
            let seen = discovered(registry, &discovery_prober, discovery, name).await;
            found.discoverable = seen.as_ref().is_ok_and(|s| *s);
            found.discovery_detail = seen.err();
        }
        let done = found.healthy && found.discoverable;
        if done || Instant::now() + wait > deadline {
            return Ok(found);
        }
        tracing::info!(
            "{name}: healthy={} discoverable={}; checking again in {}s",
            found.healthy,
            found.discoverable,
            wait.as_secs()
        );
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(MAX_WAIT);
    }
}

/// Whether the discovery document (or, without one, the registry itself)
/// lists `name`.
async fn discovered(
    registry: &Registry,
    prober: &Prober,
    discovery: Option<&Url>,
    name: &str,
) -> Result<bool, String> {
    match discovery {
        Some(url) => prober
            .discovery(url)
            .await
            .map(|names: BTreeSet<String>| names.contains(name)),
        None => registry
            .get(name)
            .await
            .map(|s| s.is_some())
            .map_err(|e| e.to_string()),
    }
}

/// The status a verified registration gets.
pub fn status(verified: &Verified) -> Status {
    if verified.healthy {
        Status::Active
    } else {
        Status::Inactive
    }
}
