//! `ingest --notify-source`: when an announcement is rejected (checksum
//! mismatch, invalid spec or fields, semver violation), the producer is told
//! where it looks, not only in this repository's logs: one issue in
//! `source_repo`, found again by a hidden marker and edited in place on the
//! next rejection, or an `openapi_spec_rejected` dispatch carrying the
//! reason. A failed notification is a warning; the run's own outcome stands.

use crate::adapters::github::rest::RepoName;
use crate::cli::{IngestArgs, NotifySource};
use crate::stages::common::github::{GitHubAuth, client};
use crate::stages::ingest::request::{RawAnnouncement, qualify_source_repo, split_list};
use crate::stages::{Context, Report};
use anyhow::Result;
use serde_json::{Value, json};

/// The event type a rejection is sent back as.
pub const REJECTED_EVENT: &str = "openapi_spec_rejected";
/// Longest reason sent; server-side and spec errors can be long.
const MAX_REASON: usize = 4000;

/// Who to tell, and what about, read before the stage runs (the stage
/// consumes its arguments).
pub struct Target {
    mode: NotifySource,
    source: Option<RepoName>,
    auth: GitHubAuth,
    notice: Notice,
    /// The API comes from the announcement (no `api` input): an API this
    /// repository does not list is then the producer's to fix.
    api_from_announcement: bool,
}

/// What the producer is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// `owner/name` of this (the consumer's) repository.
    pub consumer: String,
    pub version: Option<String>,
    pub checksum: Option<String>,
    pub correlation_id: Option<String>,
    pub run_url: Option<String>,
}

impl Target {
    pub fn from_args(args: &IngestArgs, ctx: &Context) -> Target {
        let payload = ctx.event.client_payload();
        let field = |input: &Option<String>, name: &str| {
            input.clone().or_else(|| {
                payload
                    .and_then(|p| p.get(name))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
        };
        let mut raw = RawAnnouncement {
            source_repo: field(&args.source_repo, "source_repo").map(Value::String),
            ..RawAnnouncement::default()
        };
        let owner = ctx
            .env
            .repository
            .as_deref()
            .and_then(|r| r.split_once('/'))
            .map(|(o, _)| o);
        qualify_source_repo(&mut raw, owner);
        let allowed = split_list(args.allowed_source_repos.as_deref());
        // Only a producer this repository accepts is written to: the
        // payload is untrusted and must not aim the token elsewhere.
        let source = raw
            .source_repo
            .as_ref()
            .and_then(Value::as_str)
            .and_then(RepoName::parse)
            .filter(|repo| {
                allowed.is_empty()
                    || allowed
                        .iter()
                        .any(|a| a.eq_ignore_ascii_case(&repo.to_string()))
            });
        Target {
            api_from_announcement: args.api.as_deref().is_none_or(|a| a.trim().is_empty()),
            mode: args.notify_source,
            source,
            auth: GitHubAuth::from_args(args.commit.github.clone()),
            notice: Notice {
                consumer: ctx
                    .env
                    .repository
                    .clone()
                    .unwrap_or_else(|| "a consumer".into()),
                version: field(&args.version, "version"),
                checksum: field(&args.checksum, "checksum"),
                correlation_id: field(&args.correlation_id, "correlation_id"),
                run_url: ctx.env.run_url(),
            },
        }
    }
}

fn unknown_api(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<crate::apis::ApisError>()
            .is_some_and(crate::apis::ApisError::is_usage)
    })
}

/// The stage's outcome, after telling the producer if it was a rejection.
pub async fn after(target: Target, outcome: Result<Report>, ctx: &Context) -> Result<Report> {
    if target.mode == NotifySource::Off || ctx.dry_run {
        return outcome;
    }
    let reason = match &outcome {
        Err(e) if crate::exit::code_for(e) == crate::exit::REJECTED => format!("{e:#}"),
        // Exit 2 here, but the announcement named the API: tell its producer.
        Err(e) if target.api_from_announcement && unknown_api(e) => format!("{e:#}"),
        Ok(report) => match &report.failure {
            Some(f) if f.exit_code == crate::exit::REJECTED => f.message.clone(),
            _ => return outcome,
        },
        Err(_) => return outcome,
    };
    let Some(source) = &target.source else {
        tracing::warn!("notify_source: no acceptable source_repo to tell of the rejection");
        return outcome;
    };
    match tell(&target, source, &bounded(&reason), ctx).await {
        Ok(what) => tracing::info!("told {source} of the rejection: {what}"),
        Err(e) => ctx
            .runtime
            .annotate(&crate::actions::Annotation::warning(format!(
                "could not tell {source} of the rejection (notify_source): {e:#}"
            ))),
    }
    outcome
}

async fn tell(target: &Target, source: &RepoName, reason: &str, ctx: &Context) -> Result<String> {
    let github = client(&target.auth, ctx, source).await?;
    let notice = &target.notice;
    if target.mode == NotifySource::Dispatch {
        github
            .dispatch(source, REJECTED_EVENT, &rejected_payload(notice, reason))
            .await?;
        return Ok(format!("sent {REJECTED_EVENT}"));
    }
    let marker = marker(&notice.consumer);
    let title = format!("{} rejected the OpenAPI announcement", notice.consumer);
    let body = issue_body(notice, reason);
    let existing = github
        .open_issues(source)
        .await?
        .into_iter()
        .find(|i| i.body.as_deref().is_some_and(|b| b.contains(&marker)));
    Ok(match existing {
        Some(issue) => {
            github
                .update_issue(source, issue.number, &title, &body)
                .await?;
            format!("edited issue #{}", issue.number)
        }
        None => {
            let issue = github.create_issue(source, &title, &body).await?;
            format!("opened issue #{}", issue.number)
        }
    })
}

/// The hidden line that finds this consumer's issue again.
pub fn marker(consumer: &str) -> String {
    format!("<!-- specrelay:rejected consumer={consumer} -->")
}

/// The reason, cut to a size an issue or a dispatch takes.
fn bounded(reason: &str) -> String {
    if reason.len() <= MAX_REASON {
        return reason.to_owned();
    }
    let mut end = MAX_REASON;
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &reason[..end], reason.len())
}

/// The issue's Markdown: what was announced, why it was refused, the run.
pub fn issue_body(notice: &Notice, reason: &str) -> String {
    let mut body = format!(
        "{}\n### {} rejected an OpenAPI announcement\n\n| | |\n|---|---|\n",
        marker(&notice.consumer),
        notice.consumer
    );
    let rows = [
        ("Version", &notice.version),
        ("Checksum", &notice.checksum),
        ("Correlation id", &notice.correlation_id),
        ("Run", &notice.run_url),
    ];
    for (name, value) in rows {
        if let Some(value) = value {
            body.push_str(&format!("| {name} | `{}` |\n", value.replace('`', "'")));
        }
    }
    body.push_str(&format!(
        "\n**Why:**\n\n```text\n{}\n```\n\nThis issue is edited in place on the next rejection; close it once a corrected version was announced.\n",
        reason.replace("```", "'''")
    ));
    body
}

/// The `client_payload` of `openapi_spec_rejected`.
pub fn rejected_payload(notice: &Notice, reason: &str) -> Value {
    json!({
        "consumer": notice.consumer,
        "version": notice.version,
        "checksum": notice.checksum,
        "correlation_id": notice.correlation_id,
        "run_url": notice.run_url,
        "reason": reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            consumer: "acme/sdk".into(),
            version: Some("1.3.0".into()),
            checksum: None,
            correlation_id: Some("acme/api:9.1:abc".into()),
            run_url: None,
        }
    }

    #[test]
    fn the_issue_carries_the_marker_the_reason_and_what_was_announced() {
        let body = issue_body(&notice(), "checksum mismatch ``` here");
        assert!(body.starts_with("<!-- specrelay:rejected consumer=acme/sdk -->\n"));
        assert!(body.contains("| Version | `1.3.0` |"));
        assert!(body.contains("| Correlation id | `acme/api:9.1:abc` |"));
        assert!(!body.contains("Checksum"));
        assert!(body.contains("checksum mismatch ''' here"));
    }

    #[test]
    fn the_dispatch_payload_stays_under_githubs_ten_properties() {
        let payload = rejected_payload(&notice(), "why");
        assert!(payload.as_object().unwrap().len() <= 10);
        assert_eq!(payload["reason"], "why");
    }

    #[test]
    fn long_reasons_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_REASON);
        let cut = bounded(&long);
        assert!(cut.len() < long.len());
        assert!(cut.ends_with(&format!("({} bytes in all)", long.len())));
    }
}
