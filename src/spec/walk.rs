//! The OpenAPI object model as seen by `$ref` handling, for the `spec` module
//! (bundling, validation, upgrade): which field holds which kind of object,
//! and which positions hold literal values where `$ref` is just data
//! (`example`, schema `examples` arrays, Example `value`, `default`, `enum`,
//! `const`, and every `x-*` extension).
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use serde_json::Value;

use super::pointer;

/// The kind of OpenAPI object expected at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Document,
    PathItem,
    Operation,
    Parameter,
    Header,
    RequestBody,
    Response,
    MediaType,
    Encoding,
    Example,
    Link,
    Callback,
    SecurityScheme,
    Components,
    Schema,
}

/// One object of a kind, or a map from names to objects of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    One(Kind),
    Map(Kind),
}

pub const OPERATION_KEYS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Kind {
    /// The `components` section that holds this kind, if any.
    pub fn component_section(self) -> Option<&'static str> {
        Some(match self {
            Kind::Schema => "schemas",
            Kind::Response => "responses",
            Kind::Parameter => "parameters",
            Kind::Example => "examples",
            Kind::RequestBody => "requestBodies",
            Kind::Header => "headers",
            Kind::SecurityScheme => "securitySchemes",
            Kind::Link => "links",
            Kind::Callback => "callbacks",
            Kind::PathItem => "pathItems",
            _ => return None,
        })
    }

    pub fn from_component_section(section: &str) -> Option<Kind> {
        Some(match section {
            "schemas" => Kind::Schema,
            "responses" => Kind::Response,
            "parameters" => Kind::Parameter,
            "examples" => Kind::Example,
            "requestBodies" => Kind::RequestBody,
            "headers" => Kind::Header,
            "securitySchemes" => Kind::SecurityScheme,
            "links" => Kind::Link,
            "callbacks" => Kind::Callback,
            "pathItems" => Kind::PathItem,
            _ => return None,
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            Kind::Document => "document",
            Kind::PathItem => "path item",
            Kind::Operation => "operation",
            Kind::Parameter => "parameter",
            Kind::Header => "header",
            Kind::RequestBody => "request body",
            Kind::Response => "response",
            Kind::MediaType => "media type",
            Kind::Encoding => "encoding",
            Kind::Example => "example",
            Kind::Link => "link",
            Kind::Callback => "callback",
            Kind::SecurityScheme => "security scheme",
            Kind::Components => "components",
            Kind::Schema => "schema",
        }
    }
}

/// Keys whose values are literal data wherever they appear in an object.
fn is_literal_key(key: &str) -> bool {
    matches!(key, "example" | "default" | "enum" | "const") || key.starts_with("x-")
}

/// The shape of the value under `key` in an object of shape `parent`, or
/// `None` when that value is literal data or not an OpenAPI object we track.
pub fn child(parent: Shape, key: &str, value: &Value) -> Option<Shape> {
    use Kind::*;
    use Shape::{Map, One};
    let kind = match parent {
        Map(kind) => {
            // Schema maps are keyed by property names, which may look like extensions.
            if key.starts_with("x-") && kind != Schema {
                return None;
            }
            return Some(One(kind));
        }
        One(kind) => kind,
    };
    if is_literal_key(key) {
        return None;
    }
    Some(match (kind, key) {
        (Document, "paths" | "webhooks") => Map(PathItem),
        (Document, "components") => One(Components),
        (Components, section) => Map(Kind::from_component_section(section)?),
        (PathItem, "parameters") | (Operation, "parameters") => One(Parameter),
        (PathItem, k) if OPERATION_KEYS.contains(&k) => One(Operation),
        (Operation, "requestBody") => One(RequestBody),
        (Operation, "responses") => Map(Response),
        (Operation, "callbacks") => Map(Callback),
        (Callback, _) => One(PathItem),
        (Parameter | Header | MediaType, "schema") => One(Schema),
        (Parameter | Header | RequestBody | Response, "content") => Map(MediaType),
        (Parameter | Header | MediaType, "examples") => Map(Example),
        (MediaType, "encoding") => Map(Encoding),
        (Response | Encoding, "headers") => Map(Header),
        (Response, "links") => Map(Link),
        (Schema, "examples") if value.is_array() => return None,
        (
            Schema,
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas",
        ) => Map(Schema),
        (
            Schema,
            "items"
            | "additionalProperties"
            | "not"
            | "contains"
            | "propertyNames"
            | "if"
            | "then"
            | "else"
            | "unevaluatedItems"
            | "unevaluatedProperties"
            | "additionalItems"
            | "contentSchema"
            | "allOf"
            | "anyOf"
            | "oneOf"
            | "prefixItems",
        ) => One(Schema),
        _ => return None,
    })
}

/// A `$ref` found in a reference position.
#[derive(Debug, Clone)]
pub struct RefSite<'v> {
    /// The `$ref` string as written.
    pub reference: &'v str,
    /// What kind of object the reference stands for.
    pub shape: Shape,
    /// Pointer (within its document) of the object holding `$ref`.
    pub pointer: String,
}

/// Calls `f` for every `$ref` in a reference position under `value`.
pub fn visit_refs<'v>(
    value: &'v Value,
    shape: Shape,
    pointer: &mut String,
    f: &mut dyn FnMut(RefSite<'v>),
) {
    walk(value, shape, pointer, &mut |object, shape, pointer| {
        if let Some(Value::String(reference)) = object.get("$ref") {
            f(RefSite {
                reference,
                shape,
                pointer: pointer.to_owned(),
            });
        }
    });
}

/// Calls `f` for every object of a known kind under `value` (objects that
/// are only a `$ref` included, so callers can tell), depth first.
pub fn visit_objects(
    value: &Value,
    shape: Shape,
    pointer: &mut String,
    f: &mut dyn FnMut(&Value, Kind, &str),
) {
    walk(value, shape, pointer, &mut |object, shape, pointer| {
        if let Shape::One(kind) = shape {
            f(object, kind, pointer);
        }
    });
}

/// The one traversal behind both visitors, so they agree on which positions
/// are followed: calls `f` on every object in a known position, before its
/// children, keeping `pointer` at that object. `$ref` values are not entered.
fn walk<'v>(
    value: &'v Value,
    shape: Shape,
    pointer: &mut String,
    f: &mut dyn FnMut(&'v Value, Shape, &str),
) {
    match value {
        Value::Object(map) => {
            f(value, shape, pointer);
            for (key, v) in map {
                if key == "$ref" || !(v.is_object() || v.is_array()) {
                    continue;
                }
                if let Some(s) = child(shape, key, v) {
                    walk_into(v, s, pointer, key, f);
                }
            }
        }
        Value::Array(items) => {
            let Shape::One(_) = shape else { return };
            for (i, v) in items.iter().enumerate() {
                if v.is_object() || v.is_array() {
                    walk_into(v, shape, pointer, &i.to_string(), f);
                }
            }
        }
        _ => {}
    }
}

/// Walks `value` with `token` pushed onto `pointer`, then restores it.
fn walk_into<'v>(
    value: &'v Value,
    shape: Shape,
    pointer: &mut String,
    token: &str,
    f: &mut dyn FnMut(&'v Value, Shape, &str),
) {
    let len = pointer.len();
    pointer::push(pointer, token);
    walk(value, shape, pointer, f);
    pointer.truncate(len);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refs(doc: &Value) -> Vec<(String, String, Shape)> {
        let mut out = Vec::new();
        visit_refs(
            doc,
            Shape::One(Kind::Document),
            &mut String::new(),
            &mut |s| out.push((s.reference.to_owned(), s.pointer, s.shape)),
        );
        out
    }

    #[test]
    fn literal_positions_are_not_references() {
        let doc = json!({
            "paths": {"/a": {"get": {
                "x-codeSamples": [{"$ref": "missing.cs"}],
                "responses": {
                    "default": {"$ref": "#/components/responses/Err"},
                    "200": {"content": {"application/json": {
                        "schema": {
                            "properties": {"default": {"$ref": "#/components/schemas/D"},
                                           "x-prop": {"$ref": "#/components/schemas/X"}},
                            "example": {"$ref": "lit1"},
                            "examples": [{"$ref": "lit2"}],
                            "default": {"$ref": "lit3"},
                            "enum": [{"$ref": "lit4"}],
                            "const": {"$ref": "lit5"}
                        },
                        "example": {"$ref": "lit6"},
                        "examples": {"one": {"$ref": "#/components/examples/One"},
                                     "two": {"value": {"$ref": "lit7"}}}
                    }}}
                }
            }}}
        });
        let found: Vec<_> = refs(&doc).into_iter().map(|(r, _, s)| (r, s)).collect();
        assert_eq!(
            found,
            vec![
                (
                    "#/components/responses/Err".to_owned(),
                    Shape::One(Kind::Response)
                ),
                (
                    "#/components/schemas/D".to_owned(),
                    Shape::One(Kind::Schema)
                ),
                (
                    "#/components/schemas/X".to_owned(),
                    Shape::One(Kind::Schema)
                ),
                (
                    "#/components/examples/One".to_owned(),
                    Shape::One(Kind::Example)
                ),
            ]
        );
    }

    #[test]
    fn map_refs_and_operation_refs_are_found() {
        let doc = json!({
            "paths": {"/a": {"get": {"$ref": "op.yaml"}, "parameters": [{"$ref": "p.yaml"}]}},
            "components": {"schemas": {"$ref": "schemas/_index.yaml"}}
        });
        let found = refs(&doc);
        assert_eq!(found[0].2, Shape::One(Kind::Operation));
        assert_eq!(found[0].1, "/paths/~1a/get");
        assert_eq!(found[1].2, Shape::One(Kind::Parameter));
        assert_eq!(found[1].1, "/paths/~1a/parameters/0");
        assert_eq!(found[2].2, Shape::Map(Kind::Schema));
    }
}
