//! specrelay's one integration-test binary: every test runs the built binary
//! as a user or the Actions runner would, against real servers on 127.0.0.1.

// Test, bench and startup code reads files and the environment directly
// (clippy.toml disallows it in the library outside actions/ and adapters/).
#![allow(clippy::disallowed_methods)]
// The fake GitHub's full response shapes are large `json!` literals.
#![recursion_limit = "256"]

#[path = "../support/mod.rs"]
mod support;

mod action_yml;
mod architecture;
mod bad_input;
mod diff_corpus;
mod diff_stage;
mod discover_stage;
mod dispatch_stage;
mod downstream_rollout;
mod downstream_stage;
mod empty_root;
mod first_hour;
mod fuzz;
mod generate_stage;
mod github_adapter;
mod github_commit;
mod github_description;
mod hardening;
mod ingest;
mod ingest_changes;
mod ingest_corpus;
mod module_graph;
mod publish_faults;
mod publish_packages;
mod publish_registries;
mod publish_stage;
mod quick_start;
mod reconcile_stage;
mod register_stage;
mod relay_chain;
mod sdk_conformance;
mod sdk_corpus;
mod sdk_python;
mod sdk_support;
mod sdk_typescript;
mod snapshots;
mod spec_corpus;
mod spec_policy;
mod timeline;

use serde_json::{Value, json};

/// A small valid OpenAPI 3.0 spec whose content varies with `version`.
pub fn spec_json(version: &str) -> Vec<u8> {
    let spec = json!({
        "openapi": "3.0.3",
        "info": {"title": "Test API", "version": version},
        "paths": {
            "/pets/{petId}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [{"name": "petId", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}
                }
            }
        },
        "components": {"schemas": {"Pet": {"type": "object", "properties": {"name": {"type": "string", "nullable": true}}}}}
    });
    serde_json::to_vec_pretty(&spec).unwrap()
}

/// The announcement for `body` served at `url`.
pub fn payload(version: &str, body: &[u8], url: &str) -> Value {
    json!({
        "version": version,
        "checksum": support::runner::sha256(body),
        "change_type": "minor",
        "download_url": url,
        "source_repo": "acme/pet-store",
    })
}
