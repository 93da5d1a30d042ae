//! Security: requirements per operation (only where an operation declares
//! its own; the global list is compared once), the global requirements, and
//! the security schemes in `components/securitySchemes`.
//!
//! A requirement list is a list of alternatives: removing an alternative
//! breaks the clients that used it, adding one breaks nobody, and going from
//! "no authentication" to "authentication" breaks everybody.
//!
//! Pure: must not do I/O.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::keyed::{self, Pair};
use super::pointer;
use super::walk::{Walk, sentence};
use crate::spec::view::Operation;

/// One alternative: scheme name -> scopes.
type Requirement<'a> = Vec<(&'a str, BTreeSet<&'a str>)>;

fn requirements(value: Option<&Value>) -> Option<Vec<Requirement<'_>>> {
    let list = value?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_object)
            .map(|alt| {
                let mut req: Requirement<'_> = alt
                    .iter()
                    .map(|(name, scopes)| {
                        let scopes = scopes
                            .as_array()
                            .map(|s| s.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        (name.as_str(), scopes)
                    })
                    .collect();
                req.sort();
                req
            })
            .collect(),
    )
}

fn open(list: &[Requirement<'_>]) -> bool {
    list.is_empty() || list.iter().any(Vec::is_empty)
}

fn names(req: &Requirement<'_>) -> String {
    req.iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn same_schemes(a: &Requirement<'_>, b: &Requirement<'_>) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0)
}

/// `prefix` is `api` or `api-global`; `what` names the scope in messages.
fn compare_lists(
    w: &mut Walk<'_>,
    prefix: &str,
    what: &str,
    b: &[Requirement<'_>],
    bp: &str,
    r: &[Requirement<'_>],
    rp: &str,
) {
    let id = |suffix: &str| format!("{prefix}-security-{suffix}");
    let (b_open, r_open) = (open(b), open(r));
    if b_open && !r_open {
        let message = sentence(&format!("{what} now requires authentication"));
        w.out
            .emit(&id("became-required"), Some(bp), Some(rp), message);
        return;
    }
    if !b_open && r_open {
        let message = sentence(&format!("{what} no longer requires authentication"));
        w.out
            .emit(&id("became-optional"), Some(bp), Some(rp), message);
        return;
    }
    let base_alts: Vec<&Requirement<'_>> = b.iter().filter(|x| !x.is_empty()).collect();
    let revision_alts: Vec<&Requirement<'_>> = r.iter().filter(|x| !x.is_empty()).collect();
    let mut used = vec![false; revision_alts.len()];
    let mut pairs = Vec::new();
    let mut pending = Vec::new();
    for breq in &base_alts {
        let hit =
            (0..revision_alts.len()).find(|&j| !used[j] && same_schemes(breq, revision_alts[j]));
        match hit {
            Some(j) => {
                used[j] = true;
                pairs.push((*breq, revision_alts[j]));
            }
            None => pending.push(*breq),
        }
    }
    for breq in pending {
        let hit =
            (0..revision_alts.len()).find(|&j| !used[j] && equivalent(w, breq, revision_alts[j]));
        match hit {
            Some(j) => {
                used[j] = true;
                let message = sentence(&format!(
                    "{what}: security requirement {} was replaced by {}, which is defined identically",
                    names(breq),
                    names(revision_alts[j])
                ));
                w.out
                    .emit(&id("scheme-renamed"), Some(bp), Some(rp), message);
                pairs.push((breq, revision_alts[j]));
            }
            None => {
                let message = sentence(&format!(
                    "{what}: security requirement {} was removed",
                    names(breq)
                ));
                w.out.emit(&id("removed"), Some(bp), Some(rp), message);
            }
        }
    }
    compare_scopes(w, (prefix, what), &pairs, bp, rp);
    for (j, rreq) in revision_alts.iter().enumerate() {
        if !used[j] {
            let message = sentence(&format!(
                "{what}: security requirement {} was added as an alternative",
                names(rreq)
            ));
            w.out.emit(&id("added"), Some(bp), Some(rp), message);
        }
    }
}

/// The scopes of each pair of matching requirements: added ones and
/// removed ones.
fn compare_scopes(
    w: &mut Walk<'_>,
    (prefix, what): (&str, &str),
    pairs: &[(&Requirement<'_>, &Requirement<'_>)],
    bp: &str,
    rp: &str,
) {
    let id = |suffix: &str| format!("{prefix}-security-{suffix}");
    for (breq, rreq) in pairs {
        for ((scheme, bs), (_, rs)) in breq.iter().zip(rreq.iter()) {
            let added: Vec<&str> = rs.difference(bs).copied().collect();
            let removed: Vec<&str> = bs.difference(rs).copied().collect();
            if !added.is_empty() {
                let message = sentence(&format!(
                    "{what}: scopes `{}` were added to security scheme `{scheme}`",
                    added.join("`, `")
                ));
                w.out.emit(&id("scope-added"), Some(bp), Some(rp), message);
            }
            if !removed.is_empty() {
                let message = sentence(&format!(
                    "{what}: scopes `{}` were removed from security scheme `{scheme}`",
                    removed.join("`, `")
                ));
                w.out
                    .emit(&id("scope-removed"), Some(bp), Some(rp), message);
            }
        }
    }
}

/// A security scheme's definition without its description.
fn definition(doc: &Value, name: &str) -> Option<Value> {
    let ptr = pointer::child("/components/securitySchemes", name);
    let raw = pointer::lookup(doc, &ptr)?;
    let (value, _) = pointer::resolve(doc, raw, &ptr);
    let mut map = value.as_object()?.clone();
    map.remove("description");
    Some(Value::Object(map))
}

/// Same number of schemes, each defined identically (names may differ).
fn equivalent(w: &Walk<'_>, a: &Requirement<'_>, b: &Requirement<'_>) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|((an, _), (bn, _))| {
            matches!((definition(w.base, an), definition(w.rev, bn)), (Some(x), Some(y)) if x == y)
        })
}

/// Per operation, only when at least one side declares its own `security`.
pub(crate) fn compare_operation(w: &mut Walk<'_>, b: &Operation<'_>, r: &Operation<'_>) {
    let (bo, ro) = (b.op.get("security"), r.op.get("security"));
    if bo.is_none() && ro.is_none() {
        return;
    }
    let bl = requirements(bo.or_else(|| w.base.get("security"))).unwrap_or_default();
    let rl = requirements(ro.or_else(|| w.rev.get("security"))).unwrap_or_default();
    let bp = pointer::child(&b.ptr, "security");
    let rp = pointer::child(&r.ptr, "security");
    compare_lists(
        w,
        "api",
        &format!("Operation {}", r.label()),
        &bl,
        &bp,
        &rl,
        &rp,
    );
}

pub(crate) fn compare_global(w: &mut Walk<'_>) {
    let bl = requirements(w.base.get("security")).unwrap_or_default();
    let rl = requirements(w.rev.get("security")).unwrap_or_default();
    compare_lists(
        w,
        "api-global",
        "The API",
        &bl,
        "/security",
        &rl,
        "/security",
    );
}

fn schemes(doc: &Value) -> Vec<(&str, &Map<String, Value>)> {
    doc.pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|s| {
            s.iter()
                .filter_map(|(name, v)| {
                    let (v, _) = pointer::resolve(doc, v, "");
                    Some((name.as_str(), v.as_object()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

pub(crate) fn compare_schemes(w: &mut Walk<'_>) {
    let (bs, rs) = (schemes(w.base), schemes(w.rev));
    let at = |name: &str| pointer::child("/components/securitySchemes", name);
    for pair in keyed::pair_up(&bs, &rs, |a, b| a == b) {
        match pair {
            Pair::Removed((name, _)) => w.out.emit(
                "api-security-component-removed",
                Some(&at(name)),
                None,
                sentence(&format!("Security scheme `{name}` was removed")),
            ),
            Pair::Shared((name, bm), (_, rm)) => compare_scheme(w, name, bm, rm, &at(name)),
            Pair::Added((name, _)) => w.out.emit(
                "api-security-component-added",
                None,
                Some(&at(name)),
                sentence(&format!("Security scheme `{name}` was added")),
            ),
        }
    }
}

fn compare_scheme(
    w: &mut Walk<'_>,
    name: &str,
    bm: &Map<String, Value>,
    rm: &Map<String, Value>,
    ptr: &str,
) {
    let changed = |w: &mut Walk<'_>, key: &str, id: &str, what: &str| {
        let (old, new) = (text(bm, key), text(rm, key));
        if old != new {
            let message = sentence(&format!(
                "Security scheme `{name}`: {what} changed from `{}` to `{}`",
                old.unwrap_or("none"),
                new.unwrap_or("none")
            ));
            let p = pointer::child(ptr, key);
            w.out.emit(id, Some(&p), Some(&p), message);
            return true;
        }
        false
    };
    if changed(w, "type", "api-security-component-type-changed", "type") {
        return;
    }
    changed(
        w,
        "scheme",
        "api-security-component-scheme-changed",
        "scheme",
    );
    changed(w, "in", "api-security-component-in-changed", "location");
    changed(
        w,
        "name",
        "api-security-component-name-changed",
        "parameter name",
    );
    changed(
        w,
        "openIdConnectUrl",
        "api-security-component-openid-url-changed",
        "OpenID Connect URL",
    );
    let (bf, rf) = (keyed::entries(bm, "flows"), keyed::entries(rm, "flows"));
    let fp = pointer::child(ptr, "flows");
    for pair in keyed::pair_up(&bf, &rf, |a, b| a == b) {
        match pair {
            Pair::Removed((flow, _)) => {
                let message = sentence(&format!(
                    "Security scheme `{name}`: OAuth flow `{flow}` was removed"
                ));
                w.out.emit(
                    "api-security-component-oauth-flow-removed",
                    Some(&pointer::child(&fp, flow)),
                    Some(ptr),
                    message,
                );
            }
            Pair::Shared((flow, bflow), (_, rflow)) => {
                compare_flow(w, name, flow, (bflow, rflow), &pointer::child(&fp, flow));
            }
            Pair::Added((flow, _)) => {
                let message = sentence(&format!(
                    "Security scheme `{name}`: OAuth flow `{flow}` was added"
                ));
                w.out.emit(
                    "api-security-component-oauth-flow-added",
                    Some(ptr),
                    Some(&pointer::child(&fp, flow)),
                    message,
                );
            }
        }
    }
}

/// One OAuth flow of a security scheme in both documents: its URLs and its
/// scopes.
fn compare_flow(
    w: &mut Walk<'_>,
    name: &str,
    flow: &str,
    (bflow, rflow): (&Value, &Value),
    p: &str,
) {
    for (key, id) in [
        (
            "authorizationUrl",
            "api-security-component-oauth-url-changed",
        ),
        ("tokenUrl", "api-security-component-oauth-token-url-changed"),
    ] {
        let (old, new) = (
            bflow.get(key).and_then(Value::as_str),
            rflow.get(key).and_then(Value::as_str),
        );
        if old != new {
            let message = sentence(&format!(
                "Security scheme `{name}`: {key} of flow `{flow}` changed from `{}` to `{}`",
                old.unwrap_or("none"),
                new.unwrap_or("none")
            ));
            w.out.emit(id, Some(p), Some(p), message);
        }
    }
    let scopes = |f: &Value| -> BTreeSet<String> {
        f.get("scopes")
            .and_then(Value::as_object)
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (bsc, rsc) = (scopes(bflow), scopes(rflow));
    for (scopes, id, change) in [
        (
            bsc.difference(&rsc),
            "api-security-component-oauth-scope-removed",
            "was removed from",
        ),
        (
            rsc.difference(&bsc),
            "api-security-component-oauth-scope-added",
            "was added to",
        ),
    ] {
        for scope in scopes {
            let message = sentence(&format!(
                "Security scheme `{name}`: OAuth scope `{scope}` {change} flow `{flow}`"
            ));
            w.out.emit(id, Some(p), Some(p), message);
        }
    }
}
