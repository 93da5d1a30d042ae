//! What `reconcile` makes of its checks, with no I/O: one health check's two
//! attempts become healthy, flapping (failed, then answered) or unhealthy;
//! a reported version that differs from the registered one is drift; the
//! service's new status follows. Also the shard a service belongs to and
//! the report, its counts and the merge of several shards' reports.

use super::model::{Service, Status};
use super::routes::Conflict;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One request to a health (or proxy) endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// The HTTP status, when the service answered in time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why there is no 2xx answer (timeout, refused, HTTP 500, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The JSON body's `version`, when the answer had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub millis: u64,
}

impl Attempt {
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The version a health answer reports: a top-level JSON string `version`.
pub fn reported_version(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let version = value.get("version")?.as_str()?.trim();
    (!version.is_empty()).then(|| version.to_owned())
}

/// What two attempts at most say about a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// The first attempt answered 2xx in time.
    Healthy,
    /// The first attempt failed and the retry answered: a flap, not an outage.
    Flapping,
    /// Both attempts failed (or there is no health endpoint).
    Unhealthy,
}

impl Health {
    pub fn from_attempts(first: &Attempt, retry: Option<&Attempt>) -> Health {
        match (first.ok(), retry.map(Attempt::ok)) {
            (true, _) => Health::Healthy,
            (false, Some(true)) => Health::Flapping,
            _ => Health::Unhealthy,
        }
    }

    /// Flapping counts as healthy: the service answered within the retry.
    pub fn is_up(self) -> bool {
        self != Health::Unhealthy
    }
}

/// Everything `reconcile` found about one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceResult {
    pub name: String,
    pub registered_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_version: Option<String>,
    pub health: Health,
    /// The failed attempt's reason, for unhealthy and flapping services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub drift: bool,
    /// Whether the proxy answered 2xx, when a proxy template is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_ok: Option<bool>,
    /// The number of MCP tools, for services with an `mcp` endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_tools: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<Status>,
    pub status: Status,
}

/// What was observed for one service, before classification.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// `None` when the service has no health endpoint.
    pub first: Option<Attempt>,
    pub retry: Option<Attempt>,
    pub proxy: Option<Attempt>,
    pub mcp: Option<Result<usize, String>>,
}

/// Health, drift and the new status of `service` from what was observed.
pub fn classify(service: &Service, seen: Observation) -> ServiceResult {
    let (health, answer, detail) = match &seen.first {
        None => (
            Health::Unhealthy,
            None,
            Some("no `health` endpoint registered".to_owned()),
        ),
        Some(first) => {
            let health = Health::from_attempts(first, seen.retry.as_ref());
            let answer = if first.ok() {
                Some(first)
            } else {
                seen.retry.as_ref()
            };
            let detail = (!first.ok()).then(|| failure_reason(first));
            (health, answer.filter(|a| a.ok()), detail)
        }
    };
    let reported_version = answer.and_then(|a| a.version.clone());
    let drift = reported_version
        .as_deref()
        .is_some_and(|v| !same_version(v, &service.version));
    let proxy_ok = seen.proxy.as_ref().map(Attempt::ok);
    let (mcp_tools, mcp_error) = match seen.mcp {
        Some(Ok(n)) => (Some(n), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let status = if !health.is_up() {
        Status::Inactive
    } else if drift || proxy_ok == Some(false) || mcp_error.is_some() {
        Status::Degraded
    } else {
        Status::Active
    };
    ServiceResult {
        name: service.name.clone(),
        registered_version: service.version.clone(),
        reported_version,
        health,
        detail,
        drift,
        proxy_ok,
        mcp_tools,
        mcp_error,
        previous_status: service.status,
        status,
    }
}

fn failure_reason(attempt: &Attempt) -> String {
    match (&attempt.error, attempt.status) {
        (Some(e), _) => e.clone(),
        (None, Some(s)) => format!("HTTP {s}"),
        (None, None) => "no answer".to_owned(),
    }
}

/// `1.2.0` and `v1.2.0` are the same version.
fn same_version(a: &str, b: &str) -> bool {
    let trim = |v: &str| v.trim().trim_start_matches('v').to_owned();
    trim(a) == trim(b)
}

/// `shard: k/n`: the k-th (1-based) of n stable shares of the services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("shard {text:?} is not k/n with 1 <= k <= n (for example 2/8)");
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether `name` falls in this shard: FNV-1a of the name modulo n, so
    /// the split never changes between runs or machines.
    pub fn contains(&self, name: &str) -> bool {
        (fnv1a(name.as_bytes()) % u64::from(self.count)) as u32 == self.index - 1
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The counts of a report, as the outputs carry them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub healthy: usize,
    pub unhealthy: usize,
    pub drift: usize,
    /// Conflicting pairs.
    pub conflict: usize,
    pub degraded: usize,
}

/// `reconcile`'s JSON report (`report_path`); also what `--merge-reports`
/// reads back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub generated_at: String,
    /// `k/n` for one shard's report; absent for a whole or merged report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Services in the registry (all shards).
    pub registered: usize,
    pub counts: Counts,
    pub services: Vec<ServiceResult>,
    pub conflicts: Vec<Conflict>,
}

impl Report {
    pub fn new(
        generated_at: String,
        shard: Option<Shard>,
        registered: usize,
        mut services: Vec<ServiceResult>,
        conflicts: Vec<Conflict>,
    ) -> Report {
        services.sort_by(|a, b| a.name.cmp(&b.name));
        let counts = counts(&services, conflicts.len());
        Report {
            generated_at,
            shard: shard.map(|s| s.to_string()),
            registered,
            counts,
            services,
            conflicts,
        }
    }

    /// Anything unhealthy, degraded (drift, proxy, MCP) or conflicting.
    pub fn has_problems(&self) -> bool {
        self.counts.unhealthy + self.counts.degraded + self.counts.conflict > 0
    }

    /// The statuses to record: every service whose status changes.
    pub fn status_changes(&self) -> BTreeMap<String, Status> {
        self.services
            .iter()
            .filter(|s| s.previous_status != Some(s.status))
            .map(|s| (s.name.clone(), s.status))
            .collect()
    }
}

fn counts(services: &[ServiceResult], conflicts: usize) -> Counts {
    let mut counts = Counts {
        conflict: conflicts,
        ..Counts::default()
    };
    for s in services {
        if s.health.is_up() {
            counts.healthy += 1;
        } else {
            counts.unhealthy += 1;
        }
        counts.drift += usize::from(s.drift);
        counts.degraded += usize::from(s.status == Status::Degraded);
    }
    counts
}

/// Why shard reports cannot be merged.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error("no reports to merge: the pattern matched no file")]
    Empty,
    #[error(
        "service {name:?} is in two reports ({first} and {second}); were the shards overlapping?"
    )]
    Overlap {
        name: String,
        first: String,
        second: String,
    },
}

/// One report from several shards' (`(file name, report)`): services
/// united (a service in two reports is an error naming both), conflicts
/// united, the newest time, counts recomputed.
pub fn merge(reports: Vec<(String, Report)>) -> Result<Report, MergeError> {
    if reports.is_empty() {
        return Err(MergeError::Empty);
    }
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut services = Vec::new();
    let mut conflicts = std::collections::BTreeSet::new();
    let mut generated_at = String::new();
    let mut registered = 0;
    for (file, report) in reports {
        generated_at = generated_at.max(report.generated_at);
        registered = registered.max(report.registered);
        conflicts.extend(report.conflicts);
        for service in report.services {
            if let Some(first) = seen.insert(service.name.clone(), file.clone()) {
                return Err(MergeError::Overlap {
                    name: service.name,
                    first,
                    second: file,
                });
            }
            services.push(service);
        }
    }
    Ok(Report::new(
        generated_at,
        None,
        registered,
        services,
        conflicts.into_iter().collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::Registration;

    fn attempt(status: Option<u16>, version: Option<&str>) -> Attempt {
        Attempt {
            status,
            error: status.is_none().then(|| "timed out".to_owned()),
            version: version.map(Into::into),
            millis: 1,
        }
    }

    fn service(name: &str) -> Service {
        let mut s = Service::new(
            Registration {
                name: name.into(),
                version: "1.0.0".into(),
                description: String::new(),
                endpoints: Default::default(),
                capabilities: vec![],
                routes: vec![],
                deployment: None,
            },
            "t",
        );
        s.status = Some(Status::Active);
        s
    }

    fn observe(first: Attempt, retry: Option<Attempt>) -> Observation {
        Observation {
            first: Some(first),
            retry,
            ..Observation::default()
        }
    }

    #[test]
    fn a_flap_is_healthy_and_an_outage_inactive() {
        let s = service("a");
        let ok = classify(&s, observe(attempt(Some(200), None), None));
        assert_eq!((ok.health, ok.status), (Health::Healthy, Status::Active));
        let flap = classify(
            &s,
            observe(attempt(Some(500), None), Some(attempt(Some(204), None))),
        );
        assert_eq!(
            (flap.health, flap.status),
            (Health::Flapping, Status::Active)
        );
        assert_eq!(flap.detail.as_deref(), Some("HTTP 500"));
        let down = classify(
            &s,
            observe(attempt(None, None), Some(attempt(Some(503), None))),
        );
        assert_eq!(
            (down.health, down.status),
            (Health::Unhealthy, Status::Inactive)
        );
        assert_eq!(down.detail.as_deref(), Some("timed out"));
        let none = classify(&s, Observation::default());
        assert_eq!(none.status, Status::Inactive);
    }

    #[test]
    fn another_version_is_drift_and_degrades() {
        let s = service("a");
        let drift = classify(&s, observe(attempt(Some(200), Some("2.0.0")), None));
        assert!(drift.drift);
        assert_eq!(drift.status, Status::Degraded);
        let same = classify(&s, observe(attempt(Some(200), Some("v1.0.0")), None));
        assert!(!same.drift);
        assert_eq!(
            reported_version(br#"{"status":"ok","version":"3.1.0"}"#).as_deref(),
            Some("3.1.0")
        );
        assert_eq!(reported_version(b"OK"), None);
    }

    #[test]
    fn shards_split_every_name_exactly_once() {
        let shards: Vec<Shard> = (1..=4)
            .map(|k| Shard::parse(&format!("{k}/4")).unwrap())
            .collect();
        for i in 0..1000 {
            let name = format!("service-{i}");
            assert_eq!(shards.iter().filter(|s| s.contains(&name)).count(), 1);
        }
        let sizes: Vec<usize> = shards
            .iter()
            .map(|s| {
                (0..1000)
                    .filter(|i| s.contains(&format!("service-{i}")))
                    .count()
            })
            .collect();
        assert!(sizes.iter().all(|n| (180..=320).contains(n)), "{sizes:?}");
        assert!(Shard::parse("0/4").is_err());
        assert!(Shard::parse("5/4").is_err());
        assert!(Shard::parse("x").is_err());
    }

    #[test]
    fn merged_reports_recount_and_refuse_overlaps() {
        let s = service("a");
        let up = classify(&s, observe(attempt(Some(200), None), None));
        let down = classify(
            &service("b"),
            observe(attempt(Some(500), None), Some(attempt(Some(500), None))),
        );
        let one = Report::new(
            "t1".into(),
            Shard::parse("1/2").ok(),
            2,
            vec![up.clone()],
            vec![],
        );
        let two = Report::new("t2".into(), Shard::parse("2/2").ok(), 2, vec![down], vec![]);
        let merged = merge(vec![("1.json".into(), one.clone()), ("2.json".into(), two)]).unwrap();
        assert_eq!(merged.counts.healthy, 1);
        assert_eq!(merged.counts.unhealthy, 1);
        assert_eq!(merged.generated_at, "t2");
        assert!(merged.has_problems());
        let err = merge(vec![("1.json".into(), one.clone()), ("x.json".into(), one)]).unwrap_err();
        assert!(
            err.to_string()
                .contains("\"a\" is in two reports (1.json and x.json)")
        );
        assert_eq!(merge(vec![]).unwrap_err(), MergeError::Empty);
    }
}
