//! Object properties of one schema pair, with the request/response
//! asymmetry: a request must now send more (new required property, became
//! required, readOnly became writable) or a response now guarantees less
//! (property removed, became optional, became writeOnly) is breaking.
//! readOnly properties are ignored in requests and writeOnly properties in
//! responses, as the OpenAPI specification says.
//!
//! Pure: must not do I/O.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::schema;
use super::schema_change::Dir;
use super::schema_view::{Property, View};
use super::walk::{At, Walk, sentence};

/// The facts about one property that the rules look at.
struct Facts {
    required: bool,
    read_only: bool,
    write_only: bool,
    deprecated: bool,
    has_default: bool,
}

fn facts(doc: &Value, property: &Property<'_>, required: &HashSet<&str>) -> Facts {
    let view = View::build(doc, property.schema, &property.ptr);
    Facts {
        required: required.contains(property.name),
        read_only: view.flag("readOnly"),
        write_only: view.flag("writeOnly"),
        deprecated: view.flag("deprecated"),
        has_default: view.kw("default").is_some(),
    }
}

pub(crate) fn compare<'a>(w: &mut Walk<'a>, b: &View<'a>, r: &View<'a>, at: &At) {
    let base_props = b.properties();
    let revision_props = r.properties();
    if base_props.is_empty() && revision_props.is_empty() {
        return;
    }
    let base_required = b.required();
    let revision_required = r.required();
    let revision_index: HashMap<&str, usize> = revision_props
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name, i))
        .collect();
    let base_names: HashSet<&str> = base_props.iter().map(|p| p.name).collect();
    for bp in &base_props {
        let here = at.child(bp.name);
        let bf = facts(w.base, bp, &base_required);
        match revision_index.get(bp.name).map(|&i| &revision_props[i]) {
            None => removed(w, bp, &bf, r, &here),
            Some(rp) => {
                let rf = facts(w.rev, rp, &revision_required);
                if changed(w, bp, &bf, rp, &rf, &here) {
                    schema::compare(w, bp.schema, &bp.ptr, rp.schema, &rp.ptr, &here);
                }
            }
        }
    }
    for rp in &revision_props {
        if base_names.contains(rp.name) {
            continue;
        }
        let rf = facts(w.rev, rp, &revision_required);
        added(w, rp, &rf, b, &at.child(rp.name));
    }
}

fn emit(w: &mut Walk<'_>, id: &str, (base, revision): (&str, &str), at: &At, detail: &str) {
    let message = sentence(&format!("{}: {detail}", at.label()));
    w.out.emit(id, Some(base), Some(revision), message);
}

/// How rule ids and messages call a property's required-ness.
fn kind_of(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

fn removed(w: &mut Walk<'_>, bp: &Property<'_>, bf: &Facts, r: &View<'_>, at: &At) {
    match at.dir {
        Dir::Request if !bf.read_only => {
            emit(
                w,
                "request-property-removed",
                (&bp.ptr, &r.ptr),
                at,
                "was removed",
            );
        }
        Dir::Response if !bf.write_only => {
            let id = format!("response-{}-property-removed", kind_of(bf.required));
            emit(w, &id, (&bp.ptr, &r.ptr), at, "was removed");
        }
        _ => {}
    }
}

fn added(w: &mut Walk<'_>, rp: &Property<'_>, rf: &Facts, b: &View<'_>, at: &At) {
    match at.dir {
        Dir::Request if !rf.read_only => {
            let id = match (rf.required, rf.has_default) {
                (true, false) => "new-required-request-property",
                (true, true) => "new-required-request-property-with-default",
                (false, _) => "new-optional-request-property",
            };
            let detail = format!("was added as {}", kind_of(rf.required));
            emit(w, id, (&b.ptr, &rp.ptr), at, &detail);
        }
        Dir::Response if !rf.write_only => {
            let id = format!("response-{}-property-added", kind_of(rf.required));
            emit(w, &id, (&b.ptr, &rp.ptr), at, "was added");
        }
        _ => {}
    }
}

/// One property on both sides as the rules on its changes read it: the
/// pointers a finding cites and the facts compared, always together.
#[derive(Clone, Copy)]
struct Pair<'p> {
    ptrs: (&'p str, &'p str),
    facts: (&'p Facts, &'p Facts),
}

/// Reports property-level changes; returns whether the schemas should be
/// compared too (not for properties that do not travel in this direction).
fn changed(
    w: &mut Walk<'_>,
    bp: &Property<'_>,
    bf: &Facts,
    rp: &Property<'_>,
    rf: &Facts,
    at: &At,
) -> bool {
    let (b, r) = (bp.ptr.as_str(), rp.ptr.as_str());
    let side = match at.dir {
        Dir::Request => "request",
        Dir::Response => "response",
    };
    let label = at.label();
    w.flag_change(
        (bf.deprecated, rf.deprecated),
        (b, r),
        (
            &format!("{side}-property-deprecated"),
            format!("{label}: was deprecated"),
        ),
        (
            &format!("{side}-property-reactivated"),
            format!("{label}: is no longer deprecated"),
        ),
    );
    let pair = Pair {
        ptrs: (b, r),
        facts: (bf, rf),
    };
    match at.dir {
        Dir::Request => request_changed(w, pair, at),
        Dir::Response => response_changed(w, pair, at),
    }
}

/// The request side of [`changed`]: readOnly and writeOnly flips, and
/// required-ness as a client must send it.
fn request_changed(w: &mut Walk<'_>, pair: Pair<'_>, at: &At) -> bool {
    let Pair {
        ptrs: (b, r),
        facts: (bf, rf),
    } = pair;
    let kind = kind_of(rf.required);
    let label = at.label();
    for (was, is, which, keyword) in [
        (bf.read_only, rf.read_only, "read-only", "readOnly"),
        (bf.write_only, rf.write_only, "write-only", "writeOnly"),
    ] {
        w.flag_change(
            (was, is),
            (b, r),
            (
                &format!("request-{kind}-property-became-{which}"),
                format!("{label}: became {keyword}"),
            ),
            (
                &format!("request-{kind}-property-became-not-{which}"),
                format!("{label}: is no longer {keyword}"),
            ),
        );
    }
    if rf.read_only {
        return false;
    }
    let was_required = bf.required && !bf.read_only;
    if rf.required && !was_required && !bf.read_only {
        emit(
            w,
            "request-property-became-required",
            (b, r),
            at,
            "became required",
        );
    } else if !rf.required && was_required {
        emit(
            w,
            "request-property-became-optional",
            (b, r),
            at,
            "became optional",
        );
    }
    true
}

/// The response side of [`changed`]: writeOnly flips, and required-ness as
/// a client may rely on it.
fn response_changed(w: &mut Walk<'_>, pair: Pair<'_>, at: &At) -> bool {
    let Pair {
        ptrs: (b, r),
        facts: (bf, rf),
    } = pair;
    if bf.write_only != rf.write_only {
        let (which, detail) = if rf.write_only {
            ("write-only", "became writeOnly and is no longer returned")
        } else {
            (
                "not-write-only",
                "is no longer writeOnly and is now returned",
            )
        };
        let kind = kind_of(bf.required);
        emit(
            w,
            &format!("response-{kind}-property-became-{which}"),
            (b, r),
            at,
            detail,
        );
    }
    if rf.write_only || bf.write_only {
        return false;
    }
    if bf.required && !rf.required {
        emit(
            w,
            "response-property-became-optional",
            (b, r),
            at,
            "became optional",
        );
    } else if !bf.required && rf.required {
        emit(
            w,
            "response-property-became-required",
            (b, r),
            at,
            "became required",
        );
    }
    true
}
