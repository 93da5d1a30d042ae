//! Compares two schemas in a direction: `$ref`s are followed (memoised per
//! pair, so shared components are compared once and cycles terminate), both
//! sides are flattened into a [`View`], and then type, nullability and value
//! constraints are compared before descending into properties, items,
//! additional properties and composition branches.
//!
//! Pure: must not do I/O.

use std::collections::BTreeSet;

use serde_json::Value;

use super::composition::{self, Sides};
use super::constraints;
use super::keywords;
use super::pointer;
use super::properties;
use super::schema_view::{View, is_pure_ref};
use super::walk::{At, Enter, MAX_SCHEMA_DEPTH, Walk};

/// Compares schema `base` (at `base_ptr`) with `revision` (at `revision_ptr`).
pub(crate) fn compare<'a>(
    w: &mut Walk<'a>,
    base: &'a Value,
    base_ptr: &str,
    revision: &'a Value,
    revision_ptr: &str,
    at: &At,
) {
    if at.depth > MAX_SCHEMA_DEPTH {
        return;
    }
    let base_ref = pointer::ref_of(base).and_then(pointer::ref_pointer);
    let revision_ref = pointer::ref_of(revision).and_then(pointer::ref_pointer);
    if let (Some(b), Some(r)) = (&base_ref, &revision_ref)
        && b == r
        && w.stable.contains(b)
        && is_pure_ref(base)
        && is_pure_ref(revision)
    {
        return;
    }
    let sides = Sides {
        base,
        base_ptr,
        revision,
        revision_ptr,
    };
    if base_ref.is_none() && revision_ref.is_none() {
        compare_views(w, &sides, at);
        return;
    }
    // A `$ref` with sibling keywords (`nullable`, constraints) is its own
    // schema: memoise it by its location, not by its target.
    let key_of = |value: &Value, reference: &Option<String>, ptr: &str| match reference {
        Some(target) if is_pure_ref(value) => target.clone(),
        _ => ptr.to_owned(),
    };
    let base_key = key_of(base, &base_ref, base_ptr);
    let revision_key = key_of(revision, &revision_ref, revision_ptr);
    let pure = |value: &Value, reference: &Option<String>| {
        reference.clone().filter(|_| is_pure_ref(value))
    };
    // Anchor messages at the component only when both sides are plain refs:
    // then the comparison is shared by every place that uses the pair.
    let name = match (pure(base, &base_ref), pure(revision, &revision_ref)) {
        (Some(_), Some(target)) => pointer::component_name(&target),
        _ => None,
    };
    let inner = match &name {
        Some(name) => at.anchored_at(name),
        None => at.deeper(),
    };
    match w.enter(&base_key, &revision_key, &inner) {
        Enter::Skip => {}
        Enter::Compare(key) => {
            compare_views(w, &sides, &inner);
            w.leave(key);
        }
    }
}

fn compare_views<'a>(w: &mut Walk<'a>, sides: &Sides<'a, '_>, at: &At) {
    let b = View::build(w.base, sides.base, sides.base_ptr);
    let r = View::build(w.rev, sides.revision, sides.revision_ptr);
    if composition::compare_wrapped(w, &b, &r, sides, at) {
        if !at.ignore_null {
            compare_nullability(w, &b, &r, at);
        }
        return;
    }
    if compare_types(w, &b, &r, at) {
        return;
    }
    if !at.ignore_null {
        compare_nullability(w, &b, &r, at);
    }
    constraints::compare(w, &b, &r, at);
    properties::compare(w, &b, &r, at);
    compare_items(w, &b, &r, at);
    composition::compare_additional_properties(w, &b, &r, at);
    composition::compare_branches(w, &b, &r, at);
    composition::compare_discriminator(w, &b, &r, at);
    keywords::compare(w, &b, &r, at);
}

fn accepts(types: &BTreeSet<&str>, t: &str) -> bool {
    types.contains(t) || (t == "integer" && types.contains("number"))
}

fn show_types(types: &BTreeSet<&str>) -> String {
    types.iter().copied().collect::<Vec<_>>().join("|")
}

/// Returns true when the types are incompatible (nothing else is compared).
fn compare_types(w: &mut Walk<'_>, b: &View<'_>, r: &View<'_>, at: &At) -> bool {
    let (Some(bt), Some(rt)) = (b.types(), r.types()) else {
        return false;
    };
    let widened = bt.iter().all(|t| accepts(&rt, t));
    let narrowed = rt.iter().all(|t| accepts(&bt, t));
    let detail = format!(
        "type changed from `{}` to `{}`",
        show_types(&bt),
        show_types(&rt)
    );
    // oasdiff names a change to a list of types (`[string, integer]`) apart.
    let list = bt.len() > 1 || rt.len() > 1;
    let suffix = match (widened, narrowed, list) {
        (true, true, _) => return false,
        (true, false, true) => "list-of-types-widened",
        (true, false, false) => "type-generalized",
        (false, true, true) => "list-of-types-narrowed",
        (false, true, false) => "type-specialized",
        (false, false, _) => "type-changed",
    };
    w.schema_change(at, suffix, &b.ptr, &r.ptr, detail);
    // Neither side accepts all of the other's types: the rest is moot.
    !widened && !narrowed
}

fn compare_nullability(w: &mut Walk<'_>, b: &View<'_>, r: &View<'_>, at: &At) {
    if b.is_unconstrained() || r.is_unconstrained() {
        return;
    }
    let (suffix, detail) = match (b.nullable, r.nullable) {
        (false, true) => ("became-nullable", "became nullable"),
        (true, false) => ("became-not-nullable", "became not nullable"),
        _ => return,
    };
    w.schema_change(at, suffix, &b.ptr, &r.ptr, detail.into());
}

fn compare_items<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At) {
    let (Some((bi, bp)), Some((ri, rp))) = (b.kw("items"), r.kw("items")) else {
        return;
    };
    if !bi.is_object() || !ri.is_object() {
        return;
    }
    let bp = pointer::child(bp, "items");
    let rp = pointer::child(rp, "items");
    compare(w, bi, &bp, ri, &rp, &at.child("[]"));
}
