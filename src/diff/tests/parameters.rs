//! Request parameters: matching by (in, name), path parameters by position.
//! Pure test code: builds documents in memory and must not do I/O.

use serde_json::{Value, json};

use super::{Case, api, case, get_params, ok, run};

fn q(name: &str, extra: Value) -> Value {
    let mut param = json!({"in": "query", "name": name, "schema": {"type": "string"}});
    if let Value::Object(extra) = extra {
        param.as_object_mut().expect("object").extend(extra);
    }
    param
}

pub(super) fn cases() -> Vec<Case> {
    let none = get_params(json!([]));
    let optional = get_params(json!([q("limit", json!({}))]));
    let required = get_params(json!([q("limit", json!({"required": true}))]));
    let deprecated = get_params(json!([q("limit", json!({"deprecated": true}))]));
    let path = |name: &str| {
        api(json!({format!("/pets/{{{name}}}"): {"get": {
            "parameters": [{"in": "path", "name": name, "required": true, "schema": {"type": "string"}}],
            "responses": ok()
        }}}))
    };
    vec![
        case(
            "new required parameter",
            none.clone(),
            required.clone(),
            &["new-required-request-parameter"],
        ),
        case(
            "new optional parameter",
            none.clone(),
            optional.clone(),
            &["new-optional-request-parameter"],
        ),
        case(
            "parameter removed",
            optional.clone(),
            none.clone(),
            &["request-parameter-removed"],
        ),
        case(
            "deprecated parameter removed",
            deprecated.clone(),
            none,
            &["request-parameter-removed-with-deprecation"],
        ),
        case(
            "parameter became required",
            optional.clone(),
            required.clone(),
            &["request-parameter-became-required"],
        ),
        case(
            "parameter became optional",
            required,
            optional.clone(),
            &["request-parameter-became-optional"],
        ),
        case(
            "parameter deprecated",
            optional.clone(),
            deprecated.clone(),
            &["request-parameter-deprecated"],
        ),
        case(
            "parameter reactivated",
            deprecated,
            optional.clone(),
            &["request-parameter-reactivated"],
        ),
        case(
            "path parameter renamed",
            path("id"),
            path("petId"),
            &["request-path-parameter-renamed"],
        ),
        case(
            "style changed",
            optional.clone(),
            get_params(json!([q(
                "limit",
                json!({"style": "form", "explode": false})
            )])),
            &["request-parameter-style-changed"],
        ),
        case(
            "same name in another location is another parameter",
            optional,
            get_params(json!([{"in": "header", "name": "limit", "schema": {"type": "string"}}])),
            &[
                "request-parameter-removed",
                "new-optional-request-parameter",
            ],
        ),
        case(
            "header names are case-insensitive",
            get_params(json!([{"in": "header", "name": "X-Id", "schema": {"type": "string"}}])),
            get_params(json!([{"in": "header", "name": "x-id", "schema": {"type": "string"}}])),
            &[],
        ),
        case(
            "path-level parameter moved to the operation",
            api(json!({"/x": {"parameters": [q("limit", json!({}))], "get": {"responses": ok()}}})),
            api(json!({"/x": {"get": {"parameters": [q("limit", json!({}))], "responses": ok()}}})),
            &[],
        ),
        case(
            "parameter moved behind a $ref",
            get_params(json!([q("limit", json!({}))])),
            super::with_component(
                get_params(json!([{"$ref": "#/components/parameters/Limit"}])),
                "parameters",
                "Limit",
                q("limit", json!({})),
            ),
            &[],
        ),
        case(
            "parameter schema from content",
            get_params(
                json!([{"in": "query", "name": "f", "content": {"application/json": {"schema": {"type": "string", "maxLength": 9}}}}]),
            ),
            get_params(
                json!([{"in": "query", "name": "f", "content": {"application/json": {"schema": {"type": "string", "maxLength": 3}}}}]),
            ),
            &["request-parameter-max-length-decreased"],
        ),
    ]
}

#[test]
fn parameter_cases() {
    run(&cases());
}

#[test]
fn parameter_message_names_location_and_name() {
    let findings = super::run_diff(
        &get_params(json!([q("limit", json!({}))])),
        &get_params(json!([q("limit", json!({"required": true}))])),
    );
    assert_eq!(
        findings[0].message,
        "The query parameter `limit` became required."
    );
    assert_eq!(findings[0].operation.as_deref(), Some("GET /x"));
    assert_eq!(
        findings[0].base_pointer.as_deref(),
        Some("/paths/~1x/get/parameters/0")
    );
}
