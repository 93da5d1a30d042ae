//! The `ingest` stage: validate a spec announcement, download and verify the
//! spec, refuse duplicates, store it immutably, diff it against the previous
//! stored version, and write the diff, migration notes and a changelog entry.
//!
//! request (pure) -> download + checksum -> parse and validate (`spec`) ->
//! diff and semver policy (pure) -> plan (pure) -> one atomic write. Any
//! failure before the write leaves the workspace untouched; the write itself
//! is all-or-nothing.

mod changelog;
pub mod changes;
pub mod plan;
mod remote;
pub mod request;
pub mod semver_policy;

use super::spec_source::Sources;
use super::{Context, Report, diff as diff_stage};
use crate::actions::{Annotation, Outputs};
use crate::adapters::{fs, http};
use crate::cli::IngestArgs;
use crate::diff::ignore::IgnoreList;
use crate::diff::{self, DiffOptions, Level};
use crate::layout::{LatestRecord, Layout, display_path};
use crate::render;
use crate::spec::{self, LoadedSpec, Validation};
use anyhow::{Context as _, Result, bail};
use changes::{ChangeFiles, Changes, NewVersion};
use plan::{Plan, PlanInputs, StorePlan, StoredHistory};
use request::{AnnouncementPolicy, ChangeType, IngestRequest, RawAnnouncement};
use secrecy::SecretString;
use semver_policy::SemverPolicy;
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// Every output this stage sets, in order (`action.yml` declares the same).
pub const OUTPUTS: &[&str] = &[
    "version",
    "previous_version",
    "checksum",
    "spec_path",
    "skipped",
    "breaking",
    "change_type",
    "diff_path",
    "migration_notes_path",
    "commit_sha",
];

pub async fn run(args: IngestArgs, ctx: &Context) -> Result<Report> {
    let request = announcement(&args, ctx)?;
    let layout = Layout::new(&args.openapi_dir);
    let history = read_history(ctx, &layout)?;
    plan::check_order(&request, &history, args.allow_older)?;
    let ignore = diff_stage::ignore_list(ctx, args.ignore_file.as_deref())?;

    let sources = sources(&args, &request)?;
    let loaded = {
        let _group = ctx
            .runtime
            .group(&format!("Downloading {}", request.download_url));
        let bytes = sources.read(&request.download_url).await?;
        verify_checksum(&bytes, &request.checksum, &request.download_url)?;
        tracing::info!("{} bytes, sha256 verified", bytes.len());
        sources
            .load(&request.download_url, bytes, Validation::Strict, ctx)
            .await
            .context("nothing was stored")?
    };

    let history_path = ctx.workspace.join(layout.history_file(&request.version));
    let existing = fs::read_optional(&history_path)?;
    let ingested_at = ctx.clock.rfc3339();
    let plan = plan::plan(PlanInputs {
        request: &request,
        spec: &loaded,
        history: &history,
        existing: existing.as_deref(),
        layout: &layout,
        ingested_at: &ingested_at,
    })?;
    let Plan::Store(mut store) = plan else {
        return report(&request, &loaded, &plan, None, ctx);
    };

    let changes = store
        .previous_version
        .as_ref()
        .map(|previous| compare_with_stored(ctx, &layout, previous, &loaded, &ignore))
        .transpose()?;
    if let Some(changes) = &changes {
        check_semver(&request, changes, args.semver_policy, ctx)?;
    }
    let change_type = match &changes {
        Some(c) => semver_policy::computed_change_type(c.implied(), request.change_type),
        None => request.change_type,
    };
    let breaking = changes.as_ref().is_some_and(Changes::breaking);
    if let Some(latest) = &mut store.latest {
        latest.change_type = change_type.to_string();
        latest.breaking = breaking;
    }
    let existing_changelog = read_changelog(&ctx.workspace.join(&args.changelog_path))?;
    let change_files = |existing_changelog: Option<&str>| {
        changes::change_files(
            &ctx.templates,
            &layout,
            &NewVersion {
                version: &request.version,
                title: &loaded.title,
                date: ingested_at.get(..10).unwrap_or(&ingested_at),
            },
            changes.as_ref(),
            args.changelog_path.clone(),
            existing_changelog,
        )
    };
    let files = change_files(existing_changelog.as_deref())?;
    apply(&store, &files, ctx, &layout)?;
    let commit_sha = if args.commit.commit && !ctx.dry_run {
        let message = format!("openapi: ingest {}", request.version);
        super::github::commit_to_workflow_branch(&args.commit, ctx, &message, async |base| {
            remote::changes(base, &store, &layout, &args.changelog_path, &change_files).await
        })
        .await?
    } else {
        None
    };
    let plan = Plan::Store(store);
    let outcome = Outcome {
        files: &files,
        breaking,
        change_type,
    };
    let mut report = report(&request, &loaded, &plan, Some(outcome), ctx)?;
    report
        .outputs
        .set("commit_sha", commit_sha.unwrap_or_default());
    Ok(report)
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
    let raw = RawAnnouncement::merge(inputs, ctx.event.client_payload());
    let policy = AnnouncementPolicy {
        allow_http: args.allow_http,
        allow_file_urls: args.allow_file_urls,
        allowed_hosts: request::split_list(args.allowed_hosts.as_deref()),
        allowed_source_repos: request::split_list(args.allowed_source_repos.as_deref()),
    };
    request::validate(&raw, &policy).or_else(|errors| {
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

/// Versions stored in `openapi/history/` and the current `latest.json`.
fn read_history(ctx: &Context, layout: &Layout) -> Result<StoredHistory> {
    let mut history = StoredHistory::default();
    let dir = ctx.workspace.join(layout.history_dir());
    if dir.is_dir() {
        for entry in fs_err::read_dir(&dir)? {
            let name = entry?.file_name();
            if let Some(v) = name.to_str().and_then(Layout::version_of_history_file) {
                history.versions.push(v);
            }
        }
        history.versions.sort();
    }
    let latest_path = ctx.workspace.join(layout.latest_file());
    if let Some(bytes) = fs::read_optional(&latest_path)? {
        let record: LatestRecord = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is not a latest.json that specrelay wrote; fix or remove it",
                latest_path.display()
            )
        })?;
        history.latest = Some(record);
    }
    Ok(history)
}

fn sources(args: &IngestArgs, request: &IngestRequest) -> Result<Sources> {
    let policy = http::FetchPolicy {
        allow_http: args.allow_http,
        allow_private_network: args.allow_private_network,
        allowed_hosts: request::split_list(args.allowed_hosts.as_deref()),
        max_bytes: args.max_spec_bytes,
        attempt_timeout: Duration::from_secs(args.download_timeout.max(1)),
        max_attempts: args.max_attempts,
        ..http::FetchPolicy::default()
    };
    let credential = args.download_token.as_ref().map(|token| {
        http::Credential::bearer(
            request.download_url.origin(),
            SecretString::from(token.clone()),
        )
    });
    Ok(Sources::network(
        http::Downloader::new(policy)?,
        credential,
        request::split_list(args.allowed_hosts.as_deref()),
    ))
}

/// The diff from the stored `previous` version to the new spec, after the
/// ignore file.
fn compare_with_stored(
    ctx: &Context,
    layout: &Layout,
    previous: &semver::Version,
    loaded: &LoadedSpec,
    ignore: &IgnoreList,
) -> Result<Changes> {
    let stored = read_stored(ctx, layout, previous)?;
    let findings = diff::diff(&stored, &loaded.upgraded, &DiffOptions::default());
    let (findings, ignored) = ignore.apply(findings);
    Ok(Changes {
        previous: previous.clone(),
        findings,
        ignored,
    })
}

fn read_changelog(path: &std::path::Path) -> Result<Option<String>> {
    fs::read_optional(path)?
        .map(String::from_utf8)
        .transpose()
        .with_context(|| format!("{} is not UTF-8 text", path.display()))
}

/// A stored version in the 3.1 model, for diffing. Stored files are
/// bundled and were validated when they were stored.
fn read_stored(ctx: &Context, layout: &Layout, version: &semver::Version) -> Result<Value> {
    let path = ctx.workspace.join(layout.history_file(version));
    let bytes = fs_err::read(&path)?;
    let value: Value = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not valid JSON; restore it from git history",
            path.display()
        )
    })?;
    Ok(spec::upgrade_to_31(&value))
}

/// Applies the semver policy: the announcement must claim at least the
/// change the diff implies.
fn check_semver(
    request: &IngestRequest,
    changes: &Changes,
    policy: SemverPolicy,
    ctx: &Context,
) -> Result<()> {
    if policy == SemverPolicy::Off {
        return Ok(());
    }
    let problems = semver_policy::violations(
        changes.implied(),
        request.change_type,
        &changes.previous,
        &request.version,
    );
    if problems.is_empty() {
        return Ok(());
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
        SemverPolicy::Enforce => bail!(
            "{message}\nAnnounce a major version (or set `semver_policy: warn`, or accept a finding in the ignore file with a reason); nothing was stored"
        ),
        SemverPolicy::Warn | SemverPolicy::Off => {
            ctx.runtime
                .annotate(&Annotation::warning(message).with_title("semver policy"));
            Ok(())
        }
    }
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

fn apply(store: &StorePlan, files: &ChangeFiles, ctx: &Context, layout: &Layout) -> Result<()> {
    let mut writes = fs::AtomicWrites::new();
    writes.write(
        ctx.workspace.join(&store.history_path),
        store.history_bytes.as_slice(),
    );
    if let Some(latest) = &store.latest {
        writes.write(ctx.workspace.join(layout.latest_file()), latest.to_bytes());
    }
    for (path, bytes) in &files.files {
        writes.write(ctx.workspace.join(path), bytes.as_slice());
    }
    let written: Vec<String> = writes
        .paths()
        .filter_map(|p| p.strip_prefix(&ctx.workspace).ok())
        .map(display_path)
        .collect();
    if ctx.dry_run {
        for path in &written {
            eprintln!("dry run: would write {path}");
        }
        return Ok(());
    }
    writes.commit().context("storing the spec")?;
    tracing::info!(
        "wrote {} in {}",
        written.join(", "),
        ctx.workspace.display()
    );
    Ok(())
}

/// What the diff decided, for outputs and the summary.
struct Outcome<'a> {
    files: &'a ChangeFiles,
    breaking: bool,
    change_type: ChangeType,
}

#[derive(Serialize)]
struct SummaryContext<'a> {
    skipped: bool,
    skip_reason: &'a str,
    dry_run: bool,
    version: String,
    previous_version: String,
    checksum: &'a str,
    spec_path: &'a str,
    title: &'a str,
    source_repo: &'a str,
    download_url: &'a str,
    latest_updated: bool,
    breaking: bool,
    change_type: String,
    diff_path: &'a str,
    migration_notes_path: &'a str,
    warnings: Vec<String>,
}

fn report(
    request: &IngestRequest,
    loaded: &LoadedSpec,
    plan: &Plan,
    outcome: Option<Outcome<'_>>,
    ctx: &Context,
) -> Result<Report> {
    let (skipped, skip_reason, spec_path, previous, latest_updated) = match plan {
        Plan::Skip { reason, spec_path } => {
            ctx.runtime.annotate(&Annotation::warning(format!(
                "OpenAPI {} was already ingested: {reason}",
                request.version
            )));
            (true, reason.as_str(), spec_path.clone(), None, false)
        }
        Plan::Store(store) => (
            false,
            "",
            display_path(&store.history_path),
            store.previous_version.clone(),
            store.latest.is_some(),
        ),
    };
    let previous_version = previous.map(|v| v.to_string()).unwrap_or_default();
    let breaking = outcome.as_ref().is_some_and(|o| o.breaking);
    let change_type = outcome
        .as_ref()
        .map_or(request.change_type, |o| o.change_type)
        .to_string();
    let diff_path = outcome
        .as_ref()
        .and_then(|o| o.files.diff_path.clone())
        .unwrap_or_default();
    let migration_notes_path = outcome
        .as_ref()
        .and_then(|o| o.files.migration_notes_path.clone())
        .unwrap_or_default();
    let mut outputs = Outputs::new();
    outputs
        .set("version", &request.version)
        .set("previous_version", &previous_version)
        .set("checksum", &request.checksum)
        .set("spec_path", &spec_path)
        .set("skipped", skipped)
        .set("breaking", breaking)
        .set("change_type", &change_type)
        .set("diff_path", &diff_path)
        .set("migration_notes_path", &migration_notes_path)
        .set("commit_sha", "");
    let summary = ctx.templates.render(
        render::INGEST_SUMMARY,
        SummaryContext {
            skipped,
            skip_reason,
            dry_run: ctx.dry_run,
            version: request.version.to_string(),
            previous_version,
            checksum: &request.checksum,
            spec_path: &spec_path,
            title: &loaded.title,
            source_repo: &request.source_repo,
            download_url: request.download_url.as_str(),
            latest_updated,
            breaking,
            change_type,
            diff_path: &diff_path,
            migration_notes_path: &migration_notes_path,
            warnings: loaded.warnings.iter().map(ToString::to_string).collect(),
        },
    )?;
    Ok(Report {
        outputs,
        summary,
        stdout: None,
        failure: None,
    })
}
