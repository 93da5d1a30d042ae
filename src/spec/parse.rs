//! Bytes -> `serde_json::Value` for every stage that reads a spec (`dispatch`,
//! `ingest`, `diff`, `generate`).
//!
//! JSON and YAML are both read into the same JSON value model. YAML keys that
//! are not strings (`200:` is an integer in YAML) become strings, merge keys
//! (`<<`) are applied, NaN and infinities are rejected, and hostile input
//! (alias bombs, deep nesting) fails with an error instead of exhausting memory
//! or the stack: nesting deeper than 128 levels (real specs nest about 25) is
//! refused by a linear pre-scan before any parser runs (see `depth`), the
//! deserializers keep their own recursion limit of 128 levels, and every
//! document has a node budget.
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::Limits;
use super::depth::{MAX_NESTING, check_nesting};

/// Which syntax a document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Json,
    Yaml,
}

/// One parsed source document: its text (kept for line numbers) and its value.
#[derive(Debug, Clone)]
pub struct ParsedDoc {
    pub format: SourceFormat,
    pub text: String,
    pub value: Value,
}

/// A document that could not be read as JSON or YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{format_name} syntax error{}: {message}", location_suffix(*.line, *.column))]
pub struct ParseError {
    pub format_name: &'static str,
    pub message: String,
    /// 1-based line, where known.
    pub line: Option<u32>,
    /// 1-based column, where known.
    pub column: Option<u32>,
}

fn location_suffix(line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l} column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses JSON or YAML with the default [`Limits`].
///
/// The format is JSON when the first non-whitespace character is `{` or `[`,
/// YAML otherwise. A leading UTF-8 byte-order mark is ignored.
pub fn parse_document(bytes: &[u8]) -> Result<ParsedDoc, ParseError> {
    parse_document_with_limits(bytes, &Limits::default())
}

/// Like [`parse_document`], with an explicit node budget (`limits.max_nodes`).
pub fn parse_document_with_limits(bytes: &[u8], limits: &Limits) -> Result<ParsedDoc, ParseError> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(not_utf8)?;
    let (format, value) = parse_text(text, limits)?;
    Ok(ParsedDoc {
        format,
        text: text.to_owned(),
        value,
    })
}

/// [`parse_document`] taking the bytes, which become the kept text without
/// a copy (a large spec is megabytes).
pub fn parse_document_owned(mut bytes: Vec<u8>) -> Result<ParsedDoc, ParseError> {
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    }
    let text = String::from_utf8(bytes).map_err(|e| not_utf8(e.utf8_error()))?;
    let (format, value) = parse_text(&text, &Limits::default())?;
    Ok(ParsedDoc {
        format,
        text,
        value,
    })
}

fn not_utf8(e: std::str::Utf8Error) -> ParseError {
    ParseError {
        format_name: "document",
        message: format!("not valid UTF-8 ({e})"),
        line: None,
        column: None,
    }
}

fn parse_text(text: &str, limits: &Limits) -> Result<(SourceFormat, Value), ParseError> {
    let format = detect_format(text);
    // Before any parser: the YAML parser's work per token grows with the
    // open flow collections, so deep nesting must be refused unparsed.
    let format_name = match format {
        SourceFormat::Json => "JSON",
        SourceFormat::Yaml => "YAML",
    };
    check_nesting(text, format == SourceFormat::Json).map_err(|deep| ParseError {
        format_name,
        message: format!("the document nests deeper than {MAX_NESTING} levels"),
        line: Some(deep.line),
        column: None,
    })?;
    let budget = Cell::new(limits.max_nodes);
    let value = match format {
        SourceFormat::Json => parse_json(text, &budget)?,
        SourceFormat::Yaml => parse_yaml(text, &budget)?,
    };
    Ok((format, value))
}

fn detect_format(text: &str) -> SourceFormat {
    match text.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => SourceFormat::Json,
        _ => SourceFormat::Yaml,
    }
}

fn parse_json(text: &str, budget: &Cell<usize>) -> Result<Value, ParseError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let to_error = |e: serde_json::Error| ParseError {
        format_name: "JSON",
        message: strip_serde_location(&e.to_string()),
        line: u32::try_from(e.line()).ok().filter(|l| *l > 0),
        column: u32::try_from(e.column()).ok().filter(|c| *c > 0),
    };
    let value = ValueSeed { budget }
        .deserialize(&mut de)
        .map_err(to_error)?;
    de.end().map_err(to_error)?;
    Ok(value)
}

fn parse_yaml(text: &str, budget: &Cell<usize>) -> Result<Value, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError {
            format_name: "YAML",
            message: "the document is empty".into(),
            line: None,
            column: None,
        });
    }
    let de = serde_yaml::Deserializer::from_str(text);
    ValueSeed { budget }.deserialize(de).map_err(|e| {
        let loc = e.location();
        ParseError {
            format_name: "YAML",
            message: strip_serde_location(&e.to_string()),
            line: loc.as_ref().and_then(|l| u32::try_from(l.line()).ok()),
            column: loc.as_ref().and_then(|l| u32::try_from(l.column()).ok()),
        }
    })
}

/// serde errors append " at line X column Y"; we carry those separately.
fn strip_serde_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Builds a JSON value from any self-describing deserializer while counting
/// nodes, so that alias expansion cannot blow past the budget.
#[derive(Clone, Copy)]
struct ValueSeed<'a> {
    budget: &'a Cell<usize>,
}

impl ValueSeed<'_> {
    fn spend<E: de::Error>(&self) -> Result<(), E> {
        match self.budget.get().checked_sub(1) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(E::custom(
                "document has too many nodes (YAML alias expansion or oversized input)",
            )),
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn float_value<E: de::Error>(f: f64) -> Result<Value, E> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| E::custom("NaN and infinite numbers are not allowed in OpenAPI documents"))
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON-compatible value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.spend()?;
        float_value(v)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            // Beyond 64 bits: keep the magnitude as a float, like JSON parsers do.
            Err(_) => self.visit_f64(v as f64),
        }
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => self.visit_f64(v as f64),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.spend()?;
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            out.push(item);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.spend()?;
        let mut out = Map::new();
        let mut merges = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(self)?;
            if key == "<<" {
                merges.push(value);
            } else {
                out.insert(key, value);
            }
        }
        for merge in merges {
            apply_merge(&mut out, merge).map_err(de::Error::custom)?;
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _data: A) -> Result<Value, A::Error> {
        Err(de::Error::custom(
            "custom YAML tags (`!tag`) are not supported in OpenAPI documents",
        ))
    }
}

/// YAML merge keys: explicit keys win, earlier merge sources win over later ones.
fn apply_merge(out: &mut Map<String, Value>, merge: Value) -> Result<(), &'static str> {
    match merge {
        Value::Object(source) => {
            for (k, v) in source {
                out.entry(k).or_insert(v);
            }
            Ok(())
        }
        Value::Array(sources) => {
            for source in sources {
                let Value::Object(source) = source else {
                    return Err("a YAML merge key (<<) list may only contain mappings");
                };
                for (k, v) in source {
                    out.entry(k).or_insert(v);
                }
            }
            Ok(())
        }
        _ => Err("a YAML merge key (<<) must refer to a mapping or a list of mappings"),
    }
}

/// Mapping keys: every scalar becomes its string form (`200` -> "200").
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = String;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar mapping key")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        if v.is_finite() {
            Ok(v.to_string())
        } else {
            Err(E::custom(
                "NaN and infinite numbers are not allowed as mapping keys",
            ))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<String, A::Error> {
        Err(de::Error::custom(
            "mapping keys must be scalars, not sequences",
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<String, A::Error> {
        Err(de::Error::custom(
            "mapping keys must be scalars, not mappings",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn yaml(text: &str) -> Value {
        let doc = parse_document(text.as_bytes()).expect("parses");
        assert_eq!(doc.format, SourceFormat::Yaml);
        doc.value
    }

    #[test]
    fn detects_json_and_accepts_bom() {
        let doc = parse_document(b"\xEF\xBB\xBF  {\"a\": [1, 2.5, null]}").unwrap();
        assert_eq!(doc.format, SourceFormat::Json);
        assert_eq!(doc.value, json!({"a": [1, 2.5, null]}));
        assert!(!doc.text.starts_with('\u{feff}'));
    }

    #[test]
    fn owned_bytes_parse_the_same() {
        for input in [
            &b"\xEF\xBB\xBF  {\"a\": [1, 2.5, null]}"[..],
            b"openapi: 3.1.0\ninfo: {title: T}\n",
        ] {
            let borrowed = parse_document(input).unwrap();
            let owned = parse_document_owned(input.to_vec()).unwrap();
            assert_eq!(
                (owned.format, &owned.text, &owned.value),
                (borrowed.format, &borrowed.text, &borrowed.value)
            );
        }
        let bad = parse_document_owned(b"{\"a\": \"\xFF\"}".to_vec()).unwrap_err();
        assert_eq!(bad, parse_document(b"{\"a\": \"\xFF\"}").unwrap_err());
        assert!(bad.message.contains("not valid UTF-8"), "{bad}");
    }

    #[test]
    fn json_keeps_key_order() {
        let doc = parse_document(br#"{"z": 1, "a": 2, "m": 3}"#).unwrap();
        let keys: Vec<_> = doc.value.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn yaml_non_string_keys_become_strings() {
        let v = yaml("responses:\n  200:\n    description: ok\n  true: 1\n  ~: 2\n  1.5: 3\n");
        assert_eq!(
            v,
            json!({"responses": {"200": {"description": "ok"}, "true": 1, "null": 2, "1.5": 3}})
        );
    }

    #[test]
    fn yaml_merge_keys_applied_explicit_wins() {
        let v = yaml("base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\ny:\n  <<: [*b, {c: 4}]\n");
        assert_eq!(v["x"], json!({"b": 3, "a": 1}));
        assert_eq!(v["y"], json!({"a": 1, "b": 2, "c": 4}));
    }

    #[test]
    fn yaml_redefined_anchor_is_allowed() {
        let v = yaml("a: &x one\nb: *x\nc: &x two\nd: *x\n");
        assert_eq!(v, json!({"a": "one", "b": "one", "c": "two", "d": "two"}));
    }

    #[test]
    fn yaml_nan_and_inf_rejected() {
        for text in ["a: .nan\n", "a: .inf\n", "a: -.Inf\n"] {
            let err = parse_document(text.as_bytes()).unwrap_err();
            assert!(err.message.contains("NaN and infinite"), "{err}");
        }
    }

    #[test]
    fn yaml_syntax_error_has_line() {
        let err = parse_document(b"a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert_eq!(err.format_name, "YAML");
        assert!(err.line.is_some(), "{err:?}");
    }

    #[test]
    fn json_syntax_error_has_line_and_column() {
        let err = parse_document(b"{\n  \"a\": 1,\n  \"b\": }\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    #[test]
    fn yaml_billion_laughs_fails_fast() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let start = std::time::Instant::now();
        let err = parse_document(text.as_bytes()).unwrap_err();
        assert!(start.elapsed().as_secs() < 5);
        assert!(
            err.message.contains("repetition limit") || err.message.contains("too many nodes"),
            "{err}"
        );
    }

    #[test]
    fn node_budget_stops_wide_alias_expansion() {
        // Few alias jumps but each expands a large list: the node budget catches it.
        let items: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
        let mut text = format!("big: &big [{}]\nrefs:\n", items.join(", "));
        for _ in 0..2000 {
            text.push_str("  - *big\n");
        }
        let limits = Limits {
            max_nodes: 100_000,
            ..Limits::default()
        };
        let err = parse_document_with_limits(text.as_bytes(), &limits).unwrap_err();
        assert!(
            err.message.contains("too many nodes") || err.message.contains("repetition limit"),
            "{err}"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let json = "[".repeat(10_000) + &"]".repeat(10_000);
        let err = parse_document(json.as_bytes()).unwrap_err();
        assert!(err.message.contains("nests deeper than 128"), "{err}");

        let flow = "a: ".to_owned() + &"{a: ".repeat(10_000) + "1" + &"}".repeat(10_000);
        let err = parse_document(flow.as_bytes()).unwrap_err();
        assert!(err.message.contains("nests deeper than 128"), "{err}");

        let mut block = String::new();
        for i in 0..10_000 {
            block.push_str(&" ".repeat(i));
            block.push_str("a:\n");
        }
        assert!(parse_document(block.as_bytes()).is_err());
    }

    /// 100,000 nested `[` in YAML took 188 s in the parser; refused by
    /// the pre-scan, they take milliseconds (bounded generously here).
    #[test]
    fn hostile_nesting_is_refused_quickly_in_json_and_yaml() {
        let brackets = "[".repeat(100_000);
        for text in [
            brackets.clone(),
            format!("a: {brackets}"),
            format!("a:\n  - {brackets}"),
            "- ".repeat(100_000),
        ] {
            let started = std::time::Instant::now();
            let err = parse_document(text.as_bytes()).unwrap_err();
            assert!(err.message.contains("nests deeper than 128"), "{err}");
            // Generous: a debug build on a loaded machine; today it takes ms.
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
    }

    #[test]
    fn yaml_integers_beyond_64_bits_become_floats() {
        let v = yaml("min: -9223372036854775809\nmax: 18446744073709551616\n");
        assert_eq!(v["min"].as_f64(), Some(-9_223_372_036_854_775_809_f64));
        assert!(v["max"].is_f64());
    }

    #[test]
    fn custom_tags_rejected() {
        let err = parse_document(b"a: !custom {b: 1}\n").unwrap_err();
        assert!(err.message.contains("tags"), "{err}");
    }

    #[test]
    fn empty_and_non_utf8_rejected() {
        assert!(parse_document(b"   \n").is_err());
        assert!(parse_document(b"a: \xff\xfe\n").is_err());
    }
}
