//! The pure-Python wheel of the `publish` stage, built from `sdk/python`
//! without Python: `{name}-{version}-py3-none-any.whl`, per the binary
//! distribution format specification. Pure: takes the read `pyproject.toml`,
//! the package folder's files and the build time.
//!
//! The zip holds the sources at their install paths, sorted, then
//! `{name}-{version}.dist-info/` with `METADATA`, `WHEEL`,
//! `entry_points.txt` (when there are scripts) and, last, `RECORD`: every
//! file's urlsafe-base64 SHA-256 and size, and `RECORD` itself with empty
//! fields.

use super::archive::check_relative_path;
use super::pyproject::{PyProject, file_name_component};
use super::python_dist::{Kind, PythonDist};
use super::zip::{self, DosDateTime};
use super::{PackError, PackageFiles, core_metadata, record_hash};
use std::collections::BTreeMap;

/// Every wheel this builds is pure Python and runs on any Python 3.
pub const TAG: &str = "py3-none-any";

/// A built wheel (`acme_pets-1.2.0-py3-none-any.whl`): a [`PythonDist`] of
/// [`Kind::Wheel`].
pub type Wheel = PythonDist;

/// Builds the wheel for `project` from the package folder's `files`.
pub fn build(project: &PyProject, files: &PackageFiles, mtime: u64) -> Result<Wheel, PackError> {
    let stem = format!("{}-{}", file_name_component(&project.name), project.version);
    let dist_info = format!("{stem}.dist-info");

    let mut contents: BTreeMap<String, &[u8]> = BTreeMap::new();
    for (path, bytes) in files {
        for source in &project.sources {
            let Some(target) = source.install_path(path) else {
                continue;
            };
            check_relative_path(&target)?;
            if contents.insert(target.clone(), bytes).is_some() {
                return Err(PackError::InvalidPath {
                    path: path.clone(),
                    reason: format!("two source folders install a file at {target}"),
                });
            }
        }
    }
    if contents.is_empty() {
        return Err(PackError::manifest(
            "pyproject.toml",
            "the package's source folders hold no files",
        ));
    }
    if contents
        .keys()
        .any(|p| p.split('/').next() == Some(dist_info.as_str()))
    {
        return Err(PackError::InvalidPath {
            path: dist_info,
            reason: "a source folder has the name of the wheel's metadata folder".into(),
        });
    }

    let mut generated: Vec<(String, Vec<u8>)> = vec![
        (
            format!("{dist_info}/METADATA"),
            core_metadata::render(project).into_bytes(),
        ),
        (format!("{dist_info}/WHEEL"), wheel_file().into_bytes()),
    ];
    if let Some(entry_points) = entry_points(project) {
        generated.push((
            format!("{dist_info}/entry_points.txt"),
            entry_points.into_bytes(),
        ));
    }
    let record_path = format!("{dist_info}/RECORD");
    let mut ordered: Vec<(&str, &[u8])> = contents
        .iter()
        .map(|(path, bytes)| (path.as_str(), *bytes))
        .chain(generated.iter().map(|(p, b)| (p.as_str(), b.as_slice())))
        .collect();
    let record = record(&ordered, &record_path);
    ordered.push((&record_path, record.as_bytes()));

    let bytes = zip::write(ordered.iter().copied(), DosDateTime::from_unix(mtime))?;
    Ok(PythonDist::new(
        Kind::Wheel,
        format!("{stem}-{TAG}.whl"),
        bytes,
        ordered.iter().map(|(p, _)| (*p).to_owned()).collect(),
    ))
}

/// `WHEEL`. The generator carries no version number: a newer specrelay
/// must rebuild a byte-identical wheel, or a re-run after an upgrade would
/// see "different content" for a version it already published.
fn wheel_file() -> String {
    format!("Wheel-Version: 1.0\nGenerator: specrelay\nRoot-Is-Purelib: true\nTag: {TAG}\n")
}

fn entry_points(project: &PyProject) -> Option<String> {
    let mut text = String::new();
    for (section, scripts) in [
        ("console_scripts", &project.scripts),
        ("gui_scripts", &project.gui_scripts),
    ] {
        if scripts.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!("[{section}]\n"));
        for (name, target) in scripts {
            text.push_str(&format!("{name} = {target}\n"));
        }
    }
    (!text.is_empty()).then_some(text)
}

/// `RECORD`: `path,sha256=…,size` per file, then `RECORD,,`.
fn record(entries: &[(&str, &[u8])], record_path: &str) -> String {
    let mut text = String::new();
    for (path, bytes) in entries {
        text.push_str(&format!(
            "{},{},{}\n",
            csv_field(path),
            record_hash(bytes),
            bytes.len()
        ));
    }
    text.push_str(&format!("{},,\n", csv_field(record_path)));
    text
}

/// RECORD is CSV: quote a path with a comma, quote or line break.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::zip::tests::read;
    use crate::publish::{pyproject, sha256_hex};

    fn fixture() -> PackageFiles {
        [
            (
                "pyproject.toml",
                "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n\
                 [project]\nname = \"Acme.Pets\"\nversion = \"2.0.0-rc.1\"\ndescription = \"Pets\"\n\
                 readme = \"README.md\"\nrequires-python = \">=3.9\"\ndependencies = [\"httpx>=0.23,<1\"]\n\
                 [project.scripts]\npets = \"acme_pets.cli:main\"\n",
            ),
            ("README.md", "# Pets\n"),
            ("src/acme_pets/__init__.py", "from .client import Client\n"),
            ("src/acme_pets/client.py", "class Client: ...\n"),
            ("src/acme_pets/py.typed", ""),
            ("src/acme_pets/a,b.py", "x = 1\n"),
            ("src/acme_pets/__pycache__/client.cpython-311.pyc", "junk"),
            ("tests/test_client.py", "def test(): ...\n"),
        ]
        .iter()
        .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
        .collect()
    }

    fn wheel() -> Wheel {
        let files = fixture();
        build(&pyproject::read(&files).unwrap(), &files, 1_767_225_600).unwrap()
    }

    #[test]
    fn layout_and_names() {
        let wheel = wheel();
        assert_eq!(wheel.file_name, "acme_pets-2.0.0rc1-py3-none-any.whl");
        assert_eq!(
            wheel.entries,
            [
                "acme_pets/__init__.py",
                "acme_pets/a,b.py",
                "acme_pets/client.py",
                "acme_pets/py.typed",
                "acme_pets-2.0.0rc1.dist-info/METADATA",
                "acme_pets-2.0.0rc1.dist-info/WHEEL",
                "acme_pets-2.0.0rc1.dist-info/entry_points.txt",
                "acme_pets-2.0.0rc1.dist-info/RECORD",
            ]
        );
        let entries = read(&wheel.bytes);
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, wheel.entries);
        let text = |suffix: &str| {
            let e = entries.iter().find(|e| e.name.ends_with(suffix)).unwrap();
            String::from_utf8(e.data.clone()).unwrap()
        };
        assert_eq!(
            text("/WHEEL"),
            "Wheel-Version: 1.0\nGenerator: specrelay\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        );
        let metadata = text("/METADATA");
        assert!(
            metadata.starts_with("Metadata-Version: 2.1\nName: Acme.Pets\nVersion: 2.0.0rc1\n")
        );
        assert!(metadata.contains("\nRequires-Dist: httpx>=0.23,<1\n"));
        assert!(metadata.ends_with("\n\n# Pets\n"));
        assert_eq!(
            text("/entry_points.txt"),
            "[console_scripts]\npets = acme_pets.cli:main\n"
        );
    }

    #[test]
    fn record_hashes_verify() {
        use base64::Engine as _;
        use sha2::Digest as _;
        let entries = read(&wheel().bytes);
        let record = entries
            .iter()
            .find(|e| e.name.ends_with("/RECORD"))
            .unwrap();
        let record = String::from_utf8(record.data.clone()).unwrap();
        let lines: Vec<&str> = record.lines().collect();
        assert_eq!(lines.len(), entries.len());
        assert!(lines.contains(
            &"\"acme_pets/a,b.py\",sha256=nia_NpkRxFwkPGhBR7I_yeHc_PJX0pmhxjIBam_NM_Q,6"
        ));
        assert_eq!(
            *lines.last().unwrap(),
            "acme_pets-2.0.0rc1.dist-info/RECORD,,"
        );
        for entry in entries.iter().filter(|e| !e.name.ends_with("/RECORD")) {
            let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(&entry.data));
            let name = csv_field(&entry.name);
            let want = format!("{name},sha256={digest},{}", entry.data.len());
            assert!(
                lines.contains(&want.as_str()),
                "{want} not in RECORD:\n{record}"
            );
        }
    }

    #[test]
    fn deterministic() {
        let (a, b) = (wheel(), wheel());
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.sha256, sha256_hex(&b.bytes));
        let files = fixture();
        let later = build(&pyproject::read(&files).unwrap(), &files, 1_767_225_602).unwrap();
        assert_ne!(a.bytes, later.bytes, "the timestamp is in the entries");
    }

    #[test]
    fn timestamps_before_1980_are_clamped() {
        let files = fixture();
        let wheel = build(&pyproject::read(&files).unwrap(), &files, 0).unwrap();
        assert!(read(&wheel.bytes).iter().all(|e| e.date == (1 << 5) | 1));
    }
}
