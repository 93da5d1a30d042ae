//! The `generate` stage: typed SDKs from a spec, through templates users can
//! override, written only where they changed; `--check` is the drift gate
//! for CI (regenerates in memory and fails, listing the files, when the
//! committed SDK differs).
//!
//! spec -> `sdk::lower` (pure) -> emitter (pure) -> a plan of writes and
//! removals (pure) -> atomic writes.

use super::spec_source::Sources;
use super::{Context, Report};
use crate::actions::Outputs;
use crate::adapters::fs;
use crate::adapters::github::rest::FileChange;
use crate::cli::GenerateArgs;
use crate::layout::{LatestRecord, Layout, display_path};
use crate::sdk::{self, Language, typescript};
use crate::spec::Validation;
use anyhow::{Context as _, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use url::Url;

/// Every output this stage sets (`action.yml` declares the same).
pub const OUTPUTS: &[&str] = &[
    "typescript_path",
    "typescript_package",
    "version",
    "changed",
    "commit_sha",
];

/// How the files on disk differ from the generated ones.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Generated files that are missing or different on disk.
    pub write: Vec<(String, String)>,
    /// Files on disk that the generator no longer produces.
    pub remove: Vec<String>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.write.is_empty() && self.remove.is_empty()
    }

    /// One line per file, for messages and the summary.
    pub fn listing(&self) -> Vec<String> {
        let written = self.write.iter().map(|(p, _)| format!("changed: {p}"));
        let removed = self.remove.iter().map(|p| format!("removed: {p}"));
        written.chain(removed).collect()
    }
}

/// Compares generated files with what is on disk (both keyed by relative path).
pub fn drift(generated: &[(String, String)], on_disk: &BTreeMap<String, String>) -> Drift {
    let write = generated
        .iter()
        .filter(|(path, contents)| on_disk.get(path) != Some(contents))
        .cloned()
        .collect();
    let remove = on_disk
        .keys()
        .filter(|path| !generated.iter().any(|(p, _)| p == *path))
        .cloned()
        .collect();
    Drift { write, remove }
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
    let loaded = sources.load(&url, &bytes, Validation::Strict, ctx).await?;

    let api = sdk::lower(&loaded.upgraded, Language::TypeScript);
    for warning in &api.warnings {
        tracing::warn!("{warning}");
    }
    let options = typescript::TsOptions {
        package_name: args
            .package_name
            .clone()
            .unwrap_or_else(|| sdk::naming::npm_package_name(&api.name)),
        package_version: args.version.clone().unwrap_or_else(|| api.version.clone()),
    };
    let files = typescript::render(&api, &options, ctx.templates.environment())
        .context("rendering the TypeScript SDK")?;

    let out = args.out.join("typescript");
    let target = ctx.workspace.join(&out);
    let on_disk = if target.is_dir() {
        fs::read_tree(&target)?
    } else {
        BTreeMap::new()
    };
    let drift = drift(&files, &on_disk);
    let shown = display_path(&out);

    let mut outputs = Outputs::new();
    outputs
        .set("typescript_path", &shown)
        .set("typescript_package", &options.package_name)
        .set("version", &options.package_version)
        .set("changed", !drift.is_empty())
        .set("commit_sha", "");
    let listing = drift.listing();
    let summary = summary(&shown, &options, files.len(), &listing, args.check);
    if args.check {
        let failure = (!drift.is_empty()).then(|| {
            format!(
                "{shown} is not what the spec generates ({} file(s)):\n  {}\nRun `specrelay generate` and commit the result.",
                listing.len(),
                listing.join("\n  ")
            )
        });
        return Ok(Report {
            outputs,
            summary,
            stdout: None,
            failure,
        });
    }
    if ctx.dry_run {
        for line in &listing {
            eprintln!("dry run: would {line}");
        }
    } else if !drift.is_empty() {
        apply(&target, &drift)?;
        tracing::info!("{shown}: {} file(s) changed", listing.len());
    } else {
        tracing::info!("{shown} is up to date");
    }
    if args.commit.commit && !ctx.dry_run {
        let message = format!(
            "sdk: generate {}@{}",
            options.package_name, options.package_version
        );
        let sha =
            super::github::commit_to_workflow_branch(&args.commit, ctx, &message, async |base| {
                Ok(sdk_changes(&shown, &files, base.files.keys()))
            })
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

/// The repository changes that make `folder` (repository-relative) hold
/// exactly the generated `files`: every file written (unchanged ones are
/// dropped by the commit), and files under `folder` that are no longer
/// generated removed.
fn sdk_changes<'a>(
    folder: &str,
    files: &[(String, String)],
    on_branch: impl Iterator<Item = &'a String>,
) -> Vec<FileChange> {
    let prefix = format!("{}/", folder.trim_end_matches('/'));
    let mut changes: Vec<FileChange> = files
        .iter()
        .map(|(path, contents)| FileChange {
            path: format!("{prefix}{path}"),
            contents: Some(contents.clone().into_bytes()),
        })
        .collect();
    let stale = on_branch.filter(|path| {
        path.strip_prefix(&prefix)
            .is_some_and(|rest| !files.iter().any(|(p, _)| p == rest))
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

/// Writes changed files in one atomic step, then removes files that are no
/// longer generated (all inside the generated folder, which nobody edits).
fn apply(target: &Path, drift: &Drift) -> Result<()> {
    let mut writes = fs::AtomicWrites::new();
    for (path, contents) in &drift.write {
        writes.write(target.join(path), contents.clone());
    }
    writes.commit().context("writing the SDK")?;
    for path in &drift.remove {
        let full = target.join(path);
        if full.starts_with(target) {
            fs_err::remove_file(&full)?;
        } else {
            bail!(
                "refusing to remove {} outside {}",
                full.display(),
                target.display()
            );
        }
    }
    Ok(())
}

fn summary(
    path: &str,
    options: &typescript::TsOptions,
    files: usize,
    listing: &[String],
    check: bool,
) -> String {
    let verdict = match (check, listing.is_empty()) {
        (true, true) => "✅ The TypeScript SDK is up to date".to_owned(),
        (true, false) => "❌ The TypeScript SDK has drifted from the spec".to_owned(),
        (false, true) => "✅ TypeScript SDK unchanged".to_owned(),
        (false, false) => "✅ TypeScript SDK generated".to_owned(),
    };
    let mut text = format!(
        "### {verdict}\n\n`{}@{}` in `{path}`: {files} files, {} changed.\n",
        options.package_name,
        options.package_version,
        listing.len()
    );
    if !listing.is_empty() {
        text.push('\n');
        for line in listing {
            text.push_str(&format!("- {line}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_changes_write_everything_and_remove_what_is_no_longer_generated() {
        let files = vec![("index.ts".to_owned(), "x".to_owned())];
        let on_branch = [
            "sdk/typescript/index.ts".to_owned(),
            "sdk/typescript/old.ts".to_owned(),
            "sdk/typescript-extra/keep.ts".to_owned(),
            "README.md".to_owned(),
        ];
        let changes = sdk_changes("sdk/typescript", &files, on_branch.iter());
        assert_eq!(
            changes,
            vec![
                FileChange {
                    path: "sdk/typescript/index.ts".into(),
                    contents: Some(b"x".to_vec())
                },
                FileChange {
                    path: "sdk/typescript/old.ts".into(),
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
