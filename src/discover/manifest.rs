//! Integration manifests (`integrations/<name>.yaml`) and their schema.
//!
//! # Schema
//!
//! A manifest is a YAML mapping with exactly these fields (any other field
//! is an error, so a typo never passes silently):
//!
//! | field | required | meaning |
//! | --- | --- | --- |
//! | `name` | yes | the integration's name, kebab-case, equal to the file name without `.yaml` |
//! | `provider` | yes | who provides it (a team, vendor or service), non-empty |
//! | `versions` | yes | the versions available, a non-empty list of distinct semver versions |
//! | `description` | no | one line for people |
//! | `status` | no | `draft`, `active` (default), `deprecated` or `migrating` |
//! | `replacement` | no | the integration to use instead (for `deprecated` or `migrating`) |
//! | `dependencies` | no | a mapping of integration name to version constraint (`^3`, `~1.2`, `>=2 <3`, `*`) |
//! | `config` | no | a mapping of configuration values, copied into the generated configuration |
//! | `fallback` | no | any value: what the front end does when the integration is unavailable |
//! | `api` | no | the provider's contract: `spec` (a path in the repository, may contain `{version}`, which becomes the integration's resolved version) and `operations` (`operationId`s or `METHOD /path`) |
//!
//! Pure: text in, a [`Manifest`] or the problems with their lines out.

use super::scan::valid_name;
use super::versions;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One manifest as written.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub provider: String,
    #[serde(default)]
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    pub versions: Vec<String>,
    #[serde(default)]
    pub dependencies: BTreeMap<String, String>,
    #[serde(default)]
    pub config: serde_json::Map<String, Value>,
    #[serde(default)]
    pub fallback: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<Api>,
}

/// The provider contract an integration calls.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// A workspace-relative path; `{version}` is replaced by the integration's resolved version.
    pub spec: String,
    #[serde(default)]
    pub operations: Vec<String>,
}

/// What the manifest says about the integration's life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    #[default]
    Active,
    Deprecated,
    Migrating,
}

/// A problem in one manifest, at a line when one is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    pub line: Option<u32>,
    pub message: String,
}

/// The placeholder in `api.spec` for the resolved version.
pub const VERSION_PLACEHOLDER: &str = "{version}";

/// Parses and checks the manifest `file_stem`.yaml.
pub fn parse(file_stem: &str, text: &str) -> Result<Manifest, Vec<ManifestError>> {
    let manifest: Manifest = serde_yaml::from_str(text).map_err(|e| {
        vec![ManifestError {
            line: e.location().map(|l| l.line() as u32),
            message: format!("not a valid manifest: {e}"),
        }]
    })?;
    let errors = check(file_stem, &manifest, text);
    if errors.is_empty() {
        Ok(manifest)
    } else {
        Err(errors)
    }
}

/// The 1-based line of the first line of `text` that contains `needle`.
pub fn line_of(text: &str, needle: &str) -> Option<u32> {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|i| i as u32 + 1)
}

fn check(file_stem: &str, m: &Manifest, text: &str) -> Vec<ManifestError> {
    let mut errors = Vec::new();
    let mut error = |needle: &str, message: String| {
        errors.push(ManifestError {
            line: line_of(text, needle),
            message,
        });
    };
    if !valid_name(&m.name) {
        error("name:", format!("name {:?} is not kebab-case", m.name));
    } else if m.name != file_stem {
        error(
            "name:",
            format!(
                "name {:?} differs from the file name {file_stem}.yaml",
                m.name
            ),
        );
    }
    if m.provider.trim().is_empty() {
        error("provider:", "provider is empty".to_owned());
    }
    if m.versions.is_empty() {
        error("versions:", "versions lists no version".to_owned());
    }
    let mut seen = Vec::new();
    for v in &m.versions {
        match semver::Version::parse(v) {
            Ok(parsed) if seen.contains(&parsed) => {
                error(v, format!("version {v} is listed twice"))
            }
            Ok(parsed) => seen.push(parsed),
            Err(e) => error(v, format!("version {v:?} is not semver: {e}")),
        }
    }
    for (dep, constraint) in &m.dependencies {
        if !valid_name(dep) {
            error(
                dep,
                format!("dependency {dep:?} is not a valid integration name"),
            );
        } else if *dep == m.name {
            error(dep, format!("{dep} depends on itself"));
        }
        if let Err(e) = versions::parse_constraint(constraint) {
            error(dep, format!("dependency {dep}: {e}"));
        }
    }
    if let Some(replacement) = &m.replacement
        && !valid_name(replacement)
    {
        error(
            "replacement:",
            format!("replacement {replacement:?} is not a valid integration name"),
        );
    }
    if let Some(api) = &m.api {
        check_api(api, text, &mut errors);
    }
    for (i, line) in text.lines().enumerate() {
        if line.contains("TODO") && !line.trim_start().starts_with('#') {
            errors.push(ManifestError {
                line: Some(i as u32 + 1),
                message: "a TODO marker is left: complete this field".to_owned(),
            });
        }
    }
    errors
}

fn push(errors: &mut Vec<ManifestError>, text: &str, needle: &str, message: String) {
    errors.push(ManifestError {
        line: line_of(text, needle),
        message,
    });
}

fn check_api(api: &Api, text: &str, errors: &mut Vec<ManifestError>) {
    let path = api.spec.replace(VERSION_PLACEHOLDER, "0.0.0");
    if path.trim().is_empty()
        || path.starts_with('/')
        || path.split(['/', '\\']).any(|part| part == "..")
    {
        push(
            errors,
            text,
            "spec:",
            format!(
                "api.spec {:?} must be a path inside the repository",
                api.spec
            ),
        );
    }
    for op in &api.operations {
        if let Err(e) = super::api::OperationRef::parse(op) {
            push(errors, text, op, e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "name: address-validation\nprovider: geo-team\nversions: [3.0.0, 3.1.0]\ndependencies:\n  maps: ^2\nconfig:\n  endpoint: https://geo.example/v3\nfallback: manual-entry\napi:\n  spec: openapi/history/openapi-{version}.json\n  operations:\n    - validateAddress\n    - GET /addresses/{id}\n";

    #[test]
    fn a_complete_manifest_parses() {
        let m = parse("address-validation", GOOD).unwrap();
        assert_eq!(m.status, Status::Active);
        assert_eq!(m.dependencies["maps"], "^2");
        assert_eq!(m.api.unwrap().operations.len(), 2);
    }

    #[test]
    fn unknown_fields_are_errors_with_their_line() {
        let text = GOOD.replace("fallback:", "fallbak:");
        let errors = parse("address-validation", &text).unwrap_err();
        assert!(
            errors[0].message.contains("unknown field `fallbak`"),
            "{errors:?}"
        );
        assert_eq!(errors[0].line, Some(8));
    }

    #[test]
    fn not_yaml_is_an_error() {
        let errors = parse("x", "name: [unclosed\n").unwrap_err();
        assert!(errors[0].message.contains("not a valid manifest"));
    }

    #[test]
    fn semantic_checks_name_the_field() {
        let text = "name: other\nprovider: ''\nversions: [1.0.0, 1.0.0, nope]\ndependencies: {x: '>>1', Bad: ^1}\napi: {spec: ../spec.json, operations: ['FETCH /x y']}\n";
        let errors = parse("x", text).unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        for needle in [
            "differs from the file name",
            "provider is empty",
            "listed twice",
            "not semver",
            "dependency x:",
            "\"Bad\" is not a valid",
            "inside the repository",
        ] {
            assert!(
                messages.iter().any(|m| m.contains(needle)),
                "{needle}: {messages:?}"
            );
        }
    }
}
