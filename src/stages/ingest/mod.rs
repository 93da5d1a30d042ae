//! The `ingest` stage: validate a spec announcement, download and verify the
//! spec, refuse duplicates, store it immutably, diff it against the previous
//! stored version, and write the diff, migration notes and a changelog entry.
//!
//! In the [`super::shape`]: [`request`] validates the announcement;
//! `observe` reads which API's history (`apis:` in specrelay.yaml), the history, downloads and verifies the spec and reads
//! the previous one; [`plan::decide`] decides store or skip, the diff and
//! the semver policy (pure); [`apply`] renders and writes everything in one
//! atomic step, then commits it if asked. Any failure before the write
//! leaves the workspace untouched; the write itself is all-or-nothing.

pub mod apply;
mod changelog;
pub mod changes;
mod history_index;
pub mod notify;
pub mod plan;
mod remote;
pub mod request;
mod tag;

use super::common::{ignore, spec_source::Sources};
use super::shape::{self, Declared as _, Describe, Stage};
use super::{Context, Report};
use crate::actions::Annotation;
use crate::adapters::history::History;
use crate::adapters::{fs, http};
use crate::cli::IngestArgs;
use crate::spec::{self, LoadedSpec, Validation};
use anyhow::{Context as _, Result, bail};
use plan::{IngestPlan, Observed, StoredHistory};
use request::Request;

pub async fn run(args: IngestArgs, ctx: &Context) -> Result<Report> {
    // Read before the stage consumes its arguments: a rejection found at any
    // step (request, download, decision) is reported to the producer.
    let notify = notify::Target::from_args(&args, ctx);
    let outcome = shape::drive::<Ingest>(args, ctx).await;
    notify::after(notify, outcome, ctx).await
}

shape::stage!(Ingest = "ingest",
    args: IngestArgs, request: Request, plan: IngestPlan, outputs: [
    "version", "previous_version", "checksum", "spec_path", "skipped", "breaking",
    "change_type", "diff_path", "migration_notes_path", "commit_sha", "correlation_id",
    "api", "tag",
]);

impl Stage for Ingest {
    async fn observe(request: &Request, ctx: &Context) -> Result<Observed> {
        observe(request, ctx).await
    }

    async fn apply(request: Request, plan: IngestPlan, ctx: &Context) -> Result<Report> {
        warn_version_mismatch(&plan, ctx);
        apply::apply(&request, plan, ctx).await
    }

    /// A dry run renders everything a real run would write (so a broken
    /// template shows) and reports the same outputs, with nothing written.
    fn dry_run_report(request: &Request, plan: &IngestPlan, ctx: &Context) -> Result<Report> {
        shape::print_plan(Self::NAME, &plan.describe());
        warn_version_mismatch(plan, ctx);
        let files = match &plan.store {
            plan::Plan::Store(_) => Some(apply::change_files(request, plan, ctx)?),
            plan::Plan::Skip { .. } => None,
        };
        apply::report(request, plan, files.as_ref(), ctx)
    }
}

/// The announced version is not the spec's own: said once, as a warning
/// annotation, before anything is written.
fn warn_version_mismatch(plan: &IngestPlan, ctx: &Context) {
    if let Some(problem) = &plan.version_warning {
        ctx.runtime
            .annotate(&Annotation::warning(problem.clone()).with_title("version mismatch"));
    }
}

/// Reads the history, downloads and verifies the spec, and reads what the
/// decision compares it with. Writes nothing.
///
/// The history is read twice: once to refuse a version that cannot be
/// stored before downloading anything, and again under the history lock
/// (held until the plan is applied), so that concurrent ingests in one
/// workspace see each other's results as if they ran one after another.
async fn observe(request: &Request, ctx: &Context) -> Result<Observed> {
    let announcement = &request.announcement;
    let target = request.history.resolve(ctx)?;
    let history = History::new(&ctx.workspace, target.layout.clone());
    plan::check_order(announcement, &read_stored(&history)?, request.allow_older)?;
    let ignore = ignore::ignore_list(&ctx.workspace, request.ignore_file.as_deref())?;
    let spec = download(request, ctx).await?;
    // A dry run writes nothing, so it need not wait for runs that do.
    let lock = if ctx.dry_run {
        None
    } else {
        Some(history.lock()?)
    };
    let stored = read_stored(&history)?;
    plan::check_order(announcement, &stored, request.allow_older)?;
    let existing = history.stored(&announcement.version)?;
    let previous = match (&existing, stored.previous_of(&announcement.version)) {
        (None, Some(previous)) => {
            let document = history.stored_document(&previous)?.with_context(|| {
                format!("the stored spec of version {previous} disappeared while ingest ran")
            })?;
            Some((previous, spec::upgrade_to_31(&document)))
        }
        _ => None,
    };
    let changelog_path = ctx.workspace.join(&request.changelog_path);
    let changelog = fs::read_optional(&changelog_path)?
        .map(String::from_utf8)
        .transpose()
        .with_context(|| format!("{} is not UTF-8 text", changelog_path.display()))?;
    let timeline = history_index::read(
        &ctx.workspace,
        &history,
        &stored,
        changelog.as_deref(),
        &spec.title,
    )?;
    Ok(Observed {
        history: stored,
        ignore,
        spec,
        existing,
        previous,
        changelog,
        ingested_at: ctx.clock.rfc3339(),
        lock,
        timeline,
        target,
    })
}

fn read_stored(history: &History) -> Result<StoredHistory> {
    Ok(StoredHistory {
        versions: history.versions()?,
        latest: history.latest()?,
    })
}

/// The announced spec, downloaded, checksum verified, parsed and validated.
async fn download(request: &Request, ctx: &Context) -> Result<LoadedSpec> {
    let url = &request.announcement.download_url;
    let credential = request
        .download_token
        .clone()
        .map(|token| http::Credential::bearer(url.origin(), token));
    let sources = Sources::network(
        http::Downloader::new(request.fetch.clone())?,
        credential,
        request.allowed_hosts.clone(),
    );
    let _group = ctx.runtime.group(&format!("Downloading {url}"));
    let bytes = sources.read(url).await?;
    verify_checksum(&bytes, &request.announcement.checksum, url)?;
    tracing::info!("{} bytes, sha256 verified", bytes.len());
    sources
        .load(url, bytes, Validation::Strict, ctx)
        .await
        .context("nothing was stored")
}

/// Refuses bytes whose SHA-256 is not the announced one.
fn verify_checksum(bytes: &[u8], expected: &str, url: &url::Url) -> Result<()> {
    let actual = spec::sha256_hex(bytes);
    if actual != expected {
        bail!(
            "checksum mismatch for {url}: the announcement says sha256 {expected}, \
             the {} bytes downloaded hash to {actual}. The file changed after it was \
             announced, or the announcement is wrong; nothing was stored",
            bytes.len()
        );
    }
    Ok(())
}
