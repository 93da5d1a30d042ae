//! `publish`: carrying the plan out. Refuses to start without a credential
//! for every registry, mints a PyPI token by trusted publishing when there
//! is none, asks every registry about every file before uploading any, then
//! uploads each missing file through [`package_registry::publish`] (ask
//! first; same content is skipped, other content fails naming both hashes;
//! retries that check whether a lost upload landed). Every registry is
//! attempted even when another fails; a failure is reported as a
//! [`Failure`] (exit 3 when a registry failed, 1 when it refused) after the
//! outputs and summary of what did get published.

use super::plan::Plan;
use super::request::{NPMJS, PypiRequest, Request};
use crate::actions::Outputs;
use crate::adapters::http::{Downloader, HttpError};
use crate::adapters::npm::{NpmRegistry, NpmTarget};
use crate::adapters::oidc::{self, TrustedPublishingError};
use crate::adapters::package_registry::{self, Outcome, PublishError, RetryPolicy, Target};
use crate::adapters::pypi::{PypiRepository, PypiTarget};
use crate::pep503;
use crate::publish::Presence;
use crate::publish::npm_registry;
use crate::publish::npm_tarball::NpmTarball;
use crate::publish::pypi_upload::{self, Distribution};
use crate::publish::pyproject::PyProject;
use crate::stages::shape::Failure;
use crate::stages::{Context, Report};
use anyhow::Result;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// What became of one registry's files.
#[derive(Debug, Default)]
pub struct Results {
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

pub async fn apply(plan: &Plan, ctx: &Context) -> Result<Report> {
    let request = &plan.request;
    request.check_credentials(request.id_token_request.is_some())?;
    let http = Downloader::new(request.fetch.clone())?;
    let mut setup_failures = Vec::new();
    let pypi_token = pypi_token(request, &http, ctx, &mut setup_failures).await;
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
    let (npm_results, mut pypi_results) = upload(ctx, &files, &request.retry).await;
    pypi_results.failed.extend(setup_failures);
    let (npm_results, pypi_results) = (
        request.npm.as_ref().map(|_| npm_results),
        request.pypi.as_ref().map(|_| pypi_results),
    );

    let outputs = outputs(plan, npm_results.as_ref(), pypi_results.as_ref());
    let summary = summary(plan, npm_results.as_ref(), pypi_results.as_ref());
    let failures: Vec<PublishError> = npm_results
        .into_iter()
        .chain(pypi_results)
        .flat_map(|r| r.failed)
        .collect();
    Ok(Report {
        outputs,
        summary,
        stdout: None,
        failure: failure(failures),
    })
}

/// The PyPI token: the given one, else one minted by trusted publishing
/// (a failed exchange is recorded in `failures`, as the upload's failure).
async fn pypi_token(
    request: &Request,
    http: &Downloader,
    ctx: &Context,
    failures: &mut Vec<PublishError>,
) -> Option<SecretString> {
    match (&request.pypi, &request.id_token_request) {
        (Some(pypi), _) if pypi.token.is_some() => pypi.token.clone(),
        (Some(pypi), Some(id_request)) => {
            ctx.runtime.mask(id_request.token.expose_secret());
            let _group = ctx.runtime.group(&format!(
                "Trusted publishing: minting an upload token at {}",
                pypi.oidc_url
            ));
            match oidc::mint_pypi_token(http, &pypi.oidc_url, id_request).await {
                Ok(token) => {
                    ctx.runtime.mask(token.expose_secret());
                    tracing::info!("minted a short-lived upload token");
                    Some(token)
                }
                Err(err) => {
                    tracing::error!("{err}");
                    failures.push(trusted_failure(err, &pypi.upload_url));
                    None
                }
            }
        }
        _ => None,
    }
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
async fn upload(ctx: &Context, files: &[File<'_>], retry: &RetryPolicy) -> (Results, Results) {
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

/// One failure for all failed files: a service failure (exit 3, "the
/// registry failed") if any file failed that way, else a refusal (exit 1).
/// The outputs and summary of what did get published are written first.
fn failure(failures: Vec<PublishError>) -> Option<Failure> {
    if failures.is_empty() {
        return None;
    }
    let count = failures.len();
    let messages: Vec<String> = failures.iter().map(|e| format!("{e:#}")).collect();
    let headline = format!(
        "{count} package file(s) were not published; a re-run publishes only what is missing:\n  {}",
        messages.join("\n  ")
    );
    Some(if failures.iter().any(PublishError::is_service_failure) {
        Failure::service(headline)
    } else {
        Failure::policy(headline)
    })
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
    // PyPI and TestPyPI show a release on a page of their own site, not of
    // the upload host; other indexes serve it beside the simple index.
    let site = match pypi.upload_url.host_str() {
        Some("upload.pypi.org") => "pypi.org",
        Some("test.pypi.org") => "test.pypi.org",
        _ => return pypi_upload::project_page(&pypi.index_url, &project.name).to_string(),
    };
    format!(
        "https://{site}/project/{}/{}/",
        pep503::normalize(&project.name),
        project.version
    )
}

pub fn outputs(plan: &Plan, npm: Option<&Results>, pypi: Option<&Results>) -> Outputs {
    let request = &plan.request;
    let mut outputs = Outputs::new();
    for name in super::OUTPUTS {
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

pub fn summary(plan: &Plan, npm: Option<&Results>, pypi: Option<&Results>) -> String {
    let request = &plan.request;
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
        let failed = failure(vec![conflict, down]).unwrap();
        assert_eq!(failed.exit_code, crate::exit::SERVICE_FAILED);
        assert!(failed.message.contains("2 package file(s)") && failed.message.contains("refused"));
        let only_conflict = failure(vec![PublishError::Conflict {
            what: "y".into(),
            published: "a".into(),
            built: "b".into(),
        }])
        .unwrap();
        assert_eq!(only_conflict.exit_code, crate::exit::REJECTED);
        assert_eq!(failure(Vec::new()), None);
    }
}
