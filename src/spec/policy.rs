//! The one validation policy every stage applies to a spec (see
//! [`super::Validation`]).
//!
//! - **Errors** make the document meaningless: it is not JSON or YAML, it
//!   is not OpenAPI (no or an unknown `openapi` version), a `$ref` cycle
//!   has no base case, or a limit was exceeded.
//! - **Warnings** are defects a client can survive. Each is annotated at its
//!   JSON pointer and line, and the readers (diff, SDK lowering) fall back
//!   the same documented way:
//!
//! | defect | fallback |
//! | --- | --- |
//! | a security requirement names a scheme `components.securitySchemes` lacks | the scheme is skipped for that operation (an alternative that needs it is dropped) |
//! | `info.version` is empty | the SDKs are versioned `0.0.0`, in TypeScript and Python alike |
//! | a `$ref` names nothing (missing pointer, unreadable file) | an unknown value: `unknown` in TypeScript, `Any` in Python. The diff alone keeps this an error: comparing past a missing schema would silently skip its changes |
//! | two operations share an `operationId` | the SDK methods get deduplicated names (`list_pets`, `list_pets2`) |
//! | a `format` no registry defines | a plain string (or number) |
//! | any other validation error | the offending part is read as far as it makes sense and otherwise ignored |
//!
//! `--strict` (generate and diff) turns every warning into an error. Which
//! stage reads which way is [`super::Validation`].
//!
//! Pure: must not do I/O.

use std::collections::BTreeMap;

use serde_json::Value;

use super::pointer;
use super::{Problem, Severity, Validation};

/// What readers do instead, for a defect a client can survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    SkipScheme,
    VersionZero,
    UnknownType,
    DedupName,
    PlainString,
}

impl Fallback {
    /// The sentence appended to the warning.
    pub fn describe(self) -> &'static str {
        match self {
            Fallback::SkipScheme => "the scheme is skipped for this operation",
            Fallback::VersionZero => "the SDKs are versioned 0.0.0",
            Fallback::UnknownType => {
                "the value is treated as unknown (`unknown` in TypeScript, `Any` in Python)"
            }
            Fallback::DedupName => "the SDK methods get deduplicated names",
            Fallback::PlainString => "the value is treated as a plain string",
        }
    }
}

/// The fallback for a validation error that the policy turns into a
/// warning, recognised by the validator's wording (pinned by the tests).
pub fn fallback_of_validation(message: &str) -> Option<Fallback> {
    if message.starts_with("security scheme '")
        && message.ends_with("is not defined in components.securitySchemes")
    {
        Some(Fallback::SkipScheme)
    } else if message.starts_with("operationId '") && message.contains("' is also used at #") {
        Some(Fallback::DedupName)
    } else {
        None
    }
}

/// `message` followed by what readers do instead.
pub fn with_fallback(message: &str, fallback: Fallback) -> String {
    format!("{message}; {}", fallback.describe())
}

/// Bundling problems under `validation`: a `$ref` that names nothing
/// (`dangling` indexes `problems`) is a warning for a tolerant reader.
pub(crate) fn tolerate_dangling(
    problems: &mut [Problem],
    dangling: &[usize],
    validation: Validation,
) {
    if !matches!(
        validation,
        Validation::Tolerant | Validation::WarningsAreErrors
    ) {
        return;
    }
    for &i in dangling {
        let p = &mut problems[i];
        p.severity = Severity::Warning;
        if validation == Validation::Tolerant {
            p.message = with_fallback(&p.message, Fallback::UnknownType);
        }
    }
}

/// The severity (and message, with its fallback) a validation finding gets
/// under `validation`, once bundling has said whether the document is
/// `unusable` (then nothing is downgraded: the load fails anyway).
pub(crate) fn judge(
    validation: Validation,
    unusable: bool,
    severity: Severity,
    message: String,
) -> (Severity, String) {
    if validation == Validation::Strict || unusable {
        return (severity, message);
    }
    let message = match fallback_of_validation(&message) {
        Some(fallback)
            if severity == Severity::Error && validation != Validation::WarningsAreErrors =>
        {
            with_fallback(&message, fallback)
        }
        _ => message,
    };
    (Severity::Warning, message)
}

/// `--strict`: every warning an error.
pub(crate) fn promote(problems: &mut [Problem], validation: Validation) {
    if validation == Validation::WarningsAreErrors {
        for p in problems {
            p.severity = Severity::Error;
        }
    }
}

/// Formats defined by JSON Schema 2020-12 and the OpenAPI Format Registry.
const KNOWN_FORMATS: &[&str] = &[
    "base64url",
    "binary",
    "byte",
    "char",
    "commonmark",
    "date",
    "date-time",
    "date-time-local",
    "decimal",
    "decimal128",
    "double",
    "double-int",
    "duration",
    "email",
    "float",
    "hostname",
    "html",
    "http-date",
    "idn-email",
    "idn-hostname",
    "int16",
    "int32",
    "int64",
    "int8",
    "ipv4",
    "ipv6",
    "iri",
    "iri-reference",
    "json-pointer",
    "media-range",
    "password",
    "regex",
    "relative-json-pointer",
    "sf-binary",
    "sf-boolean",
    "sf-decimal",
    "sf-integer",
    "sf-string",
    "sf-token",
    "time",
    "time-local",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "unixtime",
    "uri",
    "uri-reference",
    "uri-template",
    "uuid",
];

/// Keys whose values are data (examples, defaults, extensions), not
/// schemas: a `format` key inside them is not a schema's format.
fn is_data_key(key: &str) -> bool {
    matches!(key, "example" | "examples" | "default" | "enum" | "const") || key.starts_with("x-")
}

/// Survivable defects the validator does not look for, on the bundled
/// document: an empty `info.version`, and each unknown `format` (once per
/// format name, at its first use, with how many other places use it).
pub fn survivable(document: &Value) -> Vec<(String, Severity, String)> {
    let mut out = Vec::new();
    if document
        .pointer("/info/version")
        .and_then(Value::as_str)
        .is_some_and(|v| v.trim().is_empty())
    {
        out.push((
            "/info/version".to_owned(),
            Severity::Warning,
            with_fallback("info.version is empty", Fallback::VersionZero),
        ));
    }
    let mut formats: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut path = String::new();
    unknown_formats(document, &mut path, &mut formats, 0);
    let mut found: Vec<_> = formats.into_iter().collect();
    found.sort_by(|a, b| a.1.0.cmp(&b.1.0));
    for (format, (at, count)) in found {
        let more = match count {
            1 => String::new(),
            n => format!(
                " (and {} more place{})",
                n - 1,
                if n == 2 { "" } else { "s" }
            ),
        };
        out.push((
            at,
            Severity::Warning,
            with_fallback(
                &format!("format '{format}' is not a registered format{more}"),
                Fallback::PlainString,
            ),
        ));
    }
    out
}

/// Deep enough for any real spec; the bundled document is bounded anyway.
const MAX_WALK_DEPTH: usize = 256;

fn unknown_formats(
    value: &Value,
    path: &mut String,
    found: &mut BTreeMap<String, (String, usize)>,
    depth: usize,
) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(format) = map.get("format").and_then(Value::as_str)
                && map.contains_key("type")
                && !KNOWN_FORMATS.contains(&format)
            {
                let entry = found
                    .entry(format.to_owned())
                    .or_insert_with(|| (pointer::join(path, "format"), 0));
                entry.1 += 1;
            }
            for (key, child) in map {
                if is_data_key(key) {
                    continue;
                }
                let len = path.len();
                pointer::push(path, key);
                unknown_formats(child, path, found, depth + 1);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = path.len();
                pointer::push(path, &i.to_string());
                unknown_formats(child, path, found, depth + 1);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_versions_and_unknown_formats_are_warnings_with_their_fallback() {
        let doc = json!({
            "info": {"version": " "},
            "components": {"schemas": {
                "A": {"type": "string", "format": "unix-time"},
                "B": {"type": "integer", "format": "unix-time"},
                "C": {"type": "string", "format": "uuid"},
                "D": {"type": "object", "example": {"format": "pdf", "type": "x"}},
                "E": {"type": "object", "properties": {"format": {"type": "string"}}}
            }}
        });
        let found = survivable(&doc);
        assert_eq!(
            found,
            vec![
                (
                    "/info/version".to_owned(),
                    Severity::Warning,
                    "info.version is empty; the SDKs are versioned 0.0.0".to_owned()
                ),
                (
                    "/components/schemas/A/format".to_owned(),
                    Severity::Warning,
                    "format 'unix-time' is not a registered format (and 1 more place); the value is treated as a plain string".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn validation_wording_maps_to_fallbacks() {
        assert_eq!(
            fallback_of_validation(
                "security scheme 'x' is not defined in components.securitySchemes"
            ),
            Some(Fallback::SkipScheme)
        );
        assert_eq!(
            fallback_of_validation("operationId 'a' is also used at #/paths/~1b/get"),
            Some(Fallback::DedupName)
        );
        assert_eq!(
            fallback_of_validation("an operation needs at least one response"),
            None
        );
    }
}
