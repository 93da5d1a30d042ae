//! Deterministic bytes and checksums for stored specs (`ingest` writes
//! `openapi/history/openapi-{version}.json`; `dispatch` sends the checksum).
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Pretty JSON with 2-space indentation, the author's key order, and a
/// trailing newline. The same value always gives the same bytes.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"  ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut ser)
        .expect("serializing a serde_json::Value to memory cannot fail");
    out.push(b'\n');
    out
}

/// Lowercase hex SHA-256 (64 characters).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_is_pretty_ordered_and_newline_terminated() {
        let v: Value = serde_json::from_str(r#"{"z":1,"a":{"b":[1,"x"]},"e":{}}"#).unwrap();
        let text = String::from_utf8(canonical_json(&v)).unwrap();
        assert_eq!(
            text,
            "{\n  \"z\": 1,\n  \"a\": {\n    \"b\": [\n      1,\n      \"x\"\n    ]\n  },\n  \"e\": {}\n}\n"
        );
        assert_eq!(canonical_json(&v), canonical_json(&v.clone()));
    }

    #[test]
    fn canonical_escapes_non_ascii_consistently() {
        let text = canonical_json(&json!({"s": "é\u{0001}\""}));
        assert_eq!(text, "{\n  \"s\": \"é\\u0001\\\"\"\n}\n".as_bytes());
    }

    #[test]
    fn sha256_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
