//! RFC 6901 JSON pointers and local `$ref` resolution inside one document.
//!
//! Pure: must not do I/O. Only local refs (`#/...`) are followed; anything
//! else resolves to nothing and is skipped by the callers.

use std::borrow::Cow;

use serde_json::Value;

/// How many `$ref` hops are followed before giving up (guards ref loops).
const MAX_REF_HOPS: usize = 32;

/// Escapes one pointer segment (`~` -> `~0`, `/` -> `~1`).
pub(crate) fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// `parent` + `/` + escaped `segment`.
pub(crate) fn child(parent: &str, segment: &str) -> String {
    let escaped = escape(segment);
    let mut out = String::with_capacity(parent.len() + escaped.len() + 1);
    out.push_str(parent);
    out.push('/');
    out.push_str(&escaped);
    out
}

/// `parent` + `/` + `index`.
pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}/{i}")
}

fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Looks a pointer (`/a/b`, no `#`) up in `doc`.
pub(crate) fn lookup<'a>(doc: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(doc);
    }
    let rest = pointer.strip_prefix('/')?;
    let mut current = doc;
    for raw in rest.split('/') {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        current = match current {
            Value::Object(map) => map.get(&segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The pointer a local `$ref` string names, if it is local.
pub(crate) fn ref_pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    Some(percent_decode(fragment).into_owned())
}

/// The `$ref` string of an object, if any.
pub(crate) fn ref_of(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

/// Follows a chain of local `$ref`s starting at `value` (found at `pointer`).
/// Returns the final value and its pointer; stops at an unresolvable or
/// looping ref and returns the last object reached.
pub(crate) fn resolve<'a>(doc: &'a Value, value: &'a Value, pointer: &str) -> (&'a Value, String) {
    let mut current = value;
    let mut at = pointer.to_owned();
    for _ in 0..MAX_REF_HOPS {
        let Some(target_pointer) = ref_of(current).and_then(ref_pointer) else {
            break;
        };
        let Some(target) = lookup(doc, &target_pointer) else {
            break;
        };
        current = target;
        at = target_pointer;
    }
    (current, at)
}

/// The component name a pointer designates, e.g. `/components/schemas/Pet`
/// -> `Pet`.
pub(crate) fn component_name(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/components/")?;
    let mut parts = rest.split('/');
    let _kind = parts.next()?;
    let name = parts.next()?;
    Some(name.replace("~1", "/").replace("~0", "~"))
}

/// `schemas/Pet` for any pointer below `/components/schemas/Pet`.
pub(crate) fn component_of(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/components/")?;
    let mut parts = rest.split('/');
    let kind = parts.next()?;
    let name = parts.next()?;
    Some(format!(
        "{kind}/{}",
        name.replace("~1", "/").replace("~0", "~")
    ))
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
