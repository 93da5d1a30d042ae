//! The public surface: summary, implied semver change, ordering, options,
//! deduplication of shared components, and the renderers.
//! Pure test code: builds documents in memory and must not do I/O.

use serde_json::json;

use super::super::{ChangeKind, DiffOptions, Level, diff, implied_change, render_json, summarize};
use super::{api, get_response, obj, ok, post_body, with_component};

#[test]
fn summary_and_implied_change() {
    let base = post_body(obj(json!({"a": {"type": "string"}}), &[]));
    let none = super::run_diff(&base, &base);
    assert_eq!(implied_change(&none), ChangeKind::None);
    let minor = super::run_diff(
        &base,
        &post_body(obj(
            json!({"a": {"type": "string"}, "b": {"type": "string"}}),
            &[],
        )),
    );
    assert_eq!(implied_change(&minor), ChangeKind::Minor);
    let patch = super::run_diff(
        &base,
        &post_body(obj(
            json!({"a": {"type": "string", "deprecated": true}}),
            &[],
        )),
    );
    assert_eq!(implied_change(&patch), ChangeKind::Patch);
    let major = super::run_diff(
        &base,
        &post_body(obj(json!({"a": {"type": "string"}}), &["a"])),
    );
    assert_eq!(implied_change(&major), ChangeKind::Major);
    let s = summarize(&major);
    assert_eq!((s.breaking, s.warning, s.info), (1, 0, 0));
}

#[test]
fn info_can_be_left_out() {
    let base = api(json!({}));
    let rev = api(json!({"/x": {"get": {"responses": ok()}}}));
    assert_eq!(diff(&base, &rev, &DiffOptions::default()).len(), 1);
    assert!(
        diff(
            &base,
            &rev,
            &DiffOptions {
                include_info: false
            }
        )
        .is_empty()
    );
}

#[test]
fn shared_component_change_is_reported_once_with_all_operations() {
    let doc = |max: u32| {
        let mut paths = serde_json::Map::new();
        for i in 0..30 {
            paths.insert(format!("/p{i:02}"), json!({"get": {"responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}}));
        }
        with_component(
            api(json!(paths)),
            "schemas",
            "Pet",
            obj(json!({"name": {"type": "string", "maxLength": max}}), &[]),
        )
    };
    let findings = super::run_diff(&doc(10), &doc(20));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.id, "response-property-max-length-increased");
    assert_eq!(f.level, Level::Breaking);
    assert_eq!(f.operation.as_deref(), Some("GET /p00"));
    assert_eq!(f.component.as_deref(), Some("schemas/Pet"));
    assert_eq!(
        f.base_pointer.as_deref(),
        Some("/components/schemas/Pet/properties/name/maxLength")
    );
    assert_eq!(
        f.message,
        "Response property `Pet.name`: maxLength was increased from 10 to 20. Affects 30 operations: GET /p00, GET /p01, GET /p02 and 27 more."
    );
}

#[test]
fn same_component_in_request_and_response_is_judged_per_direction() {
    let doc = |required: &[&str]| {
        let doc = api(json!({"/pets": {
            "post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}, "responses": ok()},
            "get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}
        }}));
        with_component(
            doc,
            "schemas",
            "Pet",
            obj(json!({"name": {"type": "string"}}), required),
        )
    };
    let findings = super::run_diff(&doc(&[]), &doc(&["name"]));
    let got: Vec<(&str, Level, Option<&str>)> = findings
        .iter()
        .map(|f| (f.id.as_str(), f.level, f.operation.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "response-property-became-required",
                Level::Info,
                Some("GET /pets")
            ),
            (
                "request-property-became-required",
                Level::Breaking,
                Some("POST /pets")
            ),
        ]
    );
}

#[test]
fn order_is_deterministic() {
    let base = get_response(obj(
        json!({"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}),
        &["a", "b", "c"],
    ));
    let rev = get_response(obj(json!({}), &[]));
    let first = super::run_diff(&base, &rev);
    for _ in 0..5 {
        assert_eq!(super::run_diff(&base, &rev), first);
    }
    let ids: Vec<&str> = first
        .iter()
        .map(|f| f.base_pointer.as_deref().unwrap_or(""))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn json_shape_is_stable() {
    let base = api(json!({"/x": {"get": {"responses": ok()}}}));
    let findings = super::run_diff(&base, &api(json!({})));
    let rendered = render_json(&findings, &summarize(&findings));
    assert_eq!(
        rendered,
        json!({
            "format_version": 1,
            "summary": {"breaking": 1, "warning": 0, "info": 0},
            "findings": [{
                "id": "api-path-removed-without-deprecation",
                "level": "breaking",
                "operation": "GET /x",
                "component": null,
                "base_pointer": "/paths/~1x/get",
                "revision_pointer": null,
                "message": "Path /x was removed without deprecation (operation GET /x)."
            }]
        })
    );
    let serialized: serde_json::Value = serde_json::to_value(&findings[0]).expect("serde");
    assert_eq!(serialized["level"], "breaking");
}
