//! The TypeScript emitter of the `generate` stage: prints an [`Api`] lowered
//! for [`Language::TypeScript`] as an npm package (ES module JavaScript plus
//! `.d.ts` declarations, no runtime dependency, no `tsc` needed) through the
//! `templates/typescript/*.j2` templates. It only prints: names, optionality
//! and grouping come from the model; every spec string reaches the output
//! through [`super::escape`] (as the filters `js_string`, `doc` and `md`).
//! Must not do I/O: the caller supplies the template environment and
//! writes the returned files.
//!
//! Use:
//!
//! ```text
//! let api = sdk::lower(&spec.upgraded, Language::TypeScript);
//! let mut env = minijinja::Environment::new();
//! typescript::configure(&mut env);                 // filters, strict undefined
//! for (name, source) in typescript::TEMPLATES {    // or a user's override
//!     env.add_template(name, source)?;
//! }
//! let files = typescript::render(&api, &TsOptions { .. }, &env)?;
//! ```
//!
//! Templates are rendered with auto-escaping off (they print JavaScript, not
//! HTML) and see one context, [`TsContext`]; type expressions arrive
//! pre-printed because they are recursive.

use minijinja::{AutoEscape, Environment, Value as JValue};
use serde::Serialize;
use serde_json::Value;

use super::emit::{self, ExampleCtx};
use super::escape;
use super::model::*;
use super::naming::Language;

/// Every template of the package, by name, with its built-in source. The
/// output file is the name without the `typescript/` prefix and `.j2`.
/// Largest output first: `render_all` hands them out in this order.
pub const TEMPLATES: super::Templates = super::builtin_files!(
    "typescript",
    ".j2",
    [
        "models.d.ts",
        "client.js",
        "client.d.ts",
        "README.md",
        "package.json",
    ]
);

/// The package's files that do not vary with the spec (the runtime, the
/// index modules), copied as they are; see [`super::StaticFiles`].
pub const STATIC: super::StaticFiles = super::builtin_files!(
    "typescript",
    "",
    [
        "runtime.js",
        "runtime.d.ts",
        "index.js",
        "index.d.ts",
        "models.js",
    ]
);

/// Package-level choices that do not come from the spec: the npm package
/// name (`@acme/pets` or `acme-pets`) and the version (usually the spec's
/// `info.version`); [`render`] rejects names npm would not take.
pub type TsOptions = emit::PackageOptions;

#[derive(Debug, thiserror::Error)]
pub enum TsError {
    #[error("{0:?} is not a valid npm package name (lower case, URL-safe, optionally @scope/name)")]
    PackageName(String),
    #[error("{0:?} is not a usable package version")]
    PackageVersion(String),
    #[error(transparent)]
    Template(#[from] super::TemplateError),
}

/// Adds the escaping filters and the settings the TypeScript templates need
/// (strict undefined, trailing newlines kept, no auto-escaping for them).
pub fn configure(env: &mut Environment<'_>) {
    super::configure_common(env);
    env.set_auto_escape_callback(|name| {
        if name.starts_with("typescript/") {
            AutoEscape::None
        } else {
            minijinja::default_auto_escape_callback(name)
        }
    });
    env.add_filter("js_string", |s: String| escape::js_string(&s));
    emit::add_doc_filter(env, "doc", escape::doc_comment);
}

/// A ready environment with the built-in templates (tests, and callers
/// without overrides).
pub fn builtin_environment() -> Environment<'static> {
    super::environment_with(configure, TEMPLATES)
}

/// Renders every file of the package, as (relative path, contents), sorted
/// by path.
pub fn render(
    api: &Api,
    options: &TsOptions,
    env: &Environment<'_>,
) -> Result<Vec<(String, String)>, TsError> {
    debug_assert_eq!(api.language, Language::TypeScript);
    if !valid_package_name(&options.package_name) {
        return Err(TsError::PackageName(options.package_name.clone()));
    }
    let v = &options.package_version;
    if v.is_empty() || v.len() > 256 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(TsError::PackageVersion(v.clone()));
    }
    // The model's types are the larger part of the context and need nothing
    // else: a second core builds them and converts them to template values
    // while this thread does the rest.
    let ctx = std::thread::scope(|scope| {
        let types = scope
            .spawn(|| JValue::from_serialize(api.types.iter().map(type_ctx).collect::<Vec<_>>()));
        let mut ctx = context(api, options);
        ctx.types = types
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        // The types value passes through as it is, not copied.
        JValue::from_serialize(ctx)
    });
    super::render_all(env, TEMPLATES, STATIC, ctx, |name| {
        name.trim_start_matches("typescript/")
            .trim_end_matches(".j2")
            .to_owned()
    })
    .map_err(Into::into)
}

fn valid_package_name(name: &str) -> bool {
    let ok_part = |p: &str| {
        !p.is_empty()
            && !p.starts_with(['.', '_'])
            && p.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_' | '~')
            })
    };
    if name.len() > 214 {
        return false;
    }
    match name.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((scope, pkg)) => ok_part(scope) && ok_part(pkg),
            None => false,
        },
        None => ok_part(name),
    }
}

/// Everything the templates see.
#[derive(Debug, Serialize)]
pub struct TsContext {
    /// Flattened: templates see `package_name`, `api_name`, ... at the top.
    #[serde(flatten)]
    pub package: emit::PackageCtx,
    pub servers: Vec<ServerCtx>,
    pub schemes: Vec<SchemeCtx>,
    pub resources: Vec<ResourceCtx>,
    /// `Vec<TypeCtx>` as a template value (see [`render`]).
    pub types: JValue,
    pub params_types: Vec<InterfaceCtx>,
    pub errors_types: Vec<InterfaceCtx>,
    /// The first operation, for usage examples.
    pub example: Option<ExampleCtx>,
}

#[derive(Debug, Serialize)]
pub struct ServerCtx {
    pub url: String,
    pub docs: String,
    pub variables: Vec<ServerVariableCtx>,
}

#[derive(Debug, Serialize)]
pub struct ServerVariableCtx {
    pub name: String,
    pub key: String,
    pub default: String,
    pub ts_type: String,
    pub docs: String,
}

/// A security scheme and the type of its credential.
#[derive(Debug, Serialize)]
pub struct SchemeCtx {
    /// Flattened: templates see `s.kind`, `s.location`, ... directly.
    #[serde(flatten)]
    pub scheme: emit::SchemeCtx,
    pub ts_type: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ResourceCtx {
    pub ident: String,
    pub class_name: String,
    pub source: String,
    pub operations: Vec<OperationCtx>,
}

#[derive(Debug, Serialize)]
pub struct OperationCtx {
    pub ident: String,
    pub method: String,
    pub path: String,
    pub docs: String,
    /// One line for listings.
    pub summary: String,
    pub deprecated: bool,
    pub has_args: bool,
    pub params_optional: bool,
    pub params_type: String,
    pub return_type: String,
    pub response_kind: ResponseKind,
    /// The `Accept` header: the success response's media type.
    pub accept: Option<String>,
    pub path_params: Vec<ParamCtx>,
    pub query_params: Vec<ParamCtx>,
    pub header_params: Vec<ParamCtx>,
    pub cookie_params: Vec<ParamCtx>,
    pub body: Option<BodyCtx>,
    pub security: Vec<Vec<String>>,
    pub errors_type: String,
    pub errors: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ParamCtx {
    pub wire_name: String,
    pub ident: String,
    pub style: ParamStyle,
    pub explode: bool,
    pub allow_reserved: bool,
    pub required: bool,
}

#[derive(Debug, Serialize)]
pub struct BodyCtx {
    pub ident: String,
    /// `json`, `multipart`, `form`, `text` or `binary`.
    pub kind: &'static str,
    pub media_type: String,
    pub required: bool,
}

#[derive(Debug, Serialize)]
pub struct TypeCtx {
    pub name: String,
    pub docs: String,
    pub deprecated: bool,
    /// Printed as an interface (objects) rather than a type alias.
    pub is_interface: bool,
    pub members: Vec<MemberCtx>,
    pub index_signature: Option<String>,
    /// The aliased type expression when not an interface.
    pub alias: String,
}

#[derive(Debug, Serialize)]
pub struct InterfaceCtx {
    pub name: String,
    pub docs: String,
    pub members: Vec<MemberCtx>,
}

#[derive(Debug, Serialize)]
pub struct MemberCtx {
    /// The key as printed (bare or quoted).
    pub key: String,
    pub optional: bool,
    pub readonly: bool,
    pub ts_type: String,
    pub docs: String,
    pub deprecated: bool,
}

fn context(api: &Api, options: &TsOptions) -> TsContext {
    let mut params_types = Vec::new();
    let mut errors_types = Vec::new();
    let resources = api
        .resources
        .iter()
        .map(|r| ResourceCtx {
            ident: r.ident.clone(),
            class_name: r.type_name.clone(),
            source: r.source.clone(),
            operations: r
                .operations
                .iter()
                .map(|op| {
                    if !op.params_type.is_empty() {
                        params_types.push(params_interface(op));
                    }
                    if !op.errors_type.is_empty() {
                        errors_types.push(errors_interface(op));
                    }
                    operation_ctx(op)
                })
                .collect(),
        })
        .collect::<Vec<_>>();
    TsContext {
        package: emit::PackageCtx::new(api, options),
        servers: api.servers.iter().map(server_ctx).collect(),
        schemes: api.security_schemes.iter().map(scheme_ctx).collect(),
        resources,
        // Filled in by `render`, which builds the types on another thread.
        types: JValue::UNDEFINED,
        params_types,
        errors_types,
        example: emit::example(api),
    }
}

fn server_ctx(s: &Server) -> ServerCtx {
    ServerCtx {
        url: s.url.clone(),
        docs: s.description.clone().unwrap_or_default(),
        variables: s
            .variables
            .iter()
            .map(|v| ServerVariableCtx {
                key: escape::ts_property_key(&v.name),
                name: v.name.clone(),
                default: v.default.clone(),
                ts_type: if v.allowed.is_empty() {
                    "string".into()
                } else {
                    v.allowed
                        .iter()
                        .map(|a| escape::js_string(a))
                        .collect::<Vec<_>>()
                        .join(" | ")
                },
                docs: v.description.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

fn scheme_ctx(s: &SecurityScheme) -> SchemeCtx {
    SchemeCtx {
        scheme: emit::SchemeCtx::new(s),
        ts_type: match s.kind {
            AuthKind::Basic => "BasicCredential",
            AuthKind::ApiKey { .. } | AuthKind::Bearer => "Credential",
        },
    }
}

fn operation_ctx(op: &Operation) -> OperationCtx {
    let params = |loc: ParamLocation| -> Vec<ParamCtx> {
        op.params
            .iter()
            .filter(|p| p.location == loc)
            .map(|p| ParamCtx {
                wire_name: p.wire_name.clone(),
                ident: p.ident.clone(),
                style: p.style,
                explode: p.explode,
                allow_reserved: p.allow_reserved,
                required: p.required,
            })
            .collect()
    };
    let return_type = match (&op.response.kind, &op.response.ty) {
        (ResponseKind::Empty, _) | (_, None) => "void".to_owned(),
        (_, Some(t)) if op.response.may_be_empty => format!("{} | undefined", ts_type(t, "M.")),
        (_, Some(t)) => ts_type(t, "M."),
    };
    let mut docs = op.docs.text();
    let errors: Vec<String> = op.errors.iter().map(|e| e.status.clone()).collect();
    if !errors.is_empty() {
        let throws = format!(
            "Throws ApiError for status {} (bodies typed by {}).",
            errors.join(", "),
            op.errors_type
        );
        emit::push_paragraph(&mut docs, "\n\n", &throws);
    }
    OperationCtx {
        ident: op.ident.clone(),
        method: op.method.clone(),
        path: op.path.clone(),
        docs,
        summary: emit::summary_line(&op.docs),
        deprecated: op.docs.deprecated,
        has_args: !op.params_type.is_empty(),
        params_optional: op.params_optional,
        params_type: op.params_type.clone(),
        return_type,
        response_kind: op.response.kind,
        accept: op.response.media_type.clone(),
        path_params: params(ParamLocation::Path),
        query_params: params(ParamLocation::Query),
        header_params: params(ParamLocation::Header),
        cookie_params: params(ParamLocation::Cookie),
        body: op.body.as_ref().map(|b| BodyCtx {
            ident: b.ident.clone(),
            kind: emit::body_kind(&b.kind),
            media_type: b.media_type.clone(),
            required: b.required,
        }),
        security: op.security.clone(),
        errors_type: op.errors_type.clone(),
        errors,
    }
}

fn params_interface(op: &Operation) -> InterfaceCtx {
    let mut members: Vec<MemberCtx> = op
        .params
        .iter()
        .map(|p| MemberCtx {
            key: escape::ts_property_key(&p.ident),
            optional: !p.required,
            readonly: false,
            ts_type: ts_type(&p.ty, ""),
            docs: param_docs(p),
            deprecated: p.docs.deprecated,
        })
        .collect();
    if let Some(b) = &op.body {
        let ty = match b.kind {
            BodyKind::Binary => "Blob | ArrayBuffer | Uint8Array | string".to_owned(),
            _ => ts_type(&b.ty, ""),
        };
        members.insert(
            0,
            MemberCtx {
                key: escape::ts_property_key(&b.ident),
                optional: !b.required,
                readonly: false,
                ts_type: ty,
                docs: emit::body_docs(b),
                deprecated: false,
            },
        );
    }
    InterfaceCtx {
        name: op.params_type.clone(),
        docs: format!("Arguments of `{} {}`.", op.method, op.path),
        members,
    }
}

fn param_docs(p: &Parameter) -> String {
    let location = emit::location_name(p.location);
    let mut text = format!("`{}` ({location} parameter).", p.wire_name);
    let own = p.docs.text();
    if !own.is_empty() {
        text.push(' ');
        text.push_str(&own);
    }
    text
}

fn errors_interface(op: &Operation) -> InterfaceCtx {
    InterfaceCtx {
        name: op.errors_type.clone(),
        docs: format!("Error bodies of `{} {}`, by status.", op.method, op.path),
        members: op
            .errors
            .iter()
            .map(|e| MemberCtx {
                key: escape::ts_property_key(&e.status),
                optional: false,
                readonly: false,
                ts_type: match &e.ty {
                    Some(t) if e.kind != ResponseKind::Empty => ts_type(t, ""),
                    _ => "unknown".into(),
                },
                docs: e.docs.text(),
                deprecated: false,
            })
            .collect(),
    }
}

fn type_ctx(def: &TypeDef) -> TypeCtx {
    let docs = def.docs.text();
    let deprecated = def.docs.deprecated;
    match &def.ty {
        Type::Object(o) => TypeCtx {
            name: def.name.clone(),
            docs,
            deprecated,
            is_interface: true,
            members: o.properties.iter().map(member_ctx).collect(),
            index_signature: o.additional.as_ref().map(|a| index_type(o, a)),
            alias: String::new(),
        },
        other => TypeCtx {
            name: def.name.clone(),
            docs,
            deprecated,
            is_interface: false,
            members: Vec::new(),
            index_signature: None,
            alias: ts_type(other, ""),
        },
    }
}

/// An index signature must admit every declared property's type, so it
/// is `unknown` unless there are no properties.
fn index_type(o: &ObjectType, additional: &Type) -> String {
    if o.properties.is_empty() {
        ts_type(additional, "")
    } else {
        "unknown".into()
    }
}

fn member_ctx(p: &Property) -> MemberCtx {
    let mut ts = ts_type(&p.ty, "");
    if p.nullable {
        ts = format!("{ts} | null");
    }
    let mut docs = p.docs.text();
    if p.write_only {
        docs.push_str("\n\nWrite-only: sent in requests, never returned.");
    }
    MemberCtx {
        key: escape::ts_property_key(&p.ident),
        optional: !p.required,
        readonly: p.read_only,
        ts_type: ts,
        docs,
        deprecated: p.docs.deprecated,
    }
}

/// The TypeScript type expression of `t`; named types get `prefix`
/// (`"M."` outside the models module).
pub fn ts_type(t: &Type, prefix: &str) -> String {
    match t {
        Type::String {
            format: StringFormat::Binary,
        } => "Blob".into(),
        Type::String { .. } => "string".into(),
        Type::Integer | Type::Number => "number".into(),
        Type::Boolean => "boolean".into(),
        Type::Null => "null".into(),
        Type::Unknown => "unknown".into(),
        Type::Ref { name } => format!("{prefix}{name}"),
        Type::Array { items } => format!("{}[]", wrapped(items, prefix)),
        Type::Map { values } => format!("{{ [key: string]: {} }}", ts_type(values, prefix)),
        Type::Object(o) => {
            let mut parts: Vec<String> = o
                .properties
                .iter()
                .map(|p| {
                    let m = member_ctx(p);
                    let mut ty = ts_type(&p.ty, prefix);
                    if p.nullable {
                        ty = format!("{ty} | null");
                    }
                    format!(
                        "{}{}{}: {}",
                        if m.readonly { "readonly " } else { "" },
                        m.key,
                        if m.optional { "?" } else { "" },
                        ty
                    )
                })
                .collect();
            if let Some(a) = &o.additional {
                let index = if o.properties.is_empty() {
                    ts_type(a, prefix)
                } else {
                    "unknown".into()
                };
                parts.push(format!("[key: string]: {index}"));
            }
            if parts.is_empty() {
                "{ [key: string]: never }".into()
            } else {
                format!("{{ {} }}", parts.join("; "))
            }
        }
        Type::Enum { values } => values
            .iter()
            .map(|v| literal(&v.value))
            .collect::<Vec<_>>()
            .join(" | "),
        Type::Const { value } => literal(value),
        Type::Union {
            variants,
            discriminator,
        } => variants
            .iter()
            .map(|v| variant(v, discriminator.as_ref(), prefix))
            .collect::<Vec<_>>()
            .join(" | "),
        Type::Intersection { parts } => parts
            .iter()
            .map(|p| wrapped(p, prefix))
            .collect::<Vec<_>>()
            .join(" & "),
        Type::Nullable { inner } => format!("{} | null", ts_type(inner, prefix)),
    }
}

fn variant(v: &Type, d: Option<&Discriminator>, prefix: &str) -> String {
    let printed = wrapped(v, prefix);
    let (Some(d), Type::Ref { name }) = (d, v) else {
        return printed;
    };
    let values: Vec<String> = d
        .mapping
        .iter()
        .filter(|(_, target)| target == name)
        .map(|(value, _)| escape::js_string(value))
        .collect();
    if values.is_empty() {
        return printed;
    }
    format!(
        "({printed} & {{ {}: {} }})",
        escape::ts_property_key(&d.property),
        values.join(" | ")
    )
}

fn wrapped(t: &Type, prefix: &str) -> String {
    let needs = match t {
        Type::Union { variants, .. } => variants.len() > 1,
        Type::Intersection { parts } => parts.len() > 1,
        Type::Enum { values } => values.len() > 1,
        Type::Nullable { .. } => true,
        _ => false,
    };
    let printed = ts_type(t, prefix);
    if needs {
        format!("({printed})")
    } else {
        printed
    }
}

fn literal(v: &Value) -> String {
    match v {
        Value::String(s) => escape::js_string(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        _ => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdk::testutil::{cat_or_dog, empty_api};

    #[test]
    fn package_names() {
        for ok in ["acme", "@acme/pets", "a.b-c_d~e", "x1"] {
            assert!(valid_package_name(ok), "{ok}");
        }
        for bad in ["", "Acme", "@acme", "@/x", ".x", "a b", "a\"b", "../x", "é"] {
            assert!(!valid_package_name(bad), "{bad}");
        }
    }

    #[test]
    fn strict_undefined_and_overrides() {
        let api = Api {
            servers: vec![Server {
                url: "/".into(),
                description: None,
                variables: vec![],
            }],
            ..empty_api(Language::TypeScript)
        };
        let options = TsOptions {
            package_name: "a".into(),
            package_version: "1.0.0".into(),
        };
        let mut env = Environment::new();
        configure(&mut env);
        for (name, source) in TEMPLATES {
            // Two broken overrides: the error names the one listed first
            // in TEMPLATES, whichever worker thread met its error first.
            let source = if name.ends_with("client.js.j2") || name.ends_with("/index.js.j2") {
                "{{ nope }}"
            } else {
                source
            };
            env.add_template(name, source).unwrap();
        }
        let err = render(&api, &options, &env).unwrap_err();
        assert!(
            matches!(&err, TsError::Template(e) if e.name == "typescript/client.js.j2"),
            "{err}"
        );
        let files = render(&api, &options, &builtin_environment()).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "README.md",
                "client.d.ts",
                "client.js",
                "index.d.ts",
                "index.js",
                "models.d.ts",
                "models.js",
                "package.json",
                "runtime.d.ts",
                "runtime.js"
            ]
        );
        let package: serde_json::Value = serde_json::from_str(&files[7].1).unwrap();
        assert_eq!(package["exports"]["."]["types"], "./index.d.ts");
        assert_eq!(package["type"], "module");
        let bad = TsOptions {
            package_name: "Bad Name".into(),
            package_version: "1".into(),
        };
        assert!(matches!(
            render(&api, &bad, &builtin_environment()),
            Err(TsError::PackageName(_))
        ));
    }

    #[test]
    fn type_expressions() {
        let s = Type::String {
            format: StringFormat::Plain,
        };
        let arr_of_union = Type::Array {
            items: Box::new(Type::Union {
                variants: vec![s.clone(), Type::Integer],
                discriminator: None,
            }),
        };
        assert_eq!(ts_type(&arr_of_union, ""), "(string | number)[]");
        let nullable_ref = Type::Ref { name: "Pet".into() }.nullable();
        assert_eq!(ts_type(&nullable_ref, "M."), "M.Pet | null");
        let e = Type::Enum {
            values: vec![
                EnumValue {
                    value: Value::String("a\"*/".into()),
                    ident: "A".into(),
                },
                EnumValue {
                    value: serde_json::json!(-1),
                    ident: "B".into(),
                },
            ],
        };
        assert_eq!(ts_type(&e, ""), "\"a\\\"*/\" | -1");
        let u = cat_or_dog();
        assert_eq!(ts_type(&u, ""), "(Cat & { \"pet-type\": \"cat\" }) | Dog");
    }
}
