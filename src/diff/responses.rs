//! Responses of one matched operation: statuses added or removed (success
//! means 1xx-3xx), media types added or removed, response headers, and each
//! shared media type's schema compared in the response direction.
//!
//! Pure: must not do I/O.

use serde_json::Value;

use super::keyed::{self, Pair, entries};
use super::media::{self, MediaRules, Side};
use super::pointer;
use super::schema;
use super::schema_change::Dir;
use super::walk::{At, Root, Walk, sentence};
use crate::spec::view::Operation;

fn is_success(status: &str) -> bool {
    matches!(status.as_bytes().first(), Some(b'1' | b'2' | b'3'))
}

/// `(id, kind)` of a status that appeared or disappeared: `change` is
/// `added` or `removed`.
fn status_rule(status: &str, change: &str) -> (String, &'static str) {
    let kind = if is_success(status) {
        "success"
    } else {
        "non-success"
    };
    (format!("response-{kind}-status-{change}"), kind)
}

pub(crate) fn compare<'a>(w: &mut Walk<'a>, b: &Operation<'a>, r: &Operation<'a>) {
    let (br, rr) = (entries(b.op, "responses"), entries(r.op, "responses"));
    let bp = pointer::child(&b.ptr, "responses");
    let rp = pointer::child(&r.ptr, "responses");
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    for pair in keyed::pair_up(&br, &rr, same) {
        match pair {
            Pair::Removed((status, _)) => {
                let (id, kind) = status_rule(status, "removed");
                let message = sentence(&format!(
                    "The {kind} response with status {status} was removed"
                ));
                let bsp = pointer::child(&bp, status);
                w.out.emit(&id, Some(&bsp), Some(&rp), message);
            }
            Pair::Shared((status, bv), (rstatus, rv)) => {
                let (bv, bsp) = pointer::resolve(w.base, bv, &pointer::child(&bp, status));
                let (rv, rsp) = pointer::resolve(w.rev, rv, &pointer::child(&rp, rstatus));
                if let (Some(bm), Some(rm)) = (bv.as_object(), rv.as_object()) {
                    compare_response(w, status, (bm, &bsp), (rm, &rsp), b.webhook);
                }
            }
            Pair::Added((status, _)) => {
                let (id, kind) = status_rule(status, "added");
                let message =
                    sentence(&format!("A {kind} response with status {status} was added"));
                let rsp = pointer::child(&rp, status);
                w.out.emit(&id, Some(&bp), Some(&rsp), message);
            }
        }
    }
}

fn compare_response<'a>(
    w: &mut Walk<'a>,
    status: &str,
    base: Side<'a, '_>,
    revision: Side<'a, '_>,
    webhook: bool,
) {
    // A webhook's reply goes from the client to the API.
    let dir = if webhook { Dir::Request } else { Dir::Response };
    let root = Root::Body {
        status: Some(status.to_owned()),
        webhook,
    };
    let rules = MediaRules {
        removed: "response-media-type-removed",
        added: "response-media-type-added",
        removed_text: &|media| {
            format!("Media type `{media}` was removed from the response with status {status}")
        },
        added_text: &|media| {
            format!("Media type `{media}` was added to the response with status {status}")
        },
    };
    media::compare_content(w, base, revision, &At::new(dir, root), &rules);
    compare_headers(w, status, base, revision);
}

fn compare_headers<'a>(
    w: &mut Walk<'a>,
    status: &str,
    (bm, bp): Side<'a, '_>,
    (rm, rp): Side<'a, '_>,
) {
    let (bh, rh) = (entries(bm, "headers"), entries(rm, "headers"));
    let bhp = pointer::child(bp, "headers");
    let rhp = pointer::child(rp, "headers");
    let required = |v: &Value| v.get("required") == Some(&Value::Bool(true));
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    for pair in keyed::pair_up(&bh, &rh, same) {
        match pair {
            Pair::Removed((name, bv)) => {
                let (bv, bptr) = pointer::resolve(w.base, bv, &pointer::child(&bhp, name));
                let id = if required(bv) {
                    "required-response-header-removed"
                } else {
                    "optional-response-header-removed"
                };
                let label = header_label(name, status);
                let message = sentence(&format!("The {label} was removed"));
                w.out.emit(id, Some(&bptr), Some(rp), message);
            }
            Pair::Shared((name, bv), (rname, rv)) => {
                let (bv, bptr) = pointer::resolve(w.base, bv, &pointer::child(&bhp, name));
                let (rv, rptr) = pointer::resolve(w.rev, rv, &pointer::child(&rhp, rname));
                let label = header_label(name, status);
                w.flag_change(
                    (required(bv), required(rv)),
                    (&bptr, &rptr),
                    (
                        "response-header-became-required",
                        format!("The {label} became required"),
                    ),
                    (
                        "response-header-became-optional",
                        format!("The {label} became optional"),
                    ),
                );
                if let (Some(bs), Some(rs)) = (bv.get("schema"), rv.get("schema")) {
                    let at = At::new(Dir::Response, Root::Header { label });
                    let (bsp, rsp) = (
                        pointer::child(&bptr, "schema"),
                        pointer::child(&rptr, "schema"),
                    );
                    schema::compare(w, bs, &bsp, rs, &rsp, &at);
                }
            }
            Pair::Added((name, _)) => {
                let message = sentence(&format!("The {} was added", header_label(name, status)));
                let rptr = pointer::child(&rhp, name);
                w.out
                    .emit("response-header-added", Some(bp), Some(&rptr), message);
            }
        }
    }
}

/// "response header `X-Rate` (status 200)": messages and schema locations.
fn header_label(name: &str, status: &str) -> String {
    format!("response header `{name}` (status {status})")
}
