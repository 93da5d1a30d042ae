//! The one HTTP client setup: timeouts, a size cap enforced while streaming,
//! retries with exponential backoff and jitter on 429/5xx/timeouts/dropped
//! connections that honour `Retry-After`, redirects followed by hand so that
//! every hop is checked, and credentials that never leave their origin.
//!
//! Knows nothing about specs; returns bytes.

mod address;
mod resolver;

pub use address::forbidden_reason;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use url::{Origin, Url};

/// What a download may do.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Allow `http:` (tests, intranets); otherwise https only.
    pub allow_http: bool,
    /// Allow loopback, private and link-local targets.
    pub allow_private_network: bool,
    /// Host patterns (`api.example.com`, `*.example.com`) every hop, the
    /// first and each redirect, must match; empty allows any host.
    pub allowed_hosts: Vec<String>,
    /// Largest body accepted, checked against `Content-Length` and while streaming.
    pub max_bytes: u64,
    /// The input that sets `max_bytes`, named in size errors.
    pub size_setting: &'static str,
    /// Deadline for one attempt: connect, redirects, headers and the whole body.
    pub attempt_timeout: Duration,
    /// The input that sets `attempt_timeout`, named in timeout errors so the
    /// user knows what to raise.
    pub timeout_setting: &'static str,
    pub connect_timeout: Duration,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub max_redirects: usize,
    /// First backoff delay; doubles per attempt up to `max_delay`, with jitter.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            allow_http: false,
            allow_private_network: false,
            allowed_hosts: Vec::new(),
            max_bytes: 50 * 1024 * 1024,
            size_setting: "max_spec_bytes",
            attempt_timeout: Duration::from_secs(60),
            timeout_setting: "download_timeout",
            connect_timeout: Duration::from_secs(10),
            max_attempts: 4,
            max_redirects: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// A secret and the only origin it may be sent to.
#[derive(Clone)]
pub struct Credential {
    pub origin: Origin,
    pub token: SecretString,
    pub scheme: AuthScheme,
}

/// How a [`Credential`] travels in the `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Bearer <token>` (downloads, npm registries).
    Bearer,
    /// `Basic base64(username:token)` (PyPI uploads, as `__token__`).
    Basic { username: String },
}

impl Credential {
    pub fn bearer(origin: Origin, token: SecretString) -> Credential {
        Credential {
            origin,
            token,
            scheme: AuthScheme::Bearer,
        }
    }

    pub fn basic(origin: Origin, username: &str, password: SecretString) -> Credential {
        Credential {
            origin,
            token: password,
            scheme: AuthScheme::Basic {
                username: username.to_owned(),
            },
        }
    }

    /// Adds the `Authorization` header if `url` is on this credential's origin.
    fn authorize(&self, request: reqwest::RequestBuilder, url: &Url) -> reqwest::RequestBuilder {
        if self.origin != url.origin() {
            return request;
        }
        match &self.scheme {
            AuthScheme::Bearer => request.bearer_auth(self.token.expose_secret()),
            AuthScheme::Basic { username } => {
                request.basic_auth(username, Some(self.token.expose_secret()))
            }
        }
    }
}

/// A request with a body, sent once: an upload that may take effect on the
/// server, so the caller decides about retries (see
/// [`HttpError::may_have_taken_effect`]).
#[derive(Debug, Clone)]
pub struct Upload {
    pub method: reqwest::Method,
    pub url: Url,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// A downloaded body.
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub bytes: Vec<u8>,
    /// The URL that finally answered, after redirects.
    pub final_url: Url,
    pub attempts: u32,
    /// The answer's `Content-Type`, if it had one.
    pub content_type: Option<String>,
}

/// Why a download failed. [`HttpError::is_retryable`] decides retries;
/// [`HttpError::is_service_failure`] tells `main` to exit with code 3.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{url}: the server answered HTTP {status}{}", body_hint(body))]
    Status {
        url: String,
        status: u16,
        retry_after: Option<Duration>,
        body: String,
    },
    #[error("{url}: no complete answer within {}s ({setting})", .after.as_secs())]
    Timeout {
        url: String,
        after: Duration,
        setting: &'static str,
    },
    #[error("{url}: could not connect: {reason}")]
    Connect { url: String, reason: String },
    #[error("{url}: the connection broke before the whole body arrived: {reason}")]
    Interrupted { url: String, reason: String },
    #[error("{url}: the body is larger than {setting} ({limit} bytes){}", seen_hint(*seen))]
    TooLarge {
        url: String,
        limit: u64,
        setting: &'static str,
        seen: Option<u64>,
    },
    #[error("{url}: refused: {reason}")]
    Refused { url: String, reason: String },
    #[error("{url}: more than {limit} redirects")]
    TooManyRedirects { url: String, limit: usize },
}

fn body_hint(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

fn seen_hint(seen: Option<u64>) -> String {
    seen.map(|n| format!("; it announced {n} bytes"))
        .unwrap_or_default()
}

impl HttpError {
    /// Worth another attempt: rate limits, server errors, timeouts, broken connections.
    pub fn is_retryable(&self) -> bool {
        match self {
            HttpError::Status { status, .. } => {
                *status == 429 || *status == 408 || (500..600).contains(status)
            }
            HttpError::Timeout { .. }
            | HttpError::Connect { .. }
            | HttpError::Interrupted { .. } => true,
            HttpError::TooLarge { .. }
            | HttpError::Refused { .. }
            | HttpError::TooManyRedirects { .. } => false,
        }
    }

    /// The remote service failed (as opposed to the request being wrong).
    pub fn is_service_failure(&self) -> bool {
        self.is_retryable()
    }

    /// An upload that failed like this may still have been stored: the
    /// request was sent, and the answer was lost or was a server error.
    /// Before sending it again, ask the server whether it landed. (A refused
    /// connection, a rate limit or a client error means it did not.)
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            HttpError::Status { status, .. } => *status == 408 || (500..600).contains(status),
            HttpError::Timeout { .. } | HttpError::Interrupted { .. } => true,
            HttpError::Connect { .. }
            | HttpError::TooLarge { .. }
            | HttpError::Refused { .. }
            | HttpError::TooManyRedirects { .. } => false,
        }
    }

    /// The HTTP status the server answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long the server asked to wait (`Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            HttpError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Downloads whole bodies under a [`FetchPolicy`].
pub struct Downloader {
    client: reqwest::Client,
    policy: FetchPolicy,
}

impl Downloader {
    pub fn new(policy: FetchPolicy) -> anyhow::Result<Downloader> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("specrelay/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(policy.connect_timeout)
            .read_timeout(policy.attempt_timeout)
            .https_only(!policy.allow_http)
            .no_proxy();
        if !policy.allow_private_network {
            builder = builder.dns_resolver(Arc::new(resolver::PublicOnly));
        }
        Ok(Downloader {
            client: builder.build()?,
            policy,
        })
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// GETs `url`, retrying what is worth retrying.
    pub async fn get(
        &self,
        url: &Url,
        credential: Option<&Credential>,
    ) -> Result<Downloaded, HttpError> {
        self.get_with(url, credential, &[]).await
    }

    /// GETs `url` with extra request `headers` (`Accept`, `Cache-Control`),
    /// retrying what is worth retrying.
    pub async fn get_with(
        &self,
        url: &Url,
        credential: Option<&Credential>,
        headers: &[(&'static str, &str)],
    ) -> Result<Downloaded, HttpError> {
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let backoff = backoff(
            self.policy.base_delay,
            self.policy.max_delay,
            self.policy.max_attempts,
        );
        let max_delay = self.policy.max_delay;
        let mut downloaded = (|| async {
            attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // One attempt: redirects included, under one deadline.
            self.under_deadline(url, self.follow(url, credential, headers))
                .await
        })
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(HttpError::is_retryable)
        .adjust(|err: &HttpError, planned| {
            // `None` means no attempts are left: keep it, whatever Retry-After says.
            planned.map(|d| err.retry_after().map_or(d, |ra| ra.min(max_delay)))
        })
        .notify(|err: &HttpError, wait| {
            tracing::warn!("{err}; retrying in {:.1}s", wait.as_secs_f64());
        })
        .await?;
        downloaded.attempts = attempts.into_inner();
        Ok(downloaded)
    }

    /// `exchange` under the attempt deadline; running out of it is a
    /// timeout naming `url` and the setting that sets the deadline.
    async fn under_deadline(
        &self,
        url: &Url,
        exchange: impl Future<Output = Result<Downloaded, HttpError>>,
    ) -> Result<Downloaded, HttpError> {
        let deadline = self.policy.attempt_timeout;
        match tokio::time::timeout(deadline, exchange).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Timeout {
                url: url.to_string(),
                after: deadline,
                setting: self.policy.timeout_setting,
            }),
        }
    }

    async fn follow(
        &self,
        start: &Url,
        credential: Option<&Credential>,
        headers: &[(&'static str, &str)],
    ) -> Result<Downloaded, HttpError> {
        let mut url = start.clone();
        for _ in 0..=self.policy.max_redirects {
            self.check_target(&url)?;
            let mut request = self.client.get(url.clone());
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            if let Some(cred) = credential {
                request = cred.authorize(request, &url);
            }
            let response = request
                .send()
                .await
                .map_err(|e| classify(&url, e, &self.policy))?;
            if response.status().is_redirection() {
                url = self.redirect_target(&url, response.headers())?;
                continue;
            }
            return self.answer(url, response).await;
        }
        Err(HttpError::TooManyRedirects {
            url: start.to_string(),
            limit: self.policy.max_redirects,
        })
    }

    /// Sends `upload` once, under the attempt deadline. A redirect is not
    /// followed: an upload should go where it was addressed, and a body
    /// resent to another place might be stored twice.
    pub async fn send_once(
        &self,
        upload: &Upload,
        credential: Option<&Credential>,
    ) -> Result<Downloaded, HttpError> {
        let url = &upload.url;
        self.check_target(url)?;
        let mut request = self
            .client
            .request(upload.method.clone(), url.clone())
            .body(upload.body.clone());
        for (name, value) in &upload.headers {
            request = request.header(*name, value);
        }
        if let Some(cred) = credential {
            request = cred.authorize(request, url);
        }
        let exchange = async {
            let response = request
                .send()
                .await
                .map_err(|e| classify(url, e, &self.policy))?;
            if response.status().is_redirection() {
                return Err(HttpError::Refused {
                    url: url.to_string(),
                    reason: format!(
                        "the server answered the upload with a redirect ({}); check the registry URL",
                        response.status().as_u16()
                    ),
                });
            }
            self.answer(url.clone(), response).await
        };
        self.under_deadline(url, exchange).await
    }

    /// A final (non-redirect) response: its body under the size cap, or a
    /// status error with the start of the body.
    async fn answer(&self, url: Url, response: reqwest::Response) -> Result<Downloaded, HttpError> {
        let status = response.status();
        if !status.is_success() {
            let retry_after = parse_retry_after(response.headers(), SystemTime::now());
            let body = excerpt(response).await;
            return Err(HttpError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                retry_after,
                body,
            });
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = self.read_capped(&url, response).await?;
        Ok(Downloaded {
            bytes,
            final_url: url,
            attempts: 1,
            content_type,
        })
    }

    /// Scheme and literal-address checks; host names are checked by the resolver.
    fn check_target(&self, url: &Url) -> Result<(), HttpError> {
        let refuse = |reason: String| {
            Err(HttpError::Refused {
                url: url.to_string(),
                reason,
            })
        };
        match url.scheme() {
            "https" => {}
            "http" if self.policy.allow_http => {}
            "http" => return refuse("plain http is not allowed (set allow_http)".into()),
            other => return refuse(format!("the {other}: scheme is not allowed here")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return refuse("credentials in URLs are not accepted; use download_token".into());
        }
        // Checked on every hop before connecting: an allowed host must not be
        // able to redirect the download to one that is not.
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let allowed = &self.policy.allowed_hosts;
        if !allowed.is_empty() && !allowed.iter().any(|p| host_matches(&host, p)) {
            return refuse(format!(
                "{host} is not an allowed host ({}; input `allowed_hosts`)",
                allowed.join(", ")
            ));
        }
        if self.policy.allow_private_network {
            return Ok(());
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            _ => None,
        };
        if let Some(reason) = ip.and_then(forbidden_reason) {
            return refuse(format!(
                "{reason} addresses are not allowed (set allow_private_network)"
            ));
        }
        Ok(())
    }

    /// A redirect may not downgrade https to http, and needs a Location.
    fn redirect_target(&self, from: &Url, headers: &HeaderMap) -> Result<Url, HttpError> {
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| HttpError::Refused {
                url: from.to_string(),
                reason: "a redirect without a Location header".into(),
            })?;
        let to = from.join(location).map_err(|e| HttpError::Refused {
            url: from.to_string(),
            reason: format!("a redirect to an invalid URL {location:?}: {e}"),
        })?;
        if from.scheme() == "https" && to.scheme() != "https" {
            return Err(HttpError::Refused {
                url: from.to_string(),
                reason: format!("a redirect from https to {to} (downgrade)"),
            });
        }
        if to.origin() != from.origin() {
            tracing::info!(
                "following a redirect to another origin: {to} (credentials are not sent there)"
            );
        }
        Ok(to)
    }

    async fn read_capped(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, HttpError> {
        let limit = self.policy.max_bytes;
        if let Some(announced) = response.content_length().filter(|n| *n > limit) {
            return Err(HttpError::TooLarge {
                url: url.to_string(),
                limit,
                setting: self.policy.size_setting,
                seen: Some(announced),
            });
        }
        let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        loop {
            let chunk = response.chunk().await.map_err(|e| HttpError::Interrupted {
                url: url.to_string(),
                reason: error_chain(&e),
            })?;
            let Some(chunk) = chunk else { break };
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(HttpError::TooLarge {
                    url: url.to_string(),
                    limit,
                    setting: self.policy.size_setting,
                    seen: None,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// `api.example.com` matches itself; `*.example.com` matches any subdomain.
pub fn host_matches(host: &str, pattern: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(domain) => host.len() > domain.len() && host.ends_with(&format!(".{domain}")),
        None => host == pattern,
    }
}

/// Sorts reqwest's errors into ours.
fn classify(url: &Url, err: reqwest::Error, policy: &FetchPolicy) -> HttpError {
    let reason = error_chain(&err);
    if err.is_timeout() {
        HttpError::Timeout {
            url: url.to_string(),
            after: policy.attempt_timeout,
            setting: policy.timeout_setting,
        }
    } else if reason.contains("not allowed") && reason.contains("address") {
        // Our resolver refused every address of the host.
        HttpError::Refused {
            url: url.to_string(),
            reason,
        }
    } else if err.is_connect() {
        HttpError::Connect {
            url: url.to_string(),
            reason,
        }
    } else {
        HttpError::Interrupted {
            url: url.to_string(),
            reason,
        }
    }
}

/// The error and its causes on one line: reqwest's top-level message alone
/// ("error sending request") says nothing useful.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// The start of an error body, for the message: servers often say why.
/// Reads at most a few kilobytes: the body of an error can be anything.
async fn excerpt(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while body.len() < 4096 {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    crate::actions::redact::bound(&String::from_utf8_lossy(&body), 200)
}

/// Exponential backoff with jitter from `min` to `max`, for `attempts`
/// attempts in all (the first included).
pub(crate) fn backoff(min: Duration, max: Duration, attempts: u32) -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(min)
        .with_max_delay(max)
        .with_max_times(attempts.saturating_sub(1) as usize)
        .with_jitter()
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// rustls needs one process-wide crypto provider; `ring` builds with a C
/// compiler alone (no cmake), which keeps the container build simple.
pub(crate) fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(
            parse_retry_after(&h, SystemTime::now()),
            Some(Duration::from_secs(7))
        );
        let now = httpdate::parse_http_date("Sun, 22 Nov 2026 08:00:00 GMT").unwrap();
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 22 Nov 2026 08:00:30 GMT"),
        );
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(30)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h, now), None);
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let url = "https://example.com/a".to_string();
        let status = |status| HttpError::Status {
            url: url.clone(),
            status,
            retry_after: None,
            body: String::new(),
        };
        assert!(status(503).is_retryable());
        assert!(status(429).is_retryable());
        assert!(!status(404).is_retryable());
        assert!(!status(401).is_retryable());
        assert!(
            !HttpError::TooLarge {
                url: url.to_string(),
                limit: 1,
                setting: "max_spec_bytes",
                seen: None
            }
            .is_retryable()
        );
    }
}
