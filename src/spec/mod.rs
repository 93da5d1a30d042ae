//! OpenAPI spec ingestion for every stage that reads a spec (`dispatch`,
//! `ingest`, `diff`, `generate`): bytes -> parsed document -> the documents of
//! a multi-file spec -> one bundled document -> validated -> upgraded to the
//! OpenAPI 3.1 model; plus canonical bytes, checksums and line numbers.
//!
//! Typical use (the caller does the I/O):
//!
//! ```text
//! let mut set = DocumentSet::new(root_url, parse_document(&root_bytes)?);
//! while let Some(url) = set.missing().into_iter().next() {
//!     match fetch(&url).map_err(|e| e.to_string()).and_then(|b| parse_document(&b).map_err(|e| e.to_string())) {
//!         Ok(doc) => set.add(url, doc),
//!         Err(reason) => set.add_failed(url, reason),
//!     }
//! }
//! let spec = load(set, &Limits::default())?;
//! ```
//!
//! Submodules: `parse` (JSON/YAML to values), `docset` (which documents are
//! needed), `walk` (which positions hold which OpenAPI objects, and where
//! `$ref` is only data), `bundle` (one self-contained document), `validate`,
//! `upgrade` (3.0 -> 3.1 model; its docs list the exact rules), `lines` (line
//! numbers), `canonical` (stored bytes and checksums), `problem`, `version`, `view`
//! (the typed view every reader of a bundled document uses: operations,
//! the one `$ref` chaser, media kinds, the nullability fold).
//!
//! Not supported: `$ref`s to 3.1 `$id`/`$anchor` names (only URL + JSON
//! pointer), `$dynamicRef`. `load` never fetches anything: URLs in
//! `DocumentSet::missing` come from the spec itself, so the caller decides
//! which schemes and hosts it is willing to read (e.g. only the root's).
//!
//! Must not do I/O: no filesystem, network, environment or clock.

mod bundle;
mod canonical;
mod depth;
mod docset;
mod lines;
mod parse;
pub mod pointer;
pub mod policy;
mod problem;
mod upgrade;
mod validate;
mod version;
pub mod view;
mod walk;

use std::collections::HashMap;

pub use canonical::{canonical_json, sha256_hex};
pub use docset::{DocumentSet, Resolved, resolve_ref};
pub use lines::{LineIndex, line_of_pointer};
pub use parse::{
    ParseError, ParsedDoc, SourceFormat, parse_document, parse_document_owned,
    parse_document_with_limits,
};
pub use problem::{Problem, Severity};
pub use upgrade::upgrade_to_31;
pub use version::OpenApiVersion;

/// Bounds on hostile or runaway input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Documents in one multi-file spec (DigitalOcean has about 2,900).
    pub max_documents: usize,
    /// Nesting of the bundled document (real specs nest about 25 levels).
    pub max_depth: usize,
    /// Values in one parsed document, and containers in the bundled one.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_documents: 5000,
            max_depth: 200,
            max_nodes: 20_000_000,
        }
    }
}

/// A bundled, validated spec.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The parsed `openapi` field.
    pub version: OpenApiVersion,
    /// `info.version`.
    pub info_version: String,
    /// `info.title`.
    pub title: String,
    /// The bundled document in its declared version: self-contained, only
    /// local `#/...` refs left.
    pub document: serde_json::Value,
    /// The same, upgraded to the OpenAPI 3.1 model (see [`upgrade_to_31`]).
    pub upgraded: serde_json::Value,
    /// Warnings: legal but suspicious things, and tolerated deviations.
    pub warnings: Vec<Problem>,
    /// The root document as written (text and tree), for finding the line
    /// of a pointer. Moved out of the set rather than cloned: on a
    /// multi-megabyte spec a clone of the tree costs as much as parsing it.
    pub root: ParsedDoc,
}

/// How validation errors count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Any error fails the load (ingest: what is stored must be valid).
    Strict,
    /// The one policy of [`policy`] for comparing: only what makes the
    /// document meaningless fails it (no or unknown `openapi` version, a
    /// `$ref` cycle with no base case, limits), plus `$ref`s that name
    /// nothing, because a comparison past them would silently skip what
    /// they stood for; validation errors are warnings, each with the
    /// fallback readers use. For real-world specs, which often carry lint
    /// errors that do not hide their contract (diff).
    Lenient,
    /// [`Validation::Lenient`], with `$ref`s that name nothing warnings too:
    /// a generator makes them unknown types (generate).
    Tolerant,
    /// [`Validation::Tolerant`]'s findings with every warning an error
    /// (`--strict` on diff and generate).
    WarningsAreErrors,
}

/// Bundles, validates and upgrades a spec. On failure returns every problem
/// found (errors first, then warnings), each located in its source document.
pub fn load(set: DocumentSet, limits: &Limits) -> Result<LoadedSpec, Vec<Problem>> {
    load_with(set, limits, Validation::Strict)
}

/// [`load`], with validation errors counted as `validation` says.
pub fn load_with(
    set: DocumentSet,
    limits: &Limits,
    validation: Validation,
) -> Result<LoadedSpec, Vec<Problem>> {
    load_with_then(set, limits, validation, |_| ()).map(|(spec, ())| spec)
}

/// [`load_with`], also running `then` on the upgraded document while
/// validation runs on another thread; its result is returned only when
/// validation passes. For work that needs the 3.1 model but not a verdict
/// (lowering an SDK): on a large spec validation and line lookup are a
/// sixth of the load, and this takes them off the critical path.
pub fn load_with_then<T: Send>(
    set: DocumentSet,
    limits: &Limits,
    validation: Validation,
    then: impl FnOnce(&serde_json::Value) -> T + Send,
) -> Result<(LoadedSpec, T), Vec<Problem>> {
    let root_file = set.root_location().to_string();
    let version = match version::check(&set.docs[0].1.value) {
        Ok(v) => v,
        Err((pointer, message)) => {
            let mut p = Problem::error(root_file, pointer, message);
            p.line = line_of_pointer(&set.docs[0].1, &p.pointer);
            return Err(vec![p]);
        }
    };
    let mut problems = set_problems(&set, limits, &root_file);
    let (mut bundled, set) = bundle::bundle(set, version.is_31(), limits);
    policy::tolerate_dangling(&mut bundled.problems, &bundled.dangling, validation);
    problems.append(&mut bundled.problems);
    let document = bundled.document;
    let unusable = problems.iter().any(Problem::is_error);
    // The upgrade (and `then`) is needed only when validation passes, but
    // runs beside it on a second thread: work thrown away on failure costs
    // nothing visible.
    let (upgraded, then_result) = std::thread::scope(|scope| {
        let upgraded = scope.spawn(|| {
            let upgraded = upgrade_to_31(&document);
            // `then` sees a document that may yet fail validation; a panic
            // on such input must not hide the validation errors.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| then(&upgraded)));
            (upgraded, result)
        });
        // Validation also runs when bundling failed, so that every error is
        // reported at once; refs left unresolved are simply not followed.
        let found = validate::validate(&document, &version)
            .into_iter()
            .chain(policy::survivable(&document));
        for (pointer, severity, message) in found {
            let (doc, src) = bundled.provenance.source(&pointer);
            let (severity, message) = policy::judge(validation, unusable, severity, message);
            problems.push(Problem {
                severity,
                file: set.docs[doc].0.to_string(),
                pointer: src,
                line: None,
                message,
            });
        }
        add_lines(&set, &mut problems);
        upgraded
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    });
    policy::promote(&mut problems, validation);
    problems.sort_by_key(|p| p.severity);
    if problems.iter().any(Problem::is_error) {
        return Err(problems);
    }
    let info = &document["info"];
    let title = info["title"].as_str().unwrap_or_default().to_owned();
    let info_version = info["version"].as_str().unwrap_or_default().to_owned();
    let then_result = then_result.unwrap_or_else(|p| std::panic::resume_unwind(p));
    let spec = LoadedSpec {
        version,
        info_version,
        title,
        document,
        upgraded,
        warnings: problems,
        root: set.into_root(),
    };
    Ok((spec, then_result))
}

/// Problems of the document set itself: too many documents, or some never
/// loaded.
fn set_problems(set: &DocumentSet, limits: &Limits, root_file: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    if set.len() > limits.max_documents {
        problems.push(Problem::error(
            root_file,
            "",
            format!(
                "the spec has {} documents, more than the limit of {}",
                set.len(),
                limits.max_documents
            ),
        ));
    }
    let unfetched = set.unfetched();
    if unfetched > 0 {
        problems.push(Problem::error(
            root_file,
            "",
            format!(
                "{unfetched} referenced document(s) were never loaded (document limit reached or the loading loop stopped early)"
            ),
        ));
    }
    problems
}

/// `$ref`s of a bundled document (in reference positions) that are not local
/// or do not resolve, as `(pointer of the ref object, ref string)`. Empty for
/// every document `load` returns.
pub fn unresolved_refs(document: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut path = String::new();
    walk::visit_refs(
        document,
        walk::Shape::One(walk::Kind::Document),
        &mut path,
        &mut |site| {
            let resolves = site.reference.strip_prefix('#').is_some_and(|frag| {
                pointer::get(document, &pointer::percent_decode(frag)).is_some()
            });
            if !resolves {
                out.push((site.pointer, site.reference.to_owned()));
            }
        },
    );
    out
}

fn add_lines(set: &DocumentSet, problems: &mut [Problem]) {
    let mut by_file: HashMap<String, Vec<String>> = HashMap::new();
    for p in problems.iter() {
        by_file
            .entry(p.file.clone())
            .or_default()
            .push(p.pointer.clone());
    }
    let mut indexes: HashMap<String, lines::LineIndex> = HashMap::new();
    for (url, doc) in &set.docs {
        if let Some(pointers) = by_file.get(url.as_str()) {
            let index = lines::LineIndex::build(doc, pointers.iter().map(String::as_str));
            indexes.insert(url.to_string(), index);
        }
    }
    for p in problems.iter_mut() {
        if let Some(index) = indexes.get(&p.file) {
            p.line = index.line(&p.pointer);
        }
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;

    pub const BASE: &str = "file:///spec/";

    /// Loads an in-memory multi-file spec; the first file is the root.
    pub fn load_files(files: &[(&str, &str)]) -> Result<LoadedSpec, Vec<Problem>> {
        load_files_with(files, &Limits::default())
    }

    pub fn load_files_with(
        files: &[(&str, &str)],
        limits: &Limits,
    ) -> Result<LoadedSpec, Vec<Problem>> {
        let base = url::Url::parse(BASE).unwrap();
        let (root_name, root_text) = files[0];
        let root = parse_document(root_text.as_bytes()).expect("root parses");
        let mut set = DocumentSet::with_limits(base.join(root_name).unwrap(), root, limits);
        loop {
            let missing = set.missing();
            if missing.is_empty() {
                break;
            }
            for url in missing {
                let found = files
                    .iter()
                    .find(|(name, _)| base.join(name).unwrap() == url);
                match found {
                    Some((_, text)) => {
                        set.add(url, parse_document(text.as_bytes()).expect("parses"))
                    }
                    None => set.add_failed(url, "not found".into()),
                }
            }
        }
        load(set, limits)
    }

    pub fn load_one(text: &str) -> Result<LoadedSpec, Vec<Problem>> {
        load_files(&[("openapi.yaml", text)])
    }

    /// All problems (errors and warnings) as "pointer: message".
    pub fn problems(text: &str) -> Vec<String> {
        let list = match load_one(text) {
            Ok(spec) => spec.warnings,
            Err(problems) => problems,
        };
        list.iter()
            .map(|p| {
                let kind = if p.is_error() { "E" } else { "W" };
                format!("{kind} {}: {}", p.pointer, p.message)
            })
            .collect()
    }

    /// Asserts that exactly one problem contains `needle`, with the given severity and pointer.
    #[track_caller]
    pub fn assert_problem(text: &str, severity: &str, pointer: &str, needle: &str) {
        let all = problems(text);
        let hits: Vec<_> = all.iter().filter(|p| p.contains(needle)).collect();
        assert_eq!(
            hits.len(),
            1,
            "expected one problem containing {needle:?}, got: {all:#?}"
        );
        assert!(
            hits[0].starts_with(&format!("{severity} {pointer}: ")),
            "expected {severity} at {pointer:?}, got {:?}",
            hits[0]
        );
    }

    #[track_caller]
    pub fn assert_clean(text: &str) {
        let all = problems(text);
        assert!(all.is_empty(), "expected no problems, got: {all:#?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1.0.0"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#;
    /// An operation without responses: bundles, then fails validation.
    const INVALID: &str = r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1.0.0"},
        "paths": {"/a": {"get": {}}}}"#;

    fn set_of(text: &str) -> DocumentSet {
        let url = url::Url::parse("file:///spec/openapi.json").unwrap();
        DocumentSet::new(url, parse_document(text.as_bytes()).unwrap())
    }

    #[test]
    fn then_runs_on_the_upgraded_document() {
        let (spec, openapi) = load_with_then(
            set_of(VALID),
            &Limits::default(),
            Validation::Strict,
            |doc| doc["openapi"].as_str().map(str::to_owned),
        )
        .unwrap();
        assert_eq!(openapi.as_deref(), Some("3.1.0"));
        assert_eq!(spec.upgraded["openapi"], "3.1.0");
    }

    #[test]
    fn a_panic_in_then_does_not_hide_validation_errors() {
        let problems = load_with_then(
            set_of(INVALID),
            &Limits::default(),
            Validation::Strict,
            |_| -> () { panic!("lowering choked on an invalid spec") },
        )
        .unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.is_error() && p.pointer.contains("/paths/~1a/get")),
            "{problems:?}"
        );
    }
}
