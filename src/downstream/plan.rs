//! `downstream`: which packages to roll out, at which versions, and how each
//! consumer manifest is bumped. Pure: the workspace SDKs' manifests arrive
//! as bytes, the inputs as strings.
//!
//! By default the targets are the SDKs generated in the workspace: the npm
//! package in `sdk/typescript/package.json` and the Python distribution in
//! `sdk/python/pyproject.toml` (PEP 621 `[project]`, or Poetry's
//! `[tool.poetry]`), each at the version its manifest declares. Inputs
//! override the name and version per registry; an input version for a
//! package the workspace does not build is required, since the
//! workspace's version belongs to a different package.

use super::bump::{self, BumpError, Direction, Outcome};
use crate::pep440;
use std::fmt;

/// Where an SDK's manifest lives in the workspace, per registry.
pub const TYPESCRIPT_MANIFEST: &str = "sdk/typescript/package.json";
pub const PYTHON_MANIFEST: &str = "sdk/python/pyproject.toml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Registry {
    Npm,
    PyPi,
}

impl Registry {
    pub fn name(self) -> &'static str {
        match self {
            Registry::Npm => "npm",
            Registry::PyPi => "PyPI",
        }
    }
}

/// A version in the spelling its registry uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetVersion {
    Npm(semver::Version),
    PyPi(pep440::Version),
}

impl fmt::Display for TargetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetVersion::Npm(v) => v.fmt(f),
            TargetVersion::PyPi(v) => v.fmt(f),
        }
    }
}

/// One package to roll out to consumers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub package: String,
    pub version: TargetVersion,
    /// [`Direction::Downgrade`] only for a rollout's rollback to the last
    /// known-good version; every other pull request upgrades.
    pub direction: Direction,
}

impl Target {
    pub fn registry(&self) -> Registry {
        match self.version {
            TargetVersion::Npm(_) => Registry::Npm,
            TargetVersion::PyPi(_) => Registry::PyPi,
        }
    }

    /// The version as semver, for rollout pins: a PyPI version by its
    /// release numbers (a pre-release keeps its suffix as `-pre.suffix`).
    pub fn semver(&self) -> semver::Version {
        match &self.version {
            TargetVersion::Npm(v) => v.clone(),
            TargetVersion::PyPi(v) => {
                let r = v.release_prefix(3);
                let mut out = semver::Version::new(r[0], r[1], r[2]);
                if v.is_prerelease() {
                    let suffix: String = v
                        .suffix()
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect();
                    out.pre = semver::Prerelease::new(&format!("pre.{suffix}"))
                        .unwrap_or(semver::Prerelease::EMPTY);
                }
                out
            }
        }
    }

    /// The branch the pull request for this package lives on. The package
    /// name is used as it is: npm names (`@acme/pets`) and PyPI names are
    /// valid in a ref, and since no package is called `@acme`, no branch
    /// name is a prefix directory of another.
    pub fn branch(&self) -> String {
        format!("specrelay/{}", self.package)
    }

    /// The same package going back to `version` (a rollback), read in
    /// this package's registry's spelling.
    pub fn rollback_to(&self, version: &str) -> Result<Target, String> {
        let version = match self.version {
            TargetVersion::Npm(_) => semver::Version::parse(version)
                .map(TargetVersion::Npm)
                .map_err(|e| e.to_string()),
            TargetVersion::PyPi(_) => pep440::Version::parse(version)
                .map(TargetVersion::PyPi)
                .map_err(|e| e.to_string()),
        }
        .map_err(|e| format!("known-good version {version:?} of {}: {e}", self.package))?;
        Ok(Target {
            package: self.package.clone(),
            version,
            direction: Direction::Downgrade,
        })
    }

    /// Bumps this package in a consumer manifest; `None` when the file is
    /// not a manifest of this package's registry.
    pub fn bump(&self, kind: ManifestKind, bytes: &[u8]) -> Option<Result<Outcome, BumpError>> {
        let direction = self.direction;
        Some(match (kind, &self.version) {
            (ManifestKind::PackageJson, TargetVersion::Npm(v)) => {
                bump::package_json::bump_toward(bytes, &self.package, v, direction)
            }
            (ManifestKind::Requirements, TargetVersion::PyPi(v)) => {
                bump::requirements::bump_toward(bytes, &self.package, v, direction)
            }
            (ManifestKind::Pyproject, TargetVersion::PyPi(v)) => {
                bump::pyproject::bump_toward(bytes, &self.package, v, direction)
            }
            _ => return None,
        })
    }
}

/// The manifest formats the bumpers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    PackageJson,
    /// `requirements.txt`, `requirements-dev.txt`, `requirements/test.txt`.
    Requirements,
    Pyproject,
}

impl ManifestKind {
    /// The kind of a repository path, by its file name (and, for pip's
    /// `requirements/` folders, its parent).
    pub fn of(path: &str) -> Option<ManifestKind> {
        let (parent, file) = path.rsplit_once('/').unwrap_or(("", path));
        let parent = parent.rsplit('/').next().unwrap_or(parent);
        match file {
            "package.json" => Some(ManifestKind::PackageJson),
            "pyproject.toml" => Some(ManifestKind::Pyproject),
            _ if file.ends_with(".txt")
                && (file.starts_with("requirements") || parent == "requirements") =>
            {
                Some(ManifestKind::Requirements)
            }
            _ => None,
        }
    }

    pub fn registry(self) -> Registry {
        match self {
            ManifestKind::PackageJson => Registry::Npm,
            ManifestKind::Requirements | ManifestKind::Pyproject => Registry::PyPi,
        }
    }
}

/// Inputs that set the targets instead of the workspace SDKs.
#[derive(Debug, Clone, Default)]
pub struct TargetInputs {
    pub npm_package: Option<String>,
    pub npm_version: Option<String>,
    pub pypi_package: Option<String>,
    pub pypi_version: Option<String>,
}

/// The workspace SDKs' manifests, where they exist.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkspaceSdks<'a> {
    pub package_json: Option<&'a [u8]>,
    pub pyproject: Option<&'a [u8]>,
    /// The folder that holds `typescript/` and `python/` (an API's
    /// `sdk_dir`); `None`: `sdk`.
    pub sdk_dir: Option<&'a str>,
}

impl WorkspaceSdks<'_> {
    /// Where the TypeScript and Python manifests are, for messages.
    pub fn manifest_paths(&self) -> (String, String) {
        match self.sdk_dir {
            None => (TYPESCRIPT_MANIFEST.to_owned(), PYTHON_MANIFEST.to_owned()),
            Some(dir) => {
                let dir = dir.trim_end_matches('/');
                (
                    format!("{dir}/typescript/package.json"),
                    format!("{dir}/python/pyproject.toml"),
                )
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{path}: {problem}")]
    Manifest { path: String, problem: String },
    #[error("input {input}: {problem}")]
    Input {
        input: &'static str,
        problem: String,
    },
    #[error(
        "input {input} is needed: the workspace builds no {registry} SDK named {package:?} to take the version from"
    )]
    MissingVersion {
        input: &'static str,
        registry: &'static str,
        package: String,
    },
    #[error(
        "nothing to roll out: the workspace has neither {typescript} nor {python}, and no package inputs are set"
    )]
    NoTargets { typescript: String, python: String },
}

/// The packages to roll out, npm first.
pub fn targets(
    workspace: WorkspaceSdks<'_>,
    inputs: &TargetInputs,
) -> Result<Vec<Target>, PlanError> {
    let (typescript, python) = workspace.manifest_paths();
    let npm = target(
        workspace
            .package_json
            .map(|b| npm_sdk(b, &typescript))
            .transpose()?,
        (inputs.npm_package.as_deref(), inputs.npm_version.as_deref()),
        InputNames {
            package: "npm_package",
            version: "npm_version",
            registry: "npm",
        },
        |v| {
            semver::Version::parse(v)
                .map(TargetVersion::Npm)
                .map_err(|e| format!("{v:?} is not a semver version: {e}"))
        },
    )?;
    // A semver spelling (1.3.0-beta.1) normalises to PEP 440 (1.3.0b1).
    let pypi = target(
        workspace
            .pyproject
            .map(|b| pypi_sdk(b, &python))
            .transpose()?,
        (
            inputs.pypi_package.as_deref(),
            inputs.pypi_version.as_deref(),
        ),
        InputNames {
            package: "pypi_package",
            version: "pypi_version",
            registry: "PyPI",
        },
        |v| {
            pep440::Version::parse(v)
                .map(TargetVersion::PyPi)
                .map_err(|e| e.to_string())
        },
    )?;
    let out: Vec<Target> = npm.into_iter().chain(pypi).collect();
    if out.is_empty() {
        return Err(PlanError::NoTargets { typescript, python });
    }
    Ok(out)
}

/// One registry's target, if it has one, with its version parsed.
fn target(
    workspace: Option<(String, String)>,
    (package, version): (Option<&str>, Option<&str>),
    names: InputNames,
    parse: impl Fn(&str) -> Result<TargetVersion, String>,
) -> Result<Option<Target>, PlanError> {
    let version_input = names.version;
    let Some((package, version)) = choose(workspace, package, version, names)? else {
        return Ok(None);
    };
    let version = parse(&version).map_err(|problem| PlanError::Input {
        input: version_input,
        problem,
    })?;
    Ok(Some(Target {
        package,
        version,
        direction: Direction::Upgrade,
    }))
}

/// The inputs that name one registry's target.
struct InputNames {
    package: &'static str,
    version: &'static str,
    registry: &'static str,
}

/// The name and version for one registry: inputs first, then the
/// workspace SDK. The workspace version only stands in for the workspace
/// package.
fn choose(
    workspace: Option<(String, String)>,
    package: Option<&str>,
    version: Option<&str>,
    names: InputNames,
) -> Result<Option<(String, String)>, PlanError> {
    Ok(Some(match (package, version, workspace) {
        (None, None, workspace) => return Ok(workspace),
        (Some(package), Some(version), _) => (package.to_owned(), version.to_owned()),
        (None, Some(version), Some((package, _))) => (package, version.to_owned()),
        (None, Some(_), None) => {
            return Err(PlanError::Input {
                input: names.package,
                problem: format!(
                    "is needed with {}: the workspace builds no {} SDK to take the name from",
                    names.version, names.registry
                ),
            });
        }
        (Some(package), None, Some((built, version))) if built == package => (built, version),
        (Some(package), None, _) => {
            return Err(PlanError::MissingVersion {
                input: names.version,
                registry: names.registry,
                package: package.to_owned(),
            });
        }
    }))
}

fn npm_sdk(bytes: &[u8], path: &str) -> Result<(String, String), PlanError> {
    let problem = |problem: String| PlanError::Manifest {
        path: path.to_owned(),
        problem,
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| problem(e.to_string()))?;
    let field = |key: &str| {
        manifest[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| problem(format!("has no string {key:?}")))
    };
    Ok((field("name")?, field("version")?))
}

fn pypi_sdk(bytes: &[u8], path: &str) -> Result<(String, String), PlanError> {
    let problem = |problem: String| PlanError::Manifest {
        path: path.to_owned(),
        problem,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| problem(e.to_string()))?;
    let document = toml_edit::Document::parse(text).map_err(|e| problem(e.to_string()))?;
    let root = document.as_item();
    let table = ["project", "tool.poetry"]
        .into_iter()
        .find_map(|path| {
            let table = path.split('.').try_fold(root, |item, key| item.get(key))?;
            Some((path, table))
        })
        .ok_or_else(|| problem("has neither [project] nor [tool.poetry]".into()))?;
    let field = |key: &str| {
        table
            .1
            .get(key)
            .and_then(|item| item.as_str())
            .map(str::to_owned)
            .ok_or_else(|| problem(format!("[{}] has no string {key:?}", table.0)))
    };
    Ok((field("name")?, field("version")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACKAGE_JSON: &[u8] = br#"{"name": "@acme/pets", "version": "1.3.0-beta.1"}"#;
    const PYPROJECT: &[u8] = b"[project]\nname = \"acme-pets\"\nversion = \"1.3.0b1\"\n";

    fn both() -> WorkspaceSdks<'static> {
        WorkspaceSdks {
            package_json: Some(PACKAGE_JSON),
            pyproject: Some(PYPROJECT),
            sdk_dir: None,
        }
    }

    fn summary(targets: &[Target]) -> Vec<(Registry, String, String)> {
        targets
            .iter()
            .map(|t| (t.registry(), t.package.clone(), t.version.to_string()))
            .collect()
    }

    #[test]
    fn defaults_to_the_workspace_sdks() {
        let targets = targets(both(), &TargetInputs::default()).unwrap();
        assert_eq!(
            summary(&targets),
            [
                (Registry::Npm, "@acme/pets".into(), "1.3.0-beta.1".into()),
                (Registry::PyPi, "acme-pets".into(), "1.3.0b1".into()),
            ]
        );
        assert_eq!(targets[0].branch(), "specrelay/@acme/pets");
        let poetry = b"[tool.poetry]\nname = \"acme-pets\"\nversion = \"2.0\"\n";
        let only_python = WorkspaceSdks {
            package_json: None,
            pyproject: Some(poetry),
            sdk_dir: None,
        };
        assert_eq!(
            summary(&targets_of(only_python, &TargetInputs::default())),
            [(Registry::PyPi, "acme-pets".into(), "2.0".into())]
        );
    }

    fn targets_of(workspace: WorkspaceSdks<'_>, inputs: &TargetInputs) -> Vec<Target> {
        targets(workspace, inputs).unwrap()
    }

    #[test]
    fn inputs_override_names_and_versions() {
        let inputs = TargetInputs {
            npm_version: Some("1.4.0".into()),
            pypi_package: Some("acme-pets-client".into()),
            pypi_version: Some("1.4.0-rc.1".into()),
            ..TargetInputs::default()
        };
        assert_eq!(
            summary(&targets_of(both(), &inputs)),
            [
                (Registry::Npm, "@acme/pets".into(), "1.4.0".into()),
                (Registry::PyPi, "acme-pets-client".into(), "1.4.0rc1".into()),
            ]
        );
        let no_workspace = TargetInputs {
            npm_package: Some("@acme/pets".into()),
            npm_version: Some("2.0.0".into()),
            ..TargetInputs::default()
        };
        assert_eq!(
            summary(&targets_of(WorkspaceSdks::default(), &no_workspace)),
            [(Registry::Npm, "@acme/pets".into(), "2.0.0".into())]
        );
    }

    #[test]
    fn a_version_is_never_borrowed_from_another_package() {
        let inputs = TargetInputs {
            npm_package: Some("@acme/other".into()),
            ..TargetInputs::default()
        };
        let error = targets(both(), &inputs).unwrap_err();
        assert!(matches!(
            error,
            PlanError::MissingVersion {
                input: "npm_version",
                ..
            }
        ));
        assert_eq!(
            error.to_string(),
            "input npm_version is needed: the workspace builds no npm SDK named \"@acme/other\" to take the version from"
        );
        assert!(matches!(
            targets(WorkspaceSdks::default(), &TargetInputs::default()),
            Err(PlanError::NoTargets { .. })
        ));
        let nameless = TargetInputs {
            pypi_version: Some("1.4.0".into()),
            ..TargetInputs::default()
        };
        assert!(matches!(
            targets(WorkspaceSdks::default(), &nameless),
            Err(PlanError::Input {
                input: "pypi_package",
                ..
            })
        ));
        let bad = TargetInputs {
            npm_version: Some("1.4".into()),
            ..TargetInputs::default()
        };
        assert!(matches!(
            targets(both(), &bad),
            Err(PlanError::Input {
                input: "npm_version",
                ..
            })
        ));
        let broken = WorkspaceSdks {
            package_json: Some(b"{\"name\": \"x\"}"),
            pyproject: None,
            sdk_dir: None,
        };
        assert_eq!(
            targets(broken, &TargetInputs::default())
                .unwrap_err()
                .to_string(),
            "sdk/typescript/package.json: has no string \"version\""
        );
    }

    #[test]
    fn an_apis_sdk_folder_names_its_own_manifests() {
        let node = WorkspaceSdks {
            package_json: Some(b"{\"name\": \"x\"}"),
            pyproject: None,
            sdk_dir: Some("sdk/node/"),
        };
        assert_eq!(
            targets(node, &TargetInputs::default())
                .unwrap_err()
                .to_string(),
            "sdk/node/typescript/package.json: has no string \"version\""
        );
        let empty = WorkspaceSdks {
            sdk_dir: Some("sdk/node"),
            ..WorkspaceSdks::default()
        };
        assert_eq!(
            targets(empty, &TargetInputs::default())
                .unwrap_err()
                .to_string(),
            "nothing to roll out: the workspace has neither sdk/node/typescript/package.json nor sdk/node/python/pyproject.toml, and no package inputs are set"
        );
    }

    #[test]
    fn manifests_are_recognised_by_name_and_matched_to_their_registry() {
        for (path, kind) in [
            ("package.json", Some(ManifestKind::PackageJson)),
            ("apps/web/package.json", Some(ManifestKind::PackageJson)),
            ("requirements.txt", Some(ManifestKind::Requirements)),
            (
                "services/api/requirements-dev.txt",
                Some(ManifestKind::Requirements),
            ),
            ("requirements/test.txt", Some(ManifestKind::Requirements)),
            ("pyproject.toml", Some(ManifestKind::Pyproject)),
            ("docs/notes.txt", None),
            ("package-lock.json", None),
        ] {
            assert_eq!(ManifestKind::of(path), kind, "{path}");
        }
        let targets = targets_of(both(), &TargetInputs::default());
        let manifest = br#"{"dependencies": {"@acme/pets": "^1.2.0"}}"#;
        assert!(
            targets[1]
                .bump(ManifestKind::PackageJson, manifest)
                .is_none()
        );
        let Some(Ok(Outcome::Bumped { bytes, .. })) =
            targets[0].bump(ManifestKind::PackageJson, manifest)
        else {
            panic!("the npm target bumps package.json");
        };
        assert_eq!(
            bytes,
            br#"{"dependencies": {"@acme/pets": "^1.3.0-beta.1"}}"#
        );
    }
}
