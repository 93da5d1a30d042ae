//! The packaging around the binary: `action.yml` declares exactly the inputs
//! and outputs the binary uses, and the Dockerfile and workflows pass their
//! linters (hadolint, actionlint, installed by `scripts/install-test-tools.sh`).

use clap::CommandFactory;
use serde_yaml::Value;
use specrelay::actions::inputs::stage_inputs;
use specrelay::cli::Cli;
use specrelay::stages::STAGE_OUTPUTS;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn action() -> Value {
    let text = std::fs::read_to_string(Path::new(ROOT).join("action.yml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn action_yml_declares_exactly_the_inputs_the_binary_reads() {
    let action = action();
    let cmd = Cli::command();
    let mut expected: BTreeSet<String> = BTreeSet::from(["stage".to_owned()]);
    for sub in cmd.get_subcommands() {
        expected.extend(stage_inputs(&cmd, sub.get_name()));
    }
    assert_eq!(keys(&action["inputs"]), expected);
    for (name, input) in action["inputs"].as_mapping().unwrap() {
        let description = input["description"].as_str().unwrap_or_default();
        assert!(
            !description.trim().is_empty(),
            "input {name:?} has no description"
        );
        assert!(
            input.get("default").is_none(),
            "input {name:?}: defaults live in the binary"
        );
    }
}

#[test]
fn action_yml_declares_exactly_the_outputs_the_stages_set() {
    let action = action();
    let expected: BTreeSet<String> = STAGE_OUTPUTS
        .iter()
        .flat_map(|(_, outputs)| outputs.iter().map(|o| (*o).to_owned()))
        .collect();
    assert_eq!(keys(&action["outputs"]), expected);
    for (name, output) in action["outputs"].as_mapping().unwrap() {
        assert!(
            output["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "output {name:?}"
        );
    }
}

#[test]
fn action_yml_runs_the_released_image_of_this_version() {
    let action = action();
    assert_eq!(action["runs"]["using"], "docker");
    assert_eq!(
        action["runs"]["image"].as_str().unwrap(),
        format!(
            "docker://ghcr.io/specrelay/specrelay:{}",
            env!("CARGO_PKG_VERSION")
        ),
        "action.yml must run the image release.yml pushes for Cargo.toml's version"
    );
    let stages: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    let described = action["inputs"]["stage"]["description"].as_str().unwrap();
    for stage in stages {
        assert!(
            described.contains(&format!("`{stage}`")),
            "stage input does not list {stage}"
        );
    }
}

/// Every stage's input names that stage in its description, and gives the
/// binary's default (clap's), so the action's page tells the truth.
#[test]
fn every_input_names_its_stages_and_the_binarys_default() {
    let action = action();
    let cmd = Cli::command();
    let global: BTreeSet<String> = cmd
        .get_arguments()
        .filter_map(|a| a.get_long())
        .map(|l| l.replace('-', "_"))
        .collect();
    let mut problems = Vec::new();
    for sub in cmd.get_subcommands() {
        let stage = sub.get_name();
        for arg in sub.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            let input = long.replace('-', "_");
            if global.contains(&input) || input == "help" {
                continue;
            }
            let description = action["inputs"][input.as_str()]["description"]
                .as_str()
                .unwrap_or_default();
            if !mentions_word(description, stage) {
                problems.push(format!(
                    "input {input}: description does not name stage {stage}"
                ));
            }
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            for default in defaults {
                if !description.contains(&default) {
                    problems.push(format!(
                        "input {input} ({stage}): description does not give the default {default:?}"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn mentions_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
        boundary(before) && boundary(after)
    })
}

/// Every `with:` key a reusable workflow (or an example) passes to the
/// action is an input of `action.yml`, and every `stage:` it names exists.
#[test]
fn workflows_pass_the_action_only_inputs_it_declares() {
    let inputs = keys(&action()["inputs"]);
    let stages: BTreeSet<String> = Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    let mut checked = 0;
    for path in workflow_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let workflow: Value = serde_yaml::from_str(&text).unwrap();
        let Some(jobs) = workflow["jobs"].as_mapping() else {
            continue;
        };
        for (job_name, job) in jobs {
            for step in job["steps"].as_sequence().into_iter().flatten() {
                let uses = step["uses"].as_str().unwrap_or_default();
                if !(uses.starts_with("specrelay/specrelay@") || uses == "./") {
                    continue;
                }
                checked += 1;
                let with = step["with"]
                    .as_mapping()
                    .expect("a specrelay step has `with:`");
                for key in with.keys().map(|k| k.as_str().unwrap()) {
                    assert!(
                        inputs.contains(key),
                        "{} job {job_name:?}: `{key}` is not an input of action.yml",
                        path.display()
                    );
                }
                let stage = with
                    .get("stage")
                    .and_then(Value::as_str)
                    .expect("every specrelay step names its stage");
                assert!(
                    stages.contains(stage),
                    "{}: no stage {stage:?}",
                    path.display()
                );
            }
        }
    }
    assert!(
        checked >= 7,
        "only {checked} specrelay steps found in the workflows"
    );
}

/// The callers in `workflows/` pass each reusable workflow only inputs and
/// secrets it declares, and every required one.
#[test]
fn callers_pass_the_reusable_workflows_what_they_declare() {
    let mut checked = 0;
    for path in workflow_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let workflow: Value = serde_yaml::from_str(&text).unwrap();
        let Some(jobs) = workflow["jobs"].as_mapping() else {
            continue;
        };
        for (job_name, job) in jobs {
            let uses = job["uses"].as_str().unwrap_or_default();
            let Some(file) = uses
                .strip_prefix("specrelay/specrelay/")
                .and_then(|rest| rest.split_once('@'))
                .map(|(file, _)| file)
            else {
                continue;
            };
            checked += 1;
            let called_text = std::fs::read_to_string(Path::new(ROOT).join(file))
                .unwrap_or_else(|e| panic!("{}: {file}: {e}", path.display()));
            let called: Value = serde_yaml::from_str(&called_text).unwrap();
            let call = &called["on"]["workflow_call"];
            for (section, declared) in [("with", &call["inputs"]), ("secrets", &call["secrets"])] {
                let declared = declared.as_mapping().cloned().unwrap_or_default();
                let given = job[section].as_mapping().cloned().unwrap_or_default();
                for key in given.keys() {
                    assert!(
                        declared.contains_key(key),
                        "{} job {job_name:?}: {file} declares no {section} {key:?}",
                        path.display()
                    );
                }
                for (key, spec) in &declared {
                    if spec["required"].as_bool() == Some(true) {
                        assert!(
                            given.contains_key(key),
                            "{} job {job_name:?}: {file} requires {section} {key:?}",
                            path.display()
                        );
                    }
                }
            }
        }
    }
    assert_eq!(checked, 3, "one caller per reusable workflow in workflows/");
}

fn workflow_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["workflows", ".github/workflows"] {
        for entry in std::fs::read_dir(Path::new(ROOT).join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A linter installed by `scripts/install-test-tools.sh`: the path it
/// exported (`HADOLINT`, `ACTIONLINT`), else the one under `.tools/`.
fn tool(name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(name.to_ascii_uppercase()) {
        return PathBuf::from(path);
    }
    let tools = Path::new(ROOT).join(".tools");
    let found = std::fs::read_dir(&tools).ok().and_then(|entries| {
        entries
            .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(name)))
            .find(|p| p.exists())
    });
    found.unwrap_or_else(|| {
        panic!(
            "{name} is missing from {}: run scripts/install-test-tools.sh (the README's test command does)",
            tools.display()
        )
    })
}

fn assert_passes(mut cmd: Command, what: &str) {
    let out = cmd.current_dir(ROOT).output().unwrap();
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn dockerfile_passes_hadolint() {
    let mut cmd = Command::new(tool("hadolint"));
    cmd.arg("Dockerfile");
    assert_passes(cmd, "hadolint Dockerfile");
}

#[test]
fn workflows_pass_actionlint_with_shellcheck() {
    let files = workflow_files();
    assert!(files.len() >= 2, "no workflows found");
    let mut cmd = Command::new(tool("actionlint"));
    // shellcheck checks every `run:` script; scripts/install-test-tools.sh
    // installs it on x86_64 (PyPI has no other wheel of the pinned version).
    match shellcheck() {
        Some(shellcheck) => cmd.arg(format!("-shellcheck={}", shellcheck.display())),
        None => {
            eprintln!(
                "SKIPPED shellcheck: none for {} (set SHELLCHECK)",
                std::env::consts::ARCH
            );
            cmd.arg("-shellcheck=")
        }
    };
    cmd.arg("-pyflakes=").args(&files);
    assert_passes(cmd, "actionlint");
}

fn shellcheck() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SHELLCHECK").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    if std::env::consts::ARCH == "x86_64" {
        return Some(tool("shellcheck"));
    }
    None
}
