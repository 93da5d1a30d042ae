//! Refactors that describe the same API must report nothing: moving a
//! schema behind `$ref`, splitting it into `allOf`, reformatting, 3.0 vs
//! 3.1 spellings of the same thing; recursive schemas must terminate.
//! Pure test code: builds documents in memory and must not do I/O.

use serde_json::{Value, json};

use super::{Case, Place, api, case, get_response, obj, post_body, run, with_component};

fn pet() -> Value {
    obj(
        json!({
            "id": {"type": "integer", "format": "int64", "minimum": 1},
            "name": {"type": "string", "maxLength": 50},
            "tag": {"type": "string", "nullable": true}
        }),
        &["id", "name"],
    )
}

fn both_directions(name: &str, base: Value, rev: Value, components: &[(&str, Value)]) -> Vec<Case> {
    let build = |place: Place, schema: Value, with: bool| {
        let mut doc = place(schema);
        if with {
            for (n, v) in components {
                doc = with_component(doc, "schemas", n, v.clone());
            }
        }
        doc
    };
    let places: [(&str, Place); 2] = [("request", post_body), ("response", get_response)];
    let mut out = Vec::new();
    for reversed in [false, true] {
        for (side, place) in places {
            let plain = build(place, base.clone(), false);
            let changed = build(place, rev.clone(), true);
            out.push(if reversed {
                case(&format!("{side} reversed: {name}"), changed, plain, &[])
            } else {
                case(&format!("{side}: {name}"), plain, changed, &[])
            });
        }
    }
    out
}

pub(super) fn cases() -> Vec<Case> {
    let r = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let mut out = Vec::new();
    out.extend(both_directions(
        "inline schema moved behind $ref",
        pet(),
        r("Pet"),
        &[("Pet", pet())],
    ));
    out.extend(both_directions(
        "schema split into allOf",
        pet(),
        json!({"allOf": [
            r("PetId"),
            obj(json!({"name": {"type": "string", "maxLength": 50}, "tag": {"type": "string", "nullable": true}}), &["name"])
        ]}),
        &[("PetId", obj(json!({"id": {"type": "integer", "format": "int64", "minimum": 1}}), &["id"]))],
    ));
    out.extend(both_directions(
        "ref chain",
        pet(),
        r("Alias"),
        &[("Alias", r("Pet")), ("Pet", pet())],
    ));
    out.extend(both_directions(
        "3.0 nullable vs 3.1 type array vs anyOf null",
        obj(json!({"a": {"type": "string", "nullable": true}, "b": {"$ref": "#/components/schemas/A", "nullable": true}}), &[]),
        obj(json!({"a": {"type": ["string", "null"]}, "b": {"anyOf": [r("A"), {"type": "null"}]}}), &[]),
        &[],
    ));
    out.extend(both_directions(
        "oneOf with a null branch is nullability, not composition",
        obj(json!({"a": {"type": "string", "nullable": true}}), &[]),
        obj(
            json!({"a": {"oneOf": [{"type": "string"}, {"type": "null"}]}}),
            &[],
        ),
        &[],
    ));
    out.extend(both_directions(
        "3.0 boolean exclusiveMinimum vs 3.1 numeric",
        json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": false}),
        json!({"type": "number", "exclusiveMinimum": 0, "maximum": 10}),
        &[],
    ));
    out.extend(both_directions(
        "example vs examples, descriptions, titles, type inferred from properties",
        json!({"type": "object", "description": "a", "example": {"x": 1}, "properties": {"x": {"type": "integer"}}}),
        json!({"description": "b", "title": "T", "examples": [{"x": 2}], "properties": {"x": {"type": "integer", "description": "x"}}}),
        &[],
    ));
    out.extend(both_directions(
        "enum order and 1 vs 1.0",
        json!({"type": "string", "enum": ["a", "b"], "default": 1}),
        json!({"type": "string", "enum": ["b", "a"], "default": 1.0}),
        &[],
    ));
    // Reformatting: the same document with keys in a different order.
    let doc = api(
        json!({"/x": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": pet()}}}}}}}),
    );
    let reordered: Value = {
        let text = serde_json::to_string(&doc).expect("json");
        let mut value: Value = serde_json::from_str(&text).expect("json");
        if let Some(map) = value
            .pointer_mut("/paths/~1x/get/responses/200/content/application~1json/schema/properties")
            .and_then(Value::as_object_mut)
        {
            let reversed: serde_json::Map<String, Value> =
                std::mem::take(map).into_iter().rev().collect();
            *map = reversed;
        }
        value
    };
    out.push(case("identical documents", doc.clone(), doc.clone(), &[]));
    out.push(case("reordered keys", doc, reordered, &[]));
    out
}

#[test]
fn refactors_report_nothing() {
    run(&cases());
}

fn tree(extra: Value) -> Value {
    let node = obj(
        json!({"value": extra, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        "parent": {"$ref": "#/components/schemas/Node"}}),
        &[],
    );
    with_component(
        get_response(json!({"$ref": "#/components/schemas/Node"})),
        "schemas",
        "Node",
        node,
    )
}

#[test]
fn recursive_schemas_terminate_and_report_once() {
    let findings = super::run_diff(
        &tree(json!({"type": "string"})),
        &tree(json!({"type": "integer"})),
    );
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].id, "response-property-type-changed");
    assert_eq!(
        findings[0].message,
        "Response property `Node.value`: type changed from `string` to `integer`."
    );
    assert!(
        super::run_diff(
            &tree(json!({"type": "string"})),
            &tree(json!({"type": "string"}))
        )
        .is_empty()
    );
}

#[test]
fn ref_loops_and_allof_loops_terminate() {
    let looping = |extra: Value| {
        let doc = with_component(
            get_response(json!({"$ref": "#/components/schemas/L1"})),
            "schemas",
            "L1",
            json!({"$ref": "#/components/schemas/L2"}),
        );
        let doc = with_component(
            doc,
            "schemas",
            "L2",
            json!({"$ref": "#/components/schemas/L1"}),
        );
        with_component(
            doc,
            "schemas",
            "S",
            json!({"allOf": [{"$ref": "#/components/schemas/S"}, extra]}),
        )
    };
    let _ = super::run_diff(&looping(json!({})), &looping(json!({"type": "string"})));
    let self_all_of = |t: &str| {
        with_component(
            get_response(json!({"$ref": "#/components/schemas/S"})),
            "schemas",
            "S",
            json!({"allOf": [{"$ref": "#/components/schemas/S"}, {"type": t}]}),
        )
    };
    let findings = super::run_diff(&self_all_of("string"), &self_all_of("integer"));
    assert_eq!(findings.len(), 1);
}

#[test]
fn garbage_is_skipped_not_fatal() {
    let garbage = [
        json!(null),
        json!([]),
        json!({"paths": 3}),
        json!({"paths": {"/x": {"get": "nope"}}}),
        json!({"paths": {"/x": {"get": {"parameters": [1, {"in": 2}], "requestBody": [], "responses": {"200": 5}}}}}),
        json!({"paths": {"/x": {"get": {"responses": {"200": {"content": {"a/b": {"schema": {"type": 7, "properties": [], "required": "x", "enum": 3, "items": true}}}}}}}}}),
        json!({"paths": {"/x": {"get": {"responses": {"200": {"content": {"a/b": {"schema": {"$ref": "#/nowhere"}}}}}}}}}),
        json!({"paths": {"/x": {"$ref": "#/paths/~1x"}}, "security": {}, "servers": "x", "components": {"securitySchemes": []}}),
    ];
    for base in &garbage {
        for rev in &garbage {
            let _ = super::run_diff(base, rev);
        }
    }
}

#[test]
fn ref_with_siblings_is_not_confused_with_the_plain_ref() {
    let doc = |nullable: bool| {
        let mut second = json!({"$ref": "#/components/schemas/A"});
        if nullable {
            second["nullable"] = json!(true);
        }
        get_response(obj(
            json!({"first": {"$ref": "#/components/schemas/A"}, "second": second}),
            &[],
        ))
    };
    let findings = super::run_diff(&doc(false), &doc(true));
    let ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["response-property-became-nullable"], "{findings:#?}");
    assert_eq!(
        findings[0].message,
        "Response property `second` (status 200): became nullable."
    );
}
