//! Checks the fake GitHub's answers against GitHub's own OpenAPI description
//! (`corpus/big/github/api.github.com.json`), read through specrelay's own
//! loader (bundled, validated, upgraded to the 3.1 model, so `nullable` is
//! a `"null"` type) and a JSON Schema instance validator for the keywords
//! that description uses: `$ref`, `type`, `enum`, `const`, `required`,
//! `properties`, `additionalProperties`, `items`, `allOf`, `anyOf`, `oneOf`,
//! `minItems`/`maxItems`, `minimum`/`maximum`, `minLength`/`maxLength`.
//! `format` and `pattern` are annotations here (GitHub's examples do not
//! all satisfy them either).
//!
//! A response is matched to an operation by method and path template (the
//! last parameter may span segments, as `{ref}` and `{path}` do); its
//! status must be declared, except an error (4xx/5xx) that GitHub sends on
//! any endpoint (rate limits, server errors), which must be a `basic-error`.

use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The upgraded description, or `None` when the corpus is absent.
pub fn description() -> Option<&'static Value> {
    static DOC: OnceLock<Option<Value>> = OnceLock::new();
    DOC.get_or_init(|| {
        let path = path()?;
        let (loaded, _) = super::corpus::load(&path)
            .unwrap_or_else(|problems| panic!("GitHub's description does not load: {problems:?}"));
        Some(loaded.upgraded)
    })
    .as_ref()
}

/// Where the description is, when the corpus has it.
pub fn path() -> Option<PathBuf> {
    let dir = std::env::var_os("SPECRELAY_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
        });
    let file = dir.join("big/github/api.github.com.json");
    file.is_file().then_some(file)
}

/// Validates one answer; `Ok(())` or the list of mismatches.
pub fn check(
    doc: &Value,
    method: &str,
    path: &str,
    status: u16,
    body: &Value,
) -> Result<(), Vec<String>> {
    let label = format!("{method} {path} -> {status}");
    let Some((template, operation)) = find_operation(doc, method, path) else {
        return Err(vec![format!(
            "{label}: no operation in GitHub's description"
        )]);
    };
    let label = format!("{label} ({method} {template})");
    let responses = &operation["responses"];
    let response = match responses.get(status.to_string()) {
        Some(response) => resolve(doc, response),
        None if status >= 400 => {
            let mut errors = Vec::new();
            let schema = serde_json::json!({"$ref": "#/components/schemas/basic-error"});
            validate(doc, &schema, body, "", &mut errors, 0);
            return prefixed(&label, errors);
        }
        None => {
            let declared: Vec<&String> = responses
                .as_object()
                .map(|m| m.keys().collect())
                .unwrap_or_default();
            return Err(vec![format!(
                "{label}: status not declared (declared: {declared:?})"
            )]);
        }
    };
    let schema = response["content"]["application/json"].get("schema");
    let mut errors = Vec::new();
    match schema {
        Some(schema) => validate(doc, schema, body, "", &mut errors, 0),
        None if body.is_null() => {}
        None => errors.push("a body where the description declares none".to_owned()),
    }
    prefixed(&label, errors)
}

fn prefixed(label: &str, errors: Vec<String>) -> Result<(), Vec<String>> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors
            .into_iter()
            .map(|e| format!("{label}: {e}"))
            .collect())
    }
}

/// The operation whose template matches `path`, preferring templates with
/// more literal segments (`/git/refs` over `/{x}/{y}`).
fn find_operation<'a>(doc: &'a Value, method: &str, path: &str) -> Option<(&'a str, &'a Value)> {
    let method = method.to_ascii_lowercase();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut best: Option<(usize, &str, &Value)> = None;
    for (template, item) in doc["paths"].as_object()? {
        let Some(operation) = item.get(&method) else {
            continue;
        };
        if let Some(literals) = matches(template, &segments)
            && best.is_none_or(|(n, _, _)| literals > n)
        {
            best = Some((literals, template, operation));
        }
    }
    best.map(|(_, template, operation)| (template, operation))
}

/// Number of literal segments when `template` matches, else `None`.
fn matches(template: &str, segments: &[&str]) -> Option<usize> {
    let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let last_is_param = parts.last().is_some_and(|p| p.starts_with('{'));
    let fits = parts.len() == segments.len() || (last_is_param && segments.len() > parts.len());
    if !fits {
        return None;
    }
    let mut literals = 0;
    for (i, part) in parts.iter().enumerate() {
        if part.starts_with('{') && part.ends_with('}') {
            continue;
        }
        if part.contains('{') {
            // `{base}...{head}` style: a parameter inside a segment.
            continue;
        }
        if segments[i] != *part {
            return None;
        }
        literals += 1;
    }
    Some(literals)
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut value = value;
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => match reference
                .strip_prefix('#')
                .and_then(|pointer| doc.pointer(pointer))
            {
                Some(target) => value = target,
                None => return value,
            },
            None => return value,
        }
    }
    value
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => true,
    }
}

/// Appends every way `value` fails `schema` (at JSON pointer `at`).
pub fn validate(
    doc: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    errors: &mut Vec<String>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    let schema = resolve(doc, schema);
    let Some(map) = schema.as_object() else {
        if schema == &Value::Bool(false) {
            errors.push(format!("{at}: no value is allowed here"));
        }
        return;
    };
    if let Some(t) = map.get("type") {
        let names: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !names.is_empty() && !names.iter().any(|n| type_matches(n, value)) {
            errors.push(format!("{at}: {} is not of type {names:?}", kind(value)));
            return;
        }
    }
    if let Some(values) = map.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        errors.push(format!(
            "{at}: {value} is not one of {}",
            Value::Array(values.clone())
        ));
    }
    if let Some(constant) = map.get("const")
        && constant != value
    {
        errors.push(format!("{at}: {value} is not {constant}"));
    }
    validate_bounds(map, value, at, errors);
    if let Some(object) = value.as_object() {
        validate_object(doc, map, object, at, errors, depth);
    }
    if let Some(items) = value.as_array()
        && let Some(schema) = map.get("items")
    {
        for (i, item) in items.iter().enumerate() {
            validate(doc, schema, item, &format!("{at}/{i}"), errors, depth + 1);
        }
    }
    validate_composition(doc, map, value, at, errors, depth);
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn validate_bounds(map: &Map<String, Value>, value: &Value, at: &str, errors: &mut Vec<String>) {
    let bound = |k: &str| map.get(k).and_then(Value::as_f64);
    let size = match value {
        Value::String(s) => Some((s.chars().count() as f64, "minLength", "maxLength")),
        Value::Array(a) => Some((a.len() as f64, "minItems", "maxItems")),
        _ => None,
    };
    if let Some((n, min, max)) = size
        && (bound(min).is_some_and(|m| n < m) || bound(max).is_some_and(|m| n > m))
    {
        errors.push(format!("{at}: size {n} is outside {min}/{max}"));
    }
    if let Some(n) = value.as_f64()
        && (bound("minimum").is_some_and(|m| n < m) || bound("maximum").is_some_and(|m| n > m))
    {
        errors.push(format!("{at}: {n} is outside minimum/maximum"));
    }
}

fn validate_object(
    doc: &Value,
    map: &Map<String, Value>,
    object: &Map<String, Value>,
    at: &str,
    errors: &mut Vec<String>,
    depth: usize,
) {
    for name in map
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !object.contains_key(name) {
            errors.push(format!("{at}: required property `{name}` is missing"));
        }
    }
    let properties = map.get("properties").and_then(Value::as_object);
    for (name, value) in object {
        let child = format!("{at}/{name}");
        match properties.and_then(|p| p.get(name)) {
            Some(schema) => validate(doc, schema, value, &child, errors, depth + 1),
            None => match map.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    errors.push(format!("{at}: property `{name}` is not allowed"));
                }
                Some(schema @ Value::Object(_)) => {
                    validate(doc, schema, value, &child, errors, depth + 1);
                }
                _ => {}
            },
        }
    }
}

fn validate_composition(
    doc: &Value,
    map: &Map<String, Value>,
    value: &Value,
    at: &str,
    errors: &mut Vec<String>,
    depth: usize,
) {
    let branches = |k: &str| map.get(k).and_then(Value::as_array);
    for part in branches("allOf").into_iter().flatten() {
        validate(doc, part, value, at, errors, depth + 1);
    }
    let passing = |items: &Vec<Value>| {
        items
            .iter()
            .filter(|item| {
                let mut e = Vec::new();
                validate(doc, item, value, at, &mut e, depth + 1);
                e.is_empty()
            })
            .count()
    };
    if let Some(items) = branches("anyOf")
        && passing(items) == 0
    {
        errors.push(format!("{at}: matches none of the anyOf alternatives"));
    }
    if let Some(items) = branches("oneOf") {
        let n = passing(items);
        if n != 1 {
            errors.push(format!(
                "{at}: matches {n} oneOf alternatives, not exactly one"
            ));
        }
    }
}
