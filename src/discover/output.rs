//! What `discover` writes, as data: the validation result, the context of
//! the generated configuration templates, stub manifests, and the Mermaid
//! graph of the dependencies. Pure.

use super::manifest::Status;
use super::validate::{Outcome, State};
use crate::render::mermaid::label;
use serde::Serialize;
use serde_json::{Value, json};

/// The validation result (`validation_path`):
///
/// ```json
/// {"valid": ["maps"], "manifests": {"maps": {"path": "integrations/maps.yaml", "provider": "geo",
///  "status": "active", "versions": ["2.0.0"]}}, "dependencies": {"maps": {}},
///  "versions": {"maps": "2.0.0"}, "states": {"maps": "active"}, "missing": [], "cycles": [],
///  "api_changes": {}, "problems": [{"level": "warning", "title": "...", "file": "src/a.tsx",
///  "line": 3, "message": "..."}]}
/// ```
pub fn result_json(outcome: &Outcome) -> Value {
    let mut manifests = serde_json::Map::new();
    let mut dependencies = serde_json::Map::new();
    let mut versions = serde_json::Map::new();
    let mut states = serde_json::Map::new();
    let mut api_changes = serde_json::Map::new();
    for (name, i) in &outcome.integrations {
        states.insert(name.clone(), json!(i.state));
        if let (Some(m), Some(path)) = (&i.manifest, &i.manifest_path) {
            manifests.insert(
                name.clone(),
                json!({"path": path, "provider": m.provider, "status": m.status, "versions": m.versions}),
            );
            dependencies.insert(name.clone(), json!(m.dependencies));
        }
        if let Some(v) = &i.version {
            versions.insert(name.clone(), json!(v));
        }
        if !i.api_changes.is_empty() {
            api_changes.insert(name.clone(), json!(i.api_changes));
        }
    }
    let valid: Vec<&String> = outcome.valid().map(|(name, _)| name).collect();
    json!({
        "valid": valid,
        "manifests": manifests,
        "dependencies": dependencies,
        "versions": versions,
        "states": states,
        "missing": outcome.missing.keys().collect::<Vec<_>>(),
        "cycles": outcome.cycles,
        "api_changes": api_changes,
        "problems": outcome.problems,
    })
}

/// One integration in the generated configuration.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigEntry {
    pub name: String,
    pub provider: String,
    pub version: String,
    pub status: Status,
    /// The values below as TypeScript expressions (JSON is one).
    pub name_literal: String,
    pub provider_literal: String,
    pub config_literal: String,
    pub fallback_literal: String,
}

/// The context of `integrations/integration-config.ts.j2` and
/// `integrations/IntegrationProvider.tsx.j2`: `integrations`, a list of
/// [`ConfigEntry`] sorted by name, one per valid integration.
pub fn config_context(outcome: &Outcome) -> Value {
    let entries: Vec<ConfigEntry> = outcome
        .valid()
        .filter_map(|(name, i)| {
            let m = i.manifest.as_ref()?;
            Some(ConfigEntry {
                name: name.clone(),
                provider: m.provider.clone(),
                version: i.version.clone()?,
                status: m.status,
                name_literal: ts_literal(&json!(name), 0),
                provider_literal: ts_literal(&json!(m.provider), 0),
                config_literal: ts_literal(&Value::Object(m.config.clone()), 4),
                fallback_literal: ts_literal(&m.fallback, 4),
            })
        })
        .collect();
    json!({ "integrations": entries })
}

/// A JSON value as a TypeScript expression, its lines after the first
/// indented by `indent` spaces. U+2028/9 are escaped: legal in JSON strings,
/// they have broken older JavaScript parsers.
fn ts_literal(value: &Value, indent: usize) -> String {
    let text = serde_json::to_string_pretty(value).expect("JSON values serialise");
    let pad = " ".repeat(indent);
    text.replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
        .replace('\n', &format!("\n{pad}"))
}

/// A manifest to complete for `name`, which `needed_by` (locations or
/// manifests) need with `constraints`. It fails validation until its TODO
/// markers are gone.
pub fn stub(name: &str, needed_by: &[String], constraints: &[String]) -> String {
    let mut text = format!(
        "# Integration manifest for `{name}`, written by specrelay discover because\n\
         # nothing described it. Needed by:\n"
    );
    for place in needed_by {
        text.push_str(&format!("#   {place}\n"));
    }
    text.push_str(
        "# Complete every TODO (the manifest is invalid while one is left) and\n\
         # remove these comments. Fields: see the README, section `discover`.\n",
    );
    let seen = if constraints.is_empty() {
        String::new()
    } else {
        format!(" (constraints seen: {})", constraints.join(", "))
    };
    text.push_str(&format!(
        "name: {name}\n\
         description: TODO one line on what the integration does\n\
         provider: TODO the team, vendor or service that provides it\n\
         status: draft\n\
         versions:\n  \
         - 0.0.0 # TODO the versions available{seen}\n\
         dependencies: {{}}\n\
         config: {{}}\n\
         fallback: TODO what the page does when the integration is unavailable\n"
    ));
    text
}

/// A Mermaid flowchart of the integrations and their dependencies, each
/// node labelled with its resolved version and coloured by state.
pub fn mermaid(outcome: &Outcome) -> String {
    let mut out = String::from("```mermaid\nflowchart LR\n");
    let id = |name: &str| format!("n_{}", name.replace('-', "_"));
    for (name, i) in &outcome.integrations {
        let label = label(&match &i.version {
            Some(v) => format!("{name}@{v}"),
            None => name.clone(),
        });
        let class = match i.state {
            State::Discovered => "bad",
            State::Deprecated | State::Migrating => "warn",
            _ => "ok",
        };
        out.push_str(&format!("  {}[\"{label}\"]:::{class}\n", id(name)));
    }
    for (name, i) in &outcome.integrations {
        for (dep, constraint) in i.manifest.iter().flat_map(|m| &m.dependencies) {
            out.push_str(&format!(
                "  {} -->|\"{}\"| {}\n",
                id(name),
                label(constraint),
                id(dep)
            ));
        }
    }
    out.push_str("  classDef ok fill:#dafbe1,stroke:#1a7f37\n");
    out.push_str("  classDef warn fill:#fff8c5,stroke:#9a6700\n");
    out.push_str("  classDef bad fill:#ffebe9,stroke:#cf222e\n```\n");
    out
}
