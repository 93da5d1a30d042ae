//! Rules about the code's layout that hold themselves: the pure modules
//! (spec, diff, sdk, render, publish, downstream, catalog, discover and
//! the top-level pure files such as layout, pep440, timeline) never
//! import the modules that touch the world or the command line (adapters,
//! actions, stages, cli), no stage imports another stage (what two share
//! lives in `stages::common` or a pure module), and every file under `templates/` is registered
//! with the template set.

use std::path::{Path, PathBuf};

const PURE: &[&str] = &[
    "spec",
    "diff",
    "sdk",
    "render",
    "publish",
    "downstream",
    "layout.rs",
    "pep440.rs",
    "pep503.rs",
    "announce.rs",
    "apis.rs",
    "semver_policy.rs",
    "timeline.rs",
    "catalog",
    "discover",
];
const IMPURE: &[&str] = &["adapters", "actions", "stages", "cli"];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            rust_files(&entry.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// The crate-level modules a source text names: `crate::x`, and each item
/// of a `crate::{x, y::z}` group.
fn crate_modules(text: &str) -> Vec<String> {
    let compact: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect();
    let mut out = Vec::new();
    for (at, _) in compact.match_indices("crate::") {
        let rest = &compact[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let (mut depth, mut item) = (0, String::new());
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(item.split("::").next().unwrap_or("").to_owned());
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            out.push(item.split("::").next().unwrap_or("").to_owned());
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

#[test]
fn the_crate_modules_of_a_use_are_found_in_every_form() {
    let text = "use crate::spec::{a, b};\nuse crate::{\n  adapters::fs, layout,\n};\nlet x = crate::cli::Cli; // crate::stages";
    assert_eq!(
        crate_modules(text),
        vec!["spec", "adapters", "layout", "cli"]
    );
}

#[test]
fn pure_modules_import_no_adapters_actions_stages_or_cli() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for module in PURE {
        let path = src.join(module);
        assert!(
            path.exists(),
            "{} is listed as pure but does not exist",
            path.display()
        );
        rust_files(&path, &mut files);
    }
    assert!(
        files.len() > 50,
        "only {} files found under the pure modules",
        files.len()
    );
    let mut offences = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for module in crate_modules(&text) {
            if IMPURE.contains(&module.as_str()) {
                offences.push(format!("{} imports crate::{module}", file.display()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "pure modules reach out:\n{}",
        offences.join("\n")
    );
}

/// Stages a stage may name besides itself: what several share, the
/// stage shape, and the rules every stage follows. `reconcile` reads the
/// registry setup `register` owns (a known exception, listed so that no new
/// one creeps in).
const SHARED_STAGE_MODULES: &[&str] = &["common", "shape", "rules", "Context", "Report"];
const KNOWN_CROSS_STAGE: &[(&str, &str)] = &[("reconcile", "register")];

#[test]
fn no_stage_imports_another_stage() {
    let stages = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/stages");
    let mut checked = 0;
    let mut offences = Vec::new();
    for entry in std::fs::read_dir(&stages).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let stage = dir.file_name().unwrap().to_string_lossy().into_owned();
        if stage == "common" {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&dir, &mut files);
        for file in &files {
            checked += 1;
            let text = std::fs::read_to_string(file).unwrap();
            let code: String = text
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join(" ");
            for (at, _) in code.match_indices("stages::") {
                let named: String = code[at + "stages::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let allowed = named.is_empty()
                    || named == stage
                    || SHARED_STAGE_MODULES.contains(&named.as_str())
                    || KNOWN_CROSS_STAGE.contains(&(stage.as_str(), named.as_str()));
                if !allowed {
                    offences.push(format!("{} names stages::{named}", file.display()));
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} stage files read");
    assert!(
        offences.is_empty(),
        "a stage imports another (move what they share to stages::common or a pure module):\n{}",
        offences.join("\n")
    );
}

fn files_under(dir: &Path, root: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, root, out);
        } else {
            let relative = path.strip_prefix(root).unwrap();
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_file_under_templates_is_a_registered_template() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut on_disk = Vec::new();
    files_under(&root, &root, &mut on_disk);
    on_disk.sort();
    assert!(
        on_disk.len() >= 20,
        "only {} template files found",
        on_disk.len()
    );
    let templates = specrelay::render::Templates::new(Default::default()).unwrap();
    let registered: std::collections::BTreeSet<String> = templates
        .environment()
        .templates()
        .map(|(name, _)| name.to_owned())
        // Static files are copied as they are, registered under the template
        // name an override takes (`typescript/runtime.js.j2`).
        .chain(
            specrelay::sdk::typescript::STATIC
                .iter()
                .chain(specrelay::sdk::python::STATIC)
                .map(|(name, _)| name.trim_end_matches(".j2").to_owned()),
        )
        .collect();
    let missing: Vec<&String> = on_disk
        .iter()
        .filter(|f| !registered.contains(*f))
        .collect();
    assert!(
        missing.is_empty(),
        "files under templates/ that no template set registers (a new template must be \
         added to render::REPORTS or an emitter's TEMPLATES or STATIC): {missing:?}"
    );
}
