//! The request body of one matched operation: added, removed, became
//! required or optional, media types added or removed, and each shared media
//! type's schema compared in the request direction.
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

fn body<'a>(doc: &'a Value, op: &Operation<'a>) -> Option<(&'a Map<String, Value>, String)> {
    let raw = op.op.get("requestBody")?;
    let (value, ptr) = pointer::resolve(doc, raw, &pointer::child(&op.ptr, "requestBody"));
    Some((value.as_object()?, ptr))
}

fn required(body: &Map<String, Value>) -> bool {
    body.get("required") == Some(&Value::Bool(true))
}

pub(crate) fn compare<'a>(w: &mut Walk<'a>, b: &Operation<'a>, r: &Operation<'a>) {
    match (body(w.base, b), body(w.rev, r)) {
        (None, Some((rb, rp))) => {
            let (id, kind) = if required(rb) {
                ("request-body-added-required", "required")
            } else {
                ("request-body-added-optional", "optional")
            };
            w.out.emit(
                id,
                None,
                Some(&rp),
                sentence(&format!("A {kind} request body was added")),
            );
        }
        (Some((_, bp)), None) => {
            w.out.emit(
                "request-body-removed",
                Some(&bp),
                None,
                sentence("The request body was removed"),
            );
        }
        (Some((bb, bp)), Some((rb, rp))) => {
            match (required(bb), required(rb)) {
                (false, true) => w.out.emit(
                    "request-body-became-required",
                    Some(&bp),
                    Some(&rp),
                    sentence("The request body became required"),
                ),
                (true, false) => w.out.emit(
                    "request-body-became-optional",
                    Some(&bp),
                    Some(&rp),
                    sentence("The request body became optional"),
                ),
                _ => {}
            }
            compare_content(w, bb, &bp, rb, &rp, b.webhook);
        }
        (None, None) => {}
    }
}

fn content(body: &Map<String, Value>) -> Vec<(&str, &Value)> {
    body.get("content")
        .and_then(Value::as_object)
        .map(|c| c.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

/// Where a request body schema sits: the request direction, or for a
/// webhook the payload the API sends (judged like a response).
fn body_at(webhook: bool) -> At {
    let dir = if webhook { Dir::Response } else { Dir::Request };
    At::new(
        dir,
        Root::Body {
            status: None,
            webhook,
        },
    )
}

fn compare_content<'a>(
    w: &mut Walk<'a>,
    bb: &'a Map<String, Value>,
    bp: &str,
    rb: &'a Map<String, Value>,
    rp: &str,
    webhook: bool,
) {
    let (bc, rc) = (content(bb), content(rb));
    let bcp = pointer::child(bp, "content");
    let rcp = pointer::child(rp, "content");
    for (media, bm) in &bc {
        let bmp = pointer::child(&bcp, media);
        match rc.iter().find(|(m, _)| same_media(m, media)) {
            None => {
                let message = sentence(&format!("Request body media type `{media}` was removed"));
                w.out.emit(
                    "request-body-media-type-removed",
                    Some(&bmp),
                    Some(rp),
                    message,
                );
            }
            Some((rmedia, rm)) => {
                let rmp = pointer::child(&rcp, rmedia);
                let at = body_at(webhook);
                let sides = (
                    (bm.get("schema"), bmp.as_str()),
                    (rm.get("schema"), rmp.as_str()),
                );
                if keywords::compare_media_schema(w, &at, sides.0, sides.1, media) {
                    continue;
                }
                if let (Some(bs), Some(rs)) = (bm.get("schema"), rm.get("schema")) {
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
            let message = sentence(&format!("Request body media type `{media}` was added"));
            w.out.emit(
                "request-body-media-type-added",
                Some(bp),
                Some(&pointer::child(&rcp, media)),
                message,
            );
        }
    }
}
