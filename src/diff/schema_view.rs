//! A flattened view of one schema: `$ref`s followed, `allOf` parts merged,
//! and the three spellings of nullability (`nullable: true`, `type: [T,
//! "null"]`, a `oneOf`/`anyOf` branch that only admits null) folded into one
//! flag, so that refactors which describe the same values compare equal.
//! The `$ref` chaser and the nullability fold are the spec view's
//! (`spec::view`), shared with the SDK lowering.
//!
//! Pure: must not do I/O. Anything unreadable (wrong types, dangling refs)
//! is skipped.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};

use super::pointer;
use crate::spec::view::{SpecView, admits_only_null, is_null_only, read_types};

/// How deep `allOf`/`$ref` nesting is flattened.
const MAX_FLATTEN_DEPTH: usize = 24;

/// One schema object contributing keywords, and where it lives.
pub(crate) struct Part<'a> {
    pub map: &'a Map<String, Value>,
    pub ptr: String,
}

/// The non-null alternatives of a `oneOf` / `anyOf`.
pub(crate) struct Branches<'a> {
    pub kind: &'static str,
    pub items: Vec<(&'a Value, String)>,
}

pub(crate) struct View<'a> {
    /// Pointer of the schema node itself (after following a pure `$ref`).
    pub ptr: String,
    pub parts: Vec<Part<'a>>,
    types: Option<BTreeSet<&'a str>>,
    pub nullable: bool,
    pub branches: Option<Branches<'a>>,
}

/// A property of a view: name, schema and pointer.
pub(crate) struct Property<'a> {
    pub name: &'a str,
    pub schema: &'a Value,
    pub ptr: String,
}

impl<'a> View<'a> {
    /// Constrains nothing that could exclude null: no type, enum, const or
    /// oneOf/anyOf branches. Null passes such a schema whatever `nullable`
    /// says, and a change to or from it is a type change, not a nullability one.
    pub(crate) fn is_unconstrained(&self) -> bool {
        self.types.is_none()
            && self.branches.is_none()
            && self.kw("enum").is_none()
            && self.kw("const").is_none()
    }

    pub(crate) fn build(doc: &'a Value, value: &'a Value, ptr: &str) -> View<'a> {
        let (node, node_ptr) = if is_pure_ref(value) {
            pointer::resolve(doc, value, ptr)
        } else {
            (value, ptr.to_owned())
        };
        let mut view = View {
            ptr: node_ptr.clone(),
            parts: Vec::new(),
            types: None,
            nullable: false,
            branches: None,
        };
        let mut seen = HashSet::new();
        view.add(doc, node, node_ptr, &mut seen, 0);
        view
    }

    fn add(
        &mut self,
        doc: &'a Value,
        value: &'a Value,
        ptr: String,
        seen: &mut HashSet<String>,
        depth: usize,
    ) {
        if depth > MAX_FLATTEN_DEPTH {
            return;
        }
        let Some(map) = value.as_object() else {
            return;
        };
        if !seen.insert(ptr.clone()) {
            return;
        }
        if map.get("nullable") == Some(&Value::Bool(true)) {
            self.nullable = true;
        }
        if let Some(types) = read_types(map.get("type")) {
            if types.contains("null") {
                self.nullable = true;
            }
            let concrete: BTreeSet<&str> = types.into_iter().filter(|t| *t != "null").collect();
            if self.types.is_none() && !concrete.is_empty() {
                self.types = Some(concrete);
            }
        }
        if is_null_only(map) {
            self.nullable = true;
        }
        self.parts.push(Part {
            map,
            ptr: ptr.clone(),
        });
        if let Some(target_ptr) = pointer::ref_of(value).and_then(pointer::ref_pointer)
            && let Some(target) = pointer::lookup(doc, &target_ptr)
        {
            self.add(doc, target, target_ptr, seen, depth + 1);
        }
        if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
            let base = pointer::child(&ptr, "allOf");
            for (i, part) in parts.iter().enumerate() {
                self.add(doc, part, pointer::index(&base, i), seen, depth + 1);
            }
        }
        for kind in ["oneOf", "anyOf"] {
            let Some(items) = map.get(kind).and_then(Value::as_array) else {
                continue;
            };
            let base = pointer::child(&ptr, kind);
            let mut rest = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if admits_only_null(SpecView::new(doc), item) {
                    self.nullable = true;
                } else {
                    rest.push((item, pointer::index(&base, i)));
                }
            }
            if rest.len() == 1 {
                let (item, item_ptr) = rest.pop().expect("one branch");
                self.add(doc, item, item_ptr, seen, depth + 1);
            } else if !rest.is_empty() && self.branches.is_none() {
                self.branches = Some(Branches { kind, items: rest });
            }
        }
    }

    /// First value of a keyword over the merged parts, with its part's pointer.
    pub(crate) fn kw(&self, keyword: &str) -> Option<(&'a Value, &str)> {
        self.parts
            .iter()
            .find_map(|part| part.map.get(keyword).map(|v| (v, part.ptr.as_str())))
    }

    /// True when any part sets the boolean keyword.
    pub(crate) fn flag(&self, keyword: &str) -> bool {
        self.parts
            .iter()
            .any(|part| part.map.get(keyword) == Some(&Value::Bool(true)))
    }

    /// Declared or inferred concrete types (without null); None means any.
    pub(crate) fn types(&self) -> Option<BTreeSet<&'a str>> {
        if let Some(types) = &self.types {
            return Some(types.clone());
        }
        let has = |k: &str| self.parts.iter().any(|p| p.map.contains_key(k));
        if has("properties") || has("additionalProperties") {
            return Some(BTreeSet::from(["object"]));
        }
        if has("items") {
            return Some(BTreeSet::from(["array"]));
        }
        None
    }

    /// Merged properties, first definition wins, in document order.
    pub(crate) fn properties(&self) -> Vec<Property<'a>> {
        let mut out: Vec<Property<'a>> = Vec::new();
        let mut names = HashSet::new();
        for part in &self.parts {
            let Some(props) = part.map.get("properties").and_then(Value::as_object) else {
                continue;
            };
            let base = pointer::child(&part.ptr, "properties");
            for (name, schema) in props {
                if names.insert(name.as_str()) {
                    out.push(Property {
                        name,
                        schema,
                        ptr: pointer::child(&base, name),
                    });
                }
            }
        }
        out
    }

    /// Union of `required` over the parts.
    pub(crate) fn required(&self) -> HashSet<&'a str> {
        self.parts
            .iter()
            .filter_map(|part| part.map.get("required").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect()
    }
}

/// A `$ref` with nothing beside it but annotations.
pub(crate) fn is_pure_ref(value: &Value) -> bool {
    value.as_object().is_some_and(|map| {
        map.contains_key("$ref")
            && map
                .keys()
                .all(|k| matches!(k.as_str(), "$ref" | "description" | "summary" | "title"))
    })
}
