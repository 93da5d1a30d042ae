//! Top-level servers (matched by URL, ignoring a trailing slash) and their
//! variables' defaults and enums.
//!
//! Pure: must not do I/O.

use serde_json::{Map, Value};

use super::keyed::{self, Pair};
use super::pointer;
use super::walk::{Walk, sentence, show};

fn servers(doc: &Value) -> Vec<(String, &Map<String, Value>, String)> {
    doc.get("servers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let map = s.as_object()?;
                    let url = map.get("url")?.as_str()?.trim_end_matches('/').to_owned();
                    Some((url, map, pointer::index("/servers", i)))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn compare_servers(w: &mut Walk<'_>) {
    let (bs, rs) = (servers(w.base), servers(w.rev));
    for (url, bm, bp) in &bs {
        match rs.iter().find(|(u, _, _)| u == url) {
            None => w.out.emit(
                "api-server-removed",
                Some(bp),
                None,
                sentence(&format!("Server `{url}` was removed")),
            ),
            Some((_, rm, rp)) => compare_variables(w, url, bm, bp, rm, rp),
        }
    }
    for (url, _, rp) in &rs {
        if !bs.iter().any(|(u, _, _)| u == url) {
            w.out.emit(
                "api-server-added",
                None,
                Some(rp),
                sentence(&format!("Server `{url}` was added")),
            );
        }
    }
}

fn compare_variables(
    w: &mut Walk<'_>,
    url: &str,
    bm: &Map<String, Value>,
    bp: &str,
    rm: &Map<String, Value>,
    rp: &str,
) {
    let (bv, rv) = (
        keyed::entries(bm, "variables"),
        keyed::entries(rm, "variables"),
    );
    // A variable added or removed changes no URL a client can use.
    for pair in keyed::pair_up(&bv, &rv, |a, b| a == b) {
        let Pair::Shared((name, b), (_, r)) = pair else {
            continue;
        };
        let bptr = pointer::child(&pointer::child(bp, "variables"), name);
        let rptr = pointer::child(&pointer::child(rp, "variables"), name);
        if let (Some(old), Some(new)) = (b.get("default"), r.get("default"))
            && old != new
        {
            let message = sentence(&format!(
                "Server `{url}`: variable `{name}` default changed from {} to {}",
                show(old),
                show(new)
            ));
            w.out.emit(
                "api-server-variable-default-changed",
                Some(&bptr),
                Some(&rptr),
                message,
            );
        }
        if let (Some(old), Some(new)) = (
            b.get("enum").and_then(Value::as_array),
            r.get("enum").and_then(Value::as_array),
        ) {
            let removed: Vec<String> = old.iter().filter(|v| !new.contains(v)).map(show).collect();
            if !removed.is_empty() {
                let message = sentence(&format!(
                    "Server `{url}`: values {} were removed from variable `{name}`",
                    removed.join(", ")
                ));
                w.out.emit(
                    "api-server-variable-enum-value-removed",
                    Some(&bptr),
                    Some(&rptr),
                    message,
                );
            }
        }
    }
}
