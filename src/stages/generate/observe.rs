//! `generate`: what the decision needs. Reads which API the run is for
//! (`apis:` in specrelay.yaml decides the folders and package names), the
//! spec (given, or the one `latest.json` points at) and each SDK folder on
//! disk, and renders every SDK in memory to compare with it. Rendering
//! happens here, beside the spec's validation, because on a large spec it
//! is most of the work and runs in parallel with validation (one thread per
//! language); it is pure and writes nothing.

use super::plan::{Drift, Observed, Sdk, drift};
use super::request::{Request, Target};
use crate::adapters::fs;
use crate::adapters::history::History;
use crate::layout::Layout;
use crate::sdk::{self, Language, naming, python, typescript};
use crate::stages::Context;
use crate::stages::common::spec_source::Sources;
use anyhow::{Context as _, Result};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use url::Url;

pub async fn observe(request: &Request, ctx: &Context) -> Result<Observed> {
    let target = request.target(request.api.select(ctx)?)?;
    // From latest.json, the version ingest stored (the announced one), which
    // wins over info.version when they differ (ingest warned about that).
    let (spec_path, stored_version) = match &request.spec {
        Some(path) => (ctx.workspace.join(path), None),
        None => {
            let (path, version) = latest_spec(ctx, &target.layout)?;
            (path, Some(version))
        }
    };
    let chosen = request.version.clone().or(stored_version);
    let url = Url::from_file_path(
        spec_path
            .canonicalize()
            .with_context(|| format!("the spec {} does not exist", spec_path.display()))?,
    )
    .map_err(|()| anyhow::anyhow!("{} is not a local path", spec_path.display()))?;
    let sources = Sources::local(request.max_spec_bytes);
    let bytes = sources.read(&url).await?;
    let env = ctx.templates.environment();
    let (loaded, rendered) = sources
        .load_then(&url, bytes, request.validation, ctx, |upgraded| {
            render_all(
                &request.languages,
                upgraded,
                &target,
                chosen.as_deref(),
                env,
            )
        })
        .await?;
    let version = chosen.unwrap_or_else(|| {
        loaded.upgraded["info"]["version"]
            .as_str()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or("0.0.0")
            .to_owned()
    });
    crate::memory::discard(loaded);
    let mut sdks = Vec::new();
    let mut warned = BTreeSet::new();
    for rendered in rendered {
        let rendered = rendered?;
        for warning in &rendered.warnings {
            if warned.insert(warning.clone()) {
                tracing::warn!("{warning}");
            }
        }
        sdks.push(compare_with_disk(rendered, &target, ctx)?);
    }
    Ok(Observed { version, sdks })
}

/// Every language's SDK, one thread per language, the first on the
/// calling thread.
fn render_all(
    languages: &[Language],
    upgraded: &Value,
    target: &Target,
    version: Option<&str>,
    env: &minijinja::Environment<'_>,
) -> Vec<Result<Rendered>> {
    std::thread::scope(|scope| {
        let render = |language| render_sdk(language, upgraded, target, version, env);
        let others: Vec<_> = languages
            .iter()
            .skip(1)
            .map(|&language| scope.spawn(move || render(language)))
            .collect();
        let mut rendered: Vec<_> = languages.first().map(|&l| render(l)).into_iter().collect();
        rendered.extend(
            others
                .into_iter()
                .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p))),
        );
        rendered
    })
}

/// One language's SDK rendered in memory, with the model's warnings.
struct Rendered {
    language: Language,
    folder_name: &'static str,
    package: String,
    version: String,
    files: Vec<(String, String)>,
    /// Files in the folder that are not generated and not compared
    /// (Python build output).
    is_artifact: fn(&str) -> bool,
    warnings: Vec<String>,
}

/// Lowers and renders one language's SDK at `version` (default the
/// spec's info.version). Pure: no files, no logging.
fn render_sdk(
    language: Language,
    upgraded: &Value,
    target: &Target,
    version: Option<&str>,
    env: &minijinja::Environment<'_>,
) -> Result<Rendered> {
    let mut api = sdk::lower(upgraded, language);
    let version = version.map_or_else(|| api.version.clone(), str::to_owned);
    let (folder_name, package, version, files, is_artifact): (_, _, _, _, fn(&str) -> bool) =
        match language {
            Language::TypeScript => {
                let options = typescript::TsOptions {
                    package_name: target
                        .package_name
                        .clone()
                        .unwrap_or_else(|| naming::npm_package_name(&api.name)),
                    package_version: version,
                };
                let files = typescript::render(&api, &options, env)
                    .context("rendering the TypeScript SDK")?;
                let name = options.package_name;
                ("typescript", name, options.package_version, files, |_| {
                    false
                })
            }
            Language::Python => {
                let options = python::PyOptions {
                    package_name: target
                        .python_package_name
                        .clone()
                        .unwrap_or_else(|| naming::python_default_distribution_name(&api.name)),
                    package_version: crate::pep440::from_any(&version),
                };
                let files =
                    python::render(&api, &options, env).context("rendering the Python SDK")?;
                let (name, version) = (options.package_name, options.package_version);
                ("python", name, version, files, python::is_build_artifact)
            }
        };
    let warnings = std::mem::take(&mut api.warnings);
    crate::memory::discard(api);
    Ok(Rendered {
        language,
        folder_name,
        package,
        version,
        files,
        is_artifact,
        warnings,
    })
}

/// How the SDK's folder on disk differs from what was rendered.
fn compare_with_disk(rendered: Rendered, target: &Target, ctx: &Context) -> Result<Sdk> {
    let folder: PathBuf = target.out.join(rendered.folder_name);
    let target = ctx.workspace.join(&folder);
    let on_disk = if target.is_dir() {
        fs::read_tree_except(&target, rendered.is_artifact)?
    } else {
        BTreeMap::new()
    };
    let drift: Drift = drift(&rendered.files, &on_disk);
    Ok(Sdk {
        language: rendered.language,
        folder,
        package: rendered.package,
        version: rendered.version,
        drift,
        files: rendered.files,
        is_artifact: rendered.is_artifact,
    })
}

/// The stored spec `openapi/latest.json` points at, and its stored version.
fn latest_spec(ctx: &Context, layout: &Layout) -> Result<(PathBuf, String)> {
    let history = History::new(&ctx.workspace, layout.clone());
    let latest = history.latest()?.with_context(|| {
        format!(
            "no --spec given and no {} (ingest a spec first, or pass `spec`)",
            history.latest_path().display()
        )
    })?;
    Ok((ctx.workspace.join(latest.path), latest.version))
}
