//! Matches operations by (method, normalised path), where path parameter
//! names are erased (`/pets/{id}` == `/pets/{petId}`), reports added,
//! removed and deprecated operations, and hands each matched pair to the
//! parameter, request body, response and security comparisons.
//!
//! Pure: must not do I/O.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::parameters;
use super::pointer;
use super::request_body;
use super::responses;
use super::security;
use super::walk::{Walk, sentence};
use crate::spec::view::{Operation, SpecView, path_key};

/// All operations (then webhooks) of a document, in document order: the
/// spec view's list.
pub(crate) fn operations(doc: &Value) -> Vec<Operation<'_>> {
    SpecView::new(doc).operations(true)
}

pub(crate) fn compare(w: &mut Walk<'_>) {
    let base_ops = operations(w.base);
    let revision_ops = operations(w.rev);
    let mut by_key: HashMap<(bool, &str, String), usize> = HashMap::new();
    for (i, op) in revision_ops.iter().enumerate() {
        by_key
            .entry((op.webhook, op.method, path_key(op.path)))
            .or_insert(i);
    }
    let revision_paths: HashSet<(bool, String)> = revision_ops
        .iter()
        .map(|op| (op.webhook, path_key(op.path)))
        .collect();
    let mut matched = vec![false; revision_ops.len()];
    for b in &base_ops {
        match by_key.get(&(b.webhook, b.method, path_key(b.path))) {
            Some(&i) if !matched[i] => {
                matched[i] = true;
                let r = &revision_ops[i];
                if unchanged(w, b, r) {
                    continue;
                }
                w.out.set_operation(Some(r.label()));
                compare_operation(w, b, r);
            }
            _ => {
                w.out.set_operation(Some(b.label()));
                let path_gone = !revision_paths.contains(&(b.webhook, path_key(b.path)));
                removed(w, b, path_gone, &base_ops);
            }
        }
    }
    for (i, r) in revision_ops.iter().enumerate() {
        if !matched[i] {
            w.out.set_operation(Some(r.label()));
            let (id, what) = if r.webhook {
                ("webhook-added", "Webhook")
            } else {
                ("endpoint-added", "Operation")
            };
            let message = sentence(&format!("{what} {} was added", r.label()));
            w.out.emit(id, None, Some(&r.ptr), message);
        }
    }
    w.out.set_operation(None);
}

fn removed(w: &mut Walk<'_>, b: &Operation<'_>, path_gone: bool, base_ops: &[Operation<'_>]) {
    if b.webhook {
        let message = sentence(&format!("Webhook {} was removed", b.label()));
        w.out.emit("webhook-removed", Some(&b.ptr), None, message);
        return;
    }
    let deprecated = if path_gone {
        base_ops
            .iter()
            .filter(|op| op.path == b.path && !op.webhook)
            .all(|op| op.deprecated())
            || b.path_item.get("deprecated") == Some(&Value::Bool(true))
    } else {
        b.deprecated()
    };
    let (id, message) = match (path_gone, deprecated) {
        (true, false) => (
            "api-path-removed-without-deprecation",
            format!("Path {} was removed without deprecation", b.path),
        ),
        (true, true) => (
            "api-path-removed-with-deprecation",
            format!("Deprecated path {} was removed", b.path),
        ),
        (false, false) => (
            "api-removed-without-deprecation",
            format!("Operation {} was removed without deprecation", b.label()),
        ),
        (false, true) => (
            "api-removed-with-deprecation",
            format!("Deprecated operation {} was removed", b.label()),
        ),
    };
    let message = if path_gone {
        format!("{message} (operation {})", b.label())
    } else {
        message
    };
    w.out.emit(id, Some(&b.ptr), None, sentence(&message));
}

/// Same path, same operation and path-level parameters, and every ref in
/// them stable: the operation cannot produce a finding.
fn unchanged(w: &Walk<'_>, b: &Operation<'_>, r: &Operation<'_>) -> bool {
    b.path == r.path
        && w.stable.settled_object(b.op, r.op)
        && w.stable
            .settled(b.path_item.get("parameters"), r.path_item.get("parameters"))
}

fn compare_operation<'a>(w: &mut Walk<'a>, b: &Operation<'a>, r: &Operation<'a>) {
    let label = r.label();
    w.flag_change(
        (b.deprecated(), r.deprecated()),
        (&b.ptr, &r.ptr),
        (
            "endpoint-deprecated",
            format!("Operation {label} was deprecated"),
        ),
        (
            "endpoint-reactivated",
            format!("Operation {label} is no longer deprecated"),
        ),
    );
    compare_operation_id(w, b, r);
    compare_tags(w, b, r);
    parameters::compare(w, b, r);
    request_body::compare(w, b, r);
    responses::compare(w, b, r);
    security::compare_operation(w, b, r);
}

fn compare_operation_id(w: &mut Walk<'_>, b: &Operation<'_>, r: &Operation<'_>) {
    let bid = b.op.get("operationId").and_then(Value::as_str);
    let rid = r.op.get("operationId").and_then(Value::as_str);
    let bp = pointer::child(&b.ptr, "operationId");
    let rp = pointer::child(&r.ptr, "operationId");
    match (bid, rid) {
        (Some(old), new) if Some(old) != new => {
            let message = match new {
                Some(new) => format!("OperationId changed from `{old}` to `{new}`"),
                None => format!("OperationId `{old}` was removed"),
            };
            w.out.emit(
                "api-operation-id-removed",
                Some(&bp),
                Some(&rp),
                sentence(&message),
            );
        }
        (None, Some(new)) => {
            w.out.emit(
                "api-operation-id-added",
                Some(&bp),
                Some(&rp),
                sentence(&format!("OperationId `{new}` was added")),
            );
        }
        _ => {}
    }
}

fn tags<'a>(op: &Operation<'a>) -> Vec<&'a str> {
    op.op
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| tags.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn compare_tags(w: &mut Walk<'_>, b: &Operation<'_>, r: &Operation<'_>) {
    let (bt, rt) = (tags(b), tags(r));
    let bp = pointer::child(&b.ptr, "tags");
    let rp = pointer::child(&r.ptr, "tags");
    for (from, to, id, change) in [
        (&bt, &rt, "api-tag-removed", "removed"),
        (&rt, &bt, "api-tag-added", "added"),
    ] {
        for tag in from.iter().filter(|t| !to.contains(t)) {
            let message = sentence(&format!("Tag `{tag}` was {change}"));
            w.out.emit(id, Some(&bp), Some(&rp), message);
        }
    }
}
