//! One typed view of a bundled OpenAPI 3.1 document, borrowed from its
//! `serde_json::Value`, for every reader of a spec (`diff`, `sdk`, the
//! validation policy): the operations in document order, the one `$ref`
//! chaser, the one media-type classifier and the one nullability fold.
//!
//! Why one: the diff and the SDK lowering used to chase `$ref`s, spot
//! `null` and sort media types each in their own way; when they disagree a
//! spec that diffs cleanly generates differently. Each reader keeps its own
//! policy for what a dangling `$ref` means (the diff skips it, the lowering
//! makes it an unknown type with a warning); this module only says what the
//! chain of references leads to.
//!
//! Only local `#/...` refs are followed: a bundled document has no other
//! kind, except refs to documents that could not be loaded, which are
//! reported as dangling.
//!
//! Pure: must not do I/O.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::pointer;

/// How many `$ref` hops are followed before a chain counts as a loop.
pub const MAX_REF_HOPS: usize = 32;

/// The HTTP methods of a path item, in the order operations are listed.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A bundled document seen through typed accessors.
#[derive(Clone, Copy, Debug)]
pub struct SpecView<'a> {
    pub doc: &'a Value,
}

/// Where a chain of `$ref`s ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Chased<'a> {
    /// A value that is not a `$ref`, and its pointer.
    Found(&'a Value, String),
    /// The last value reached is a `$ref` that names nothing in the document
    /// (or is not local).
    Dangling {
        last: &'a Value,
        at: String,
        reference: &'a str,
    },
    /// More than [`MAX_REF_HOPS`] hops: a cycle with no base case, in
    /// practice. `last` is where the walk stopped.
    Loop { last: &'a Value, at: String },
}

impl<'a> Chased<'a> {
    /// The last value reached and its pointer, whatever the outcome.
    pub fn last(self) -> (&'a Value, String) {
        match self {
            Chased::Found(value, at)
            | Chased::Dangling {
                last: value, at, ..
            }
            | Chased::Loop { last: value, at } => (value, at),
        }
    }
}

/// One operation of the document (under `paths` or 3.1 `webhooks`).
pub struct Operation<'a> {
    pub method: &'static str,
    /// The path (or webhook name) as written (`/pets/{petId}`).
    pub path: &'a str,
    pub path_item: &'a Map<String, Value>,
    pub op: &'a Map<String, Value>,
    pub path_ptr: String,
    pub ptr: String,
    /// Declared under `webhooks` (3.1): the API sends the request.
    pub webhook: bool,
}

impl Operation<'_> {
    /// `GET /pets` or `POST webhook newPet`.
    pub fn label(&self) -> String {
        if self.webhook {
            format!("{} webhook {}", self.method.to_uppercase(), self.path)
        } else {
            format!("{} {}", self.method.to_uppercase(), self.path)
        }
    }

    pub fn deprecated(&self) -> bool {
        self.op.get("deprecated") == Some(&Value::Bool(true))
    }
}

impl<'a> SpecView<'a> {
    pub fn new(doc: &'a Value) -> Self {
        SpecView { doc }
    }

    /// The value a local `$ref` string names, if any.
    pub fn target(&self, reference: &str) -> Option<&'a Value> {
        let fragment = reference.strip_prefix('#')?;
        pointer::get(self.doc, &pointer::percent_decode(fragment))
    }

    /// Follows the chain of `$ref`s starting at `value` (found at `at`).
    pub fn chase(&self, value: &'a Value, at: &str) -> Chased<'a> {
        let mut current = value;
        let mut at = at.to_owned();
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = ref_of(current) else {
                return Chased::Found(current, at);
            };
            let target_ptr = ref_pointer(reference);
            match target_ptr
                .as_deref()
                .and_then(|p| pointer::get(self.doc, p).map(|v| (v, p)))
            {
                Some((target, p)) => {
                    current = target;
                    at = p.to_owned();
                }
                None => {
                    return Chased::Dangling {
                        last: current,
                        at,
                        reference,
                    };
                }
            }
        }
        match ref_of(current) {
            Some(_) => Chased::Loop { last: current, at },
            None => Chased::Found(current, at),
        }
    }

    /// `components.<section>` as a map.
    pub fn components(&self, section: &str) -> Option<&'a Map<String, Value>> {
        self.doc
            .get("components")
            .and_then(|c| c.get(section))
            .and_then(Value::as_object)
    }

    /// Operations under `paths` (then `webhooks` when `webhooks` is true),
    /// path items reached through `$ref`, in document order and
    /// [`METHODS`] order.
    pub fn operations(&self, webhooks: bool) -> Vec<Operation<'a>> {
        let mut out = Vec::new();
        self.collect("paths", false, &mut out);
        if webhooks {
            self.collect("webhooks", true, &mut out);
        }
        out
    }

    fn collect(&self, section: &str, webhook: bool, out: &mut Vec<Operation<'a>>) {
        let Some(paths) = self.doc.get(section).and_then(Value::as_object) else {
            return;
        };
        let section_ptr = format!("/{section}");
        for (path, item) in paths {
            let path_ptr = pointer::join(&section_ptr, path);
            let (item, path_ptr) = self.chase(item, &path_ptr).last();
            let Some(path_item) = item.as_object() else {
                continue;
            };
            for method in METHODS {
                if let Some(op) = path_item.get(method).and_then(Value::as_object) {
                    out.push(Operation {
                        method,
                        path,
                        path_item,
                        op,
                        ptr: pointer::join(&path_ptr, method),
                        path_ptr: path_ptr.clone(),
                        webhook,
                    });
                }
            }
        }
    }
}

/// How operations are matched across documents (the diff, a manifest's
/// `METHOD /path`): parameter names erased and a trailing slash ignored,
/// `/pets/{petId}/` -> `/pets/{}`.
pub fn path_key(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    if out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

/// The `$ref` string of an object, if any.
pub fn ref_of(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

/// The pointer a local `$ref` string names, if it is local.
pub fn ref_pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    Some(pointer::percent_decode(fragment))
}

/// What a media type (a `content` key) carries, for choosing a body kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// `application/json` and every `*+json`.
    Json,
    /// `multipart/form-data`.
    Multipart,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `text/*`.
    Text,
    /// Anything else: raw bytes.
    Other,
}

/// Classifies a media type by its essence (parameters after `;` and case
/// ignored).
pub fn media_kind(media: &str) -> MediaKind {
    let base = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if base == "application/json" || base.ends_with("+json") {
        MediaKind::Json
    } else if base == "multipart/form-data" {
        MediaKind::Multipart
    } else if base == "application/x-www-form-urlencoded" {
        MediaKind::Form
    } else if base.starts_with("text/") {
        MediaKind::Text
    } else {
        MediaKind::Other
    }
}

/// Two `content` keys name the same media type (case-insensitive, as
/// RFC 9110 says of type and subtype).
pub fn same_media(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The names in `type` (a string or a list); None when absent or malformed.
pub fn read_types(value: Option<&Value>) -> Option<BTreeSet<&str>> {
    match value? {
        Value::String(t) => Some(BTreeSet::from([t.as_str()])),
        Value::Array(items) => Some(items.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

/// `type` is exactly `null`.
pub fn is_null_only(map: &Map<String, Value>) -> bool {
    match read_types(map.get("type")) {
        Some(types) => types.len() == 1 && types.contains("null"),
        None => false,
    }
}

/// The one nullability fold: a schema (reached through `$ref`s) that admits
/// only null, as written in any of the spellings `{type: "null"}`,
/// `{enum: [null]}`, `{const: null}` or the 3.0-style `{nullable: true}`
/// with nothing else. A `oneOf`/`anyOf` branch like this makes the union
/// nullable rather than adding a variant.
pub fn admits_only_null(view: SpecView<'_>, item: &Value) -> bool {
    let (item, _) = view.chase(item, "").last();
    let Some(map) = item.as_object() else {
        return false;
    };
    if is_null_only(map) {
        return true;
    }
    if map.get("const") == Some(&Value::Null) {
        return true;
    }
    if let Some(values) = map.get("enum").and_then(Value::as_array)
        && values.len() == 1
        && values[0].is_null()
    {
        return true;
    }
    map.get("nullable") == Some(&Value::Bool(true))
        && map
            .keys()
            .all(|k| matches!(k.as_str(), "nullable" | "description" | "title"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chase_follows_chains_and_names_dangling_refs_and_loops() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"type": "string"},
            "L": {"$ref": "#/components/schemas/M"},
            "M": {"$ref": "#/components/schemas/L"},
            "D": {"$ref": "#/components/schemas/Nope"},
        }}});
        let view = SpecView::new(&doc);
        let start = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(
            view.chase(&start, "/x"),
            Chased::Found(&json!({"type": "string"}), "/components/schemas/B".into())
        );
        let looping = json!({"$ref": "#/components/schemas/L"});
        assert!(matches!(view.chase(&looping, "/x"), Chased::Loop { .. }));
        let dangling = json!({"$ref": "#/components/schemas/D"});
        match view.chase(&dangling, "/x") {
            Chased::Dangling { at, reference, .. } => {
                assert_eq!(at, "/components/schemas/D");
                assert_eq!(reference, "#/components/schemas/Nope");
            }
            other => panic!("{other:?}"),
        }
        let external = json!({"$ref": "other.yaml#/x"});
        assert!(matches!(view.chase(&external, ""), Chased::Dangling { .. }));
    }

    #[test]
    fn operations_in_document_then_method_order() {
        let doc = json!({
            "paths": {"/b": {"post": {}, "get": {}}, "/a": {"$ref": "#/x"}},
            "webhooks": {"hook": {"post": {}}},
            "x": {"delete": {}}
        });
        let view = SpecView::new(&doc);
        let labels: Vec<String> = view.operations(true).iter().map(Operation::label).collect();
        assert_eq!(
            labels,
            ["GET /b", "POST /b", "DELETE /a", "POST webhook hook"]
        );
        assert_eq!(view.operations(true)[2].ptr, "/x/delete");
        assert_eq!(view.operations(false).len(), 3);
    }

    #[test]
    fn media_kinds_and_null_spellings() {
        assert_eq!(
            media_kind("Application/JSON; charset=utf-8"),
            MediaKind::Json
        );
        assert_eq!(media_kind("application/problem+json"), MediaKind::Json);
        assert_eq!(media_kind("multipart/form-data"), MediaKind::Multipart);
        assert_eq!(
            media_kind("application/x-www-form-urlencoded"),
            MediaKind::Form
        );
        assert_eq!(media_kind("text/plain"), MediaKind::Text);
        assert_eq!(media_kind("image/png"), MediaKind::Other);
        let doc = json!({"components": {"schemas": {"N": {"type": "null"}}}});
        let view = SpecView::new(&doc);
        for null in [
            json!({"type": "null"}),
            json!({"const": null}),
            json!({"enum": [null]}),
            json!({"nullable": true}),
            json!({"$ref": "#/components/schemas/N"}),
        ] {
            assert!(admits_only_null(view, &null), "{null}");
        }
        for not_null in [
            json!({"type": ["string", "null"]}),
            json!({"nullable": true, "type": "string"}),
        ] {
            assert!(!admits_only_null(view, &not_null), "{not_null}");
        }
    }
}
