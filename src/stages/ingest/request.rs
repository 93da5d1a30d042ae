//! `ingest`: the announcement (event `client_payload`, or explicit inputs)
//! turned into a validated [`IngestRequest`], and the stage's whole
//! [`Request`] (the announcement plus the run's typed options). Validation
//! is pure; every problem with every field is reported at once, naming the
//! field, the value and what is expected. Nothing here reads the workspace:
//! which API of `specrelay.yaml` the run stores is `observe`'s to read.

use crate::actions::Annotation;
use crate::adapters::http;
use crate::cli::{IngestArgs, VersionMismatchArg};
pub use crate::semver_policy::ChangeType;
use crate::semver_policy::SemverPolicy;
use crate::semver_policy::VersionMismatch;
use crate::stages::Context;
use crate::stages::common::api::ApiChoice;
use crate::stages::common::github::CommitRequest;
use crate::stages::common::inputs::semver_policy;
pub use crate::stages::common::inputs::split_list;
use crate::stages::common::spec_source::host_matches;
use anyhow::{Result, bail};
use secrecy::SecretString;
use serde_json::Value;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// What one ingest run was asked to do, validated: nothing after this sees
/// `cli`.
#[derive(Debug)]
pub struct Request {
    pub announcement: IngestRequest,
    /// Which API's spec history stores the spec (`observe` reads `apis:`).
    pub history: ApiChoice,
    pub allow_older: bool,
    pub fetch: http::FetchPolicy,
    /// Sent to the download URL's origin only.
    pub download_token: Option<SecretString>,
    pub allowed_hosts: Vec<String>,
    pub semver_policy: SemverPolicy,
    /// What to do when the announced version is not the spec's info.version.
    pub version_mismatch: VersionMismatch,
    pub ignore_file: Option<PathBuf>,
    pub changelog_path: PathBuf,
    pub commit: CommitRequest,
    /// The producer's `correlation_id`, echoed in the outputs and summary.
    pub correlation_id: Option<String>,
    /// With `tag: true`: the tag to put on the commit (see [`super::tag`]).
    pub tag: Option<String>,
}

/// Raw arguments and the triggering event -> the request; an invalid
/// announcement annotates every bad field and fails.
pub fn request(args: IngestArgs, ctx: &Context) -> Result<Request> {
    let announcement = announcement(&args, ctx)?;
    // Every precondition of the commit before anything is downloaded or
    // written: a failed ingest writes nothing.
    let commit = CommitRequest::from_args(args.commit.clone());
    commit.check_preconditions(&ctx.env, ctx.dry_run)?;
    let fetch = http::FetchPolicy {
        allow_http: args.allow_http,
        allow_private_network: args.allow_private_network,
        // Every redirect hop too, not only the announced URL.
        allowed_hosts: split_list(args.allowed_hosts.as_deref()),
        max_bytes: args.max_spec_bytes,
        attempt_timeout: Duration::from_secs(args.download_timeout.max(1)),
        max_attempts: args.max_attempts,
        ..http::FetchPolicy::default()
    };
    let tag = super::tag::name(&args, &announcement.version)?;
    Ok(Request {
        tag,
        announcement,
        history: ApiChoice {
            input: args.api,
            openapi_dir: args.openapi_dir,
        },
        allow_older: args.allow_older,
        fetch,
        download_token: args.download_token.map(SecretString::from),
        allowed_hosts: split_list(args.allowed_hosts.as_deref()),
        semver_policy: semver_policy(args.semver_policy),
        version_mismatch: match args.version_mismatch {
            VersionMismatchArg::Warn => VersionMismatch::Warn,
            VersionMismatchArg::Fail => VersionMismatch::Fail,
        },
        ignore_file: args.ignore_file,
        changelog_path: args.changelog_path,
        correlation_id: correlation_id(args.correlation_id.as_deref(), ctx),
        commit,
    })
}

/// `correlation_id` from the input or `client_payload`; one that is not a
/// plain id is dropped with a warning rather than echoed into outputs.
fn correlation_id(input: Option<&str>, ctx: &Context) -> Option<String> {
    let from_payload = ctx
        .event
        .client_payload()
        .and_then(|p| p.get("correlation_id"))
        .and_then(Value::as_str);
    let raw = input.filter(|s| !s.trim().is_empty()).or(from_payload)?;
    match crate::announce::correlation_id(Some(raw), "", None, "") {
        Ok(id) => Some(id),
        Err(e) => {
            ctx.runtime.annotate(&Annotation::warning(e.to_string()));
            None
        }
    }
}

/// The owner an owner-less `source_repo` belongs to: the event's repository
/// owner (a producer and its consumers share an organisation), else the
/// owner of the repository the workflow runs in.
fn event_owner(ctx: &Context) -> Option<String> {
    let from_event = ctx.event.payload["repository"]["owner"]["login"]
        .as_str()
        .or_else(|| {
            ctx.event.payload["repository"]["full_name"]
                .as_str()
                .and_then(|full| full.split_once('/').map(|(owner, _)| owner))
        });
    from_event.map(str::to_owned).or_else(|| {
        ctx.env
            .repository
            .as_deref()?
            .split_once('/')
            .map(|(o, _)| o.to_owned())
    })
}

/// `source_repo` given as a bare name (`bondmcp-platform`) becomes
/// `owner/bondmcp-platform`; anything else is left for validation.
pub fn qualify_source_repo(raw: &mut RawAnnouncement, owner: Option<&str>) {
    if let (Some(Value::String(name)), Some(owner)) = (&raw.source_repo, owner) {
        let name = name.trim();
        if !name.is_empty() && !name.contains('/') {
            raw.source_repo = Some(Value::String(format!("{owner}/{name}")));
        }
    }
}

/// The announcement from the event and the inputs, validated.
fn announcement(args: &IngestArgs, ctx: &Context) -> Result<IngestRequest> {
    if ctx.event.name == "repository_dispatch"
        && let Some(kind) = ctx.event.dispatch_type()
        && kind != args.event_type
    {
        bail!(
            "this repository_dispatch has event_type {kind:?}, but ingest handles {:?}; \
             filter the workflow with `on: repository_dispatch: types: [{}]` or set the \
             `event_type` input",
            args.event_type,
            args.event_type
        );
    }
    let inputs = RawAnnouncement {
        version: args.version.clone().map(Value::String),
        checksum: args.checksum.clone().map(Value::String),
        change_type: args.change_type.clone().map(Value::String),
        download_url: args.download_url.clone().map(Value::String),
        source_repo: args.source_repo.clone().map(Value::String),
    };
    let mut raw = RawAnnouncement::merge(inputs, ctx.event.client_payload());
    qualify_source_repo(&mut raw, event_owner(ctx).as_deref());
    let policy = AnnouncementPolicy {
        allow_http: args.allow_http,
        allow_file_urls: args.allow_file_urls,
        allowed_hosts: split_list(args.allowed_hosts.as_deref()),
        allowed_source_repos: split_list(args.allowed_source_repos.as_deref()),
    };
    validate(&raw, &policy).or_else(|errors| {
        for e in &errors {
            ctx.runtime.annotate(
                &Annotation::error(e.to_string()).with_title("invalid spec announcement"),
            );
        }
        bail!(
            "the spec announcement was rejected ({} invalid field{}: {})",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            errors
                .iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The announcement fields as received; `None` when absent.
#[derive(Debug, Clone, Default)]
pub struct RawAnnouncement {
    pub version: Option<Value>,
    pub checksum: Option<Value>,
    pub change_type: Option<Value>,
    pub download_url: Option<Value>,
    pub source_repo: Option<Value>,
}

impl RawAnnouncement {
    /// Explicit inputs win over the event's `client_payload`, field by field.
    pub fn merge(inputs: RawAnnouncement, client_payload: Option<&Value>) -> RawAnnouncement {
        let from_payload = |field: &str| client_payload.and_then(|p| p.get(field)).cloned();
        RawAnnouncement {
            version: inputs.version.or_else(|| from_payload("version")),
            checksum: inputs.checksum.or_else(|| from_payload("checksum")),
            change_type: inputs.change_type.or_else(|| from_payload("change_type")),
            download_url: inputs.download_url.or_else(|| from_payload("download_url")),
            source_repo: inputs.source_repo.or_else(|| from_payload("source_repo")),
        }
    }
}

/// What the run allows, from its inputs.
#[derive(Debug, Clone, Default)]
pub struct AnnouncementPolicy {
    pub allow_http: bool,
    pub allow_file_urls: bool,
    /// Empty: any host. Entries are host names, or `*.example.com` for subdomains.
    pub allowed_hosts: Vec<String>,
    /// Empty: any repository. `owner/name`, compared case-insensitively.
    pub allowed_source_repos: Vec<String>,
}

/// A validated announcement: no raw strings past this point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestRequest {
    pub version: semver::Version,
    /// Lowercase hex SHA-256 of the file as downloaded.
    pub checksum: String,
    pub change_type: ChangeType,
    pub download_url: Url,
    pub source_repo: String,
}

/// One rejected field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub received: String,
    pub expected: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: got {}; expected {}",
            self.field, self.received, self.expected
        )
    }
}

/// Validates every field; all problems are returned together.
pub fn validate(
    raw: &RawAnnouncement,
    policy: &AnnouncementPolicy,
) -> Result<IngestRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let version = field(&mut errors, "version", &raw.version, parse_version);
    let checksum = field(&mut errors, "checksum", &raw.checksum, parse_checksum);
    let change_type = field(
        &mut errors,
        "change_type",
        &raw.change_type,
        parse_change_type,
    );
    let download_url = field(&mut errors, "download_url", &raw.download_url, |s| {
        parse_download_url(s, policy)
    });
    let source_repo = field(&mut errors, "source_repo", &raw.source_repo, |s| {
        parse_source_repo(s, policy)
    });
    match (version, checksum, change_type, download_url, source_repo) {
        (
            Some(version),
            Some(checksum),
            Some(change_type),
            Some(download_url),
            Some(source_repo),
        ) if errors.is_empty() => Ok(IngestRequest {
            version,
            checksum,
            change_type,
            download_url,
            source_repo,
        }),
        _ => Err(errors),
    }
}

/// Runs `parse` on a present string field, recording what went wrong.
fn field<T>(
    errors: &mut Vec<FieldError>,
    name: &'static str,
    value: &Option<Value>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<T> {
    let reject = |errors: &mut Vec<FieldError>, received: String, expected: String| {
        errors.push(FieldError {
            field: name,
            received,
            expected,
        });
        None
    };
    match value {
        None | Some(Value::Null) => reject(
            errors,
            "nothing".into(),
            format!("a value (set client_payload.{name} in the dispatch, or the `{name}` input)"),
        ),
        Some(Value::String(s)) => match parse(s) {
            Ok(v) => Some(v),
            Err(expected) => reject(errors, quote(s), expected),
        },
        Some(other) => reject(errors, format!("the JSON value {other}"), "a string".into()),
    }
}

/// A received value, quoted and shortened so hostile input cannot flood the log.
fn quote(s: &str) -> String {
    let shown: String = s.chars().take(120).collect();
    if shown.len() < s.len() {
        format!("{shown:?}… ({} bytes)", s.len())
    } else {
        format!("{shown:?}")
    }
}

fn parse_version(s: &str) -> Result<semver::Version, String> {
    let expected = "a semantic version such as \"1.2.0\" or \"2.0.0-beta.1\"";
    if s.len() > 128 {
        return Err(format!("{expected}, at most 128 characters"));
    }
    if let Some(rest) = s.strip_prefix(['v', 'V'])
        && semver::Version::parse(rest).is_ok()
    {
        return Err(format!(
            "{expected} (without the leading \"v\": \"{rest}\")"
        ));
    }
    semver::Version::parse(s).map_err(|e| format!("{expected} ({e})"))
}

/// The README's promise: 64 hex digits in either case, optionally written
/// `sha256:<hex>` (as in npm and OCI digests); stored lower case.
fn parse_checksum(s: &str) -> Result<String, String> {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(format!(
            "64 hexadecimal digits, either case, optionally prefixed `sha256:` (a SHA-256, as printed by `sha256sum`); this has {} characters",
            hex.chars().count()
        ))
    }
}

fn parse_change_type(s: &str) -> Result<ChangeType, String> {
    match s {
        "major" => Ok(ChangeType::Major),
        "minor" => Ok(ChangeType::Minor),
        "patch" => Ok(ChangeType::Patch),
        _ => Err("one of \"major\", \"minor\", \"patch\"".into()),
    }
}

fn parse_download_url(s: &str, policy: &AnnouncementPolicy) -> Result<Url, String> {
    let url = Url::parse(s).map_err(|e| format!("an absolute URL ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        "http" => return Err("an https URL (plain http needs the `allow_http` input)".into()),
        "file" if policy.allow_file_urls => return Ok(url),
        "file" => {
            return Err(
                "an https URL (file: URLs need the `allow_file_urls` input, for local runs)".into(),
            );
        }
        other => return Err(format!("an https URL, not {other}:")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a URL without credentials in it (use the `download_token` input)".into());
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if !policy.allowed_hosts.is_empty()
        && !policy.allowed_hosts.iter().any(|p| host_matches(&host, p))
    {
        return Err(format!(
            "a URL on an allowed host ({}); {host} is not one (input `allowed_hosts`)",
            policy.allowed_hosts.join(", ")
        ));
    }
    Ok(url)
}

fn parse_source_repo(s: &str, policy: &AnnouncementPolicy) -> Result<String, String> {
    let expected = "a GitHub repository as \"owner/name\"";
    let (owner, name) = s.split_once('/').ok_or_else(|| expected.to_string())?;
    let owner_ok = (1..=39).contains(&owner.len())
        && owner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !owner.starts_with('-');
    let name_ok = (1..=100).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && name != "."
        && name != "..";
    if !owner_ok || !name_ok {
        return Err(expected.into());
    }
    if !policy.allowed_source_repos.is_empty()
        && !policy
            .allowed_source_repos
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(s))
    {
        return Err(format!(
            "one of the allowed producers ({}) (input `allowed_source_repos`)",
            policy.allowed_source_repos.join(", ")
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_less_source_repo_takes_the_event_owner() {
        let mut raw = RawAnnouncement {
            source_repo: Some(json!("bondmcp-platform")),
            ..RawAnnouncement::default()
        };
        qualify_source_repo(&mut raw, Some("bondmcp"));
        assert_eq!(raw.source_repo, Some(json!("bondmcp/bondmcp-platform")));
        let mut full = RawAnnouncement {
            source_repo: Some(json!("acme/platform")),
            ..RawAnnouncement::default()
        };
        qualify_source_repo(&mut full, Some("bondmcp"));
        assert_eq!(full.source_repo, Some(json!("acme/platform")));
        let mut unknown = RawAnnouncement {
            source_repo: Some(json!("platform")),
            ..RawAnnouncement::default()
        };
        qualify_source_repo(&mut unknown, None);
        assert_eq!(unknown.source_repo, Some(json!("platform")));
    }
    use serde_json::json;

    const SUM: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn raw(payload: Value) -> RawAnnouncement {
        RawAnnouncement::merge(RawAnnouncement::default(), Some(&payload))
    }

    fn good() -> Value {
        json!({"version": "1.2.0", "checksum": SUM, "change_type": "minor",
               "download_url": "https://api.example.com/openapi.json", "source_repo": "acme/platform"})
    }

    #[test]
    fn accepts_a_good_payload() {
        let r = validate(&raw(good()), &AnnouncementPolicy::default()).unwrap();
        assert_eq!(r.version.to_string(), "1.2.0");
        assert_eq!(r.change_type, ChangeType::Minor);
        assert_eq!(r.source_repo, "acme/platform");
    }

    #[test]
    fn inputs_override_the_payload() {
        let inputs = RawAnnouncement {
            version: Some(json!("2.0.0")),
            ..Default::default()
        };
        let merged = RawAnnouncement::merge(inputs, Some(&good()));
        assert_eq!(merged.version, Some(json!("2.0.0")));
        assert_eq!(merged.change_type, Some(json!("minor")));
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let errors = validate(
            &raw(
                json!({"version": "v1.2", "checksum": "abc", "change_type": "huge",
                        "download_url": "ftp://x/y", "source_repo": "nope"}),
            ),
            &AnnouncementPolicy::default(),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "version",
                "checksum",
                "change_type",
                "download_url",
                "source_repo"
            ]
        );
    }

    #[test]
    fn leading_v_gets_a_hint() {
        let mut p = good();
        p["version"] = json!("v1.2.0");
        let e = validate(&raw(p), &AnnouncementPolicy::default()).unwrap_err();
        assert!(e[0].expected.contains("without the leading"), "{}", e[0]);
    }

    #[test]
    fn checksum_is_normalised() {
        let mut p = good();
        p["checksum"] = json!(format!("sha256:{}", SUM.to_uppercase()));
        assert_eq!(
            validate(&raw(p), &AnnouncementPolicy::default())
                .unwrap()
                .checksum,
            SUM
        );
    }

    #[test]
    fn schemes_follow_the_policy() {
        let allow_http = AnnouncementPolicy {
            allow_http: true,
            ..Default::default()
        };
        let allow_files = AnnouncementPolicy {
            allow_file_urls: true,
            ..Default::default()
        };
        // Each URL is refused by default and accepted with its own input.
        for (url, allowing) in [
            ("http://api.example.com/o.json", &allow_http),
            ("file:///tmp/openapi.json", &allow_files),
        ] {
            let mut p = good();
            p["download_url"] = json!(url);
            assert!(validate(&raw(p.clone()), &AnnouncementPolicy::default()).is_err());
            assert!(validate(&raw(p), allowing).is_ok());
        }
    }

    #[test]
    fn allow_lists_apply() {
        let policy = AnnouncementPolicy {
            allowed_hosts: vec!["*.example.com".into()],
            allowed_source_repos: vec!["ACME/platform".into()],
            ..Default::default()
        };
        assert!(validate(&raw(good()), &policy).is_ok());
        let mut p = good();
        p["download_url"] = json!("https://example.com.evil.io/o.json");
        p["source_repo"] = json!("mallory/platform");
        let fields: Vec<_> = validate(&raw(p), &policy)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["download_url", "source_repo"]);
    }

    #[test]
    fn host_patterns() {
        assert!(host_matches("api.example.com", "api.example.com"));
        assert!(host_matches("a.b.example.com", "*.example.com"));
        assert!(!host_matches("example.com", "*.example.com"));
        assert!(!host_matches("badexample.com", "*.example.com"));
    }

    #[test]
    fn non_string_and_missing_fields() {
        let e = validate(
            &raw(json!({"version": 1.2})),
            &AnnouncementPolicy::default(),
        )
        .unwrap_err();
        assert_eq!(e.len(), 5);
        assert_eq!(e[0].received, "the JSON value 1.2");
        assert_eq!(e[1].received, "nothing");
    }

    #[test]
    fn lists_split_on_commas_and_newlines() {
        assert_eq!(split_list(Some("a, b\nc,,")), vec!["a", "b", "c"]);
        assert!(split_list(None).is_empty());
    }
}
