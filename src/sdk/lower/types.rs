//! Schemas to types (the lowering's type space, after typify's TypeSpace):
//! named and inline types, `$ref`s to components and elsewhere, objects,
//! primitives, enums, unions and discriminators.
//!
//! Must not do I/O.

use super::*;

impl<'a> Lowerer<'a> {
    /// A schema in a position where a new named type may be created.
    pub(super) fn schema(&mut self, s: &'a Value, hint: &str) -> Type {
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
    pub(super) fn schema_body(&mut self, s: &'a Value, hint: &str) -> Type {
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

    pub(super) fn reference(&mut self, reference: &str, hint: &str) -> Type {
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

    pub(super) fn object_schema(&mut self, m: &'a Map<String, Value>, hint: &str) -> Type {
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

        let (parts, merged) = self.all_of(m, hint);
        let object_like = kinds.contains(&"object")
            || (kinds.is_empty()
                && (m.contains_key("properties")
                    || m.contains_key("additionalProperties")
                    || !merged.is_empty()));
        let composed = has_composition || !parts.is_empty();
        let own_type = self.own_type(m, &kinds, &merged, object_like, composed, hint);

        let (unions, union_nullable) = self.one_and_any_of(m, hint);

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

    /// `allOf`: `$ref`s and compositions are parts; plain inline objects
    /// merge into this schema's own object.
    fn all_of(
        &mut self,
        m: &'a Map<String, Value>,
        hint: &str,
    ) -> (Vec<Type>, Vec<&'a Map<String, Value>>) {
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
        (parts, merged)
    }

    /// The schema's own type from its `type` kinds (an object with the
    /// merged `allOf` members, primitives); a bare map of unknowns is left
    /// out when compositions (`composed`) say more.
    fn own_type(
        &mut self,
        m: &'a Map<String, Value>,
        kinds: &[&str],
        merged: &[&'a Map<String, Value>],
        object_like: bool,
        composed: bool,
        hint: &str,
    ) -> Option<Type> {
        let mut own: Vec<Type> = Vec::new();
        if object_like {
            let obj = self.object_type(m, merged, hint);
            let trivial = matches!(&obj, Type::Map { values } if **values == Type::Unknown);
            if !(trivial && composed) {
                own.push(obj);
            }
        }
        for kind in kinds {
            if *kind != "object" {
                own.push(self.primitive(kind, m, hint));
            }
        }
        if kinds.is_empty() && !object_like && m.contains_key("items") {
            own.push(self.primitive("array", m, hint));
        }
        match own.len() {
            0 => None,
            1 => own.pop(),
            _ => Some(Type::Union {
                variants: own,
                discriminator: None,
            }),
        }
    }

    /// `oneOf` and `anyOf` as unions, and whether either offered `null`.
    fn one_and_any_of(&mut self, m: &'a Map<String, Value>, hint: &str) -> (Vec<Type>, bool) {
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
        (unions, union_nullable)
    }

    pub(super) fn primitive(&mut self, kind: &str, m: &'a Map<String, Value>, hint: &str) -> Type {
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

    pub(super) fn enum_type(&mut self, values: &[Value]) -> Type {
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
    pub(super) fn union(
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

    pub(super) fn discriminator(&mut self, d: &Value, variants: &[Type]) -> Option<Discriminator> {
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

    pub(super) fn components_by_name(&self) -> Vec<(String, String)> {
        self.component_schemas()
            .map(|s| {
                s.keys()
                    .map(|k| (k.clone(), self.components[k].clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn object_type(
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
