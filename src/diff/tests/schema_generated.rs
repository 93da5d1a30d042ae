//! One table of schema changes, placed at every position a schema can
//! take (request body, request property, parameter, response body,
//! response property, response header): each placement must report
//! exactly the rule `{subject}-{change}`, or nothing where the subject has
//! no such rule. Covers every generated schema rule in both directions.
//! Pure test code: builds documents in memory and must not do I/O.

use serde_json::{Value, json};

use super::super::rules::{BOUNDS, bound_moves};
use super::super::schema_change::Subject;
use super::{Case, api, get_header, get_params, get_response, obj, post_body, run};

pub(super) fn place(subject: Subject, schema: Value) -> Value {
    let property = || obj(json!({"p": schema.clone()}), &[]);
    match subject {
        Subject::RequestBody => post_body(schema),
        Subject::RequestProperty => post_body(property()),
        Subject::RequestParameter => {
            get_params(json!([{"in": "query", "name": "q", "schema": schema}]))
        }
        Subject::ResponseBody => get_response(schema),
        Subject::ResponseProperty => get_response(property()),
        Subject::ResponseHeader => get_header(json!({"schema": schema})),
    }
}

fn s(kind: &str) -> Value {
    json!({"type": kind})
}

/// (change suffix, base schema, revision schema)
fn changes() -> Vec<(String, Value, Value)> {
    let r = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let one_of = |items: Vec<Value>| json!({"oneOf": items});
    let any_of = |items: Vec<Value>| json!({"anyOf": items});
    let disc = |mapping: Value| json!({"oneOf": [r("A"), r("B")], "discriminator": {"propertyName": "kind", "mapping": mapping}});
    let mut out: Vec<(String, Value, Value)> = vec![
        ("type-changed".into(), s("string"), s("boolean")),
        ("type-generalized".into(), s("integer"), s("number")),
        ("type-specialized".into(), s("number"), s("integer")),
        (
            "became-nullable".into(),
            s("string"),
            json!({"type": ["string", "null"]}),
        ),
        (
            "became-not-nullable".into(),
            json!({"type": "string", "nullable": true}),
            s("string"),
        ),
        (
            "format-changed".into(),
            json!({"type": "string", "format": "date"}),
            json!({"type": "string", "format": "date-time"}),
        ),
        (
            "enum-value-added".into(),
            json!({"type": "string", "enum": ["a"]}),
            json!({"type": "string", "enum": ["a", "b"]}),
        ),
        (
            "enum-value-removed".into(),
            json!({"type": "string", "enum": ["a", "b"]}),
            json!({"type": "string", "enum": ["a"]}),
        ),
        (
            "became-enum".into(),
            s("string"),
            json!({"type": "string", "enum": ["a"]}),
        ),
        (
            "enum-removed".into(),
            json!({"type": "string", "enum": ["a"]}),
            s("string"),
        ),
        (
            "const-added".into(),
            s("string"),
            json!({"type": "string", "const": "a"}),
        ),
        (
            "const-removed".into(),
            json!({"type": "string", "const": "a"}),
            s("string"),
        ),
        (
            "const-changed".into(),
            json!({"type": "string", "const": "a"}),
            json!({"type": "string", "const": "b"}),
        ),
        (
            "default-value-added".into(),
            s("string"),
            json!({"type": "string", "default": "a"}),
        ),
        (
            "default-value-removed".into(),
            json!({"type": "string", "default": "a"}),
            s("string"),
        ),
        (
            "default-value-changed".into(),
            json!({"type": "string", "default": "a"}),
            json!({"type": "string", "default": "b"}),
        ),
        (
            "pattern-added".into(),
            s("string"),
            json!({"type": "string", "pattern": "^a$"}),
        ),
        (
            "pattern-removed".into(),
            json!({"type": "string", "pattern": "^a$"}),
            s("string"),
        ),
        (
            "pattern-changed".into(),
            json!({"type": "string", "pattern": "^a$"}),
            json!({"type": "string", "pattern": "^b$"}),
        ),
        (
            "multiple-of-changed".into(),
            json!({"type": "integer", "multipleOf": 2}),
            json!({"type": "integer", "multipleOf": 3}),
        ),
        (
            "additional-properties-narrowed".into(),
            s("object"),
            json!({"type": "object", "additionalProperties": false}),
        ),
        (
            "additional-properties-widened".into(),
            json!({"type": "object", "additionalProperties": false}),
            s("object"),
        ),
        (
            "one-of-added".into(),
            one_of(vec![s("string"), s("integer")]),
            one_of(vec![s("string"), s("integer"), s("boolean")]),
        ),
        (
            "one-of-removed".into(),
            one_of(vec![r("A"), r("B"), r("C")]),
            one_of(vec![r("A"), r("B")]),
        ),
        (
            "any-of-added".into(),
            any_of(vec![r("A"), r("B")]),
            any_of(vec![r("A"), r("B"), r("C")]),
        ),
        (
            "any-of-removed".into(),
            any_of(vec![s("string"), s("integer"), s("boolean")]),
            any_of(vec![s("string"), s("integer")]),
        ),
        (
            "discriminator-added".into(),
            one_of(vec![r("A"), r("B")]),
            json!({"oneOf": [r("A"), r("B")], "discriminator": {"propertyName": "kind"}}),
        ),
        (
            "discriminator-removed".into(),
            json!({"oneOf": [r("A"), r("B")], "discriminator": {"propertyName": "kind"}}),
            one_of(vec![r("A"), r("B")]),
        ),
        (
            "discriminator-property-name-changed".into(),
            json!({"oneOf": [r("A"), r("B")], "discriminator": {"propertyName": "kind"}}),
            json!({"oneOf": [r("A"), r("B")], "discriminator": {"propertyName": "type"}}),
        ),
        (
            "discriminator-mapping-added".into(),
            disc(json!({"a": "#/components/schemas/A"})),
            disc(json!({"a": "#/components/schemas/A", "b": "#/components/schemas/B"})),
        ),
        (
            "discriminator-mapping-deleted".into(),
            disc(json!({"a": "#/components/schemas/A", "b": "#/components/schemas/B"})),
            disc(json!({"a": "#/components/schemas/A"})),
        ),
        (
            "discriminator-mapping-changed".into(),
            disc(json!({"a": "#/components/schemas/A"})),
            disc(json!({"a": "#/components/schemas/B"})),
        ),
    ];
    for bound in BOUNDS {
        let base_type = match bound.keyword {
            "maxLength" | "minLength" => json!({"type": "string"}),
            "maxItems" | "minItems" => json!({"type": "array", "items": {"type": "string"}}),
            "maxContains" | "minContains" => {
                json!({"type": "array", "items": {"type": "string"}, "contains": {"const": "x"}})
            }
            "maxProperties" | "minProperties" => json!({"type": "object"}),
            _ => json!({"type": "number"}),
        };
        let with = |n: Option<i64>| {
            let mut schema = base_type.clone();
            if let Some(n) = n {
                schema[bound.keyword] = json!(n);
            }
            schema
        };
        for (movement, _) in bound_moves(bound) {
            let (old, new) = match (bound.upper, movement) {
                (_, "set") => (None, Some(5)),
                (_, "unset") => (Some(5), None),
                (_, "increased") => (Some(1), Some(5)),
                (_, "decreased") => (Some(5), Some(1)),
                _ => unreachable!(),
            };
            out.push((format!("{}-{movement}", bound.id), with(old), with(new)));
        }
    }
    out
}

pub(super) fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for subject in Subject::ALL {
        for (suffix, base, rev) in changes() {
            let id = format!("{}-{suffix}", subject.prefix());
            let expect: Vec<String> = if super::super::rule(&id).is_some() {
                vec![id.clone()]
            } else {
                vec![]
            };
            cases.push(Case {
                name: id,
                base: place(subject, base.clone()),
                rev: place(subject, rev),
                expect,
            });
        }
    }
    cases
}

#[test]
fn every_schema_change_in_every_position() {
    run(&cases());
}

#[test]
fn schema_changes_seen_through_refs_and_all_of() {
    // The same change, but the schema sits in a component reached through
    // `$ref` and `allOf`: still exactly one finding, attributed to the component.
    let wrap = |inner: Value| {
        let doc = api(json!({"/x": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}},
            "responses": super::ok()
        }}}));
        super::with_component(
            doc,
            "schemas",
            "Body",
            json!({"allOf": [{"$ref": "#/components/schemas/A"}, obj(json!({"n": inner}), &[])]}),
        )
    };
    let findings = super::run_diff(
        &wrap(json!({"type": "string", "maxLength": 10})),
        &wrap(json!({"type": "string", "maxLength": 5})),
    );
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].id, "request-property-max-length-decreased");
    assert_eq!(findings[0].component.as_deref(), Some("schemas/Body"));
    assert_eq!(findings[0].operation.as_deref(), Some("POST /x"));
    assert_eq!(
        findings[0].message,
        "Request property `Body.n`: maxLength was decreased from 10 to 5."
    );
}

#[test]
fn schema_wrapped_into_alternatives() {
    let r = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let a_nullable = json!({"allOf": [r("A")], "nullable": true});
    run(&[
        super::case(
            "wrapped into oneOf",
            get_response(r("A")),
            get_response(json!({"oneOf": [r("A"), r("B")]})),
            &["response-body-one-of-added"],
        ),
        super::case(
            "unwrapped from oneOf",
            post_body(json!({"oneOf": [r("A"), r("B")]})),
            post_body(r("A")),
            &["request-body-one-of-removed"],
        ),
        super::case(
            "nullable ref wrapped into anyOf with null",
            get_response(obj(json!({"p": a_nullable.clone()}), &[])),
            get_response(obj(
                json!({"p": {"anyOf": [r("A"), r("B"), {"type": "null"}]}}),
                &[],
            )),
            &["response-property-any-of-added"],
        ),
        super::case(
            "string wrapped with an enum alternative",
            post_body(json!({"type": "string", "maxLength": 9})),
            post_body(json!({"anyOf": [{"type": "string", "maxLength": 5}, {"type": "boolean"}]})),
            &[
                "request-body-max-length-decreased",
                "request-body-any-of-added",
            ],
        ),
    ]);
}

#[test]
fn length_bounds_give_way_to_an_enum() {
    run(&[super::case(
        "maxLength dropped when an enum is introduced",
        get_response(json!({"type": "string", "maxLength": 5000})),
        get_response(json!({"type": "string", "enum": ["a", "b"]})),
        &["response-body-became-enum"],
    )]);
}
