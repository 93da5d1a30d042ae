//! From what the scan found and what the manifest library says to one
//! verdict: the discovery map, each integration's manifest, resolved
//! version, dependencies, provider-contract check and lifecycle state, and
//! every problem with the file and line to annotate.
//!
//! Blocking (errors): a declared or depended-on integration without a
//! manifest, a manifest that is not valid, a dependency cycle, constraints
//! no available version meets, an operation the provider's spec lacks.
//! Warnings: malformed declarations, files not scanned, declarations of a
//! deprecated integration, and breaking changes in a newer provider spec
//! that reach an operation the integration uses.
//!
//! Pure: everything read arrives in [`Inputs`].

use super::api::{self, OperationKey, OperationRef};
use super::graph::{self, Graph};
use super::manifest::{self, Manifest, Status, VERSION_PLACEHOLDER};
use super::scan::FileScan;
use super::versions::{self, Constraint};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// One source file the walk found.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Workspace-relative, `/`-separated.
    pub path: String,
    pub outcome: SourceOutcome,
}

#[derive(Debug, Clone)]
pub enum SourceOutcome {
    Scanned(FileScan),
    /// Not scanned, and why (too large, unreadable).
    Skipped(String),
}

/// One manifest file: its path and its text, or why it could not be read.
#[derive(Debug, Clone)]
pub struct ManifestFile {
    pub path: String,
    pub text: Result<String, String>,
}

/// The provider specs the manifests name, as read.
#[derive(Debug, Clone, Default)]
pub struct Specs {
    /// Path -> the document (upgraded to 3.1), or why it could not be read.
    pub files: BTreeMap<String, Result<Value, String>>,
    /// `openapi/latest.json` -> the history file it points at.
    pub aliases: BTreeMap<String, String>,
    /// History folder -> its newest version and that file's path.
    pub newest: BTreeMap<String, (semver::Version, String)>,
}

/// Everything the verdict needs.
pub struct Inputs<'a> {
    /// Sorted by path.
    pub sources: &'a [SourceFile],
    /// By integration name (the file stem).
    pub manifests: &'a BTreeMap<String, ManifestFile>,
    /// Where manifests live, for the path of a missing one.
    pub manifests_dir: &'a str,
    pub specs: &'a Specs,
    /// Problems the walk itself met (symlink loops, unreadable folders).
    pub walk_problems: &'a [(Option<String>, String)],
}

/// `{integrations: {name: {locations, attributes}}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DiscoveryMap {
    pub integrations: BTreeMap<String, Discovered>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Discovered {
    /// `file:line`, in file order.
    pub locations: Vec<String>,
    /// `data-integration-version="^3"` is `version: ["^3"]`; distinct values, sorted.
    pub attributes: BTreeMap<String, Vec<String>>,
}

/// Something to tell the user, at a place when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub level: ProblemLevel,
    pub title: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemLevel {
    Error,
    Warning,
}

/// Where an integration is in its life, from its manifest and this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Declared or depended on, but no valid manifest backs it.
    Discovered,
    /// Valid, but not in the generated configuration (the run has errors).
    Validated,
    /// In the generated configuration; its manifest says `draft`.
    Generated,
    /// In the generated configuration and `active`.
    Active,
    Deprecated,
    Migrating,
}

/// A breaking change in a newer provider spec that reaches the integration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiChange {
    pub from: String,
    pub to: String,
    pub operation: Option<String>,
    pub rule: String,
    pub message: String,
}

/// One integration the front end needs, directly or through a dependency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Integration {
    pub state: State,
    pub manifest_path: Option<String>,
    #[serde(skip)]
    pub manifest: Option<Manifest>,
    pub version: Option<String>,
    pub api_changes: Vec<ApiChange>,
}

/// The verdict.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub map: DiscoveryMap,
    pub problems: Vec<Problem>,
    pub integrations: BTreeMap<String, Integration>,
    /// Names that have no manifest file, with what needs them.
    pub missing: BTreeMap<String, Vec<String>>,
    pub cycles: Vec<Vec<String>>,
    /// Any error: nothing but stubs may be written.
    pub blocking: bool,
}

impl Outcome {
    /// Integrations that passed every check, by name.
    pub fn valid(&self) -> impl Iterator<Item = (&String, &Integration)> {
        self.integrations
            .iter()
            .filter(|(_, i)| i.state != State::Discovered)
    }
}

fn problem(
    level: ProblemLevel,
    title: &str,
    file: &str,
    line: Option<u32>,
    message: String,
) -> Problem {
    Problem {
        level,
        title: title.to_owned(),
        file: Some(file.to_owned()),
        line,
        message,
    }
}

/// Runs every check.
pub fn validate(inputs: &Inputs) -> Outcome {
    let mut problems = Vec::new();
    let (map, declared_at) = discovery_map(inputs, &mut problems);
    let parsed = parse_manifests(inputs, &mut problems);
    let reached = reach(&map, &parsed);
    let missing = missing(inputs, &map, &parsed, &reached, &mut problems);

    let cycles = cycles(inputs, &parsed, &reached, &mut problems);
    let in_cycle: BTreeSet<&String> = cycles.iter().flatten().collect();

    let mut integrations = BTreeMap::new();
    for name in &reached {
        let Some(m) = parsed.get(name) else {
            continue;
        };
        let path = &inputs.manifests[name].path;
        let version = resolve_version(name, m, path, &parsed, &declared_at, &mut problems);
        let mut api_changes = Vec::new();
        let api_ok = match &version {
            Some(v) => check_api(m, path, inputs, v, &mut api_changes, &mut problems),
            None => true,
        };
        let ok = version.is_some() && api_ok && !in_cycle.contains(name);
        integrations.insert(
            name.clone(),
            (
                ok,
                Integration {
                    state: State::Discovered,
                    manifest_path: Some(path.clone()),
                    manifest: Some(m.clone()),
                    version: version.map(|v| v.to_string()),
                    api_changes,
                },
            ),
        );
    }
    deprecations(&map, &parsed, &mut problems);
    let blocking = problems.iter().any(|p| p.level == ProblemLevel::Error);
    let valid = valid_closure(&integrations);
    let integrations = integrations
        .into_iter()
        .map(|(name, (_, mut i))| {
            i.state = state(
                valid.contains(&name),
                blocking,
                i.manifest.as_ref().map(|m| m.status),
            );
            (name, i)
        })
        .chain(missing.keys().map(|name| {
            (
                name.clone(),
                Integration {
                    state: State::Discovered,
                    manifest_path: None,
                    manifest: None,
                    version: None,
                    api_changes: Vec::new(),
                },
            )
        }))
        .collect();
    Outcome {
        map,
        problems,
        integrations,
        missing,
        cycles,
        blocking,
    }
}

/// The dependency cycles among the reached manifests, each an error at its members.
fn cycles(
    inputs: &Inputs,
    parsed: &BTreeMap<String, Manifest>,
    reached: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> Vec<Vec<String>> {
    let mut graph = Graph::new();
    for name in reached {
        if let Some(m) = parsed.get(name) {
            graph.insert(name.clone(), m.dependencies.keys().cloned().collect());
        }
    }
    let cycles = graph::cycles(&graph);
    for cycle in &cycles {
        let text = cycle.join(" -> ");
        for name in cycle.iter().skip(1).collect::<BTreeSet<_>>() {
            let file = &inputs.manifests[name];
            let line = file
                .text
                .as_deref()
                .ok()
                .and_then(|t| manifest::line_of(t, "dependencies"));
            problems.push(problem(
                ProblemLevel::Error,
                "circular dependency",
                &file.path,
                line,
                format!("circular dependency: {text}"),
            ));
        }
    }
    cycles
}

fn state(valid: bool, blocking: bool, status: Option<Status>) -> State {
    match (valid, status) {
        (false, _) | (_, None) => State::Discovered,
        (true, Some(Status::Deprecated)) => State::Deprecated,
        (true, Some(Status::Migrating)) => State::Migrating,
        (true, _) if blocking => State::Validated,
        (true, Some(Status::Draft)) => State::Generated,
        (true, Some(Status::Active)) => State::Active,
    }
}

/// Names whose own checks passed and whose dependencies are all valid.
fn valid_closure(integrations: &BTreeMap<String, (bool, Integration)>) -> BTreeSet<String> {
    fn valid(
        name: &str,
        all: &BTreeMap<String, (bool, Integration)>,
        memo: &mut BTreeMap<String, bool>,
    ) -> bool {
        if let Some(v) = memo.get(name) {
            return *v;
        }
        // Names in a cycle fail their own check, so this recursion ends.
        let Some((ok, integration)) = all.get(name) else {
            return false;
        };
        memo.insert(name.to_owned(), false);
        let deps_ok = *ok
            && integration
                .manifest
                .iter()
                .flat_map(|m| m.dependencies.keys())
                .all(|dep| valid(dep, all, memo));
        memo.insert(name.to_owned(), deps_ok);
        deps_ok
    }
    let mut memo = BTreeMap::new();
    integrations
        .keys()
        .filter(|name| valid(name, integrations, &mut memo))
        .cloned()
        .collect()
}

/// The map, the declarations' version constraints by name, and the scan's warnings.
fn discovery_map(
    inputs: &Inputs,
    problems: &mut Vec<Problem>,
) -> (DiscoveryMap, BTreeMap<String, Vec<Constraint>>) {
    let mut map = DiscoveryMap::default();
    let mut constraints: BTreeMap<String, Vec<Constraint>> = BTreeMap::new();
    for (file, message) in inputs.walk_problems {
        problems.push(Problem {
            level: ProblemLevel::Warning,
            title: "not scanned".to_owned(),
            file: file.clone(),
            line: None,
            message: message.clone(),
        });
    }
    for source in inputs.sources {
        let scan = match &source.outcome {
            SourceOutcome::Skipped(why) => {
                problems.push(problem(
                    ProblemLevel::Warning,
                    "not scanned",
                    &source.path,
                    None,
                    why.clone(),
                ));
                continue;
            }
            SourceOutcome::Scanned(scan) => scan,
        };
        if scan.binary {
            problems.push(problem(
                ProblemLevel::Warning,
                "not scanned",
                &source.path,
                None,
                "binary file (a NUL byte near its start): not scanned".to_owned(),
            ));
        }
        for m in &scan.malformed {
            problems.push(problem(
                ProblemLevel::Warning,
                "malformed integration declaration",
                &source.path,
                Some(m.line),
                m.message.clone(),
            ));
        }
        for d in &scan.declarations {
            let location = format!("{}:{}", source.path, d.line);
            let entry = map.integrations.entry(d.name.clone()).or_default();
            entry.locations.push(location.clone());
            for (key, value) in &d.attributes {
                let values = entry.attributes.entry(key.clone()).or_default();
                if !values.contains(value) {
                    values.push(value.clone());
                    values.sort();
                }
            }
            if let Some(raw) = d.attributes.get("version") {
                constraints
                    .entry(d.name.clone())
                    .or_default()
                    .push(Constraint {
                        raw: raw.clone(),
                        source: location,
                    });
            }
        }
    }
    (map, constraints)
}

fn parse_manifests(inputs: &Inputs, problems: &mut Vec<Problem>) -> BTreeMap<String, Manifest> {
    let mut parsed = BTreeMap::new();
    for (name, file) in inputs.manifests {
        let result = match &file.text {
            Ok(text) => manifest::parse(name, text),
            Err(why) => Err(vec![manifest::ManifestError {
                line: None,
                message: why.clone(),
            }]),
        };
        match result {
            Ok(m) => {
                parsed.insert(name.clone(), m);
            }
            Err(errors) => problems.extend(errors.into_iter().map(|e| {
                problem(
                    ProblemLevel::Error,
                    "invalid integration manifest",
                    &file.path,
                    e.line,
                    e.message,
                )
            })),
        }
    }
    parsed
}

/// Every integration the markup declares, and everything they depend on.
fn reach(map: &DiscoveryMap, parsed: &BTreeMap<String, Manifest>) -> BTreeSet<String> {
    let mut reached: BTreeSet<String> = map.integrations.keys().cloned().collect();
    let mut queue: VecDeque<String> = reached.iter().cloned().collect();
    while let Some(name) = queue.pop_front() {
        for dep in parsed
            .get(&name)
            .into_iter()
            .flat_map(|m| m.dependencies.keys())
        {
            if reached.insert(dep.clone()) {
                queue.push_back(dep.clone());
            }
        }
    }
    reached
}

/// Reached names with no manifest file: an error at each place that needs them.
fn missing(
    inputs: &Inputs,
    map: &DiscoveryMap,
    parsed: &BTreeMap<String, Manifest>,
    reached: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, Vec<String>> {
    let mut missing = BTreeMap::new();
    for name in reached
        .iter()
        .filter(|n| !inputs.manifests.contains_key(*n))
    {
        let expected = format!("{}/{name}.yaml", inputs.manifests_dir);
        let message = format!("integration {name} has no manifest ({expected})");
        let mut needed_by = Vec::new();
        for location in map
            .integrations
            .get(name)
            .into_iter()
            .flat_map(|d| &d.locations)
        {
            let (file, line) = split_location(location);
            problems.push(problem(
                ProblemLevel::Error,
                "missing integration manifest",
                file,
                line,
                message.clone(),
            ));
            needed_by.push(location.clone());
        }
        for (dependent, m) in parsed
            .iter()
            .filter(|(_, m)| m.dependencies.contains_key(name))
        {
            let file = &inputs.manifests[dependent];
            let line = file
                .text
                .as_deref()
                .ok()
                .and_then(|t| manifest::line_of(t, name));
            problems.push(problem(
                ProblemLevel::Error,
                "missing integration manifest",
                &file.path,
                line,
                format!("{message}, which {} depends on", m.name),
            ));
            needed_by.push(file.path.clone());
        }
        missing.insert(name.clone(), needed_by);
    }
    missing
}

/// `src/App.tsx:12` -> (`src/App.tsx`, 12).
pub fn split_location(location: &str) -> (&str, Option<u32>) {
    match location.rsplit_once(':') {
        Some((file, line)) if line.parse::<u32>().is_ok() => (file, line.parse().ok()),
        _ => (location, None),
    }
}

fn resolve_version(
    name: &str,
    m: &Manifest,
    path: &str,
    parsed: &BTreeMap<String, Manifest>,
    declared_at: &BTreeMap<String, Vec<Constraint>>,
    problems: &mut Vec<Problem>,
) -> Option<semver::Version> {
    let mut constraints = declared_at.get(name).cloned().unwrap_or_default();
    for (dependent, dm) in parsed {
        if let Some(raw) = dm.dependencies.get(name) {
            constraints.push(Constraint {
                raw: raw.clone(),
                source: format!("the manifest of {dependent}"),
            });
        }
    }
    let available: Vec<semver::Version> = m
        .versions
        .iter()
        .filter_map(|v| semver::Version::parse(v).ok())
        .collect();
    match versions::resolve(&available, &constraints) {
        Ok(v) => Some(v),
        Err(conflict) => {
            let place = constraints
                .iter()
                .map(|c| split_location(&c.source))
                .find(|(_, line)| line.is_some())
                .unwrap_or((path, None));
            let listed = m.versions.join(", ");
            problems.push(problem(
                ProblemLevel::Error,
                "version conflict",
                place.0,
                place.1,
                format!("{name}: {conflict} (available: {listed})"),
            ));
            None
        }
    }
}

/// The spec path for `version` (following `latest.json`), and its history version.
pub fn spec_path(spec: &str, version: &semver::Version, specs: &Specs) -> String {
    let path = spec.replace(VERSION_PLACEHOLDER, &version.to_string());
    specs.aliases.get(&path).cloned().unwrap_or(path)
}

/// `openapi/history/openapi-1.2.0.json` -> (`openapi/history`, 1.2.0).
pub fn history_entry(path: &str) -> Option<(String, semver::Version)> {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let version = crate::layout::Layout::version_of_history_file(file)?;
    Some((dir.to_owned(), version))
}

/// Checks the operations exist; diffs them against a newer spec. False on an error.
fn check_api(
    m: &Manifest,
    manifest_path: &str,
    inputs: &Inputs,
    version: &semver::Version,
    changes: &mut Vec<ApiChange>,
    problems: &mut Vec<Problem>,
) -> bool {
    let Some(api_decl) = &m.api else {
        return true;
    };
    let text = inputs.manifests[&m.name].text.as_deref().unwrap_or("");
    let spec_line = manifest::line_of(text, "spec:");
    let path = spec_path(&api_decl.spec, version, inputs.specs);
    let unreadable = match inputs.specs.files.get(&path) {
        Some(Ok(doc)) => Ok(doc),
        Some(Err(why)) => Err(format!("{}: {path}: {why}", m.name)),
        None => Err(format!(
            "{}: the provider spec {path} does not exist",
            m.name
        )),
    };
    let document = match unreadable {
        Ok(doc) => doc,
        Err(message) => {
            problems.push(problem(
                ProblemLevel::Error,
                "provider spec",
                manifest_path,
                spec_line,
                message,
            ));
            return false;
        }
    };
    let mut keys: BTreeSet<OperationKey> = BTreeSet::new();
    let mut ok = true;
    for raw in &api_decl.operations {
        let Ok(wanted) = OperationRef::parse(raw) else {
            continue;
        };
        match api::find(document, &wanted) {
            Some((method, p)) => {
                keys.insert((method, crate::spec::view::path_key(&p)));
            }
            None => {
                ok = false;
                problems.push(problem(
                    ProblemLevel::Error,
                    "unknown operation",
                    manifest_path,
                    manifest::line_of(text, raw),
                    format!("{}: operation {raw} is not in {path}", m.name),
                ));
            }
        }
    }
    if !keys.is_empty() {
        newer_breaks(
            m,
            manifest_path,
            spec_line,
            (&path, document),
            &keys,
            inputs,
            changes,
            problems,
        );
    }
    ok
}

/// Breaking changes to the operations in `keys` between the spec at
/// `path` and the newest one in its history folder, as warnings.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site; the pieces of check_api"
)]
fn newer_breaks(
    m: &Manifest,
    manifest_path: &str,
    spec_line: Option<u32>,
    (path, document): (&str, &Value),
    keys: &BTreeSet<OperationKey>,
    inputs: &Inputs,
    changes: &mut Vec<ApiChange>,
    problems: &mut Vec<Problem>,
) {
    if let Some((dir, current)) = history_entry(path)
        && let Some((newest, newest_path)) = inputs.specs.newest.get(&dir)
        && *newest > current
        && let Some(Ok(newer)) = inputs.specs.files.get(newest_path)
    {
        let findings = crate::diff::diff(
            &api::restrict(document, keys),
            &api::restrict(newer, keys),
            &crate::diff::DiffOptions {
                include_info: false,
            },
        );
        for f in findings
            .into_iter()
            .filter(|f| f.level == crate::diff::Level::Breaking)
        {
            let operation = f.operation.clone().unwrap_or_default();
            problems.push(problem(ProblemLevel::Warning, "breaking change in a newer provider spec", manifest_path, spec_line, format!("{}: {newest_path} ({newest}) breaks {operation}, which it uses at {current}: {} [{}]", m.name, f.message, f.id)));
            changes.push(ApiChange {
                from: current.to_string(),
                to: newest.to_string(),
                operation: f.operation,
                rule: f.id,
                message: f.message,
            });
        }
    }
}

/// A warning at every declaration of a deprecated integration.
fn deprecations(
    map: &DiscoveryMap,
    parsed: &BTreeMap<String, Manifest>,
    problems: &mut Vec<Problem>,
) {
    for (name, found) in &map.integrations {
        let Some(m) = parsed.get(name).filter(|m| m.status == Status::Deprecated) else {
            continue;
        };
        let advice = match &m.replacement {
            Some(r) => format!("use {r} instead"),
            None => "its manifest names no replacement".to_owned(),
        };
        for location in &found.locations {
            let (file, line) = split_location(location);
            problems.push(problem(
                ProblemLevel::Warning,
                "deprecated integration",
                file,
                line,
                format!("integration {name} is deprecated; {advice}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::scan::Scanner;

    fn source(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            outcome: SourceOutcome::Scanned(Scanner::new().scan(text.as_bytes())),
        }
    }

    fn manifests(list: &[(&str, &str)]) -> BTreeMap<String, ManifestFile> {
        list.iter()
            .map(|(name, text)| {
                let file = ManifestFile {
                    path: format!("integrations/{name}.yaml"),
                    text: Ok((*text).to_owned()),
                };
                ((*name).to_owned(), file)
            })
            .collect()
    }

    fn run(
        sources: &[SourceFile],
        manifests: &BTreeMap<String, ManifestFile>,
        specs: &Specs,
    ) -> Outcome {
        validate(&Inputs {
            sources,
            manifests,
            manifests_dir: "integrations",
            specs,
            walk_problems: &[],
        })
    }

    fn messages(o: &Outcome) -> Vec<String> {
        o.problems
            .iter()
            .map(|p| {
                format!(
                    "{:?} {}:{:?} {}",
                    p.level,
                    p.file.as_deref().unwrap_or(""),
                    p.line,
                    p.message
                )
            })
            .collect()
    }

    const MAPS: &str = "name: maps\nprovider: geo\nversions: [2.0.0, 2.3.0, 3.0.0]\n";

    #[test]
    fn a_clean_tree_resolves_and_is_active() {
        let sources = [source(
            "src/a.tsx",
            "<div data-integration=\"address\" data-integration-version=\"^1\" />",
        )];
        let m = manifests(&[
            (
                "address",
                "name: address\nprovider: geo\nversions: [1.0.0, 1.2.0, 2.0.0]\ndependencies: {maps: ^2}\nconfig: {region: eu}\n",
            ),
            ("maps", MAPS),
        ]);
        let o = run(&sources, &m, &Specs::default());
        assert!(!o.blocking, "{:?}", messages(&o));
        assert_eq!(o.integrations["address"].version.as_deref(), Some("1.2.0"));
        assert_eq!(o.integrations["maps"].version.as_deref(), Some("2.3.0"));
        assert_eq!(o.integrations["maps"].state, State::Active);
        assert_eq!(o.map.integrations["address"].locations, ["src/a.tsx:1"]);
    }

    #[test]
    fn missing_cycles_and_conflicts_block() {
        let sources = [
            source(
                "src/a.tsx",
                "<div data-integration=\"a\" />\n<div data-integration=\"ghost\" />",
            ),
            source(
                "src/b.vue",
                "<x data-integration=\"maps\" data-integration-version=\"^3\"/>",
            ),
        ];
        let m = manifests(&[
            (
                "a",
                "name: a\nprovider: p\nversions: [1.0.0]\ndependencies:\n  b: '*'\n  maps: ^2\n",
            ),
            (
                "b",
                "name: b\nprovider: p\nversions: [1.0.0]\ndependencies:\n  a: '*'\n",
            ),
            ("maps", MAPS),
        ]);
        let o = run(&sources, &m, &Specs::default());
        let text = messages(&o).join("\n");
        assert!(o.blocking);
        assert_eq!(o.cycles, vec![vec!["a".to_owned(), "b".into(), "a".into()]]);
        assert!(
            text.contains("integrations/a.yaml:Some(4) circular dependency: a -> b -> a"),
            "{text}"
        );
        assert!(
            text.contains("src/a.tsx:Some(2) integration ghost has no manifest"),
            "{text}"
        );
        assert!(
            text.contains("^3 (from src/b.vue:1) conflicts with ^2 (from the manifest of a)"),
            "{text}"
        );
        assert_eq!(o.integrations["a"].state, State::Discovered);
        assert_eq!(o.missing.keys().collect::<Vec<_>>(), ["ghost"]);
    }

    #[test]
    fn deprecated_declarations_warn_with_the_replacement() {
        let sources = [source(
            "web/index.html",
            "\n<div data-integration=\"old-maps\"></div>",
        )];
        let m = manifests(&[(
            "old-maps",
            "name: old-maps\nprovider: geo\nstatus: deprecated\nreplacement: maps\nversions: [1.0.0]\n",
        )]);
        let o = run(&sources, &m, &Specs::default());
        assert!(!o.blocking);
        assert_eq!(o.integrations["old-maps"].state, State::Deprecated);
        assert!(messages(&o).iter().any(|t| t.contains(
            "web/index.html:Some(2) integration old-maps is deprecated; use maps instead"
        )));
    }

    #[test]
    fn operations_are_checked_and_newer_specs_diffed() {
        let old = serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1.0.0"}, "paths": {
            "/addresses/{id}": {"get": {"operationId": "getAddress", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}},
            "/other": {"get": {"operationId": "other", "responses": {"200": {"description": "ok"}}}}}});
        let mut new = old.clone();
        new["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/addresses/{id}");
        new["paths"]["/other"]["get"]["deprecated"] = true.into();
        let mut specs = Specs::default();
        specs
            .files
            .insert("openapi/history/openapi-1.0.0.json".into(), Ok(old));
        specs
            .files
            .insert("openapi/history/openapi-2.0.0.json".into(), Ok(new));
        specs.newest.insert(
            "openapi/history".into(),
            (
                "2.0.0".parse().unwrap(),
                "openapi/history/openapi-2.0.0.json".into(),
            ),
        );
        let sources = [source("a.jsx", "<i data-integration=\"geo\"/>")];
        let manifest = "name: geo\nprovider: p\nversions: [1.0.0]\napi:\n  spec: openapi/history/openapi-{version}.json\n  operations:\n    - GET /addresses/{addressId}\n";
        let o = run(&sources, &manifests(&[("geo", manifest)]), &specs);
        assert!(!o.blocking, "{:?}", messages(&o));
        let changes = &o.integrations["geo"].api_changes;
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].operation.as_deref(), Some("GET /addresses/{id}"));
        let missing_op = manifest.replace("GET /addresses/{addressId}", "deleteAddress");
        let o = run(&sources, &manifests(&[("geo", &missing_op)]), &specs);
        assert!(o.blocking);
        assert!(
            messages(&o).iter().any(|t| t.contains(
                "Some(7) geo: operation deleteAddress is not in openapi/history/openapi-1.0.0.json"
            )),
            "{:?}",
            messages(&o)
        );
    }
}
