//! RFC 6901 JSON pointers for the `spec` module (all stages): escaping,
//! parsing, lookup, and the percent-decoding of `$ref` fragments.
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use serde_json::Value;

/// Escapes one reference token (`~` -> `~0`, `/` -> `~1`).
pub fn escape(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1").into()
    } else {
        token.into()
    }
}

/// Splits a pointer into unescaped tokens. `""` is the whole document.
/// Returns `None` when the pointer does not start with `/`.
pub fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Appends one token to a pointer.
pub fn push(pointer: &mut String, token: &str) {
    pointer.push('/');
    pointer.push_str(&escape(token));
}

/// `pointer` + `/token`.
pub fn join(pointer: &str, token: &str) -> String {
    let mut p = pointer.to_owned();
    push(&mut p, token);
    p
}

/// The node at `pointer`, without following `$ref`s.
pub fn get<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    let mut node = value;
    for token in tokens(pointer)? {
        node = step(node, &token)?;
    }
    Some(node)
}

/// One step down: an object key or an array index.
pub fn step<'v>(node: &'v Value, token: &str) -> Option<&'v Value> {
    match node {
        Value::Object(map) => map.get(token),
        Value::Array(items) => {
            if token.len() > 1 && token.starts_with('0') {
                return None;
            }
            items.get(token.parse::<usize>().ok()?)
        }
        _ => None,
    }
}

/// Percent-decodes a URL fragment (`#/components/schemas/Foo%20Bar`).
pub fn percent_decode(fragment: &str) -> String {
    if !fragment.contains('%') {
        return fragment.to_owned();
    }
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Strips the last token: `/a/b` -> `/a`; `""` has no parent.
pub fn parent(pointer: &str) -> Option<&str> {
    if pointer.is_empty() {
        None
    } else {
        pointer.rfind('/').map(|i| &pointer[..i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escape_and_tokens_roundtrip() {
        let mut p = String::new();
        push(&mut p, "paths");
        push(&mut p, "/pets/{id}");
        push(&mut p, "a~b");
        assert_eq!(p, "/paths/~1pets~1{id}/a~0b");
        assert_eq!(tokens(&p).unwrap(), ["paths", "/pets/{id}", "a~b"]);
        assert_eq!(tokens(""), Some(vec![]));
        assert_eq!(tokens("nope"), None);
    }

    #[test]
    fn get_objects_and_arrays() {
        let v = json!({"a": [{"b/c": 1}], "": 2});
        assert_eq!(get(&v, "/a/0/b~1c"), Some(&json!(1)));
        assert_eq!(get(&v, "/"), Some(&json!(2)));
        assert_eq!(get(&v, "/a/01"), None);
        assert_eq!(get(&v, "/a/1"), None);
        assert_eq!(get(&v, ""), Some(&v));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%20b/%7Bid%7D"), "/a b/{id}");
        assert_eq!(percent_decode("/100%"), "/100%");
        assert_eq!(percent_decode("/x%zz"), "/x%zz");
    }

    #[test]
    fn parent_pointer() {
        assert_eq!(parent("/a/b"), Some("/a"));
        assert_eq!(parent("/a"), Some(""));
        assert_eq!(parent(""), None);
    }
}
