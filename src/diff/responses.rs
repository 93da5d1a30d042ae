//! Responses of one matched operation: statuses added or removed (success
//! means 1xx-3xx), media types added or removed, response headers, and each
//! shared media type's schema compared in the response direction.
//!
//! Pure: must not do I/O.

use serde_json::{Map, Value};

use super::keywords;
use super::pointer;
use super::rules::Dir;
use super::schema;
use super::walk::{At, Root, Walk, sentence};
use crate::spec::view::Operation;
use crate::spec::view::same_media;

fn responses<'a>(op: &Operation<'a>) -> Vec<(&'a str, &'a Value)> {
    op.op
        .get("responses")
        .and_then(Value::as_object)
        .map(|r| r.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

fn is_success(status: &str) -> bool {
    matches!(status.as_bytes().first(), Some(b'1' | b'2' | b'3'))
}

pub(crate) fn compare<'a>(w: &mut Walk<'a>, b: &Operation<'a>, r: &Operation<'a>) {
    let (br, rr) = (responses(b), responses(r));
    let bp = pointer::child(&b.ptr, "responses");
    let rp = pointer::child(&r.ptr, "responses");
    for (status, bv) in &br {
        let bsp = pointer::child(&bp, status);
        match rr.iter().find(|(s, _)| s.eq_ignore_ascii_case(status)) {
            None => {
                let (id, kind) = if is_success(status) {
                    ("response-success-status-removed", "success")
                } else {
                    ("response-non-success-status-removed", "non-success")
                };
                let message = sentence(&format!(
                    "The {kind} response with status {status} was removed"
                ));
                w.out.emit(id, Some(&bsp), Some(&rp), message);
            }
            Some((rstatus, rv)) => {
                let rsp = pointer::child(&rp, rstatus);
                let (bv, bsp) = pointer::resolve(w.base, bv, &bsp);
                let (rv, rsp) = pointer::resolve(w.rev, rv, &rsp);
                if let (Some(bm), Some(rm)) = (bv.as_object(), rv.as_object()) {
                    compare_response(w, status, bm, &bsp, rm, &rsp, b.webhook);
                }
            }
        }
    }
    for (status, _) in &rr {
        if br.iter().any(|(s, _)| s.eq_ignore_ascii_case(status)) {
            continue;
        }
        let (id, kind) = if is_success(status) {
            ("response-success-status-added", "success")
        } else {
            ("response-non-success-status-added", "non-success")
        };
        let message = sentence(&format!("A {kind} response with status {status} was added"));
        w.out
            .emit(id, Some(&bp), Some(&pointer::child(&rp, status)), message);
    }
}

fn entries<'a>(map: &'a Map<String, Value>, key: &str) -> Vec<(&'a str, &'a Value)> {
    map.get(key)
        .and_then(Value::as_object)
        .map(|c| c.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

fn compare_response<'a>(
    w: &mut Walk<'a>,
    status: &str,
    bm: &'a Map<String, Value>,
    bp: &str,
    rm: &'a Map<String, Value>,
    rp: &str,
    webhook: bool,
) {
    let (bc, rc) = (entries(bm, "content"), entries(rm, "content"));
    let bcp = pointer::child(bp, "content");
    let rcp = pointer::child(rp, "content");
    for (media, bv) in &bc {
        let bmp = pointer::child(&bcp, media);
        match rc.iter().find(|(m, _)| same_media(m, media)) {
            None => {
                let message = sentence(&format!(
                    "Media type `{media}` was removed from the response with status {status}"
                ));
                w.out
                    .emit("response-media-type-removed", Some(&bmp), Some(rp), message);
            }
            Some((rmedia, rv)) => {
                let rmp = pointer::child(&rcp, rmedia);
                // A webhook's reply goes from the client to the API.
                let dir = if webhook { Dir::Request } else { Dir::Response };
                let root = Root::Body {
                    status: Some(status.to_owned()),
                    webhook,
                };
                let at = At::new(dir, root);
                let sides = (
                    (bv.get("schema"), bmp.as_str()),
                    (rv.get("schema"), rmp.as_str()),
                );
                if keywords::compare_media_schema(w, &at, sides.0, sides.1, media) {
                    continue;
                }
                if let (Some(bs), Some(rs)) = (bv.get("schema"), rv.get("schema")) {
                    schema::compare(
                        w,
                        bs,
                        &pointer::child(&bmp, "schema"),
                        rs,
                        &pointer::child(&rmp, "schema"),
                        &at,
                    );
                }
            }
        }
    }
    for (media, _) in &rc {
        if !bc.iter().any(|(m, _)| same_media(m, media)) {
            let message = sentence(&format!(
                "Media type `{media}` was added to the response with status {status}"
            ));
            w.out.emit(
                "response-media-type-added",
                Some(bp),
                Some(&pointer::child(&rcp, media)),
                message,
            );
        }
    }
    compare_headers(w, status, bm, bp, rm, rp);
}

fn compare_headers<'a>(
    w: &mut Walk<'a>,
    status: &str,
    bm: &'a Map<String, Value>,
    bp: &str,
    rm: &'a Map<String, Value>,
    rp: &str,
) {
    let (bh, rh) = (entries(bm, "headers"), entries(rm, "headers"));
    let bhp = pointer::child(bp, "headers");
    let rhp = pointer::child(rp, "headers");
    let required = |v: &Value| v.get("required") == Some(&Value::Bool(true));
    for (name, bv) in &bh {
        let (bv, bptr) = pointer::resolve(w.base, bv, &pointer::child(&bhp, name));
        let label = format!("response header `{name}` (status {status})");
        match rh.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            None => {
                let id = if required(bv) {
                    "required-response-header-removed"
                } else {
                    "optional-response-header-removed"
                };
                w.out.emit(
                    id,
                    Some(&bptr),
                    Some(rp),
                    sentence(&format!("The {label} was removed")),
                );
            }
            Some((rname, rv)) => {
                let (rv, rptr) = pointer::resolve(w.rev, rv, &pointer::child(&rhp, rname));
                match (required(bv), required(rv)) {
                    (true, false) => w.out.emit(
                        "response-header-became-optional",
                        Some(&bptr),
                        Some(&rptr),
                        sentence(&format!("The {label} became optional")),
                    ),
                    (false, true) => w.out.emit(
                        "response-header-became-required",
                        Some(&bptr),
                        Some(&rptr),
                        sentence(&format!("The {label} became required")),
                    ),
                    _ => {}
                }
                if let (Some(bs), Some(rs)) = (bv.get("schema"), rv.get("schema")) {
                    let at = At::new(Dir::Response, Root::Header { label });
                    schema::compare(
                        w,
                        bs,
                        &pointer::child(&bptr, "schema"),
                        rs,
                        &pointer::child(&rptr, "schema"),
                        &at,
                    );
                }
            }
        }
    }
    for (name, _) in &rh {
        if !bh.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            let message = sentence(&format!(
                "The response header `{name}` (status {status}) was added"
            ));
            w.out.emit(
                "response-header-added",
                Some(bp),
                Some(&pointer::child(&rhp, name)),
                message,
            );
        }
    }
}
