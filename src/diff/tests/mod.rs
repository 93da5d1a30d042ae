//! Table-driven tests of the diff rules: each case is (base, revision,
//! expected rule ids). A final test checks that every rule in the catalog
//! has at least one case. Pure: no I/O.

mod api;
mod endpoints;
mod keywords;
mod no_false_positives;
mod parameters;
mod properties;
mod schema_generated;
mod security;

use serde_json::{Value, json};

use super::{DiffOptions, Finding, diff, rules};

pub(super) struct Case {
    pub name: String,
    pub base: Value,
    pub rev: Value,
    pub expect: Vec<String>,
}

pub(super) fn case(name: &str, base: Value, rev: Value, expect: &[&str]) -> Case {
    Case {
        name: name.to_owned(),
        base,
        rev,
        expect: expect.iter().map(|s| (*s).to_owned()).collect(),
    }
}

pub(super) fn run_diff(base: &Value, rev: &Value) -> Vec<Finding> {
    diff(base, rev, &DiffOptions::default())
}

pub(super) fn run(cases: &[Case]) {
    for c in cases {
        let findings = run_diff(&c.base, &c.rev);
        let mut got: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
        got.sort_unstable();
        let mut want: Vec<&str> = c.expect.iter().map(String::as_str).collect();
        want.sort_unstable();
        assert_eq!(got, want, "case `{}`: {findings:#?}", c.name);
        for f in &findings {
            let rule = rules::rule(&f.id).expect("catalogued");
            assert_eq!(f.level, rule.level, "{}", f.id);
            assert!(f.message.ends_with('.'), "{}", f.message);
        }
    }
}

/// Components shared by every test document.
fn shared_components() -> Value {
    json!({"schemas": {
        "A": {"type": "object", "properties": {"kind": {"type": "string"}, "a": {"type": "string"}}},
        "B": {"type": "object", "properties": {"kind": {"type": "string"}, "b": {"type": "integer"}}},
        "C": {"type": "object", "properties": {"kind": {"type": "string"}, "c": {"type": "boolean"}}}
    }})
}

pub(super) fn api(paths: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": shared_components()
    })
}

/// Adds `value` under `components/{kind}/{name}`.
pub(super) fn with_component(mut doc: Value, kind: &str, name: &str, value: Value) -> Value {
    let components = doc["components"].as_object_mut().expect("components");
    let entry = components
        .entry(kind.to_owned())
        .or_insert_with(|| json!({}));
    entry[name] = value;
    doc
}

/// Builds a test document with a schema in one place (request body,
/// response body, ...).
pub(super) type Place = fn(Value) -> Value;

pub(super) fn ok() -> Value {
    json!({"200": {"description": "ok"}})
}

pub(super) fn post_body(schema: Value) -> Value {
    api(json!({"/x": {"post": {
        "requestBody": {"content": {"application/json": {"schema": schema}}},
        "responses": ok()
    }}}))
}

pub(super) fn get_response(schema: Value) -> Value {
    api(json!({"/x": {"get": {"responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
    }}}}))
}

pub(super) fn get_params(params: Value) -> Value {
    api(json!({"/x": {"get": {"parameters": params, "responses": ok()}}}))
}

pub(super) fn get_header(header: Value) -> Value {
    api(json!({"/x": {"get": {"responses": {
        "200": {"description": "ok", "headers": {"X-H": header}}
    }}}}))
}

pub(super) fn obj(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

pub(super) fn all_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(endpoints::cases());
    cases.extend(parameters::cases());
    cases.extend(properties::cases());
    cases.extend(security::cases());
    cases.extend(schema_generated::cases());
    cases.extend(keywords::cases());
    cases.extend(no_false_positives::cases());
    cases
}

#[test]
fn every_rule_has_a_case() {
    let cases = all_cases();
    let covered: std::collections::HashSet<&str> = cases
        .iter()
        .flat_map(|c| c.expect.iter().map(String::as_str))
        .collect();
    let missing: Vec<&str> = rules()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a table case: {missing:?}"
    );
    for id in &covered {
        assert!(super::rule(id).is_some(), "case expects unknown rule {id}");
    }
}
