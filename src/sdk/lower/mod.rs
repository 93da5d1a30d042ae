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
//! Split along the model (after typify's TypeSpace and progenitor's method
//! split): `types` (schemas to types), `operations` (client methods and
//! resources), `security` (schemes and requirements), `cycles` (alias cycles
//! broken); this file holds the entry point, the shared state and the
//! `$ref` chasing, which is the spec view's (`spec::view`).
//!
//! Must not do I/O.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::model::*;
use super::naming::{self, Language, Scope};
use crate::spec::pointer;

use crate::spec::view::{Chased, METHODS, MediaKind, SpecView, media_kind};

mod cycles;
mod operations;
mod security;
mod types;

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdk::testutil::{lowered, type_named};

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
        let api = lowered(SPEC, Language::TypeScript);
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
        let api = lowered(SPEC, Language::TypeScript);
        let Type::Object(pet) = &type_named(&api, "Pet").ty else {
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
        let api = lowered(SPEC, Language::TypeScript);
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
        let api = lowered(SPEC, Language::Python);
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
            let api = lowered(spec, lang);
            let ty = match &type_named(&api, name).ty {
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

    /// A plain string or an integer, with no discriminator: what
    /// `type: [string, integer]` and two such responses lower to.
    fn string_or_integer() -> Type {
        Type::Union {
            variants: vec![
                Type::String {
                    format: StringFormat::Plain,
                },
                Type::Integer,
            ],
            discriminator: None,
        }
    }

    #[test]
    fn unions_discriminators_consts_and_cycles() {
        let api = lowered(
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
        let Type::Nullable { inner } = &type_named(&api, "Pet").ty else {
            panic!("{:?}", type_named(&api, "Pet").ty)
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
            matches!(&type_named(&api, "Cat").ty, Type::Object(_)),
            "{:?}",
            type_named(&api, "Cat").ty
        );
        assert!(api.warnings.iter().any(|w| w.contains("refers to itself")));
        let Type::Nullable { inner } = &type_named(&api, "Level").ty else {
            panic!()
        };
        let Type::Enum { values } = &**inner else {
            panic!()
        };
        assert_eq!(values.len(), 3);
        assert_eq!(type_named(&api, "Either").ty, string_or_integer());
    }

    #[test]
    fn bodies_parameters_and_responses() {
        let api = lowered(
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
        assert_eq!(upload.response.ty, Some(string_or_integer()));
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
