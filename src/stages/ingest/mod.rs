//! The `ingest` stage: validate a spec announcement, download and verify the
//! spec, refuse duplicates, and store it immutably in the workspace.
//!
//! request (pure) -> download + checksum -> parse and validate (pure, in
//! `spec`) -> plan (pure) -> atomic writes. Any failure before the writes
//! leaves the workspace untouched; the writes themselves are all-or-nothing.

pub mod fetch;
pub mod plan;
pub mod request;

use super::{Context, Report};
use crate::actions::{Annotation, Outputs};
use crate::adapters::{fs, http};
use crate::cli::IngestArgs;
use crate::layout::{LatestRecord, Layout, display_path};
use crate::render;
use crate::spec::{self, DocumentSet, Limits, LoadedSpec, Problem, Severity};
use anyhow::{Context as _, Result, bail};
use plan::{Plan, PlanInputs, StoredHistory};
use request::{AnnouncementPolicy, IngestRequest, RawAnnouncement};
use secrecy::SecretString;
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
];

pub async fn run(args: IngestArgs, ctx: &Context) -> Result<Report> {
    let request = announcement(&args, ctx)?;
    let layout = Layout::new(&args.openapi_dir);
    let history = read_history(ctx, &layout)?;
    plan::check_order(&request, &history, args.allow_older)?;

    let sources = sources(&args, &request)?;
    let limits = Limits::default();
    let loaded = {
        let _group = ctx
            .runtime
            .group(&format!("Downloading {}", request.download_url));
        let bytes = sources.read(&request.download_url).await?;
        fetch::verify_checksum(&bytes, &request.checksum, &request.download_url)?;
        tracing::info!("{} bytes, sha256 verified", bytes.len());
        let root = spec::parse_document(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: {e}", request.download_url))
            .context("the downloaded file is neither valid JSON nor valid YAML")?;
        let set = DocumentSet::new(request.download_url.clone(), root);
        let set = sources.complete(&request.download_url, set, &limits).await;
        load_spec(set, &limits, ctx)?
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
    apply(&plan, ctx, &layout)?;
    report(&request, &loaded, &plan, ctx)
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

fn sources(args: &IngestArgs, request: &IngestRequest) -> Result<fetch::Sources> {
    let policy = http::FetchPolicy {
        allow_http: args.allow_http,
        allow_private_network: args.allow_private_network,
        max_bytes: args.max_spec_bytes,
        attempt_timeout: Duration::from_secs(args.download_timeout.max(1)),
        max_attempts: args.max_attempts,
        ..http::FetchPolicy::default()
    };
    let credential = args.download_token.as_ref().map(|token| http::Credential {
        origin: request.download_url.origin(),
        token: SecretString::from(token.clone()),
    });
    Ok(fetch::Sources {
        downloader: http::Downloader::new(policy)?,
        credential,
        allowed_hosts: request::split_list(args.allowed_hosts.as_deref()),
    })
}

/// Validates the spec; every problem becomes an annotation.
fn load_spec(set: DocumentSet, limits: &Limits, ctx: &Context) -> Result<LoadedSpec> {
    match spec::load(set, limits) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                ctx.runtime.annotate(&annotation_for(w, ctx));
            }
            Ok(loaded)
        }
        Err(problems) => {
            for p in &problems {
                ctx.runtime.annotate(&annotation_for(p, ctx));
            }
            let errors = problems
                .iter()
                .filter(|p| matches!(p.severity, Severity::Error))
                .count();
            bail!(
                "the spec is not a valid OpenAPI 3.0/3.1 document: {errors} error{} (listed above); nothing was stored",
                if errors == 1 { "" } else { "s" }
            )
        }
    }
}

/// An annotation on the file when the spec lives in the workspace, otherwise
/// one naming the URL and JSON pointer.
fn annotation_for(problem: &Problem, ctx: &Context) -> Annotation {
    let base = match problem.severity {
        Severity::Error => Annotation::error(problem.to_string()),
        Severity::Warning => Annotation::warning(problem.to_string()),
    }
    .with_title("OpenAPI");
    let in_workspace = url::Url::parse(&problem.file)
        .ok()
        .and_then(|u| u.to_file_path().ok())
        .and_then(|p| {
            let workspace = ctx.workspace.canonicalize().ok()?;
            p.strip_prefix(workspace).ok().map(display_path)
        });
    match in_workspace {
        Some(file) => base.at(file, problem.line),
        None => base,
    }
}

fn apply(plan: &Plan, ctx: &Context, layout: &Layout) -> Result<()> {
    let Plan::Store(store) = plan else {
        return Ok(());
    };
    let mut writes = fs::AtomicWrites::new();
    writes.write(
        ctx.workspace.join(&store.history_path),
        store.history_bytes.clone(),
    );
    if let Some(latest) = &store.latest {
        writes.write(ctx.workspace.join(layout.latest_file()), latest.to_bytes());
    }
    if ctx.dry_run {
        for path in writes.paths() {
            eprintln!("dry run: would write {}", path.display());
        }
        return Ok(());
    }
    writes.commit().context("storing the spec")?;
    let written: Vec<String> = [
        Some(store.history_path.clone()),
        store.latest.as_ref().map(|_| layout.latest_file()),
    ]
    .into_iter()
    .flatten()
    .map(|p| display_path(&p))
    .collect();
    tracing::info!(
        "wrote {} in {}",
        written.join(" and "),
        ctx.workspace.display()
    );
    Ok(())
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
    warnings: Vec<String>,
}

fn report(
    request: &IngestRequest,
    loaded: &LoadedSpec,
    plan: &Plan,
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
    let mut outputs = Outputs::new();
    outputs
        .set("version", &request.version)
        .set("previous_version", &previous_version)
        .set("checksum", &request.checksum)
        .set("spec_path", &spec_path)
        .set("skipped", skipped);
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
            warnings: loaded.warnings.iter().map(ToString::to_string).collect(),
        },
    )?;
    Ok(Report { outputs, summary })
}
