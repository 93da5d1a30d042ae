//! The `publish` stage: the npm package from `sdk/typescript` and the wheel
//! and sdist from `sdk/python`, built by specrelay itself and uploaded over
//! the registries' HTTP APIs, so that a re-run always finishes the job.
//!
//! In the [`super::shape`]: [`request`] types the arguments; `observe`
//! reads which API (`apis:` in specrelay.yaml), which SDK folders hold a
//! package, the `.npmrc`, then validates the registries' inputs against
//! them ([`Request::new`]) and reads the SDK folders and the build time;
//! [`plan::plan`] builds and checks every package (pure) before anything is
//! sent, which is what a dry run lists; [`apply`] uploads them.
//!
//! The packages are stamped with one build time that does not change
//! between runs of the same version: `SOURCE_DATE_EPOCH` when set, else the
//! spec's ingest time from `openapi/latest.json`, else npm's own fixed
//! date. The system clock never enters, or a re-run would build other bytes.
//!
//! Tokens live in `SecretString`s, are masked in the log, and go only to the
//! origin of the registry they are for.

pub mod apply;
pub mod plan;
pub mod request;

use super::shape::{self, Declared as _, Describe, Stage};
use super::{Context, Report};
use crate::adapters::fs;
use crate::adapters::history::History;
use crate::cli::PublishArgs;
use crate::layout::display_path;
use crate::publish::PackageFiles;
use crate::publish::npmrc::Npmrc;
use anyhow::{Context as _, Result, bail};
use plan::Plan;
use request::{Found, NpmDefaults, PublishRequest, Request};
use secrecy::ExposeSecret;
use std::path::Path;

/// 1985-10-26T08:15:00Z: the mtime `npm pack` gives every entry, used when
/// the run has neither SOURCE_DATE_EPOCH nor an ingested spec.
const NPM_FIXED_MTIME: u64 = 499_162_500;

/// The validated request, the SDK folders' files and the build time.
pub struct Observed {
    request: Request,
    typescript: Option<PackageFiles>,
    python: Option<PackageFiles>,
    build_time: u64,
}

shape::stage!(Publish = "publish",
    args: PublishArgs, request: PublishRequest, plan: Plan, outputs: [
    "npm_package", "npm_version", "npm_published", "npm_url", "pypi_package", "pypi_version",
    "pypi_published", "pypi_url", "skipped",
]);

impl Stage for Publish {
    async fn observe(inputs: &PublishRequest, ctx: &Context) -> Result<Observed> {
        let request = validated(inputs, ctx)?;
        let read = |folder: &Path| fs::read_tree_bytes(&ctx.workspace.join(folder));
        Ok(Observed {
            typescript: request.npm.as_ref().map(|n| read(&n.folder)).transpose()?,
            python: request.pypi.as_ref().map(|p| read(&p.folder)).transpose()?,
            build_time: build_time(ctx, &request)?,
            request,
        })
    }

    async fn apply(_inputs: PublishRequest, plan: Plan, ctx: &Context) -> Result<Report> {
        apply::apply(&plan, ctx).await
    }

    /// What each package would be (names, versions, pages), with nothing sent.
    fn dry_run_report(_inputs: &PublishRequest, plan: &Plan, _ctx: &Context) -> Result<Report> {
        shape::print_plan(Self::NAME, &plan.describe());
        Ok(Report {
            outputs: apply::outputs(plan, None, None),
            summary: apply::summary(plan, None, None),
            stdout: None,
            failure: None,
        })
    }
}

/// The build time: see the module docs.
fn build_time(ctx: &Context, request: &Request) -> Result<u64> {
    if let Some(pinned) = ctx.clock.pinned_unix() {
        return Ok(pinned.max(0) as u64);
    }
    let history = History::new(&ctx.workspace, request.layout.clone());
    let Some(record) = history.latest()? else {
        return Ok(NPM_FIXED_MTIME);
    };
    let ingested = time::OffsetDateTime::parse(
        &record.ingested_at,
        &time::format_description::well_known::Rfc3339,
    )
    .with_context(|| {
        format!(
            "{}: ingested_at {:?} is not an RFC 3339 time",
            history.latest_path().display(),
            record.ingested_at
        )
    })?;
    Ok(ingested.unix_timestamp().max(0) as u64)
}

/// The inputs validated against the workspace: which SDK folders hold a
/// package, and the `.npmrc`.
///
/// With `apis:` in specrelay.yaml, the selected API's `sdk_dir` and
/// `openapi_dir` replace the folder inputs, and its `npm_package` must be
/// the package found there: one API's run never publishes another's SDK.
fn validated(inputs: &PublishRequest, ctx: &Context) -> Result<Request> {
    let api = inputs.api.select(ctx)?;
    let folders = inputs.folders(api.as_ref());
    let at = |p: &Path| ctx.workspace.join(p);
    let typescript = folders.sdk_dir.join("typescript");
    let python = folders.sdk_dir.join("python");
    let found = Found {
        typescript: at(&typescript).join("package.json").is_file(),
        python: at(&python).join("pyproject.toml").is_file(),
    };
    let package_json = at(&typescript).join("package.json");
    let npm_name = found
        .typescript
        .then(|| package_name(&package_json))
        .flatten();
    if let Some(api) = &api
        && let (Some(wanted), Some(found)) = (&api.npm_package, &npm_name)
        && wanted != found
    {
        bail!(
            "{} is {found:?}, but specrelay.yaml's apis.{}.npm_package is {wanted:?}; \
             run `specrelay generate` with api {} first",
            display_path(&typescript.join("package.json")),
            api.name,
            api.name
        );
    }
    let npmrc = match &inputs.npm_userconfig {
        Some(path) => read_npmrc(path)?,
        None => None,
    };
    let defaults = NpmDefaults {
        npmrc: npmrc.as_ref(),
        package: npm_name.as_deref(),
    };
    let request = Request::new(inputs, &folders, found, &defaults, crate::actions::env::var)?;
    for token in [
        request.npm.as_ref().and_then(|n| n.token.as_ref()),
        request.pypi.as_ref().and_then(|p| p.token.as_ref()),
    ]
    .into_iter()
    .flatten()
    {
        ctx.runtime.mask(token.expose_secret());
    }
    Ok(request)
}

/// The `name` of a package.json, for finding its scope's registry; the
/// builder reports a broken file properly later.
fn package_name(path: &Path) -> Option<String> {
    let bytes = fs::read_optional(path).ok()??;
    let manifest: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    manifest.get("name")?.as_str().map(str::to_owned)
}

/// The `.npmrc` at `path`. A missing file is only a warning: the runner may
/// not mount the folder where setup-node wrote it into the container.
fn read_npmrc(path: &Path) -> Result<Option<Npmrc>> {
    match fs::read_optional(path)? {
        Some(bytes) => {
            let text = String::from_utf8(bytes)
                .with_context(|| format!("{} is not UTF-8", path.display()))?;
            Ok(Some(Npmrc::parse(&text)))
        }
        None => {
            tracing::warn!(
                "npm_userconfig {} does not exist here; set npm_registry_url and npm_token instead",
                path.display()
            );
            Ok(None)
        }
    }
}
