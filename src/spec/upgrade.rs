//! Upgrade of a bundled OpenAPI 3.0 document to the OpenAPI 3.1 model, for
//! the `diff` and `generate` stages (which read only the 3.1 model). The
//! declared-version document is left untouched; this builds a copy.
//!
//! Rules (applied to every schema in a schema position, including nested
//! ones, components, parameters, headers and media types; literal positions
//! such as `example`, `default`, `enum` values and `x-*` are never touched):
//!
//! 1. `openapi` becomes `"3.1.0"` for 3.0.x input; 3.1.x input keeps its value.
//! 2. `nullable` is removed. When it was `true`:
//!    - `type: T` becomes `type: [T, "null"]` (a type array gets `"null"`
//!      appended if missing), and an `enum` gets `null` appended if missing;
//!    - without `type`, a schema with `$ref`, `allOf`, `oneOf` or `anyOf`
//!      becomes `{anyOf: [<the schema without nullable and annotations>,
//!      {type: "null"}], <annotations>}` where annotations (`title`,
//!      `description`, `deprecated`, `readOnly`, `writeOnly`, `default`,
//!      `example`/`examples`, `externalDocs`, `xml`, `discriminator`, `x-*`)
//!      stay on the outer object;
//!    - without `type` or any of those, nothing else changes (null was
//!      already allowed).
//!
//!    This also applies to 3.1 documents that use `nullable` (SendGrid, Codat).
//!    An `allOf` branch that says only `nullable: true` (the usual 3.0 way
//!    to write "a nullable `$ref`", since nothing may sit beside `$ref`) is
//!    removed and makes the whole schema nullable, as its author meant.
//! 3. Boolean `exclusiveMinimum: true` with `minimum: m` becomes
//!    `exclusiveMinimum: m` (and `minimum` is removed); `false`, or `true`
//!    without `minimum`, is removed. Likewise for `exclusiveMaximum`/`maximum`.
//! 4. Schema `example: v` becomes `examples: [v]`; when `examples` already is
//!    an array, `v` is put first (unless already present).
//! 5. `type: string` with `format: byte` gains `contentEncoding: base64`;
//!    with `format: binary` gains `contentMediaType: application/octet-stream`.
//!    `format` is kept; existing `contentEncoding`/`contentMediaType` win.
//!
//! Everything else is copied as is. The rules are idempotent.
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use serde_json::{Map, Value, json};

use super::walk::{self, Kind, Shape};

/// The 3.1-model copy of a bundled document (see the module docs for rules).
pub fn upgrade_to_31(document: &Value) -> Value {
    let mut doc = document.clone();
    if let Some(map) = doc.as_object_mut() {
        let is_30 = map
            .get("openapi")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("3.0"));
        if is_30 {
            map.insert("openapi".into(), Value::String("3.1.0".into()));
        }
    }
    upgrade_node(&mut doc, Shape::One(Kind::Document));
    doc
}

fn upgrade_node(value: &mut Value, shape: Shape) {
    match value {
        Value::Object(map) => {
            if shape == Shape::One(Kind::Schema) {
                upgrade_schema(map);
            }
            for (key, v) in map.iter_mut() {
                if key == "$ref" || !(v.is_object() || v.is_array()) {
                    continue;
                }
                if let Some(s) = walk::child(shape, key, v) {
                    upgrade_node(v, s);
                }
            }
        }
        Value::Array(items) => {
            if let Shape::One(_) = shape {
                for v in items {
                    upgrade_node(v, shape);
                }
            }
        }
        _ => {}
    }
}

const ANNOTATIONS: [&str; 11] = [
    "title",
    "description",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "example",
    "examples",
    "externalDocs",
    "xml",
    "discriminator",
];

fn upgrade_schema(map: &mut Map<String, Value>) {
    exclusive_bound(map, "exclusiveMinimum", "minimum");
    exclusive_bound(map, "exclusiveMaximum", "maximum");
    if let Some(example) = map.remove("example") {
        match map.get_mut("examples") {
            Some(Value::Array(examples)) => {
                if !examples.contains(&example) {
                    examples.insert(0, example);
                }
            }
            _ => {
                map.insert("examples".into(), Value::Array(vec![example]));
            }
        }
    }
    if map.get("type").and_then(Value::as_str) == Some("string") {
        match map.get("format").and_then(Value::as_str) {
            Some("byte") if !map.contains_key("contentEncoding") => {
                map.insert("contentEncoding".into(), json!("base64"));
            }
            Some("binary") if !map.contains_key("contentMediaType") => {
                map.insert("contentMediaType".into(), json!("application/octet-stream"));
            }
            _ => {}
        }
    }
    if hoist_nullable_from_all_of(map) {
        map.insert("nullable".into(), Value::Bool(true));
    }
    if map.remove("nullable") == Some(Value::Bool(true)) {
        make_nullable(map);
    }
}

/// Removes `allOf` branches that say only `nullable: true` (annotations
/// aside), moving their annotations (`readOnly`, `description`, ...) to the
/// schema itself; true if there were any.
fn hoist_nullable_from_all_of(map: &mut Map<String, Value>) -> bool {
    let Some(Value::Array(parts)) = map.get_mut("allOf") else {
        return false;
    };
    let (markers, rest): (Vec<Value>, Vec<Value>) = std::mem::take(parts)
        .into_iter()
        .partition(is_bare_nullable);
    *parts = rest;
    if parts.is_empty() {
        map.remove("allOf");
    }
    for marker in &markers {
        for (key, value) in marker.as_object().into_iter().flatten() {
            if key != "nullable" && !map.contains_key(key) {
                map.insert(key.clone(), value.clone());
            }
        }
    }
    !markers.is_empty()
}

fn is_bare_nullable(schema: &Value) -> bool {
    schema.as_object().is_some_and(|m| {
        m.get("nullable") == Some(&Value::Bool(true))
            && m.keys().all(|k| {
                k == "nullable" || ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-")
            })
    })
}

fn exclusive_bound(map: &mut Map<String, Value>, exclusive: &str, bound: &str) {
    match map.get(exclusive) {
        Some(Value::Bool(true)) => match map.remove(bound) {
            Some(limit) => {
                map.insert(exclusive.into(), limit);
            }
            None => {
                map.remove(exclusive);
            }
        },
        Some(Value::Bool(false)) => {
            map.remove(exclusive);
        }
        _ => {}
    }
}

fn make_nullable(map: &mut Map<String, Value>) {
    match map.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            if t != "null" {
                map.insert("type".into(), json!([t, "null"]));
            } else {
                map.insert("type".into(), json!("null"));
            }
        }
        Some(Value::Array(types)) => {
            if !types.iter().any(|t| t == "null") {
                types.push(json!("null"));
            }
        }
        _ => {
            if ["$ref", "allOf", "oneOf", "anyOf"]
                .iter()
                .any(|k| map.contains_key(*k))
            {
                let mut inner = Map::new();
                let mut outer = Map::new();
                for (k, v) in std::mem::take(map) {
                    if ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-") {
                        outer.insert(k, v);
                    } else {
                        inner.insert(k, v);
                    }
                }
                outer.insert(
                    "anyOf".into(),
                    json!([Value::Object(inner), {"type": "null"}]),
                );
                *map = outer;
            }
            return;
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(schema: Value) -> Value {
        let doc = json!({"openapi": "3.0.3", "components": {"schemas": {"S": schema}}});
        let out = upgrade_to_31(&doc);
        assert_eq!(out["openapi"], "3.1.0");
        out["components"]["schemas"]["S"].clone()
    }

    /// Asserts that upgrading each 3.0 schema gives the 3.1 schema paired
    /// with it.
    #[track_caller]
    fn assert_upgrades(cases: &[(Value, Value)]) {
        for (before, after) in cases {
            assert_eq!(&up(before.clone()), after, "upgrading {before}");
        }
    }

    #[test]
    fn nullable_with_type_becomes_type_array_and_enum_gets_null() {
        assert_upgrades(&[
            (
                json!({"type": "string", "nullable": true}),
                json!({"type": ["string", "null"]}),
            ),
            (
                json!({"type": "string", "enum": ["a"], "nullable": true}),
                json!({"type": ["string", "null"], "enum": ["a", null]}),
            ),
            (
                json!({"type": "string", "nullable": false}),
                json!({"type": "string"}),
            ),
        ]);
    }

    #[test]
    fn nullable_ref_is_wrapped_in_any_of_keeping_annotations_outside() {
        assert_upgrades(&[
            (
                json!({"$ref": "#/components/schemas/T", "description": "d", "nullable": true}),
                json!({"description": "d", "anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]}),
            ),
            (
                json!({"oneOf": [{"type": "string"}], "nullable": true}),
                json!({"anyOf": [{"oneOf": [{"type": "string"}]}, {"type": "null"}]}),
            ),
            (
                json!({"description": "any", "nullable": true}),
                json!({"description": "any"}),
            ),
        ]);
    }

    #[test]
    fn a_bare_nullable_all_of_branch_makes_the_schema_nullable() {
        assert_upgrades(&[
            (
                json!({"allOf": [{"$ref": "#/components/schemas/U"}, {"nullable": true}], "description": "d"}),
                json!({"description": "d", "anyOf": [{"allOf": [{"$ref": "#/components/schemas/U"}]}, {"type": "null"}]}),
            ),
            // Its annotations move up rather than being lost.
            (
                json!({"allOf": [{"$ref": "#/components/schemas/U"}, {"nullable": true, "readOnly": true}]}),
                json!({"readOnly": true, "anyOf": [{"allOf": [{"$ref": "#/components/schemas/U"}]}, {"type": "null"}]}),
            ),
            // A branch with constraints is a real schema, not a nullability marker.
            (
                json!({"allOf": [{"type": "string", "nullable": true, "minLength": 1}]}),
                json!({"allOf": [{"type": ["string", "null"], "minLength": 1}]}),
            ),
        ]);
    }

    #[test]
    fn exclusive_bounds_become_numbers() {
        assert_upgrades(&[
            (
                json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false}),
                json!({"type": "number", "exclusiveMinimum": 0, "maximum": 9}),
            ),
            (json!({"exclusiveMaximum": true}), json!({})),
        ]);
    }

    #[test]
    fn example_becomes_examples_and_binary_formats_get_content_keywords() {
        assert_upgrades(&[
            (
                json!({"type": "integer", "example": 3}),
                json!({"type": "integer", "examples": [3]}),
            ),
            (
                json!({"type": "string", "format": "byte"}),
                json!({"type": "string", "format": "byte", "contentEncoding": "base64"}),
            ),
            (
                json!({"type": "string", "format": "binary"}),
                json!({"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}),
            ),
        ]);
    }

    #[test]
    fn nested_schemas_upgraded_but_literals_untouched() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "query",
                "schema": {"type": "object", "properties": {"p": {"type": "integer", "nullable": true}},
                           "default": {"nullable": true}, "x-ext": {"nullable": true}},
                "example": {"nullable": true}}],
                "responses": {"200": {"description": "ok"}}}}}
        });
        let out = upgrade_to_31(&doc);
        assert_eq!(out["openapi"], "3.1.0");
        let schema = &out["paths"]["/a"]["get"]["parameters"][0]["schema"];
        assert_eq!(
            schema["properties"]["p"],
            json!({"type": ["integer", "null"]})
        );
        assert_eq!(schema["default"], json!({"nullable": true}));
        assert_eq!(schema["x-ext"], json!({"nullable": true}));
        assert_eq!(
            out["paths"]["/a"]["get"]["parameters"][0]["example"],
            json!({"nullable": true})
        );
    }

    #[test]
    fn upgrade_is_idempotent() {
        let doc = json!({"openapi": "3.0.0", "components": {"schemas": {
            "A": {"type": "string", "nullable": true, "example": "x", "format": "binary"},
            "B": {"$ref": "#/components/schemas/A", "nullable": true}}}});
        let once = upgrade_to_31(&doc);
        assert_eq!(upgrade_to_31(&once), once);
    }
}
