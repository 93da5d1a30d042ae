//! Reads what the `publish` stage needs from a Python package's
//! `pyproject.toml`: the PEP 621 `[project]` table, the build backend, and
//! where the importable sources live. Pure: takes the package folder's files.
//!
//! Tolerant where the answer is clear, strict where a guess could ship a
//! broken package:
//!
//! - `[project]` fields read: name, version (PEP 440, normalised),
//!   description, readme (a file, or `{file|text, content-type}`),
//!   requires-python, dependencies, optional-dependencies, license (a string
//!   or `{text}`/`{file}`), authors, maintainers, keywords, classifiers,
//!   urls, scripts, gui-scripts. Other keys are ignored. A field listed in
//!   `dynamic` that the wheel needs is refused: only the build backend could
//!   compute it.
//! - Sources: hatch's `[tool.hatch.build.targets.wheel] packages`, else
//!   setuptools' `[tool.setuptools] packages` (with `package-dir`) or
//!   `[tool.setuptools.packages.find] where`, else the usual layouts for the
//!   project's import name: `src/<name>/`, `<name>/`, `src/<name>.py`,
//!   `<name>.py`. Everything inside a package folder is packed except
//!   bytecode (`__pycache__`, `*.pyc`), as hatchling does.

use super::{PackError, PackageFiles};
use crate::{pep440, pep503};
use std::collections::BTreeMap;
use toml::{Table, Value};

const PYPROJECT: &str = "pyproject.toml";

/// What `pyproject.toml` says, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyProject {
    /// As written; indexes compare names in their [`pep503::normalize`] form.
    pub name: String,
    /// The PEP 440 normal form.
    pub version: String,
    pub description: Option<String>,
    pub readme: Option<Readme>,
    pub requires_python: Option<String>,
    pub dependencies: Vec<String>,
    pub optional_dependencies: BTreeMap<String, Vec<String>>,
    pub license: Option<String>,
    pub authors: Vec<Person>,
    pub maintainers: Vec<Person>,
    pub keywords: Vec<String>,
    pub classifiers: Vec<String>,
    pub urls: Vec<(String, String)>,
    /// `[project.scripts]` and `[project.gui-scripts]`: name -> `module:function`.
    pub scripts: BTreeMap<String, String>,
    pub gui_scripts: BTreeMap<String, String>,
    /// `[build-system] build-backend`, if declared.
    pub build_backend: Option<String>,
    /// The importable code: each maps a folder or module of the package
    /// folder to its place in the installed tree.
    pub sources: Vec<Source>,
}

/// The long description: `METADATA`'s body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readme {
    pub content_type: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// A package folder (`src/acme_pets`) or single module (`acme_pets.py`), and
/// the path it installs as (`acme_pets`, `acme_pets.py`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: String,
    pub installs_as: String,
}

impl Source {
    /// Where `file` (a path of the package folder) installs, if this source
    /// holds it and it is not bytecode.
    pub fn install_path(&self, file: &str) -> Option<String> {
        if file == self.path {
            return Some(self.installs_as.clone());
        }
        let inner = file.strip_prefix(&self.path)?.strip_prefix('/')?;
        let bytecode = inner.split('/').any(|s| s == "__pycache__")
            || inner.ends_with(".pyc")
            || inner.ends_with(".pyo");
        (!bytecode).then(|| format!("{}/{inner}", self.installs_as))
    }
}

/// The name as it appears in wheel and sdist file names and the
/// `.dist-info` folder: the normal form with `_` for `-`.
pub fn file_name_component(name: &str) -> String {
    pep503::normalize(name).replace('-', "_")
}

/// Reads `pyproject.toml` from the package folder's files.
pub fn read(files: &PackageFiles) -> Result<PyProject, PackError> {
    let raw = files.get(PYPROJECT).ok_or_else(|| PackError::MissingFile {
        file: PYPROJECT.into(),
    })?;
    let text = std::str::from_utf8(raw).map_err(|_| bad("is not UTF-8"))?;
    let doc: Table = toml::from_str(text).map_err(|e| bad(format!("is not valid TOML: {e}")))?;
    let project = match doc.get("project") {
        Some(Value::Table(t)) => t,
        _ => {
            return Err(bad(
                "has no [project] table (PEP 621); specrelay reads the package's metadata from it",
            ));
        }
    };
    let fields = Fields {
        table: project,
        at: "project",
    };
    let dynamic = fields.strings("dynamic")?;
    for needed in [
        "version",
        "dependencies",
        "requires-python",
        "optional-dependencies",
        "readme",
        "description",
    ] {
        if dynamic.iter().any(|d| d == needed) {
            return Err(bad(format!(
                "project.dynamic lists {needed:?}; write it in [project], since only the build backend could compute it"
            )));
        }
    }

    let name = fields
        .string("name")?
        .ok_or_else(|| bad("project.name is missing"))?;
    check_project_name(&name)?;
    let raw_version = fields
        .string("version")?
        .ok_or_else(|| bad("project.version is missing"))?;
    let version =
        pep440::normalize(&raw_version).map_err(|e| bad(format!("project.version: {e}")))?;

    Ok(PyProject {
        description: fields.string("description")?.map(|d| one_line(&d)),
        readme: read_readme(project.get("readme"), files)?,
        requires_python: fields.string("requires-python")?,
        dependencies: fields.strings("dependencies")?,
        optional_dependencies: optional_dependencies(project.get("optional-dependencies"))?,
        license: read_license(project.get("license"), files)?,
        authors: people(project.get("authors"), "project.authors")?,
        maintainers: people(project.get("maintainers"), "project.maintainers")?,
        keywords: fields.strings("keywords")?,
        classifiers: fields.strings("classifiers")?,
        urls: fields.string_table("urls")?.into_iter().collect(),
        scripts: fields.string_table("scripts")?,
        gui_scripts: fields.string_table("gui-scripts")?,
        build_backend: build_backend(&doc)?,
        sources: find_sources(&doc, &name, files)?,
        name,
        version,
    })
}

fn bad(reason: impl Into<String>) -> PackError {
    PackError::manifest(PYPROJECT, reason)
}

/// Names must be ASCII letters and digits, with `-`, `_`, `.` inside (PEP 508).
fn check_project_name(name: &str) -> Result<(), PackError> {
    if pep503::is_valid_name(name) {
        Ok(())
    } else {
        Err(bad(format!(
            "project.name {name:?} is not a valid distribution name (letters, digits, and -_. inside)"
        )))
    }
}

/// Header values are one line: line breaks would start a new header.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Typed access to one TOML table, with errors naming the key.
struct Fields<'a> {
    table: &'a Table,
    at: &'a str,
}

impl Fields<'_> {
    fn string(&self, key: &str) -> Result<Option<String>, PackError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(format!("{}.{key} must be a string", self.at))),
        }
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, PackError> {
        string_array(self.table.get(key), &format!("{}.{key}", self.at))
    }

    fn string_table(&self, key: &str) -> Result<BTreeMap<String, String>, PackError> {
        let Some(value) = self.table.get(key) else {
            return Ok(BTreeMap::new());
        };
        let err = || bad(format!("{}.{key} must be a table of strings", self.at));
        let table = value.as_table().ok_or_else(err)?;
        table
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or_else(err)?.to_owned())))
            .collect()
    }
}

fn string_array(value: Option<&Value>, what: &str) -> Result<Vec<String>, PackError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let err = || bad(format!("{what} must be an array of strings"));
    value
        .as_array()
        .ok_or_else(err)?
        .iter()
        .map(|v| v.as_str().map(|s| s.trim().to_owned()).ok_or_else(err))
        .collect()
}

fn optional_dependencies(
    value: Option<&Value>,
) -> Result<BTreeMap<String, Vec<String>>, PackError> {
    let Some(value) = value else {
        return Ok(BTreeMap::new());
    };
    let table = value
        .as_table()
        .ok_or_else(|| bad("project.optional-dependencies must be a table"))?;
    table
        .iter()
        .map(|(extra, deps)| {
            let deps = string_array(
                Some(deps),
                &format!("project.optional-dependencies.{extra}"),
            )?;
            Ok((pep503::normalize(extra), deps))
        })
        .collect()
}

fn read_readme(value: Option<&Value>, files: &PackageFiles) -> Result<Option<Readme>, PackError> {
    let (file, text, content_type) = match value {
        None => return Ok(None),
        Some(Value::String(path)) => (Some(path.as_str()), None, None),
        Some(Value::Table(t)) => {
            let fields = Fields {
                table: t,
                at: "project.readme",
            };
            (
                t.get("file").and_then(Value::as_str),
                fields.string("text")?,
                fields.string("content-type")?,
            )
        }
        Some(_) => return Err(bad("project.readme must be a path or a table")),
    };
    let text = match (file, text) {
        (Some(path), None) => file_text(files, path, "project.readme")?,
        (None, Some(text)) => text,
        _ => return Err(bad("project.readme needs exactly one of `file` and `text`")),
    };
    let content_type = match (content_type, file) {
        (Some(ct), _) => ct,
        (None, Some(path)) => readme_content_type(path)?.to_owned(),
        (None, None) => return Err(bad("project.readme.content-type is required with `text`")),
    };
    Ok(Some(Readme { content_type, text }))
}

fn readme_content_type(path: &str) -> Result<&'static str, PackError> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        Ok("text/markdown")
    } else if lower.ends_with(".rst") {
        Ok("text/x-rst")
    } else if lower.ends_with(".txt") {
        Ok("text/plain")
    } else {
        Err(bad(format!(
            "project.readme {path:?}: unknown file type; give content-type in a table"
        )))
    }
}

fn file_text(files: &PackageFiles, path: &str, field: &str) -> Result<String, PackError> {
    let path = path.trim_start_matches("./");
    let bytes = files.get(path).ok_or_else(|| PackError::MissingFile {
        file: format!("{path} (named by {field})"),
    })?;
    String::from_utf8(bytes.clone()).map_err(|_| bad(format!("{field}: {path} is not UTF-8")))
}

fn read_license(value: Option<&Value>, files: &PackageFiles) -> Result<Option<String>, PackError> {
    match value {
        None => Ok(None),
        Some(Value::String(expression)) => Ok(Some(expression.clone())),
        Some(Value::Table(t)) => match (t.get("text"), t.get("file")) {
            (Some(Value::String(text)), None) => Ok(Some(text.clone())),
            (None, Some(Value::String(path))) => {
                file_text(files, path, "project.license.file").map(Some)
            }
            _ => Err(bad(
                "project.license needs exactly one of `text` and `file`",
            )),
        },
        Some(_) => Err(bad("project.license must be a string or a table")),
    }
}

fn people(value: Option<&Value>, what: &str) -> Result<Vec<Person>, PackError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let err = || bad(format!("{what} must be an array of {{name, email}} tables"));
    value
        .as_array()
        .ok_or_else(err)?
        .iter()
        .map(|entry| {
            let t = entry.as_table().ok_or_else(err)?;
            let fields = Fields { table: t, at: what };
            let person = Person {
                name: fields.string("name")?,
                email: fields.string("email")?,
            };
            if person.name.is_none() && person.email.is_none() {
                return Err(err());
            }
            Ok(person)
        })
        .collect()
}

fn build_backend(doc: &Table) -> Result<Option<String>, PackError> {
    match doc.get("build-system") {
        None => Ok(None),
        Some(Value::Table(t)) => Fields {
            table: t,
            at: "build-system",
        }
        .string("build-backend"),
        Some(_) => Err(bad("[build-system] must be a table")),
    }
}

/// `doc[a][b]...` when every step is a table.
fn dig<'a>(doc: &'a Table, keys: &[&str]) -> Option<&'a Value> {
    let (last, path) = keys.split_last()?;
    let mut table = doc;
    for key in path {
        table = table.get(*key)?.as_table()?;
    }
    table.get(*last)
}

/// A package folder (`dir/__init__.py` is a file).
fn is_package(files: &PackageFiles, dir: &str) -> bool {
    files.contains_key(&format!("{dir}/__init__.py"))
}

/// The folder `dir` as a source, if it holds files; `what` names the
/// setting that named it, for the error.
fn source_folder(files: &PackageFiles, dir: &str, what: &str) -> Result<Source, PackError> {
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    if !files.keys().any(|f| f.starts_with(&format!("{dir}/"))) {
        return Err(bad(format!("{what} names {dir:?}, which holds no files")));
    }
    let installs_as = dir.rsplit('/').next().unwrap_or(dir).to_owned();
    Ok(Source {
        path: dir.to_owned(),
        installs_as,
    })
}

fn find_sources(doc: &Table, name: &str, files: &PackageFiles) -> Result<Vec<Source>, PackError> {
    let is_package = |dir: &str| is_package(files, dir);
    let folder = |dir: &str, what: &str| source_folder(files, dir, what);

    if let Some(listed) = dig(
        doc,
        &["tool", "hatch", "build", "targets", "wheel", "packages"],
    ) {
        let what = "tool.hatch.build.targets.wheel.packages";
        return string_array(Some(listed), what)?
            .iter()
            .map(|dir| folder(dir, what))
            .collect();
    }

    let root = match dig(doc, &["tool", "setuptools", "package-dir", ""]) {
        Some(Value::String(dir)) => format!("{}/", dir.trim_end_matches('/')),
        Some(_) => return Err(bad("tool.setuptools.package-dir values must be strings")),
        None => String::new(),
    };
    if let Some(Value::Array(_)) = dig(doc, &["tool", "setuptools", "packages"]) {
        let what = "tool.setuptools.packages";
        let listed = string_array(dig(doc, &["tool", "setuptools", "packages"]), what)?;
        let mut top: Vec<String> = listed
            .iter()
            .map(|p| p.split('.').next().unwrap_or(p).to_owned())
            .collect();
        top.dedup();
        return top
            .iter()
            .map(|p| folder(&format!("{root}{p}"), what))
            .collect();
    }
    if let Some(wheres) = dig(doc, &["tool", "setuptools", "packages", "find", "where"]) {
        return found_where(wheres, files);
    }

    let import_name = file_name_component(name);
    for dir in [
        format!("{root}{import_name}"),
        format!("src/{import_name}"),
        import_name.clone(),
    ] {
        if is_package(&dir) {
            return Ok(vec![folder(&dir, "the layout")?]);
        }
    }
    for module in [format!("src/{import_name}.py"), format!("{import_name}.py")] {
        if files.contains_key(&module) {
            return Ok(vec![Source {
                path: module,
                installs_as: format!("{import_name}.py"),
            }]);
        }
    }
    Err(bad(format!(
        "no sources found: expected src/{import_name}/__init__.py or {import_name}/__init__.py, \
         or name them in [tool.hatch.build.targets.wheel] packages"
    )))
}

/// The packages `tool.setuptools.packages.find.where` finds: each top-level
/// folder with an `__init__.py` under each base (not tests or docs).
fn found_where(wheres: &Value, files: &PackageFiles) -> Result<Vec<Source>, PackError> {
    let what = "tool.setuptools.packages.find.where";
    let mut found = Vec::new();
    for base in string_array(Some(wheres), what)? {
        let base = base.trim_start_matches("./").trim_end_matches('/');
        let prefix = if base.is_empty() || base == "." {
            String::new()
        } else {
            format!("{base}/")
        };
        let mut tops: Vec<&str> = files
            .keys()
            .filter_map(|f| f.strip_prefix(&prefix)?.split_once('/').map(|(top, _)| top))
            .collect();
        tops.dedup();
        for top in tops {
            let dir = format!("{prefix}{top}");
            if is_package(files, &dir) && !matches!(top, "tests" | "test" | "docs") {
                found.push(source_folder(files, &dir, what)?);
            }
        }
    }
    if found.is_empty() {
        return Err(bad(format!(
            "{what} finds no package (a folder with __init__.py)"
        )));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn files(entries: &[(&str, &str)]) -> PackageFiles {
        entries
            .iter()
            .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    const GENERATED_LIKE: &str = r#"
[build-system]
requires = ["hatchling>=1.26"]
build-backend = "hatchling.build"

[project]
name = "Acme.Pets-Client"
version = "1.2.0-beta.1"
description = "Python client for Acme Pets\n(generated)"
readme = "README.md"
requires-python = ">=3.9"
dependencies = ["httpx>=0.23,<1"]
authors = [{ name = "Acme", email = "dev@acme.invalid" }]
keywords = ["pets"]
classifiers = ["Typing :: Typed"]

[project.optional-dependencies]
Fast_IO = ["orjson>=3; python_version >= '3.9'"]

[project.urls]
Homepage = "https://acme.invalid/pets"

[project.scripts]
pets = "acme_pets_client.cli:main"
"#;

    #[test]
    fn reads_a_generated_style_project() {
        let files = files(&[
            ("pyproject.toml", GENERATED_LIKE),
            ("README.md", "# Acme Pets\n"),
            ("src/acme_pets_client/__init__.py", ""),
            ("src/acme_pets_client/py.typed", ""),
        ]);
        let p = read(&files).unwrap();
        assert_eq!(p.name, "Acme.Pets-Client");
        assert_eq!(p.version, "1.2.0b1");
        assert_eq!(
            p.description.as_deref(),
            Some("Python client for Acme Pets (generated)")
        );
        assert_eq!(
            p.readme,
            Some(Readme {
                content_type: "text/markdown".into(),
                text: "# Acme Pets\n".into()
            })
        );
        assert_eq!(p.requires_python.as_deref(), Some(">=3.9"));
        assert_eq!(p.dependencies, ["httpx>=0.23,<1"]);
        assert_eq!(
            p.optional_dependencies.keys().collect::<Vec<_>>(),
            ["fast-io"]
        );
        assert_eq!(p.build_backend.as_deref(), Some("hatchling.build"));
        assert_eq!(
            p.sources,
            [Source {
                path: "src/acme_pets_client".into(),
                installs_as: "acme_pets_client".into()
            }]
        );
        assert_eq!(p.scripts["pets"], "acme_pets_client.cli:main");
        assert_eq!(
            p.urls,
            [("Homepage".into(), "https://acme.invalid/pets".into())]
        );
    }

    #[test]
    fn layouts() {
        let minimal = "[project]\nname = \"acme-pets\"\nversion = \"1.0\"\n";
        let flat = read(&files(&[
            ("pyproject.toml", minimal),
            ("acme_pets/__init__.py", ""),
        ]))
        .unwrap();
        assert_eq!(flat.sources[0].path, "acme_pets");
        let module = read(&files(&[("pyproject.toml", minimal), ("acme_pets.py", "")])).unwrap();
        assert_eq!(module.sources[0].installs_as, "acme_pets.py");

        // hatch and setuptools, each configured to pack `lib/pets` as `pets`.
        let lib_pets = [Source {
            path: "lib/pets".into(),
            installs_as: "pets".into(),
        }];
        let hatch =
            format!("{minimal}[tool.hatch.build.targets.wheel]\npackages = [\"lib/pets\"]\n");
        let p = read(&files(&[
            ("pyproject.toml", &hatch),
            ("lib/pets/__init__.py", ""),
        ]))
        .unwrap();
        assert_eq!(p.sources, lib_pets);

        let setuptools = format!(
            "{minimal}[tool.setuptools]\npackage-dir = {{\"\" = \"lib\"}}\npackages = [\"pets\", \"pets.sub\"]\n"
        );
        let p = read(&files(&[
            ("pyproject.toml", &setuptools),
            ("lib/pets/__init__.py", ""),
            ("lib/pets/sub/__init__.py", ""),
        ]))
        .unwrap();
        assert_eq!(p.sources, lib_pets);

        let find = format!("{minimal}[tool.setuptools.packages.find]\nwhere = [\"src\"]\n");
        let p = read(&files(&[
            ("pyproject.toml", &find),
            ("src/one/__init__.py", ""),
            ("src/two/__init__.py", ""),
            ("src/notes/readme.txt", ""),
        ]))
        .unwrap();
        let paths: Vec<&str> = p.sources.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, ["src/one", "src/two"]);

        let err = read(&files(&[
            ("pyproject.toml", minimal),
            ("other/__init__.py", ""),
        ]))
        .unwrap_err();
        assert!(
            err.to_string().contains("src/acme_pets/__init__.py"),
            "{err}"
        );
    }

    #[test]
    fn sources_skip_bytecode() {
        let source = Source {
            path: "src/pets".into(),
            installs_as: "pets".into(),
        };
        assert_eq!(
            source.install_path("src/pets/a.py").as_deref(),
            Some("pets/a.py")
        );
        assert_eq!(
            source.install_path("src/pets/__pycache__/a.cpython-311.pyc"),
            None
        );
        assert_eq!(source.install_path("src/petsy/a.py"), None);
        assert_eq!(source.install_path("README.md"), None);
    }

    #[test]
    fn refusals_name_the_field() {
        let err = |toml: &str| {
            read(&files(&[("pyproject.toml", toml), ("x/__init__.py", "")]))
                .unwrap_err()
                .to_string()
        };
        assert!(err("[tool.poetry]\nname = \"x\"").contains("no [project] table"));
        assert!(err("[project]\nversion = \"1\"").contains("project.name is missing"));
        assert!(
            err("[project]\nname = \"x\"\nversion = \"one\"").contains("not a PEP 440 version")
        );
        assert!(err("[project]\nname = \"x\"\ndynamic = [\"version\"]").contains("dynamic"));
        assert!(
            err("[project]\nname = \"-x\"\nversion = \"1\"")
                .contains("not a valid distribution name")
        );
        assert!(
            err("[project]\nname = \"x\"\nversion = \"1\"\ndependencies = \"httpx\"")
                .contains("project.dependencies must be an array")
        );
        assert!(
            err("[project]\nname = \"x\"\nversion = \"1\"\nreadme = \"README.md\"")
                .contains("README.md")
        );
        assert!(err("[project\nname").contains("not valid TOML"));
    }

    #[test]
    fn names() {
        assert_eq!(
            crate::pep503::normalize("Acme.Pets__Client"),
            "acme-pets-client"
        );
        assert_eq!(file_name_component("Acme.Pets-Client"), "acme_pets_client");
    }
}
