//! Structural validation of a bundled OpenAPI 3.0/3.1 document, for every
//! stage that loads a spec. Findings carry the pointer of the offending node
//! in the bundled document; `load` maps them back to source files.
//!
//! `$ref` resolvability and `$ref` cycles are checked while bundling (on the
//! source documents); this module only follows the local refs left.
//!
//! Errors: `info` object with string `title` and `version`; 3.0 needs
//! `paths`, 3.1 one of `paths`/`components`/`webhooks`; path keys start with
//! `/` and no two differ only in parameter names; path items have only valid
//! fields; every `{param}` of a path is declared `in: path` (operation or path
//! item, refs followed) and every declared path parameter is in the template;
//! path parameters are `required: true`; parameters have `name`, a valid `in`
//! and exactly one of `schema`/`content` (`content` with one entry); no
//! duplicate (name, in) in one list; unique `operationId`s; `responses` present
//! and non-empty (a warning in 3.1) with keys `default`, `1XX`..`5XX` or
//! 100..599; responses have a `description`; request bodies have `content`;
//! `example` and `examples` are exclusive, as are Example `value` and
//! `externalValue`; security requirements name schemes from
//! `components.securitySchemes` and list scopes as arrays; security schemes
//! have a valid `type` (`mutualTLS` in 3.1 only) and their required fields
//! (apiKey: name + in; http: scheme; oauth2: flows with each flow's URLs and
//! scopes; openIdConnect: openIdConnectUrl); server URL `{vars}` are defined,
//! each variable has a string `default` that is in its non-empty `enum`;
//! schema `type` is valid (a single string without "null" in 3.0, a string or
//! array of unique valid names in 3.1), `required` is an array of strings,
//! `nullable` is a boolean, 3.0 `exclusiveMinimum`/`Maximum` are booleans, a
//! discriminator has `propertyName`.
//!
//! Warnings: no responses in 3.1; a request body on GET/HEAD/DELETE; a 3.0
//! array schema without `items`; `nullable` or boolean exclusive bounds in 3.1;
//! a header with `name`/`in`, or with neither `schema` nor `content`.
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::pointer;
use super::problem::Severity;
use super::version::OpenApiVersion;
use super::walk::{self, Kind, OPERATION_KEYS, Shape};

pub type Finding = (String, Severity, String);

pub fn validate(doc: &Value, version: &OpenApiVersion) -> Vec<Finding> {
    let mut v = Validator {
        doc,
        is_31: version.is_31(),
        out: Vec::new(),
        operation_ids: HashMap::new(),
        scheme_names: doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default(),
    };
    v.root();
    let mut ptr = String::new();
    walk::visit_objects(
        doc,
        Shape::One(Kind::Document),
        &mut ptr,
        &mut |value, kind, at| v.object(value, kind, at),
    );
    v.out
}

struct Validator<'a> {
    doc: &'a Value,
    is_31: bool,
    out: Vec<Finding>,
    operation_ids: HashMap<String, String>,
    scheme_names: HashSet<String>,
}

const PATH_ITEM_FIELDS: [&str; 5] = ["$ref", "summary", "description", "servers", "parameters"];
const PARAMETER_IN: [&str; 4] = ["query", "header", "path", "cookie"];

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `{name}` segments of a path template or server URL.
fn template_names(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        names.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    names
}

fn is_response_key(key: &str) -> bool {
    if key == "default" {
        return true;
    }
    let b = key.as_bytes();
    if b.len() != 3 || !(b'1'..=b'5').contains(&b[0]) {
        return false;
    }
    (b[1] == b'X' && b[2] == b'X') || (b[1].is_ascii_digit() && b[2].is_ascii_digit())
}

impl<'a> Validator<'a> {
    fn error(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.out.push((at.into(), Severity::Error, message.into()));
    }

    fn warn(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.out
            .push((at.into(), Severity::Warning, message.into()));
    }

    /// Follows local refs (bounded); `None` when dangling or looping.
    fn deref<'v>(&self, mut value: &'v Value) -> Option<&'v Value>
    where
        'a: 'v,
    {
        for _ in 0..32 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let ptr = pointer::percent_decode(r.strip_prefix('#')?);
                    value = pointer::get(self.doc, &ptr)?;
                }
                None => return Some(value),
            }
        }
        None
    }

    fn root(&mut self) {
        let doc = self.doc;
        match doc.get("info") {
            Some(Value::Object(info)) => {
                for field in ["title", "version"] {
                    match info.get(field) {
                        Some(Value::String(_)) => {}
                        Some(other) => self.error(
                            format!("/info/{field}"),
                            format!("info.{field} must be a string, found {}", json_type(other)),
                        ),
                        None => self.error("/info", format!("info.{field} is required")),
                    }
                }
            }
            Some(other) => self.error(
                "/info",
                format!("info must be an object, found {}", json_type(other)),
            ),
            None => self.error("", "the `info` object is required"),
        }
        let has = |k: &str| doc.get(k).is_some();
        if self.is_31 {
            if !has("paths") && !has("components") && !has("webhooks") {
                self.error("", "an OpenAPI 3.1 document needs at least one of `paths`, `components` or `webhooks`");
            }
        } else if !has("paths") {
            self.error(
                "",
                "`paths` is required in OpenAPI 3.0 (it may be an empty object)",
            );
        }
        match doc.get("paths") {
            Some(Value::Object(paths)) => self.paths(paths),
            Some(other) => self.error(
                "/paths",
                format!("`paths` must be an object, found {}", json_type(other)),
            ),
            None => {}
        }
        if let Some(servers) = doc.get("servers") {
            self.servers(servers, "/servers");
        }
        if let Some(security) = doc.get("security") {
            self.security(security, "/security");
        }
    }

    fn paths(&mut self, paths: &Map<String, Value>) {
        let mut shapes: HashMap<String, String> = HashMap::new();
        for key in paths.keys() {
            if key.starts_with("x-") {
                continue;
            }
            let at = pointer::join("/paths", key);
            if !key.starts_with('/') {
                self.error(&at, format!("path '{key}' must start with '/'"));
                continue;
            }
            let mut normalized = String::new();
            let mut rest = key.as_str();
            while let Some(start) = rest.find('{') {
                normalized.push_str(&rest[..start]);
                normalized.push_str("{}");
                match rest[start..].find('}') {
                    Some(end) => rest = &rest[start + end + 1..],
                    None => {
                        rest = "";
                        break;
                    }
                }
            }
            normalized.push_str(rest);
            if let Some(other) = shapes.get(&normalized) {
                let other = other.clone();
                self.error(
                    &at,
                    format!("path '{key}' is identical to '{other}' apart from parameter names; OpenAPI treats them as the same path"),
                );
            } else {
                shapes.insert(normalized, key.clone());
            }
        }
    }

    fn object(&mut self, value: &Value, kind: Kind, at: &str) {
        let Some(map) = value.as_object() else { return };
        if map.contains_key("$ref") && kind != Kind::Schema {
            return;
        }
        match kind {
            Kind::PathItem => self.path_item(map, at),
            Kind::Operation => self.operation(map, at),
            Kind::Parameter => self.parameter(map, at),
            Kind::Header => self.header(map, at),
            Kind::RequestBody if !map.contains_key("content") => {
                self.error(at, "a request body needs `content`");
            }
            Kind::Response if !map.get("description").is_some_and(Value::is_string) => {
                self.error(at, "a response needs a `description` string");
            }
            Kind::MediaType if map.contains_key("example") && map.contains_key("examples") => {
                self.error(at, "`example` and `examples` are mutually exclusive");
            }
            Kind::Example if map.contains_key("value") && map.contains_key("externalValue") => {
                self.error(
                    at,
                    "an example cannot have both `value` and `externalValue`",
                );
            }
            Kind::SecurityScheme => self.security_scheme(map, at),
            Kind::Schema => self.schema(map, at),
            _ => {}
        }
    }

    fn path_item(&mut self, map: &Map<String, Value>, at: &str) {
        for key in map.keys() {
            if !key.starts_with("x-")
                && !OPERATION_KEYS.contains(&key.as_str())
                && !PATH_ITEM_FIELDS.contains(&key.as_str())
            {
                self.error(
                    pointer::join(at, key),
                    format!("'{key}' is not a valid path item field (operations are get, put, post, delete, options, head, patch, trace)"),
                );
            }
        }
        if let Some(servers) = map.get("servers") {
            self.servers(servers, &pointer::join(at, "servers"));
        }
        let path_params =
            self.parameter_list(map.get("parameters"), &pointer::join(at, "parameters"));
        // Only direct children of `paths` are templates; webhooks and callbacks are not.
        let Some(template) = pointer::tokens(at)
            .filter(|t| t.len() == 2 && t[0] == "paths")
            .map(|t| t[1].clone())
        else {
            return;
        };
        let names = template_names(&template);
        let mut reported = HashSet::new();
        for (name, loc, p_at) in &path_params {
            if loc == "path" && !names.contains(&name.as_str()) && reported.insert(name.clone()) {
                self.error(
                    p_at,
                    format!(
                        "path parameter '{name}' does not appear in the path template '{template}'"
                    ),
                );
            }
        }
        for method in OPERATION_KEYS {
            let Some(op) = map.get(method).filter(|o| o.is_object()) else {
                continue;
            };
            let op_at = pointer::join(at, method);
            let op_params =
                self.parameter_list(op.get("parameters"), &pointer::join(&op_at, "parameters"));
            for (name, loc, p_at) in &op_params {
                if loc == "path" && !names.contains(&name.as_str()) {
                    self.error(p_at, format!("path parameter '{name}' does not appear in the path template '{template}'"));
                }
            }
            for name in &names {
                let declared = op_params
                    .iter()
                    .chain(path_params.iter())
                    .any(|(n, l, _)| n == name && l == "path");
                if !declared {
                    self.error(
                        &op_at,
                        format!("path parameter '{{{name}}}' of '{template}' is not declared as an `in: path` parameter of this {method} operation or its path item"),
                    );
                }
            }
        }
    }

    /// (name, in, pointer) of each parameter in a list, refs followed; reports duplicates.
    fn parameter_list(&mut self, list: Option<&Value>, at: &str) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = Vec::new();
        let Some(list) = list else { return out };
        let Some(items) = list.as_array() else {
            self.error(
                at,
                format!("`parameters` must be an array, found {}", json_type(list)),
            );
            return out;
        };
        for (i, item) in items.iter().enumerate() {
            let p_at = pointer::join(at, &i.to_string());
            let Some(param) = self.deref(item) else {
                continue;
            };
            let (Some(name), Some(loc)) = (
                param.get("name").and_then(Value::as_str),
                param.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            if let Some((_, _, first)) = out.iter().find(|(n, l, _)| n == name && l == loc) {
                let first = first.clone();
                self.error(
                    &p_at,
                    format!("duplicate parameter '{name}' in {loc} (also at #{first})"),
                );
                continue;
            }
            out.push((name.to_owned(), loc.to_owned(), p_at));
        }
        out
    }

    fn operation(&mut self, map: &Map<String, Value>, at: &str) {
        if let Some(id) = map.get("operationId") {
            match id.as_str() {
                Some(id) => match self.operation_ids.get(id) {
                    Some(first) => {
                        let first = first.clone();
                        self.error(
                            pointer::join(at, "operationId"),
                            format!("operationId '{id}' is also used at #{first}"),
                        );
                    }
                    None => {
                        self.operation_ids.insert(id.to_owned(), at.to_owned());
                    }
                },
                None => self.error(
                    pointer::join(at, "operationId"),
                    "operationId must be a string",
                ),
            }
        }
        let responses_at = pointer::join(at, "responses");
        match map.get("responses").and_then(Value::as_object) {
            Some(responses) if responses.keys().any(|k| !k.starts_with("x-")) => {
                for key in responses.keys() {
                    if !key.starts_with("x-") && !is_response_key(key) {
                        self.error(
                            pointer::join(&responses_at, key),
                            format!("'{key}' is not a valid response code (use 100-599, 1XX-5XX or default)"),
                        );
                    }
                }
            }
            _ => {
                let message = "an operation needs at least one response";
                if self.is_31 {
                    self.warn(at, message);
                } else {
                    self.error(at, message);
                }
            }
        }
        let method = at.rsplit('/').next().unwrap_or("");
        if matches!(method, "get" | "head" | "delete") && map.contains_key("requestBody") {
            self.warn(
                pointer::join(at, "requestBody"),
                format!(
                    "a request body on {} has no defined semantics and many clients drop it",
                    method.to_uppercase()
                ),
            );
        }
        if let Some(security) = map.get("security") {
            self.security(security, &pointer::join(at, "security"));
        }
        if let Some(servers) = map.get("servers") {
            self.servers(servers, &pointer::join(at, "servers"));
        }
    }

    fn parameter(&mut self, map: &Map<String, Value>, at: &str) {
        let name = map.get("name").and_then(Value::as_str);
        if name.is_none() {
            self.error(at, "a parameter needs a `name` string");
        }
        let loc = map.get("in").and_then(Value::as_str);
        match loc {
            Some(l) if PARAMETER_IN.contains(&l) => {}
            Some(l) => self.error(
                pointer::join(at, "in"),
                format!("parameter location '{l}' is not one of query, header, path, cookie"),
            ),
            None => self.error(at, "a parameter needs `in` (query, header, path or cookie)"),
        }
        if loc == Some("path") && map.get("required") != Some(&Value::Bool(true)) {
            self.error(
                at,
                format!(
                    "path parameter '{}' must have `required: true`",
                    name.unwrap_or("?")
                ),
            );
        }
        self.schema_or_content(map, at, true);
    }

    fn header(&mut self, map: &Map<String, Value>, at: &str) {
        for field in ["name", "in"] {
            if map.contains_key(field) {
                self.warn(
                    pointer::join(at, field),
                    format!("a header object must not have `{field}`; it is ignored"),
                );
            }
        }
        self.schema_or_content(map, at, false);
    }

    fn schema_or_content(&mut self, map: &Map<String, Value>, at: &str, strict: bool) {
        match (map.get("schema"), map.get("content")) {
            (Some(_), Some(_)) => self.error(at, "`schema` and `content` are mutually exclusive"),
            (None, None) if strict => {
                self.error(at, "a parameter needs exactly one of `schema` or `content`")
            }
            (None, None) => self.warn(at, "a header without `schema` or `content` has no type"),
            (None, Some(content)) => {
                if content.as_object().is_none_or(|c| c.len() != 1) {
                    self.error(
                        pointer::join(at, "content"),
                        "`content` of a parameter or header must have exactly one entry",
                    );
                }
            }
            (Some(_), None) => {}
        }
        if map.contains_key("example") && map.contains_key("examples") {
            self.error(at, "`example` and `examples` are mutually exclusive");
        }
    }

    fn security(&mut self, security: &Value, at: &str) {
        let Some(requirements) = security.as_array() else {
            self.error(
                at,
                format!("`security` must be an array, found {}", json_type(security)),
            );
            return;
        };
        for (i, req) in requirements.iter().enumerate() {
            let r_at = pointer::join(at, &i.to_string());
            let Some(req) = req.as_object() else {
                self.error(&r_at, "a security requirement must be an object");
                continue;
            };
            for (name, scopes) in req {
                let s_at = pointer::join(&r_at, name);
                if !self.scheme_names.contains(name) {
                    self.error(
                        &s_at,
                        format!(
                            "security scheme '{name}' is not defined in components.securitySchemes"
                        ),
                    );
                }
                if !scopes.is_array() {
                    self.error(
                        &s_at,
                        "the scopes of a security requirement must be an array",
                    );
                }
            }
        }
    }

    fn security_scheme(&mut self, map: &Map<String, Value>, at: &str) {
        let ty = map.get("type").and_then(Value::as_str);
        let require = |v: &mut Self, field: &str| {
            if !map.get(field).is_some_and(Value::is_string) {
                v.error(
                    at,
                    format!(
                        "a security scheme of type '{}' needs `{field}`",
                        ty.unwrap_or("")
                    ),
                );
            }
        };
        match ty {
            Some("apiKey") => {
                require(self, "name");
                match map.get("in").and_then(Value::as_str) {
                    Some("query" | "header" | "cookie") => {}
                    _ => self.error(at, "an apiKey security scheme needs `in`: query, header or cookie"),
                }
            }
            Some("http") => require(self, "scheme"),
            Some("openIdConnect") => require(self, "openIdConnectUrl"),
            Some("oauth2") => match map.get("flows").and_then(Value::as_object) {
                Some(flows) => self.oauth_flows(flows, &pointer::join(at, "flows")),
                None => self.error(at, "an oauth2 security scheme needs `flows`"),
            },
            Some("mutualTLS") if self.is_31 => {}
            Some(other) => self.error(
                pointer::join(at, "type"),
                format!(
                    "security scheme type '{other}' is not one of apiKey, http, oauth2, openIdConnect{}",
                    if self.is_31 { ", mutualTLS" } else { "" }
                ),
            ),
            None => self.error(at, "a security scheme needs a `type`"),
        }
    }

    fn oauth_flows(&mut self, flows: &Map<String, Value>, at: &str) {
        for (flow, body) in flows {
            let needs: &[&str] = match flow.as_str() {
                "implicit" => &["authorizationUrl"],
                "password" | "clientCredentials" => &["tokenUrl"],
                "authorizationCode" => &["authorizationUrl", "tokenUrl"],
                f if f.starts_with("x-") => continue,
                other => {
                    self.error(pointer::join(at, other), format!("'{other}' is not an OAuth flow (implicit, password, clientCredentials, authorizationCode)"));
                    continue;
                }
            };
            let f_at = pointer::join(at, flow);
            for field in needs.iter().chain(["scopes"].iter()) {
                if body.get(*field).is_none() {
                    self.error(&f_at, format!("the {flow} OAuth flow needs `{field}`"));
                }
            }
        }
    }

    fn servers(&mut self, servers: &Value, at: &str) {
        let Some(list) = servers.as_array() else {
            self.error(at, "`servers` must be an array");
            return;
        };
        for (i, server) in list.iter().enumerate() {
            let s_at = pointer::join(at, &i.to_string());
            let Some(url) = server.get("url").and_then(Value::as_str) else {
                self.error(&s_at, "a server needs a `url` string");
                continue;
            };
            let variables = server.get("variables").and_then(Value::as_object);
            for name in template_names(url) {
                if !variables.is_some_and(|v| v.contains_key(name)) {
                    self.error(&s_at, format!("server url '{url}' uses {{{name}}}, which is not defined in `variables`"));
                }
            }
            for (name, var) in variables.into_iter().flatten() {
                let v_at = pointer::join(&pointer::join(&s_at, "variables"), name);
                let default = var.get("default");
                if !default.is_some_and(Value::is_string) {
                    self.error(
                        &v_at,
                        format!("server variable '{name}' needs a `default` string"),
                    );
                }
                if let Some(values) = var.get("enum") {
                    match values.as_array() {
                        Some(values) if values.is_empty() => self.error(
                            &v_at,
                            format!("server variable '{name}' has an empty `enum`"),
                        ),
                        Some(values) => {
                            if let Some(d) = default.filter(|d| !values.contains(d)) {
                                self.error(&v_at, format!("the default {d} of server variable '{name}' is not in its `enum`"));
                            }
                        }
                        None => self.error(&v_at, "`enum` must be an array"),
                    }
                }
            }
        }
    }

    fn schema(&mut self, map: &Map<String, Value>, at: &str) {
        if let Some(ty) = map.get("type") {
            self.schema_type(map, ty, at);
        }
        if let Some(required) = map.get("required") {
            let ok = required
                .as_array()
                .is_some_and(|r| r.iter().all(Value::is_string));
            if !ok {
                self.error(
                    pointer::join(at, "required"),
                    "`required` must be an array of property names (strings)",
                );
            }
        }
        if let Some(nullable) = map.get("nullable") {
            if !nullable.is_boolean() {
                self.error(
                    pointer::join(at, "nullable"),
                    "`nullable` must be a boolean",
                );
            } else if self.is_31 {
                self.warn(
                    pointer::join(at, "nullable"),
                    "`nullable` is an OpenAPI 3.0 keyword; in 3.1 add \"null\" to `type` (treated that way here)",
                );
            }
        }
        for bound in ["exclusiveMinimum", "exclusiveMaximum"] {
            match map.get(bound) {
                Some(Value::Bool(_)) if self.is_31 => self.warn(
                    pointer::join(at, bound),
                    format!("boolean `{bound}` is OpenAPI 3.0 style; in 3.1 it is a number"),
                ),
                Some(Value::Number(_)) if !self.is_31 => self.error(
                    pointer::join(at, bound),
                    format!("in OpenAPI 3.0 `{bound}` is a boolean modifying minimum/maximum"),
                ),
                _ => {}
            }
        }
        let discriminator = map.get("discriminator");
        if discriminator.is_some_and(|d| !d.get("propertyName").is_some_and(Value::is_string)) {
            self.error(
                pointer::join(at, "discriminator"),
                "a discriminator needs a `propertyName` string",
            );
        }
    }

    /// A schema's `type`: a known type (one string in 3.0, also a list in
    /// 3.1), and 3.0's `items` for arrays.
    fn schema_type(&mut self, map: &Map<String, Value>, ty: &Value, at: &str) {
        const TYPES: [&str; 7] = [
            "string", "number", "integer", "boolean", "array", "object", "null",
        ];
        let t_at = pointer::join(at, "type");
        match ty {
            Value::String(t) if TYPES.contains(&t.as_str()) && (self.is_31 || t != "null") => {}
            Value::String(t) if t == "null" => self.error(
                &t_at,
                "type 'null' does not exist in OpenAPI 3.0; use `nullable: true`",
            ),
            Value::String(t) => self.error(&t_at, format!("'{t}' is not a valid schema type")),
            Value::Array(types) if self.is_31 => {
                let mut seen = HashSet::new();
                for t in types {
                    match t.as_str() {
                        Some(s) if TYPES.contains(&s) => {
                            if !seen.insert(s) {
                                self.error(&t_at, format!("type '{s}' is listed twice"));
                            }
                        }
                        _ => self.error(&t_at, format!("{t} is not a valid schema type")),
                    }
                }
            }
            Value::Array(_) => self.error(
                &t_at,
                "in OpenAPI 3.0 `type` must be a single string; type arrays need 3.1",
            ),
            other => self.error(
                &t_at,
                format!("`type` must be a string, found {}", json_type(other)),
            ),
        }
        if !self.is_31 && ty == "array" && !map.contains_key("items") {
            self.warn(
                at,
                "an array schema without `items` (OpenAPI 3.0 requires `items`)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::testutil::{assert_clean, assert_problem, load_one, problems};

    const HEAD30: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";
    const HEAD31: &str = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\n";

    fn v30(rest: &str) -> String {
        format!("{HEAD30}{rest}")
    }
    fn v31(rest: &str) -> String {
        format!("{HEAD31}{rest}")
    }

    const OK_OP: &str = "responses: {'200': {description: ok}}";

    /// For each (fragment, pointer below `at`, needle): the document
    /// `doc(fragment)` has exactly one problem containing `needle`, an error
    /// at `at` followed by that pointer.
    #[track_caller]
    fn assert_errors(doc: impl Fn(&str) -> String, at: &str, cases: &[(&str, &str, &str)]) {
        for (fragment, below, needle) in cases {
            assert_problem(&doc(fragment), "E", &format!("{at}{below}"), needle);
        }
    }

    #[test]
    fn minimal_documents_are_clean() {
        assert_clean(&v30("paths: {}\n"));
        assert_clean(&v31("webhooks: {}\n"));
    }

    #[test]
    fn openapi_field_checks() {
        assert_problem(
            "swagger: '2.0'\ninfo: {title: T, version: '1'}\npaths: {}\n",
            "E",
            "/swagger",
            "Swagger 2.0",
        );
        assert_problem(
            "info: {title: T, version: '1'}\npaths: {}\n",
            "E",
            "",
            "missing the `openapi` field",
        );
        assert_problem(
            "openapi: 3.2.0\ninfo: {title: T, version: '1'}\npaths: {}\n",
            "E",
            "/openapi",
            "not supported",
        );
    }

    #[test]
    fn info_title_and_version_must_be_strings() {
        assert_problem(
            "openapi: 3.0.3\ninfo: {version: '1'}\npaths: {}\n",
            "E",
            "/info",
            "info.title is required",
        );
        assert_problem(
            "openapi: 3.0.3\ninfo: {title: T, version: 1}\npaths: {}\n",
            "E",
            "/info/version",
            "must be a string",
        );
        assert_problem(
            "openapi: 3.0.3\npaths: {}\n",
            "E",
            "",
            "`info` object is required",
        );
    }

    #[test]
    fn paths_required_in_30_and_something_required_in_31() {
        assert_problem(HEAD30, "E", "", "`paths` is required");
        assert_problem(
            HEAD31,
            "E",
            "",
            "at least one of `paths`, `components` or `webhooks`",
        );
        assert_clean(&v31("components: {}\n"));
    }

    #[test]
    fn path_keys_start_with_slash_and_are_not_duplicate_templates() {
        assert_problem(
            &v30("paths:\n  pets: {}\n"),
            "E",
            "/paths/pets",
            "must start with '/'",
        );
        assert_problem(
            &v30("paths:\n  /a/{x}: {}\n  /a/{y}: {}\n"),
            "E",
            "/paths/~1a~1{y}",
            "identical to '/a/{x}'",
        );
    }

    #[test]
    fn only_valid_path_item_fields() {
        assert_problem(
            &v30(&format!("paths:\n  /a:\n    fetch: {{{OK_OP}}}\n")),
            "E",
            "/paths/~1a/fetch",
            "not a valid path item field",
        );
    }

    #[test]
    fn path_template_parameters_must_match_declarations() {
        let undeclared = v30(&format!("paths:\n  /pets/{{id}}:\n    get: {{{OK_OP}}}\n"));
        assert_problem(
            &undeclared,
            "E",
            "/paths/~1pets~1{id}/get",
            "'{id}' of '/pets/{id}' is not declared",
        );
        let extra = v30(&format!(
            "paths:\n  /pets:\n    get:\n      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n      {OK_OP}\n"
        ));
        assert_problem(
            &extra,
            "E",
            "/paths/~1pets/get/parameters/0",
            "does not appear in the path template",
        );
        // Declared on the path item, or through a $ref: fine.
        assert_clean(&v30(&format!(
            "paths:\n  /pets/{{id}}/{{n}}:\n    parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n    get:\n      parameters: [{{$ref: '#/components/parameters/N'}}]\n      {OK_OP}\ncomponents:\n  parameters:\n    N: {{name: n, in: path, required: true, schema: {{type: integer}}}}\n"
        )));
    }

    #[test]
    fn path_parameters_must_be_required() {
        let text = v30(&format!(
            "paths:\n  /p/{{id}}:\n    get:\n      parameters: [{{name: id, in: path, schema: {{type: string}}}}]\n      {OK_OP}\n"
        ));
        assert_problem(
            &text,
            "E",
            "/paths/~1p~1{id}/get/parameters/0",
            "must have `required: true`",
        );
    }

    #[test]
    fn parameter_needs_name_valid_in_and_one_of_schema_or_content() {
        let param = |p: &str| {
            v30(&format!(
                "paths:\n  /a:\n    get:\n      parameters: [{p}]\n      {OK_OP}\n"
            ))
        };
        // (parameter, pointer below the parameter, expected error)
        assert_errors(
            param,
            "/paths/~1a/get/parameters/0",
            &[
                ("{in: query, schema: {type: string}}", "", "needs a `name`"),
                (
                    "{name: q, in: body, schema: {type: string}}",
                    "/in",
                    "not one of query, header, path, cookie",
                ),
                ("{name: q, schema: {type: string}}", "", "needs `in`"),
                (
                    "{name: q, in: query}",
                    "",
                    "exactly one of `schema` or `content`",
                ),
                (
                    "{name: q, in: query, schema: {type: string}, content: {application/json: {}}}",
                    "",
                    "mutually exclusive",
                ),
                (
                    "{name: q, in: query, content: {application/json: {}, text/plain: {}}}",
                    "/content",
                    "exactly one entry",
                ),
            ],
        );
    }

    #[test]
    fn duplicate_parameters_in_one_operation() {
        let text = v30(&format!(
            "paths:\n  /a:\n    get:\n      parameters:\n        - {{name: q, in: query, schema: {{type: string}}}}\n        - {{name: q, in: header, schema: {{type: string}}}}\n        - {{name: q, in: query, schema: {{type: string}}}}\n      {OK_OP}\n"
        ));
        assert_problem(
            &text,
            "E",
            "/paths/~1a/get/parameters/2",
            "duplicate parameter 'q' in query (also at #/paths/~1a/get/parameters/0)",
        );
    }

    #[test]
    fn operation_ids_are_unique_with_location_and_line() {
        let text = v30(&format!(
            "paths:\n  /pets:\n    get:\n      operationId: listPets\n      {OK_OP}\n  /dogs:\n    get:\n      operationId: listPets\n      {OK_OP}\n"
        ));
        assert_problem(
            &text,
            "E",
            "/paths/~1dogs/get/operationId",
            "operationId 'listPets' is also used at #/paths/~1pets/get",
        );
        let problems = load_one(&text).unwrap_err();
        assert_eq!(problems[0].line, Some(10));
        assert_eq!(
            problems[0].to_string(),
            "openapi.yaml#/paths/~1dogs/get/operationId: operationId 'listPets' is also used at #/paths/~1pets/get (line 10)"
        );
    }

    #[test]
    fn responses_present_non_empty_with_valid_codes() {
        assert_problem(
            &v30("paths:\n  /a:\n    get: {}\n"),
            "E",
            "/paths/~1a/get",
            "at least one response",
        );
        assert_problem(
            &v30("paths:\n  /a:\n    get: {responses: {}}\n"),
            "E",
            "/paths/~1a/get",
            "at least one response",
        );
        assert_problem(
            &v31("paths:\n  /a:\n    get: {}\n"),
            "W",
            "/paths/~1a/get",
            "at least one response",
        );
        assert_problem(
            &v30(
                "paths:\n  /a:\n    get:\n      responses:\n        600: {description: x}\n        2XX: {description: x}\n        default: {description: x}\n        x-ext: 1\n",
            ),
            "E",
            "/paths/~1a/get/responses/600",
            "not a valid response code",
        );
        assert_problem(
            &v30("paths:\n  /a:\n    get: {responses: {'200': {}}}\n"),
            "E",
            "/paths/~1a/get/responses/200",
            "needs a `description`",
        );
    }

    #[test]
    fn request_body_needs_content_and_get_body_warns() {
        assert_problem(
            &v30(&format!(
                "paths:\n  /a:\n    post: {{requestBody: {{description: d}}, {OK_OP}}}\n"
            )),
            "E",
            "/paths/~1a/post/requestBody",
            "needs `content`",
        );
        assert_problem(
            &v30(&format!(
                "paths:\n  /a:\n    get: {{requestBody: {{content: {{}}}}, {OK_OP}}}\n"
            )),
            "W",
            "/paths/~1a/get/requestBody",
            "request body on GET",
        );
    }

    #[test]
    fn security_requirements_must_name_defined_schemes() {
        let text = v30(&format!(
            "security: [{{key: []}}]\npaths:\n  /a:\n    get: {{security: [{{nope: []}}], {OK_OP}}}\ncomponents:\n  securitySchemes:\n    key: {{type: apiKey, name: k, in: header}}\n"
        ));
        assert_problem(
            &text,
            "E",
            "/paths/~1a/get/security/0/nope",
            "'nope' is not defined",
        );
        assert_problem(
            &v30(
                "security: [{key: read}]\npaths: {}\ncomponents:\n  securitySchemes:\n    key: {type: apiKey, name: k, in: header}\n",
            ),
            "E",
            "/security/0/key",
            "scopes of a security requirement must be an array",
        );
    }

    #[test]
    fn security_schemes_need_valid_type_and_fields() {
        let scheme = |s: &str| {
            v30(&format!(
                "paths: {{}}\ncomponents:\n  securitySchemes:\n    S: {s}\n"
            ))
        };
        // (scheme, pointer below the scheme, expected error)
        assert_errors(
            scheme,
            "/components/securitySchemes/S",
            &[
                ("{type: apiKey, in: header}", "", "needs `name`"),
                (
                    "{type: apiKey, name: k, in: body}",
                    "",
                    "query, header or cookie",
                ),
                ("{type: http}", "", "needs `scheme`"),
                ("{type: oauth2}", "", "needs `flows`"),
                ("{type: openIdConnect}", "", "needs `openIdConnectUrl`"),
                ("{type: basic}", "/type", "not one of apiKey"),
                ("{type: mutualTLS}", "/type", "not one of apiKey"),
                (
                    "{type: oauth2, flows: {clientCredentials: {scopes: {}}}}",
                    "/flows/clientCredentials",
                    "needs `tokenUrl`",
                ),
            ],
        );
        assert_clean(&v31(
            "components:\n  securitySchemes:\n    S: {type: mutualTLS}\n",
        ));
    }

    #[test]
    fn server_variables_defined_and_default_in_enum() {
        assert_problem(
            &v30(
                "servers: [{url: 'https://{region}.x.test/{v}', variables: {region: {default: eu}}}]\npaths: {}\n",
            ),
            "E",
            "/servers/0",
            "uses {v}, which is not defined",
        );
        assert_problem(
            &v30(
                "servers: [{url: 'https://{region}.x.test', variables: {region: {default: us, enum: [eu, ap]}}}]\npaths: {}\n",
            ),
            "E",
            "/servers/0/variables/region",
            "is not in its `enum`",
        );
        assert_problem(
            &v30(
                "servers: [{url: 'https://{r}.x.test', variables: {r: {enum: [eu]}}}]\npaths: {}\n",
            ),
            "E",
            "/servers/0/variables/r",
            "needs a `default`",
        );
    }

    #[test]
    fn schema_types_and_required() {
        let schema = |v: &str, s: &str| {
            format!(
                "openapi: {v}\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    S: {s}\n"
            )
        };
        // (OpenAPI version, schema, severity, pointer below the schema, expected problem)
        let cases = [
            (
                "3.0.3",
                "{type: str}",
                "E",
                "/type",
                "'str' is not a valid schema type",
            ),
            (
                "3.0.3",
                "{type: [string, 'null']}",
                "E",
                "/type",
                "type arrays need 3.1",
            ),
            (
                "3.0.3",
                "{type: 'null'}",
                "E",
                "/type",
                "use `nullable: true`",
            ),
            (
                "3.1.0",
                "{type: [string, string]}",
                "E",
                "/type",
                "listed twice",
            ),
            (
                "3.0.3",
                "{type: object, required: name}",
                "E",
                "/required",
                "array of property names",
            ),
            (
                "3.0.3",
                "{type: object, required: [1]}",
                "E",
                "/required",
                "array of property names",
            ),
            ("3.0.3", "{type: array}", "W", "", "without `items`"),
            (
                "3.1.0",
                "{type: string, nullable: true}",
                "W",
                "/nullable",
                "OpenAPI 3.0 keyword",
            ),
            (
                "3.0.3",
                "{type: number, exclusiveMinimum: 1}",
                "E",
                "/exclusiveMinimum",
                "is a boolean",
            ),
            (
                "3.1.0",
                "{type: number, minimum: 1, exclusiveMinimum: true}",
                "W",
                "/exclusiveMinimum",
                "3.0 style",
            ),
            (
                "3.0.3",
                "{oneOf: [{type: string}], discriminator: {mapping: {}}}",
                "E",
                "/discriminator",
                "propertyName",
            ),
            // Nested schemas are checked too.
            (
                "3.0.3",
                "{type: object, properties: {a: {type: array, items: {type: strin}}}}",
                "E",
                "/properties/a/items/type",
                "'strin'",
            ),
        ];
        for (version, s, severity, below, needle) in cases {
            let at = format!("/components/schemas/S{below}");
            assert_problem(&schema(version, s), severity, &at, needle);
        }
        assert_clean(&schema("3.1.0", "{type: [string, 'null']}"));
    }

    #[test]
    fn examples_are_mutually_exclusive() {
        assert_problem(
            &v30(
                "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json: {example: 1, examples: {a: {value: 1}}}\n",
            ),
            "E",
            "/paths/~1a/get/responses/200/content/application~1json",
            "mutually exclusive",
        );
        assert_problem(
            &v30(
                "paths: {}\ncomponents:\n  examples:\n    E: {value: 1, externalValue: 'http://x.test/e.json'}\n",
            ),
            "E",
            "/components/examples/E",
            "both `value` and `externalValue`",
        );
    }

    #[test]
    fn literal_positions_are_not_validated_as_refs() {
        assert_clean(&v31(
            "paths:\n  /a:\n    get:\n      x-codeSamples: [{lang: C#, source: {$ref: ../code/get.cs}}]\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: object, default: {$ref: nowhere}, enum: [{$ref: nowhere}], example: {$ref: x}, examples: [{$ref: y}], const: {$ref: z}}\n              examples:\n                one: {value: {$ref: nowhere}}\n",
        ));
    }

    #[test]
    fn unresolvable_refs_name_the_ref_and_where_it_is() {
        assert_problem(
            &v30(
                "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/Missing'}\n",
            ),
            "E",
            "/components/schemas/A/$ref",
            "$ref '#/components/schemas/Missing' does not resolve",
        );
        assert_problem(
            &v30("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'other.yaml#/B'}\n"),
            "E",
            "/components/schemas/A/$ref",
            "$ref 'other.yaml#/B': cannot load file:///spec/other.yaml (not found)",
        );
        assert_problem(
            &v30("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#anchor'}\n"),
            "E",
            "/components/schemas/A/$ref",
            "only JSON-pointer fragments",
        );
    }

    #[test]
    fn ref_loops_are_errors_but_recursive_schemas_are_fine() {
        assert_problem(
            &v30(
                "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
            ),
            "E",
            "/components/schemas/A/$ref",
            "$ref cycle: #/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A",
        );
        assert_problem(
            &v30("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/A'}\n"),
            "E",
            "/components/schemas/A/$ref",
            "$ref cycle",
        );
        let recursive = v30(
            "paths: {}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      properties:\n        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n        parent: {$ref: '#/components/schemas/Node'}\n",
        );
        assert_clean(&recursive);
        let spec = load_one(&recursive).unwrap();
        assert_eq!(
            spec.upgraded["components"]["schemas"]["Node"]["properties"]["parent"]["$ref"],
            "#/components/schemas/Node"
        );
    }

    #[test]
    fn every_error_is_reported_not_just_the_first() {
        let all = problems(&v30(&format!(
            "paths:\n  pets: {{}}\n  /a:\n    get: {{}}\n    post: {{operationId: x, {OK_OP}}}\n    put: {{operationId: x, {OK_OP}}}\n"
        )));
        assert!(all.len() >= 3, "{all:#?}");
        // A dangling $ref does not hide the other errors.
        let all = problems(&v30(
            "paths:\n  /a:\n    get: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/nope'}\n    B: {type: strin}\n",
        ));
        assert_eq!(all.len(), 3, "{all:#?}");
    }

    #[test]
    fn header_objects() {
        let header = |h: &str| {
            v30(&format!(
                "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          headers:\n            X-Rate: {h}\n"
            ))
        };
        let at = "/paths/~1a/get/responses/200/headers/X-Rate";
        assert_problem(
            &header("{name: X-Rate, schema: {type: integer}}"),
            "W",
            &format!("{at}/name"),
            "must not have `name`",
        );
        assert_problem(&header("{description: d}"), "W", at, "has no type");
        assert_problem(
            &header("{schema: {type: integer}, content: {text/plain: {}}}"),
            "E",
            at,
            "mutually exclusive",
        );
        assert_clean(&header("{schema: {type: integer}}"));
    }

    #[test]
    fn wrong_container_types_are_reported() {
        let get_op = format!("paths:\n  /a:\n    get: {{operationId: 1, {OK_OP}}}\n");
        // (document after the header, pointer, expected error)
        let cases = [
            ("paths: []\n", "/paths", "`paths` must be an object"),
            (
                "servers: {url: x}\npaths: {}\n",
                "/servers",
                "`servers` must be an array",
            ),
            (
                "security: {a: []}\npaths: {}\n",
                "/security",
                "`security` must be an array",
            ),
            (
                &get_op,
                "/paths/~1a/get/operationId",
                "operationId must be a string",
            ),
        ];
        for (rest, at, needle) in cases {
            assert_problem(&v30(rest), "E", at, needle);
        }
    }

    #[test]
    fn loaded_spec_carries_version_title_and_info_version() {
        let spec = load_one(&v30("paths: {}\n")).unwrap();
        assert_eq!(spec.version.raw, "3.0.3");
        assert_eq!(
            (spec.title.as_str(), spec.info_version.as_str()),
            ("T", "1")
        );
        assert_eq!(spec.upgraded["openapi"], "3.1.0");
        assert_eq!(spec.document["openapi"], "3.0.3");
    }
}
