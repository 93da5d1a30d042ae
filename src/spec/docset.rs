//! The set of documents that make up one multi-file spec, for stages that
//! load specs (`dispatch`, `ingest`, `diff`, `generate`). It is a pure state
//! machine: it says which documents are still needed (`missing`), the caller
//! fetches them and hands them back (`add` / `add_failed`), until nothing is
//! missing. References are followed with the kind of object they stand for,
//! so literal positions (`example`, `x-*`, ...) never ask for a document.
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;
use url::Url;

use super::parse::ParsedDoc;
use super::walk::{self, Kind, Shape};
use super::{Limits, pointer};

/// A reference resolved to an absolute document location and a pointer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resolved {
    pub url: Url,
    pub pointer: String,
}

/// Resolves `reference` against `base` (the containing document's location).
pub fn resolve_ref(base: &Url, reference: &str) -> Result<Resolved, String> {
    let mut url = base
        .join(reference)
        .map_err(|e| format!("'{reference}' is not a valid URI reference ({e})"))?;
    let fragment = url
        .fragment()
        .map(pointer::percent_decode)
        .unwrap_or_default();
    url.set_fragment(None);
    if !fragment.is_empty() && !fragment.starts_with('/') {
        return Err(format!(
            "'{reference}': only JSON-pointer fragments (#/...) are supported, not named anchors"
        ));
    }
    Ok(Resolved {
        url,
        pointer: fragment,
    })
}

/// Strips the fragment from a document location.
pub fn document_url(mut url: Url) -> Url {
    url.set_fragment(None);
    url
}

/// The documents of one spec, root first.
#[derive(Debug, Clone)]
pub struct DocumentSet {
    pub(crate) docs: Vec<(Url, ParsedDoc)>,
    index: HashMap<Url, usize>,
    pub(crate) failed: Vec<(Url, String)>,
    /// Targets already scanned for references.
    scanned: HashSet<(Url, String, Shape)>,
    /// Targets (pointer, shape) in documents not added yet.
    waiting: HashMap<Url, HashSet<(String, Shape)>>,
    max_documents: usize,
}

impl DocumentSet {
    /// Starts a set from the root document, with the default document limit.
    pub fn new(root_location: Url, root: ParsedDoc) -> Self {
        Self::with_limits(root_location, root, &Limits::default())
    }

    /// Starts a set whose `missing()` stops asking for documents once
    /// `limits.max_documents` have been added or failed.
    pub fn with_limits(root_location: Url, root: ParsedDoc, limits: &Limits) -> Self {
        let root_location = document_url(root_location);
        let mut set = DocumentSet {
            docs: Vec::new(),
            index: HashMap::new(),
            failed: Vec::new(),
            scanned: HashSet::new(),
            waiting: HashMap::new(),
            max_documents: limits.max_documents,
        };
        set.index.insert(root_location.clone(), 0);
        set.docs.push((root_location.clone(), root));
        set.scan(vec![(
            root_location,
            String::new(),
            Shape::One(Kind::Document),
        )]);
        set
    }

    /// The root document, giving up the rest of the set.
    pub fn into_root(self) -> ParsedDoc {
        self.docs
            .into_iter()
            .next()
            .map(|(_, doc)| doc)
            .expect("a DocumentSet always holds its root")
    }

    /// Absolute locations (no fragment) of documents referenced, directly or
    /// through other documents, that were neither added nor failed. Sorted.
    pub fn missing(&self) -> Vec<Url> {
        if self.docs.len() + self.failed.len() >= self.max_documents {
            return Vec::new();
        }
        self.unfetched_urls().into_iter().cloned().collect()
    }

    /// Adds a fetched document. Adding a location twice keeps the first.
    pub fn add(&mut self, location: Url, doc: ParsedDoc) {
        let location = document_url(location);
        if self.index.contains_key(&location) {
            return;
        }
        self.failed.retain(|(u, _)| *u != location);
        self.index.insert(location.clone(), self.docs.len());
        self.docs.push((location.clone(), doc));
        let ready = self.waiting.remove(&location).unwrap_or_default();
        let ready = ready
            .into_iter()
            .map(|(ptr, shape)| (location.clone(), ptr, shape))
            .collect();
        self.scan(ready);
    }

    /// Records that a document could not be fetched or parsed.
    pub fn add_failed(&mut self, location: Url, reason: String) {
        let location = document_url(location);
        if !self.index.contains_key(&location) && !self.failed.iter().any(|(u, _)| *u == location) {
            self.failed.push((location, reason));
        }
    }

    /// Number of documents added, the root included.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Always false: a set has at least its root.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The root document's location.
    pub fn root_location(&self) -> &Url {
        &self.docs[0].0
    }

    pub(crate) fn doc_id(&self, url: &Url) -> Option<usize> {
        self.index.get(url).copied()
    }

    pub(crate) fn failure(&self, url: &Url) -> Option<&str> {
        self.failed
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, r)| r.as_str())
    }

    /// Documents referenced but never added (neither fetched nor failed).
    pub(crate) fn unfetched(&self) -> usize {
        self.unfetched_urls().len()
    }

    /// Locations waited on that were neither added nor failed, sorted (so
    /// `missing` asks for documents in a stable order).
    fn unfetched_urls(&self) -> BTreeSet<&Url> {
        let failed: HashSet<&Url> = self.failed.iter().map(|(u, _)| u).collect();
        self.waiting
            .keys()
            .filter(|u| !self.index.contains_key(*u) && !failed.contains(u))
            .collect()
    }

    fn scan(&mut self, mut work: Vec<(Url, String, Shape)>) {
        while let Some(target) = work.pop() {
            let Some(&id) = self.index.get(&target.0) else {
                let (url, ptr, shape) = target;
                self.waiting.entry(url).or_default().insert((ptr, shape));
                continue;
            };
            if !self.scanned.insert(target.clone()) {
                continue;
            }
            let (url, ptr, shape) = target;
            let value: &Value = &self.docs[id].1.value;
            let Some(node) = pointer::get(value, &ptr) else {
                continue;
            };
            let mut path = ptr.clone();
            walk::visit_refs(node, shape, &mut path, &mut |site| {
                if let Ok(r) = resolve_ref(&url, site.reference) {
                    work.push((r.url, r.pointer, site.shape));
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse_document;

    fn doc(text: &str) -> ParsedDoc {
        parse_document(text.as_bytes()).unwrap()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn resolve_relative_and_fragment() {
        let base = url("file:///spec/api/openapi.yaml");
        let r = resolve_ref(&base, "../common/errors.yml#/components/schemas/Err%20X").unwrap();
        assert_eq!(r.url.as_str(), "file:///spec/common/errors.yml");
        assert_eq!(r.pointer, "/components/schemas/Err X");
        let r = resolve_ref(&base, "#/paths/~1pets").unwrap();
        assert_eq!(r.url, base);
        assert!(resolve_ref(&base, "#anchor").is_err());
    }

    #[test]
    fn missing_follows_references_transitively_with_kinds() {
        let root = doc(
            "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      $ref: ops/a.yaml\n      x-code:\n        $ref: code.cs\n",
        );
        let mut set = DocumentSet::new(url("file:///s/openapi.yaml"), root);
        assert_eq!(set.missing(), vec![url("file:///s/ops/a.yaml")]);
        set.add(
            url("file:///s/ops/a.yaml"),
            doc("responses:\n  '200':\n    description: ok\n    content:\n      application/json:\n        schema:\n          $ref: ../schemas/A.yaml\n        example:\n          $ref: not-a-ref.yaml\n"),
        );
        assert_eq!(set.missing(), vec![url("file:///s/schemas/A.yaml")]);
        set.add(
            url("file:///s/schemas/A.yaml"),
            doc("type: object\nproperties:\n  self:\n    $ref: '#'\n  b:\n    $ref: B.yaml\n"),
        );
        assert_eq!(set.missing(), vec![url("file:///s/schemas/B.yaml")]);
        set.add_failed(url("file:///s/schemas/B.yaml"), "not found".into());
        assert!(set.missing().is_empty());
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn document_limit_stops_missing() {
        let root = doc(
            "openapi: 3.1.0\ncomponents:\n  schemas:\n    A: {$ref: a.yaml}\n    B: {$ref: b.yaml}\n",
        );
        let limits = Limits {
            max_documents: 2,
            ..Limits::default()
        };
        let mut set = DocumentSet::with_limits(url("file:///s/r.yaml"), root, &limits);
        assert_eq!(set.missing().len(), 2);
        set.add(url("file:///s/a.yaml"), doc("type: string\n"));
        assert!(set.missing().is_empty());
        assert_eq!(set.unfetched(), 1);
    }
}
