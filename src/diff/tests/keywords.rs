//! The JSON Schema 2020-12 keyword rules, the list-of-types rules and the
//! one-of overlap rule, each placed at every position a schema can take and
//! run both ways (base -> revision, and the reverse with the opposite rule),
//! so each rule is seen in requests and responses with its level. Also the
//! media-type schema rules and constraints nested inside `then` /
//! `patternProperties`. Pure test code: must not do I/O.

use serde_json::{Value, json};

use super::super::schema_change::Subject;
use super::schema_generated::place;
use super::{Case, get_response, post_body, run};

fn s(kind: &str) -> Value {
    json!({"type": kind})
}

fn array(extra: Value) -> Value {
    let mut schema = json!({"type": "array", "items": {"type": "string"}});
    merge(&mut schema, extra);
    schema
}

fn object(extra: Value) -> Value {
    let mut schema =
        json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}});
    merge(&mut schema, extra);
    schema
}

fn text(extra: Value) -> Value {
    let mut schema = s("string");
    merge(&mut schema, extra);
    schema
}

fn merge(schema: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (schema.as_object_mut(), extra) {
        target.extend(extra);
    }
}

/// (forward suffix, backward suffix, schema without, schema with): the
/// forward rule fires from `without` to `with`, the backward one in reverse.
fn pairs() -> Vec<(&'static str, &'static str, Value, Value)> {
    vec![
        (
            "list-of-types-widened",
            "list-of-types-narrowed",
            s("string"),
            json!({"type": ["string", "integer"]}),
        ),
        (
            "prefix-items-added",
            "prefix-items-removed",
            array(json!({"prefixItems": [s("string")]})),
            array(json!({"prefixItems": [s("string"), s("string")]})),
        ),
        (
            "contains-added",
            "contains-removed",
            array(json!({})),
            array(json!({"contains": {"const": "x"}})),
        ),
        (
            "if-added",
            "if-removed",
            object(json!({})),
            object(json!({"if": {"required": ["a"]}})),
        ),
        (
            "then-added",
            "then-removed",
            object(json!({"if": {"required": ["a"]}})),
            object(json!({"if": {"required": ["a"]}, "then": {"required": ["b"]}})),
        ),
        (
            "else-added",
            "else-removed",
            object(json!({"if": {"required": ["a"]}})),
            object(json!({"if": {"required": ["a"]}, "else": {"required": ["b"]}})),
        ),
        (
            "dependent-required-added",
            "dependent-required-removed",
            object(json!({})),
            object(json!({"dependentRequired": {"a": ["b"]}})),
        ),
        (
            "dependent-schema-added",
            "dependent-schema-removed",
            object(json!({})),
            object(json!({"dependentSchemas": {"a": {"required": ["b"]}}})),
        ),
        (
            "pattern-property-added",
            "pattern-property-removed",
            object(json!({})),
            object(json!({"patternProperties": {"^x-": {"type": "string"}}})),
        ),
        (
            "property-names-added",
            "property-names-removed",
            object(json!({})),
            object(json!({"propertyNames": {"maxLength": 8}})),
        ),
        (
            "unevaluated-items-added",
            "unevaluated-items-removed",
            json!({"type": "array", "prefixItems": [s("string")]}),
            json!({"type": "array", "prefixItems": [s("string")], "unevaluatedItems": false}),
        ),
        (
            "unevaluated-properties-added",
            "unevaluated-properties-removed",
            object(json!({})),
            object(json!({"unevaluatedProperties": false})),
        ),
        (
            "content-schema-added",
            "content-schema-removed",
            text(json!({"contentMediaType": "application/json"})),
            text(json!({"contentMediaType": "application/json", "contentSchema": s("object")})),
        ),
        (
            "content-media-type-changed",
            "content-media-type-changed",
            text(json!({"contentMediaType": "image/png"})),
            text(json!({"contentMediaType": "image/jpeg"})),
        ),
        (
            "content-encoding-changed",
            "content-encoding-changed",
            text(json!({"contentEncoding": "base64"})),
            text(json!({"contentEncoding": "base32"})),
        ),
        (
            "unique-items-set",
            "unique-items-unset",
            array(json!({})),
            array(json!({"uniqueItems": true})),
        ),
        (
            "dependent-required-changed",
            "dependent-required-changed",
            object(json!({"dependentRequired": {"a": ["b"]}})),
            object(json!({"dependentRequired": {"a": ["b", "c"]}})),
        ),
    ]
}

fn expect(subject: Subject, suffix: &str) -> Vec<String> {
    let id = format!("{}-{suffix}", subject.prefix());
    match super::super::rule(&id) {
        Some(_) => vec![id],
        None => vec![],
    }
}

pub(super) fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for subject in Subject::ALL {
        for (forward, backward, without, with) in pairs() {
            cases.push(Case {
                name: format!("{}-{forward}", subject.prefix()),
                base: place(subject, without.clone()),
                rev: place(subject, with.clone()),
                expect: expect(subject, forward),
            });
            cases.push(Case {
                name: format!("{}-{backward} (reverse)", subject.prefix()),
                base: place(subject, with),
                rev: place(subject, without),
                expect: expect(subject, backward),
            });
        }
        cases.push(overlap_case(subject));
    }
    cases.extend(media_type_cases());
    cases
}

/// Two alternatives told apart by a required `kind`; the revision drops
/// the second one's `enum`, so a body with `kind: a` matches both.
fn overlap_case(subject: Subject) -> Case {
    let branch = |kind: Option<&str>| {
        let mut kind_schema = s("string");
        if let Some(kind) = kind {
            kind_schema["enum"] = json!([kind]);
        }
        json!({"type": "object", "title": format!("B{}", kind.unwrap_or("any")),
               "properties": {"kind": kind_schema}, "required": ["kind"]})
    };
    let base =
        json!({"oneOf": [branch(Some("a")), {"allOf": [branch(Some("b"))], "title": "Second"}]});
    let rev = json!({"oneOf": [branch(Some("a")), {"allOf": [branch(None)], "title": "Second"}]});
    let mut expect = expect(subject, "one-of-branches-overlap");
    let property = match subject.dir() {
        super::super::schema_change::Dir::Request => "request-property-enum-removed",
        super::super::schema_change::Dir::Response => "response-property-enum-removed",
    };
    expect.push(property.to_owned());
    Case {
        name: format!("{}-one-of-branches-overlap", subject.prefix()),
        base: place(subject, base),
        rev: place(subject, rev),
        expect,
    }
}

fn media_type_cases() -> Vec<Case> {
    let body = |schema: Option<Value>| {
        let mut media = json!({});
        if let Some(schema) = schema {
            media["schema"] = schema;
        }
        media
    };
    let post = |media: Value| {
        super::api(json!({"/x": {"post": {
            "requestBody": {"content": {"application/json": media}},
            "responses": super::ok()
        }}}))
    };
    let get = |media: Value| {
        super::api(json!({"/x": {"get": {"responses": {
            "200": {"description": "ok", "content": {"application/json": media}}
        }}}}))
    };
    let real = || json!({"type": "object", "required": ["a"]});
    vec![
        super::case(
            "request schema from absent",
            post(body(None)),
            post(body(Some(real()))),
            &["request-body-media-type-schema-added"],
        ),
        super::case(
            "request schema from {}",
            post(body(Some(json!({})))),
            post(body(Some(real()))),
            &["request-body-media-type-schema-added"],
        ),
        super::case(
            "request schema to absent",
            post(body(Some(real()))),
            post(body(None)),
            &["request-body-media-type-schema-removed"],
        ),
        super::case(
            "response schema from absent",
            get(body(None)),
            get(body(Some(real()))),
            &["response-body-media-type-schema-added"],
        ),
        super::case(
            "response schema to {}",
            get(body(Some(real()))),
            get(body(Some(json!({})))),
            &["response-body-media-type-schema-removed"],
        ),
        super::case(
            "absent to {} is nothing",
            get(body(None)),
            get(body(Some(json!({})))),
            &[],
        ),
    ]
}

#[test]
fn every_keyword_rule_both_ways_in_every_position() {
    run(&cases());
}

#[test]
fn constraints_nested_in_keywords_are_compared_with_their_direction() {
    let then = |max: u64| {
        object(
            json!({"if": {"required": ["a"]}, "then": {"properties": {"b": {"maxLength": max}}}}),
        )
    };
    let pattern = |max: u64| {
        object(json!({"patternProperties": {"^x-": {"type": "string", "maxLength": max}}}))
    };
    let tuple = |first: &str| array(json!({"prefixItems": [s(first)]}));
    run(&[
        super::case(
            "maxLength decreased inside then, request",
            post_body(then(10)),
            post_body(then(5)),
            &["request-property-max-length-decreased"],
        ),
        super::case(
            "maxLength decreased inside then, response",
            get_response(then(10)),
            get_response(then(5)),
            &["response-property-max-length-decreased"],
        ),
        super::case(
            "maxLength increased inside then, response",
            get_response(then(5)),
            get_response(then(10)),
            &["response-property-max-length-increased"],
        ),
        super::case(
            "maxLength decreased inside patternProperties, request",
            post_body(pattern(10)),
            post_body(pattern(5)),
            &["request-property-max-length-decreased"],
        ),
        super::case(
            "prefixItems position changed type",
            post_body(tuple("string")),
            post_body(tuple("boolean")),
            &["request-property-type-changed"],
        ),
        super::case(
            "minContains raised",
            post_body(array(json!({"contains": {"const": "x"}, "minContains": 1}))),
            post_body(array(json!({"contains": {"const": "x"}, "minContains": 2}))),
            &["request-body-min-contains-increased"],
        ),
    ]);
}

#[test]
fn disjoint_alternatives_are_not_an_overlap() {
    let kinds = |a: &str, b: &str| {
        let branch = |k: &str| json!({"type": "object", "title": k, "properties": {"kind": {"const": k}}, "required": ["kind"]});
        json!({"oneOf": [branch(a), branch(b)]})
    };
    run(&[
        super::case(
            "alternatives still told apart by const",
            post_body(json!({"oneOf": [s("string"), s("integer")]})),
            post_body(json!({"oneOf": [s("string"), s("integer"), s("boolean")]})),
            &["request-body-one-of-added"],
        ),
        super::case(
            "unchanged const-discriminated alternatives report nothing",
            post_body(kinds("a", "b")),
            post_body(kinds("a", "b")),
            &[],
        ),
    ]);
}

#[test]
fn overlap_follows_json_schema_not_names() {
    let status = |values: Value| json!({"type": "string", "enum": values});
    // GitHub's check-runs body: one alternative requires `status`, the
    // other only constrains it when present; the values are disjoint.
    let check_run = |kind: &str| {
        json!({"type": "object", kind: [
            {"properties": {"status": status(json!(["completed"]))}, "required": ["status", "conclusion"]},
            {"properties": {"status": status(json!(["queued", "in_progress"]))}}
        ]})
    };
    // GitHub's labels body: two object alternatives that `{}` satisfies.
    let labels = |kind: &str| {
        json!({kind: [
            {"type": "object", "properties": {"labels": {"type": "array", "items": s("string")}}},
            {"type": "object", "properties": {"labels": {"type": "array", "items": s("object")}}}
        ]})
    };
    run(&[
        super::case(
            "anyOf to oneOf with disjoint alternatives",
            post_body(check_run("anyOf")),
            post_body(check_run("oneOf")),
            &[],
        ),
        super::case(
            "anyOf to oneOf with overlapping alternatives",
            post_body(labels("anyOf")),
            post_body(labels("oneOf")),
            &["request-body-one-of-branches-overlap"],
        ),
        super::case(
            "overlapping oneOf that already overlapped",
            post_body(labels("oneOf")),
            post_body(labels("oneOf")),
            &[],
        ),
    ]);
}

#[test]
fn format_byte_and_binary_are_their_content_keywords() {
    run(&[
        super::case(
            "byte is base64",
            post_body(text(json!({"format": "byte"}))),
            post_body(text(json!({"format": "byte", "contentEncoding": "base64"}))),
            &[],
        ),
        super::case(
            "binary is octet-stream",
            get_response(text(json!({"format": "binary"}))),
            get_response(text(
                json!({"contentMediaType": "application/octet-stream"}),
            )),
            &[],
        ),
    ]);
}
