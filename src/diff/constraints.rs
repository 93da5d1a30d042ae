//! Value constraints of one schema pair: format, enum, const, default,
//! pattern, multipleOf and the numeric bounds (lengths, ranges, item and
//! property counts), with 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum`
//! read as the 3.1 numeric form.
//!
//! Pure: must not do I/O.

use serde_json::Value;

use super::pointer;
use super::rules::{BOUNDS, Bound};
use super::schema_view::View;
use super::walk::{At, Walk, show, show_list};

pub(crate) fn compare(w: &mut Walk<'_>, b: &View<'_>, r: &View<'_>, at: &At) {
    compare_format(w, b, r, at);
    compare_enum(w, b, r, at);
    compare_scalar(w, b, r, at, "const", "const");
    compare_scalar(w, b, r, at, "default", "default-value");
    compare_pattern(w, b, r, at);
    compare_multiple_of(w, b, r, at);
    // Once the revision lists its values, length bounds say nothing more:
    // `{maxLength: 5000}` -> `{enum: [...]}` is the enum change only.
    let enumerated = enum_values(r).is_some() || r.kw("const").is_some();
    for bound in BOUNDS {
        if enumerated && matches!(bound.keyword, "maxLength" | "minLength") {
            continue;
        }
        compare_bound(w, b, r, at, bound);
    }
}

fn kw_ptr(view: &View<'_>, keyword: &str) -> String {
    match view.kw(keyword) {
        Some((_, ptr)) => pointer::child(ptr, keyword),
        None => view.ptr.clone(),
    }
}

fn compare_format(w: &mut Walk<'_>, b: &View<'_>, r: &View<'_>, at: &At) {
    let bf = b.kw("format").and_then(|(v, _)| v.as_str());
    let rf = r.kw("format").and_then(|(v, _)| v.as_str());
    if let (Some(bf), Some(rf)) = (bf, rf)
        && bf != rf
    {
        let detail = format!("format changed from `{bf}` to `{rf}`");
        w.schema_change(
            at,
            "format-changed",
            &kw_ptr(b, "format"),
            &kw_ptr(r, "format"),
            detail,
        );
    }
}

/// Enum values without null (nullability is reported separately).
fn enum_values<'a>(view: &View<'a>) -> Option<Vec<&'a Value>> {
    let values = view.kw("enum")?.0.as_array()?;
    Some(values.iter().filter(|v| !v.is_null()).collect())
}

fn compare_enum(w: &mut Walk<'_>, b: &View<'_>, r: &View<'_>, at: &At) {
    let (bp, rp) = (kw_ptr(b, "enum"), kw_ptr(r, "enum"));
    match (enum_values(b), enum_values(r)) {
        (None, Some(values)) => {
            let detail = format!("was restricted to the enum values {}", show_list(values));
            w.schema_change(at, "became-enum", &bp, &rp, detail);
        }
        (Some(_), None) => {
            w.schema_change(
                at,
                "enum-removed",
                &bp,
                &rp,
                "is no longer restricted to enum values".into(),
            );
        }
        (Some(bv), Some(rv)) => {
            let removed: Vec<&Value> = bv.iter().copied().filter(|v| !rv.contains(v)).collect();
            let added: Vec<&Value> = rv.iter().copied().filter(|v| !bv.contains(v)).collect();
            if !removed.is_empty() {
                let detail = format!("enum values removed: {}", show_list(removed));
                w.schema_change(at, "enum-value-removed", &bp, &rp, detail);
            }
            if !added.is_empty() {
                let detail = format!("enum values added: {}", show_list(added));
                w.schema_change(at, "enum-value-added", &bp, &rp, detail);
            }
        }
        (None, None) => {}
    }
}

/// `const` and `default`: added, removed or changed.
fn compare_scalar(w: &mut Walk<'_>, b: &View<'_>, r: &View<'_>, at: &At, keyword: &str, id: &str) {
    let (bp, rp) = (kw_ptr(b, keyword), kw_ptr(r, keyword));
    match (b.kw(keyword).map(|k| k.0), r.kw(keyword).map(|k| k.0)) {
        (None, Some(value)) => {
            let detail = format!("{keyword} {} was added", show(value));
            w.schema_change(at, &format!("{id}-added"), &bp, &rp, detail);
        }
        (Some(value), None) => {
            let detail = format!("{keyword} {} was removed", show(value));
            w.schema_change(at, &format!("{id}-removed"), &bp, &rp, detail);
        }
        (Some(old), Some(new)) if !same_value(old, new) => {
            let detail = format!("{keyword} changed from {} to {}", show(old), show(new));
            w.schema_change(at, &format!("{id}-changed"), &bp, &rp, detail);
        }
        _ => {}
    }
}

/// Equality that treats 1 and 1.0 alike.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if a.is_number() && b.is_number() => x == y,
        _ => a == b,
    }
}

fn compare_pattern(w: &mut Walk<'_>, b: &View<'_>, r: &View<'_>, at: &At) {
    let bp = b.kw("pattern").and_then(|(v, _)| v.as_str());
    let rp = r.kw("pattern").and_then(|(v, _)| v.as_str());
    let (bptr, rptr) = (kw_ptr(b, "pattern"), kw_ptr(r, "pattern"));
    match (bp, rp) {
        (None, Some(p)) => w.schema_change(
            at,
            "pattern-added",
            &bptr,
            &rptr,
            format!("pattern `{p}` was added"),
        ),
        (Some(p), None) => w.schema_change(
            at,
            "pattern-removed",
            &bptr,
            &rptr,
            format!("pattern `{p}` was removed"),
        ),
        (Some(old), Some(new)) if old != new => {
            let detail = format!("pattern changed from `{old}` to `{new}`");
            w.schema_change(at, "pattern-changed", &bptr, &rptr, detail);
        }
        _ => {}
    }
}

fn compare_multiple_of(w: &mut Walk<'_>, b: &View<'_>, r: &View<'_>, at: &At) {
    let bm = b.kw("multipleOf").and_then(|(v, _)| v.as_f64());
    let rm = r.kw("multipleOf").and_then(|(v, _)| v.as_f64());
    if bm != rm {
        let fmt = |m: Option<f64>| m.map_or("none".to_owned(), |m| m.to_string());
        let detail = format!("multipleOf changed from {} to {}", fmt(bm), fmt(rm));
        let (bp, rp) = (kw_ptr(b, "multipleOf"), kw_ptr(r, "multipleOf"));
        w.schema_change(at, "multiple-of-changed", &bp, &rp, detail);
    }
}

/// The numeric value of a bound, reading 3.0 boolean exclusive flags:
/// `{minimum: 5, exclusiveMinimum: true}` is `exclusiveMinimum: 5`.
fn bound_value(view: &View<'_>, keyword: &str) -> Option<f64> {
    let (inclusive, exclusive) = match keyword {
        "minimum" | "exclusiveMinimum" => ("minimum", "exclusiveMinimum"),
        "maximum" | "exclusiveMaximum" => ("maximum", "exclusiveMaximum"),
        _ => return view.kw(keyword).and_then(|(v, _)| v.as_f64()),
    };
    let flag = view.kw(exclusive).map(|(v, _)| v);
    let legacy_exclusive = flag == Some(&Value::Bool(true));
    if keyword == inclusive {
        if legacy_exclusive {
            return None;
        }
        return view.kw(inclusive).and_then(|(v, _)| v.as_f64());
    }
    match flag {
        Some(Value::Bool(true)) => view.kw(inclusive).and_then(|(v, _)| v.as_f64()),
        Some(value) => value.as_f64(),
        None => None,
    }
}

fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn compare_bound(w: &mut Walk<'_>, b: &View<'_>, r: &View<'_>, at: &At, bound: &Bound) {
    let (old, new) = (bound_value(b, bound.keyword), bound_value(r, bound.keyword));
    let keyword = bound.keyword;
    let (movement, detail) = match (old, new) {
        (None, Some(new)) => ("set", format!("{keyword} was set to {}", fmt_number(new))),
        (Some(old), None) => (
            "unset",
            format!("{keyword} {} was removed", fmt_number(old)),
        ),
        (Some(old), Some(new)) if new < old => (
            "decreased",
            format!(
                "{keyword} was decreased from {} to {}",
                fmt_number(old),
                fmt_number(new)
            ),
        ),
        (Some(old), Some(new)) if new > old => (
            "increased",
            format!(
                "{keyword} was increased from {} to {}",
                fmt_number(old),
                fmt_number(new)
            ),
        ),
        _ => return,
    };
    let suffix = format!("{}-{movement}", bound.id);
    let (bp, rp) = (kw_ptr(b, keyword), kw_ptr(r, keyword));
    w.schema_change(at, &suffix, &bp, &rp, detail);
}
