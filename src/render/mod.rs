//! The minijinja environment over the templates embedded from `templates/`,
//! with users' overrides (`templates_dir`) layered on top, and its filters.
//!
//! Pure: overrides arrive as a map of file contents; reading them is the
//! caller's job. Undefined variables are errors, so a typo in a user's
//! template fails loudly instead of printing nothing.

pub mod mermaid;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::collections::BTreeMap;

/// The job summary of the `ingest` stage.
pub const INGEST_SUMMARY: &str = "reports/ingest-summary.md.j2";
/// The diff report (Markdown), for `diff` and for `openapi/diffs/`.
pub const DIFF_REPORT: &str = "reports/diff.md.j2";
/// Migration notes for a version with breaking changes.
pub const MIGRATION_NOTES: &str = "reports/migration-notes.md.j2";
/// One `CHANGELOG.md` entry.
pub const CHANGELOG_ENTRY: &str = "reports/changelog-entry.md.j2";
/// The body of a `downstream` pull request in a consumer repository.
pub const PULL_REQUEST: &str = "reports/pull-request.md.j2";

/// `discover`'s typed integration configuration module.
pub const INTEGRATION_CONFIG: &str = "integrations/integration-config.ts.j2";
/// `discover`'s React provider around the configuration.
pub const INTEGRATION_PROVIDER: &str = "integrations/IntegrationProvider.tsx.j2";

/// Every built-in report template, by its path under `templates/`. The SDK
/// emitters' templates (`typescript/...`, `python/...`) are built in too,
/// from `sdk::typescript::TEMPLATES` and `sdk::python::TEMPLATES`; their
/// static files (`STATIC`) are templates only when a user overrides them.
const REPORTS: &[(&str, &str)] = &[
    (
        INGEST_SUMMARY,
        include_str!("../../templates/reports/ingest-summary.md.j2"),
    ),
    (
        DIFF_REPORT,
        include_str!("../../templates/reports/diff.md.j2"),
    ),
    (
        MIGRATION_NOTES,
        include_str!("../../templates/reports/migration-notes.md.j2"),
    ),
    (
        CHANGELOG_ENTRY,
        include_str!("../../templates/reports/changelog-entry.md.j2"),
    ),
    (
        PULL_REQUEST,
        include_str!("../../templates/reports/pull-request.md.j2"),
    ),
    (
        INTEGRATION_CONFIG,
        include_str!("../../templates/integrations/integration-config.ts.j2"),
    ),
    (
        INTEGRATION_PROVIDER,
        include_str!("../../templates/integrations/IntegrationProvider.tsx.j2"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("templates_dir has {name:?}, which overrides no built-in template (known: {known})")]
    UnknownOverride { name: String, known: String },
    #[error("template {name}: {source:#}")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
}

/// The template set of one run.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Built-in templates, each replaced by the override of the same path if any.
    pub fn new(overrides: BTreeMap<String, String>) -> Result<Templates, RenderError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        crate::sdk::typescript::configure(&mut env);
        crate::sdk::python::configure(&mut env);
        env.add_filter("md_cell", md_cell);
        env.add_filter("code", code);
        let builtin = || {
            REPORTS
                .iter()
                .chain(crate::sdk::typescript::TEMPLATES)
                .chain(crate::sdk::python::TEMPLATES)
        };
        // Static files are copied as they are unless overridden, so only
        // their overrides are templates.
        let statics = || {
            crate::sdk::typescript::STATIC
                .iter()
                .chain(crate::sdk::python::STATIC)
        };
        let known = || builtin().chain(statics()).map(|(n, _)| *n);
        for name in overrides.keys() {
            if !known().any(|known| known == name) {
                return Err(RenderError::UnknownOverride {
                    name: name.clone(),
                    known: known().collect::<Vec<_>>().join(", "),
                });
            }
        }
        let overridden_statics = statics().filter(|(n, _)| overrides.contains_key(*n));
        for (name, source) in builtin().chain(overridden_statics) {
            let source = overrides
                .get(*name)
                .cloned()
                .unwrap_or_else(|| (*source).to_owned());
            env.add_template_owned(*name, source)
                .map_err(|source| RenderError::Template {
                    name: (*name).to_owned(),
                    source,
                })?;
        }
        Ok(Templates { env })
    }

    /// The environment, for emitters that render many templates at once.
    pub fn environment(&self) -> &Environment<'static> {
        &self.env
    }

    pub fn render(&self, name: &str, context: impl Serialize) -> Result<String, RenderError> {
        let error = |source| RenderError::Template {
            name: name.to_owned(),
            source,
        };
        self.env
            .get_template(name)
            .and_then(|t| t.render(context))
            .map_err(error)
    }
}

/// Text that is safe inside a Markdown table cell: one line, pipes escaped.
fn md_cell(value: String) -> String {
    value
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// Inline code that survives backticks in the value.
fn code(value: String) -> String {
    let fence = if value.contains('`') { "`` " } else { "`" };
    let close = if value.contains('`') { " ``" } else { "`" };
    format!("{fence}{value}{close}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_builtins_and_unknown_ones_fail() {
        let mut overrides = BTreeMap::new();
        overrides.insert(INGEST_SUMMARY.to_owned(), "custom {{ version }}".to_owned());
        let t = Templates::new(overrides).unwrap();
        let out = t
            .render(INGEST_SUMMARY, minijinja::context! { version => "1.0.0" })
            .unwrap();
        assert_eq!(out, "custom 1.0.0");

        let mut typo = BTreeMap::new();
        typo.insert("reports/ingest-sumary.md.j2".to_owned(), String::new());
        assert!(matches!(
            Templates::new(typo),
            Err(RenderError::UnknownOverride { .. })
        ));
    }

    #[test]
    fn a_static_file_is_a_template_only_when_overridden() {
        let runtime = "typescript/runtime.js.j2";
        let builtin = Templates::new(BTreeMap::new()).unwrap();
        assert!(builtin.environment().get_template(runtime).is_err());
        let overrides = BTreeMap::from([(runtime.to_owned(), "// {{ 1 + 1 }}".to_owned())]);
        let t = Templates::new(overrides).unwrap();
        let out = t.render(runtime, minijinja::context! {}).unwrap();
        assert_eq!(out, "// 2");
    }

    #[test]
    fn undefined_variables_are_errors() {
        let mut overrides = BTreeMap::new();
        overrides.insert(INGEST_SUMMARY.to_owned(), "{{ nope }}".to_owned());
        let t = Templates::new(overrides).unwrap();
        assert!(t.render(INGEST_SUMMARY, minijinja::context! {}).is_err());
    }

    #[test]
    fn filters_escape_markdown() {
        assert_eq!(md_cell("a|b\nc".into()), "a\\|b c");
        assert_eq!(code("x`y".into()), "`` x`y ``");
        assert_eq!(code("xy".into()), "`xy`");
    }
}
