//! The source distribution of the `publish` stage: `{name}-{version}.tar.gz`
//! holding `{name}-{version}/` with `PKG-INFO` first, then the package
//! folder's files (pyproject.toml, README, sources), sorted, with the fixed
//! metadata of [`super::archive`]. Pure.
//!
//! pip installs it by running the build backend that `pyproject.toml`
//! declares, so everything that backend reads must be inside: this packs the
//! whole folder and leaves out only build leftovers, caches and bytecode.
//! The name follows PEP 625 (normalised, `_` for `-`), which PyPI requires.

use super::archive::tar_gz;
use super::pyproject::{PyProject, file_name_component};
use super::python_dist::{Kind, PythonDist};
use super::{PackError, PackageFiles, core_metadata};

/// A built sdist (`acme_pets-1.2.0.tar.gz`): a [`PythonDist`] of
/// [`Kind::Sdist`].
pub type Sdist = PythonDist;

/// Builds the sdist for `project` from the package folder's `files`.
pub fn build(project: &PyProject, files: &PackageFiles, mtime: u64) -> Result<Sdist, PackError> {
    let root = format!("{}-{}", file_name_component(&project.name), project.version);
    let pkg_info = core_metadata::render(project).into_bytes();
    let entries: Vec<(String, &[u8])> =
        std::iter::once((format!("{root}/PKG-INFO"), pkg_info.as_slice()))
            .chain(
                files
                    .iter()
                    .filter(|(path, _)| path.as_str() != "PKG-INFO" && !left_out(path))
                    .map(|(path, bytes)| (format!("{root}/{path}"), bytes.as_slice())),
            )
            .collect();
    let names = entries.iter().map(|(p, _)| p.clone()).collect();
    let bytes = tar_gz(entries, mtime)?;
    Ok(PythonDist::new(
        Kind::Sdist,
        format!("{root}.tar.gz"),
        bytes,
        names,
    ))
}

/// Build output, virtualenvs, tool caches, VCS data and bytecode: nothing a
/// build backend needs, and things that would differ between machines.
fn left_out(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    let (file, folders) = segments.split_last().expect("split yields one segment");
    let top_level_output = segments.len() > 1 && matches!(segments[0], "dist" | "build");
    top_level_output
        || folders.iter().any(|dir| {
            matches!(
                *dir,
                "__pycache__"
                    | ".git"
                    | ".hg"
                    | ".svn"
                    | ".venv"
                    | "venv"
                    | ".tox"
                    | ".nox"
                    | ".mypy_cache"
                    | ".pytest_cache"
                    | ".ruff_cache"
                    | "node_modules"
            ) || dir.ends_with(".egg-info")
        })
        || file.ends_with(".pyc")
        || file.ends_with(".pyo")
        || matches!(*file, ".DS_Store" | ".pypirc")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::archive::tests::read_tar_gz;
    use crate::publish::{pyproject, sha256_hex};

    fn fixture() -> PackageFiles {
        [
            (
                "pyproject.toml",
                "[project]\nname = \"acme-pets\"\nversion = \"1.0.0\"\nreadme = \"README.md\"\n",
            ),
            ("README.md", "# Pets\n"),
            ("src/acme_pets/__init__.py", ""),
            ("src/acme_pets/__pycache__/x.pyc", "junk"),
            ("dist/acme_pets-0.9.0.tar.gz", "old"),
            (".venv/bin/python", "no"),
            ("acme_pets.egg-info/PKG-INFO", "stale"),
            (".pypirc", "[pypi]\npassword = secret"),
            ("PKG-INFO", "stale"),
        ]
        .iter()
        .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
        .collect()
    }

    #[test]
    fn layout() {
        let files = fixture();
        let project = pyproject::read(&files).unwrap();
        let sdist = build(&project, &files, 1_767_225_600).unwrap();
        assert_eq!(sdist.file_name, "acme_pets-1.0.0.tar.gz");
        let entries = read_tar_gz(&sdist.bytes);
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "acme_pets-1.0.0/PKG-INFO",
                "acme_pets-1.0.0/README.md",
                "acme_pets-1.0.0/pyproject.toml",
                "acme_pets-1.0.0/src/acme_pets/__init__.py",
            ]
        );
        assert_eq!(paths, sdist.entries);
        assert_eq!(
            entries[0].body,
            core_metadata::render(&project).into_bytes()
        );
        assert!(
            entries
                .iter()
                .all(|e| e.header.mtime().unwrap() == 1_767_225_600)
        );
        assert!(entries.iter().all(|e| e.header.mode().unwrap() == 0o644));
    }

    #[test]
    fn deterministic() {
        let files = fixture();
        let project = pyproject::read(&files).unwrap();
        let a = build(&project, &files, 7).unwrap();
        let b = build(&project, &files, 7).unwrap();
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.sha256, sha256_hex(&b.bytes));
    }
}
