//! Runs the `specrelay` binary as the Actions runner would: a workspace
//! folder, `INPUT_*` variables, an event file, and the `GITHUB_OUTPUT` and
//! `GITHUB_STEP_SUMMARY` files, then reads everything back for assertions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh workspace plus the runner's files, in one temporary folder.
pub struct Job {
    root: tempfile::TempDir,
    inputs: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
}

/// What one run left behind.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub outputs: BTreeMap<String, String>,
    pub summary: String,
}

impl Run {
    pub fn output(&self, name: &str) -> &str {
        self.outputs.get(name).unwrap_or_else(|| {
            panic!(
                "no output {name:?} in {:?}\nstderr:\n{}",
                self.outputs, self.stderr
            )
        })
    }

    /// Asserts the exit code, showing the logs when it is wrong.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stderr:\n{}\n--- stdout:\n{}",
            self.stderr, self.stdout
        );
        self
    }

    pub fn expect_stderr(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }
}

impl Job {
    /// A job for `stage`, with the test-suite defaults: private network and
    /// plain http allowed (servers run on 127.0.0.1), a fixed clock.
    pub fn new(stage: &str) -> Job {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(root.path().join("workspace")).unwrap();
        let mut job = Job {
            root,
            inputs: BTreeMap::new(),
            env: BTreeMap::new(),
        };
        job.input("stage", stage)
            .input("allow_private_network", "true")
            .input("allow_http", "true")
            .env("SOURCE_DATE_EPOCH", "1767225600");
        job
    }

    pub fn workspace(&self) -> PathBuf {
        self.root.path().join("workspace")
    }

    pub fn input(&mut self, name: &str, value: &str) -> &mut Self {
        self.inputs.insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn remove_input(&mut self, name: &str) -> &mut Self {
        self.inputs.remove(name);
        self
    }

    pub fn env(&mut self, name: &str, value: &str) -> &mut Self {
        self.env.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Writes the event payload and names the event.
    pub fn event(&mut self, name: &str, payload: &serde_json::Value) -> &mut Self {
        let path = self.root.path().join("event.json");
        std::fs::write(&path, serde_json::to_vec_pretty(payload).unwrap()).unwrap();
        self.env("GITHUB_EVENT_NAME", name)
            .env("GITHUB_EVENT_PATH", path.to_str().unwrap())
    }

    /// A `repository_dispatch` of type `openapi_spec_updated`.
    pub fn dispatch(&mut self, client_payload: serde_json::Value) -> &mut Self {
        self.event(
            "repository_dispatch",
            &serde_json::json!({"action": "openapi_spec_updated", "client_payload": client_payload}),
        )
    }

    /// Runs the binary with no arguments, as the container entrypoint does.
    pub fn run(&self) -> Run {
        self.run_with_args(&[])
    }

    pub fn run_with_args(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args);
        let out = cmd.output().expect("run specrelay");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs: self.outputs(),
            summary: std::fs::read_to_string(self.root.path().join("step_summary")).unwrap(),
        }
    }

    /// The command [`Job::run`] runs, with fresh (empty) output and summary
    /// files: for tests that start several runs at once.
    pub fn command(&self) -> Command {
        let output_file = self.root.path().join("github_output");
        let summary_file = self.root.path().join("step_summary");
        std::fs::write(&output_file, "").unwrap();
        std::fs::write(&summary_file, "").unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_specrelay"));
        cmd.env_clear()
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", self.workspace())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary_file)
            .current_dir(self.workspace());
        for (name, value) in &self.inputs {
            cmd.env(format!("INPUT_{}", name.to_ascii_uppercase()), value);
        }
        for (name, value) in &self.env {
            cmd.env(name, value);
        }
        cmd
    }

    /// The step outputs the last run wrote.
    pub fn outputs(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(self.root.path().join("github_output")).unwrap();
        parse_github_output(&text)
    }

    /// Every file in the workspace with its bytes: compare before and after
    /// a run to prove it changed nothing.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(&self.workspace())
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.workspace().join(relative))
            .unwrap_or_else(|e| panic!("reading {relative}: {e}"))
    }

    pub fn exists(&self, relative: &str) -> bool {
        self.workspace().join(relative).exists()
    }
}

pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

/// Reads the `name<<DELIM ... DELIM` form of `GITHUB_OUTPUT` strictly, as
/// the runner does: a malformed file fails the test.
pub fn parse_github_output(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let (name, delimiter) = line
            .split_once("<<")
            .unwrap_or_else(|| panic!("GITHUB_OUTPUT line without heredoc: {line:?}"));
        let mut value = Vec::new();
        loop {
            let next = lines
                .next()
                .unwrap_or_else(|| panic!("unterminated value for {name}"));
            if next == delimiter {
                break;
            }
            value.push(next);
        }
        outputs.insert(name.to_owned(), value.join("\n"));
    }
    outputs
}

/// Lowercase hex SHA-256, computed independently of the crate under test.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
