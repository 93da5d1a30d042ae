//! Finds the components that cannot produce any finding: equal in both
//! documents and referring only to components that are themselves stable.
//! The walk skips `$ref` pairs to them and operations built only from them,
//! which makes diffing two nearly identical big specs cheap.
//!
//! Pure: must not do I/O.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::pointer;

#[derive(Default)]
pub(crate) struct Stable {
    components: HashSet<String>,
}

/// `/components/{kind}/{name}` for any pointer inside a component.
fn component_key(ptr: &str) -> Option<String> {
    let rest = ptr.strip_prefix("/components/")?;
    let mut parts = rest.splitn(3, '/');
    let kind = parts.next()?;
    let name = parts.next()?;
    Some(format!("/components/{kind}/{name}"))
}

/// Calls `found` with the target pointer of every local `$ref` in `value`;
/// non-local refs are reported as `None`.
fn each_ref(value: &Value, found: &mut impl FnMut(Option<String>)) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                found(pointer::ref_pointer(reference));
            }
            for child in map.values() {
                each_ref(child, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| each_ref(item, found)),
        _ => {}
    }
}

impl Stable {
    pub(crate) fn compute(base: &Value, rev: &Value) -> Stable {
        let (Some(bc), Some(rc)) = (
            base.get("components").and_then(Value::as_object),
            rev.get("components").and_then(Value::as_object),
        ) else {
            return Stable::default();
        };
        // component -> (unchanged, components it refers to)
        let mut nodes: HashMap<String, (bool, Vec<String>)> = HashMap::new();
        for (kind, entries) in bc {
            let (Some(entries), Some(rentries)) =
                (entries.as_object(), rc.get(kind).and_then(Value::as_object))
            else {
                continue;
            };
            for (name, value) in entries {
                let Some(rvalue) = rentries.get(name) else {
                    continue;
                };
                let mut unchanged = value == rvalue;
                let mut deps = Vec::new();
                each_ref(
                    value,
                    &mut |target| match target.as_deref().and_then(component_key) {
                        Some(key) => deps.push(key),
                        None => unchanged = false,
                    },
                );
                let key = format!(
                    "/components/{}/{}",
                    pointer::escape(kind),
                    pointer::escape(name)
                );
                nodes.insert(key, (unchanged, deps));
            }
        }
        let mut dependents: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut unstable: Vec<&str> = Vec::new();
        for (key, (unchanged, deps)) in &nodes {
            if !unchanged || deps.iter().any(|d| !nodes.contains_key(d)) {
                unstable.push(key);
            }
            for dep in deps {
                dependents.entry(dep.as_str()).or_default().push(key);
            }
        }
        let mut gone: HashSet<&str> = unstable.iter().copied().collect();
        while let Some(key) = unstable.pop() {
            for &dependent in dependents.get(key).map(Vec::as_slice).unwrap_or_default() {
                if gone.insert(dependent) {
                    unstable.push(dependent);
                }
            }
        }
        let components = nodes
            .keys()
            .filter(|key| !gone.contains(key.as_str()))
            .cloned()
            .collect();
        Stable { components }
    }

    /// The ref target lies in a stable component.
    pub(crate) fn contains(&self, target: &str) -> bool {
        component_key(target).is_some_and(|key| self.components.contains(&key))
    }

    /// Equal values whose every ref is stable: nothing to report inside.
    pub(crate) fn settled(&self, base: Option<&Value>, revision: Option<&Value>) -> bool {
        if base != revision {
            return false;
        }
        let mut all_stable = true;
        if let Some(base) = base {
            each_ref(base, &mut |target| {
                all_stable &= target.is_some_and(|t| self.contains(&t));
            });
        }
        all_stable
    }

    /// [`Stable::settled`] for two objects, key by key.
    pub(crate) fn settled_object(
        &self,
        base: &Map<String, Value>,
        revision: &Map<String, Value>,
    ) -> bool {
        base.len() == revision.len()
            && base
                .iter()
                .all(|(k, v)| self.settled(Some(v), revision.get(k)))
    }
}
