//! The producer's announcement of a spec version, as `dispatch` sends it and
//! `ingest` reads it: the `client_payload` of a `repository_dispatch` event,
//! the URL a consumer downloads the spec from, the correlation id that ties
//! the producer's run to every consumer's run, and the change type the
//! producer declares. Pure: no I/O, no clock, no environment.
//!
//! The checksum a consumer verifies is the SHA-256 of the bytes behind
//! `download_url`, so the default URL points at the spec *at the pushed
//! commit* (GitHub's raw file URL), whose bytes never change; a branch URL
//! would serve different bytes after the next push.

use crate::diff::ChangeKind;
use crate::semver_policy::ChangeType;
use crate::semver_policy::{SemverPolicy, computed_change_type, violations};
use serde::Serialize;
use url::Url;

/// The event type `ingest` accepts by default.
pub const EVENT_TYPE: &str = "openapi_spec_updated";

/// The `client_payload` of the dispatch. Field names are what `ingest`
/// reads (see `stages::ingest::request::RawAnnouncement`); `api` selects one
/// of several APIs of the consumer, `correlation_id` ties the runs together.
/// GitHub accepts at most 10 top-level properties: this has at most 7.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Announcement {
    pub version: String,
    pub checksum: String,
    pub change_type: ChangeType,
    pub download_url: String,
    pub source_repo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    pub correlation_id: String,
}

/// What a `download_url` template may refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// `owner/name` of the producer.
    pub repository: &'a str,
    /// The commit the spec is announced at.
    pub sha: &'a str,
    /// The spec's path in the repository, `/`-separated.
    pub path: &'a str,
    pub version: &'a str,
}

/// Problems with the inputs that build an announcement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnnounceError {
    #[error(
        "download_url template {template:?} names {{{placeholder}}}; the known placeholders are {{repository}}, {{sha}}, {{path}} and {{version}}"
    )]
    UnknownPlaceholder {
        template: String,
        placeholder: String,
    },
    #[error("download_url {url:?} is not an https URL a consumer can download: {reason}")]
    NotAUrl { url: String, reason: String },
    #[error("correlation_id {0:?}: use 1-128 letters, digits, '.', '_', '-', ':', '/' or '#'")]
    BadCorrelationId(String),
    #[error("api {0:?}: use 1-64 letters, digits, '.', '_' or '-'")]
    BadApiName(String),
}

/// The URL a consumer downloads the spec from: `template` with its
/// placeholders filled in, or, without a template, the raw file at the
/// commit on `server_url` (`raw.githubusercontent.com` for github.com, the
/// `/raw/` path on GitHub Enterprise Server).
pub fn download_url(
    template: Option<&str>,
    server_url: &str,
    parts: &UrlParts<'_>,
) -> Result<Url, AnnounceError> {
    let text = match template {
        Some(template) => fill(template, parts)?,
        None => {
            let server = server_url.trim_end_matches('/');
            let path = encode_path(parts.path);
            if server == "https://github.com" {
                format!(
                    "https://raw.githubusercontent.com/{}/{}/{path}",
                    parts.repository, parts.sha
                )
            } else {
                format!("{server}/{}/raw/{}/{path}", parts.repository, parts.sha)
            }
        }
    };
    let url = Url::parse(&text).map_err(|e| AnnounceError::NotAUrl {
        url: text.clone(),
        reason: e.to_string(),
    })?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(AnnounceError::NotAUrl {
            url: text,
            reason: format!("the scheme is {:?}", url.scheme()),
        });
    }
    Ok(url)
}

/// `{name}` placeholders replaced; an unknown name is an error, so a typo
/// does not reach every consumer as a broken URL.
fn fill(template: &str, parts: &UrlParts<'_>) -> Result<String, AnnounceError> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = &after[..end];
        let value = match name {
            "repository" => parts.repository.to_owned(),
            "sha" => parts.sha.to_owned(),
            "path" => encode_path(parts.path),
            "version" => parts.version.to_owned(),
            _ => {
                return Err(AnnounceError::UnknownPlaceholder {
                    template: template.to_owned(),
                    placeholder: name.to_owned(),
                });
            }
        };
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Each path segment percent-encoded, the slashes kept.
fn encode_path(path: &str) -> String {
    path.trim_start_matches("./")
        .split('/')
        .map(|segment| {
            url::form_urlencoded::byte_serialize(segment.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The id that ties this announcement to the runs it starts: given, or
/// built from the producer's run (`owner/name#run_id.attempt`) and the
/// checksum, so a re-run of the same job is told apart from the first.
pub fn correlation_id(
    given: Option<&str>,
    repository: &str,
    run: Option<(&str, &str)>,
    checksum: &str,
) -> Result<String, AnnounceError> {
    let id = match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => id.to_owned(),
        None => {
            let short = &checksum[..checksum.len().min(12)];
            match run {
                Some((run_id, attempt)) => format!("{repository}:{run_id}.{attempt}:{short}"),
                None => format!("{repository}:local:{short}"),
            }
        }
    };
    let ok = (1..=128).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '/' | '#'));
    if ok {
        Ok(id)
    } else {
        Err(AnnounceError::BadCorrelationId(id))
    }
}

/// An API name as `specrelay.yaml` and the payload spell it.
pub fn api_name(raw: &str) -> Result<String, AnnounceError> {
    let name = raw.trim();
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(AnnounceError::BadApiName(raw.to_owned()))
    }
}

/// The version last announced, as the baseline tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    /// Where it was read from, for the summary.
    pub from: String,
    pub version: Option<semver::Version>,
    /// SHA-256 of the file as the consumer downloaded it, when known.
    pub checksum: Option<String>,
}

/// What the producer's change amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The same bytes as last time: nothing to announce.
    AlreadyAnnounced,
    /// Announce, with this change type; `problems` are semver violations
    /// (a breaking change under a minor bump) the policy lets through.
    Announce {
        change_type: ChangeType,
        problems: Vec<String>,
    },
    /// The policy refuses: consumers enforcing the same policy would reject it.
    Refuse { problems: Vec<String> },
}

/// The change type the diff implies, checked against the version bump the
/// way `ingest` will check it. A first announcement (no previous version)
/// is a `minor` change: everything is new, nothing a consumer used breaks.
pub fn verdict(
    previous: Option<&Previous>,
    implied: ChangeKind,
    checksum: &str,
    next: &semver::Version,
    policy: SemverPolicy,
) -> Verdict {
    let Some(previous) = previous else {
        return Verdict::Announce {
            change_type: ChangeType::Minor,
            problems: Vec::new(),
        };
    };
    if previous.checksum.as_deref() == Some(checksum) {
        return Verdict::AlreadyAnnounced;
    }
    let change_type = computed_change_type(implied, ChangeType::Patch);
    let problems = match &previous.version {
        Some(before) if before >= next => vec![format!(
            "{next} is not newer than the last announced version {before} ({}); raise info.version or the `version` input",
            previous.from
        )],
        Some(before) => violations(implied, change_type, before, next),
        None => Vec::new(),
    };
    match policy {
        SemverPolicy::Enforce if !problems.is_empty() => Verdict::Refuse { problems },
        SemverPolicy::Off => Verdict::Announce {
            change_type,
            problems: Vec::new(),
        },
        _ => Verdict::Announce {
            change_type,
            problems,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUM: &str = "94894f53035708ddc914393a3c2eecb800a0a71c4b3e4c78f0fcf87fe6e78879";

    fn parts() -> UrlParts<'static> {
        UrlParts {
            repository: "acme/pets",
            sha: "0123abcd",
            path: "api/open api.yaml",
            version: "1.2.0",
        }
    }

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).unwrap()
    }

    fn previous(version: &str, checksum: Option<&str>) -> Previous {
        Previous {
            from: "acme/web openapi/latest.json".into(),
            version: Some(v(version)),
            checksum: checksum.map(str::to_owned),
        }
    }

    #[test]
    fn the_default_url_is_the_raw_file_at_the_commit() {
        let url = download_url(None, "https://github.com", &parts()).unwrap();
        assert_eq!(
            url.as_str(),
            "https://raw.githubusercontent.com/acme/pets/0123abcd/api/open%20api.yaml"
        );
        let ghes = download_url(None, "https://git.acme.example/", &parts()).unwrap();
        assert_eq!(
            ghes.as_str(),
            "https://git.acme.example/acme/pets/raw/0123abcd/api/open%20api.yaml"
        );
    }

    #[test]
    fn a_template_is_filled_and_a_typo_is_refused() {
        let url = download_url(
            Some("https://specs.acme.example/{repository}/{version}/{path}?at={sha}"),
            "https://github.com",
            &parts(),
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://specs.acme.example/acme/pets/1.2.0/api/open%20api.yaml?at=0123abcd"
        );
        let typo = download_url(Some("https://x.example/{verison}"), "", &parts()).unwrap_err();
        assert!(typo.to_string().contains("{verison}"), "{typo}");
        let not_url = download_url(Some("file:///{path}"), "", &parts()).unwrap_err();
        assert!(
            matches!(not_url, AnnounceError::NotAUrl { .. }),
            "{not_url}"
        );
    }

    #[test]
    fn correlation_ids_name_the_run_or_are_checked() {
        assert_eq!(
            correlation_id(None, "acme/pets", Some(("42", "2")), SUM).unwrap(),
            "acme/pets:42.2:94894f530357"
        );
        assert_eq!(
            correlation_id(None, "acme/pets", None, SUM).unwrap(),
            "acme/pets:local:94894f530357"
        );
        assert_eq!(
            correlation_id(Some(" abc-1 "), "", None, SUM).unwrap(),
            "abc-1"
        );
        assert!(correlation_id(Some("a b"), "", None, SUM).is_err());
        assert!(correlation_id(Some(&"x".repeat(129)), "", None, SUM).is_err());
    }

    #[test]
    fn api_names_are_plain_words() {
        assert_eq!(api_name(" coordinator ").unwrap(), "coordinator");
        assert!(api_name("a/b").is_err());
        assert!(api_name("").is_err());
    }

    #[test]
    fn the_payload_has_the_fields_ingest_reads() {
        let payload = serde_json::to_value(Announcement {
            version: "1.2.0".into(),
            checksum: SUM.into(),
            change_type: ChangeType::Minor,
            download_url: "https://x.example/a.yaml".into(),
            source_repo: "acme/pets".into(),
            api: None,
            correlation_id: "c".into(),
        })
        .unwrap();
        let mut keys: Vec<&str> = payload
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "change_type",
                "checksum",
                "correlation_id",
                "download_url",
                "source_repo",
                "version"
            ]
        );
        assert_eq!(payload["change_type"], "minor");
    }

    #[test]
    fn a_first_announcement_is_minor_and_the_same_bytes_are_not_announced_again() {
        let first = verdict(
            None,
            ChangeKind::Major,
            SUM,
            &v("1.0.0"),
            SemverPolicy::Enforce,
        );
        assert_eq!(
            first,
            Verdict::Announce {
                change_type: ChangeType::Minor,
                problems: vec![]
            }
        );
        let same = previous("1.0.0", Some(SUM));
        assert_eq!(
            verdict(
                Some(&same),
                ChangeKind::None,
                SUM,
                &v("1.0.0"),
                SemverPolicy::Enforce
            ),
            Verdict::AlreadyAnnounced
        );
    }

    #[test]
    fn the_change_type_follows_the_diff_and_the_bump_must_cover_it() {
        let before = previous("1.2.0", Some("0".repeat(64).as_str()));
        let minor = verdict(
            Some(&before),
            ChangeKind::Minor,
            SUM,
            &v("1.3.0"),
            SemverPolicy::Enforce,
        );
        assert_eq!(
            minor,
            Verdict::Announce {
                change_type: ChangeType::Minor,
                problems: vec![]
            }
        );
        let breaking_as_minor = verdict(
            Some(&before),
            ChangeKind::Major,
            SUM,
            &v("1.3.0"),
            SemverPolicy::Enforce,
        );
        let Verdict::Refuse { problems } = breaking_as_minor else {
            panic!("{breaking_as_minor:?}")
        };
        assert_eq!(
            problems,
            ["1.2.0 -> 1.3.0 is a minor bump but the diff implies a major change"]
        );
        let warned = verdict(
            Some(&before),
            ChangeKind::Major,
            SUM,
            &v("1.3.0"),
            SemverPolicy::Warn,
        );
        assert!(
            matches!(&warned, Verdict::Announce { change_type: ChangeType::Major, problems } if problems.len() == 1),
            "{warned:?}"
        );
        let older = verdict(
            Some(&before),
            ChangeKind::Patch,
            SUM,
            &v("1.2.0"),
            SemverPolicy::Enforce,
        );
        assert!(
            matches!(&older, Verdict::Refuse { problems } if problems[0].contains("not newer")),
            "{older:?}"
        );
        let off = verdict(
            Some(&before),
            ChangeKind::Major,
            SUM,
            &v("1.2.1"),
            SemverPolicy::Off,
        );
        assert!(matches!(
            off,
            Verdict::Announce {
                change_type: ChangeType::Major,
                ..
            }
        ));
    }
}
