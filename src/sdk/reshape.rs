//! Reshaping of the SDK model for a language whose named types are classes
//! that can be neither intersected nor nullable (Python), for the
//! `generate` stage. Runs at the end of [`super::lower::lower`] for such a
//! language, so that its emitter still only prints. Must not do I/O.
//!
//! - **`allOf` of objects becomes one object.** A named type that is an
//!   intersection whose parts are all objects (inline, named, maps, or
//!   themselves such intersections) becomes a single object with every
//!   part's properties, in the parts' order. A property that several parts
//!   declare keeps the first declaration's type; it is required if any part
//!   requires it and nullable only if every part allows null (both
//!   constraints apply). Other keys are allowed with the first declared
//!   `additionalProperties` type. Member names are claimed again in the
//!   merged order, since two parts may have used the same one. An
//!   intersection with a part that is not an object (a union, a string)
//!   stays, and the emitter prints it as its language's "any".
//! - **Nullable classes become nullable references.** A named type that is
//!   `null` or an object or enum is printed as a class, which cannot admit
//!   `null` itself, so the type loses its `null` and every reference to it
//!   gains one: a property's `nullable` flag, `Optional[...]` elsewhere.

use std::collections::{HashMap, HashSet};

use super::model::*;
use super::naming::{self, Language, Scope};

/// Applies both reshapings to `api`'s types and to every reference to them.
pub fn for_classes(api: &mut Api) {
    flatten_intersections(&mut api.types, api.language);
    let nullable = hoist_nullable_classes(&mut api.types);
    if nullable.is_empty() {
        return;
    }
    for def in &mut api.types {
        nullable_refs(&mut def.ty, &nullable);
    }
    for op in api
        .resources
        .iter_mut()
        .flat_map(|r| r.operations.iter_mut())
    {
        for p in &mut op.params {
            nullable_refs(&mut p.ty, &nullable);
        }
        if let Some(b) = &mut op.body {
            nullable_refs(&mut b.ty, &nullable);
        }
        if let Some(t) = &mut op.response.ty {
            nullable_refs(t, &nullable);
        }
        for e in &mut op.errors {
            if let Some(t) = &mut e.ty {
                nullable_refs(t, &nullable);
            }
        }
    }
}

fn flatten_intersections(types: &mut [TypeDef], lang: Language) {
    let index: HashMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    for i in 0..types.len() {
        let (inner, nullable) = types[i].ty.clone().split_nullable();
        if !matches!(inner, Type::Intersection { .. }) {
            continue;
        }
        let mut visiting = HashSet::new();
        if let Some(object) = object_of(&inner, types, &index, &mut visiting) {
            let flat = Type::Object(reclaimed(object, lang));
            types[i].ty = if nullable { flat.nullable() } else { flat };
        }
    }
}

/// The object `t` stands for, if it is one (see the module docs).
fn object_of(
    t: &Type,
    types: &[TypeDef],
    index: &HashMap<String, usize>,
    visiting: &mut HashSet<String>,
) -> Option<ObjectType> {
    match t {
        Type::Object(o) => Some(o.clone()),
        Type::Map { values } => Some(ObjectType {
            properties: Vec::new(),
            additional: Some(values.clone()),
        }),
        Type::Nullable { inner } => object_of(inner, types, index, visiting),
        Type::Ref { name } => {
            // A part that refers back to the type being merged adds nothing
            // that is not already there.
            if !visiting.insert(name.clone()) {
                return Some(ObjectType {
                    properties: Vec::new(),
                    additional: None,
                });
            }
            let found = index
                .get(name)
                .and_then(|&i| object_of(&types[i].ty, types, index, visiting));
            visiting.remove(name);
            found
        }
        Type::Intersection { parts } => {
            let mut merged = ObjectType {
                properties: Vec::new(),
                additional: None,
            };
            for part in parts {
                let o = object_of(part, types, index, visiting)?;
                for p in o.properties {
                    match merged
                        .properties
                        .iter_mut()
                        .find(|q| q.wire_name == p.wire_name)
                    {
                        Some(existing) => {
                            existing.required |= p.required;
                            existing.nullable &= p.nullable;
                        }
                        None => merged.properties.push(p),
                    }
                }
                if merged.additional.is_none() {
                    merged.additional = o.additional;
                }
            }
            Some(merged)
        }
        _ => None,
    }
}

fn reclaimed(mut o: ObjectType, lang: Language) -> ObjectType {
    let mut scope = Scope::with_reserved(naming::reserved_properties(lang));
    for p in &mut o.properties {
        p.ident = scope.claim(&naming::property_name(lang, &p.wire_name));
    }
    o
}

/// Strips `null` from named classes; returns their names.
fn hoist_nullable_classes(types: &mut [TypeDef]) -> HashSet<String> {
    let mut names = HashSet::new();
    for def in types.iter_mut() {
        if let Type::Nullable { inner } = &def.ty
            && matches!(**inner, Type::Object(_) | Type::Enum { .. })
        {
            let (inner, _) = std::mem::replace(&mut def.ty, Type::Unknown).split_nullable();
            def.ty = inner;
            names.insert(def.name.clone());
        }
    }
    names
}

/// Makes every reference to a name in `names` nullable.
fn nullable_refs(t: &mut Type, names: &HashSet<String>) {
    match t {
        Type::Ref { name } if names.contains(name.as_str()) => {
            *t = std::mem::replace(t, Type::Unknown).nullable();
        }
        Type::Array { items } => nullable_refs(items, names),
        Type::Map { values } => nullable_refs(values, names),
        Type::Object(o) => {
            for p in &mut o.properties {
                nullable_refs(&mut p.ty, names);
                let (ty, nullable) = std::mem::replace(&mut p.ty, Type::Unknown).split_nullable();
                p.ty = ty;
                p.nullable |= nullable;
            }
            if let Some(a) = &mut o.additional {
                nullable_refs(a, names);
            }
        }
        Type::Union { variants, .. } => variants.iter_mut().for_each(|v| nullable_refs(v, names)),
        Type::Intersection { parts } => parts.iter_mut().for_each(|p| nullable_refs(p, names)),
        // Already nullable: a reference inside stays as it is.
        Type::Nullable { inner } if !matches!(&**inner, Type::Ref { .. }) => {
            nullable_refs(inner, names);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdk::testutil::{lowered, type_named};

    fn ty<'a>(api: &'a Api, name: &str) -> &'a Type {
        &type_named(api, name).ty
    }

    const SPEC: &str = r##"
openapi: 3.1.0
info: { title: T, version: "1" }
paths:
  /pets:
    get:
      parameters:
        - { name: kind, in: query, schema: { $ref: "#/components/schemas/Kind" } }
      responses:
        "200":
          description: ok
          content: { application/json: { schema: { $ref: "#/components/schemas/Cat" } } }
components:
  schemas:
    Animal:
      type: object
      required: [legs]
      properties:
        legs: { type: integer }
        name: { type: [string, "null"] }
    Cat:
      allOf:
        - $ref: "#/components/schemas/Animal"
        - type: object
          required: [name]
          properties:
            name: { type: string }
            pet_id: { type: string }
            petId: { type: string }
            owner: { $ref: "#/components/schemas/Owner" }
    Owner:
      type: [object, "null"]
      properties:
        id: { type: string }
    Kind: { enum: [a, b, null] }
    Mixed:
      allOf:
        - $ref: "#/components/schemas/Animal"
        - oneOf: [{ type: string }, { type: integer }]
"##;

    #[test]
    fn intersections_of_objects_become_one_object() {
        let api = lowered(SPEC, Language::Python);
        let Type::Object(cat) = ty(&api, "Cat") else {
            panic!("{:?}", ty(&api, "Cat"))
        };
        let props: Vec<(&str, &str, bool, bool)> = cat
            .properties
            .iter()
            .map(|p| {
                (
                    p.wire_name.as_str(),
                    p.ident.as_str(),
                    p.required,
                    p.nullable,
                )
            })
            .collect();
        // The inline part comes first, as the model orders allOf parts; the
        // shared `name` is required (one part says so) and not nullable
        // (one part forbids null); `pet_id` and `petId` are told apart again.
        assert_eq!(
            props,
            [
                ("name", "name", true, false),
                ("pet_id", "pet_id", false, false),
                ("petId", "pet_id2", false, false),
                ("owner", "owner", false, true),
                ("legs", "legs", true, false),
            ]
        );
        // A part that is not an object keeps the intersection.
        assert!(matches!(ty(&api, "Mixed"), Type::Intersection { .. }));
        // TypeScript keeps intersections.
        let ts = lowered(SPEC, Language::TypeScript);
        assert!(matches!(ty(&ts, "Cat"), Type::Intersection { .. }));
    }

    #[test]
    fn nullable_classes_move_null_to_their_references() {
        let api = lowered(SPEC, Language::Python);
        assert!(matches!(ty(&api, "Owner"), Type::Object(_)));
        assert!(matches!(ty(&api, "Kind"), Type::Enum { .. }));
        let op = &api.resources[0].operations[0];
        assert_eq!(
            op.params[0].ty,
            Type::Ref {
                name: "Kind".into()
            }
            .nullable()
        );
        // TypeScript keeps `null` in the alias.
        let ts = lowered(SPEC, Language::TypeScript);
        assert!(matches!(ty(&ts, "Owner"), Type::Nullable { .. }));
    }
}
