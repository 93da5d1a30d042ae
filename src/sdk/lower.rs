//! Lowering of an upgraded (3.1-model, bundled, local-refs-only) OpenAPI
//! document into the SDK [`Api`] model, for the `generate` stage. Pure and
//! infallible: what cannot be represented becomes `Unknown` plus a warning.
//!
//! Decisions made here, so that every emitter agrees:
//!
//! - Operations are grouped into resources by their first tag, else by the
//!   first literal path segment, else `default`; resources and operations
//!   keep the document's order (paths, then methods in the order
//!   get/put/post/delete/options/head/patch/trace). Webhooks are not client
//!   calls and are left out.
//! - Named types: every `components.schemas` entry (names claimed first, in
//!   document order, so a component always keeps its name), then every
//!   inline object with properties, enum, `allOf` and discriminated union
//!   that needs one, named from where it sits: `Pet` + property `owner` ->
//!   `PetOwner`, items -> `...Item`, map values -> `...Value`, union
//!   variants -> `...Variant1`, request bodies -> `CreatePetRequest`,
//!   success bodies -> `ListPetsResponse`, error bodies ->
//!   `ListPets404Response`, parameters -> `ListPetsStatus`. Inline objects
//!   that are members of an `allOf` are merged into one object part and stay
//!   inline.
//! - `null` is kept apart from optionality: a property is `required` or not,
//!   and separately `nullable` (`type: [T, "null"]`, `anyOf: [T, {type:
//!   null}]`, `enum` containing null, `const: null` aside).
//! - Recursion goes through named types. A cycle of named types that is not
//!   broken by an object (e.g. `Pet = oneOf[Cat]`, `Cat = allOf[Pet, ...]`)
//!   is broken by dropping the back edge (a warning says where), because no
//!   target language can declare such an alias.
//! - The success response covers every declared 2xx (exact codes before
//!   `2XX`), or `default` when no 2xx exists: the first with a body sets
//!   the kind, bodies of that kind are united, and a 2xx without a body
//!   makes the result possibly empty. Every other status is an error
//!   response. JSON (`application/json`, `*+json`) wins over text, which
//!   wins over raw bytes; for request bodies JSON, then multipart, then
//!   form-urlencoded, then text, then raw bytes.
//! - Security: the operation's `security`, else the document's; schemes that
//!   cannot be supported (HTTP digest, mutual TLS) drop the alternatives that
//!   need them.
//! - Python, whose named types are classes, gets its intersections of
//!   objects merged and `null` moved from named classes to their references
//!   ([`super::reshape`]).
//!
//! Must not do I/O.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::model::*;
use super::naming::{self, Language, Scope};
use crate::spec::pointer;

use crate::spec::view::{Chased, METHODS, MediaKind, SpecView, media_kind};

static NULL: Value = Value::Null;

/// Nesting of inline schemas beyond which a schema becomes `Unknown`.
const MAX_DEPTH: usize = 64;

/// Lowers an upgraded document for one language.
pub fn lower(doc: &Value, language: Language) -> Api {
    let mut l = Lowerer {
        doc,
        lang: language,
        types_scope: Scope::new(),
        types: Vec::new(),
        components: HashMap::new(),
        inlined: HashMap::new(),
        inlining: Vec::new(),
        depth: 0,
        warnings: Vec::new(),
    };
    l.claim_components();
    l.lower_components();
    let security_schemes = l.security_schemes();
    let operations = l.operations(&security_schemes);
    let resources = l.group(operations);
    l.break_alias_cycles();
    let info = &doc["info"];
    let mut api = Api {
        language,
        name: str_of(info, "title").unwrap_or("API").to_owned(),
        // An empty version is a warning of the validation policy; both
        // languages fall back to the same 0.0.0.
        version: str_of(info, "version")
            .filter(|v| !v.trim().is_empty())
            .unwrap_or("0.0.0")
            .to_owned(),
        docs: Docs {
            summary: str_of(info, "summary").map(str::to_owned),
            description: str_of(info, "description").map(str::to_owned),
            deprecated: false,
        },
        servers: servers(doc),
        security_schemes,
        resources,
        types: l.types,
        warnings: l.warnings,
    };
    if language == Language::Python {
        super::reshape::for_classes(&mut api);
    }
    api
}

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

fn docs_of(v: &Value) -> Docs {
    Docs {
        summary: str_of(v, "summary")
            .or_else(|| str_of(v, "title"))
            .map(str::to_owned),
        description: str_of(v, "description").map(str::to_owned),
        deprecated: v.get("deprecated").and_then(Value::as_bool) == Some(true),
    }
}

fn servers(doc: &Value) -> Vec<Server> {
    let list: Vec<Server> = doc
        .get("servers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    let url = str_of(s, "url")?.to_owned();
                    let variables = s
                        .get("variables")
                        .and_then(Value::as_object)
                        .map(|vars| {
                            vars.iter()
                                .map(|(name, v)| ServerVariable {
                                    name: name.clone(),
                                    default: scalar_text(v.get("default")),
                                    allowed: v
                                        .get("enum")
                                        .and_then(Value::as_array)
                                        .map(|e| e.iter().map(|x| scalar_text(Some(x))).collect())
                                        .unwrap_or_default(),
                                    description: str_of(v, "description").map(str::to_owned),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    Some(Server {
                        url,
                        description: str_of(s, "description").map(str::to_owned),
                        variables,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if list.is_empty() {
        vec![Server {
            url: "/".into(),
            description: None,
            variables: Vec::new(),
        }]
    } else {
        list
    }
}

fn scalar_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn is_json_media(media: &str) -> bool {
    media_kind(media) == MediaKind::Json
}

fn is_text_media(media: &str) -> bool {
    media_kind(media) == MediaKind::Text
}

struct Lowerer<'a> {
    doc: &'a Value,
    lang: Language,
    types_scope: Scope,
    types: Vec<TypeDef>,
    /// `components.schemas` key -> type name.
    components: HashMap<String, String>,
    /// Non-component `$ref` targets already lowered, by pointer.
    inlined: HashMap<String, Type>,
    /// Non-component `$ref` targets being lowered (cycle guard).
    inlining: Vec<String>,
    depth: usize,
    warnings: Vec<String>,
}

struct RawOperation<'a> {
    words: String,
    resource: String,
    op: Operation,
    _source: &'a Value,
}

impl<'a> Lowerer<'a> {
    fn component_schemas(&self) -> Option<&'a Map<String, Value>> {
        SpecView::new(self.doc).components("schemas")
    }

    fn claim_components(&mut self) {
        if let Some(schemas) = self.component_schemas() {
            for key in schemas.keys() {
                let name = self.types_scope.claim(&naming::type_name(self.lang, key));
                self.components.insert(key.clone(), name);
            }
        }
    }

    fn lower_components(&mut self) {
        let Some(schemas) = self.component_schemas() else {
            return;
        };
        for (key, schema) in schemas {
            let name = self.components[key].clone();
            // Reserve the slot first so that components stay in document order.
            let slot = self.types.len();
            self.types.push(TypeDef {
                name: name.clone(),
                schema_key: Some(key.clone()),
                docs: docs_of(schema),
                ty: Type::Unknown,
            });
            let ty = self.schema_body(schema, &name);
            self.types[slot].ty = ty;
        }
    }

    /// Follows `$ref`s of non-schema objects (parameters, bodies,
    /// responses) with the spec view's chaser; a dangling one becomes null
    /// (nothing to lower) with a warning.
    fn deref(&mut self, v: &'a Value) -> &'a Value {
        match SpecView::new(self.doc).chase(v, "") {
            Chased::Dangling { reference, .. } => {
                self.warnings.push(format!("unresolved $ref {reference}"));
                &NULL
            }
            other => other.last().0,
        }
    }

    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        SpecView::new(self.doc).target(reference)
    }

    fn name_type(&mut self, hint: &str, docs: Docs, ty: Type) -> Type {
        let name = self.types_scope.claim(&naming::type_name(self.lang, hint));
        self.types.push(TypeDef {
            name: name.clone(),
            schema_key: None,
            docs,
            ty,
        });
        Type::Ref { name }
    }

    /// A schema in a position where a new named type may be created.
    fn schema(&mut self, s: &'a Value, hint: &str) -> Type {
        let ty = self.schema_body(s, hint);
        let (inner, nullable) = ty.split_nullable();
        let needs_name = match &inner {
            Type::Object(o) => !o.properties.is_empty() || o.additional.is_none(),
            Type::Enum { .. } | Type::Intersection { .. } => true,
            Type::Union { discriminator, .. } => discriminator.is_some(),
            _ => false,
        };
        let ty = if needs_name {
            self.name_type(hint, docs_of(s), inner)
        } else {
            inner
        };
        if nullable { ty.nullable() } else { ty }
    }

    /// A schema's own type, without naming its top level.
    fn schema_body(&mut self, s: &'a Value, hint: &str) -> Type {
        if self.depth >= MAX_DEPTH {
            self.warnings.push(format!(
                "{hint}: schema nested deeper than {MAX_DEPTH} levels"
            ));
            return Type::Unknown;
        }
        self.depth += 1;
        let ty = match s.as_object() {
            Some(m) => self.object_schema(m, hint),
            None => Type::Unknown,
        };
        self.depth -= 1;
        ty
    }

    fn reference(&mut self, reference: &str, hint: &str) -> Type {
        if let Some(rest) = reference.strip_prefix("#/components/schemas/") {
            let key = pointer::percent_decode(rest);
            if !key.contains('/') {
                let key = key.replace("~1", "/").replace("~0", "~");
                if let Some(name) = self.components.get(&key) {
                    return Type::Ref { name: name.clone() };
                }
            }
        }
        if let Some(t) = self.inlined.get(reference) {
            return t.clone();
        }
        if self.inlining.iter().any(|r| r == reference) {
            self.warnings.push(format!(
                "recursive $ref {reference} outside components.schemas"
            ));
            return Type::Unknown;
        }
        let Some(target) = self.resolve(reference) else {
            self.warnings.push(format!("unresolved $ref {reference}"));
            return Type::Unknown;
        };
        let last = reference.rsplit('/').next().unwrap_or(hint);
        let own_hint = if !naming::has_words(last) {
            hint.to_owned()
        } else {
            last.to_owned()
        };
        self.inlining.push(reference.to_owned());
        let t = self.schema(target, &own_hint);
        self.inlining.pop();
        self.inlined.insert(reference.to_owned(), t.clone());
        t
    }

    fn object_schema(&mut self, m: &'a Map<String, Value>, hint: &str) -> Type {
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            return self.reference(r, hint);
        }
        if let Some(c) = m.get("const") {
            return match c {
                Value::Null => Type::Null,
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    Type::Const { value: c.clone() }
                }
                _ => Type::Unknown,
            };
        }
        if let Some(values) = m.get("enum").and_then(Value::as_array) {
            return self.enum_type(values);
        }
        let declared: Vec<&str> = match m.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            // In document order (not the view's sorted set): the first kind
            // decides the emitted type.
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let nullable = declared.contains(&"null");
        let mut kinds: Vec<&str> = declared.into_iter().filter(|t| *t != "null").collect();
        kinds.dedup();
        let has_composition = ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| m.contains_key(*k));

        // allOf: $refs and compositions are parts; plain inline objects merge
        // into this schema's own object.
        let mut parts = Vec::new();
        let mut merged: Vec<&'a Map<String, Value>> = Vec::new();
        if let Some(all) = m.get("allOf").and_then(Value::as_array) {
            for (i, member) in all.iter().enumerate() {
                match member.as_object() {
                    Some(mm) if is_plain_object(mm) => merged.push(mm),
                    _ => {
                        let t = self.schema(member, &format!("{hint} Part {}", i + 1));
                        if t != Type::Unknown || all.len() == 1 {
                            parts.push(t);
                        }
                    }
                }
            }
        }

        let object_like = kinds.contains(&"object")
            || (kinds.is_empty()
                && (m.contains_key("properties")
                    || m.contains_key("additionalProperties")
                    || !merged.is_empty()));
        let mut own: Vec<Type> = Vec::new();
        if object_like {
            let obj = self.object_type(m, &merged, hint);
            let trivial = matches!(&obj, Type::Map { values } if **values == Type::Unknown);
            if !(trivial && (has_composition || !parts.is_empty())) {
                own.push(obj);
            }
        }
        for kind in &kinds {
            if *kind != "object" {
                own.push(self.primitive(kind, m, hint));
            }
        }
        if kinds.is_empty() && !object_like && m.contains_key("items") {
            own.push(self.primitive("array", m, hint));
        }
        let own_type = match own.len() {
            0 => None,
            1 => own.pop(),
            _ => Some(Type::Union {
                variants: own,
                discriminator: None,
            }),
        };

        let mut union_nullable = false;
        let mut unions = Vec::new();
        for key in ["oneOf", "anyOf"] {
            if let Some(vs) = m.get(key).and_then(Value::as_array) {
                let (u, n) = self.union(vs, m.get("discriminator"), hint);
                union_nullable |= n;
                if let Some(u) = u {
                    unions.push(u);
                }
            }
        }

        let mut all: Vec<Type> = own_type.into_iter().collect();
        all.extend(parts);
        all.extend(unions);
        let ty = match all.len() {
            0 if nullable || union_nullable => Type::Null,
            0 => Type::Unknown,
            1 => all.pop().unwrap_or(Type::Unknown),
            _ => Type::Intersection { parts: all },
        };
        if nullable || union_nullable {
            ty.nullable()
        } else {
            ty
        }
    }

    fn primitive(&mut self, kind: &str, m: &'a Map<String, Value>, hint: &str) -> Type {
        match kind {
            "string" => {
                let format = m.get("format").and_then(Value::as_str).unwrap_or("");
                let encoding = m.get("contentEncoding").and_then(Value::as_str);
                let media = m.get("contentMediaType").and_then(Value::as_str);
                let format = match format {
                    "binary" => StringFormat::Binary,
                    "byte" => StringFormat::Byte,
                    "date" => StringFormat::Date,
                    "date-time" => StringFormat::DateTime,
                    _ if encoding == Some("base64") => StringFormat::Byte,
                    _ if media == Some("application/octet-stream") => StringFormat::Binary,
                    _ => StringFormat::Plain,
                };
                Type::String { format }
            }
            "integer" => Type::Integer,
            "number" => Type::Number,
            "boolean" => Type::Boolean,
            "array" => {
                let items = match m.get("items") {
                    Some(items) => self.schema(items, &format!("{hint} Item")),
                    None => Type::Unknown,
                };
                Type::Array {
                    items: Box::new(items),
                }
            }
            _ => Type::Unknown,
        }
    }

    fn enum_type(&mut self, values: &[Value]) -> Type {
        let mut scope = Scope::new();
        let mut out: Vec<EnumValue> = Vec::new();
        // Real enums run to hundreds of values (currencies, countries), so
        // duplicates are found through a set, not by scanning `out`; keyed
        // by kind and text so that `"1"` and `1` stay apart.
        let mut seen: HashSet<(bool, Cow<'_, str>)> = HashSet::new();
        let mut nullable = false;
        for v in values {
            let key = match v {
                Value::Null => {
                    nullable = true;
                    continue;
                }
                Value::String(s) => (true, Cow::Borrowed(s.as_str())),
                Value::Number(_) | Value::Bool(_) => (false, Cow::Owned(v.to_string())),
                _ => return Type::Unknown,
            };
            if !seen.insert(key) {
                continue;
            }
            // Only languages that print enum classes need member names; the
            // TypeScript SDK prints a union of literals. A large spec has
            // tens of thousands of enum values.
            let ident = match self.lang {
                Language::TypeScript => String::new(),
                Language::Python => {
                    let raw = match v {
                        Value::String(s) => Cow::Borrowed(s.as_str()),
                        other => Cow::Owned(format!(
                            "value {}",
                            other.to_string().replace('-', "minus ")
                        )),
                    };
                    scope.claim(&naming::enum_member_name(self.lang, &raw))
                }
            };
            out.push(EnumValue {
                value: v.clone(),
                ident,
            });
        }
        let ty = if out.is_empty() {
            if nullable { Type::Null } else { Type::Unknown }
        } else {
            Type::Enum { values: out }
        };
        if nullable { ty.nullable() } else { ty }
    }

    /// Returns the union (None when only `null` was offered) and whether a
    /// `null` variant was seen.
    fn union(
        &mut self,
        variants: &'a [Value],
        discriminator: Option<&'a Value>,
        hint: &str,
    ) -> (Option<Type>, bool) {
        let mut out: Vec<Type> = Vec::new();
        let mut nullable = false;
        for (i, v) in variants.iter().enumerate() {
            let is_null = v.get("type").and_then(Value::as_str) == Some("null")
                && v.as_object().is_some_and(|m| !m.contains_key("enum"));
            if is_null {
                nullable = true;
                continue;
            }
            let t = self.schema(v, &format!("{hint} Variant {}", i + 1));
            let (t, n) = t.split_nullable();
            nullable |= n;
            if t == Type::Null {
                continue;
            }
            if !out.contains(&t) {
                out.push(t);
            }
        }
        if out.is_empty() {
            return (None, nullable);
        }
        if out.contains(&Type::Unknown) {
            return (Some(Type::Unknown), nullable);
        }
        let discriminator = discriminator.and_then(|d| self.discriminator(d, &out));
        if out.len() == 1 && discriminator.is_none() {
            return (out.pop(), nullable);
        }
        (
            Some(Type::Union {
                variants: out,
                discriminator,
            }),
            nullable,
        )
    }

    fn discriminator(&mut self, d: &Value, variants: &[Type]) -> Option<Discriminator> {
        let property = str_of(d, "propertyName")?.to_owned();
        let mut mapping = Vec::new();
        if let Some(explicit) = d.get("mapping").and_then(Value::as_object) {
            for (value, target) in explicit {
                let Some(target) = target.as_str() else {
                    continue;
                };
                let reference = if target.starts_with('#') {
                    target.to_owned()
                } else {
                    format!("#/components/schemas/{target}")
                };
                if let Type::Ref { name } = self.reference(&reference, &property) {
                    mapping.push((value.clone(), name));
                }
            }
        } else {
            for (key, name) in self.components_by_name() {
                if variants
                    .iter()
                    .any(|v| matches!(v, Type::Ref { name: n } if *n == name))
                {
                    mapping.push((key, name));
                }
            }
            // Keep the variants' order.
            mapping.sort_by_key(|(_, name)| {
                variants
                    .iter()
                    .position(|v| matches!(v, Type::Ref { name: n } if n == name))
            });
        }
        Some(Discriminator { property, mapping })
    }

    fn components_by_name(&self) -> Vec<(String, String)> {
        self.component_schemas()
            .map(|s| {
                s.keys()
                    .map(|k| (k.clone(), self.components[k].clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn object_type(
        &mut self,
        m: &'a Map<String, Value>,
        merged: &[&'a Map<String, Value>],
        hint: &str,
    ) -> Type {
        let mut required: Vec<&str> = Vec::new();
        let mut props: Vec<(&'a String, &'a Value)> = Vec::new();
        let mut additional_schema = m.get("additionalProperties");
        for source in std::iter::once(&m).chain(merged.iter()) {
            if let Some(r) = source.get("required").and_then(Value::as_array) {
                required.extend(r.iter().filter_map(Value::as_str));
            }
            if let Some(p) = source.get("properties").and_then(Value::as_object) {
                for (k, v) in p {
                    if !props.iter().any(|(existing, _)| *existing == k) {
                        props.push((k, v));
                    }
                }
            }
            if additional_schema.is_none() {
                additional_schema = source.get("additionalProperties");
            }
        }
        let mut scope = Scope::with_reserved(naming::reserved_properties(self.lang));
        let mut properties = Vec::new();
        for (wire, schema) in props {
            let ty = self.schema(schema, &format!("{hint} {wire}"));
            let (ty, nullable) = ty.split_nullable();
            let flag = |k: &str| schema.get(k).and_then(Value::as_bool) == Some(true);
            properties.push(Property {
                wire_name: wire.clone(),
                ident: scope.claim(&naming::property_name(self.lang, wire)),
                required: required.contains(&wire.as_str()),
                nullable,
                ty,
                read_only: flag("readOnly"),
                write_only: flag("writeOnly"),
                docs: docs_of(schema),
            });
        }
        let additional = match additional_schema {
            None | Some(Value::Bool(true)) => {
                if properties.is_empty() {
                    Some(Box::new(Type::Unknown))
                } else {
                    None
                }
            }
            Some(Value::Bool(false)) => None,
            Some(s) => Some(Box::new(self.schema(s, &format!("{hint} Value")))),
        };
        match (properties.is_empty(), additional) {
            (true, Some(values)) => Type::Map { values },
            (_, additional) => Type::Object(ObjectType {
                properties,
                additional,
            }),
        }
    }

    fn security_schemes(&mut self) -> Vec<SecurityScheme> {
        let Some(schemes) = SpecView::new(self.doc).components("securitySchemes") else {
            return Vec::new();
        };
        let mut scope = Scope::new();
        let mut out = Vec::new();
        for (key, s) in schemes {
            let s = self.deref(s);
            let kind = match str_of(s, "type") {
                Some("apiKey") => {
                    let location = match str_of(s, "in") {
                        Some("query") => ApiKeyLocation::Query,
                        Some("cookie") => ApiKeyLocation::Cookie,
                        _ => ApiKeyLocation::Header,
                    };
                    AuthKind::ApiKey {
                        location,
                        name: str_of(s, "name").unwrap_or(key).to_owned(),
                    }
                }
                Some("http") => match str_of(s, "scheme").map(str::to_ascii_lowercase).as_deref() {
                    Some("bearer") => AuthKind::Bearer,
                    Some("basic") => AuthKind::Basic,
                    other => {
                        self.warnings.push(format!(
                            "security scheme {key}: HTTP scheme {} is not supported",
                            other.unwrap_or("(none)")
                        ));
                        continue;
                    }
                },
                Some("oauth2" | "openIdConnect") => AuthKind::Bearer,
                other => {
                    self.warnings.push(format!(
                        "security scheme {key}: type {} is not supported",
                        other.unwrap_or("(none)")
                    ));
                    continue;
                }
            };
            out.push(SecurityScheme {
                key: key.clone(),
                ident: scope.claim(&naming::member_name(self.lang, key, "auth")),
                kind,
                docs: docs_of(s),
            });
        }
        out
    }

    fn security(&self, op: &Value, schemes: &[SecurityScheme]) -> Vec<Vec<String>> {
        let requirements = op
            .get("security")
            .or_else(|| self.doc.get("security"))
            .and_then(Value::as_array);
        let Some(requirements) = requirements else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for req in requirements {
            let Some(req) = req.as_object() else { continue };
            let idents: Option<Vec<String>> = req
                .keys()
                .map(|k| {
                    schemes
                        .iter()
                        .find(|s| s.key == *k)
                        .map(|s| s.ident.clone())
                })
                .collect();
            if let Some(idents) = idents
                && !out.contains(&idents)
            {
                out.push(idents);
            }
        }
        out
    }

    fn operations(&mut self, schemes: &[SecurityScheme]) -> Vec<RawOperation<'a>> {
        let mut out = Vec::new();
        let Some(paths) = self.doc.get("paths").and_then(Value::as_object) else {
            return out;
        };
        for (path, item) in paths {
            let item = self.deref(item);
            for method in METHODS {
                let Some(op) = item.get(method).filter(|o| o.is_object()) else {
                    continue;
                };
                let raw = self.operation(path, method, item, op, schemes);
                out.push(raw);
            }
        }
        out
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        item: &'a Value,
        op: &'a Value,
        schemes: &[SecurityScheme],
    ) -> RawOperation<'a> {
        let operation_id = str_of(op, "operationId").map(str::to_owned);
        let words = match &operation_id {
            Some(id) if naming::has_words(id) => id.clone(),
            _ => naming::operation_words(method, path),
        };
        let type_base = naming::pascal(&words);
        let resource = op
            .get("tags")
            .and_then(Value::as_array)
            .and_then(|t| t.first())
            .and_then(Value::as_str)
            .filter(|t| naming::has_words(t))
            .map(str::to_owned)
            .or_else(|| {
                path.split('/')
                    .find(|s| !s.is_empty() && !s.starts_with('{') && naming::has_words(s))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "default".into());

        // Arguments: the body claims `body` first, then parameters in order.
        let mut arg_scope = Scope::with_reserved(naming::reserved_arguments(self.lang));
        let body_raw = op.get("requestBody").map(|b| self.deref(b));
        let body_ident = body_raw
            .filter(|b| {
                b.get("content")
                    .and_then(Value::as_object)
                    .is_some_and(|c| !c.is_empty())
            })
            .map(|_| arg_scope.claim("body"));
        let params = self.parameters(item, op, &type_base, &mut arg_scope);
        let body = match (body_raw, body_ident) {
            (Some(b), Some(ident)) => self.request_body(b, ident, &type_base),
            _ => None,
        };
        let (response, errors) = self.responses(op, &type_base);
        let has_args = !params.is_empty() || body.is_some();
        let params_optional =
            params.iter().all(|p| !p.required) && body.as_ref().is_none_or(|b| !b.required);
        let params_type = if has_args {
            self.types_scope.claim(&naming::type_name(
                self.lang,
                &format!("{type_base} Params"),
            ))
        } else {
            String::new()
        };
        let errors_type = if errors.is_empty() {
            String::new()
        } else {
            self.types_scope.claim(&naming::type_name(
                self.lang,
                &format!("{type_base} Errors"),
            ))
        };
        RawOperation {
            words,
            resource,
            op: Operation {
                operation_id,
                ident: String::new(),
                type_base,
                method: method.to_ascii_uppercase(),
                path: path.to_owned(),
                params,
                body,
                params_type,
                params_optional,
                response,
                errors,
                errors_type,
                security: self.security(op, schemes),
                docs: docs_of(op),
            },
            _source: op,
        }
    }

    fn parameters(
        &mut self,
        item: &'a Value,
        op: &'a Value,
        type_base: &str,
        scope: &mut Scope,
    ) -> Vec<Parameter> {
        let mut raw: Vec<&'a Value> = Vec::new();
        for source in [item, op] {
            if let Some(list) = source.get("parameters").and_then(Value::as_array) {
                for p in list {
                    let p = self.deref(p);
                    let (Some(name), Some(location)) = (str_of(p, "name"), str_of(p, "in")) else {
                        continue;
                    };
                    raw.retain(|q| {
                        !(str_of(q, "name") == Some(name) && str_of(q, "in") == Some(location))
                    });
                    raw.push(p);
                }
            }
        }
        let mut out = Vec::new();
        for p in raw {
            let wire = str_of(p, "name").unwrap_or_default().to_owned();
            let location = match str_of(p, "in") {
                Some("path") => ParamLocation::Path,
                Some("query") => ParamLocation::Query,
                Some("header") => ParamLocation::Header,
                Some("cookie") => ParamLocation::Cookie,
                _ => continue,
            };
            if location == ParamLocation::Header
                && ["accept", "content-type", "authorization"]
                    .contains(&wire.to_ascii_lowercase().as_str())
            {
                continue;
            }
            let hint = format!("{type_base} {wire}");
            let (ty, style) = match (p.get("schema"), p.get("content").and_then(Value::as_object)) {
                (Some(s), _) => (self.schema(s, &hint), None),
                (None, Some(content)) => {
                    let schema = content.values().next().and_then(|m| m.get("schema"));
                    let ty = schema.map_or(Type::Unknown, |s| self.schema(s, &hint));
                    (ty, Some(ParamStyle::Json))
                }
                _ => (
                    Type::String {
                        format: StringFormat::Plain,
                    },
                    None,
                ),
            };
            let style = style.unwrap_or_else(|| match str_of(p, "style") {
                Some("label") => ParamStyle::Label,
                Some("matrix") => ParamStyle::Matrix,
                Some("form") => ParamStyle::Form,
                Some("spaceDelimited") => ParamStyle::SpaceDelimited,
                Some("pipeDelimited") => ParamStyle::PipeDelimited,
                Some("deepObject") => ParamStyle::DeepObject,
                Some("simple") => ParamStyle::Simple,
                _ => match location {
                    ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
                    _ => ParamStyle::Simple,
                },
            });
            let explode = p
                .get("explode")
                .and_then(Value::as_bool)
                .unwrap_or(style == ParamStyle::Form);
            out.push(Parameter {
                ident: scope.claim(&naming::member_name(self.lang, &wire, "param")),
                wire_name: wire,
                location,
                required: location == ParamLocation::Path
                    || p.get("required").and_then(Value::as_bool) == Some(true),
                ty,
                style,
                explode,
                allow_reserved: p.get("allowReserved").and_then(Value::as_bool) == Some(true),
                docs: docs_of(p),
            });
        }
        // Path parameters first, in the order the path names them.
        out.sort_by_key(|p| p.location != ParamLocation::Path);
        out
    }

    fn request_body(
        &mut self,
        b: &'a Value,
        ident: String,
        type_base: &str,
    ) -> Option<RequestBody> {
        let content = b.get("content").and_then(Value::as_object)?;
        let pick = |pred: &dyn Fn(&str) -> bool| content.iter().find(|(k, _)| pred(k));
        let (media, media_obj, kind) = if let Some((k, v)) = pick(&|k| is_json_media(k)) {
            (k, v, BodyKind::Json)
        } else if let Some((k, v)) = pick(&|k| media_kind(k) == MediaKind::Multipart) {
            (k, v, BodyKind::Multipart { files: Vec::new() })
        } else if let Some((k, v)) = pick(&|k| media_kind(k) == MediaKind::Form) {
            (k, v, BodyKind::FormUrlEncoded)
        } else if let Some((k, v)) = pick(&|k| is_text_media(k)) {
            (k, v, BodyKind::Text)
        } else {
            let (k, v) = content.iter().next()?;
            (k, v, BodyKind::Binary)
        };
        let hint = format!("{type_base} Request");
        let schema = media_obj.get("schema");
        let ty = match (&kind, schema) {
            (BodyKind::Binary, _) => Type::String {
                format: StringFormat::Binary,
            },
            (BodyKind::Text, _) => Type::String {
                format: StringFormat::Plain,
            },
            (_, Some(s)) => self.schema(s, &hint),
            (_, None) => Type::Unknown,
        };
        let kind = match kind {
            BodyKind::Multipart { .. } => BodyKind::Multipart {
                files: schema.map(|s| self.file_fields(s)).unwrap_or_default(),
            },
            k => k,
        };
        Some(RequestBody {
            ident,
            required: b.get("required").and_then(Value::as_bool) == Some(true),
            media_type: media.clone(),
            kind,
            ty,
            docs: docs_of(b),
        })
    }

    /// Wire names of the binary fields of a multipart schema.
    fn file_fields(&mut self, s: &'a Value) -> Vec<String> {
        let s = self.deref(s);
        let mut out = Vec::new();
        let mut sources = vec![s];
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for member in all {
                sources.push(self.deref(member));
            }
        }
        for source in sources {
            let Some(props) = source.get("properties").and_then(Value::as_object) else {
                continue;
            };
            for (name, p) in props {
                let p = self.deref(p);
                let p = match p.get("items") {
                    Some(items) if str_of(p, "type") == Some("array") => self.deref(items),
                    _ => p,
                };
                let binary = str_of(p, "format") == Some("binary")
                    || str_of(p, "contentMediaType").is_some()
                        && str_of(p, "contentEncoding").is_none();
                if binary && !out.contains(name) {
                    out.push(name.clone());
                }
            }
        }
        out
    }

    fn responses(
        &mut self,
        op: &'a Value,
        type_base: &str,
    ) -> (SuccessResponse, Vec<ErrorResponse>) {
        let none = SuccessResponse {
            status: None,
            kind: ResponseKind::Empty,
            media_type: None,
            may_be_empty: false,
            ty: None,
            docs: Docs::default(),
        };
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return (none, Vec::new());
        };
        let rank = |status: &str| -> Option<(u8, String)> {
            let s = status.to_ascii_uppercase();
            if s.len() == 3 && s.starts_with('2') && s[1..].chars().all(|c| c.is_ascii_digit()) {
                Some((0, s))
            } else if s == "2XX" {
                Some((1, s))
            } else {
                None
            }
        };
        let mut statuses: Vec<((u8, String), &String)> = responses
            .keys()
            .filter_map(|k| rank(k).map(|r| (r, k)))
            .collect();
        statuses.sort();
        let mut success_statuses: Vec<&String> = statuses.into_iter().map(|(_, k)| k).collect();
        let default_key = "default".to_owned();
        if success_statuses.is_empty() && responses.contains_key("default") {
            success_statuses.push(&default_key);
        }
        let success = if success_statuses.is_empty() {
            none
        } else {
            self.success(responses, &success_statuses, type_base)
        };
        let success_status = success.status.clone();
        let mut errors = Vec::new();
        for (status, r) in responses {
            if Some(status) == success_status.as_ref() || rank(status).is_some() {
                continue;
            }
            let r = self.deref(r);
            let (kind, _, ty) = self.response_body(r, &format!("{type_base} {status} Response"));
            errors.push(ErrorResponse {
                status: status.clone(),
                kind,
                ty,
                docs: docs_of(r),
            });
        }
        (success, errors)
    }

    /// One success response covering every declared 2xx: the first one with
    /// a body sets the kind; bodies of that kind are united; a 2xx without a
    /// body makes the result optional.
    fn success(
        &mut self,
        responses: &'a Map<String, Value>,
        statuses: &[&String],
        type_base: &str,
    ) -> SuccessResponse {
        let mut kind = None;
        let mut media_type = None;
        let mut variants: Vec<Type> = Vec::new();
        let mut may_be_empty = false;
        let mut docs = None;
        for (i, status) in statuses.iter().enumerate() {
            let r = self.deref(&responses[status.as_str()]);
            let hint = if i == 0 {
                format!("{type_base} Response")
            } else {
                format!("{type_base} {status} Response")
            };
            let (k, media, ty) = self.response_body(r, &hint);
            if docs.is_none() {
                docs = Some(docs_of(r));
            }
            if k == ResponseKind::Empty {
                may_be_empty = true;
                continue;
            }
            if kind.is_none() {
                kind = Some(k);
                media_type = media;
            }
            if kind == Some(k) {
                if let Some(t) = ty.filter(|t| !variants.contains(t)) {
                    variants.push(t);
                }
            } else {
                self.warnings.push(format!(
                    "{type_base}: response {status} has another kind of body than the first success response; its type is not modelled"
                ));
            }
        }
        let ty = match variants.len() {
            0 => None,
            1 => variants.pop(),
            _ if variants.contains(&Type::Unknown) => Some(Type::Unknown),
            _ => Some(Type::Union {
                variants,
                discriminator: None,
            }),
        };
        SuccessResponse {
            status: statuses.first().map(|s| (*s).clone()),
            kind: kind.unwrap_or(ResponseKind::Empty),
            media_type,
            may_be_empty: may_be_empty && ty.is_some(),
            ty,
            docs: docs.unwrap_or_default(),
        }
    }

    fn response_body(
        &mut self,
        r: &'a Value,
        hint: &str,
    ) -> (ResponseKind, Option<String>, Option<Type>) {
        let Some(content) = r
            .get("content")
            .and_then(Value::as_object)
            .filter(|c| !c.is_empty())
        else {
            return (ResponseKind::Empty, None, None);
        };
        if let Some((k, v)) = content.iter().find(|(k, _)| is_json_media(k)) {
            let ty = v
                .get("schema")
                .map_or(Type::Unknown, |s| self.schema(s, hint));
            return (ResponseKind::Json, Some(k.clone()), Some(ty));
        }
        if let Some((k, _)) = content.iter().find(|(k, _)| is_text_media(k)) {
            return (
                ResponseKind::Text,
                Some(k.clone()),
                Some(Type::String {
                    format: StringFormat::Plain,
                }),
            );
        }
        let (k, _) = content.iter().next().expect("not empty");
        (
            ResponseKind::Binary,
            Some(k.clone()),
            Some(Type::String {
                format: StringFormat::Binary,
            }),
        )
    }

    fn group(&mut self, ops: Vec<RawOperation<'a>>) -> Vec<Resource> {
        let mut groups: Vec<(String, Vec<RawOperation<'a>>)> = Vec::new();
        for raw in ops {
            match groups.iter_mut().find(|(k, _)| *k == raw.resource) {
                Some((_, list)) => list.push(raw),
                None => groups.push((raw.resource.clone(), vec![raw])),
            }
        }
        let mut members = Scope::with_reserved(naming::reserved_client_members(self.lang));
        let mut classes = Scope::with_reserved(&[
            "Client",
            "ClientOptions",
            "RequestOptions",
            "AuthOptions",
            "ApiError",
            "M",
        ]);
        let lang = self.lang;
        groups
            .into_iter()
            .map(|(source, raws)| {
                let mut methods = Scope::with_reserved(naming::reserved_resource_members(lang));
                let operations = raws
                    .into_iter()
                    .map(|raw| {
                        let mut op = raw.op;
                        op.ident =
                            methods.claim(&naming::method_name(self.lang, &raw.words, &source));
                        op
                    })
                    .collect();
                let type_name =
                    classes.claim(&naming::type_name(lang, &format!("{source} Resource")));
                // Python prints every resource twice, for the sync and the
                // async client.
                let async_type_name = match lang {
                    Language::TypeScript => String::new(),
                    Language::Python => classes.claim(&naming::type_name(
                        lang,
                        &format!("Async {source} Resource"),
                    )),
                };
                Resource {
                    ident: members.claim(&naming::member_name(lang, &source, "default")),
                    type_name,
                    async_type_name,
                    source,
                    operations,
                }
            })
            .collect()
    }

    /// Drops the back edges of cycles of named types that are not broken by
    /// an object (see the module docs).
    fn break_alias_cycles(&mut self) {
        let index: HashMap<String, usize> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        let is_alias = |t: &TypeDef| !matches!(t.ty, Type::Object(_));
        // 0 = unvisited, 1 = on the stack, 2 = done.
        let mut state = vec![0u8; self.types.len()];
        let mut back_edges: Vec<(usize, String)> = Vec::new();
        for start in 0..self.types.len() {
            if state[start] != 0 || !is_alias(&self.types[start]) {
                continue;
            }
            // Iterative DFS: (node, its direct refs, next index).
            let mut stack: Vec<(usize, Vec<String>, usize)> = Vec::new();
            let mut refs = Vec::new();
            self.types[start].ty.direct_refs(&mut refs);
            state[start] = 1;
            stack.push((start, refs, 0));
            while let Some((node, refs, next)) = stack.last_mut() {
                if *next >= refs.len() {
                    state[*node] = 2;
                    stack.pop();
                    continue;
                }
                let target = refs[*next].clone();
                *next += 1;
                let node = *node;
                let Some(&t) = index.get(&target) else {
                    continue;
                };
                if !is_alias(&self.types[t]) {
                    continue;
                }
                match state[t] {
                    0 => {
                        let mut r = Vec::new();
                        self.types[t].ty.direct_refs(&mut r);
                        state[t] = 1;
                        stack.push((t, r, 0));
                    }
                    1 => back_edges.push((node, target)),
                    _ => {}
                }
            }
        }
        for (node, target) in back_edges {
            let def = &mut self.types[node];
            self.warnings.push(format!(
                "type {} refers to itself through {} without an object in between; that reference was dropped",
                def.name, target
            ));
            def.ty = drop_direct_ref(std::mem::replace(&mut def.ty, Type::Unknown), &target);
        }
    }
}

/// An `allOf` member that is just an object with properties, which can be
/// merged into its parent.
fn is_plain_object(m: &Map<String, Value>) -> bool {
    let composed = ["$ref", "allOf", "oneOf", "anyOf", "enum", "const", "items"]
        .iter()
        .any(|k| m.contains_key(*k));
    let typed_other = match m.get("type") {
        None => false,
        Some(Value::String(t)) => t != "object",
        Some(_) => true,
    };
    !composed && !typed_other && (m.contains_key("properties") || m.contains_key("required"))
}

fn drop_direct_ref(ty: Type, target: &str) -> Type {
    match ty {
        Type::Ref { name } if name == target => Type::Unknown,
        Type::Intersection { parts } => {
            let parts: Vec<Type> = parts
                .into_iter()
                .map(|p| drop_direct_ref(p, target))
                .filter(|p| *p != Type::Unknown)
                .collect();
            match parts.len() {
                0 => Type::Unknown,
                1 => parts.into_iter().next().unwrap_or(Type::Unknown),
                _ => Type::Intersection { parts },
            }
        }
        Type::Union {
            variants,
            discriminator,
        } => {
            let variants: Vec<Type> = variants
                .into_iter()
                .map(|v| drop_direct_ref(v, target))
                .collect();
            if variants.contains(&Type::Unknown) {
                Type::Unknown
            } else {
                Type::Union {
                    variants,
                    discriminator,
                }
            }
        }
        Type::Nullable { inner } => drop_direct_ref(*inner, target).nullable(),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::testutil::load_one;

    fn api(yaml: &str, lang: Language) -> Api {
        let spec = load_one(yaml).unwrap_or_else(|p| panic!("{p:#?}"));
        lower(&spec.upgraded, lang)
    }

    fn find<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
        api.types
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| {
                panic!(
                    "no type {name} in {:?}",
                    api.types.iter().map(|t| &t.name).collect::<Vec<_>>()
                )
            })
    }

    const SPEC: &str = r##"
openapi: 3.0.3
info: { title: T, version: "1" }
servers:
  - url: https://{env}.example.com
    variables: { env: { default: prod, enum: [prod, dev] } }
security: [{ key: [] }, {}]
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      parameters:
        - { name: page_size, in: query, schema: { type: integer } }
        - { name: pageSize, in: query, schema: { type: integer } }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { type: object, properties: { items: { type: array, items: { $ref: "#/components/schemas/Pet" } } } }
        "404": { description: missing }
    post:
      tags: [pets]
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: object, properties: { name: { type: string } } }
      responses: { "201": { description: created } }
  /stores/{storeId}/orders:
    get:
      parameters: [{ name: storeId, in: path, required: true, schema: { type: string } }]
      responses: { default: { description: any } }
components:
  securitySchemes:
    key: { type: apiKey, in: cookie, name: sid }
    digest: { type: http, scheme: digest }
  schemas:
    Pet:
      type: object
      required: [id, tag]
      properties:
        id: { type: integer }
        tag: { type: string, nullable: true }
        nick: { type: string }
        maybe: { type: string, nullable: true }
        owner: { type: object, properties: { name: { type: string } } }
    pet: { type: string }
"##;

    #[test]
    fn resources_operations_and_derived_names() {
        let api = api(SPEC, Language::TypeScript);
        let names: Vec<(&str, Vec<&str>)> = api
            .resources
            .iter()
            .map(|r| {
                (
                    r.ident.as_str(),
                    r.operations.iter().map(|o| o.ident.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("pets", vec!["list", "post"]),
                ("stores", vec!["getByIdOrders"])
            ]
        );
        let list = &api.resources[0].operations[0];
        let idents: Vec<&str> = list.params.iter().map(|p| p.ident.as_str()).collect();
        assert_eq!(idents, ["pageSize", "pageSize2"]);
        assert_eq!(list.params_type, "ListPetsParams");
        assert_eq!(
            list.response.ty,
            Some(Type::Ref {
                name: "ListPetsResponse".into()
            })
        );
        assert_eq!(list.errors.len(), 1);
        assert_eq!(list.errors_type, "ListPetsErrors");
        // Components keep their names; collisions after casing are numbered.
        let type_names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            type_names,
            [
                "Pet",
                "PetOwner",
                "Pet2",
                "ListPetsResponse",
                "PostPetsRequest"
            ]
        );
        // Default response only: it is the success response.
        let orders = &api.resources[1].operations[0];
        assert_eq!(orders.response.status.as_deref(), Some("default"));
        assert!(orders.errors.is_empty());
        assert_eq!(orders.params[0].location, ParamLocation::Path);
        assert!(orders.params[0].required);
    }

    #[test]
    fn optionality_and_nullability_are_separate() {
        let api = api(SPEC, Language::TypeScript);
        let Type::Object(pet) = &find(&api, "Pet").ty else {
            panic!()
        };
        let flags: Vec<(&str, bool, bool)> = pet
            .properties
            .iter()
            .map(|p| (p.wire_name.as_str(), p.required, p.nullable))
            .collect();
        assert_eq!(
            flags,
            [
                ("id", true, false),
                ("tag", true, true),
                ("nick", false, false),
                ("maybe", false, true),
                ("owner", false, false)
            ]
        );
        assert_eq!(
            pet.properties[4].ty,
            Type::Ref {
                name: "PetOwner".into()
            }
        );
    }

    #[test]
    fn security_and_servers() {
        let api = api(SPEC, Language::TypeScript);
        // The digest scheme is unsupported and left out.
        assert_eq!(api.security_schemes.len(), 1);
        assert_eq!(
            api.security_schemes[0].kind,
            AuthKind::ApiKey {
                location: ApiKeyLocation::Cookie,
                name: "sid".into()
            }
        );
        let list = &api.resources[0].operations[0];
        assert_eq!(list.security, vec![vec!["key".to_owned()], vec![]]);
        assert!(api.resources[0].operations[1].security.is_empty());
        assert_eq!(api.servers[0].default_url(), "https://prod.example.com");
        assert_eq!(api.servers[0].variables[0].allowed, ["prod", "dev"]);
    }

    #[test]
    fn python_names() {
        let api = api(SPEC, Language::Python);
        let list = &api.resources[0].operations[0];
        assert_eq!(list.ident, "list");
        let idents: Vec<&str> = list.params.iter().map(|p| p.ident.as_str()).collect();
        assert_eq!(idents, ["page_size", "page_size2"]);
        assert_eq!(api.resources[1].operations[0].ident, "get_by_id_orders");
    }

    #[test]
    fn enum_members_are_named_only_for_enum_classes() {
        let spec = r##"
openapi: 3.1.0
info: { title: T, version: "1" }
paths: {}
components:
  schemas:
    Level: { type: integer, enum: [1, 2, -3, 2, null] }
    Word: { type: string, enum: [in-progress, "1", In Progress] }
"##;
        let idents = |lang, name| -> Vec<String> {
            let api = api(spec, lang);
            let ty = match &find(&api, name).ty {
                Type::Nullable { inner } => (**inner).clone(),
                other => other.clone(),
            };
            let Type::Enum { values } = ty else {
                panic!("{ty:?}")
            };
            values.into_iter().map(|v| v.ident).collect()
        };
        assert_eq!(
            idents(Language::Python, "Level"),
            ["VALUE_1", "VALUE_2", "VALUE_MINUS_3"]
        );
        assert_eq!(
            idents(Language::Python, "Word"),
            ["IN_PROGRESS", "_1", "IN_PROGRESS2"]
        );
        // TypeScript prints a union of literals: no member names, but the
        // same values, duplicates dropped.
        assert_eq!(idents(Language::TypeScript, "Level"), ["", "", ""]);
        assert_eq!(idents(Language::TypeScript, "Word"), ["", "", ""]);
    }

    #[test]
    fn unions_discriminators_consts_and_cycles() {
        let api = api(
            r##"
openapi: 3.1.0
info: { title: T, version: "1" }
paths: {}
components:
  schemas:
    Pet:
      oneOf: [{ $ref: "#/components/schemas/Cat" }, { $ref: "#/components/schemas/Dog" }, { type: "null" }]
      discriminator: { propertyName: kind }
    Cat:
      allOf: [{ $ref: "#/components/schemas/Pet" }, { properties: { kind: { const: Cat } } }]
    Dog: { type: object, properties: { kind: { const: Dog } } }
    Level: { type: integer, enum: [1, 2, -3, null] }
    Either: { type: [string, integer] }
"##,
            Language::TypeScript,
        );
        let Type::Nullable { inner } = &find(&api, "Pet").ty else {
            panic!("{:?}", find(&api, "Pet").ty)
        };
        let Type::Union {
            variants,
            discriminator,
        } = &**inner
        else {
            panic!()
        };
        assert_eq!(variants.len(), 2);
        assert_eq!(
            discriminator.as_ref().unwrap().mapping,
            vec![
                ("Cat".to_owned(), "Cat".to_owned()),
                ("Dog".to_owned(), "Dog".to_owned())
            ]
        );
        // Cat -> Pet -> Cat has no object in between: Cat's edge is dropped.
        assert!(
            matches!(&find(&api, "Cat").ty, Type::Object(_)),
            "{:?}",
            find(&api, "Cat").ty
        );
        assert!(api.warnings.iter().any(|w| w.contains("refers to itself")));
        let Type::Nullable { inner } = &find(&api, "Level").ty else {
            panic!()
        };
        let Type::Enum { values } = &**inner else {
            panic!()
        };
        assert_eq!(values.len(), 3);
        assert_eq!(
            find(&api, "Either").ty,
            Type::Union {
                variants: vec![
                    Type::String {
                        format: StringFormat::Plain
                    },
                    Type::Integer
                ],
                discriminator: None
            }
        );
    }

    #[test]
    fn bodies_parameters_and_responses() {
        let api = api(
            r##"
openapi: 3.1.0
info: { title: T, version: "1" }
paths:
  /files/{id}:
    parameters:
      - { name: id, in: path, required: true, style: label, explode: true, schema: { type: array, items: { type: string } } }
    put:
      operationId: upload
      parameters:
        - { name: id, in: query, schema: { type: string } }
        - { name: q, in: query, content: { application/json: { schema: { type: object } } } }
        - { name: Accept, in: header, schema: { type: string } }
        - { name: sid, in: cookie, schema: { type: string } }
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: { type: string, format: binary }
                more: { type: array, items: { type: string, contentMediaType: image/png } }
                note: { type: string }
      responses:
        "200": { description: ok, content: { application/json: { schema: { type: string } } } }
        "201": { description: ok, content: { application/json: { schema: { type: integer } } } }
        "204": { description: none }
        4XX: { description: bad, content: { text/plain: { schema: { type: string } } } }
    post:
      operationId: raw
      requestBody:
        required: true
        content: { application/octet-stream: {} }
      responses:
        "200": { description: ok, content: { image/png: {} } }
    patch:
      operationId: form
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: { type: object, properties: { a: { type: string } } }
      responses:
        "200": { description: ok, content: { text/csv: {} } }
"##,
            Language::TypeScript,
        );
        let ops = &api.resources[0].operations;
        let upload = &ops[0];
        let params: Vec<(&str, &str, ParamLocation, ParamStyle, bool)> = upload
            .params
            .iter()
            .map(|p| {
                (
                    p.wire_name.as_str(),
                    p.ident.as_str(),
                    p.location,
                    p.style,
                    p.explode,
                )
            })
            .collect();
        assert_eq!(
            params,
            [
                ("id", "id", ParamLocation::Path, ParamStyle::Label, true),
                ("id", "id2", ParamLocation::Query, ParamStyle::Form, true),
                ("q", "q", ParamLocation::Query, ParamStyle::Json, false),
                ("sid", "sid", ParamLocation::Cookie, ParamStyle::Form, true),
            ]
        );
        let body = upload.body.as_ref().unwrap();
        assert_eq!(
            body.kind,
            BodyKind::Multipart {
                files: vec!["file".into(), "more".into()]
            }
        );
        assert!(!body.required);
        assert!(!upload.params_optional);
        assert_eq!(
            upload.response.ty,
            Some(Type::Union {
                variants: vec![
                    Type::String {
                        format: StringFormat::Plain
                    },
                    Type::Integer
                ],
                discriminator: None
            })
        );
        assert!(upload.response.may_be_empty);
        assert_eq!(upload.errors[0].status, "4XX");
        assert_eq!(upload.errors[0].kind, ResponseKind::Text);
        let raw = &ops[1];
        assert_eq!(raw.body.as_ref().unwrap().kind, BodyKind::Binary);
        assert_eq!(raw.response.kind, ResponseKind::Binary);
        assert_eq!(raw.response.media_type.as_deref(), Some("image/png"));
        let form = &ops[2];
        assert_eq!(form.body.as_ref().unwrap().kind, BodyKind::FormUrlEncoded);
        assert_eq!(form.response.kind, ResponseKind::Text);
        assert!(
            !form.params_optional,
            "the inherited path parameter is required"
        );
    }
}
