//! Endpoints, request bodies, responses, media types and response headers.
//! Pure test code: builds documents in memory and must not do I/O.

use serde_json::{Value, json};

use super::{Case, api, case, obj, ok, run};

fn get(op: Value) -> Value {
    api(json!({"/pets/{id}": {"get": op}}))
}

fn body(required: bool, media: &[&str]) -> Value {
    let content: serde_json::Map<String, Value> = media
        .iter()
        .map(|m| ((*m).to_owned(), json!({"schema": {"type": "object"}})))
        .collect();
    api(
        json!({"/x": {"post": {"requestBody": {"required": required, "content": content}, "responses": ok()}}}),
    )
}

fn no_body() -> Value {
    api(json!({"/x": {"post": {"responses": ok()}}}))
}

fn responses(responses: Value) -> Value {
    get(json!({"responses": responses}))
}

fn header(required: bool) -> Value {
    responses(
        json!({"200": {"description": "ok", "headers": {"X-Rate": {"required": required, "schema": {"type": "integer"}}}}}),
    )
}

pub(super) fn cases() -> Vec<Case> {
    let plain = get(json!({"responses": ok()}));
    let deprecated = get(json!({"deprecated": true, "responses": ok()}));
    let two_ops =
        api(json!({"/pets/{id}": {"get": {"responses": ok()}, "delete": {"responses": ok()}}}));
    let two_ops_deprecated = api(json!({"/pets/{id}": {
        "get": {"responses": ok()},
        "delete": {"deprecated": true, "responses": ok()}
    }}));
    let empty = api(json!({}));
    let json_200 = |media: &[&str]| {
        let content: serde_json::Map<String, Value> = media
            .iter()
            .map(|m| ((*m).to_owned(), json!({"schema": {"type": "string"}})))
            .collect();
        responses(json!({"200": {"description": "ok", "content": content}}))
    };
    vec![
        case(
            "path removed",
            plain.clone(),
            empty.clone(),
            &["api-path-removed-without-deprecation"],
        ),
        case(
            "deprecated path removed",
            deprecated.clone(),
            empty.clone(),
            &["api-path-removed-with-deprecation"],
        ),
        case(
            "operation removed",
            two_ops.clone(),
            plain.clone(),
            &["api-removed-without-deprecation"],
        ),
        case(
            "deprecated operation removed",
            two_ops_deprecated,
            plain.clone(),
            &["api-removed-with-deprecation"],
        ),
        case(
            "operation added",
            plain.clone(),
            two_ops,
            &["endpoint-added"],
        ),
        case(
            "operation deprecated",
            plain.clone(),
            deprecated.clone(),
            &["endpoint-deprecated"],
        ),
        case(
            "operation reactivated",
            deprecated,
            plain.clone(),
            &["endpoint-reactivated"],
        ),
        case(
            "operation id changed",
            get(json!({"operationId": "getPet", "responses": ok()})),
            get(json!({"operationId": "fetchPet", "responses": ok()})),
            &["api-operation-id-removed"],
        ),
        case(
            "operation id added",
            plain.clone(),
            get(json!({"operationId": "getPet", "responses": ok()})),
            &["api-operation-id-added"],
        ),
        case(
            "tags changed",
            get(json!({"tags": ["pets"], "responses": ok()})),
            get(json!({"tags": ["animals"], "responses": ok()})),
            &["api-tag-removed", "api-tag-added"],
        ),
        case(
            "path parameter renamed in path: same operation",
            plain.clone(),
            api(json!({"/pets/{petId}": {"get": {"responses": ok()}}})),
            &[],
        ),
        case(
            "required body added",
            no_body(),
            body(true, &["application/json"]),
            &["request-body-added-required"],
        ),
        case(
            "optional body added",
            no_body(),
            body(false, &["application/json"]),
            &["request-body-added-optional"],
        ),
        case(
            "body removed",
            body(false, &["application/json"]),
            no_body(),
            &["request-body-removed"],
        ),
        case(
            "body became required",
            body(false, &["application/json"]),
            body(true, &["application/json"]),
            &["request-body-became-required"],
        ),
        case(
            "body became optional",
            body(true, &["application/json"]),
            body(false, &["application/json"]),
            &["request-body-became-optional"],
        ),
        case(
            "body media type removed",
            body(true, &["application/json", "application/xml"]),
            body(true, &["application/json"]),
            &["request-body-media-type-removed"],
        ),
        case(
            "body media type added",
            body(true, &["application/json"]),
            body(true, &["application/json", "application/xml"]),
            &["request-body-media-type-added"],
        ),
        case(
            "success status removed",
            responses(json!({"200": {"description": "ok"}, "201": {"description": "created"}})),
            responses(json!({"200": {"description": "ok"}})),
            &["response-success-status-removed"],
        ),
        case(
            "error status removed",
            responses(json!({"200": {"description": "ok"}, "404": {"description": "missing"}})),
            responses(json!({"200": {"description": "ok"}})),
            &["response-non-success-status-removed"],
        ),
        case(
            "success status added",
            responses(json!({"200": {"description": "ok"}})),
            responses(json!({"200": {"description": "ok"}, "202": {"description": "accepted"}})),
            &["response-success-status-added"],
        ),
        case(
            "default response added",
            responses(json!({"200": {"description": "ok"}})),
            responses(json!({"200": {"description": "ok"}, "default": {"description": "error"}})),
            &["response-non-success-status-added"],
        ),
        case(
            "response media type removed",
            json_200(&["application/json", "text/csv"]),
            json_200(&["application/json"]),
            &["response-media-type-removed"],
        ),
        case(
            "response media type added",
            json_200(&["application/json"]),
            json_200(&["application/json", "text/csv"]),
            &["response-media-type-added"],
        ),
        case(
            "required header removed",
            header(true),
            responses(json!({"200": {"description": "ok"}})),
            &["required-response-header-removed"],
        ),
        case(
            "optional header removed",
            header(false),
            responses(json!({"200": {"description": "ok"}})),
            &["optional-response-header-removed"],
        ),
        case(
            "header added",
            responses(json!({"200": {"description": "ok"}})),
            header(false),
            &["response-header-added"],
        ),
        case(
            "header became optional",
            header(true),
            header(false),
            &["response-header-became-optional"],
        ),
        case(
            "header became required",
            header(false),
            header(true),
            &["response-header-became-required"],
        ),
        case(
            "unused schema component removed and added",
            super::with_component(plain.clone(), "schemas", "Old", json!({"type": "string"})),
            super::with_component(plain, "schemas", "New", json!({"type": "string"})),
            &[],
        ),
    ]
    .into_iter()
    .chain(webhook_cases())
    .collect()
}

#[test]
fn endpoint_cases() {
    run(&cases());
}

#[test]
fn removed_path_reports_each_operation() {
    let base = api(json!({"/a": {"get": {"responses": ok()}, "post": {"responses": ok()}}}));
    let findings = super::run_diff(&base, &api(json!({})));
    let ops: Vec<_> = findings
        .iter()
        .map(|f| f.operation.clone().unwrap_or_default())
        .collect();
    assert_eq!(ops, ["GET /a", "POST /a"]);
    assert!(
        findings
            .iter()
            .all(|f| f.id == "api-path-removed-without-deprecation")
    );
    assert_eq!(findings[0].base_pointer.as_deref(), Some("/paths/~1a/get"));
}

fn webhook(payload: Value) -> Value {
    let mut doc = api(json!({}));
    doc["webhooks"] = json!({"newPet": {"post": {
        "requestBody": {"content": {"application/json": {"schema": payload}}},
        "responses": ok()
    }}});
    doc
}

fn webhook_cases() -> Vec<Case> {
    let pet = |required: &[&str]| {
        obj(
            json!({"id": {"type": "string"}, "name": {"type": "string"}}),
            required,
        )
    };
    let no_webhooks = api(json!({}));
    vec![
        case(
            "webhook added",
            no_webhooks.clone(),
            webhook(pet(&[])),
            &["webhook-added"],
        ),
        case(
            "webhook removed",
            webhook(pet(&[])),
            no_webhooks,
            &["webhook-removed"],
        ),
        case(
            "payload property became optional breaks receivers",
            webhook(pet(&["id", "name"])),
            webhook(pet(&["id"])),
            &["response-property-became-optional"],
        ),
        case(
            "payload property became required is fine for receivers",
            webhook(pet(&["id"])),
            webhook(pet(&["id", "name"])),
            &["response-property-became-required"],
        ),
        case(
            "a webhook and a path with the same name are different things",
            webhook(pet(&[])),
            {
                let mut doc = api(json!({"newPet": {"post": {"responses": ok()}}}));
                doc["webhooks"] = webhook(pet(&[]))["webhooks"].clone();
                doc
            },
            &["endpoint-added"],
        ),
    ]
}

#[test]
fn webhooks_are_operations_whose_payload_is_judged_like_a_response() {
    let pet = |required: &[&str]| {
        obj(
            json!({"id": {"type": "string"}, "name": {"type": "string"}}),
            required,
        )
    };
    run(&webhook_cases());
    let findings = super::run_diff(&webhook(pet(&["id", "name"])), &webhook(pet(&["id"])));
    assert_eq!(
        findings[0].operation.as_deref(),
        Some("POST webhook newPet")
    );
    assert_eq!(
        findings[0].message,
        "Webhook payload property `name`: became optional."
    );
}
