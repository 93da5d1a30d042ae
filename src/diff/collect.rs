//! Collects findings while the diff walks both documents: looks levels up in
//! the catalog, merges identical findings reached from several operations
//! (a change in a shared component is reported once, with every affected
//! operation), and orders the final list deterministically.
//!
//! Pure: must not do I/O.

use std::collections::HashMap;

use super::finding::{Finding, Level};
use super::pointer;
use super::rules;

/// How many affected operations a message names before summarising.
const OPERATIONS_NAMED: usize = 3;

struct Raw {
    id: String,
    level: Level,
    operations: Vec<String>,
    base_pointer: Option<String>,
    revision_pointer: Option<String>,
    message: String,
}

type Key = (String, Option<String>, Option<String>, String);

#[derive(Default)]
pub(crate) struct Collector {
    raws: Vec<Raw>,
    by_key: HashMap<Key, usize>,
    operation: Option<String>,
    /// Findings touched inside each open memoised schema comparison.
    frames: Vec<Vec<usize>>,
}

impl Collector {
    /// Sets the operation subsequent findings are attributed to.
    pub(crate) fn set_operation(&mut self, operation: Option<String>) {
        self.operation = operation;
    }

    /// Records a finding for rule `id`.
    pub(crate) fn emit(
        &mut self,
        id: &str,
        base_pointer: Option<&str>,
        revision_pointer: Option<&str>,
        message: String,
    ) {
        let level = match rules::rule(id) {
            Some(rule) => rule.level,
            None => {
                debug_assert!(false, "rule {id} is missing from the catalog");
                Level::Warning
            }
        };
        let key: Key = (
            id.to_owned(),
            base_pointer.map(str::to_owned),
            revision_pointer.map(str::to_owned),
            message,
        );
        let index = match self.by_key.get(&key) {
            Some(&index) => index,
            None => {
                let index = self.raws.len();
                self.raws.push(Raw {
                    id: key.0.clone(),
                    level,
                    operations: Vec::new(),
                    base_pointer: key.1.clone(),
                    revision_pointer: key.2.clone(),
                    message: key.3.clone(),
                });
                self.by_key.insert(key, index);
                index
            }
        };
        self.touch(index);
    }

    fn touch(&mut self, index: usize) {
        if let Some(operation) = &self.operation {
            let operations = &mut self.raws[index].operations;
            if !operations.contains(operation) {
                operations.push(operation.clone());
            }
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.push(index);
        }
    }

    /// Opens a frame recording which findings a memoised comparison produces.
    pub(crate) fn begin_frame(&mut self) {
        self.frames.push(Vec::new());
    }

    /// Closes the innermost frame and returns its findings (also recorded in
    /// the enclosing frame).
    pub(crate) fn end_frame(&mut self) -> Vec<usize> {
        let mut frame = self.frames.pop().unwrap_or_default();
        frame.sort_unstable();
        frame.dedup();
        if let Some(parent) = self.frames.last_mut() {
            parent.extend_from_slice(&frame);
        }
        frame
    }

    /// Attributes the findings of an already-made comparison to the current
    /// operation.
    pub(crate) fn replay(&mut self, indices: &[usize]) {
        for &index in indices {
            self.touch(index);
        }
    }

    /// The findings, sorted, with multi-operation messages completed.
    pub(crate) fn finish(self, include_info: bool) -> Vec<Finding> {
        let mut findings: Vec<Finding> = self
            .raws
            .into_iter()
            .filter(|raw| include_info || raw.level != Level::Info)
            .map(into_finding)
            .collect();
        findings.sort_by(|a, b| {
            let scope = |f: &Finding| {
                (
                    f.operation.is_none(),
                    f.operation.clone(),
                    f.component.clone(),
                )
            };
            scope(a)
                .cmp(&scope(b))
                .then(a.level.cmp(&b.level))
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| a.base_pointer.cmp(&b.base_pointer))
                .then_with(|| a.revision_pointer.cmp(&b.revision_pointer))
                .then_with(|| a.message.cmp(&b.message))
        });
        findings
    }
}

fn into_finding(mut raw: Raw) -> Finding {
    raw.operations.sort();
    let component = raw
        .revision_pointer
        .as_deref()
        .and_then(pointer::component_of)
        .or_else(|| raw.base_pointer.as_deref().and_then(pointer::component_of));
    let mut message = raw.message;
    if raw.operations.len() > 1 {
        let named: Vec<&str> = raw
            .operations
            .iter()
            .take(OPERATIONS_NAMED)
            .map(String::as_str)
            .collect();
        let rest = raw.operations.len() - named.len();
        message.push_str(&format!(
            " Affects {} operations: {}{}.",
            raw.operations.len(),
            named.join(", "),
            if rest > 0 {
                format!(" and {rest} more")
            } else {
                String::new()
            }
        ));
    }
    Finding {
        id: raw.id,
        level: raw.level,
        operation: raw.operations.into_iter().next(),
        component,
        base_pointer: raw.base_pointer,
        revision_pointer: raw.revision_pointer,
        message,
    }
}
