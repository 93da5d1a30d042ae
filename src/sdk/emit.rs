//! What the emitters ([`super::typescript`], [`super::python`]) derive from
//! the model the same way whatever the language: the parts of the template
//! context that print no type (security schemes, the usage example, the
//! names templates give to locations and body kinds, one-line summaries),
//! and the doc-filter and paragraph helpers. Each emitter keeps only what
//! differs. Must not do I/O.

use minijinja::Environment;
use serde::Serialize;

use super::model::{
    Api, ApiKeyLocation, AuthKind, BodyKind, Docs, ParamLocation, RequestBody, SecurityScheme,
    Server,
};

/// Package-level choices that do not come from the spec, which every
/// emitter takes; each checks them by its registry's rules.
#[derive(Debug, Clone)]
pub struct PackageOptions {
    /// The package name as its registry spells it: npm (`@acme/pets` or
    /// `acme-pets`), or the Python distribution name, PEP 503-normalised
    /// (`acme-pets`).
    pub package_name: String,
    /// The package version (usually the spec's `info.version`; PEP 440 for
    /// Python, `1.2.0b1`).
    pub package_version: String,
}

/// The package and the API it is a client of, as every emitter's templates
/// see them (titles, metadata, the README's heading).
#[derive(Debug, Serialize)]
pub struct PackageCtx {
    pub package_name: String,
    pub package_version: String,
    pub api_name: String,
    pub api_version: String,
    pub api_docs: String,
    /// The first server's URL with its variables at their defaults.
    pub default_base_url: String,
}

impl PackageCtx {
    pub(crate) fn new(api: &Api, options: &PackageOptions) -> PackageCtx {
        PackageCtx {
            package_name: options.package_name.clone(),
            package_version: options.package_version.clone(),
            api_name: api.name.clone(),
            api_version: api.version.clone(),
            api_docs: api.docs.text(),
            default_base_url: api
                .servers
                .first()
                .map(Server::default_url)
                .unwrap_or_default(),
        }
    }
}

/// A security scheme as every emitter's templates see it; each emitter adds
/// the type of its credential beside it.
#[derive(Debug, Serialize)]
pub struct SchemeCtx {
    pub ident: String,
    pub key: String,
    /// `apiKey`, `bearer` or `basic`.
    pub kind: &'static str,
    /// `header`, `query` or `cookie` for API keys, else empty.
    pub location: &'static str,
    /// Header, query or cookie name for API keys, else empty.
    pub param_name: String,
    pub docs: String,
}

impl SchemeCtx {
    pub(crate) fn new(s: &SecurityScheme) -> SchemeCtx {
        let (kind, location, param_name) = match &s.kind {
            AuthKind::ApiKey { location, name } => {
                ("apiKey", api_key_location(*location), name.clone())
            }
            AuthKind::Bearer => ("bearer", "", String::new()),
            AuthKind::Basic => ("basic", "", String::new()),
        };
        SchemeCtx {
            ident: s.ident.clone(),
            key: s.key.clone(),
            kind,
            location,
            param_name,
            docs: s.docs.text(),
        }
    }
}

/// The operation a README's usage example calls.
#[derive(Debug, Serialize)]
pub struct ExampleCtx {
    pub resource: String,
    pub method: String,
}

/// The first operation that needs no argument: an example that runs as
/// printed.
pub(crate) fn example(api: &Api) -> Option<ExampleCtx> {
    api.resources.iter().find_map(|r| {
        r.operations
            .iter()
            .find(|op| op.params_optional)
            .map(|op| ExampleCtx {
                resource: r.ident.clone(),
                method: op.ident.clone(),
            })
    })
}

/// One line for listings: the first line of the summary, else of the
/// description.
pub(crate) fn summary_line(docs: &Docs) -> String {
    docs.summary
        .as_deref()
        .or(docs.description.as_deref())
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The documentation of a request body argument.
pub(crate) fn body_docs(b: &RequestBody) -> String {
    format!("Request body ({}). {}", b.media_type, b.docs.text())
}

/// A body's kind as the runtimes name it: `json`, `multipart`, `form`,
/// `text` or `binary`.
pub(crate) fn body_kind(kind: &BodyKind) -> &'static str {
    match kind {
        BodyKind::Json => "json",
        BodyKind::Multipart { .. } => "multipart",
        BodyKind::FormUrlEncoded => "form",
        BodyKind::Text => "text",
        BodyKind::Binary => "binary",
    }
}

/// A parameter's location as the runtimes and docs name it.
pub(crate) fn location_name(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

/// An API key's location as the runtimes name it.
fn api_key_location(l: ApiKeyLocation) -> &'static str {
    match l {
        ApiKeyLocation::Header => "header",
        ApiKeyLocation::Query => "query",
        ApiKeyLocation::Cookie => "cookie",
    }
}

/// Adds `name` as a filter printing a whole doc block with `block`, taking
/// the indent (default 0) and whether to mark it deprecated (default no),
/// the arguments every emitter's doc filter takes.
pub(crate) fn add_doc_filter(
    env: &mut Environment<'_>,
    name: &'static str,
    block: fn(&str, usize, bool) -> String,
) {
    env.add_filter(
        name,
        move |s: String, indent: Option<usize>, deprecated: Option<bool>| {
            block(&s, indent.unwrap_or(0), deprecated.unwrap_or(false))
        },
    );
}

/// Appends `paragraph` to `text`, after `separator` unless `text` is empty
/// (no leading blank line).
pub(crate) fn push_paragraph(text: &mut String, separator: &str, paragraph: &str) {
    if !text.is_empty() {
        text.push_str(separator);
    }
    text.push_str(paragraph);
}
