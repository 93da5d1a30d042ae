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
fn action_yml_runs_the_container() {
    let action = action();
    assert_eq!(action["runs"]["using"], "docker");
    assert_eq!(action["runs"]["image"], "Dockerfile");
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
fn workflows_pass_actionlint() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["workflows", ".github/workflows"] {
        for entry in std::fs::read_dir(Path::new(ROOT).join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 2, "no workflows found");
    let mut cmd = Command::new(tool("actionlint"));
    cmd.arg("-shellcheck=").arg("-pyflakes=").args(&files);
    assert_passes(cmd, "actionlint");
}
