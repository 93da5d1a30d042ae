//! Fresh consumer projects for the publish tests, driven by the real
//! clients: an npm project (the machine's `npm` and `node`, as a user has
//! them) and a Python venv (the pinned pip of `scripts/install-registries.sh`,
//! installing offline from its wheelhouse unless told otherwise). Each lives
//! in its own temporary folder, with its own npm cache, so nothing one test
//! installs can satisfy another's install.

use super::command::run_ok;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// An install may download nothing but the package under test, but npm and
/// pip start slowly on a busy machine.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(120);
const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// A tool installed by `scripts/install-registries.sh`: the path it exported
/// in `env` (scripts/test.sh does), else its place under `.tools/registries/`.
pub fn registry_tool(env: &str, relative: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env) {
        return PathBuf::from(path);
    }
    let installed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".tools/registries")
        .join(relative);
    assert!(
        installed.exists(),
        "{} is missing: run scripts/install-registries.sh (scripts/test.sh does)",
        installed.display()
    );
    installed
}

/// The venv Python whose pip (pinned) installs into the test venvs.
pub fn registries_python() -> PathBuf {
    registry_tool("REGISTRIES_PYTHON", "pypi/bin/python")
}

/// httpx, hatchling and their dependencies, as wheels.
pub fn wheelhouse() -> PathBuf {
    registry_tool("WHEELHOUSE", "wheelhouse")
}

/// An empty ES-module npm project.
pub struct NodeProject {
    dir: tempfile::TempDir,
}

impl NodeProject {
    pub fn new() -> NodeProject {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"name": "consumer", "private": true, "type": "module"}"#,
        )
        .unwrap();
        NodeProject { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `npm install SPEC` (a tarball path, or `name@version` from `registry`).
    pub fn npm_install(&self, spec: &str, registry: Option<&str>) -> String {
        let mut cmd = self.npm();
        cmd.args([
            "install",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            spec,
        ]);
        if let Some(registry) = registry {
            cmd.arg("--registry").arg(registry);
        }
        run_ok(&mut cmd, INSTALL_TIMEOUT)
    }

    /// Runs `code` as an ES module inside the project; returns stdout.
    pub fn node_module(&self, code: &str) -> String {
        run_ok(
            Command::new("node")
                .args(["--input-type=module", "-e", code])
                .current_dir(self.path()),
            RUN_TIMEOUT,
        )
    }

    fn npm(&self) -> Command {
        let mut cmd = Command::new("npm");
        cmd.current_dir(self.path())
            .env("npm_config_cache", self.path().join(".npm-cache"))
            .env("npm_config_update_notifier", "false")
            // Record where packages came from, whatever the user's .npmrc says.
            .env("npm_config_omit_lockfile_registry_resolved", "false")
            .env("npm_config_loglevel", "error");
        cmd
    }
}

/// An empty venv, without pip of its own: the pinned pip installs into it
/// with `--python`.
pub struct PythonEnv {
    dir: tempfile::TempDir,
}

impl PythonEnv {
    pub fn new() -> PythonEnv {
        let dir = tempfile::tempdir().unwrap();
        run_ok(
            Command::new(registries_python())
                .args(["-m", "venv", "--without-pip"])
                .arg(dir.path().join("venv")),
            RUN_TIMEOUT,
        );
        PythonEnv { dir }
    }

    pub fn python_path(&self) -> PathBuf {
        self.dir.path().join("venv/bin/python")
    }

    /// `pip install ARGS` into the venv, offline: dependencies and build
    /// backends come from the wheelhouse only.
    pub fn pip_install_offline(&self, args: &[&str]) -> String {
        let wheelhouse = wheelhouse();
        let mut all = vec!["--no-index", "--find-links", wheelhouse.to_str().unwrap()];
        all.extend_from_slice(args);
        self.pip_install(&all)
    }

    /// `pip install ARGS` into the venv.
    pub fn pip_install(&self, args: &[&str]) -> String {
        run_ok(
            Command::new(registries_python())
                .args(["-m", "pip", "--python"])
                .arg(self.python_path())
                .args([
                    "install",
                    "--no-cache-dir",
                    "--disable-pip-version-check",
                    "--no-input",
                ])
                .args(args)
                // The machine's pip configuration (find-links, indexes) must
                // not decide where packages come from.
                .env("PIP_CONFIG_FILE", "/dev/null")
                .env_remove("PIP_FIND_LINKS")
                .env_remove("PIP_INDEX_URL")
                .env_remove("PIP_EXTRA_INDEX_URL"),
            INSTALL_TIMEOUT,
        )
    }

    /// Runs `code` with the venv's Python, outside any source folder; returns stdout.
    pub fn python(&self, code: &str) -> String {
        run_ok(
            Command::new(self.python_path())
                .args(["-I", "-c", code])
                .current_dir(self.dir.path()),
            RUN_TIMEOUT,
        )
    }
}
