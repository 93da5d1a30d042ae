//! The `dispatch` stage, run in the producer's repository: announces a spec
//! version to every consumer repository with a `repository_dispatch` event
//! carrying the payload `ingest` reads (see [`crate::announce`]).
//!
//! ```text
//! spec file ──> SHA-256, info.version ──┐
//! last announced version ───> diff ─────┼─> change type, semver check ─> one dispatch per repository
//! (file, git:, URL, or a consumer's     │
//!  openapi/latest.json via the API) ────┘
//! ```
//!
//! The same bytes as the last announced version are not announced again
//! (a re-run is a clean skip); a version bump that does not cover the diff
//! is refused under `semver_policy: enforce`, since consumers enforcing the
//! same policy would reject it.

mod apply;
pub mod plan;
pub mod request;

use super::common::github::client;
use super::common::ignore::ignore_list;
use super::common::spec_source::Sources;
use super::shape::{self, Declared as _, Stage};
use super::{Context, Report};
use crate::adapters::{fs, http};
use crate::announce::Previous;
use crate::cli::DispatchArgs;
use crate::layout::LatestRecord;
use crate::spec::{self, LoadedSpec, Validation};
use anyhow::{Context as _, Result};
use plan::{Baseline as Read, Observed, Plan};
use request::{Baseline, DispatchRequest};
use url::Url;

shape::stage!(Dispatch = "dispatch",
    args: DispatchArgs, request: DispatchRequest, plan: Plan, outputs: [
    "version", "checksum", "change_type", "correlation_id", "skipped", "dispatched",
]);

impl Stage for Dispatch {
    async fn observe(request: &DispatchRequest, ctx: &Context) -> Result<Observed> {
        let bytes = fs::read_capped(&request.spec, request.max_spec_bytes)
            .with_context(|| format!("reading the spec {}", request.spec_path))?;
        let checksum = spec::sha256_hex(&bytes);
        let url = file_url(&request.spec)?;
        let loaded = Sources::local(request.max_spec_bytes)
            .load(&url, bytes, Validation::Strict, ctx)
            .await
            .with_context(|| {
                format!("{} is not a spec consumers would accept", request.spec_path)
            })?;
        let baseline = read_baseline(request, ctx)
            .await
            .context("reading the last announced version (input `baseline`)")?;
        Ok(Observed {
            checksum,
            info_version: loaded.info_version,
            document: loaded.upgraded,
            baseline,
            ignore: ignore_list(&ctx.workspace, None)?,
        })
    }

    async fn apply(request: DispatchRequest, plan: Plan, ctx: &Context) -> Result<Report> {
        apply::apply(request, plan, ctx).await
    }

    /// The announcement's values are known without sending anything: the
    /// next job can use them on a dry run too.
    fn dry_run_report(_request: &DispatchRequest, plan: &Plan, _ctx: &Context) -> Result<Report> {
        let mut report = shape::dry_run_report(Self::NAME, plan);
        apply::set_announcement_outputs(&mut report.outputs, plan);
        Ok(report)
    }
}

fn file_url(path: &std::path::Path) -> Result<Url> {
    let absolute = std::path::absolute(path)?;
    Url::from_file_path(&absolute)
        .map_err(|()| anyhow::anyhow!("{} cannot be made a file URL", absolute.display()))
}

/// The last announced version, from where `baseline` says.
async fn read_baseline(request: &DispatchRequest, ctx: &Context) -> Result<Option<Read>> {
    let max = request.max_spec_bytes;
    let (from, sources, url) = match &request.baseline {
        Baseline::Repo(repo) => return read_consumer(request, repo, ctx).await,
        Baseline::File(path) => (
            path.display().to_string(),
            Sources::local(max),
            file_url(path)?,
        ),
        Baseline::Git { rev, path } => (
            format!("git:{rev}:{path}"),
            Sources::git_revision(std::path::absolute(&ctx.workspace)?, rev.clone(), max),
            file_url(&ctx.workspace.join(path))?,
        ),
        Baseline::Url(url) => {
            let policy = http::FetchPolicy {
                max_bytes: max,
                ..http::FetchPolicy::default()
            };
            let sources = Sources::network(http::Downloader::new(policy)?, None, Vec::new());
            (url.to_string(), sources, url.clone())
        }
    };
    let bytes = sources.read(&url).await?;
    let checksum = spec::sha256_hex(&bytes);
    let loaded = sources.load(&url, bytes, Validation::Lenient, ctx).await?;
    Ok(Some(baseline_of(from, &loaded, Some(checksum))))
}

fn baseline_of(from: String, loaded: &LoadedSpec, checksum: Option<String>) -> Read {
    Read {
        previous: Previous {
            from,
            version: semver::Version::parse(loaded.info_version.trim()).ok(),
            checksum,
        },
        document: loaded.upgraded.clone(),
    }
}

/// A consumer's `latest.json` on its default branch, and the stored spec it
/// points at; `None` when the consumer has ingested nothing yet.
async fn read_consumer(
    request: &DispatchRequest,
    repo: &crate::adapters::github::rest::RepoName,
    ctx: &Context,
) -> Result<Option<Read>> {
    let github = client(&request.github, ctx, repo).await?;
    let branch = github.repository(repo).await?.default_branch;
    let latest_path = crate::layout::display_path(
        &crate::layout::Layout::new(&request.openapi_dir).latest_file(),
    );
    let Some(bytes) = github.file(repo, &latest_path, &branch).await? else {
        tracing::info!("{repo} has no {latest_path}: this is the first announcement");
        return Ok(None);
    };
    let record: LatestRecord = serde_json::from_slice(&bytes)
        .with_context(|| format!("{repo}: {latest_path} is not a latest.json specrelay wrote"))?;
    let stored = github
        .file(repo, &record.path, &branch)
        .await?
        .with_context(|| {
            format!(
                "{repo}: {latest_path} names {}, which is missing",
                record.path
            )
        })?;
    // An https URL that is never fetched: the stored spec is bundled, and a
    // stray external reference fails instead of reading this runner's disk.
    let url = Url::parse(&format!(
        "https://{}.github.invalid/{}",
        repo.name, record.path
    ))?;
    let loaded = Sources::local(request.max_spec_bytes)
        .load(&url, stored, Validation::Lenient, ctx)
        .await
        .with_context(|| format!("{repo}: the stored {}", record.path))?;
    let mut read = baseline_of(
        format!("{repo} {latest_path}"),
        &loaded,
        Some(record.checksum.clone()),
    );
    read.previous.version = semver::Version::parse(&record.version).ok();
    Ok(Some(read))
}
