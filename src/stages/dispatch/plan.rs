//! `dispatch`: what to announce and to whom, decided from the request and
//! what `observe` read (the spec, the last announced version). Pure.

use super::request::DispatchRequest;
use crate::adapters::github::rest::RepoName;
use crate::announce::{self, Announcement, Previous, UrlParts, Verdict};
use crate::diff::ignore::IgnoreList;
use crate::diff::{self, DiffOptions, Level};
use crate::stages::shape::{Decide, Describe};
use anyhow::{Context as _, Result, bail};
use serde_json::Value;

/// The last announced version: where it came from, and its document (when
/// there was one to diff against).
#[derive(Debug)]
pub struct Baseline {
    pub previous: Previous,
    /// The upgraded (OpenAPI 3.1 model) document.
    pub document: Value,
}

/// What `observe` read.
#[derive(Debug)]
pub struct Observed {
    /// SHA-256 of the spec file's bytes, exactly as consumers will download them.
    pub checksum: String,
    pub info_version: String,
    /// The upgraded (OpenAPI 3.1 model) document.
    pub document: Value,
    /// `None`: nothing was announced before (the consumer has no latest.json).
    pub baseline: Option<Baseline>,
    pub ignore: IgnoreList,
}

/// Everything `dispatch` will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub announcement: Announcement,
    pub event_type: String,
    pub targets: Vec<RepoName>,
    pub verdict: Verdict,
    /// Where the last announced version was read from, and that version.
    pub previous: Option<(String, Option<String>)>,
    pub breaking: usize,
}

impl Decide for Plan {
    type Request = DispatchRequest;
    type Observed = Observed;
    fn decide(request: &DispatchRequest, observed: Observed) -> Result<Self> {
        decide(request, observed)
    }
}

/// The decision, in named steps: the version, the findings against the
/// baseline, the verdict, and the announcement to send.
pub fn decide(request: &DispatchRequest, observed: Observed) -> Result<Plan> {
    let version = version(request, &observed)?;
    let findings = findings(&observed);
    let breaking = findings
        .iter()
        .filter(|f| f.level == Level::Breaking)
        .count();
    let previous = observed.baseline.as_ref().map(|b| &b.previous);
    let verdict = announce::verdict(
        previous,
        diff::implied_change(&findings),
        &observed.checksum,
        &version,
        request.semver_policy,
    );
    let change_type = change_type(&verdict, &findings);
    let version_text = version.to_string();
    let repository = request.source_repo.to_string();
    let download_url = download_url(request, &repository, &version_text)?;
    let run = request
        .run
        .as_ref()
        .map(|(id, attempt)| (id.as_str(), attempt.as_str()));
    let correlation_id = announce::correlation_id(
        request.correlation_id.as_deref(),
        &repository,
        run,
        &observed.checksum,
    )?;
    let previous = previous.map(|p| (p.from.clone(), p.version.as_ref().map(ToString::to_string)));
    Ok(Plan {
        announcement: Announcement {
            version: version_text,
            checksum: observed.checksum,
            change_type,
            download_url,
            source_repo: repository,
            api: request.api.clone(),
            correlation_id,
        },
        event_type: request.event_type.clone(),
        targets: request.repositories.clone(),
        verdict,
        previous,
        breaking,
    })
}

/// The version announced: input `version`, else the spec's `info.version`.
fn version(request: &DispatchRequest, observed: &Observed) -> Result<semver::Version> {
    match &request.version {
        Some(version) => Ok(version.clone()),
        None => semver::Version::parse(observed.info_version.trim()).with_context(|| {
            format!(
                "info.version {:?} of {} is not a semantic version; set the `version` input",
                observed.info_version, request.spec_path
            )
        }),
    }
}

/// The findings against the last announced version, after the ignore file;
/// none when nothing was announced before.
fn findings(observed: &Observed) -> Vec<diff::Finding> {
    match &observed.baseline {
        Some(baseline) => {
            let all = diff::diff(
                &baseline.document,
                &observed.document,
                &DiffOptions::default(),
            );
            observed.ignore.apply(all).0
        }
        None => Vec::new(),
    }
}

/// The change type announced, or (when nothing is sent) the one the
/// findings imply, so the outputs still say it.
fn change_type(verdict: &Verdict, findings: &[diff::Finding]) -> crate::semver_policy::ChangeType {
    match verdict {
        Verdict::Announce { change_type, .. } => *change_type,
        _ => crate::semver_policy::computed_change_type(
            diff::implied_change(findings),
            crate::semver_policy::ChangeType::Patch,
        ),
    }
}

/// Where consumers download the spec: input `download_url`'s template, else
/// the file at the announced commit (which must then be known).
fn download_url(request: &DispatchRequest, repository: &str, version: &str) -> Result<String> {
    let sha = request.sha.as_deref().unwrap_or("");
    if request.download_template.is_none() && sha.is_empty() {
        bail!(
            "the default download_url names the commit ($GITHUB_SHA), which is unset: run on GitHub Actions or set the `download_url` input"
        );
    }
    let url = announce::download_url(
        request.download_template.as_deref(),
        &request.server_url,
        &UrlParts {
            repository,
            sha,
            path: &request.spec_path,
            version,
        },
    )?;
    Ok(url.to_string())
}

impl Describe for Plan {
    fn describe(&self) -> Vec<String> {
        match &self.verdict {
            Verdict::AlreadyAnnounced => Vec::new(),
            Verdict::Refuse { problems } => vec![format!(
                "refuse to announce {}: {}",
                self.announcement.version,
                problems.join("; ")
            )],
            Verdict::Announce { .. } => self
                .targets
                .iter()
                .map(|repo| {
                    format!(
                        "send {} ({} {}, {}) to {repo}",
                        self.event_type,
                        self.announcement.change_type,
                        self.announcement.version,
                        self.announcement.correlation_id
                    )
                })
                .collect(),
        }
    }
}
