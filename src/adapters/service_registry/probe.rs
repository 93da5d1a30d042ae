//! Requests to the services themselves: health checks (a per-request
//! timeout, one retry after a failure so that a flap is told from an
//! outage), proxy checks, MCP's JSON-RPC `tools/list`, and the discovery
//! document. [`Prober::observe_all`] runs every service's checks with at
//! most `concurrency` services in flight, so at most that many requests.

use crate::adapters::http::{Downloader, FetchPolicy, HttpError, Upload};
use crate::catalog::model::Service;
use crate::catalog::reconcile::{self, Attempt, Observation};
use futures_util::StreamExt as _;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use url::Url;

/// Largest health, proxy or MCP answer read.
pub const MAX_ANSWER_BYTES: u64 = 1024 * 1024;
/// The pause before the one retry of a failed check.
const RETRY_DELAY: Duration = Duration::from_millis(200);

/// What to check besides health.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// `https://api.example.com/{name}/api/health`.
    pub proxy_url_template: Option<String>,
    /// Call `tools/list` on services with an `mcp` endpoint.
    pub mcp: bool,
}

pub struct Prober {
    client: Downloader,
}

impl Prober {
    /// A prober whose every request may take `timeout` in all and read
    /// `max_bytes` (named `size_setting` in errors).
    pub fn new(
        timeout: Duration,
        (max_bytes, size_setting): (u64, &'static str),
        allow_http: bool,
        allow_private_network: bool,
    ) -> anyhow::Result<Prober> {
        let policy = FetchPolicy {
            allow_http,
            allow_private_network,
            max_bytes,
            size_setting,
            attempt_timeout: timeout,
            timeout_setting: "check_timeout",
            connect_timeout: timeout,
            max_attempts: 1,
            ..FetchPolicy::default()
        };
        Ok(Prober {
            client: Downloader::new(policy)?,
        })
    }

    /// One GET; any failure is in the attempt, not an error.
    pub async fn check(&self, url: &str) -> Attempt {
        let started = Instant::now();
        let result = match Url::parse(url) {
            Ok(url) => self.client.get(&url, None).await,
            Err(e) => Err(HttpError::Refused {
                url: url.to_owned(),
                reason: format!("not a URL: {e}"),
            }),
        };
        let millis = started.elapsed().as_millis() as u64;
        match result {
            Ok(answer) => Attempt {
                status: Some(200),
                error: None,
                version: reconcile::reported_version(&answer.bytes),
                millis,
            },
            Err(e) => Attempt {
                status: e.status(),
                error: Some(short_reason(&e)),
                version: None,
                millis,
            },
        }
    }

    /// A check, and one retry if it failed.
    pub async fn check_twice(&self, url: &str) -> (Attempt, Option<Attempt>) {
        let first = self.check(url).await;
        if first.ok() {
            return (first, None);
        }
        tokio::time::sleep(RETRY_DELAY).await;
        let retry = self.check(url).await;
        (first, Some(retry))
    }

    /// Every check of one service.
    pub async fn observe(&self, service: &Service, extras: &Extras) -> Observation {
        let mut seen = Observation::default();
        if let Some(health) = service.endpoints.get("health") {
            let (first, retry) = self.check_twice(health).await;
            seen.first = Some(first);
            seen.retry = retry;
        }
        if let Some(template) = &extras.proxy_url_template {
            let url = super::fill_name(template, &service.name);
            let (first, retry) = self.check_twice(&url).await;
            seen.proxy = Some(retry.unwrap_or(first));
        }
        if extras.mcp
            && let Some(mcp) = service.endpoints.get("mcp")
        {
            seen.mcp = Some(self.mcp_tools(mcp).await);
        }
        seen
    }

    /// Every service's observation, in the order given, with at most
    /// `concurrency` services checked at a time.
    pub async fn observe_all(
        &self,
        services: &[&Service],
        extras: &Extras,
        concurrency: usize,
    ) -> Vec<Observation> {
        let mut results: Vec<(usize, Observation)> =
            futures_util::stream::iter(services.iter().enumerate())
                .map(|(i, service)| async move { (i, self.observe(service, extras).await) })
                .buffer_unordered(concurrency.max(1))
                .collect()
                .await;
        results.sort_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, o)| o).collect()
    }

    /// MCP's JSON-RPC `tools/list` at `url`: the number of tools. Accepts
    /// a JSON answer or a one-event `text/event-stream` (Streamable HTTP).
    pub async fn mcp_tools(&self, url: &str) -> Result<usize, String> {
        let url = Url::parse(url).map_err(|e| format!("mcp endpoint {url:?} is not a URL: {e}"))?;
        let upload = Upload {
            method: reqwest::Method::POST,
            url: url.clone(),
            headers: vec![
                ("content-type", "application/json".into()),
                ("accept", "application/json, text/event-stream".into()),
            ],
            body: br#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#.to_vec(),
        };
        let answer = self
            .client
            .send_once(&upload, None)
            .await
            .map_err(|e| short_reason(&e))?;
        tool_count(&answer.bytes)
    }

    /// POSTs an empty JSON object to `url` (a discovery cache's refresh
    /// endpoint); once, since a refresh that did happen need not repeat.
    pub async fn refresh(&self, url: &Url) -> Result<(), String> {
        let upload = Upload {
            method: reqwest::Method::POST,
            url: url.clone(),
            headers: vec![("content-type", "application/json".into())],
            body: b"{}".to_vec(),
        };
        self.client
            .send_once(&upload, None)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// The names a discovery document lists.
    pub async fn discovery(&self, url: &Url) -> Result<BTreeSet<String>, String> {
        let answer = self
            .client
            .get(url, None)
            .await
            .map_err(|e| e.to_string())?;
        discovered_names(&answer.bytes).map_err(|e| format!("the discovery document {url} {e}"))
    }
}

/// The reason of a failed request, without the URL (the table names the
/// service).
fn short_reason(e: &HttpError) -> String {
    match e {
        HttpError::Status { status, .. } => format!("HTTP {status}"),
        HttpError::Timeout { after, .. } => format!("no answer within {}s", after.as_secs_f64()),
        HttpError::Connect { .. } => "connection refused or unreachable".into(),
        other => {
            let text = other.to_string();
            text.split_once(": ")
                .map(|(_, r)| r.to_owned())
                .unwrap_or(text)
        }
    }
}

/// `result.tools.length` of a JSON-RPC answer, plain or as SSE `data:` lines.
pub fn tool_count(body: &[u8]) -> Result<usize, String> {
    let text = String::from_utf8_lossy(body);
    let json: Vec<&str> = if text.trim_start().starts_with('{') {
        vec![text.as_ref()]
    } else {
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(str::trim)
            .collect()
    };
    for candidate in json {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(candidate) else {
            continue;
        };
        if let Some(error) = value.get("error") {
            return Err(format!(
                "tools/list failed: {}",
                error["message"].as_str().unwrap_or("error")
            ));
        }
        if let Some(tools) = value["result"]["tools"].as_array() {
            return Ok(tools.len());
        }
    }
    Err("tools/list: the answer has no result.tools".into())
}

/// Service names in a discovery document: `{"services": [...]}` (the
/// catalog's shape) or a bare array, of objects with `name` or of strings.
pub fn discovered_names(body: &[u8]) -> Result<BTreeSet<String>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("is not JSON: {e}"))?;
    let list = match &value {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Object(map) => match map.get("services") {
            Some(serde_json::Value::Array(list)) => list,
            Some(serde_json::Value::Object(by_name)) => {
                return Ok(by_name.keys().cloned().collect());
            }
            _ => return Err("has no `services` list".into()),
        },
        _ => return Err("is neither a list nor an object with `services`".into()),
    };
    Ok(list
        .iter()
        .filter_map(|item| match item {
            serde_json::Value::String(name) => Some(name.clone()),
            other => other.get("name")?.as_str().map(str::to_owned),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_are_counted_in_json_and_event_streams() {
        assert_eq!(
            tool_count(
                br#"{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"a"},{"name":"b"}]}}"#
            ),
            Ok(2)
        );
        let sse =
            b"event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}\n\n";
        assert_eq!(tool_count(sse), Ok(0));
        assert!(
            tool_count(br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"nope"}}"#)
                .unwrap_err()
                .contains("nope")
        );
    }

    #[test]
    fn discovery_documents_in_each_shape() {
        let names = |b: &[u8]| discovered_names(b).unwrap().into_iter().collect::<Vec<_>>();
        assert_eq!(
            names(br#"{"services":[{"name":"a"},{"name":"b"}]}"#),
            vec!["a", "b"]
        );
        assert_eq!(names(br#"["a"]"#), vec!["a"]);
        assert_eq!(names(br#"{"services":{"x":{}}}"#), vec!["x"]);
        assert!(
            discovered_names(b"<html>")
                .unwrap_err()
                .contains("is not JSON")
        );
    }
}
