//! Local `$ref` resolution inside one document, and the component a
//! pointer belongs to. Pointer syntax (escaping, lookup, fragment decoding)
//! is `spec::pointer`'s, used here under the diff's names.
//!
//! Pure: must not do I/O. Only local refs (`#/...`) are followed; anything
//! else resolves to nothing and is skipped by the callers.

use serde_json::Value;

use crate::spec::view::SpecView;

/// Looks a pointer (`/a/b`, no `#`) up in `doc`.
pub(crate) use crate::spec::pointer::get as lookup;
/// `parent` + `/` + escaped `segment`.
pub(crate) use crate::spec::pointer::{escape, join as child};

/// `parent` + `/` + `index`.
pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}/{i}")
}

/// The pointer a local `$ref` string names, and the `$ref` string of an
/// object: the spec view's.
pub(crate) use crate::spec::view::{ref_of, ref_pointer};

/// Follows a chain of local `$ref`s starting at `value` (found at `pointer`)
/// with the spec view's one chaser. Returns the final value and its
/// pointer; stops at an unresolvable or looping ref and returns the last
/// object reached.
pub(crate) fn resolve<'a>(doc: &'a Value, value: &'a Value, pointer: &str) -> (&'a Value, String) {
    SpecView::new(doc).chase(value, pointer).last()
}

/// The kind and (unescaped) name of the component a pointer lies in:
/// `/components/schemas/Pet/properties/x` -> (`schemas`, `Pet`).
fn component_parts(pointer: &str) -> Option<(&str, String)> {
    let rest = pointer.strip_prefix("/components/")?;
    let mut parts = rest.split('/');
    let kind = parts.next()?;
    let name = parts.next()?;
    Some((kind, name.replace("~1", "/").replace("~0", "~")))
}

/// The component name a pointer designates, e.g. `/components/schemas/Pet`
/// -> `Pet`.
pub(crate) fn component_name(pointer: &str) -> Option<String> {
    component_parts(pointer).map(|(_, name)| name)
}

/// `schemas/Pet` for any pointer below `/components/schemas/Pet`.
pub(crate) fn component_of(pointer: &str) -> Option<String> {
    component_parts(pointer).map(|(kind, name)| format!("{kind}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_chains_and_stops_on_loops() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"type": "string"},
            "L": {"$ref": "#/components/schemas/L"},
            "a/b": {"type": "integer"}
        }}});
        let start = json!({"$ref": "#/components/schemas/A"});
        let (value, at) = resolve(&doc, &start, "/x");
        assert_eq!(value, &json!({"type": "string"}));
        assert_eq!(at, "/components/schemas/B");
        let looping = json!({"$ref": "#/components/schemas/L"});
        let (_, at) = resolve(&doc, &looping, "/x");
        assert_eq!(at, "/components/schemas/L");
        let escaped = json!({"$ref": "#/components/schemas/a~1b"});
        assert_eq!(resolve(&doc, &escaped, "").0, &json!({"type": "integer"}));
        assert_eq!(child("/paths", "/pets/{id}"), "/paths/~1pets~1{id}");
        assert_eq!(
            component_of("/components/schemas/Pet/properties/x").as_deref(),
            Some("schemas/Pet")
        );
        assert_eq!(
            ref_pointer("#/paths/~1a%7Bb%7D").as_deref(),
            Some("/paths/~1a{b}")
        );
    }
}
