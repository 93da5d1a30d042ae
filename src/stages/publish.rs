//! The `publish` stage: the npm package from `sdk/typescript` and the wheel
//! and sdist from `sdk/python`, built by specrelay itself and uploaded over
//! the registries' HTTP APIs, so that a re-run always finishes the job.
//!
//! request (validated arguments) -> plan (every package built and checked,
//! pure, before anything is sent) -> `--dry-run` prints it and stops ->
//! apply: each file through [`registry::publish`] (ask first; same content
//! is skipped, other content fails naming both hashes; retries that check
//! whether a lost upload landed). Every registry is attempted even when
//! another fails, so one run gets as far as it can and the next publishes
//! only what is missing.
//!
//! The packages are stamped with one build time that does not change
//! between runs of the same version: `SOURCE_DATE_EPOCH` when set, else the
//! spec's ingest time from `openapi/latest.json`, else npm's own fixed
//! date. The system clock never enters, or a re-run would build other bytes.
//!
//! Tokens live in `SecretString`s, are masked in the log, and go only to the
//! origin of the registry they are for.

use super::{Context, Report};
use crate::actions::Outputs;
use crate::adapters::fs;
use crate::adapters::http::{Downloader, FetchPolicy, HttpError};
use crate::adapters::npm::{NpmRegistry, NpmTarget};
use crate::adapters::oidc::{self, IdTokenRequest, TrustedPublishingError};
use crate::adapters::package_registry::{self, Outcome, PublishError, RetryPolicy, Target};
use crate::adapters::pypi::{PypiRepository, PypiTarget};
use crate::cli::{NpmAccess, PublishArgs};
use crate::layout::{LatestRecord, Layout, display_path};
use crate::publish::Presence;
use crate::publish::npm_registry::{self, Access};
use crate::publish::npm_tarball::{self, NpmTarball};
use crate::publish::npmrc::Npmrc;
use crate::publish::pypi_upload::{self, Distribution};
use crate::publish::pyproject::{self, PyProject};
use crate::publish::sdist::{self, Sdist};
use crate::publish::trusted;
use crate::publish::wheel::{self, Wheel};
use anyhow::{Context as _, Result, bail};
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

/// Every output this stage sets (`action.yml` declares the same).
pub const OUTPUTS: &[&str] = &[
    "npm_package",
    "npm_version",
    "npm_published",
    "npm_url",
    "pypi_package",
    "pypi_version",
    "pypi_published",
    "pypi_url",
    "skipped",
];

const NPMJS: &str = "https://registry.npmjs.org/";
/// 1985-10-26T08:15:00Z: the mtime `npm pack` gives every entry, used when
/// the run has neither SOURCE_DATE_EPOCH nor an ingested spec.
const NPM_FIXED_MTIME: u64 = 499_162_500;

/// The validated request: which registries, where, with which credentials.
pub struct Request {
    pub npm: Option<NpmRequest>,
    pub pypi: Option<PypiRequest>,
    pub fetch: FetchPolicy,
    pub retry: RetryPolicy,
}

pub struct NpmRequest {
    /// The package folder, relative to the workspace.
    pub folder: PathBuf,
    pub registry: Url,
    pub token: Option<SecretString>,
    pub tag: Option<String>,
    pub access: Option<Access>,
}

pub struct PypiRequest {
    pub folder: PathBuf,
    pub upload_url: Url,
    pub index_url: Url,
    /// The trusted-publishing API, for when there is no token.
    pub oidc_url: Url,
    pub username: String,
    pub token: Option<SecretString>,
}

/// Which SDK folders hold a package, as the stage found them on disk.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub typescript: bool,
    pub python: bool,
}

/// What npm's own configuration says, for settings the inputs leave open.
#[derive(Default)]
pub struct NpmDefaults<'a> {
    /// The `.npmrc` at `npm_userconfig`, if it exists.
    pub npmrc: Option<&'a Npmrc>,
    /// The package's name, for an `@scope:registry` setting.
    pub package: Option<&'a str>,
}

impl Request {
    /// Validates `args`; `found` says which SDK folders exist; `lookup`
    /// reads the variables an `.npmrc` names.
    pub fn new(
        args: &PublishArgs,
        found: Found,
        npm_defaults: &NpmDefaults<'_>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Request> {
        let (want_npm, want_pypi) = registries(args.registries.as_deref(), found)?;
        let typescript = args.sdk_dir.join("typescript");
        let python = args.sdk_dir.join("python");
        if want_npm && !found.typescript {
            bail!(
                "registries includes npm, but {} has no package.json; run `specrelay generate` first",
                display_path(&typescript)
            );
        }
        if want_pypi && !found.python {
            bail!(
                "registries includes pypi, but {} has no pyproject.toml; generate the Python SDK first",
                display_path(&python)
            );
        }
        let url = |name: &str, value: &str| -> Result<Url> {
            let url = Url::parse(value.trim())
                .with_context(|| format!("{name} {value:?} is not a URL"))?;
            if !matches!(url.scheme(), "https" | "http") {
                bail!("{name} {value:?} must be an https URL");
            }
            Ok(url)
        };
        let secret = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| SecretString::from(v.to_owned()))
        };
        let npm = want_npm
            .then(|| -> Result<NpmRequest> {
                let npmrc = npm_defaults.npmrc;
                let from_npmrc = npmrc.and_then(|rc| rc.registry_for(npm_defaults.package?));
                let registry = match (&args.npm_registry_url, from_npmrc) {
                    (Some(given), _) => url("npm_registry_url", given)?,
                    (None, Some(configured)) => url("the .npmrc registry", configured)?,
                    (None, None) => url("npm_registry_url", NPMJS)?,
                };
                let registry = npm_registry::registry_base(&registry);
                let token = match (secret(&args.npm_token), npmrc) {
                    (Some(token), _) => Some(token),
                    (None, Some(rc)) => rc.token_for(&registry, &lookup)?.map(SecretString::from),
                    (None, None) => None,
                };
                Ok(NpmRequest {
                    folder: typescript,
                    registry,
                    token,
                    tag: args
                        .npm_tag
                        .as_deref()
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(check_tag)
                        .transpose()?,
                    access: args.npm_access.map(|a| match a {
                        NpmAccess::Public => Access::Public,
                        NpmAccess::Restricted => Access::Restricted,
                    }),
                })
            })
            .transpose()?;
        let pypi = want_pypi
            .then(|| -> Result<PypiRequest> {
                let upload_url = url("pypi_repository_url", &args.pypi_repository_url)?;
                let index_url = match &args.pypi_index_url {
                    Some(index) => url("pypi_index_url", index)?,
                    None => pypi_upload::default_index_url(&upload_url),
                };
                let oidc_url = match &args.pypi_oidc_url {
                    Some(oidc) => url("pypi_oidc_url", oidc)?,
                    None => trusted::default_oidc_url(&upload_url),
                };
                Ok(PypiRequest {
                    folder: python,
                    upload_url,
                    index_url,
                    oidc_url,
                    username: args.pypi_username.trim().to_owned(),
                    token: secret(&args.pypi_token),
                })
            })
            .transpose()?;
        Ok(Request {
            npm,
            pypi,
            fetch: FetchPolicy {
                allow_http: args.allow_http,
                allow_private_network: args.allow_private_network,
                attempt_timeout: Duration::from_secs(args.upload_timeout.max(1)),
                timeout_setting: "upload_timeout",
                max_attempts: args.max_attempts,
                ..FetchPolicy::default()
            },
            retry: RetryPolicy {
                max_attempts: args.max_attempts,
                deadline: Duration::from_secs(args.publish_deadline),
                ..RetryPolicy::default()
            },
        })
    }

    /// Refuses to start uploading without a credential for every registry;
    /// `can_mint` says whether the job can get an OIDC token for trusted
    /// publishing to PyPI.
    fn check_credentials(&self, can_mint: bool) -> Result<()> {
        if self.npm.as_ref().is_some_and(|n| n.token.is_none()) {
            bail!("no npm token: set the npm_token input or NODE_AUTH_TOKEN");
        }
        if self.pypi.as_ref().is_some_and(|p| p.token.is_none()) && !can_mint {
            bail!(
                "no PyPI token: set the pypi_token input, or give the job `permissions: id-token: write` \
                 and configure a trusted publisher on the index"
            );
        }
        Ok(())
    }
}

/// `registries`: an explicit list, or every registry whose folder exists.
fn registries(list: Option<&str>, found: Found) -> Result<(bool, bool)> {
    let Some(list) = list.map(str::trim).filter(|l| !l.is_empty()) else {
        if !found.typescript && !found.python {
            bail!(
                "no SDK to publish: neither sdk/typescript/package.json nor sdk/python/pyproject.toml exists"
            );
        }
        return Ok((found.typescript, found.python));
    };
    let (mut npm, mut pypi) = (false, false);
    for name in list
        .split([',', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match name.to_ascii_lowercase().as_str() {
            "npm" => npm = true,
            "pypi" => pypi = true,
            other => bail!("registries: {other:?} is not `npm` or `pypi`"),
        }
    }
    Ok((npm, pypi))
}

/// A dist-tag that could be read as a version would shadow one.
fn check_tag(tag: &str) -> Result<String> {
    if semver::Version::parse(tag.trim_start_matches('v')).is_ok()
        || semver::VersionReq::parse(tag).is_ok_and(|_| tag.starts_with(['^', '~', '>', '<', '=']))
    {
        bail!("npm_tag {tag:?} looks like a version or range; npm refuses such tags");
    }
    if tag.contains(|c: char| c.is_whitespace() || c == '/' || c == '%') {
        bail!("npm_tag {tag:?} may not contain whitespace, `/` or `%`");
    }
    Ok(tag.to_owned())
}

/// Everything that will be uploaded, built and checked.
pub struct Plan {
    pub build_time: u64,
    pub npm: Option<NpmPlan>,
    pub pypi: Option<PypiPlan>,
}

pub struct NpmPlan {
    pub tarball: NpmTarball,
    pub tag: String,
}

pub struct PypiPlan {
    pub project: PyProject,
    pub wheel: Wheel,
    pub sdist: Sdist,
}

/// Builds every package (pure: the folders' files are passed in).
pub fn plan(
    request: &Request,
    typescript: Option<&crate::publish::PackageFiles>,
    python: Option<&crate::publish::PackageFiles>,
    build_time: u64,
) -> Result<Plan> {
    let npm = match (&request.npm, typescript) {
        (Some(npm), Some(files)) => {
            let tarball = npm_tarball::build(files, build_time)
                .with_context(|| format!("packing {}", display_path(&npm.folder)))?;
            let tag = npm
                .tag
                .clone()
                .unwrap_or_else(|| npm_registry::default_tag(&tarball.version).to_owned());
            Some(NpmPlan { tarball, tag })
        }
        _ => None,
    };
    let pypi = match (&request.pypi, python) {
        (Some(pypi), Some(files)) => {
            let at = || format!("building {}", display_path(&pypi.folder));
            let project = pyproject::read(files).with_context(at)?;
            let wheel = wheel::build(&project, files, build_time).with_context(at)?;
            let sdist = sdist::build(&project, files, build_time).with_context(at)?;
            Some(PypiPlan {
                project,
                wheel,
                sdist,
            })
        }
        _ => None,
    };
    Ok(Plan {
        build_time,
        npm,
        pypi,
    })
}

/// What became of one registry's files.
#[derive(Debug, Default)]
struct Results {
    uploaded: Vec<String>,
    already: Vec<String>,
    /// Missing, but not sent because another file conflicts.
    held_back: Vec<String>,
    failed: Vec<PublishError>,
}

impl Results {
    fn record(&mut self, file: &str, result: Result<Outcome, PublishError>) {
        match result {
            Ok(Outcome::Uploaded { attempts }) => {
                tracing::info!("{file}: published ({attempts} attempt(s))");
                self.uploaded.push(file.to_owned());
            }
            Ok(Outcome::AlreadyPublished) => {
                tracing::info!("{file}: already published with the same content, skipped");
                self.already.push(file.to_owned());
            }
            Err(err) => {
                tracing::error!("{err}");
                self.failed.push(err);
            }
        }
    }

    fn verdict(&self) -> String {
        let mut parts = Vec::new();
        if !self.uploaded.is_empty() {
            parts.push(format!("published {}", self.uploaded.join(", ")));
        }
        if !self.already.is_empty() {
            parts.push(format!("already there: {}", self.already.join(", ")));
        }
        if !self.held_back.is_empty() {
            parts.push(format!("held back: {}", self.held_back.join(", ")));
        }
        if !self.failed.is_empty() {
            parts.push(format!("**failed** ({})", self.failed.len()));
        }
        parts.join("; ")
    }
}

pub async fn run(args: PublishArgs, ctx: &Context) -> Result<Report> {
    let at = |p: &Path| ctx.workspace.join(p);
    let typescript = args.sdk_dir.join("typescript");
    let python = args.sdk_dir.join("python");
    let found = Found {
        typescript: at(&typescript).join("package.json").is_file(),
        python: at(&python).join("pyproject.toml").is_file(),
    };
    let package_json = at(&typescript).join("package.json");
    let npm_name = found
        .typescript
        .then(|| package_name(&package_json))
        .flatten();
    let npmrc = match &args.npm_userconfig {
        Some(path) => read_npmrc(path)?,
        None => None,
    };
    let defaults = NpmDefaults {
        npmrc: npmrc.as_ref(),
        package: npm_name.as_deref(),
    };
    let request = Request::new(&args, found, &defaults, crate::actions::env::var)?;
    for token in [
        request.npm.as_ref().and_then(|n| n.token.as_ref()),
        request.pypi.as_ref().and_then(|p| p.token.as_ref()),
    ]
    .into_iter()
    .flatten()
    {
        ctx.runtime.mask(token.expose_secret());
    }
    let read = |folder: &Path| fs::read_tree_bytes(&at(folder));
    let ts_files = request.npm.as_ref().map(|n| read(&n.folder)).transpose()?;
    let py_files = request.pypi.as_ref().map(|p| read(&p.folder)).transpose()?;
    let build_time = build_time(ctx, &Layout::new(&args.openapi_dir))?;
    let plan = plan(&request, ts_files.as_ref(), py_files.as_ref(), build_time)?;

    if ctx.dry_run {
        for line in describe(&request, &plan) {
            eprintln!("dry run: would {line}");
        }
        let outputs = outputs(&request, &plan, None, None);
        let summary = summary(&request, &plan, None, None);
        return Ok(Report {
            outputs,
            summary,
            stdout: None,
            failure: None,
        });
    }
    let id_token_request = ctx
        .runtime
        .id_token_request()
        .map(|(url, token)| -> Result<IdTokenRequest> {
            Ok(IdTokenRequest {
                url: Url::parse(url).context("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL")?,
                token: token.clone(),
            })
        })
        .transpose()?;
    request.check_credentials(id_token_request.is_some())?;

    let http = Downloader::new(request.fetch.clone())?;
    let mut setup_failures = Vec::new();
    let pypi_token = match (&request.pypi, &id_token_request) {
        (Some(pypi), _) if pypi.token.is_some() => pypi.token.clone(),
        (Some(pypi), Some(id_request)) => {
            ctx.runtime.mask(id_request.token.expose_secret());
            let _group = ctx.runtime.group(&format!(
                "Trusted publishing: minting an upload token at {}",
                pypi.oidc_url
            ));
            match oidc::mint_pypi_token(&http, &pypi.oidc_url, id_request).await {
                Ok(token) => {
                    ctx.runtime.mask(token.expose_secret());
                    tracing::info!("minted a short-lived upload token");
                    Some(token)
                }
                Err(err) => {
                    tracing::error!("{err}");
                    setup_failures.push(trusted_failure(err, &pypi.upload_url));
                    None
                }
            }
        }
        _ => None,
    };
    let npm_registry = request
        .npm
        .as_ref()
        .map(|npm| NpmRegistry::new(&http, npm.registry.clone(), npm.token.clone()));
    let pypi_repository = request.pypi.as_ref().zip(pypi_token).map(|(pypi, token)| {
        // A minted token belongs to `__token__`, whatever pypi_username says.
        let username = if pypi.token.is_some() {
            pypi.username.as_str()
        } else {
            "__token__"
        };
        PypiRepository::new(
            &http,
            pypi.upload_url.clone(),
            pypi.index_url.clone(),
            username,
            token,
        )
    });
    let mut files: Vec<File<'_>> = Vec::new();
    if let (Some(registry), Some(npm), Some(planned)) = (&npm_registry, &request.npm, &plan.npm) {
        files.push(File {
            registry: Registry::Npm,
            name: planned.tarball.file_name(),
            target: AnyTarget::Npm(registry.target(&planned.tarball, &planned.tag, npm.access)),
        });
    }
    if let (Some(repository), Some(planned)) = (&pypi_repository, &plan.pypi) {
        // The wheel first: installers prefer it, so a run cut short after
        // one file leaves the more useful one published.
        for dist in [
            Distribution::from(&planned.wheel),
            Distribution::from(&planned.sdist),
        ] {
            files.push(File {
                registry: Registry::Pypi,
                name: dist.file_name.to_owned(),
                target: AnyTarget::Pypi(repository.target(&planned.project, dist)),
            });
        }
    }
    let (npm_results, mut pypi_results) = apply(ctx, &files, &request.retry).await;
    pypi_results.failed.extend(setup_failures);
    let (npm_results, pypi_results) = (
        request.npm.as_ref().map(|_| npm_results),
        request.pypi.as_ref().map(|_| pypi_results),
    );

    let outputs = outputs(&request, &plan, npm_results.as_ref(), pypi_results.as_ref());
    let summary = summary(&request, &plan, npm_results.as_ref(), pypi_results.as_ref());
    let failures: Vec<PublishError> = npm_results
        .into_iter()
        .chain(pypi_results)
        .flat_map(|r| r.failed)
        .collect();
    if failures.is_empty() {
        return Ok(Report {
            outputs,
            summary,
            stdout: None,
            failure: None,
        });
    }
    // The step fails, but what did get published is reported first.
    ctx.runtime.write_outputs(&outputs)?;
    ctx.runtime.write_summary(&summary, false)?;
    Err(combine(failures))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Registry {
    Npm,
    Pypi,
}

/// One package file bound for one registry.
struct File<'a> {
    registry: Registry,
    name: String,
    target: AnyTarget<'a>,
}

/// The registries' targets as one type, so the stage handles files alike.
enum AnyTarget<'a> {
    Npm(NpmTarget<'a>),
    Pypi(PypiTarget<'a>),
}

impl Target for AnyTarget<'_> {
    fn describe(&self) -> String {
        match self {
            AnyTarget::Npm(t) => t.describe(),
            AnyTarget::Pypi(t) => t.describe(),
        }
    }

    async fn presence(&self) -> Result<Presence, PublishError> {
        match self {
            AnyTarget::Npm(t) => t.presence().await,
            AnyTarget::Pypi(t) => t.presence().await,
        }
    }

    async fn upload(&self) -> Result<(), HttpError> {
        match self {
            AnyTarget::Npm(t) => t.upload().await,
            AnyTarget::Pypi(t) => t.upload().await,
        }
    }
}

/// Asks every registry about every file before uploading any: a version
/// already published with other content anywhere stops the whole release
/// (publishing the rest would spread a reused version number). A registry
/// that cannot be asked is left for the next run; the others go ahead.
async fn apply(ctx: &Context, files: &[File<'_>], retry: &RetryPolicy) -> (Results, Results) {
    let mut results = (Results::default(), Results::default());
    let mut preflight = Vec::new();
    {
        let _group = ctx.runtime.group("Checking what the registries hold");
        for file in files {
            preflight.push(file.target.presence().await);
        }
    }
    let conflicted = preflight
        .iter()
        .any(|p| matches!(p, Ok(Presence::Different { .. })));
    for (file, presence) in files.iter().zip(preflight) {
        let sink = match file.registry {
            Registry::Npm => &mut results.0,
            Registry::Pypi => &mut results.1,
        };
        let outcome = match presence {
            Err(err) => Err(err),
            Ok(Presence::Different { published, built }) => Err(PublishError::Conflict {
                what: file.target.describe(),
                published,
                built,
            }),
            Ok(Presence::Same) => Ok(Outcome::AlreadyPublished),
            Ok(Presence::Missing) if conflicted => {
                tracing::warn!(
                    "{}: not uploaded, because another file of this release conflicts",
                    file.name
                );
                sink.held_back.push(file.name.clone());
                continue;
            }
            Ok(Presence::Missing) => {
                let _group = ctx
                    .runtime
                    .group(&format!("Publishing {}", file.target.describe()));
                package_registry::publish(&file.target, retry).await
            }
        };
        sink.record(&file.name, outcome);
    }
    results
}

/// A failed token exchange, as the PyPI upload's failure: a service failure
/// when the index or the runtime did not answer, else a refusal.
fn trusted_failure(err: TrustedPublishingError, upload_url: &Url) -> PublishError {
    let what = format!("PyPI upload to {upload_url}");
    match err {
        TrustedPublishingError::Http { step, source } => PublishError::Http {
            what: format!("{what}: trusted publishing: {step}"),
            source,
        },
        other => PublishError::Credentials {
            what,
            reason: other.to_string(),
        },
    }
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

/// One error for all failures, keeping a service failure in the chain so the
/// exit code says "the registry failed" (3) rather than "rejected" (1).
fn combine(failures: Vec<PublishError>) -> anyhow::Error {
    let count = failures.len();
    let messages: Vec<String> = failures.iter().map(|e| format!("{e:#}")).collect();
    let headline = format!(
        "{count} package file(s) were not published; a re-run publishes only what is missing:\n  {}",
        messages.join("\n  ")
    );
    let mut failures = failures;
    let lead = failures
        .iter()
        .position(PublishError::is_service_failure)
        .unwrap_or(0);
    match failures.swap_remove(lead) {
        PublishError::Http { source, .. } | PublishError::GaveUp { last: source, .. } => {
            anyhow::Error::new(source).context(headline)
        }
        other => anyhow::Error::new(other).context(headline),
    }
}

/// The build time: see the module docs.
fn build_time(ctx: &Context, layout: &Layout) -> Result<u64> {
    if let Some(pinned) = ctx.clock.pinned_unix() {
        return Ok(pinned.max(0) as u64);
    }
    let latest = ctx.workspace.join(layout.latest_file());
    let Some(bytes) = fs::read_optional(&latest)? else {
        return Ok(NPM_FIXED_MTIME);
    };
    let record: LatestRecord = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not a latest.json that specrelay wrote",
            latest.display()
        )
    })?;
    let ingested = time::OffsetDateTime::parse(
        &record.ingested_at,
        &time::format_description::well_known::Rfc3339,
    )
    .with_context(|| {
        format!(
            "{}: ingested_at {:?} is not an RFC 3339 time",
            latest.display(),
            record.ingested_at
        )
    })?;
    Ok(ingested.unix_timestamp().max(0) as u64)
}

/// The plan as lines: what would go where.
fn describe(request: &Request, plan: &Plan) -> Vec<String> {
    let mut lines = Vec::new();
    if let (Some(npm), Some(p)) = (&request.npm, &plan.npm) {
        lines.push(format!(
            "publish {} ({} bytes, {}) to {} with tag {}{}",
            p.tarball.file_name(),
            p.tarball.bytes.len(),
            p.tarball.integrity,
            npm.registry,
            p.tag,
            npm.access
                .map(|a| format!(", access {}", a.as_str()))
                .unwrap_or_default()
        ));
    }
    if let (Some(pypi), Some(p)) = (&request.pypi, &plan.pypi) {
        for (name, size, sha) in [
            (&p.wheel.file_name, p.wheel.bytes.len(), &p.wheel.sha256),
            (&p.sdist.file_name, p.sdist.bytes.len(), &p.sdist.sha256),
        ] {
            lines.push(format!(
                "upload {name} ({size} bytes, sha256 {sha}) to {}",
                pypi.upload_url
            ));
        }
    }
    lines
}

fn npm_page(registry: &Url, tarball: &NpmTarball) -> String {
    if registry.as_str() == NPMJS {
        format!(
            "https://www.npmjs.com/package/{}/v/{}",
            tarball.name, tarball.version
        )
    } else {
        npm_registry::package_url(registry, &tarball.name).to_string()
    }
}

fn pypi_page(pypi: &PypiRequest, project: &PyProject) -> String {
    match pypi.upload_url.host_str() {
        Some("upload.pypi.org") => format!(
            "https://pypi.org/project/{}/{}/",
            pyproject::normalize_name(&project.name),
            project.version
        ),
        Some("test.pypi.org") => format!(
            "https://test.pypi.org/project/{}/{}/",
            pyproject::normalize_name(&project.name),
            project.version
        ),
        _ => pypi_upload::project_page(&pypi.index_url, &project.name).to_string(),
    }
}

fn outputs(
    request: &Request,
    plan: &Plan,
    npm: Option<&Results>,
    pypi: Option<&Results>,
) -> Outputs {
    let mut outputs = Outputs::new();
    for name in OUTPUTS {
        outputs.set(name, "");
    }
    if let (Some(req), Some(p)) = (&request.npm, &plan.npm) {
        outputs
            .set("npm_package", &p.tarball.name)
            .set("npm_version", p.tarball.version.to_string())
            .set("npm_published", npm.is_some_and(|r| !r.uploaded.is_empty()))
            .set("npm_url", npm_page(&req.registry, &p.tarball));
    }
    if let (Some(req), Some(p)) = (&request.pypi, &plan.pypi) {
        outputs
            .set("pypi_package", &p.project.name)
            .set("pypi_version", &p.project.version)
            .set(
                "pypi_published",
                pypi.is_some_and(|r| !r.uploaded.is_empty()),
            )
            .set("pypi_url", pypi_page(req, &p.project));
    }
    let ran: Vec<&Results> = npm.into_iter().chain(pypi).collect();
    let skipped = !ran.is_empty()
        && ran
            .iter()
            .all(|r| r.uploaded.is_empty() && r.failed.is_empty());
    outputs.set("skipped", skipped);
    outputs
}

fn summary(
    request: &Request,
    plan: &Plan,
    npm: Option<&Results>,
    pypi: Option<&Results>,
) -> String {
    let dry = npm.is_none() && pypi.is_none();
    let failed = npm.into_iter().chain(pypi).any(|r| !r.failed.is_empty());
    let title = match (dry, failed) {
        (true, _) => "🔍 Publish plan (dry run)",
        (false, true) => "❌ Publish incomplete",
        (false, false) => "✅ Published",
    };
    let mut text = format!(
        "### {title}\n\n| registry | package | version | result | where |\n|---|---|---|---|---|\n"
    );
    if let (Some(req), Some(p)) = (&request.npm, &plan.npm) {
        let result = npm.map_or_else(|| format!("would publish as `{}`", p.tag), Results::verdict);
        text.push_str(&format!(
            "| npm | `{}` | {} | {result} | {} |\n",
            p.tarball.name,
            p.tarball.version,
            npm_page(&req.registry, &p.tarball)
        ));
    }
    if let (Some(req), Some(p)) = (&request.pypi, &plan.pypi) {
        let result = pypi.map_or_else(
            || "would upload wheel and sdist".to_owned(),
            Results::verdict,
        );
        text.push_str(&format!(
            "| PyPI | `{}` | {} | {result} | {} |\n",
            p.project.name,
            p.project.version,
            pypi_page(req, &p.project)
        ));
    }
    if failed {
        text.push_str("\nRe-run the job: it publishes only what is missing.\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, StageArgs};
    use clap::Parser;

    fn args(flags: &[&str]) -> PublishArgs {
        let argv = ["specrelay", "publish"].iter().chain(flags);
        match Cli::try_parse_from(argv).unwrap().stage {
            StageArgs::Publish(args) => *args,
            _ => unreachable!(),
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn new(flags: &[&str]) -> Result<Request> {
        Request::new(&args(flags), BOTH, &NpmDefaults::default(), no_env)
    }

    const BOTH: Found = Found {
        typescript: true,
        python: true,
    };

    #[test]
    fn registries_default_to_the_folders_that_exist() {
        let only_ts = Found {
            typescript: true,
            python: false,
        };
        assert_eq!(registries(None, only_ts).unwrap(), (true, false));
        assert_eq!(registries(Some(" "), BOTH).unwrap(), (true, true));
        assert_eq!(registries(Some("pypi"), BOTH).unwrap(), (false, true));
        assert!(registries(Some("npm,maven"), BOTH).is_err());
        let none = Found {
            typescript: false,
            python: false,
        };
        assert!(registries(None, none).is_err());
        let err = Request::new(
            &args(&["--registries", "pypi"]),
            only_ts,
            &NpmDefaults::default(),
            no_env,
        )
        .err()
        .unwrap();
        assert!(
            err.to_string().contains("sdk/python has no pyproject.toml"),
            "{err}"
        );
    }

    #[test]
    fn urls_tags_and_tokens_are_validated() {
        let r = new(&[
            "--npm-registry-url",
            "https://npm.example.com/api",
            "--npm-token",
            " t ",
        ])
        .unwrap();
        let npm = r.npm.unwrap();
        assert_eq!(npm.registry.as_str(), "https://npm.example.com/api/");
        assert_eq!(npm.token.unwrap().expose_secret(), "t");
        assert_eq!(
            r.pypi.unwrap().index_url.as_str(),
            "https://pypi.org/simple/"
        );
        assert!(new(&["--npm-registry-url", "ftp://x/"]).is_err());
        assert!(new(&["--npm-tag", "1.2.0"]).is_err());
        assert!(new(&["--npm-tag", "beta"]).is_ok());
        // Empty, so that a NODE_AUTH_TOKEN in the test's environment cannot fill it.
        let no_tokens = new(&["--npm-token="]).unwrap();
        let err = no_tokens.check_credentials(true).unwrap_err().to_string();
        assert!(err.contains("npm_token"), "{err}");
        let pypi_only = Request::new(
            &args(&["--registries", "pypi"]),
            BOTH,
            &NpmDefaults::default(),
            no_env,
        )
        .unwrap();
        assert!(
            pypi_only.check_credentials(true).is_ok(),
            "trusted publishing"
        );
        let err = pypi_only.check_credentials(false).unwrap_err().to_string();
        assert!(err.contains("id-token: write"), "{err}");
    }

    #[test]
    fn npmrc_fills_what_the_inputs_leave_open() {
        let rc = Npmrc::parse(
            "@acme:registry=https://npm.pkg.github.com/\n//npm.pkg.github.com/:_authToken=${GH_TOKEN}\n",
        );
        let defaults = NpmDefaults {
            npmrc: Some(&rc),
            package: Some("@acme/pets"),
        };
        let env = |name: &str| (name == "GH_TOKEN").then(|| "from-env".to_owned());
        let r = Request::new(&args(&["--npm-token="]), BOTH, &defaults, env).unwrap();
        let npm = r.npm.unwrap();
        assert_eq!(npm.registry.as_str(), "https://npm.pkg.github.com/");
        assert_eq!(npm.token.unwrap().expose_secret(), "from-env");

        let given = Request::new(
            &args(&[
                "--npm-registry-url",
                "https://other.example/",
                "--npm-token",
                "input",
            ]),
            BOTH,
            &defaults,
            env,
        )
        .unwrap()
        .npm
        .unwrap();
        assert_eq!(
            given.registry.as_str(),
            "https://other.example/",
            "inputs win"
        );
        assert_eq!(given.token.unwrap().expose_secret(), "input");

        let unset = Request::new(&args(&["--npm-token="]), BOTH, &defaults, no_env);
        assert!(unset.err().unwrap().to_string().contains("GH_TOKEN"));
    }

    #[test]
    fn a_registry_failure_exits_3_and_a_conflict_1() {
        let down = PublishError::Http {
            what: "x".into(),
            source: HttpError::Connect {
                url: "http://r/".into(),
                reason: "refused".into(),
            },
        };
        let conflict = PublishError::Conflict {
            what: "y".into(),
            published: "a".into(),
            built: "b".into(),
        };
        let err = combine(vec![conflict, down]);
        assert_eq!(crate::exit::code_for(&err), crate::exit::SERVICE_FAILED);
        let message = format!("{err:#}");
        assert!(message.contains("2 package file(s)") && message.contains("refused"));
        let only_conflict = combine(vec![PublishError::Conflict {
            what: "y".into(),
            published: "a".into(),
            built: "b".into(),
        }]);
        assert_eq!(crate::exit::code_for(&only_conflict), crate::exit::REJECTED);
    }
}
