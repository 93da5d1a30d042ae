//! The language-neutral SDK model of the `generate` stage: what an API
//! offers (servers, auth, resources of operations, named types), with every
//! naming decision already made for one target [`Language`]. Built by
//! [`super::lower::lower`] from the upgraded 3.1-model document; emitters
//! only print it. Must not do I/O.

use serde::Serialize;
use serde_json::Value;

use super::naming::Language;

/// One API, ready to print in one language.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    pub language: Language,
    /// `info.title`.
    pub name: String,
    /// `info.version`.
    pub version: String,
    pub docs: Docs,
    pub servers: Vec<Server>,
    pub security_schemes: Vec<SecurityScheme>,
    pub resources: Vec<Resource>,
    /// Every named type, in a deterministic order: components in document
    /// order, each followed by the inline types it needed, then the inline
    /// types of operations in path order.
    pub types: Vec<TypeDef>,
    /// Things the model could not represent faithfully (never fatal).
    pub warnings: Vec<String>,
}

/// Description, summary and deprecation of anything documented.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Docs {
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
}

impl Docs {
    /// Summary and description joined by a blank line (either may be missing).
    pub fn text(&self) -> String {
        match (&self.summary, &self.description) {
            (Some(s), Some(d)) if s.trim() != d.trim() => format!("{s}\n\n{d}"),
            (Some(s), _) => s.clone(),
            (None, Some(d)) => d.clone(),
            (None, None) => String::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Server {
    /// The URL template, `{name}` for each variable.
    pub url: String,
    pub description: Option<String>,
    pub variables: Vec<ServerVariable>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServerVariable {
    pub name: String,
    pub default: String,
    pub allowed: Vec<String>,
    pub description: Option<String>,
}

impl Server {
    /// The URL with every variable at its default.
    pub fn default_url(&self) -> String {
        let mut url = self.url.clone();
        for v in &self.variables {
            url = url.replace(&format!("{{{}}}", v.name), &v.default);
        }
        url
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityScheme {
    /// The key under `components.securitySchemes`.
    pub key: String,
    /// The member name users configure it under (`auth: { bearerAuth }`).
    pub ident: String,
    pub kind: AuthKind,
    pub docs: Docs,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum AuthKind {
    /// An API key sent as a header, query parameter or cookie.
    ApiKey {
        location: ApiKeyLocation,
        name: String,
    },
    /// `Authorization: Bearer <token>`: HTTP bearer, OAuth2 and OpenID
    /// Connect (the SDK takes a token; it does not run the flows).
    Bearer,
    /// `Authorization: Basic base64(user:password)`.
    Basic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ApiKeyLocation {
    Header,
    Query,
    Cookie,
}

#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    /// The tag or first path segment it was made from.
    pub source: String,
    /// Member name on the client (`client.pets`).
    pub ident: String,
    /// Type name of the resource class (`PetsResource`).
    pub type_name: String,
    /// Type name of the async resource class (`AsyncPetsResource`), for
    /// languages that print one (Python); empty otherwise.
    pub async_type_name: String,
    pub operations: Vec<Operation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    pub operation_id: Option<String>,
    /// Method name inside its resource (`list`).
    pub ident: String,
    /// PascalCase base for names derived from this operation (`ListPets`).
    pub type_base: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template, `{name}` for path parameters.
    pub path: String,
    pub params: Vec<Parameter>,
    pub body: Option<RequestBody>,
    /// The name of the generated type holding all arguments (`ListPetsParams`).
    pub params_type: String,
    /// Whether every argument is optional (the argument object may be omitted).
    pub params_optional: bool,
    pub response: SuccessResponse,
    pub errors: Vec<ErrorResponse>,
    /// The name of the generated type mapping statuses to error bodies (`ListPetsErrors`).
    pub errors_type: String,
    /// Alternatives (any one suffices), each a set of scheme idents (all
    /// needed). An empty alternative means "no auth is acceptable".
    /// Empty list: no auth.
    pub security: Vec<Vec<String>>,
    pub docs: Docs,
}

impl Operation {
    /// Retrying may repeat an effect only for these methods.
    pub fn idempotent(&self) -> bool {
        matches!(
            self.method.as_str(),
            "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE" | "TRACE"
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
    /// `content: {application/json: ...}` instead of a schema: the value is
    /// sent as JSON text.
    Json,
}

#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    pub wire_name: String,
    /// The key in the operation's argument object.
    pub ident: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: Type,
    pub style: ParamStyle,
    pub explode: bool,
    pub allow_reserved: bool,
    pub docs: Docs,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestBody {
    /// The key in the operation's argument object (`body` unless taken).
    pub ident: String,
    pub required: bool,
    pub media_type: String,
    pub kind: BodyKind,
    pub ty: Type,
    pub docs: Docs,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BodyKind {
    Json,
    /// `multipart/form-data`; `files` are the wire names of binary fields.
    Multipart {
        files: Vec<String>,
    },
    FormUrlEncoded,
    Text,
    /// Raw bytes (`application/octet-stream`, images, anything else).
    Binary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ResponseKind {
    Json,
    Text,
    Binary,
    Empty,
}

#[derive(Debug, Clone, Serialize)]
pub struct SuccessResponse {
    /// The first 2xx (`"200"`, `"2XX"`), or `"default"` when no 2xx is declared.
    pub status: Option<String>,
    pub kind: ResponseKind,
    pub media_type: Option<String>,
    /// `None` for [`ResponseKind::Empty`]; a union when several 2xx
    /// responses declare different bodies.
    pub ty: Option<Type>,
    /// Another 2xx response has no body (`T | undefined` in TypeScript).
    pub may_be_empty: bool,
    pub docs: Docs,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorResponse {
    /// `"404"`, `"4XX"` or `"default"`.
    pub status: String,
    pub kind: ResponseKind,
    pub ty: Option<Type>,
    pub docs: Docs,
}

/// A named type.
#[derive(Debug, Clone, Serialize)]
pub struct TypeDef {
    pub name: String,
    /// The `components.schemas` key it came from, if any.
    pub schema_key: Option<String>,
    pub docs: Docs,
    pub ty: Type,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StringFormat {
    Plain,
    Date,
    DateTime,
    /// Raw bytes (`format: binary`, `contentMediaType` without encoding).
    Binary,
    /// Base64 text (`format: byte`, `contentEncoding: base64`).
    Byte,
}

/// A type expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Type {
    String {
        format: StringFormat,
    },
    Integer,
    Number,
    Boolean,
    Null,
    Unknown,
    Ref {
        name: String,
    },
    Array {
        items: Box<Type>,
    },
    /// An object with arbitrary keys (`additionalProperties`).
    Map {
        values: Box<Type>,
    },
    Object(ObjectType),
    /// `enum`: the allowed literal values (strings, numbers, booleans).
    Enum {
        values: Vec<EnumValue>,
    },
    /// `const`.
    Const {
        value: Value,
    },
    /// `oneOf` / `anyOf`.
    Union {
        variants: Vec<Type>,
        discriminator: Option<Discriminator>,
    },
    /// `allOf`.
    Intersection {
        parts: Vec<Type>,
    },
    /// The type, or `null`.
    Nullable {
        inner: Box<Type>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumValue {
    pub value: Value,
    /// Member name for languages with enum classes (Python); empty for
    /// TypeScript, whose SDK prints an enum as a union of literals.
    pub ident: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discriminator {
    pub property: String,
    /// Value -> type name, in the order of the variants; for variants that
    /// are named types, the mapping (or the schema key, as the spec says
    /// when there is no mapping).
    pub mapping: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectType {
    pub properties: Vec<Property>,
    /// `Some` when other keys are allowed with values of this type.
    pub additional: Option<Box<Type>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Property {
    pub wire_name: String,
    /// The language's member name (TypeScript: the wire name).
    pub ident: String,
    /// The key may be omitted.
    pub required: bool,
    /// The value may be `null` (independent of `required`).
    pub nullable: bool,
    /// The type without its `null`.
    pub ty: Type,
    pub read_only: bool,
    pub write_only: bool,
    pub docs: Docs,
}

impl Type {
    pub fn unknown() -> Type {
        Type::Unknown
    }

    /// Splits `T | null` into `(T, true)`.
    pub fn split_nullable(self) -> (Type, bool) {
        match self {
            Type::Nullable { inner } => (*inner, true),
            Type::Null => (Type::Null, true),
            other => (other, false),
        }
    }

    /// Wraps in [`Type::Nullable`] unless already nullable.
    pub fn nullable(self) -> Type {
        match self {
            t @ (Type::Nullable { .. } | Type::Null | Type::Unknown) => t,
            t => Type::Nullable { inner: Box::new(t) },
        }
    }

    /// Named types referenced directly (not through a property, item or map
    /// value): the edges along which a type alias may not cycle.
    pub fn direct_refs(&self, out: &mut Vec<String>) {
        match self {
            Type::Ref { name } => out.push(name.clone()),
            Type::Union { variants, .. } => variants.iter().for_each(|v| v.direct_refs(out)),
            Type::Intersection { parts } => parts.iter().for_each(|p| p.direct_refs(out)),
            Type::Nullable { inner } => inner.direct_refs(out),
            _ => {}
        }
    }
}
