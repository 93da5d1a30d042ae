//! Bundling for every stage that loads a multi-file spec: the documents of a
//! [`DocumentSet`] become one self-contained document with only local
//! (`#/...`) references left.
//!
//! Rules, in order:
//! 1. `$ref`s are resolved against the containing document's location, only
//!    in reference positions (see `walk`): literal values and `x-*` are data.
//! 2. Refs from the root to itself stay as written. Refs from another
//!    document back into the root become local refs.
//! 3. A component entry in the root that is an external ref
//!    (`components.schemas.Pet: {$ref: pet.yaml}`), also through an index file
//!    (`components.schemas: {$ref: _index.yaml}`), is the home of that target:
//!    its content is inlined there and every other ref to it points there.
//! 4. Any other external target referenced once, not cyclically, is inlined.
//! 5. A target referenced more than once or cyclically (or a schema `$ref`
//!    with sibling keywords) is hoisted to `components/<section>/<name>`
//!    (`name` from the pointer's last token or the file stem, made unique with
//!    `_2`, `_3`, ...) and replaced by a local ref. Kinds without a components
//!    section (operations, path items in 3.0) are inlined as copies; if they
//!    are cyclic that is an error.
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::Limits;
use super::docset::{DocumentSet, resolve_ref};
use super::pointer;
use super::problem::Problem;
use super::walk::{self, Kind, Shape};

/// Where each part of the bundled document came from.
#[derive(Debug, Default)]
pub struct Provenance {
    origins: HashMap<String, (usize, String)>,
}

impl Provenance {
    /// The document and pointer a bundled-document pointer came from.
    pub fn source(&self, out: &str) -> (usize, String) {
        let mut prefix = out;
        loop {
            if let Some((doc, src)) = self.origins.get(prefix) {
                return (*doc, format!("{src}{}", &out[prefix.len()..]));
            }
            match pointer::parent(prefix) {
                Some(p) => prefix = p,
                None => return (0, out.to_owned()),
            }
        }
    }
}

pub struct Bundled {
    pub document: Value,
    pub provenance: Provenance,
    pub problems: Vec<Problem>,
    /// Indexes into `problems` of the `$ref`s that name nothing (a missing
    /// pointer or a document that could not be loaded): the refs are left
    /// as written, which a lenient reader treats as an unknown value.
    pub dangling: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Target {
    doc: usize,
    pointer: String,
}

#[derive(Debug)]
struct Info {
    shape: Shape,
    count: usize,
    cyclic: bool,
    home: Option<String>,
    emitted: bool,
}

struct Site {
    reference: String,
    pointer: String,
    shape: Shape,
}

type Resolution = Result<(usize, String), ()>;

struct Bundler<'a> {
    set: &'a DocumentSet,
    is_31: bool,
    limits: &'a Limits,
    resolutions: HashMap<(usize, String), Resolution>,
    /// `(doc, pointer of a $ref object)` -> where it points, for cycle checks.
    ref_edges: HashMap<(usize, String), (usize, String)>,
    info: HashMap<Target, Info>,
    names: HashMap<&'static str, HashSet<String>>,
    queue: Vec<(Target, &'static str, String)>,
    /// Discriminator mapping values to rewrite: (bundled pointer, doc, value).
    mappings: Vec<(String, usize, String)>,
    provenance: Provenance,
    problems: Vec<Problem>,
    dangling: Vec<usize>,
    nodes: usize,
    limit_hit: bool,
}

pub fn bundle(mut set: DocumentSet, is_31: bool, limits: &Limits) -> (Bundled, DocumentSet) {
    let mut b = Bundler {
        set: &set,
        is_31,
        limits,
        resolutions: HashMap::new(),
        ref_edges: HashMap::new(),
        info: HashMap::new(),
        names: HashMap::new(),
        queue: Vec::new(),
        mappings: Vec::new(),
        provenance: Provenance::default(),
        problems: Vec::new(),
        dangling: Vec::new(),
        nodes: 0,
        limit_hit: false,
    };
    b.analyze();
    b.check_ref_cycles();
    b.assign_component_homes();
    let Bundler {
        resolutions,
        info,
        names,
        problems,
        dangling,
        ..
    } = b;
    let mut root = std::mem::take(&mut set.docs[0].1.value);
    let mut b = Bundler {
        set: &set,
        is_31,
        limits,
        resolutions,
        ref_edges: HashMap::new(),
        info,
        names,
        queue: Vec::new(),
        mappings: Vec::new(),
        provenance: Provenance::default(),
        problems,
        dangling,
        nodes: 0,
        limit_hit: false,
    };
    b.expand_root(&mut root);
    let Bundler {
        provenance,
        problems,
        dangling,
        ..
    } = b;
    (
        Bundled {
            document: root,
            provenance,
            problems,
            dangling,
        },
        set,
    )
}

/// Discriminator mapping values are schema names or references; these look like references.
fn mapping_is_reference(value: &str) -> bool {
    value.contains(['#', '/'])
        || [".yaml", ".yml", ".json"]
            .iter()
            .any(|e| value.ends_with(e))
}

fn local_ref(ptr: &str) -> String {
    format!("#{}", ptr.replace('%', "%25").replace(' ', "%20"))
}

impl Bundler<'_> {
    fn file(&self, doc: usize) -> String {
        self.set.docs[doc].0.to_string()
    }

    fn value(&self, doc: usize) -> &Value {
        &self.set.docs[doc].1.value
    }

    fn sites(&self, doc: usize, ptr: &str, shape: Shape) -> Vec<Site> {
        let mut out = Vec::new();
        let Some(node) = pointer::get(self.value(doc), ptr) else {
            return out;
        };
        let mut path = ptr.to_owned();
        walk::visit_refs(node, shape, &mut path, &mut |s| {
            out.push(Site {
                reference: s.reference.to_owned(),
                pointer: s.pointer,
                shape: s.shape,
            })
        });
        out
    }

    /// Resolves `reference` written in `doc`, following `$ref`s met on the way
    /// down the pointer. Errors are reported once per (doc, reference).
    fn resolve(&mut self, doc: usize, reference: &str, site_ptr: &str) -> Resolution {
        let key = (doc, reference.to_owned());
        if let Some(r) = self.resolutions.get(&key) {
            return r.clone();
        }
        let r = self.locate_ref(doc, reference, 0);
        let result = match r {
            Ok(found) => Ok(found),
            Err(message) => {
                // A chain too long to follow is a loop, not a missing target.
                if !message.contains("too many nested references") {
                    self.dangling.push(self.problems.len());
                }
                self.problems.push(Problem::error(
                    self.file(doc),
                    pointer::join(site_ptr, "$ref"),
                    message,
                ));
                Err(())
            }
        };
        self.resolutions.insert(key, result.clone());
        result
    }

    fn locate_ref(
        &self,
        doc: usize,
        reference: &str,
        hops: usize,
    ) -> Result<(usize, String), String> {
        let r = resolve_ref(&self.set.docs[doc].0, reference)?;
        let Some(target_doc) = self.set.doc_id(&r.url) else {
            return Err(match self.set.failure(&r.url) {
                Some(reason) => format!("$ref '{reference}': cannot load {} ({reason})", r.url),
                None => format!("$ref '{reference}': document {} was not loaded", r.url),
            });
        };
        self.locate(target_doc, &r.pointer, hops)
            .map_err(|m| format!("$ref '{reference}' does not resolve: {m}"))
    }

    fn locate(&self, doc: usize, ptr: &str, hops: usize) -> Result<(usize, String), String> {
        if hops > 32 {
            return Err("too many nested references".into());
        }
        let tokens =
            pointer::tokens(ptr).ok_or_else(|| format!("'{ptr}' is not a JSON pointer"))?;
        let mut node = self.value(doc);
        for (i, token) in tokens.iter().enumerate() {
            if let Some(next) = pointer::step(node, token) {
                node = next;
                continue;
            }
            if let Some(inner) = node.get("$ref").and_then(Value::as_str) {
                let (d, p) = self.locate_ref(doc, inner, hops + 1)?;
                let rest = tokens[i..].iter().fold(p, |mut p, t| {
                    pointer::push(&mut p, t);
                    p
                });
                return self.locate(d, &rest, hops + 1);
            }
            return Err(format!("no '{ptr}' in {}", self.set.docs[doc].0));
        }
        Ok((doc, ptr.to_owned()))
    }

    /// Follows a site to its target, counting it; `None` for root-local refs.
    fn edge(&mut self, doc: usize, site: &Site) -> Option<Target> {
        let (d, p) = self.resolve(doc, &site.reference, &site.pointer).ok()?;
        self.ref_edges
            .insert((doc, site.pointer.clone()), (d, p.clone()));
        if d == 0 {
            return None;
        }
        let t = Target { doc: d, pointer: p };
        let info = self.info.entry(t.clone()).or_insert(Info {
            shape: site.shape,
            count: 0,
            cyclic: false,
            home: None,
            emitted: false,
        });
        info.count += 1;
        Some(t)
    }

    /// Counts references per external target and marks cyclic ones
    /// (targets of DFS back edges), without recursion.
    fn analyze(&mut self) {
        let root_sites = self.sites(0, "", Shape::One(Kind::Document));
        self.resolve_mappings(0, "", Shape::One(Kind::Document));
        let roots: Vec<Target> = root_sites.iter().filter_map(|s| self.edge(0, s)).collect();
        // 0 = unvisited, 1 = on the stack, 2 = done
        let mut state: HashMap<Target, u8> = HashMap::new();
        for start in roots {
            if state.contains_key(&start) {
                continue;
            }
            let children = self.children(&start);
            state.insert(start.clone(), 1);
            let mut stack = vec![(start, children, 0usize)];
            while let Some((_, children, next)) = stack.last_mut() {
                if *next == children.len() {
                    let (t, _, _) = stack.pop().expect("non-empty");
                    state.insert(t, 2);
                    continue;
                }
                let child = children[*next].clone();
                *next += 1;
                match state.get(&child) {
                    Some(1) => {
                        if let Some(i) = self.info.get_mut(&child) {
                            i.cyclic = true;
                        }
                    }
                    Some(_) => {}
                    None => {
                        let grandchildren = self.children(&child);
                        state.insert(child.clone(), 1);
                        stack.push((child, grandchildren, 0));
                    }
                }
            }
        }
    }

    fn children(&mut self, t: &Target) -> Vec<Target> {
        let shape = self.info[t].shape;
        let sites = self.sites(t.doc, &t.pointer, shape);
        self.resolve_mappings(t.doc, &t.pointer, shape);
        sites.iter().filter_map(|s| self.edge(t.doc, s)).collect()
    }

    /// Resolves discriminator mapping references under a node (for rewriting
    /// after bundling); ones that do not resolve are warnings.
    fn resolve_mappings(&mut self, doc: usize, ptr: &str, shape: Shape) {
        let Some(node) = pointer::get(self.value(doc), ptr) else {
            return;
        };
        let mut found: Vec<(String, String)> = Vec::new();
        let mut path = ptr.to_owned();
        walk::visit_objects(node, shape, &mut path, &mut |value, kind, at| {
            if kind != Kind::Schema {
                return;
            }
            let mapping = value
                .get("discriminator")
                .and_then(|d| d.get("mapping"))
                .and_then(Value::as_object);
            for (key, v) in mapping.into_iter().flatten() {
                if let Some(v) = v.as_str().filter(|v| mapping_is_reference(v))
                    && (doc != 0 || !v.starts_with('#'))
                {
                    let at = pointer::join(
                        &pointer::join(&pointer::join(at, "discriminator"), "mapping"),
                        key,
                    );
                    found.push((at, v.to_owned()));
                }
            }
        });
        for (at, reference) in found {
            let key = (doc, reference.clone());
            if self.resolutions.contains_key(&key) {
                continue;
            }
            let result = self.locate_ref(doc, &reference, 0).map_err(|message| {
                self.problems.push(Problem::warning(
                    self.file(doc),
                    at,
                    format!("discriminator mapping: {message}"),
                ));
            });
            self.resolutions.insert(key, result);
        }
    }

    /// Reports `$ref`s that lead back to themselves through other `$ref`s only.
    fn check_ref_cycles(&mut self) {
        let mut done: HashSet<(usize, String)> = HashSet::new();
        let mut starts: Vec<_> = self.ref_edges.keys().cloned().collect();
        starts.sort();
        for start in starts {
            if done.contains(&start) {
                continue;
            }
            let mut path: Vec<(usize, String)> = Vec::new();
            let mut on_path: HashSet<(usize, String)> = HashSet::new();
            let mut cur = start.clone();
            loop {
                if done.contains(&cur) {
                    break;
                }
                if on_path.contains(&cur) {
                    let begin = path.iter().position(|n| *n == cur).unwrap_or(0);
                    let cycle: Vec<String> = path[begin..]
                        .iter()
                        .chain(std::iter::once(&cur))
                        .map(|(d, p)| self.describe_location(*d, p))
                        .collect();
                    let (d, p) = &path[begin];
                    self.problems.push(Problem::error(
                        self.file(*d),
                        pointer::join(p, "$ref"),
                        format!("$ref cycle: {}", cycle.join(" -> ")),
                    ));
                    break;
                }
                on_path.insert(cur.clone());
                path.push(cur.clone());
                match self.ref_edges.get(&cur) {
                    Some(next) => cur = next.clone(),
                    None => break,
                }
            }
            done.extend(path);
        }
    }

    fn describe_location(&self, doc: usize, ptr: &str) -> String {
        if doc == 0 {
            format!("#{ptr}")
        } else {
            let url = self.set.docs[doc].0.as_str();
            format!("{}#{ptr}", url.rsplit('/').next().unwrap_or(url))
        }
    }

    fn assign_component_homes(&mut self) {
        let Some(components) = self.value(0).get("components").and_then(Value::as_object) else {
            return;
        };
        // Only each section's name and `$ref` are needed past this borrow;
        // cloning the sections themselves copied most of the document.
        let sections: Vec<(String, Option<String>)> = components
            .iter()
            .map(|(k, v)| {
                let reference = v.get("$ref").and_then(Value::as_str).map(str::to_owned);
                (k.clone(), reference)
            })
            .collect();
        for (section, reference) in sections {
            let Some(kind) = Kind::from_component_section(&section) else {
                continue;
            };
            let Some(section) = kind.component_section() else {
                continue;
            };
            // The section itself may be a $ref to an index file.
            let (map_doc, map_ptr) = match reference {
                Some(r) => match self.resolutions.get(&(0, r)) {
                    Some(Ok(found)) => found.clone(),
                    _ => continue,
                },
                None => (0, format!("/components/{}", pointer::escape(section))),
            };
            let Some(map) = pointer::get(self.value(map_doc), &map_ptr).and_then(Value::as_object)
            else {
                continue;
            };
            let entries: Vec<(String, Option<String>)> = map
                .iter()
                .map(|(name, v)| {
                    let r = v
                        .as_object()
                        .filter(|o| o.len() == 1)
                        .and_then(|o| o.get("$ref"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    (name.clone(), r)
                })
                .collect();
            for (name, reference) in entries {
                self.names.entry(section).or_default().insert(name.clone());
                let home = format!(
                    "/components/{}/{}",
                    pointer::escape(section),
                    pointer::escape(&name)
                );
                let mut candidates = vec![Target {
                    doc: map_doc,
                    pointer: pointer::join(&map_ptr, &name),
                }];
                if let Some(Some(Ok((d, p)))) =
                    reference.map(|r| self.resolutions.get(&(map_doc, r)))
                {
                    candidates.push(Target {
                        doc: *d,
                        pointer: p.clone(),
                    });
                }
                for t in candidates {
                    match self.info.get_mut(&t) {
                        Some(info) if info.home.is_none() && info.shape == Shape::One(kind) => {
                            info.home = Some(home.clone());
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    fn hoist_section(&self, shape: Shape) -> Option<&'static str> {
        match shape {
            Shape::One(Kind::PathItem) if !self.is_31 => None,
            Shape::One(kind) => kind.component_section(),
            Shape::Map(_) => None,
        }
    }

    fn unique_name(&mut self, section: &'static str, t: &Target) -> String {
        let last = pointer::tokens(&t.pointer)
            .and_then(|tokens| tokens.last().cloned())
            .filter(|s| !s.is_empty());
        let base = last.unwrap_or_else(|| {
            let url = &self.set.docs[t.doc].0;
            let file = url.path().rsplit('/').next().unwrap_or("");
            file.split('.').next().unwrap_or("").to_owned()
        });
        let mut base: String = base
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty() {
            base = "Ref".into();
        }
        let used = self.names.entry(section).or_default();
        let mut name = base.clone();
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        used.insert(name.clone());
        name
    }

    fn expand_root(&mut self, root: &mut Value) {
        let shape = Shape::One(Kind::Document);
        let mut out = String::new();
        if let Some(map) = root.as_object_mut() {
            // Components first, so that their entries become the homes of shared targets.
            if let Some(components) = map.get_mut("components") {
                out.push_str("/components");
                self.expand(components, Shape::One(Kind::Components), 0, &mut out, 1);
                out.clear();
            }
            for (key, value) in map.iter_mut() {
                if key == "components" || !(value.is_object() || value.is_array()) {
                    continue;
                }
                if let Some(s) = walk::child(shape, key, value) {
                    pointer::push(&mut out, key);
                    self.expand(value, s, 0, &mut out, 1);
                    out.clear();
                }
            }
        }
        while !self.queue.is_empty() {
            let queue = std::mem::take(&mut self.queue);
            for (t, section, name) in queue {
                let home = format!("/components/{section}/{}", pointer::escape(&name));
                let shape = self.info[&t].shape;
                let Some(mut content) = pointer::get(self.value(t.doc), &t.pointer).cloned() else {
                    continue;
                };
                self.provenance
                    .origins
                    .insert(home.clone(), (t.doc, t.pointer.clone()));
                let mut out = home.clone();
                self.expand(&mut content, shape, t.doc, &mut out, 3);
                self.insert_component(root, section, name, content);
            }
        }
        self.rewrite_mappings(root);
    }

    fn rewrite_mappings(&mut self, root: &mut Value) {
        for (at, doc, reference) in std::mem::take(&mut self.mappings) {
            let Some(Ok((d, p))) = self.resolutions.get(&(doc, reference.clone())) else {
                continue;
            };
            let home = if *d == 0 {
                Some(p.clone())
            } else {
                self.info
                    .get(&Target {
                        doc: *d,
                        pointer: p.clone(),
                    })
                    .and_then(|i| i.home.clone())
            };
            match home {
                Some(home) => {
                    if let Some(slot) = root.pointer_mut(&at) {
                        *slot = Value::String(local_ref(&home));
                    }
                }
                None => {
                    let (src_doc, src_ptr) = self.provenance.source(&at);
                    self.problems.push(Problem::warning(
                        self.file(src_doc),
                        src_ptr,
                        format!("discriminator mapping '{reference}' points at a schema that no $ref uses, so it was not bundled"),
                    ));
                }
            }
        }
    }

    fn insert_component(&mut self, root: &mut Value, section: &str, name: String, content: Value) {
        let Some(map) = root.as_object_mut() else {
            return;
        };
        let components = map
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(components) = components.as_object_mut() else {
            return;
        };
        let section_map = components
            .entry(section)
            .or_insert_with(|| Value::Object(Map::new()));
        match section_map.as_object_mut() {
            Some(m) => {
                m.insert(name, content);
            }
            None => self.problems.push(Problem::error(
                self.file(0),
                format!("/components/{section}"),
                format!(
                    "components.{section} must be a map; cannot add bundled component '{name}'"
                ),
            )),
        }
    }

    fn over_limits(&mut self, depth: usize, out: &str) -> bool {
        self.nodes += 1;
        if self.limit_hit {
            return true;
        }
        let message = if depth > self.limits.max_depth {
            format!(
                "the bundled document nests deeper than {} levels (deeply nested or cyclic references)",
                self.limits.max_depth
            )
        } else if self.nodes > self.limits.max_nodes {
            format!(
                "the bundled document has more than {} nodes",
                self.limits.max_nodes
            )
        } else {
            return false;
        };
        self.limit_hit = true;
        let (doc, ptr) = self.provenance.source(out);
        self.problems
            .push(Problem::error(self.file(doc), ptr, message));
        true
    }

    fn expand(
        &mut self,
        value: &mut Value,
        shape: Shape,
        doc: usize,
        out: &mut String,
        depth: usize,
    ) {
        if self.over_limits(depth, out) {
            return;
        }
        match value {
            Value::Object(map) => {
                if map.get("$ref").is_some_and(Value::is_string)
                    && self.expand_ref(value, shape, doc, out, depth)
                {
                    return;
                }
                let Value::Object(map) = value else { return };
                if shape == Shape::One(Kind::Schema) {
                    self.note_mappings(map, doc, out);
                }
                for (key, v) in map.iter_mut() {
                    if key == "$ref" || !(v.is_object() || v.is_array()) {
                        continue;
                    }
                    if let Some(s) = walk::child(shape, key, v) {
                        let len = out.len();
                        pointer::push(out, key);
                        self.expand(v, s, doc, out, depth + 1);
                        out.truncate(len);
                    }
                }
            }
            Value::Array(items) => {
                if let Shape::Map(_) = shape {
                    return;
                }
                for (i, v) in items.iter_mut().enumerate() {
                    if v.is_object() || v.is_array() {
                        let len = out.len();
                        pointer::push(out, &i.to_string());
                        self.expand(v, shape, doc, out, depth + 1);
                        out.truncate(len);
                    }
                }
            }
            _ => {}
        }
    }

    /// Handles the `$ref` of an object. Returns true when the object was
    /// replaced by expanded content (nothing left to walk).
    fn expand_ref(
        &mut self,
        value: &mut Value,
        shape: Shape,
        doc: usize,
        out: &mut String,
        depth: usize,
    ) -> bool {
        let Value::Object(map) = value else {
            return false;
        };
        let reference = map["$ref"].as_str().unwrap_or_default().to_owned();
        let has_siblings = map.len() > 1;
        let Some(Ok((tdoc, tptr))) = self.resolutions.get(&(doc, reference.clone())).cloned()
        else {
            return false;
        };
        if tdoc == 0 {
            if doc != 0 || !reference.starts_with('#') {
                map.insert("$ref".into(), Value::String(local_ref(&tptr)));
            }
            return false;
        }
        let t = Target {
            doc: tdoc,
            pointer: tptr,
        };
        let section = self.hoist_section(shape);
        let info = self.info.entry(t.clone()).or_insert(Info {
            shape,
            count: 1,
            cyclic: false,
            home: None,
            emitted: false,
        });
        let (home, emitted, count, cyclic) =
            (info.home.clone(), info.emitted, info.count, info.cyclic);
        match home {
            Some(home) if emitted || home != *out => {
                map.insert("$ref".into(), Value::String(local_ref(&home)));
                return false;
            }
            Some(_) => {}
            None => {
                let must_hoist =
                    count > 1 || cyclic || (has_siblings && shape == Shape::One(Kind::Schema));
                if let Some(section) = section.filter(|_| must_hoist) {
                    let name = self.unique_name(section, &t);
                    let home = format!("/components/{section}/{}", pointer::escape(&name));
                    map.insert("$ref".into(), Value::String(local_ref(&home)));
                    let info = self.info.get_mut(&t).expect("inserted above");
                    info.home = Some(home);
                    info.emitted = true;
                    self.queue.push((t, section, name));
                    return false;
                }
                if cyclic {
                    self.cross_file_cycle(shape, out, &reference);
                    return false;
                }
            }
        }
        let info = self.info.get_mut(&t).expect("inserted above");
        if section.is_some() {
            info.home = Some(out.clone());
            info.emitted = true;
        }
        self.warn_irregular_ref(out, shape, &reference);
        let Some(mut content) = pointer::get(self.value(tdoc), &t.pointer).cloned() else {
            return false;
        };
        self.provenance
            .origins
            .insert(out.clone(), (tdoc, t.pointer.clone()));
        self.expand(&mut content, shape, tdoc, out, depth + 1);
        if let (true, Value::Object(target), Value::Object(site)) =
            (has_siblings, &mut content, &*value)
        {
            for (k, v) in site {
                if k != "$ref" {
                    target.insert(k.clone(), v.clone());
                }
            }
        }
        *value = content;
        true
    }

    /// A `$ref` whose target refers back to itself across files, where
    /// there is no section to hoist it into: reported, left as it is.
    fn cross_file_cycle(&mut self, shape: Shape, out: &str, reference: &str) {
        let kind = match shape {
            Shape::One(k) | Shape::Map(k) => k.describe(),
        };
        let (src_doc, src_ptr) = self.provenance.source(out);
        self.problems.push(Problem::error(
            self.file(src_doc),
            pointer::join(&src_ptr, "$ref"),
            format!(
                "$ref '{reference}': a {kind} that refers back to itself across files cannot be bundled"
            ),
        ));
    }

    fn note_mappings(&mut self, map: &Map<String, Value>, doc: usize, out: &str) {
        let Some(mapping) = map
            .get("discriminator")
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object)
        else {
            return;
        };
        for (key, v) in mapping {
            if let Some(v) = v.as_str().filter(|v| mapping_is_reference(v))
                && (doc != 0 || !v.starts_with('#'))
            {
                let at = pointer::join(
                    &pointer::join(&pointer::join(out, "discriminator"), "mapping"),
                    key,
                );
                self.mappings.push((at, doc, v.to_owned()));
            }
        }
    }

    fn warn_irregular_ref(&mut self, out: &str, shape: Shape, reference: &str) {
        let message = match shape {
            Shape::One(Kind::Operation) => format!(
                "$ref '{reference}' on an operation object is not allowed by OpenAPI (only path items, not operations, may be references); it was inlined"
            ),
            Shape::Map(kind) => format!(
                "$ref '{reference}' stands for a whole map of {}s, which OpenAPI does not allow; the referenced map was inlined",
                kind.describe()
            ),
            _ => return,
        };
        let (src_doc, src_ptr) = self.provenance.source(out);
        self.problems.push(Problem::warning(
            self.file(src_doc),
            pointer::join(&src_ptr, "$ref"),
            message,
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::spec::testutil::{load_files, load_files_with};
    use crate::spec::{Limits, LoadedSpec, Problem, unresolved_refs};

    const ROOT30: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";

    /// Bundles a 3.0 root document (a common header, then `rest`) with the
    /// other `files` it refers to.
    fn bundle(rest: &str, files: &[(&str, &str)]) -> Result<LoadedSpec, Vec<Problem>> {
        bundle_with(rest, files, &Limits::default())
    }

    fn bundle_with(
        rest: &str,
        files: &[(&str, &str)],
        limits: &Limits,
    ) -> Result<LoadedSpec, Vec<Problem>> {
        let root = format!("{ROOT30}{rest}");
        let mut all = vec![("openapi.yaml", root.as_str())];
        all.extend_from_slice(files);
        load_files_with(&all, limits)
    }

    /// The JSON schema of the `200` response of `GET {path}`: where most
    /// of these documents put the `$ref` under test.
    fn get_200_schema<'a>(doc: &'a Value, path: &str) -> &'a Value {
        &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    }

    #[test]
    fn shared_external_schema_is_hoisted_once() {
        let r = "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'schemas/Pet.yaml'}\n  /b:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: './schemas/Pet.yaml'}\n";
        let spec = bundle(
            r,
            &[(
                "schemas/Pet.yaml",
                "type: object\nproperties:\n  name: {type: string}\n",
            )],
        )
        .unwrap();
        let doc = &spec.document;
        assert_eq!(
            doc["components"]["schemas"]["Pet"]["properties"]["name"],
            json!({"type": "string"})
        );
        assert_eq!(
            get_200_schema(doc, "/a"),
            &json!({"$ref": "#/components/schemas/Pet"})
        );
        assert_eq!(
            get_200_schema(doc, "/b"),
            &json!({"$ref": "#/components/schemas/Pet"})
        );
        assert!(unresolved_refs(doc).is_empty());
    }

    #[test]
    fn single_use_external_content_is_inlined() {
        let r = "paths:\n  /a:\n    get:\n      parameters: [{$ref: 'params.yaml#/Limit'}]\n      responses: {'200': {description: ok}}\n";
        let spec = bundle(
            r,
            &[(
                "params.yaml",
                "Limit: {name: limit, in: query, schema: {type: integer}}\n",
            )],
        )
        .unwrap();
        assert_eq!(
            spec.document["paths"]["/a"]["get"]["parameters"][0],
            json!({"name": "limit", "in": "query", "schema": {"type": "integer"}})
        );
        assert!(spec.document.get("components").is_none());
    }

    #[test]
    fn recursive_schemas_across_files_terminate() {
        let spec = bundle(
            "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'a.yaml'}\n",
            &[
                (
                    "a.yaml",
                    "type: object\nproperties:\n  b: {$ref: 'b.yaml'}\n",
                ),
                (
                    "b.yaml",
                    "type: object\nproperties:\n  a: {$ref: 'a.yaml'}\n  self: {$ref: '#'}\n",
                ),
            ],
        )
        .unwrap();
        let schemas = &spec.document["components"]["schemas"];
        assert_eq!(
            schemas["A"]["properties"]["b"],
            json!({"$ref": "#/components/schemas/b"})
        );
        assert_eq!(
            schemas["b"]["properties"]["a"],
            json!({"$ref": "#/components/schemas/A"})
        );
        assert_eq!(
            schemas["b"]["properties"]["self"],
            json!({"$ref": "#/components/schemas/b"})
        );
        assert!(unresolved_refs(&spec.document).is_empty());
        assert!(unresolved_refs(&spec.upgraded).is_empty());
    }

    #[test]
    fn local_refs_inside_external_files_are_rewritten() {
        let a = "pathItem:\n  get:\n    responses:\n      '200':\n        description: ok\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/Item'}\n      '404':\n        description: nf\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/Item'}\ncomponents:\n  schemas:\n    Item: {type: object, properties: {next: {$ref: '#/components/schemas/Item'}}}\n";
        let spec = bundle(
            "paths:\n  /a:\n    $ref: 'paths/a.yaml#/pathItem'\n",
            &[("paths/a.yaml", a)],
        )
        .unwrap();
        let doc = &spec.document;
        assert_eq!(
            get_200_schema(doc, "/a"),
            &json!({"$ref": "#/components/schemas/Item"})
        );
        assert_eq!(
            doc["components"]["schemas"]["Item"]["properties"]["next"],
            json!({"$ref": "#/components/schemas/Item"})
        );
        assert_eq!(doc["components"]["schemas"].as_object().unwrap().len(), 1);
        assert!(unresolved_refs(doc).is_empty());
    }

    #[test]
    fn root_component_entries_are_homes_for_their_targets() {
        let r = "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'pet.yaml'}\ncomponents:\n  schemas:\n    Pet: {$ref: 'pet.yaml'}\n";
        let spec = bundle(r, &[("pet.yaml", "type: string\n")]).unwrap();
        let doc = &spec.document;
        assert_eq!(
            doc["components"]["schemas"]["Pet"],
            json!({"type": "string"})
        );
        assert_eq!(
            get_200_schema(doc, "/a"),
            &json!({"$ref": "#/components/schemas/Pet"})
        );
        assert_eq!(doc["components"]["schemas"].as_object().unwrap().len(), 1);
    }

    #[test]
    fn hoisted_names_do_not_collide() {
        let r = "paths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: 'x/Pet.yaml'}}}}\n        '201': {description: ok, content: {application/json: {schema: {$ref: 'x/Pet.yaml'}}}}\ncomponents:\n  schemas:\n    Pet: {type: integer}\n";
        let spec = bundle(r, &[("x/Pet.yaml", "type: string\n")]).unwrap();
        let schemas = &spec.document["components"]["schemas"];
        assert_eq!(schemas["Pet"], json!({"type": "integer"}));
        assert_eq!(schemas["Pet_2"], json!({"type": "string"}));
    }

    #[test]
    fn index_file_as_components_section_is_accepted_with_a_warning() {
        let r = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: 'schemas/A.yaml'}}}}\ncomponents:\n  schemas:\n    $ref: 'schemas/_index.yaml'\n";
        let spec = load_files(&[
            ("openapi.yaml", r),
            (
                "schemas/_index.yaml",
                "A: {$ref: 'A.yaml'}\nB: {$ref: 'B.yaml'}\n",
            ),
            (
                "schemas/A.yaml",
                "type: object\nproperties: {b: {$ref: 'B.yaml'}}\n",
            ),
            ("schemas/B.yaml", "type: string\n"),
        ])
        .unwrap();
        let doc = &spec.document;
        assert_eq!(
            doc["components"]["schemas"]["A"]["properties"]["b"],
            json!({"$ref": "#/components/schemas/B"})
        );
        assert_eq!(doc["components"]["schemas"]["B"], json!({"type": "string"}));
        assert_eq!(
            get_200_schema(doc, "/a"),
            &json!({"$ref": "#/components/schemas/A"})
        );
        assert_eq!(spec.warnings.len(), 1, "{:?}", spec.warnings);
        assert_eq!(spec.warnings[0].pointer, "/components/schemas/$ref");
        assert!(spec.warnings[0].message.contains("whole map of schemas"));
    }

    #[test]
    fn ref_on_operation_is_inlined_with_a_warning() {
        let spec = bundle(
            "paths:\n  /a:\n    get: {$ref: 'ops/get.yaml'}\n",
            &[
                (
                    "ops/get.yaml",
                    "operationId: getA\nresponses:\n  '200': {$ref: '../responses.yaml#/Ok'}\n",
                ),
                ("responses.yaml", "Ok: {description: ok}\n"),
            ],
        )
        .unwrap();
        assert_eq!(spec.document["paths"]["/a"]["get"]["operationId"], "getA");
        assert_eq!(
            spec.document["paths"]["/a"]["get"]["responses"]["200"],
            json!({"description": "ok"})
        );
        assert_eq!(spec.warnings.len(), 1);
        assert!(spec.warnings[0].message.contains("on an operation object"));
        assert_eq!(spec.warnings[0].pointer, "/paths/~1a/get/$ref");
        assert_eq!(spec.warnings[0].line, Some(5));
    }

    #[test]
    fn refs_back_into_the_root_become_local() {
        let a = "get:\n  responses:\n    '200': {description: ok, content: {application/json: {schema: {$ref: 'openapi.yaml#/components/schemas/Root'}}}}\n";
        let r = "paths:\n  /a:\n    $ref: 'a.yaml'\ncomponents:\n  schemas:\n    Root: {type: string}\n";
        let spec = bundle(r, &[("a.yaml", a)]).unwrap();
        assert_eq!(
            get_200_schema(&spec.document, "/a"),
            &json!({"$ref": "#/components/schemas/Root"})
        );
    }

    #[test]
    fn schema_ref_with_siblings_keeps_them_in_31() {
        let r = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: {$ref: 'b.yaml', description: 'the b'}\n";
        let spec = load_files(&[("openapi.yaml", r), ("b.yaml", "type: string\n")]).unwrap();
        let s = &spec.document["components"]["schemas"];
        assert_eq!(
            s["A"]["properties"]["b"],
            json!({"$ref": "#/components/schemas/b", "description": "the b"})
        );
        assert_eq!(s["b"], json!({"type": "string"}));
    }

    #[test]
    fn problems_in_external_files_point_at_those_files() {
        let a = "get:\n  operationId: x\n  responses:\n    '200':\n      description: ok\n      content:\n        application/json:\n          schema: {type: strin}\n";
        let problems = bundle(
            "paths:\n  /a:\n    $ref: 'paths/a.yaml'\n",
            &[("paths/a.yaml", a)],
        )
        .unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].file, "file:///spec/paths/a.yaml");
        assert_eq!(
            problems[0].pointer,
            "/get/responses/200/content/application~1json/schema/type"
        );
        assert_eq!(problems[0].line, Some(8));
    }

    #[test]
    fn missing_external_file_and_missing_pointer_are_errors() {
        let r = "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'gone.yaml'}\n    B: {$ref: 'b.yaml#/nope'}\n";
        let problems = bundle(r, &[("b.yaml", "yes: {}\n")]).unwrap_err();
        let messages: Vec<_> = problems
            .iter()
            .map(|p| (p.pointer.as_str(), p.message.as_str()))
            .collect();
        assert!(
            messages.contains(&(
                "/components/schemas/A/$ref",
                "$ref 'gone.yaml': cannot load file:///spec/gone.yaml (not found)"
            )),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|(p, m)| *p == "/components/schemas/B/$ref"
                    && m.contains("does not resolve: no '/nope'")),
            "{messages:?}"
        );
    }

    #[test]
    fn ref_loop_across_files_is_an_error_and_terminates() {
        let problems = bundle(
            "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'a.yaml'}\n",
            &[
                ("a.yaml", "$ref: 'b.yaml'\n"),
                ("b.yaml", "$ref: 'a.yaml'\n"),
            ],
        )
        .unwrap_err();
        assert!(
            problems.iter().any(|p| p
                .message
                .contains("$ref cycle: a.yaml# -> b.yaml# -> a.yaml#")),
            "{problems:?}"
        );
    }

    #[test]
    fn nesting_limit_stops_deep_inlining() {
        let r = "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'f0.yaml'}\n";
        let files: Vec<(String, String)> = (0..10)
            .map(|i| {
                (
                    format!("f{i}.yaml"),
                    format!(
                        "type: object\nproperties:\n  p: {{$ref: 'f{}.yaml'}}\n",
                        i + 1
                    ),
                )
            })
            .chain(std::iter::once((
                "f10.yaml".to_owned(),
                "type: string\n".to_owned(),
            )))
            .collect();
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert!(bundle(r, &files).is_ok());
        let limits = Limits {
            max_depth: 8,
            ..Limits::default()
        };
        let problems = bundle_with(r, &files, &limits).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("deeper than 8 levels")),
            "{problems:?}"
        );
    }

    #[test]
    fn bundling_is_deterministic() {
        let r = "paths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: 'a.yaml'}}}}\n        '201': {description: ok, content: {application/json: {schema: {$ref: 'b.yaml'}}}}\n";
        let files = [
            (
                "a.yaml",
                "type: object\nproperties: {b: {$ref: 'b.yaml'}, c: {$ref: 'c.yaml'}}\n",
            ),
            (
                "b.yaml",
                "type: object\nproperties: {a: {$ref: 'a.yaml'}, c: {$ref: 'c.yaml'}}\n",
            ),
            ("c.yaml", "type: string\n"),
        ];
        let first = crate::spec::canonical_json(&bundle(r, &files).unwrap().document);
        for _ in 0..5 {
            assert_eq!(
                crate::spec::canonical_json(&bundle(r, &files).unwrap().document),
                first
            );
        }
    }

    #[test]
    fn discriminator_mappings_in_external_files_are_rewritten() {
        let r = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents:\n  schemas:\n    Pet: {$ref: 'pet.yaml'}\n    Cat: {$ref: 'cat.yaml'}\n";
        let pet = "oneOf: [{$ref: 'cat.yaml'}, {$ref: 'dog.yaml'}]\ndiscriminator:\n  propertyName: kind\n  mapping:\n    cat: 'cat.yaml'\n    dog: './dog.yaml'\n    fish: 'fish.yaml'\n    bird: Bird\n";
        let spec = load_files(&[
            ("openapi.yaml", r),
            ("pet.yaml", pet),
            ("cat.yaml", "type: object\n"),
            ("dog.yaml", "type: object\n"),
            ("fish.yaml", "type: object\n"),
        ])
        .unwrap();
        let mapping = &spec.document["components"]["schemas"]["Pet"]["discriminator"]["mapping"];
        assert_eq!(mapping["cat"], "#/components/schemas/Cat");
        assert_eq!(mapping["dog"], "#/components/schemas/Pet/oneOf/1");
        assert_eq!(mapping["fish"], "fish.yaml");
        assert_eq!(mapping["bird"], "Bird");
        assert_eq!(spec.warnings.len(), 1, "{:?}", spec.warnings);
        // fish.yaml is only named by the mapping, so it was never loaded.
        assert!(spec.warnings[0].message.contains("discriminator mapping: $ref 'fish.yaml': document file:///spec/fish.yaml was not loaded"), "{:?}", spec.warnings);
        assert_eq!(spec.warnings[0].file, "file:///spec/pet.yaml");
        assert_eq!(spec.warnings[0].pointer, "/discriminator/mapping/fish");
    }

    #[test]
    fn document_limit_is_reported() {
        let r = "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'a.yaml'}\n    B: {$ref: 'b.yaml'}\n";
        let limits = Limits {
            max_documents: 2,
            ..Limits::default()
        };
        let problems = bundle_with(
            r,
            &[("a.yaml", "type: string\n"), ("b.yaml", "type: string\n")],
            &limits,
        )
        .unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("more than the limit of 2")),
            "{problems:?}"
        );
    }
}
