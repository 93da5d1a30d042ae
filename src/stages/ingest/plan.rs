//! `ingest`: what to do with a verified, valid spec, decided in full before
//! anything is written. Pure: the stored history, the previous spec and the
//! changelog arrive as values ([`Observed`]).
//!
//! Rules: a stored version is immutable (same spec again: skip; different
//! spec: refuse); a version not above the newest stored one is refused unless
//! `allow_older`; `latest.json` only ever moves forward; the announced
//! change must cover what the diff against the previous version finds
//! (the semver policy).

use super::changes::{self, Changes};
use super::request::{ChangeType, IngestRequest, Request};
use crate::adapters::history::HistoryLock;
use crate::diff::ignore::IgnoreList;
use crate::diff::{self as spec_diff, DiffOptions, Level};
use crate::layout::{LatestRecord, Layout, display_path};
use crate::semver_policy::VersionMismatch;
use crate::semver_policy::{self, SemverPolicy};
use crate::spec::{self, LoadedSpec};
use crate::stages::common::api::SpecHistory;
use crate::stages::shape::{Decide, Describe};
use crate::timeline;
use semver::Version;
use std::path::PathBuf;

/// What `observe` read for the decision.
pub struct Observed {
    pub history: StoredHistory,
    pub ignore: IgnoreList,
    /// The downloaded spec, checksum verified, parsed and validated.
    pub spec: LoadedSpec,
    /// The stored file of the announced version, if there is one.
    pub existing: Option<Vec<u8>>,
    /// The previous stored version in the 3.1 model, when there is one to diff against.
    pub previous: Option<(Version, serde_json::Value)>,
    /// The changelog as it is in the workspace.
    pub changelog: Option<String>,
    /// When the spec is ingested (RFC 3339).
    pub ingested_at: String,
    /// The history lock all of the above was read under, kept until the
    /// plan has been applied.
    pub lock: Option<HistoryLock>,
    /// The version timeline before this version: `index.json` as stored,
    /// or rebuilt from the history when there is none.
    pub timeline: timeline::Index,
    /// The spec history the version goes into (see [`SpecHistory`]).
    pub target: SpecHistory,
}

/// Everything one ingest run will do.
pub struct IngestPlan {
    pub spec: LoadedSpec,
    /// Store the spec, or skip because it is already stored.
    pub store: Plan,
    /// The diff against the previous version, after the ignore file.
    pub changes: Option<Changes>,
    /// What changed: the diff's verdict, or the producer's word for a first version.
    pub change_type: ChangeType,
    pub breaking: bool,
    /// The semver policy's complaint under `semver_policy: warn`.
    pub semver_warning: Option<String>,
    /// The announced version is not the spec's info.version (under
    /// `version_mismatch: warn`; `fail` refuses in [`decide`]).
    pub version_warning: Option<String>,
    pub existing_changelog: Option<String>,
    pub ingested_at: String,
    pub layout: Layout,
    /// The API of `apis:` this run stores, passed on as output `api`.
    pub api: Option<String>,
    pub changelog_path: PathBuf,
    pub commit: bool,
    /// Held until the plan is applied (see [`Observed::lock`]).
    pub lock: Option<HistoryLock>,
    /// The version timeline before this version (see [`Observed::timeline`]).
    pub timeline: timeline::Index,
    /// The tag for the commit (`tag: true`), for the description.
    pub tag: Option<String>,
}

impl IngestPlan {
    /// The version date for the changelog entry (`YYYY-MM-DD`).
    pub fn date(&self) -> &str {
        self.ingested_at.get(..10).unwrap_or(&self.ingested_at)
    }
}

impl Decide for IngestPlan {
    type Request = Request;
    type Observed = Observed;
    fn decide(request: &Request, observed: Observed) -> anyhow::Result<Self> {
        decide(request, observed)
    }
}

/// The whole plan: store or skip, the diff, and the semver policy's verdict.
pub fn decide(request: &Request, observed: Observed) -> anyhow::Result<IngestPlan> {
    let announcement = &request.announcement;
    let store = plan(PlanInputs {
        request: announcement,
        spec: &observed.spec,
        history: &observed.history,
        existing: observed.existing.as_deref(),
        layout: &observed.target.layout,
        ingested_at: &observed.ingested_at,
    })?;
    let version_warning = match &store {
        Plan::Store(_) => version_verdict(announcement, &observed.spec, request.version_mismatch)?,
        Plan::Skip { .. } => None,
    };
    let changes = match (&store, observed.previous) {
        (Plan::Store(_), Some((previous, stored))) => {
            let findings =
                spec_diff::diff(&stored, &observed.spec.upgraded, &DiffOptions::default());
            let (findings, ignored) = observed.ignore.apply(findings);
            Some(Changes {
                previous,
                findings,
                ignored,
            })
        }
        _ => None,
    };
    let semver_warning = match &changes {
        Some(changes) => semver_verdict(announcement, changes, request.semver_policy)?,
        None => None,
    };
    let change_type = match &changes {
        Some(c) => semver_policy::computed_change_type(c.implied(), announcement.change_type),
        None => announcement.change_type,
    };
    let breaking = changes.as_ref().is_some_and(Changes::breaking);
    let mut store = store;
    if let Plan::Store(plan) = &mut store
        && let Some(latest) = &mut plan.latest
    {
        latest.change_type = change_type.to_string();
        latest.breaking = breaking;
    }
    Ok(IngestPlan {
        spec: observed.spec,
        store,
        changes,
        change_type,
        breaking,
        semver_warning,
        version_warning,
        existing_changelog: observed.changelog,
        ingested_at: observed.ingested_at,
        layout: observed.target.layout,
        api: observed.target.api,
        changelog_path: request.changelog_path.clone(),
        commit: request.commit.enabled,
        lock: observed.lock,
        timeline: observed.timeline,
        tag: request.tag.clone(),
    })
}

/// The announced version against the spec's own info.version: the
/// warning under `version_mismatch: warn`, `Err` under `fail`.
fn version_verdict(
    request: &IngestRequest,
    spec: &LoadedSpec,
    policy: VersionMismatch,
) -> anyhow::Result<Option<String>> {
    let Some(problem) = semver_policy::version_mismatch(&request.version, &spec.info_version)
    else {
        return Ok(None);
    };
    match policy {
        VersionMismatch::Fail => anyhow::bail!(
            "{problem}\nAnnounce the spec's own version (or set `version_mismatch: warn`); nothing was stored"
        ),
        VersionMismatch::Warn => Ok(Some(problem)),
    }
}

/// The semver policy: the announcement must claim at least the change the
/// diff implies. `Err` under `enforce`; the warning under `warn`.
fn semver_verdict(
    request: &IngestRequest,
    changes: &Changes,
    policy: SemverPolicy,
) -> anyhow::Result<Option<String>> {
    if policy == SemverPolicy::Off {
        return Ok(None);
    }
    let problems = semver_policy::violations(
        changes.implied(),
        request.change_type,
        &changes.previous,
        &request.version,
    );
    if problems.is_empty() {
        return Ok(None);
    }
    let breaking: Vec<String> = changes
        .findings
        .iter()
        .filter(|f| f.level == Level::Breaking)
        .map(|f| {
            format!(
                "  - {}: {} [{}]",
                f.operation
                    .as_deref()
                    .or(f.component.as_deref())
                    .unwrap_or("API"),
                f.message,
                f.id
            )
        })
        .collect();
    let listing = if breaking.is_empty() {
        String::new()
    } else {
        format!("\nBreaking changes:\n{}", breaking.join("\n"))
    };
    let message = format!("semver policy: {}{listing}", problems.join("; "));
    match policy {
        SemverPolicy::Enforce => anyhow::bail!(
            "{message}\nAnnounce a major version (or set `semver_policy: warn`, or accept a finding in the ignore file with a reason); nothing was stored"
        ),
        SemverPolicy::Warn | SemverPolicy::Off => Ok(Some(message)),
    }
}

impl Describe for IngestPlan {
    fn describe(&self) -> Vec<String> {
        let Plan::Store(store) = &self.store else {
            return Vec::new();
        };
        let mut paths = vec![store.history_path.clone()];
        if store.latest.is_some() {
            paths.push(self.layout.latest_file());
        }
        if let Some(changes) = &self.changes {
            paths.extend(changes::change_paths(&self.layout, &store.version, changes));
        }
        paths.push(self.changelog_path.clone());
        paths.push(self.layout.history_index_file());
        paths.push(self.layout.timeline_file());
        let mut lines: Vec<String> = paths
            .iter()
            .map(|p| format!("write {}", display_path(p)))
            .collect();
        if self.commit {
            lines.push("commit these files to the workflow's branch through GitHub's API".into());
            if let Some(tag) = &self.tag {
                lines.push(format!("tag that commit as {tag}"));
            }
        }
        lines
    }
}

/// What is stored already.
#[derive(Debug, Clone, Default)]
pub struct StoredHistory {
    /// Versions with a file in `openapi/history/`.
    pub versions: Vec<Version>,
    pub latest: Option<LatestRecord>,
}

impl StoredHistory {
    /// The newest version stored, by semver precedence.
    pub fn newest(&self) -> Option<Version> {
        let from_latest = self
            .latest
            .as_ref()
            .and_then(|l| Version::parse(&l.version).ok());
        self.versions.iter().cloned().chain(from_latest).max()
    }

    /// The newest stored version below `version`: what it is diffed against.
    pub fn previous_of(&self, version: &Version) -> Option<Version> {
        self.versions.iter().filter(|v| *v < version).max().cloned()
    }
}

/// A refusal, with the reason for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// Checks, before anything is downloaded, that this version may be ingested
/// at all. A version already stored passes: the download decides between a
/// graceful skip and a refusal.
pub fn check_order(
    request: &IngestRequest,
    history: &StoredHistory,
    allow_older: bool,
) -> Result<(), Refusal> {
    if history.versions.contains(&request.version) || allow_older {
        return Ok(());
    }
    match history.newest() {
        Some(newest) if request.version <= newest => Err(Refusal(format!(
            "version {} is not greater than the newest stored version {newest}; \
             announce a higher version, or set `allow_older: true` to store an older one \
             (latest.json keeps pointing at {newest})",
            request.version
        ))),
        _ => Ok(()),
    }
}

/// The decision.
#[derive(Debug, Clone)]
pub enum Plan {
    /// The same spec is already stored under this version.
    Skip {
        reason: String,
        spec_path: String,
    },
    Store(Box<StorePlan>),
}

#[derive(Debug, Clone)]
pub struct StorePlan {
    /// The version stored.
    pub version: Version,
    pub history_path: PathBuf,
    pub history_bytes: Vec<u8>,
    pub previous_version: Option<Version>,
    /// The new `latest.json`, or `None` when a newer version stays current.
    pub latest: Option<LatestRecord>,
}

/// Everything else the plan needs from the run.
pub struct PlanInputs<'a> {
    pub request: &'a IngestRequest,
    pub spec: &'a LoadedSpec,
    pub history: &'a StoredHistory,
    /// The bytes of `openapi-{version}.json` if it exists.
    pub existing: Option<&'a [u8]>,
    pub layout: &'a Layout,
    pub ingested_at: &'a str,
}

pub fn plan(inputs: PlanInputs<'_>) -> Result<Plan, Refusal> {
    let PlanInputs {
        request,
        spec,
        history,
        existing,
        layout,
        ingested_at,
    } = inputs;
    let history_path = layout.history_file(&request.version);
    let shown = display_path(&history_path);
    let history_bytes = spec::canonical_json(&spec.document);

    if let Some(existing) = existing {
        let stored: serde_json::Value = serde_json::from_slice(existing).map_err(|e| {
            Refusal(format!(
                "{shown} exists but is not valid JSON ({e}); stored specs are never rewritten, \
                 so restore it from git history"
            ))
        })?;
        if stored == spec.document {
            return Ok(Plan::Skip {
                reason: format!("{shown} already holds this spec (same content); nothing to do."),
                spec_path: shown,
            });
        }
        return Err(Refusal(format!(
            "{shown} already holds a different spec for version {} (stored sha256 {}, \
             new sha256 {}); stored specs are immutable: announce a new version",
            request.version,
            spec::sha256_hex(existing),
            spec::sha256_hex(&history_bytes),
        )));
    }

    let previous_version = history.previous_of(&request.version);
    let moves_forward = history
        .newest()
        .is_none_or(|newest| request.version > newest);
    let latest = moves_forward.then(|| LatestRecord {
        version: request.version.to_string(),
        checksum: request.checksum.clone(),
        stored_sha256: spec::sha256_hex(&history_bytes),
        path: shown.clone(),
        previous_version: previous_version.as_ref().map(Version::to_string),
        // The diff against the previous version refines these two.
        change_type: request.change_type.to_string(),
        breaking: false,
        title: spec.title.clone(),
        source_repo: request.source_repo.clone(),
        // Stored in the repository: without credentials in the URL.
        download_url: crate::actions::redact::scrub_url(&request.download_url).to_string(),
        ingested_at: ingested_at.to_owned(),
    });
    Ok(Plan::Store(Box::new(StorePlan {
        version: request.version.clone(),
        history_path,
        history_bytes,
        previous_version,
        latest,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::ingest::request::ChangeType;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn request(version: &str) -> IngestRequest {
        IngestRequest {
            version: v(version),
            checksum: "a".repeat(64),
            change_type: ChangeType::Minor,
            download_url: url::Url::parse("https://api.example.com/openapi.json").unwrap(),
            source_repo: "acme/api".into(),
        }
    }

    fn history(versions: &[&str]) -> StoredHistory {
        StoredHistory {
            versions: versions.iter().map(|s| v(s)).collect(),
            latest: None,
        }
    }

    #[test]
    fn older_versions_need_allow_older() {
        let h = history(&["1.0.0", "1.2.0"]);
        assert!(check_order(&request("1.3.0"), &h, false).is_ok());
        let refusal = check_order(&request("1.1.0"), &h, false).unwrap_err();
        assert!(
            refusal
                .0
                .contains("not greater than the newest stored version 1.2.0")
        );
        assert!(check_order(&request("1.1.0"), &h, true).is_ok());
        // Already stored: the content decides later.
        assert!(check_order(&request("1.0.0"), &h, false).is_ok());
    }

    #[test]
    fn prerelease_precedence() {
        let h = history(&["2.0.0-beta.1"]);
        assert!(check_order(&request("2.0.0"), &h, false).is_ok());
        assert!(check_order(&request("2.0.0-alpha.3"), &h, false).is_err());
    }

    #[test]
    fn previous_is_the_newest_below() {
        let h = history(&["1.0.0", "1.2.0", "2.0.0"]);
        assert_eq!(h.previous_of(&v("1.5.0")), Some(v("1.2.0")));
        assert_eq!(h.previous_of(&v("1.0.0")), None);
    }
}
