//! The `generate` stage: typed SDKs (TypeScript, Python) from a spec,
//! through templates users can override, written only where they changed;
//! `--check` is the drift gate for CI (regenerates in memory and fails,
//! listing the files, when a committed SDK differs).
//!
//! spec -> `sdk::lower` per language (pure) -> emitter (pure) -> a plan of
//! writes and removals for every language (pure) -> one set of atomic writes.

use super::common::spec_source::Sources;
use super::{Context, Report};
use crate::actions::Outputs;
use crate::adapters::fs;
use crate::adapters::github::rest::FileChange;
use crate::cli::{GenerateArgs, SdkLanguage};
use crate::layout::{LatestRecord, Layout, display_path};
use crate::sdk::{self, Language, naming, python, typescript};
use crate::spec::Validation;
use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use url::Url;

/// Every output this stage sets (`action.yml` declares the same).
pub const OUTPUTS: &[&str] = &[
    "typescript_path",
    "typescript_package",
    "python_path",
    "python_package",
    "python_version",
    "version",
    "changed",
    "commit_sha",
];

/// How the files on disk differ from the generated ones.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Generated files that are missing or different on disk (their
    /// contents are in [`Sdk::files`]).
    pub write: Vec<String>,
    /// Files on disk that the generator no longer produces.
    pub remove: Vec<String>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.write.is_empty() && self.remove.is_empty()
    }

    /// One line per file, for messages and the summary.
    pub fn listing(&self) -> Vec<String> {
        let written = self.write.iter().map(|p| format!("changed: {p}"));
        let removed = self.remove.iter().map(|p| format!("removed: {p}"));
        written.chain(removed).collect()
    }
}

/// Compares generated files with what is on disk (both keyed by relative path).
pub fn drift(generated: &[(String, String)], on_disk: &BTreeMap<String, String>) -> Drift {
    let write = generated
        .iter()
        .filter(|(path, contents)| on_disk.get(path) != Some(contents))
        .map(|(path, _)| path.clone())
        .collect();
    let remove = on_disk
        .keys()
        .filter(|path| !generated.iter().any(|(p, _)| p == *path))
        .cloned()
        .collect();
    Drift { write, remove }
}

/// One language's SDK, generated in memory and compared with the disk.
#[derive(Debug)]
pub struct Sdk {
    pub language: SdkLanguage,
    /// The package folder, relative to the workspace (`sdk/python`).
    pub folder: PathBuf,
    pub package: String,
    pub version: String,
    /// Every generated file, as (path in the folder, contents).
    pub files: Vec<(String, String)>,
    /// Files in the folder that are build output, not generated.
    pub is_artifact: fn(&str) -> bool,
    pub drift: Drift,
}

impl Sdk {
    fn label(&self) -> &'static str {
        match self.language {
            SdkLanguage::Typescript => "TypeScript",
            SdkLanguage::Python => "Python",
        }
    }

    /// `name@version` (npm) or `name==version` (PyPI).
    fn spec(&self) -> String {
        match self.language {
            SdkLanguage::Typescript => format!("{}@{}", self.package, self.version),
            SdkLanguage::Python => format!("{}=={}", self.package, self.version),
        }
    }
}

pub async fn run(args: GenerateArgs, ctx: &Context) -> Result<Report> {
    let spec_path = match &args.spec {
        Some(path) => ctx.workspace.join(path),
        None => latest_spec(ctx, &Layout::new(&args.openapi_dir))?,
    };
    let url = Url::from_file_path(
        spec_path
            .canonicalize()
            .with_context(|| format!("the spec {} does not exist", spec_path.display()))?,
    )
    .map_err(|()| anyhow::anyhow!("{} is not a local path", spec_path.display()))?;
    let sources = Sources::local(args.max_spec_bytes);
    let bytes = sources.read(&url).await?;
    let mut languages = args.languages.clone();
    languages.sort();
    languages.dedup();
    // The SDKs are lowered and rendered beside the spec's validation: on a
    // large spec that is most of the work, and it is used only if the spec
    // turns out valid. One thread per language, the first on the thread
    // `load_then` gives it.
    let env = ctx.templates.environment();
    let (loaded, rendered) = sources
        .load_then(&url, bytes, Validation::Strict, ctx, |upgraded| {
            std::thread::scope(|scope| {
                let render = |language| render_sdk(language, upgraded, &args, env);
                let others: Vec<_> = languages
                    .iter()
                    .skip(1)
                    .map(|&language| scope.spawn(move || render(language)))
                    .collect();
                let mut rendered: Vec<_> =
                    languages.first().map(|&l| render(l)).into_iter().collect();
                rendered.extend(
                    others
                        .into_iter()
                        .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p))),
                );
                rendered
            })
        })
        .await?;

    let version = args.version.clone().unwrap_or_else(|| {
        loaded.upgraded["info"]["version"]
            .as_str()
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
        sdks.push(compare_with_disk(rendered, &args, ctx)?);
    }

    let mut outputs = Outputs::new();
    let find = |l: SdkLanguage| sdks.iter().find(|s| s.language == l);
    let typescript = find(SdkLanguage::Typescript);
    let python = find(SdkLanguage::Python);
    let path_of = |s: Option<&Sdk>| s.map(|s| display_path(&s.folder)).unwrap_or_default();
    outputs
        .set("typescript_path", path_of(typescript))
        .set(
            "typescript_package",
            typescript.map(|s| s.package.as_str()).unwrap_or_default(),
        )
        .set("python_path", path_of(python))
        .set(
            "python_package",
            python.map(|s| s.package.as_str()).unwrap_or_default(),
        )
        .set(
            "python_version",
            python.map(|s| s.version.as_str()).unwrap_or_default(),
        )
        .set("version", &version)
        .set("changed", sdks.iter().any(|s| !s.drift.is_empty()))
        .set("commit_sha", "");
    let summary = summary(&sdks, args.check);
    if args.check {
        let drifted: Vec<String> = sdks
            .iter()
            .filter(|s| !s.drift.is_empty())
            .map(|s| {
                let listing = s.drift.listing();
                format!(
                    "{} is not what the spec generates ({} file(s)):\n  {}",
                    display_path(&s.folder),
                    listing.len(),
                    listing.join("\n  ")
                )
            })
            .collect();
        let failure = (!drifted.is_empty()).then(|| {
            super::shape::Failure::policy(format!(
                "{}\nRun `specrelay generate` and commit the result.",
                drifted.join("\n")
            ))
        });
        return Ok(Report {
            outputs,
            summary,
            stdout: None,
            failure,
        });
    }
    if ctx.dry_run {
        for sdk in &sdks {
            for line in sdk.drift.listing() {
                eprintln!("dry run: would {line} in {}", display_path(&sdk.folder));
            }
        }
    } else {
        apply(&sdks, &ctx.workspace)?;
        for sdk in &sdks {
            let shown = display_path(&sdk.folder);
            match sdk.drift.listing().len() {
                0 => tracing::info!("{shown} is up to date"),
                n => tracing::info!("{shown}: {n} file(s) changed"),
            }
        }
    }
    if args.commit.commit && !ctx.dry_run {
        let packages: Vec<String> = sdks.iter().map(Sdk::spec).collect();
        let message = format!("sdk: generate {}", packages.join(", "));
        let sha = crate::stages::common::github::commit_to_workflow_branch(
            &crate::stages::common::github::GitHubAuth::from_args(args.commit.github.clone()),
            ctx,
            &message,
            async |base| {
                Ok(sdks
                    .iter()
                    .flat_map(|sdk| sdk_changes(sdk, base.files.keys()))
                    .collect())
            },
        )
        .await?;
        outputs.set("commit_sha", sha.unwrap_or_default());
    }
    Ok(Report {
        outputs,
        summary,
        stdout: None,
        failure: None,
    })
}

/// One language's SDK rendered in memory, with the model's warnings.
struct Rendered {
    language: SdkLanguage,
    folder_name: &'static str,
    package: String,
    version: String,
    files: Vec<(String, String)>,
    /// Files in the folder that are not generated and not compared
    /// (Python build output).
    is_artifact: fn(&str) -> bool,
    warnings: Vec<String>,
}

/// Lowers and renders one language's SDK. Pure: no files, no logging.
fn render_sdk(
    language: SdkLanguage,
    upgraded: &Value,
    args: &GenerateArgs,
    env: &minijinja::Environment<'_>,
) -> Result<Rendered> {
    let model_language = match language {
        SdkLanguage::Typescript => Language::TypeScript,
        SdkLanguage::Python => Language::Python,
    };
    let mut api = sdk::lower(upgraded, model_language);
    let version = args.version.clone().unwrap_or_else(|| api.version.clone());
    let (folder_name, package, version, files, is_artifact): (_, _, _, _, fn(&str) -> bool) =
        match language {
            SdkLanguage::Typescript => {
                let options = typescript::TsOptions {
                    package_name: args
                        .package_name
                        .clone()
                        .unwrap_or_else(|| naming::npm_package_name(&api.name)),
                    package_version: version,
                };
                let files = typescript::render(&api, &options, env)
                    .context("rendering the TypeScript SDK")?;
                (
                    "typescript",
                    options.package_name,
                    options.package_version,
                    files,
                    |_| false,
                )
            }
            SdkLanguage::Python => {
                let package_name = match &args.python_package_name {
                    Some(raw) => naming::python_distribution_name(raw).ok_or_else(|| {
                        anyhow!(
                            "python_package_name {raw:?} is not a valid Python distribution name \
                             (ASCII letters, digits and -_., starting and ending with a letter or digit)"
                        )
                    })?,
                    None => naming::python_default_distribution_name(&api.name),
                };
                let options = python::PyOptions {
                    package_name,
                    package_version: crate::pep440::from_any(&version),
                };
                let files =
                    python::render(&api, &options, env).context("rendering the Python SDK")?;
                (
                    "python",
                    options.package_name,
                    options.package_version,
                    files,
                    python::is_build_artifact,
                )
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
fn compare_with_disk(rendered: Rendered, args: &GenerateArgs, ctx: &Context) -> Result<Sdk> {
    let folder = args.out.join(rendered.folder_name);
    let target = ctx.workspace.join(&folder);
    let on_disk = if target.is_dir() {
        fs::read_tree_except(&target, rendered.is_artifact)?
    } else {
        BTreeMap::new()
    };
    Ok(Sdk {
        language: rendered.language,
        folder,
        package: rendered.package,
        version: rendered.version,
        drift: drift(&rendered.files, &on_disk),
        files: rendered.files,
        is_artifact: rendered.is_artifact,
    })
}

/// The repository changes that make the SDK's folder hold exactly its
/// generated files: every file written (unchanged ones are dropped by the
/// commit), and files under the folder that are no longer generated
/// removed (build output excepted, as on disk).
fn sdk_changes<'a>(sdk: &Sdk, on_branch: impl Iterator<Item = &'a String>) -> Vec<FileChange> {
    let folder = display_path(&sdk.folder);
    let prefix = format!("{}/", folder.trim_end_matches('/'));
    let mut changes: Vec<FileChange> = sdk
        .files
        .iter()
        .map(|(path, contents)| FileChange {
            path: format!("{prefix}{path}"),
            contents: Some(contents.clone().into_bytes()),
        })
        .collect();
    let stale = on_branch.filter(|path| {
        path.strip_prefix(&prefix).is_some_and(|rest| {
            !(sdk.is_artifact)(rest) && !sdk.files.iter().any(|(p, _)| p == rest)
        })
    });
    changes.extend(stale.map(|path| FileChange {
        path: path.clone(),
        contents: None,
    }));
    changes
}

/// The stored spec `openapi/latest.json` points at.
fn latest_spec(ctx: &Context, layout: &Layout) -> Result<PathBuf> {
    let latest_path = ctx.workspace.join(layout.latest_file());
    let bytes = fs::read_optional(&latest_path)?.with_context(|| {
        format!(
            "no --spec given and no {} (ingest a spec first, or pass `spec`)",
            latest_path.display()
        )
    })?;
    let latest: LatestRecord = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not a latest.json that specrelay wrote",
            latest_path.display()
        )
    })?;
    Ok(ctx.workspace.join(latest.path))
}

/// Writes the changed files of every SDK in one atomic step, then removes
/// files that are no longer generated (all inside the generated folders,
/// which nobody edits). Each entry: the folder, its writes, its removals.
/// Writes every SDK's changed files in one atomic step, then removes the
/// files that are no longer generated.
fn apply(sdks: &[Sdk], workspace: &Path) -> Result<()> {
    let mut writes = fs::AtomicWrites::reproducible();
    for sdk in sdks {
        let target = workspace.join(&sdk.folder);
        for (path, contents) in &sdk.files {
            if sdk.drift.write.contains(path) {
                writes.write(target.join(path), contents.as_bytes());
            }
        }
    }
    writes.commit().context("writing the SDKs")?;
    for sdk in sdks {
        let target = workspace.join(&sdk.folder);
        for path in &sdk.drift.remove {
            let full = target.join(path);
            if full.starts_with(&target) {
                fs_err::remove_file(&full)?;
            } else {
                bail!(
                    "refusing to remove {} outside {}",
                    full.display(),
                    target.display()
                );
            }
        }
    }
    Ok(())
}

/// The job summary: a verdict, one table row per language, and the
/// changed files of each.
fn summary(sdks: &[Sdk], check: bool) -> String {
    let drifted = sdks.iter().any(|s| !s.drift.is_empty());
    let verdict = match (check, drifted) {
        (true, false) => "✅ The SDKs are up to date",
        (true, true) => "❌ An SDK has drifted from the spec",
        (false, false) => "✅ SDKs unchanged",
        (false, true) => "✅ SDKs generated",
    };
    let mut text = format!(
        "### {verdict}\n\n| language | package | folder | files | changed |\n|---|---|---|---|---|\n"
    );
    for sdk in sdks {
        text.push_str(&format!(
            "| {} | `{}` | `{}` | {} | {} |\n",
            sdk.label(),
            sdk.spec(),
            display_path(&sdk.folder).replace('|', "\\|"),
            sdk.files.len(),
            sdk.drift.listing().len()
        ));
    }
    for sdk in sdks.iter().filter(|s| !s.drift.is_empty()) {
        text.push_str(&format!(
            "\n{} (`{}`):\n",
            sdk.label(),
            display_path(&sdk.folder)
        ));
        for line in sdk.drift.listing() {
            text.push_str(&format!("- {line}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_changes_write_everything_and_remove_what_is_no_longer_generated_but_build_output() {
        let sdk = Sdk {
            language: SdkLanguage::Python,
            folder: PathBuf::from("sdk/python"),
            package: "pets".into(),
            version: "1.0.0".into(),
            files: vec![("pets/__init__.py".to_owned(), "x".to_owned())],
            is_artifact: python::is_build_artifact,
            drift: Drift::default(),
        };
        let on_branch = [
            "sdk/python/pets/__init__.py".to_owned(),
            "sdk/python/pets/old.py".to_owned(),
            "sdk/python/pets/__pycache__/x.pyc".to_owned(),
            "sdk/python-extra/keep.py".to_owned(),
            "README.md".to_owned(),
        ];
        let changes = sdk_changes(&sdk, on_branch.iter());
        assert_eq!(
            changes,
            vec![
                FileChange {
                    path: "sdk/python/pets/__init__.py".into(),
                    contents: Some(b"x".to_vec())
                },
                FileChange {
                    path: "sdk/python/pets/old.py".into(),
                    contents: None
                },
            ]
        );
    }

    #[test]
    fn drift_lists_changed_new_and_stale_files() {
        let generated = vec![
            ("a.js".to_owned(), "same".to_owned()),
            ("b.js".to_owned(), "new".to_owned()),
            ("c.js".to_owned(), "added".to_owned()),
        ];
        let on_disk: BTreeMap<String, String> = [
            ("a.js".to_owned(), "same".to_owned()),
            ("b.js".to_owned(), "old".to_owned()),
            ("old.js".to_owned(), "gone".to_owned()),
        ]
        .into();
        let d = drift(&generated, &on_disk);
        assert_eq!(
            d.listing(),
            vec!["changed: b.js", "changed: c.js", "removed: old.js"]
        );
        assert!(
            drift(
                &generated[..1],
                &[("a.js".to_owned(), "same".to_owned())].into()
            )
            .is_empty()
        );
    }
}
