//! GitHub's REST API, for the stages that write to repositories (`ingest` and
//! `generate` with `commit`, `downstream`). Only this module talks to GitHub;
//! it decides nothing about what to write.
//!
//! octocrab carries the requests (authentication, the base URL from
//! `GITHUB_API_URL` for GitHub Enterprise Server and tests, rustls). Its raw
//! request methods are used so that every status and header reaches the
//! retry loop here: 5xx answers are retried with exponential backoff and
//! jitter; secondary rate limits (403/429 with `retry-after`) and exhausted
//! primary limits (`x-ratelimit-remaining: 0` until `x-ratelimit-reset`)
//! are waited out, up to a cap. The models in [`rest`] are small and hold
//! only the fields specrelay reads, so a new field on GitHub's side never
//! breaks a run.
//!
//! - [`rest`]: typed wrappers of the endpoints used.
//! - [`commit`]: several file changes as one commit on a branch, re-applied
//!   on a non-fast-forward race.
//! - [`app`]: a GitHub App installation token from `app_id` + `app_private_key`.
//! - [`checks`]: a pull request's state, checks and reviews, for rollout gates.

pub mod app;
pub mod checks;
pub mod commit;
pub mod issues;
pub mod rest;

use backon::Retryable;
use octocrab::Octocrab;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// GitHub.com's API; `GITHUB_API_URL` overrides it.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Retry limits for GitHub requests.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// First backoff delay after a server error; doubles, with jitter.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest rate-limit wait accepted; a longer one fails the request
    /// (an exhausted hourly limit is better reported than slept through).
    pub max_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_rate_limit_wait: Duration::from_secs(120),
        }
    }
}

/// Whether a request may be sent again after a server error. Rate-limit
/// refusals are always retried: GitHub did not process the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Sending it twice does no harm (reads, content-addressed git objects,
    /// ref updates to a given id, label and reviewer sets).
    Safe,
    /// A second send could duplicate its effect (a comment, a dispatch).
    OnlyIfRefused,
}

#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    #[error("GitHub {method} {path}: HTTP {status}: {message}{}", rate_limit_hint(.rate_limited))]
    Status {
        method: &'static str,
        path: String,
        status: u16,
        message: String,
        /// How long GitHub asked to wait, for rate limits.
        retry_after: Option<Duration>,
        rate_limited: bool,
    },
    #[error("GitHub {method} {path}: {reason}")]
    Transport {
        method: &'static str,
        path: String,
        reason: String,
    },
    #[error("GitHub {method} {path}: unexpected answer: {reason}")]
    Decode {
        method: &'static str,
        path: String,
        reason: String,
    },
    #[error("{0}")]
    Setup(String),
}

fn rate_limit_hint(rate_limited: &bool) -> &'static str {
    if *rate_limited {
        " (rate limited; retries exhausted or the wait is too long)"
    } else {
        ""
    }
}

impl GitHubError {
    pub fn status(&self) -> Option<u16> {
        match self {
            GitHubError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The message of a status error (`Update is not a fast forward`).
    pub fn message(&self) -> &str {
        match self {
            GitHubError::Status { message, .. } => message,
            _ => "",
        }
    }

    /// GitHub, not the request, failed: exit code 3.
    pub fn is_service_failure(&self) -> bool {
        match self {
            GitHubError::Status {
                status,
                rate_limited,
                ..
            } => *rate_limited || *status >= 500,
            GitHubError::Transport { .. } => true,
            GitHubError::Decode { .. } | GitHubError::Setup(_) => false,
        }
    }

    fn is_retryable(&self, resend: Resend) -> bool {
        match self {
            GitHubError::Status { rate_limited, .. } if *rate_limited => true,
            GitHubError::Status { status, .. } => {
                resend == Resend::Safe && matches!(status, 500 | 502 | 503 | 504)
            }
            GitHubError::Transport { .. } => resend == Resend::Safe,
            GitHubError::Decode { .. } | GitHubError::Setup(_) => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            GitHubError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// An authenticated client for one GitHub (API) host.
#[derive(Clone)]
pub struct GitHub {
    octocrab: Octocrab,
    policy: RetryPolicy,
}

#[derive(Clone, Copy)]
enum Method {
    Get,
    Post,
    Patch,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

impl GitHub {
    /// A client for `api_url` (`GITHUB_API_URL`) sending `token`. Call it
    /// inside the tokio runtime that will run the requests: the connection
    /// pool's task is spawned on it.
    pub fn new(
        api_url: &str,
        token: &SecretString,
        policy: RetryPolicy,
    ) -> Result<Self, GitHubError> {
        crate::adapters::http::install_crypto_provider();
        let octocrab = Octocrab::builder()
            .base_uri(api_url.trim_end_matches('/'))
            .map_err(|e| {
                GitHubError::Setup(format!("GITHUB_API_URL {api_url:?} is not a URL: {e}"))
            })?
            .personal_token(token.expose_secret().to_owned())
            .set_connect_timeout(Some(Duration::from_secs(15)))
            .set_read_timeout(Some(Duration::from_secs(60)))
            .set_write_timeout(Some(Duration::from_secs(60)))
            .build()
            .map_err(|e| GitHubError::Setup(format!("setting up the GitHub client: {e}")))?;
        Ok(GitHub { octocrab, policy })
    }

    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, GitHubError> {
        self.send(Method::Get, path, None, Resend::Safe).await
    }

    /// A GET whose 404 means "there is none".
    pub(crate) async fn get_optional<T: DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Option<T>, GitHubError> {
        match self.get(path).await {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &Value,
        resend: Resend,
    ) -> Result<T, GitHubError> {
        self.send(Method::Post, path, Some(body), resend).await
    }

    pub(crate) async fn patch<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &Value,
    ) -> Result<T, GitHubError> {
        self.send(Method::Patch, path, Some(body), Resend::Safe)
            .await
    }

    /// A POST whose answer is not read: many write endpoints answer 204 No
    /// Content, and an empty body reads as null.
    pub(crate) async fn post_unread(
        &self,
        path: &str,
        body: &Value,
        resend: Resend,
    ) -> Result<(), GitHubError> {
        self.post::<Value>(path, body, resend).await.map(drop)
    }

    /// A PATCH whose answer is not read.
    pub(crate) async fn patch_unread(&self, path: &str, body: &Value) -> Result<(), GitHubError> {
        self.patch::<Value>(path, body).await.map(drop)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        resend: Resend,
    ) -> Result<T, GitHubError> {
        let backoff = crate::adapters::http::backoff(
            self.policy.base_delay,
            self.policy.max_delay,
            self.policy.max_attempts,
        );
        let cap = self.policy.max_rate_limit_wait;
        let value = (|| async { self.attempt(method, path, body).await })
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|e: &GitHubError| e.is_retryable(resend))
            .adjust(
                |e: &GitHubError, planned| match (planned, e.retry_after()) {
                    (Some(_), Some(wait)) if wait > cap => None,
                    // A little past the reset: GitHub's clock and ours differ.
                    (Some(_), Some(wait)) => Some(wait + Duration::from_millis(100)),
                    (planned, None) => planned,
                    (None, Some(_)) => None,
                },
            )
            .notify(|e: &GitHubError, wait| {
                tracing::warn!("{e}; retrying in {:.1}s", wait.as_secs_f64());
            })
            .await?;
        serde_json::from_value(value).map_err(|e| GitHubError::Decode {
            method: method.as_str(),
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }

    async fn attempt(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, GitHubError> {
        let transport = |e: octocrab::Error| GitHubError::Transport {
            method: method.as_str(),
            path: path.to_owned(),
            reason: e.to_string(),
        };
        let response = match method {
            Method::Get => self.octocrab._get(path).await,
            Method::Post => self.octocrab._post(path, body).await,
            Method::Patch => self.octocrab._patch(path, body).await,
        }
        .map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = self
            .octocrab
            .body_to_string(response)
            .await
            .map_err(transport)?;
        let value: Value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|e| GitHubError::Decode {
                method: method.as_str(),
                path: path.to_owned(),
                reason: format!("HTTP {status}, not JSON: {e}"),
            })?
        };
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let message = error_message(&value);
        let limit = rate_limit(status, &headers, &message, SystemTime::now());
        Err(GitHubError::Status {
            method: method.as_str(),
            path: path.to_owned(),
            status,
            message,
            retry_after: limit,
            rate_limited: limit.is_some(),
        })
    }
}

/// GitHub's `message`, with the `errors[].message` of a 422 ("Validation
/// Failed: A pull request already exists for acme:branch.").
fn error_message(body: &Value) -> String {
    let message = body["message"].as_str().unwrap_or("").to_owned();
    let details: Vec<&str> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["message"].as_str().or(e["code"].as_str()))
        .collect();
    // Bounded: an error body is the server's text, and may be anything.
    let text = if details.is_empty() {
        message
    } else {
        format!("{message}: {}", details.join("; "))
    };
    crate::actions::redact::bound(&text, 500)
}

/// How long to wait when an answer is a rate limit, `None` when it is not.
/// GitHub's rules: a `retry-after` header says how long; otherwise, with
/// `x-ratelimit-remaining: 0`, wait until `x-ratelimit-reset` (epoch
/// seconds); otherwise a secondary limit without either means at least a
/// minute.
fn rate_limit(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    message: &str,
    now: SystemTime,
) -> Option<Duration> {
    if status != 403 && status != 429 {
        return None;
    }
    if let Some(wait) = crate::adapters::http::parse_retry_after(headers, now) {
        return Some(wait);
    }
    let header = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    if header("x-ratelimit-remaining") == Some(0) {
        let reset = header("x-ratelimit-reset")?;
        let now = now.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
        return Some(Duration::from_secs(reset.saturating_sub(now)));
    }
    (status == 429 || message.to_ascii_lowercase().contains("rate limit"))
        .then_some(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn rate_limits_are_recognised_and_timed() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let secondary = headers(&[("retry-after", "3")]);
        assert_eq!(
            rate_limit(403, &secondary, "secondary rate limit", now),
            Some(Duration::from_secs(3))
        );
        let primary = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1042"),
        ]);
        assert_eq!(
            rate_limit(403, &primary, "API rate limit exceeded", now),
            Some(Duration::from_secs(42))
        );
        assert_eq!(
            rate_limit(
                403,
                &headers(&[]),
                "You have exceeded a secondary rate limit",
                now
            ),
            Some(Duration::from_secs(60))
        );
        // A plain permission refusal is not a rate limit, nor is a 5xx.
        let plenty = headers(&[("x-ratelimit-remaining", "4999")]);
        assert_eq!(
            rate_limit(403, &plenty, "Resource not accessible by integration", now),
            None
        );
        assert_eq!(rate_limit(502, &secondary, "", now), None);
    }

    #[test]
    fn validation_errors_carry_their_details() {
        let body = serde_json::json!({
            "message": "Validation Failed",
            "errors": [{"resource": "PullRequest", "code": "custom",
                        "message": "A pull request already exists for acme:specrelay/x."}],
        });
        assert_eq!(
            error_message(&body),
            "Validation Failed: A pull request already exists for acme:specrelay/x."
        );
        assert_eq!(
            error_message(&serde_json::json!({"message": "Update is not a fast forward"})),
            "Update is not a fast forward"
        );
    }

    #[test]
    fn only_safe_requests_are_resent_after_server_errors() {
        let error = |status, rate_limited| GitHubError::Status {
            method: "POST",
            path: "/x".into(),
            status,
            message: String::new(),
            retry_after: None,
            rate_limited,
        };
        assert!(error(502, false).is_retryable(Resend::Safe));
        assert!(!error(502, false).is_retryable(Resend::OnlyIfRefused));
        assert!(error(403, true).is_retryable(Resend::OnlyIfRefused));
        assert!(!error(422, false).is_retryable(Resend::Safe));
        assert!(!error(404, false).is_retryable(Resend::Safe));
        assert!(error(503, false).is_service_failure());
        assert!(!error(422, false).is_service_failure());
    }
}
