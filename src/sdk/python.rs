//! The Python emitter of the `generate` stage: prints an [`Api`] lowered for
//! [`Language::Python`] as a Python package (3.9+, `httpx` its only runtime
//! dependency) through the `templates/python/*.j2` templates: a sync
//! `Client` and an `AsyncClient`, dataclass models that read and write the
//! wire format, typed errors, `pyproject.toml`, `py.typed` and a README.
//! It only prints: names, optionality and shapes come from the model (see
//! [`super::reshape`] for what Python needs of it); every spec string
//! reaches the output through [`super::escape`] (as the filters
//! `py_string`, `py_string_single`, `py_doc`, `toml_string` and `md`, or
//! inside the pre-printed type and codec
//! expressions). Must not do I/O: the caller supplies the template
//! environment and writes the returned files.
//!
//! Use:
//!
//! ```text
//! let api = sdk::lower(&spec.upgraded, Language::Python);
//! let mut env = minijinja::Environment::new();
//! python::configure(&mut env);                     // filters, strict undefined
//! for (name, source) in python::TEMPLATES {        // or a user's override
//!     env.add_template(name, source)?;
//! }
//! let files = python::render(&api, &PyOptions { .. }, &env)?;
//! ```
//!
//! Layout: `pyproject.toml`, `README.md` and the import package
//! `<import_name>/` (`__init__.py`, `client.py`, `models.py`,
//! `_runtime.py`, `py.typed`); templates under `python/package/` are
//! written into the import package.
//!
//! Printing rules a reader of the generated code should know:
//!
//! - A named object is a dataclass; a named enum an `Enum` (with `str` or
//!   `int` mixed in when every value is one); any other named type a type
//!   alias. Aliases are printed after the classes, an alias that is just
//!   another alias's name after that alias (it is evaluated at import).
//! - A property the spec does not require is `Union[T, Unset] = UNSET`, a
//!   nullable one `Optional[T]`: absent and `null` stay apart. Dataclass
//!   fields without a default come first (Python requires it); a required
//!   `const` property defaults to its value. Keys the spec does not declare
//!   are kept in `additional_properties`.
//! - Each type's wire names, types and flags are also printed as a table
//!   of JSON lines (`_r.load_types(...)`, see [`type_table`]) that
//!   `from_dict` and `to_dict` follow; operations carry the same codec
//!   notation. Unions try their variants (or follow the discriminator).
//! - An intersection the model could not merge, and an inline object or
//!   enum (the model names both, so only as a fallback), are `Any`.
//! - Optional operation arguments are keyword arguments that default to
//!   `None`, which is not sent.

use minijinja::{Environment, Value as JValue};
use serde::Serialize;
use serde_json::{Value, json};

use super::emit::{self, ExampleCtx};
use super::escape;
use super::model::*;
use super::naming::{self, Language};

/// Every template of the package, by name, with its built-in source. The
/// output file is the name without the `python/` prefix and `.j2`, with
/// `package/` replaced by the import name.
/// Largest output first: `render_all` hands them out in this order.
pub const TEMPLATES: super::Templates = super::builtin_files!(
    "python",
    ".j2",
    [
        "package/models.py",
        "package/client.py",
        "README.md",
        "pyproject.toml",
        "package/__init__.py",
    ]
);

/// The package's files that do not vary with the spec (the runtime,
/// `py.typed`, `.gitignore`), copied as they are; see [`super::StaticFiles`].
pub const STATIC: super::StaticFiles = super::builtin_files!(
    "python",
    "",
    ["package/_runtime.py", "package/py.typed", ".gitignore"]
);

/// Whether a path in the package folder (relative, `/`-separated) is what
/// building, installing or checking the package leaves there (`build/`,
/// `*.egg-info/`, `__pycache__/`, ...), which the generator neither writes
/// nor removes. The generated `.gitignore` lists the same.
pub fn is_build_artifact(relative: &str) -> bool {
    let mut parts = relative.split('/');
    let first = parts.next().unwrap_or_default();
    matches!(first, "build" | "dist" | ".mypy_cache" | ".pytest_cache")
        || first.ends_with(".egg-info")
        || relative
            .split('/')
            .any(|p| p == "__pycache__" || p.ends_with(".pyc"))
}

/// Package-level choices that do not come from the spec: the distribution
/// name, PEP 503-normalised (`acme-pets`), and the version, PEP 440
/// (`1.2.0b1`); [`render`] rejects others.
pub type PyOptions = emit::PackageOptions;

#[derive(Debug, thiserror::Error)]
pub enum PyError {
    #[error(
        "{0:?} is not a valid Python distribution name (ASCII letters, digits and -_., starting and ending with a letter or digit)"
    )]
    PackageName(String),
    #[error("{0:?} is not a PEP 440 version (try {1:?})")]
    PackageVersion(String, String),
    #[error(transparent)]
    Template(#[from] super::TemplateError),
}

/// Adds the escaping filters and the settings the Python templates need.
pub fn configure(env: &mut Environment<'_>) {
    super::configure_common(env);
    env.add_filter("py_string", |s: String| escape::py_string(&s));
    env.add_filter("py_string_single", |s: String| escape::py_string_single(&s));
    env.add_filter("toml_string", |s: String| escape::toml_string(&s));
    emit::add_doc_filter(env, "py_doc", escape::py_docstring);
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
    options: &PyOptions,
    env: &Environment<'_>,
) -> Result<Vec<(String, String)>, PyError> {
    debug_assert_eq!(api.language, Language::Python);
    if naming::python_distribution_name(&options.package_name).as_deref()
        != Some(options.package_name.as_str())
    {
        return Err(PyError::PackageName(options.package_name.clone()));
    }
    let v = &options.package_version;
    if crate::pep440::from_any(v) != *v {
        return Err(PyError::PackageVersion(
            v.clone(),
            crate::pep440::from_any(v),
        ));
    }
    let ctx = context(api, options);
    let import_name = ctx.import_name.clone();
    let ctx = JValue::from_serialize(ctx);
    super::render_all(env, TEMPLATES, STATIC, ctx, |name| {
        let relative = name.trim_start_matches("python/").trim_end_matches(".j2");
        match relative.strip_prefix("package/") {
            Some(file) => format!("{import_name}/{file}"),
            None => relative.to_owned(),
        }
    })
    .map_err(Into::into)
}

/// Everything the templates see.
#[derive(Debug, Serialize)]
pub struct PyContext {
    /// Flattened: templates see `package_name` (the distribution name,
    /// `pip install <package_name>`), `api_name`, ... at the top.
    #[serde(flatten)]
    pub package: emit::PackageCtx,
    /// One line for the package metadata.
    pub package_summary: String,
    /// The importable package (`import <import_name>`).
    pub import_name: String,
    pub server_url: String,
    pub server_variables: Vec<ServerVariableCtx>,
    pub schemes: Vec<SchemeCtx>,
    pub resources: Vec<ResourceCtx>,
    pub enums: Vec<EnumCtx>,
    pub classes: Vec<ClassCtx>,
    pub aliases: Vec<AliasCtx>,
    /// How each named type reads the wire format: one JSON document per
    /// type (see [`type_table`]).
    pub type_table: Vec<String>,
    /// Every model name, for `__all__`.
    pub model_names: Vec<String>,
    /// The first operation that needs no argument, for usage examples.
    pub example: Option<ExampleCtx>,
}

#[derive(Debug, Serialize)]
pub struct ServerVariableCtx {
    pub name: String,
    pub default: String,
    pub allowed: Vec<String>,
    pub docs: String,
}

/// A security scheme and the annotation of its `Auth` field.
#[derive(Debug, Serialize)]
pub struct SchemeCtx {
    /// Flattened: templates see `s.kind`, `s.location`, ... directly.
    #[serde(flatten)]
    pub scheme: emit::SchemeCtx,
    pub annotation: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ResourceCtx {
    pub ident: String,
    pub class_name: String,
    pub async_class_name: String,
    pub source: String,
    pub operations: Vec<OperationCtx>,
}

#[derive(Debug, Serialize)]
pub struct OperationCtx {
    pub ident: String,
    /// The module-level constant holding the operation's descriptor.
    pub descriptor: String,
    pub method: String,
    pub path: String,
    pub docs: String,
    /// One line for listings.
    pub summary: String,
    pub deprecated: bool,
    /// Keyword arguments, in the model's order (body first).
    pub args: Vec<ArgCtx>,
    pub return_annotation: String,
    /// `cast(...)` the transport's result (not when it is `None` or `Any`).
    pub cast: bool,
    pub returns_none: bool,
    /// `json`, `text`, `binary` or `empty`.
    pub response_kind: &'static str,
    pub accept: Option<String>,
    pub decoder: String,
    pub params: Vec<ParamCtx>,
    pub body: Option<BodyCtx>,
    pub errors: Vec<ErrorCtx>,
    pub security: Vec<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct ArgCtx {
    pub ident: String,
    pub annotation: String,
    pub required: bool,
}

#[derive(Debug, Serialize)]
pub struct ParamCtx {
    pub wire_name: String,
    pub ident: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: &'static str,
    pub style: &'static str,
    pub explode: bool,
    pub allow_reserved: bool,
    pub codec: String,
}

#[derive(Debug, Serialize)]
pub struct BodyCtx {
    pub ident: String,
    /// `json`, `multipart`, `form`, `text` or `binary`.
    pub kind: &'static str,
    pub media_type: String,
    /// Wire names of multipart file fields.
    pub files: Vec<String>,
    pub codec: String,
}

#[derive(Debug, Serialize)]
pub struct ErrorCtx {
    pub status: String,
    pub codec: String,
}

#[derive(Debug, Serialize)]
pub struct EnumCtx {
    pub name: String,
    pub docs: String,
    pub deprecated: bool,
    /// The bases: `str, Enum`, `int, Enum` or `Enum`.
    pub bases: &'static str,
    pub members: Vec<EnumMemberCtx>,
}

#[derive(Debug, Serialize)]
pub struct EnumMemberCtx {
    pub ident: String,
    /// A Python literal.
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct ClassCtx {
    pub name: String,
    pub docs: String,
    pub deprecated: bool,
    pub fields: Vec<FieldCtx>,
    /// The value type of `additional_properties`.
    pub additional_annotation: String,
}

#[derive(Debug, Serialize)]
pub struct FieldCtx {
    pub ident: String,
    pub annotation: String,
    /// The default as Python source, if the field has one.
    pub default: Option<String>,
    pub docs: String,
    pub deprecated: bool,
}

#[derive(Debug, Serialize)]
pub struct AliasCtx {
    pub name: String,
    pub docs: String,
    pub expr: String,
}

/// Where a type expression is printed.
#[derive(Clone, Copy)]
struct Site {
    /// Prefix of named types (`models.` outside the models module).
    prefix: &'static str,
    /// Named types as string literals (forward references in an alias,
    /// which is evaluated at import).
    quoted: bool,
}

const IN_MODELS: Site = Site {
    prefix: "",
    quoted: false,
};
const IN_ALIAS: Site = Site {
    prefix: "",
    quoted: true,
};
const IN_CLIENT: Site = Site {
    prefix: "models.",
    quoted: false,
};

fn context(api: &Api, options: &PyOptions) -> PyContext {
    let server = api.servers.first();
    let mut enums = Vec::new();
    let mut classes = Vec::new();
    let mut aliases = Vec::new();
    for def in &api.types {
        match &def.ty {
            Type::Object(o) => classes.push(class_ctx(def, o)),
            Type::Enum { values } => enums.push(enum_ctx(def, values)),
            other => aliases.push(AliasCtx {
                name: def.name.clone(),
                docs: def.docs.text(),
                expr: alias_expr(other),
            }),
        }
    }
    let model_names = api.types.iter().map(|t| t.name.clone()).collect();
    PyContext {
        package: emit::PackageCtx::new(api, options),
        package_summary: format!(
            "Python client for {} (generated by specrelay)",
            api.name.split_whitespace().collect::<Vec<_>>().join(" ")
        ),
        import_name: naming::python_import_name(&options.package_name),
        server_url: server.map(|s| s.url.clone()).unwrap_or_default(),
        server_variables: server
            .map(|s| {
                s.variables
                    .iter()
                    .map(|v| ServerVariableCtx {
                        name: v.name.clone(),
                        default: v.default.clone(),
                        allowed: v.allowed.clone(),
                        docs: v.description.clone().unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        schemes: api.security_schemes.iter().map(scheme_ctx).collect(),
        resources: api
            .resources
            .iter()
            .map(|r| ResourceCtx {
                ident: r.ident.clone(),
                class_name: r.type_name.clone(),
                async_class_name: r.async_type_name.clone(),
                source: r.source.clone(),
                operations: r
                    .operations
                    .iter()
                    .map(|op| operation_ctx(op, &r.type_name))
                    .collect(),
            })
            .collect(),
        enums,
        classes,
        aliases: in_definition_order(aliases),
        type_table: api.types.iter().map(type_table).collect(),
        model_names,
        example: emit::example(api),
    }
}

/// Aliases ordered so that one that is just another alias's name comes
/// after it (its right-hand side is evaluated at import); otherwise in the
/// model's order. The model leaves no cycle of such bare references.
fn in_definition_order(aliases: Vec<AliasCtx>) -> Vec<AliasCtx> {
    let names: Vec<String> = aliases.iter().map(|a| a.name.clone()).collect();
    let bare_dependency = |a: &AliasCtx| names.iter().position(|n| *n == a.expr);
    let mut placed = vec![false; aliases.len()];
    let mut order = Vec::with_capacity(aliases.len());
    fn place(
        i: usize,
        deps: &dyn Fn(usize) -> Option<usize>,
        placed: &mut [bool],
        order: &mut Vec<usize>,
        depth: usize,
    ) {
        if placed[i] || depth > placed.len() {
            return;
        }
        placed[i] = true;
        if let Some(d) = deps(i) {
            place(d, deps, placed, order, depth + 1);
        }
        order.push(i);
    }
    let deps = |i: usize| bare_dependency(&aliases[i]);
    for i in 0..aliases.len() {
        place(i, &deps, &mut placed, &mut order, 0);
    }
    let mut slots: Vec<Option<AliasCtx>> = aliases.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn scheme_ctx(s: &SecurityScheme) -> SchemeCtx {
    SchemeCtx {
        scheme: emit::SchemeCtx::new(s),
        annotation: match s.kind {
            AuthKind::Basic => "Optional[BasicCredentials]",
            AuthKind::ApiKey { .. } | AuthKind::Bearer => "Optional[Credential]",
        },
    }
}

fn enum_ctx(def: &TypeDef, values: &[EnumValue]) -> EnumCtx {
    let all = |f: fn(&Value) -> bool| values.iter().all(|v| f(&v.value));
    let bases = if all(Value::is_string) {
        "str, Enum"
    } else if all(|v| v.is_i64() || v.is_u64()) {
        "int, Enum"
    } else {
        "Enum"
    };
    EnumCtx {
        name: def.name.clone(),
        docs: def.docs.text(),
        deprecated: def.docs.deprecated,
        bases,
        members: values
            .iter()
            .map(|v| EnumMemberCtx {
                ident: v.ident.clone(),
                value: literal(&v.value),
            })
            .collect(),
    }
}

fn class_ctx(def: &TypeDef, o: &ObjectType) -> ClassCtx {
    let mut fields: Vec<FieldCtx> = o.properties.iter().map(field_ctx).collect();
    // Dataclass fields without a default must come first.
    fields.sort_by_key(|f| f.default.is_some());
    ClassCtx {
        name: def.name.clone(),
        docs: def.docs.text(),
        deprecated: def.docs.deprecated,
        fields,
        additional_annotation: o
            .additional
            .as_ref()
            .map_or_else(|| "Any".to_owned(), |a| py_type(a, IN_MODELS)),
    }
}

/// One line of the models' type table: `{"enum": name}`, `{"model": name,
/// "props": [[wire, attribute, codec, required, nullable], ...],
/// "additional": codec or null}` or `{"alias": name, "codec": codec}`. A
/// table read once at import, rather than a call per type, keeps both the
/// import and type checkers fast on specs with thousands of types.
fn type_table(def: &TypeDef) -> String {
    let entry = match &def.ty {
        Type::Enum { .. } => json!({ "enum": def.name }),
        Type::Object(o) => json!({
            "model": def.name,
            "props": o
                .properties
                .iter()
                .map(|p| json!([p.wire_name, p.ident, codec(&p.ty), p.required, p.nullable]))
                .collect::<Vec<_>>(),
            "additional": o.additional.as_ref().map(|a| codec(a)),
        }),
        other => json!({ "alias": def.name, "codec": codec(other) }),
    };
    entry.to_string()
}

fn field_ctx(p: &Property) -> FieldCtx {
    let mut members = vec![py_type(&p.ty, IN_MODELS)];
    if p.nullable {
        members.push("None".into());
    }
    if !p.required {
        members.push("Unset".into());
    }
    let annotation = match members.as_slice() {
        [one] => one.clone(),
        [t, none] if none == "None" => format!("Optional[{t}]"),
        _ => format!("Union[{}]", members.join(", ")),
    };
    let default = match (&p.ty, p.required, p.nullable) {
        (_, false, _) => Some("UNSET".to_owned()),
        (Type::Const { value }, true, false) if const_literal(value).is_some() => {
            Some(literal(value))
        }
        _ => None,
    };
    let mut docs = p.docs.text();
    let mut notes = Vec::new();
    if p.wire_name != p.ident {
        notes.push(format!("Wire name: {}.", escape::py_string(&p.wire_name)));
    }
    if p.read_only {
        notes.push("Read-only: returned in responses, ignored in requests.".to_owned());
    }
    if p.write_only {
        notes.push("Write-only: sent in requests, never returned.".to_owned());
    }
    if !notes.is_empty() {
        emit::push_paragraph(&mut docs, "\n\n", &notes.join(" "));
    }
    FieldCtx {
        ident: p.ident.clone(),
        annotation,
        default,
        docs,
        deprecated: p.docs.deprecated,
    }
}

fn operation_ctx(op: &Operation, resource_type: &str) -> OperationCtx {
    let (args, arg_docs) = arguments(op);
    let (return_annotation, response_kind) = returns(op);
    let decoder = match (op.response.kind, &op.response.ty) {
        (ResponseKind::Json, Some(t)) => codec_text(t),
        _ => "\"any\"".to_owned(),
    };
    let errors: Vec<ErrorCtx> = op
        .errors
        .iter()
        .filter_map(|e| match (e.kind, &e.ty) {
            (ResponseKind::Json, Some(t)) => Some(ErrorCtx {
                status: e.status.clone(),
                codec: codec_text(t),
            }),
            _ => None,
        })
        .collect();
    OperationCtx {
        ident: op.ident.clone(),
        descriptor: format!("_OP_{resource_type}_{}", op.ident),
        method: op.method.clone(),
        path: op.path.clone(),
        docs: operation_docs(op, &arg_docs),
        summary: emit::summary_line(&op.docs),
        deprecated: op.docs.deprecated,
        args,
        cast: return_annotation != "None" && return_annotation != "Any",
        returns_none: return_annotation == "None",
        return_annotation,
        response_kind,
        accept: op.response.media_type.clone(),
        decoder,
        params: op.params.iter().map(param_ctx).collect(),
        body: op.body.as_ref().map(body_ctx),
        errors,
        security: op.security.clone(),
    }
}

/// The keyword arguments (body first, then parameters, in the model's
/// order) and each one's line for the docstring.
fn arguments(op: &Operation) -> (Vec<ArgCtx>, Vec<(String, String)>) {
    let mut args = Vec::new();
    let mut arg_docs = Vec::new();
    if let Some(b) = &op.body {
        let annotation = match b.kind {
            BodyKind::Binary => "bytes".to_owned(),
            BodyKind::Text => "str".to_owned(),
            _ => py_type(&b.ty, IN_CLIENT),
        };
        args.push(arg(&b.ident, annotation, b.required));
        arg_docs.push((b.ident.clone(), emit::body_docs(b)));
    }
    for p in &op.params {
        args.push(arg(&p.ident, py_type(&p.ty, IN_CLIENT), p.required));
        arg_docs.push((
            p.ident.clone(),
            format!(
                "`{}` ({} parameter){}. {}",
                p.wire_name,
                emit::location_name(p.location),
                if p.docs.deprecated {
                    ", deprecated"
                } else {
                    ""
                },
                p.docs.text()
            ),
        ));
    }
    (args, arg_docs)
}

/// The return annotation (`Optional[...]` when the response may be empty)
/// and the response kind the transport reads.
fn returns(op: &Operation) -> (String, &'static str) {
    let (annotation, kind) = match (op.response.kind, &op.response.ty) {
        (ResponseKind::Empty, _) | (_, None) => ("None".to_owned(), "empty"),
        (ResponseKind::Json, Some(t)) => (py_type(t, IN_CLIENT), "json"),
        (ResponseKind::Text, _) => ("str".to_owned(), "text"),
        (ResponseKind::Binary, _) => ("bytes".to_owned(), "binary"),
    };
    if op.response.may_be_empty && annotation != "None" {
        (format!("Optional[{annotation}]"), kind)
    } else {
        (annotation, kind)
    }
}

fn param_ctx(p: &Parameter) -> ParamCtx {
    ParamCtx {
        wire_name: p.wire_name.clone(),
        ident: p.ident.clone(),
        location: emit::location_name(p.location),
        style: match p.style {
            ParamStyle::Simple => "simple",
            ParamStyle::Label => "label",
            ParamStyle::Matrix => "matrix",
            ParamStyle::Form => "form",
            ParamStyle::SpaceDelimited => "spaceDelimited",
            ParamStyle::PipeDelimited => "pipeDelimited",
            ParamStyle::DeepObject => "deepObject",
            ParamStyle::Json => "json",
        },
        explode: p.explode,
        allow_reserved: p.allow_reserved,
        codec: codec_text(&p.ty),
    }
}

fn body_ctx(b: &RequestBody) -> BodyCtx {
    BodyCtx {
        ident: b.ident.clone(),
        kind: emit::body_kind(&b.kind),
        media_type: b.media_type.clone(),
        files: match &b.kind {
            BodyKind::Multipart { files } => files.clone(),
            _ => Vec::new(),
        },
        codec: match b.kind {
            BodyKind::Binary => "\"bytes\"".to_owned(),
            BodyKind::Text => "\"str\"".to_owned(),
            _ => codec_text(&b.ty),
        },
    }
}

fn arg(ident: &str, annotation: String, required: bool) -> ArgCtx {
    ArgCtx {
        ident: ident.to_owned(),
        annotation: if required {
            annotation
        } else {
            format!("Optional[{annotation}]")
        },
        required,
    }
}

/// The method's docstring: the spec's text, then `Args:` (one line each)
/// and `Raises:`.
fn operation_docs(op: &Operation, args: &[(String, String)]) -> String {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut docs = op.docs.text();
    if docs.trim().is_empty() {
        docs = format!("`{} {}`.", op.method, op.path);
    }
    let mut section = |title: &str, lines: Vec<String>| {
        emit::push_paragraph(&mut docs, "\n\n", title);
        for line in lines {
            docs.push_str("\n    ");
            docs.push_str(&line);
        }
    };
    let mut lines: Vec<String> = args
        .iter()
        .map(|(ident, text)| format!("{ident}: {}", one_line(text)))
        .collect();
    lines.push("options: Per-call headers, timeout and retries.".to_owned());
    section("Args:", lines);
    let statuses: Vec<&str> = op.errors.iter().map(|e| e.status.as_str()).collect();
    let declared = if statuses.is_empty() {
        String::new()
    } else {
        format!(
            " The spec declares {}; `parsed` holds such a body decoded.",
            statuses.join(", ")
        )
    };
    section(
        "Raises:",
        vec![format!(
            "ApiError: the response status is not 2xx.{declared}"
        )],
    );
    docs
}

/// The right-hand side of a type alias.
fn alias_expr(t: &Type) -> String {
    match t {
        // A bare name is evaluated at import: the class is defined above,
        // or the alias is ordered after it (see `in_definition_order`).
        Type::Ref { name } => name.clone(),
        // A union of one (kept for its discriminator) is that one type.
        Type::Union { variants, .. } if variants.len() == 1 => alias_expr(&variants[0]),
        // `X = None` would be a variable, not an alias.
        Type::Null => "Literal[None]".into(),
        other => py_type(other, IN_ALIAS),
    }
}

/// The Python annotation of `t` at `site`.
fn py_type(t: &Type, site: Site) -> String {
    match t {
        Type::String {
            format: StringFormat::Binary,
        } => "bytes".into(),
        Type::String { .. } => "str".into(),
        Type::Integer => "int".into(),
        Type::Number => "float".into(),
        Type::Boolean => "bool".into(),
        Type::Null => "None".into(),
        Type::Unknown => "Any".into(),
        Type::Ref { name } if site.quoted => format!("\"{}{name}\"", site.prefix),
        Type::Ref { name } => format!("{}{name}", site.prefix),
        Type::Array { items } => format!("List[{}]", py_type(items, site)),
        Type::Map { values } => format!("Dict[str, {}]", py_type(values, site)),
        Type::Object(_) => "Dict[str, Any]".into(),
        // Named by the model; a fallback only.
        Type::Enum { .. } | Type::Intersection { .. } => "Any".into(),
        Type::Const { value } => match const_literal(value) {
            Some(lit) => format!("Literal[{lit}]"),
            None => "float".into(),
        },
        Type::Union { variants, .. } => {
            let printed: Vec<String> = variants.iter().map(|v| py_type(v, site)).collect();
            match printed.len() {
                1 => printed.into_iter().next().unwrap_or_default(),
                _ => format!("Union[{}]", printed.join(", ")),
            }
        }
        Type::Nullable { inner } => format!("Optional[{}]", py_type(inner, site)),
    }
}

/// How the runtime reads `t` from decoded JSON, in the notation
/// `_runtime.codec` reads: a scalar keyword (`str`, `int`, `float`, `bool`,
/// `none`, `any`, `bytes`), a type name (always capitalised), or an object
/// `{"list": c}`, `{"map": c}`, `{"nullable": c}`, `{"const": value}`,
/// `{"union": [c, ...], "discriminator": property, "mapping": {value:
/// name}}`.
fn codec(t: &Type) -> Value {
    match t {
        Type::String {
            format: StringFormat::Binary,
        } => json!("bytes"),
        Type::String { .. } => json!("str"),
        Type::Integer => json!("int"),
        Type::Number => json!("float"),
        Type::Boolean => json!("bool"),
        Type::Null => json!("none"),
        Type::Unknown | Type::Enum { .. } | Type::Intersection { .. } => json!("any"),
        Type::Ref { name } => json!(name),
        Type::Array { items } => json!({ "list": codec(items) }),
        Type::Map { values } => json!({ "map": codec(values) }),
        Type::Object(_) => json!({ "map": "any" }),
        Type::Const { value } => json!({ "const": value }),
        Type::Union {
            variants,
            discriminator,
        } => {
            let variants: Vec<Value> = variants.iter().map(codec).collect();
            match discriminator {
                Some(d) => {
                    let mapping: serde_json::Map<String, Value> = d
                        .mapping
                        .iter()
                        .map(|(value, name)| (value.clone(), json!(name)))
                        .collect();
                    json!({ "union": variants, "discriminator": d.property, "mapping": mapping })
                }
                None => json!({ "union": variants }),
            }
        }
        Type::Nullable { inner } => json!({ "nullable": codec(inner) }),
    }
}

/// [`codec`] as JSON text.
fn codec_text(t: &Type) -> String {
    codec(t).to_string()
}

/// A `Literal[...]` member for a JSON scalar, if Python allows it there
/// (not floats).
fn const_literal(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) if n.is_f64() => None,
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => Some(literal(v)),
        _ => None,
    }
}

/// A JSON scalar as a Python literal.
fn literal(v: &Value) -> String {
    match v {
        Value::String(s) => escape::py_string(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        // The model only holds scalars here.
        other => escape::py_string(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdk::testutil::{cat_or_dog, empty_api};

    #[test]
    fn type_expressions_and_codecs() {
        let s = Type::String {
            format: StringFormat::Plain,
        };
        let union = Type::Union {
            variants: vec![s.clone(), Type::Integer],
            discriminator: None,
        };
        let list = Type::Array {
            items: Box::new(union),
        };
        assert_eq!(py_type(&list, IN_MODELS), "List[Union[str, int]]");
        assert_eq!(codec_text(&list), r#"{"list":{"union":["str","int"]}}"#);
        let pet = Type::Ref { name: "Pet".into() }.nullable();
        assert_eq!(py_type(&pet, IN_CLIENT), "Optional[models.Pet]");
        assert_eq!(py_type(&pet, IN_ALIAS), "Optional[\"Pet\"]");
        assert_eq!(codec_text(&pet), r#"{"nullable":"Pet"}"#);
        let c = Type::Const {
            value: Value::String("a\"*/\n".into()),
        };
        assert_eq!(py_type(&c, IN_MODELS), "Literal[\"a\\\"*/\\n\"]");
        assert_eq!(codec_text(&c), r#"{"const":"a\"*/\n"}"#);
        let f = Type::Const {
            value: serde_json::json!(1.5),
        };
        assert_eq!(py_type(&f, IN_MODELS), "float");
        let d = cat_or_dog();
        assert_eq!(
            codec_text(&d),
            r#"{"union":["Cat","Dog"],"discriminator":"pet-type","mapping":{"cat":"Cat"}}"#
        );
        assert_eq!(alias_expr(&Type::Null), "Literal[None]");
        assert_eq!(alias_expr(&Type::Ref { name: "A".into() }), "A");
        let one = Type::Union {
            variants: vec![Type::Ref { name: "A".into() }],
            discriminator: None,
        };
        assert_eq!(alias_expr(&one), "A");
        let def = TypeDef {
            name: "Pet".into(),
            schema_key: None,
            docs: Docs::default(),
            ty: Type::Object(ObjectType {
                properties: vec![Property {
                    wire_name: "pet-id".into(),
                    ident: "pet_id".into(),
                    required: true,
                    nullable: false,
                    ty: Type::Integer,
                    read_only: false,
                    write_only: false,
                    docs: Docs::default(),
                }],
                additional: None,
            }),
        };
        assert_eq!(
            type_table(&def),
            r#"{"model":"Pet","props":[["pet-id","pet_id","int",true,false]],"additional":null}"#
        );
    }

    #[test]
    fn build_artifacts() {
        for artifact in [
            "build/lib/x.py",
            "dist/x.whl",
            "acme.egg-info/PKG-INFO",
            "acme/__pycache__/client.cpython-311.pyc",
            "acme/client.pyc",
            ".mypy_cache/3.9/x.json",
        ] {
            assert!(is_build_artifact(artifact), "{artifact}");
        }
        for generated in [
            "acme/client.py",
            "README.md",
            "pyproject.toml",
            ".gitignore",
        ] {
            assert!(!is_build_artifact(generated), "{generated}");
        }
    }

    #[test]
    fn bare_aliases_follow_their_target() {
        let alias = |name: &str, expr: &str| AliasCtx {
            name: name.into(),
            docs: String::new(),
            expr: expr.into(),
        };
        let ordered = in_definition_order(vec![
            alias("A", "B"),
            alias("B", "C"),
            alias("C", "List[\"A\"]"),
            alias("D", "str"),
        ]);
        let names: Vec<&str> = ordered.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["C", "B", "A", "D"]);
    }

    #[test]
    fn options_are_checked() {
        let api = empty_api(Language::Python);
        let env = builtin_environment();
        let ok = PyOptions {
            package_name: "a-b".into(),
            package_version: "1.0.0b1".into(),
        };
        let files = render(&api, &ok, &env).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                ".gitignore",
                "README.md",
                "a_b/__init__.py",
                "a_b/_runtime.py",
                "a_b/client.py",
                "a_b/models.py",
                "a_b/py.typed",
                "pyproject.toml"
            ]
        );
        let bad_name = PyOptions {
            package_name: "A_B".into(),
            ..ok.clone()
        };
        assert!(matches!(
            render(&api, &bad_name, &env),
            Err(PyError::PackageName(_))
        ));
        let bad_version = PyOptions {
            package_version: "1.0.0-beta.1".into(),
            ..ok
        };
        let err = render(&api, &bad_version, &env).unwrap_err();
        assert!(err.to_string().contains("1.0.0b1"), "{err}");
    }
}
