//! The modules of one folder import each other one way: no two siblings
//! reach each other, directly or around a ring. A stage then reads as
//! request -> observe -> plan -> apply -> report, and a pure folder as
//! layers (the diff's vocabulary below its rule tables, the tables below
//! the catalog), so a module can be read, moved or tested knowing only
//! what it imports.
//!
//! Edges are read from the code as text: every `crate::`, `super::` and
//! `self::` path (and each item of a `{...}` group) outside comments and
//! test modules, resolved against the module tree under `src/`. An edge
//! between two modules counts for the pair of siblings under their nearest
//! common parent (`diff::schema` -> `diff::walk::At` is
//! `schema` -> `walk` in `diff`). A module naming its parent's items or its
//! own children is not an edge between siblings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Rings that are the design, not an accident, each with its reason. The
/// schema comparison is a recursive descent: `schema` compares a pair of
/// schemas by keyword family and each family compares its subschemas by
/// calling `schema` again.
const INTENDED_RINGS: &[(&str, &[&str], &str)] = &[(
    "diff",
    &["composition", "keywords", "properties", "schema"],
    "recursive descent over subschemas",
)];

/// Module path (`["diff", "schema"]`) -> its source without comments and
/// test modules. `lib.rs` is the root; `main.rs` is another crate.
fn modules(src: &Path) -> BTreeMap<Vec<String>, String> {
    let mut out = BTreeMap::new();
    collect(src, &mut Vec::new(), &mut out);
    out
}

fn collect(dir: &Path, at: &mut Vec<String>, out: &mut BTreeMap<Vec<String>, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if matches!(name.as_str(), "tests" | "testutil" | "test_support") {
            continue;
        }
        if path.is_dir() {
            at.push(name);
            collect(&path, at, out);
            at.pop();
        } else if path.extension().is_some_and(|e| e == "rs") && name != "main" {
            let mut module = at.clone();
            if name != "mod" && name != "lib" {
                module.push(name);
            }
            out.insert(module, code_of(&std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The text before the first test module, without comments.
fn code_of(text: &str) -> String {
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or("");
    before_tests
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a text names from `crate`, `super` or `self`, as written
/// (`super::walk::At`), groups expanded one item each.
fn paths(code: &str) -> Vec<Vec<String>> {
    let compact = squeeze(code);
    let mut out = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        for (at, _) in compact.match_indices(start) {
            let before = compact[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue; // `super::super::x` is read from its first `super`
            }
            expand(&compact[at..], &mut Vec::new(), &mut out);
        }
    }
    out
}

/// The text with white space folded to one space, and none left beside
/// the punctuation of a path (`::`, `{`, `}`, `,`), so that a path written
/// over several lines reads as one word.
fn squeeze(code: &str) -> String {
    let folded = code.split_whitespace().collect::<Vec<_>>().join(" ");
    let punct = |c: Option<char>| c.is_some_and(|c| matches!(c, ':' | '{' | '}' | ','));
    let chars: Vec<char> = folded.chars().collect();
    (0..chars.len())
        .filter(|&i| {
            chars[i] != ' '
                || !(punct(i.checked_sub(1).map(|j| chars[j])) || punct(chars.get(i + 1).copied()))
        })
        .map(|i| chars[i])
        .collect()
}

/// Reads `a::b::{c, d::e}` into `[a, b, c]` and `[a, b, d, e]`.
fn expand(text: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let segment: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let rest = &text[segment.len()..];
    let depth = prefix.len();
    if !segment.is_empty() {
        prefix.push(segment);
    }
    if let Some(after) = rest.strip_prefix("::") {
        if let Some(group) = after.strip_prefix('{') {
            for item in top_level_items(group) {
                expand(item, prefix, out);
            }
        } else {
            expand(after, prefix, out);
        }
    } else {
        out.push(prefix.clone());
    }
    prefix.truncate(depth);
}

/// The comma-separated items of a `{...}` group, up to its closing brace.
fn top_level_items(group: &str) -> Vec<&str> {
    let (mut depth, mut start, mut items) = (0, 0, Vec::new());
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.retain(|item| !item.is_empty());
    items
}

/// The module a path written in `from` lands in: the longest prefix of
/// its absolute form that is a module.
fn target(
    from: &[String],
    path: &[String],
    modules: &BTreeMap<Vec<String>, String>,
) -> Option<Vec<String>> {
    let mut absolute: Vec<String> = Vec::new();
    let mut segments = path.iter().peekable();
    match segments.next().map(String::as_str) {
        Some("crate") => {}
        Some("self") => absolute.extend_from_slice(from),
        Some("super") => {
            absolute.extend_from_slice(&from[..from.len().saturating_sub(1)]);
            while segments.peek().is_some_and(|s| *s == "super") {
                segments.next();
                absolute.pop();
            }
        }
        _ => return None,
    }
    let mut found = None;
    for segment in segments {
        absolute.push(segment.clone());
        if modules.contains_key(&absolute) {
            found = Some(absolute.clone());
        } else {
            break;
        }
    }
    found
}

/// Parent module -> (sibling -> siblings it imports).
type SiblingEdges = BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>>;

fn sibling_edges(modules: &BTreeMap<Vec<String>, String>) -> SiblingEdges {
    let mut edges = SiblingEdges::new();
    for (from, code) in modules {
        for path in paths(code) {
            let Some(to) = target(from, &path, modules) else {
                continue;
            };
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < to.len() {
                edges
                    .entry(from[..common].to_vec())
                    .or_default()
                    .entry(from[common].clone())
                    .or_default()
                    .insert(to[common].clone());
            }
        }
    }
    edges
}

/// The rings among one folder's modules: the strongly connected groups of
/// more than one module, from the crate's own finder (`discover::graph`).
fn rings(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    specrelay::discover::graph::components(graph)
        .into_iter()
        .filter(|group| group.len() > 1)
        .collect()
}

fn module_tree(files: &[(&str, &str)]) -> BTreeMap<Vec<String>, String> {
    files
        .iter()
        .map(|(path, code)| {
            let module = path.split("::").filter(|s| !s.is_empty());
            (module.map(str::to_owned).collect(), code_of(code))
        })
        .collect()
}

#[test]
fn paths_resolve_through_super_crate_and_groups() {
    let modules = module_tree(&[
        ("", ""),
        ("d", ""),
        ("d::a", "use super::{b::{X, Y}, c};\nuse crate::d::b;"),
        ("d::b", "// use super::a;\nfn f() { super::super::e::g(); }"),
        ("d::c", "#[cfg(test)]\nmod tests { use super::super::a; }"),
        ("e", ""),
    ]);
    let edges = sibling_edges(&modules);
    let d = &edges[&vec!["d".to_owned()]];
    assert_eq!(d["a"], BTreeSet::from(["b".to_owned(), "c".to_owned()]));
    assert!(!d.contains_key("b") && !d.contains_key("c"), "{d:?}");
    assert_eq!(edges[&vec![]]["d"], BTreeSet::from(["e".to_owned()]));
}

#[test]
fn sibling_modules_import_each_other_one_way() {
    let modules = modules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(modules.len() > 150, "only {} modules read", modules.len());
    let edges = sibling_edges(&modules);
    let mut offences = Vec::new();
    for (at, members, why) in INTENDED_RINGS {
        let parent: Vec<String> = at.split("::").map(str::to_owned).collect();
        let still = edges.get(&parent).is_some_and(|graph| {
            rings(graph)
                .iter()
                .any(|r| members.iter().all(|m| r.contains(*m)))
        });
        if !still {
            offences.push(format!(
                "{at}: the intended ring ({why}) is gone; drop it from INTENDED_RINGS"
            ));
        }
    }
    for (parent, graph) in &edges {
        let folder = parent.join("::");
        for ring in rings(graph) {
            let intended = INTENDED_RINGS.iter().any(|(at, members, _)| {
                *at == folder && ring.iter().all(|m| members.contains(&m.as_str()))
            });
            if !intended {
                let members: Vec<&str> = ring.iter().map(String::as_str).collect();
                offences.push(format!("{folder}: {}", members.join(" <-> ")));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "sibling modules that import each other in a ring (move what they share \
         into a module both import):\n{}",
        offences.join("\n")
    );
}
