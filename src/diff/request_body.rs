//! The request body of one matched operation: added, removed, became
//! required or optional, media types added or removed, and each shared media
//! type's schema compared in the request direction.
//!
//! Pure: must not do I/O.

use serde_json::{Map, Value};

use super::media::{self, MediaRules};
use super::pointer;
use super::schema_change::Dir;
use super::walk::{At, Root, Walk, sentence};
use crate::spec::view::Operation;

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
            w.flag_change(
                (required(bb), required(rb)),
                (&bp, &rp),
                (
                    "request-body-became-required",
                    "The request body became required".into(),
                ),
                (
                    "request-body-became-optional",
                    "The request body became optional".into(),
                ),
            );
            media::compare_content(w, (bb, &bp), (rb, &rp), &body_at(b.webhook), &MEDIA_RULES);
        }
        (None, None) => {}
    }
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

const MEDIA_RULES: MediaRules<'static> = MediaRules {
    removed: "request-body-media-type-removed",
    added: "request-body-media-type-added",
    removed_text: &|media| format!("Request body media type `{media}` was removed"),
    added_text: &|media| format!("Request body media type `{media}` was added"),
};
