//! `generate`: carrying the plan out. Writes every changed SDK file in one
//! atomic step and removes the files no longer generated, commits the SDK
//! folders through GitHub's API when asked, and builds the report (outputs
//! and step summary) that `--check` and a dry run share.

use super::plan::{GeneratePlan, Sdk};
use super::request::Request;
use crate::actions::Outputs;
use crate::adapters::fs;
use crate::adapters::github::rest::FileChange;
use crate::layout::display_path;
use crate::sdk::Language;
use crate::stages::common::github;
use crate::stages::{Context, Report};
use anyhow::{Context as _, Result};
use std::path::Path;

pub async fn apply(request: &Request, plan: GeneratePlan, ctx: &Context) -> Result<Report> {
    if plan.check {
        return Ok(report(&plan));
    }
    write(&plan.sdks, &ctx.workspace)?;
    for sdk in &plan.sdks {
        let shown = display_path(&sdk.folder);
        match sdk.drift.listing().len() {
            0 => tracing::info!("{shown} is up to date"),
            n => tracing::info!("{shown}: {n} file(s) changed"),
        }
    }
    let mut report = report(&plan);
    if plan.commit {
        let packages: Vec<String> = plan.sdks.iter().map(Sdk::spec).collect();
        let message = format!("sdk: generate {}", packages.join(", "));
        let sha = github::commit_to_workflow_branch(
            &request.commit.github,
            ctx,
            &message,
            async |base| {
                Ok(plan
                    .sdks
                    .iter()
                    .flat_map(|sdk| sdk_changes(sdk, base.files.keys()))
                    .collect())
            },
        )
        .await?;
        report.outputs.set("commit_sha", sha.unwrap_or_default());
    }
    Ok(report)
}

/// Outputs and summary; under `--check`, the drift as a failure.
pub fn report(plan: &GeneratePlan) -> Report {
    let mut outputs = Outputs::new();
    let find = |l: Language| plan.sdks.iter().find(|s| s.language == l);
    let typescript = find(Language::TypeScript);
    let python = find(Language::Python);
    let path_of = |s: Option<&Sdk>| s.map(|s| display_path(&s.folder)).unwrap_or_default();
    let package_of = |s: Option<&Sdk>| s.map(|s| s.package.clone()).unwrap_or_default();
    outputs
        .set("typescript_path", path_of(typescript))
        .set("typescript_package", package_of(typescript))
        .set("python_path", path_of(python))
        .set("python_package", package_of(python))
        .set(
            "python_version",
            python.map(|s| s.version.as_str()).unwrap_or_default(),
        )
        .set("version", &plan.version)
        .set("changed", plan.changed())
        .set("commit_sha", "");
    Report {
        outputs,
        summary: summary(&plan.sdks, plan.check),
        stdout: None,
        failure: plan.check_failure(),
    }
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

/// Writes every SDK's changed files in one atomic step, then removes the
/// files that are no longer generated.
fn write(sdks: &[Sdk], workspace: &Path) -> Result<()> {
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
            fs::remove_inside(&target, path)?;
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
    use crate::sdk::python;
    use crate::stages::generate::plan::Drift;
    use std::path::PathBuf;

    #[test]
    fn sdk_changes_write_everything_and_remove_what_is_no_longer_generated_but_build_output() {
        let sdk = Sdk {
            language: Language::Python,
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
}
