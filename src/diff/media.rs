//! The `content` map of a request body or a response: media types added or
//! removed, and each shared media type's schema compared (or reported as
//! appearing / disappearing). Request bodies and responses differ only in
//! rule ids, wording and where the schema sits, which the caller passes in.
//!
//! Pure: must not do I/O.

use serde_json::{Map, Value};

use super::keyed::{self, Pair};
use super::keywords;
use super::pointer;
use super::schema;
use super::walk::{At, Walk, sentence};
use crate::spec::view::same_media;

/// Rule ids and message texts of media types that disappear or appear;
/// each text function gets the media type.
pub(crate) struct MediaRules<'t> {
    pub removed: &'static str,
    pub added: &'static str,
    pub removed_text: &'t dyn Fn(&str) -> String,
    pub added_text: &'t dyn Fn(&str) -> String,
}

/// One side of the comparison: the body or response object and its pointer.
pub(crate) type Side<'a, 'p> = (&'a Map<String, Value>, &'p str);

/// Compares the `content` maps of `base` and `revision`; shared media
/// types' schemas are compared at `at`.
pub(crate) fn compare_content<'a>(
    w: &mut Walk<'a>,
    (bm, bp): Side<'a, '_>,
    (rm, rp): Side<'a, '_>,
    at: &At,
    rules: &MediaRules<'_>,
) {
    let bcp = pointer::child(bp, "content");
    let rcp = pointer::child(rp, "content");
    let (bc, rc) = (keyed::entries(bm, "content"), keyed::entries(rm, "content"));
    for pair in keyed::pair_up(&bc, &rc, same_media) {
        match pair {
            Pair::Removed((media, _)) => {
                let message = sentence(&(rules.removed_text)(media));
                let bmp = pointer::child(&bcp, media);
                w.out.emit(rules.removed, Some(&bmp), Some(rp), message);
            }
            Pair::Shared((media, bv), (rmedia, rv)) => {
                let bmp = pointer::child(&bcp, media);
                let rmp = pointer::child(&rcp, rmedia);
                compare_schema(w, media, (bv, &bmp), (rv, &rmp), at);
            }
            Pair::Added((media, _)) => {
                let message = sentence(&(rules.added_text)(media));
                let rmp = pointer::child(&rcp, media);
                w.out.emit(rules.added, Some(bp), Some(&rmp), message);
            }
        }
    }
}

/// One media type in both documents: its schema appearing or disappearing,
/// else both schemas compared.
fn compare_schema<'a>(
    w: &mut Walk<'a>,
    media: &str,
    (bv, bmp): (&'a Value, &str),
    (rv, rmp): (&'a Value, &str),
    at: &At,
) {
    let (bs, rs) = (bv.get("schema"), rv.get("schema"));
    if keywords::compare_media_schema(w, at, (bs, bmp), (rs, rmp), media) {
        return;
    }
    if let (Some(bs), Some(rs)) = (bs, rs) {
        let (bsp, rsp) = (pointer::child(bmp, "schema"), pointer::child(rmp, "schema"));
        schema::compare(w, bs, &bsp, rs, &rsp, at);
    }
}
