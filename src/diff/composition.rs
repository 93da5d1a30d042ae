//! Structure beyond plain properties: `additionalProperties`, `oneOf` /
//! `anyOf` alternatives (matched by `$ref` target, then title, then type,
//! then position) and the discriminator. `allOf` never appears here: the
//! [`View`] has already merged it, so splitting a schema into `allOf` parts
//! reports nothing.
//!
//! Pure: must not do I/O.

use std::collections::BTreeSet;

use serde_json::Value;

use super::pointer;
use super::schema;
use super::schema_view::{Branches, View};
use super::walk::{At, Walk};

#[derive(Debug, PartialEq)]
enum Extra<'a> {
    Open,
    Closed,
    Schema(&'a Value, String),
}

fn extra<'a>(view: &View<'a>) -> Extra<'a> {
    match view.kw("additionalProperties") {
        None | Some((Value::Bool(true), _)) => Extra::Open,
        Some((Value::Bool(false), _)) => Extra::Closed,
        Some((Value::Object(map), _)) if map.is_empty() => Extra::Open,
        Some((value @ Value::Object(_), ptr)) => {
            Extra::Schema(value, pointer::child(ptr, "additionalProperties"))
        }
        Some(_) => Extra::Open,
    }
}

pub(crate) fn compare_additional_properties<'a>(
    w: &mut Walk<'a>,
    b: &View<'a>,
    r: &View<'a>,
    at: &At,
) {
    let (be, re) = (extra(b), extra(r));
    let narrowed = matches!(
        (&be, &re),
        (Extra::Open, Extra::Closed | Extra::Schema(..)) | (Extra::Schema(..), Extra::Closed)
    );
    let widened = matches!(
        (&be, &re),
        (Extra::Closed, Extra::Open | Extra::Schema(..)) | (Extra::Schema(..), Extra::Open)
    );
    if narrowed {
        let detail = "additional properties are now restricted".to_owned();
        w.schema_change(at, "additional-properties-narrowed", &b.ptr, &r.ptr, detail);
    } else if widened {
        let detail = "additional properties are now allowed".to_owned();
        w.schema_change(at, "additional-properties-widened", &b.ptr, &r.ptr, detail);
    } else if let (Extra::Schema(bs, bp), Extra::Schema(rs, rp)) = (be, re) {
        schema::compare(w, bs, &bp, rs, &rp, &at.child("{}"));
    }
}

/// A name for a branch in messages and for matching.
fn branch_label(doc: &Value, branch: &Value, ptr: &str) -> (Option<String>, String) {
    if let Some(target) = pointer::ref_of(branch).and_then(pointer::ref_pointer) {
        let name = pointer::component_name(&target).unwrap_or_else(|| target.clone());
        return (Some(target), name);
    }
    let view = View::build(doc, branch, ptr);
    if let Some(title) = view.kw("title").and_then(|(v, _)| v.as_str()) {
        return (None, title.to_owned());
    }
    let types = view.types().unwrap_or_default();
    let signature = if types.is_empty() {
        "schema".to_owned()
    } else {
        types.iter().copied().collect::<Vec<_>>().join("|")
    };
    (None, signature)
}

struct Branch<'a> {
    value: &'a Value,
    ptr: String,
    target: Option<String>,
    label: String,
}

fn branches<'a>(doc: &'a Value, view: &View<'a>) -> (Option<&'static str>, Vec<Branch<'a>>) {
    match &view.branches {
        Some(Branches { kind, items }) => (
            Some(*kind),
            items
                .iter()
                .map(|(value, ptr)| {
                    let (target, label) = branch_label(doc, value, ptr);
                    Branch {
                        value,
                        ptr: ptr.clone(),
                        target,
                        label,
                    }
                })
                .collect(),
        ),
        None => (None, Vec::new()),
    }
}

/// Pairs base and revision branches: same `$ref` target first, then same
/// label. Returns (pairs, unmatched base, unmatched revision).
fn pair_up(
    base: &[Branch<'_>],
    revision: &[Branch<'_>],
) -> (Vec<(usize, usize)>, Vec<usize>, Vec<usize>) {
    let mut used = vec![false; revision.len()];
    let mut pairs = Vec::new();
    let mut unmatched = Vec::new();
    let mut pending = Vec::new();
    for (i, bb) in base.iter().enumerate() {
        let hit = bb.target.as_ref().and_then(|t| {
            revision
                .iter()
                .enumerate()
                .position(|(j, rb)| !used[j] && rb.target.as_ref() == Some(t))
        });
        match hit {
            Some(j) => {
                used[j] = true;
                pairs.push((i, j));
            }
            None => pending.push(i),
        }
    }
    for i in pending {
        let hit = revision
            .iter()
            .enumerate()
            .position(|(j, rb)| !used[j] && rb.label == base[i].label);
        match hit {
            Some(j) => {
                used[j] = true;
                pairs.push((i, j));
            }
            None => unmatched.push(i),
        }
    }
    let added = (0..revision.len()).filter(|&j| !used[j]).collect();
    (pairs, unmatched, added)
}

pub(crate) fn compare_branches<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At) {
    let (bk, bb) = branches(w.base, b);
    let (rk, rb) = branches(w.rev, r);
    if bk.is_none() && rk.is_none() {
        return;
    }
    let kind = rk.or(bk).unwrap_or("oneOf");
    let id = if kind == "anyOf" { "any-of" } else { "one-of" };
    if bk.is_none() || rk.is_none() {
        // One side is a plain schema: it was wrapped into (or unwrapped from)
        // alternatives. Its own keywords were compared already; report the
        // alternatives that are not the plain schema's type.
        let plain = if bk.is_none() { b } else { r };
        let plain_types = plain
            .types()
            .map(|t| t.iter().copied().collect::<Vec<_>>().join("|"));
        let others: Vec<&Branch<'_>> = if bk.is_none() {
            rb.iter().collect()
        } else {
            bb.iter().collect()
        };
        let extra: Vec<&str> = others
            .iter()
            .filter(|branch| {
                branch.target.as_deref() != Some(plain.ptr.as_str())
                    && Some(&branch.label) != plain_types.as_ref()
            })
            .map(|branch| branch.label.as_str())
            .collect();
        if extra.is_empty() {
            return;
        }
        let (suffix, verb) = if bk.is_none() {
            ("added", "added to")
        } else {
            ("removed", "removed from")
        };
        let detail = format!("alternatives {} were {verb} `{kind}`", quote_all(&extra));
        w.schema_change(at, &format!("{id}-{suffix}"), &b.ptr, &r.ptr, detail);
        return;
    }
    let (pairs, removed, added) = pair_up(&bb, &rb);
    if !removed.is_empty() {
        let labels: Vec<&str> = removed.iter().map(|&i| bb[i].label.as_str()).collect();
        let detail = format!(
            "alternatives {} were removed from `{kind}`",
            quote_all(&labels)
        );
        w.schema_change(at, &format!("{id}-removed"), &b.ptr, &r.ptr, detail);
    }
    if !added.is_empty() {
        let labels: Vec<&str> = added.iter().map(|&j| rb[j].label.as_str()).collect();
        let detail = format!("alternatives {} were added to `{kind}`", quote_all(&labels));
        w.schema_change(at, &format!("{id}-added"), &b.ptr, &r.ptr, detail);
    }
    let inner = at.deeper();
    for (i, j) in pairs {
        schema::compare(w, bb[i].value, &bb[i].ptr, rb[j].value, &rb[j].ptr, &inner);
    }
}

/// How alike two same-typed schemas look: shared property names, and for
/// arrays the same item `$ref` or shared item property names.
fn affinity(doc_a: &Value, a: &View<'_>, doc_b: &Value, b: &View<'_>) -> usize {
    let names = |v: &View<'_>| -> BTreeSet<String> {
        v.properties().iter().map(|p| p.name.to_owned()).collect()
    };
    let mut score = names(a).intersection(&names(b)).count();
    if let (Some((ai, ap)), Some((bi, bp))) = (a.kw("items"), b.kw("items")) {
        let (at, bt) = (pointer::ref_of(ai), pointer::ref_of(bi));
        if at.is_some() && at == bt {
            score += 10_000;
        } else {
            let ai = View::build(doc_a, ai, ap);
            let bi = View::build(doc_b, bi, bp);
            score += names(&ai).intersection(&names(&bi)).count();
        }
    }
    score
}

/// The two schemas as written, before flattening.
pub(crate) struct Sides<'a, 'p> {
    pub base: &'a Value,
    pub base_ptr: &'p str,
    pub revision: &'a Value,
    pub revision_ptr: &'p str,
}

/// A plain schema wrapped into `oneOf`/`anyOf` alternatives (or unwrapped):
/// when one alternative is the plain schema (same `$ref` target, else same
/// type), compares the plain schema with that alternative and reports the
/// other alternatives as added or removed. Returns whether it handled the pair.
pub(crate) fn compare_wrapped<'a>(
    w: &mut Walk<'a>,
    b: &View<'a>,
    r: &View<'a>,
    sides: &Sides<'a, '_>,
    at: &At,
) -> bool {
    if b.branches.is_some() == r.branches.is_some() {
        return false;
    }
    let wrapped_in_revision = r.branches.is_some();
    let (plain, branchy, doc) = if wrapped_in_revision {
        (b, r, w.rev)
    } else {
        (r, b, w.base)
    };
    if !branchy.properties().is_empty() {
        return false;
    }
    let (kind, alternatives) = branches(doc, branchy);
    let kind = kind.unwrap_or("oneOf");
    let plain_doc = if wrapped_in_revision { w.base } else { w.rev };
    let plain_types = plain.types();
    let matched = alternatives
        .iter()
        .position(|alt| alt.target.as_deref() == Some(plain.ptr.as_str()))
        .or_else(|| {
            let plain_types = plain_types.as_ref()?;
            alternatives
                .iter()
                .enumerate()
                .filter_map(|(i, alt)| {
                    let view = View::build(doc, alt.value, &alt.ptr);
                    (view.types().as_ref() == Some(plain_types))
                        .then(|| (affinity(plain_doc, plain, doc, &view), i))
                })
                .max_by_key(|(score, i)| (*score, std::cmp::Reverse(*i)))
                .map(|(_, i)| i)
        });
    let Some(matched) = matched else {
        return false;
    };
    let others: Vec<&str> = alternatives
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != matched)
        .map(|(_, alt)| alt.label.as_str())
        .collect();
    let id = if kind == "anyOf" { "any-of" } else { "one-of" };
    if !others.is_empty() {
        let (suffix, detail) = if wrapped_in_revision {
            (
                "added",
                format!(
                    "became `{kind}` and alternatives {} were added",
                    quote_all(&others)
                ),
            )
        } else {
            (
                "removed",
                format!(
                    "is no longer `{kind}`: alternatives {} were removed",
                    quote_all(&others)
                ),
            )
        };
        w.schema_change(at, &format!("{id}-{suffix}"), &b.ptr, &r.ptr, detail);
    }
    let alt = &alternatives[matched];
    let inner = at.without_null();
    if wrapped_in_revision {
        schema::compare(w, sides.base, sides.base_ptr, alt.value, &alt.ptr, &inner);
    } else {
        schema::compare(
            w,
            alt.value,
            &alt.ptr,
            sides.revision,
            sides.revision_ptr,
            &inner,
        );
    }
    true
}

fn quote_all(labels: &[&str]) -> String {
    labels
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn compare_discriminator(w: &mut Walk<'_>, b: &View<'_>, r: &View<'_>, at: &At) {
    let bd = b.kw("discriminator").and_then(|(v, _)| v.as_object());
    let rd = r.kw("discriminator").and_then(|(v, _)| v.as_object());
    let (bp, rp) = (b.ptr.as_str(), r.ptr.as_str());
    let (bd, rd) = match (bd, rd) {
        (None, None) => return,
        (None, Some(_)) => {
            w.schema_change(
                at,
                "discriminator-added",
                bp,
                rp,
                "a discriminator was added".into(),
            );
            return;
        }
        (Some(_), None) => {
            w.schema_change(
                at,
                "discriminator-removed",
                bp,
                rp,
                "the discriminator was removed".into(),
            );
            return;
        }
        (Some(bd), Some(rd)) => (bd, rd),
    };
    let name = |d: &serde_json::Map<String, Value>| {
        d.get("propertyName")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if name(bd) != name(rd) {
        let detail = format!(
            "discriminator property changed from `{}` to `{}`",
            name(bd).unwrap_or_default(),
            name(rd).unwrap_or_default()
        );
        w.schema_change(at, "discriminator-property-name-changed", bp, rp, detail);
    }
    let mapping = |d: &serde_json::Map<String, Value>| -> Vec<(String, String)> {
        d.get("mapping")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (bm, rm) = (mapping(bd), mapping(rd));
    let bkeys: BTreeSet<&str> = bm.iter().map(|(k, _)| k.as_str()).collect();
    let rkeys: BTreeSet<&str> = rm.iter().map(|(k, _)| k.as_str()).collect();
    let deleted: Vec<&str> = bkeys.difference(&rkeys).copied().collect();
    let added: Vec<&str> = rkeys.difference(&bkeys).copied().collect();
    if !deleted.is_empty() {
        let detail = format!(
            "discriminator mapping keys {} were removed",
            quote_all(&deleted)
        );
        w.schema_change(at, "discriminator-mapping-deleted", bp, rp, detail);
    }
    if !added.is_empty() {
        let detail = format!(
            "discriminator mapping keys {} were added",
            quote_all(&added)
        );
        w.schema_change(at, "discriminator-mapping-added", bp, rp, detail);
    }
    let changed: Vec<String> = bm
        .iter()
        .filter_map(|(k, v)| {
            let new = rm.iter().find(|(rk, _)| rk == k)?;
            (new.1 != *v).then(|| format!("`{k}` from `{v}` to `{}`", new.1))
        })
        .collect();
    if !changed.is_empty() {
        let detail = format!("discriminator mapping changed: {}", changed.join(", "));
        w.schema_change(at, "discriminator-mapping-changed", bp, rp, detail);
    }
}
