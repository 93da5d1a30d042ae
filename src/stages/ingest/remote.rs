//! `ingest --commit`: what to commit on top of the branch as it is on GitHub
//! now, which may be ahead of the checkout (another ingestion landed
//! meanwhile). Recomputed on every attempt, so that concurrent runs merge:
//! the stored spec is added (refused if the branch holds a different spec
//! for the version), `latest.json` only moves forward, and the changelog
//! entry is placed into the branch's changelog, not the checkout's.

use super::changes::ChangeFiles;
use super::plan::StorePlan;
use crate::adapters::github::commit::Snapshot;
use crate::adapters::github::rest::FileChange;
use crate::layout::{LatestRecord, Layout, display_path};
use crate::timeline;
use anyhow::{Context as _, Result, bail};
use std::path::Path;

/// The changes for `store` on top of `base`. `change_files` renders the
/// diff, migration notes, changelog and timeline for a given existing
/// changelog and version index: the branch's, so that a version another run
/// committed meanwhile stays on the timeline (`None` when the branch has no
/// index: the checkout's, or the one rebuilt from its history, is used).
pub async fn changes(
    base: &Snapshot<'_>,
    store: &StorePlan,
    layout: &Layout,
    changelog_path: &Path,
    change_files: &impl Fn(Option<&str>, Option<timeline::Index>) -> Result<ChangeFiles>,
) -> Result<Vec<FileChange>> {
    let history = display_path(&store.history_path);
    if base.files.contains_key(&history) && !base.has(&history, &store.history_bytes) {
        bail!(
            "{history} on the branch holds a different spec for this version (another run stored it); \
             stored specs are immutable: announce a new version"
        );
    }
    let mut out = vec![FileChange {
        path: history,
        contents: Some(store.history_bytes.clone()),
    }];
    if let Some(ours) = &store.latest {
        let latest_path = display_path(&layout.latest_file());
        let theirs = read_latest(base, &latest_path).await?;
        if let Some(latest) = forward(ours, theirs.as_ref()) {
            out.push(FileChange {
                path: latest_path,
                contents: Some(latest.to_bytes()),
            });
        }
    }
    let changelog = display_path(changelog_path);
    let existing = base
        .read(&changelog)
        .await?
        .map(String::from_utf8)
        .transpose()
        .with_context(|| format!("{changelog} on the branch is not UTF-8"))?;
    let index_path = display_path(&layout.history_index_file());
    let index = match base.read(&index_path).await? {
        Some(bytes) => Some(timeline::Index::parse(Some(&bytes), &index_path)?),
        None => None,
    };
    for (path, bytes) in change_files(existing.as_deref(), index)?.files {
        out.push(FileChange {
            path: display_path(&path),
            contents: Some(bytes),
        });
    }
    Ok(out)
}

async fn read_latest(base: &Snapshot<'_>, path: &str) -> Result<Option<LatestRecord>> {
    let Some(bytes) = base.read(path).await? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .with_context(|| format!("{path} on the branch is not a latest.json that specrelay wrote"))
}

/// Our record if it moves `latest.json` forward from the branch's, with
/// `previous_version` pointing at the branch's version when that is newer
/// than what the checkout knew; `None` when the branch is already at or
/// past our version.
fn forward(ours: &LatestRecord, theirs: Option<&LatestRecord>) -> Option<LatestRecord> {
    let version = |r: &LatestRecord| semver::Version::parse(&r.version).ok();
    let Some(theirs) = theirs else {
        return Some(ours.clone());
    };
    let (Some(our_version), Some(their_version)) = (version(ours), version(theirs)) else {
        return Some(ours.clone());
    };
    if their_version >= our_version {
        return None;
    }
    let mut record = ours.clone();
    let known_previous = ours
        .previous_version
        .as_deref()
        .and_then(|v| semver::Version::parse(v).ok());
    if known_previous.is_none_or(|p| p < their_version) {
        record.previous_version = Some(theirs.version.clone());
    }
    Some(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(version: &str, previous: Option<&str>) -> LatestRecord {
        LatestRecord {
            version: version.into(),
            checksum: "c".into(),
            stored_sha256: "s".into(),
            path: format!("openapi/history/openapi-{version}.json"),
            previous_version: previous.map(Into::into),
            change_type: "minor".into(),
            breaking: false,
            title: "Pets".into(),
            source_repo: "acme/api".into(),
            download_url: "https://example.com/openapi.json".into(),
            ingested_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn latest_only_moves_forward() {
        let ours = record("1.3.0", Some("1.0.0"));
        assert_eq!(forward(&ours, None), Some(ours.clone()));
        assert_eq!(forward(&ours, Some(&record("1.3.0", None))), None);
        assert_eq!(forward(&ours, Some(&record("1.4.0", None))), None);
        let moved = forward(&ours, Some(&record("1.2.0", Some("1.0.0")))).unwrap();
        assert_eq!(moved.version, "1.3.0");
        assert_eq!(moved.previous_version.as_deref(), Some("1.2.0"));
    }
}
