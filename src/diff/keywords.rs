//! JSON Schema 2020-12 keywords beyond the OpenAPI 3.0 subset, in one schema
//! pair: `prefixItems`, `contains`, `dependentRequired`, `dependentSchemas`,
//! `patternProperties`, `propertyNames`, `unevaluatedItems` /
//! `unevaluatedProperties`, `if` / `then` / `else`, `contentSchema` /
//! `contentMediaType` / `contentEncoding` (`minContains` / `maxContains`
//! are bounds, compared with the others in `constraints`), `uniqueItems`,
//! a `oneOf` whose alternatives start to overlap, and a media type whose
//! schema appears or disappears.
//!
//! A keyword that appears constrains more values (narrows: `-added`); one
//! that disappears constrains fewer (widens: `-removed`). The rule table
//! turns that into a level by direction. When both sides have the keyword,
//! its subschemas are compared recursively, so a constraint nested inside
//! `then` or a `patternProperties` schema is judged like any other.
//!
//! Pure: must not do I/O.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::pointer;
use super::schema;
use super::schema_view::View;
use super::walk::{At, Walk, show};

/// What an absent keyword map reads as.
static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

/// A keyword and the stem of its rule ids (`patternProperties` ->
/// `pattern-property-added`): the comparisons below always take both.
#[derive(Clone, Copy)]
struct Keyword {
    name: &'static str,
    stem: &'static str,
}

const fn keyword(name: &'static str, stem: &'static str) -> Keyword {
    Keyword { name, stem }
}

impl Keyword {
    /// The rule id for a movement of this keyword (`added`, `changed`, ...).
    fn rule(self, movement: &str) -> String {
        format!("{}-{movement}", self.stem)
    }
}

/// Subschema keywords that narrow when they appear.
const SUBSCHEMAS: &[Keyword] = &[
    keyword("contains", "contains"),
    keyword("if", "if"),
    keyword("then", "then"),
    keyword("else", "else"),
    keyword("propertyNames", "property-names"),
    keyword("unevaluatedItems", "unevaluated-items"),
    keyword("unevaluatedProperties", "unevaluated-properties"),
    keyword("contentSchema", "content-schema"),
];

/// Keyword maps of subschemas, compared entry by entry.
const KEYED: &[Keyword] = &[
    keyword("patternProperties", "pattern-property"),
    keyword("dependentSchemas", "dependent-schema"),
];

pub(crate) fn compare<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At) {
    for &kw in SUBSCHEMAS {
        compare_subschema(w, b, r, at, kw);
    }
    compare_prefix_items(w, b, r, at);
    for &kw in KEYED {
        compare_keyed(w, b, r, at, kw);
    }
    compare_dependent_required(w, b, r, at);
    compare_content_strings(w, b, r, at);
    compare_unique_items(w, b, r, at);
    compare_overlap(w, b, r, at);
}

/// A keyword's value when it constrains anything (`true` and `{}` do not).
fn constraining<'a>(view: &View<'a>, keyword: &str) -> Option<(&'a Value, String)> {
    let (value, ptr) = view.kw(keyword)?;
    let empty = value == &Value::Bool(true) || value.as_object().is_some_and(Map::is_empty);
    (!empty).then(|| (value, pointer::child(ptr, keyword)))
}

fn compare_subschema<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At, kw: Keyword) {
    let keyword = kw.name;
    match (constraining(b, keyword), constraining(r, keyword)) {
        (None, Some((value, rp))) => {
            let detail = format!("`{keyword}` {} was added", show(value));
            w.schema_change(at, &kw.rule("added"), &b.ptr, &rp, detail);
        }
        (Some((value, bp)), None) => {
            let detail = format!("`{keyword}` {} was removed", show(value));
            w.schema_change(at, &kw.rule("removed"), &bp, &r.ptr, detail);
        }
        // `if` is a condition, not a constraint: a change to it moves which
        // values `then`/`else` apply to, in no single direction.
        (Some((bv, bp)), Some((rv, rp))) if keyword != "if" && bv.is_object() && rv.is_object() => {
            schema::compare(w, bv, &bp, rv, &rp, &at.deeper());
        }
        _ => {}
    }
}

/// `prefixItems`: positions compared pairwise; a longer or shorter tuple is
/// `prefix-items-added` / `-removed`.
fn compare_prefix_items<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At) {
    let items = |view: &View<'a>| {
        view.kw("prefixItems")
            .and_then(|(v, ptr)| Some((v.as_array()?, pointer::child(ptr, "prefixItems"))))
    };
    let (bi, ri) = (items(b), items(r));
    let (bl, rl) = (
        bi.as_ref().map_or(0, |(a, _)| a.len()),
        ri.as_ref().map_or(0, |(a, _)| a.len()),
    );
    if let (Some((ba, bp)), Some((ra, rp))) = (&bi, &ri) {
        for (i, (bs, rs)) in ba.iter().zip(ra.iter()).enumerate() {
            let (bsp, rsp) = (pointer::index(bp, i), pointer::index(rp, i));
            schema::compare(w, bs, &bsp, rs, &rsp, &at.child(&format!("[{i}]")));
        }
    }
    let bp = bi.map_or_else(|| b.ptr.clone(), |(_, p)| p);
    let rp = ri.map_or_else(|| r.ptr.clone(), |(_, p)| p);
    if rl > bl {
        let detail = format!("`prefixItems` grew from {bl} to {rl} positions");
        w.schema_change(at, "prefix-items-added", &bp, &rp, detail);
    } else if rl < bl {
        let detail = format!("`prefixItems` shrank from {bl} to {rl} positions");
        w.schema_change(at, "prefix-items-removed", &bp, &rp, detail);
    }
}

/// Keyword maps of subschemas (`patternProperties`, `dependentSchemas`):
/// entries added or removed, shared entries compared.
fn compare_keyed<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At, kw: Keyword) {
    let keyword = kw.name;
    let map = |view: &View<'a>| {
        view.kw(keyword)
            .and_then(|(v, ptr)| Some((v.as_object()?, pointer::child(ptr, keyword))))
    };
    let (bm, bp) = map(b).unwrap_or((&EMPTY, b.ptr.clone()));
    let (rm, rp) = map(r).unwrap_or((&EMPTY, r.ptr.clone()));
    let added: Vec<&String> = rm.keys().filter(|k| !bm.contains_key(*k)).collect();
    let removed: Vec<&String> = bm.keys().filter(|k| !rm.contains_key(*k)).collect();
    let names = |keys: &[&String]| keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>();
    if !added.is_empty() {
        let detail = format!("`{keyword}` entries added: {}", names(&added).join(", "));
        w.schema_change(at, &kw.rule("added"), &bp, &rp, detail);
    }
    if !removed.is_empty() {
        let detail = format!(
            "`{keyword}` entries removed: {}",
            names(&removed).join(", ")
        );
        w.schema_change(at, &kw.rule("removed"), &bp, &rp, detail);
    }
    for (key, bs) in bm {
        if let Some(rs) = rm.get(key)
            && bs.is_object()
            && rs.is_object()
        {
            let (bsp, rsp) = (pointer::child(&bp, key), pointer::child(&rp, key));
            let inner = match keyword {
                "patternProperties" => at.child(&format!("{{/{key}/}}")),
                _ => at.deeper(),
            };
            schema::compare(w, bs, &bsp, rs, &rsp, &inner);
        }
    }
}

fn string_set(value: &Value) -> BTreeSet<&str> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn compare_dependent_required<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At) {
    let keyword = "dependentRequired";
    let map = |view: &View<'a>| {
        view.kw(keyword)
            .and_then(|(v, ptr)| Some((v.as_object()?, pointer::child(ptr, keyword))))
    };
    let (bm, bp) = map(b).unwrap_or((&EMPTY, b.ptr.clone()));
    let (rm, rp) = map(r).unwrap_or((&EMPTY, r.ptr.clone()));
    for (key, rv) in rm {
        let detail = match bm.get(key) {
            None => Some(("added", format!("`{key}` now requires {}", show(rv)))),
            Some(bv) if string_set(bv) != string_set(rv) => Some((
                "changed",
                format!(
                    "`{key}` required {} and now requires {}",
                    show(bv),
                    show(rv)
                ),
            )),
            Some(_) => None,
        };
        if let Some((movement, detail)) = detail {
            let suffix = format!("dependent-required-{movement}");
            w.schema_change(at, &suffix, &bp, &rp, detail);
        }
    }
    for (key, bv) in bm {
        if !rm.contains_key(key) {
            let detail = format!("`{key}` no longer requires {}", show(bv));
            w.schema_change(at, "dependent-required-removed", &bp, &rp, detail);
        }
    }
}

fn compare_unique_items<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At) {
    match (b.flag("uniqueItems"), r.flag("uniqueItems")) {
        (false, true) => {
            let detail = "array items must now be unique".to_owned();
            w.schema_change(at, "unique-items-set", &b.ptr, &r.ptr, detail);
        }
        (true, false) => {
            let detail = "array items need no longer be unique".to_owned();
            w.schema_change(at, "unique-items-unset", &b.ptr, &r.ptr, detail);
        }
        _ => {}
    }
}

/// `contentMediaType` / `contentEncoding`: what a string carries; any
/// change means old clients encode or decode it wrongly.
fn compare_content_strings<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At) {
    for kw in [
        keyword("contentMediaType", "content-media-type"),
        keyword("contentEncoding", "content-encoding"),
    ] {
        let keyword = kw.name;
        let value = |view: &View<'a>| content_keyword(view, keyword);
        let (old, new) = (value(b), value(r));
        if old != new {
            let show = |v: Option<&str>| v.map_or("none".to_owned(), |v| format!("`{v}`"));
            let detail = format!("`{keyword}` changed from {} to {}", show(old), show(new));
            w.schema_change(at, &kw.rule("changed"), &b.ptr, &r.ptr, detail);
        }
    }
}

/// A content keyword, reading 3.0's `format: byte` / `format: binary` as
/// the `contentEncoding: base64` / `contentMediaType:
/// application/octet-stream` that the 3.1 upgrade gives them.
fn content_keyword<'a>(view: &View<'a>, keyword: &str) -> Option<&'a str> {
    if let Some(value) = view.kw(keyword).and_then(|(v, _)| v.as_str()) {
        return Some(value);
    }
    let format = view.kw("format").and_then(|(v, _)| v.as_str())?;
    match (keyword, format) {
        ("contentEncoding", "byte") => Some("base64"),
        ("contentMediaType", "binary") => Some("application/octet-stream"),
        _ => None,
    }
}

/// `oneOf` alternatives that no value could satisfy together before, but
/// can now: a value that matched exactly one alternative may now match two,
/// and a `oneOf` then rejects it.
fn compare_overlap<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At) {
    let Some(pair) = overlapping(w.rev, r) else {
        return;
    };
    if overlapping(w.base, b).is_some() {
        return;
    }
    let detail = format!(
        "the `oneOf` alternatives {} and {} can now both match one value",
        pair.0, pair.1
    );
    w.schema_change(at, "one-of-branches-overlap", &b.ptr, &r.ptr, detail);
}

/// The first pair of `oneOf` alternatives that may overlap, by label.
fn overlapping(doc: &Value, view: &View<'_>) -> Option<(String, String)> {
    let branches = view.branches.as_ref().filter(|b| b.kind == "oneOf")?;
    let views: Vec<View<'_>> = branches
        .items
        .iter()
        .map(|(value, ptr)| View::build(doc, value, ptr))
        .collect();
    for i in 0..views.len() {
        for j in i + 1..views.len() {
            if may_overlap(doc, &views[i], &views[j]) {
                let label = |k: usize| format!("#{}", k + 1);
                return Some((label(i), label(j)));
            }
        }
    }
    None
}

/// Values a schema admits when it lists them (`const`, `enum`).
fn listed<'a>(view: &View<'a>) -> Option<Vec<&'a Value>> {
    if let Some((value, _)) = view.kw("const") {
        return Some(vec![value]);
    }
    view.kw("enum")
        .and_then(|(v, _)| v.as_array())
        .map(|a| a.iter().collect())
}

fn types_disjoint(a: &View<'_>, b: &View<'_>) -> bool {
    let (Some(ta), Some(tb)) = (a.types(), b.types()) else {
        return false;
    };
    let numeric = |t: &BTreeSet<&str>| t.contains("number") || t.contains("integer");
    let shared = ta.iter().any(|t| tb.contains(t));
    !(shared || numeric(&ta) && numeric(&tb))
}

fn lists_disjoint(a: &View<'_>, b: &View<'_>) -> bool {
    match (listed(a), listed(b)) {
        (Some(la), Some(lb)) => !la.iter().any(|v| lb.contains(v)),
        _ => false,
    }
}

/// Conservative: true unless the two alternatives provably exclude each
/// other (disjoint types or listed values, a required property whose listed
/// values differ, or a closed object lacking the other's required property).
fn may_overlap(doc: &Value, a: &View<'_>, b: &View<'_>) -> bool {
    if types_disjoint(a, b) || lists_disjoint(a, b) {
        return false;
    }
    !(excludes_by_property(doc, a, b) || excludes_by_property(doc, b, a))
}

fn excludes_by_property(doc: &Value, a: &View<'_>, b: &View<'_>) -> bool {
    let required = a.required();
    let b_props = b.properties();
    let b_closed = b.kw("additionalProperties").map(|(v, _)| v) == Some(&Value::Bool(false));
    for prop in a.properties() {
        if !required.contains(prop.name) {
            continue;
        }
        match b_props.iter().find(|p| p.name == prop.name) {
            None if b_closed => return true,
            None => {}
            Some(other) => {
                let pa = View::build(doc, prop.schema, &prop.ptr);
                let pb = View::build(doc, other.schema, &other.ptr);
                // `a` requires the property; `b` constrains it when present.
                if lists_disjoint(&pa, &pb) || types_disjoint(&pa, &pb) {
                    return true;
                }
            }
        }
    }
    false
}

/// A media type whose schema appears (absent or `{}` before) or disappears;
/// returns true when it reported one (then there is nothing to compare).
pub(crate) fn compare_media_schema(
    w: &mut Walk<'_>,
    at: &At,
    base: (Option<&Value>, &str),
    revision: (Option<&Value>, &str),
    media: &str,
) -> bool {
    let real = |schema: Option<&Value>| {
        schema
            .is_some_and(|s| !(s == &Value::Bool(true) || s.as_object().is_some_and(Map::is_empty)))
    };
    let (suffix, detail) = match (real(base.0), real(revision.0)) {
        (false, true) => (
            "media-type-schema-added",
            format!("media type `{media}` now has a schema"),
        ),
        (true, false) => (
            "media-type-schema-removed",
            format!("media type `{media}` no longer has a schema"),
        ),
        _ => return false,
    };
    let at_schema = |side: (Option<&Value>, &str)| match side.0 {
        Some(_) => pointer::child(side.1, "schema"),
        None => side.1.to_owned(),
    };
    w.schema_change(at, suffix, &at_schema(base), &at_schema(revision), detail);
    true
}
