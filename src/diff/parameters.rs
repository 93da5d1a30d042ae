//! Request parameters of one matched operation: path-level and
//! operation-level parameters merged, matched by (in, name) (header names
//! case-insensitively) and path parameters by position in the path, so
//! renaming a path parameter is not breaking. Parameter schemas go through
//! the schema comparison in the request direction.
//!
//! Pure: must not do I/O.

use serde_json::{Map, Value};

use super::pointer;
use super::schema;
use super::schema_change::Dir;
use super::walk::{At, Root, Walk, sentence};
use crate::spec::view::Operation;

struct Param<'a> {
    key: (String, String),
    location: &'a str,
    name: &'a str,
    map: &'a Map<String, Value>,
    ptr: String,
}

impl<'a> Param<'a> {
    fn label(&self) -> String {
        format!("{} parameter `{}`", self.location, self.name)
    }

    fn flag(&self, keyword: &str) -> bool {
        self.map.get(keyword) == Some(&Value::Bool(true))
    }

    fn required(&self) -> bool {
        self.location == "path" || self.flag("required")
    }

    /// The schema, from `schema` or the first `content` entry.
    fn schema(&self) -> Option<(&'a Value, String)> {
        if let Some(schema) = self.map.get("schema") {
            return Some((schema, pointer::child(&self.ptr, "schema")));
        }
        let (media, entry) = self.map.get("content")?.as_object()?.iter().next()?;
        let schema = entry.get("schema")?;
        let ptr = pointer::child(
            &pointer::child(&pointer::child(&self.ptr, "content"), media),
            "schema",
        );
        Some((schema, ptr))
    }

    fn style(&self) -> (Option<&str>, Option<bool>) {
        (
            self.map.get("style").and_then(Value::as_str),
            self.map.get("explode").and_then(Value::as_bool),
        )
    }
}

/// Names of the path template's parameters, in order.
fn template_names(path: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            break;
        };
        names.push(&after[..end]);
        rest = &after[end + 1..];
    }
    names
}

fn collect<'a>(doc: &'a Value, op: &Operation<'a>) -> Vec<Param<'a>> {
    let names = template_names(op.path);
    let mut out: Vec<Param<'a>> = Vec::new();
    let sources = [
        (
            op.path_item.get("parameters"),
            pointer::child(&op.path_ptr, "parameters"),
        ),
        (
            op.op.get("parameters"),
            pointer::child(&op.ptr, "parameters"),
        ),
    ];
    for (list, list_ptr) in sources {
        let Some(list) = list.and_then(Value::as_array) else {
            continue;
        };
        for (i, raw) in list.iter().enumerate() {
            let (value, ptr) = pointer::resolve(doc, raw, &pointer::index(&list_ptr, i));
            let Some(map) = value.as_object() else {
                continue;
            };
            let (Some(location), Some(name)) = (
                map.get("in").and_then(Value::as_str),
                map.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            let key = match location {
                "path" => match names.iter().position(|n| *n == name) {
                    Some(position) => ("path".to_owned(), format!("#{position}")),
                    None => ("path".to_owned(), name.to_owned()),
                },
                "header" => ("header".to_owned(), name.to_ascii_lowercase()),
                other => (other.to_owned(), name.to_owned()),
            };
            let param = Param {
                key,
                location,
                name,
                map,
                ptr,
            };
            match out.iter().position(|p| p.key == param.key) {
                Some(existing) => out[existing] = param,
                None => out.push(param),
            }
        }
    }
    out
}

pub(crate) fn compare<'a>(w: &mut Walk<'a>, b: &Operation<'a>, r: &Operation<'a>) {
    let base = collect(w.base, b);
    let revision = collect(w.rev, r);
    for bp in &base {
        match revision.iter().find(|rp| rp.key == bp.key) {
            Some(rp) => compare_param(w, bp, rp),
            // A templated path parameter exists whether or not it is declared.
            None if implicit(bp) => {}
            None => {
                let (id, what) = if bp.flag("deprecated") {
                    ("request-parameter-removed-with-deprecation", "deprecated ")
                } else {
                    ("request-parameter-removed", "")
                };
                let message = sentence(&format!("The {what}{} was removed", bp.label()));
                w.out.emit(id, Some(&bp.ptr), None, message);
            }
        }
    }
    for rp in &revision {
        if implicit(rp) || base.iter().any(|bp| bp.key == rp.key) {
            continue;
        }
        let (id, kind) = if rp.required() {
            ("new-required-request-parameter", "required")
        } else {
            ("new-optional-request-parameter", "optional")
        };
        let message = sentence(&format!("A new {kind} {} was added", rp.label()));
        w.out.emit(id, None, Some(&rp.ptr), message);
    }
}

/// A path parameter matched by its position in the path template.
fn implicit(param: &Param<'_>) -> bool {
    param.key.0 == "path" && param.key.1.starts_with('#')
}

fn compare_param<'a>(w: &mut Walk<'a>, bp: &Param<'a>, rp: &Param<'a>) {
    let (b, r) = (bp.ptr.as_str(), rp.ptr.as_str());
    let label = rp.label();
    if bp.location == "path" && bp.name != rp.name {
        let message = sentence(&format!(
            "Path parameter `{}` was renamed to `{}`",
            bp.name, rp.name
        ));
        w.out
            .emit("request-path-parameter-renamed", Some(b), Some(r), message);
    }
    w.flag_change(
        (bp.required(), rp.required()),
        (b, r),
        (
            "request-parameter-became-required",
            format!("The {label} became required"),
        ),
        (
            "request-parameter-became-optional",
            format!("The {label} became optional"),
        ),
    );
    w.flag_change(
        (bp.flag("deprecated"), rp.flag("deprecated")),
        (b, r),
        (
            "request-parameter-deprecated",
            format!("The {label} was deprecated"),
        ),
        (
            "request-parameter-reactivated",
            format!("The {label} is no longer deprecated"),
        ),
    );
    if bp.style() != rp.style() {
        let show = |(style, explode): (Option<&str>, Option<bool>)| {
            format!(
                "style {} explode {}",
                style.unwrap_or("default"),
                explode.map_or("default".to_owned(), |e| e.to_string())
            )
        };
        let message = sentence(&format!(
            "The {label} serialization changed from {} to {}",
            show(bp.style()),
            show(rp.style())
        ));
        w.out
            .emit("request-parameter-style-changed", Some(b), Some(r), message);
    }
    if let (Some((bs, bsp)), Some((rs, rsp))) = (bp.schema(), rp.schema()) {
        let at = At::new(Dir::Request, Root::Parameter { label });
        schema::compare(w, bs, &bsp, rs, &rsp, &at);
    }
}
