//! Operations to client methods (after progenitor's method split):
//! names, resources, parameters, request bodies, success and error
//! responses, then grouping into resources with deduplicated names.
//!
//! Must not do I/O.

use super::*;

impl<'a> Lowerer<'a> {
    pub(super) fn operations(&mut self, schemes: &[SecurityScheme]) -> Vec<RawOperation<'a>> {
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

    pub(super) fn operation(
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
        let resource = resource_of(op, path);

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

    /// The path item's parameters, then the operation's; an operation's
    /// parameter replaces the path item's of the same name and location.
    fn raw_parameters(&mut self, item: &'a Value, op: &'a Value) -> Vec<&'a Value> {
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
        raw
    }

    pub(super) fn parameters(
        &mut self,
        item: &'a Value,
        op: &'a Value,
        type_base: &str,
        scope: &mut Scope,
    ) -> Vec<Parameter> {
        let mut out = Vec::new();
        for p in self.raw_parameters(item, op) {
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
            let style = style.unwrap_or_else(|| param_style(p, location));
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

    pub(super) fn request_body(
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
    pub(super) fn file_fields(&mut self, s: &'a Value) -> Vec<String> {
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

    pub(super) fn responses(
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
    pub(super) fn success(
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

    pub(super) fn response_body(
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

    pub(super) fn group(&mut self, ops: Vec<RawOperation<'a>>) -> Vec<Resource> {
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
}

/// The resource an operation belongs to: its first tag, else the first
/// literal path segment, else `default`.
fn resource_of(op: &Value, path: &str) -> String {
    op.get("tags")
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
        .unwrap_or_else(|| "default".into())
}

/// A parameter's declared `style`, else the default for its location.
fn param_style(p: &Value, location: ParamLocation) -> ParamStyle {
    match str_of(p, "style") {
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
    }
}
