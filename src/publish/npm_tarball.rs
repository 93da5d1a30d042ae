//! The npm tarball for the `publish` stage: what `npm pack` would make of the
//! `sdk/typescript` folder, built without npm. Pure: the caller passes the
//! folder's files and the build time.
//!
//! Files are chosen as npm chooses them when `package.json` has a `files`
//! list (the generated SDK always has one): the listed files and folders
//! (`*` and `**` globs and `!` exclusions work), plus the files npm always
//! packs (`package.json`, `README*`, `LICENSE*`/`LICENCE*`, `COPYING*`, the
//! `main` file), minus the files npm never packs (VCS folders,
//! `node_modules`, `.npmrc`, lockfiles, editor leftovers). Without a `files`
//! list everything but those is packed, as npm does; a folder that relies
//! on `.npmignore` is refused rather than packed differently from npm.
//!
//! Entries live under `package/`, sorted, with the fixed metadata of
//! [`super::archive`].

use super::archive::{check_relative_path, tar_gz};
use super::{PackError, PackageFiles, npm_integrity, sha1_hex};
use serde_json::{Map, Value};

const PACKAGE_JSON: &str = "package.json";

/// A packed npm package and the hashes the registry records for it.
#[derive(Debug, Clone)]
pub struct NpmTarball {
    pub name: String,
    pub version: semver::Version,
    /// `package.json` as written, keys in their order.
    pub manifest: Map<String, Value>,
    /// The paths packed, relative to the package folder (without `package/`).
    pub files: Vec<String>,
    /// The `.tgz` bytes.
    pub bytes: Vec<u8>,
    /// `sha512-<base64>`, npm's `dist.integrity`.
    pub integrity: String,
    /// Hex SHA-1, npm's `dist.shasum`.
    pub shasum: String,
}

impl NpmTarball {
    /// `{name}-{version}.tgz`, the attachment name `npm publish` uses (the
    /// scope stays in: `@acme/pets-1.0.0.tgz`).
    pub fn attachment_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }

    /// The name `npm pack` gives the file on disk: `acme-pets-1.0.0.tgz`.
    pub fn file_name(&self) -> String {
        let flat = self.name.trim_start_matches('@').replace('/', "-");
        format!("{flat}-{}.tgz", self.version)
    }
}

/// Packs `files` (the package folder) with every entry stamped `mtime`.
pub fn build(files: &PackageFiles, mtime: u64) -> Result<NpmTarball, PackError> {
    let raw = files
        .get(PACKAGE_JSON)
        .ok_or_else(|| PackError::MissingFile {
            file: PACKAGE_JSON.into(),
        })?;
    let manifest = parse_manifest(raw)?;
    let name = required_string(&manifest, "name")?;
    check_package_name(&name)?;
    let version_text = required_string(&manifest, "version")?;
    let version = semver::Version::parse(&version_text).map_err(|e| {
        PackError::manifest(
            "package.json",
            format!("\"version\": {version_text:?} is not a semantic version: {e}"),
        )
    })?;
    if version.to_string() != version_text {
        return Err(PackError::manifest(
            "package.json",
            format!(
                "\"version\": write {version_text:?} as {version} (npm stores the normal form)"
            ),
        ));
    }
    let packed = select_files(&manifest, files)?;
    for path in &packed {
        check_relative_path(path)?;
    }
    let bytes = tar_gz(
        packed
            .iter()
            .map(|path| (format!("package/{path}"), files[path].as_slice())),
        mtime,
    )?;
    Ok(NpmTarball {
        name,
        version,
        manifest,
        files: packed,
        integrity: npm_integrity(&bytes),
        shasum: sha1_hex(&bytes),
        bytes,
    })
}

fn parse_manifest(raw: &[u8]) -> Result<Map<String, Value>, PackError> {
    match serde_json::from_slice(raw) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(PackError::manifest("package.json", "is not a JSON object")),
        Err(e) => Err(PackError::manifest(
            "package.json",
            format!("is not valid JSON: {e}"),
        )),
    }
}

fn required_string(manifest: &Map<String, Value>, key: &str) -> Result<String, PackError> {
    match manifest.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(PackError::manifest(
            "package.json",
            format!("{key:?} must be a non-empty string"),
        )),
    }
}

/// The rules npm applies to new package names: at most 214 characters,
/// lowercase, URL-safe, optionally `@scope/`, not starting with `.` or `_`.
pub fn check_package_name(name: &str) -> Result<(), PackError> {
    let bad = |why: &str| {
        Err(PackError::manifest(
            "package.json",
            format!("\"name\": {name:?} is not a valid npm package name: {why}"),
        ))
    };
    if name.len() > 214 {
        return bad("longer than 214 characters");
    }
    let bare = match name.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((scope, bare)) if valid_name_part(scope) => bare,
            _ => return bad("a scoped name is @scope/name"),
        },
        None => name,
    };
    if !valid_name_part(bare) {
        return bad("use lowercase letters, digits, `-`, `.` and `_`");
    }
    if bare.starts_with(['.', '_']) {
        return bad("it may not start with `.` or `_`");
    }
    if matches!(bare, "node_modules" | "favicon.ico") {
        return bad("the name is reserved");
    }
    Ok(())
}

fn valid_name_part(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b))
}

/// The files npm would pack, sorted.
fn select_files(
    manifest: &Map<String, Value>,
    files: &PackageFiles,
) -> Result<Vec<String>, PackError> {
    let patterns = match manifest.get("files") {
        None => {
            if files.contains_key(".npmignore") {
                return Err(PackError::manifest(
                    "package.json",
                    "there is an .npmignore but no \"files\" list; specrelay packs by \"files\" only",
                ));
            }
            None
        }
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.as_str()),
                    _ => Err(PackError::manifest(
                        "package.json",
                        "\"files\" must list strings",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => {
            return Err(PackError::manifest(
                "package.json",
                "\"files\" must be an array",
            ));
        }
    };
    let main = manifest
        .get("main")
        .and_then(Value::as_str)
        .map(|m| m.trim_start_matches("./").to_owned());
    Ok(files
        .keys()
        .filter(|path| !never_packed(path))
        .filter(|path| {
            always_packed(path)
                || main.as_deref() == Some(path.as_str())
                || patterns
                    .as_ref()
                    .is_none_or(|patterns| listed(patterns, path))
        })
        .cloned()
        .collect())
}

/// Files npm packs whatever `files` says: the manifest, readme, licence.
fn always_packed(path: &str) -> bool {
    if path.contains('/') {
        return false;
    }
    let stem = path.split('.').next().unwrap_or("").to_ascii_lowercase();
    path == PACKAGE_JSON
        || (stem == "readme" && path.matches('.').count() <= 1)
        || matches!(stem.as_str(), "license" | "licence" | "copying")
}

/// Files npm never packs: VCS data, installed dependencies, credentials,
/// lockfiles and editor leftovers.
fn never_packed(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    let file = segments.last().copied().unwrap_or("");
    let in_excluded_folder = segments[..segments.len() - 1].iter().any(|dir| {
        matches!(
            *dir,
            ".git" | ".svn" | ".hg" | "CVS" | "node_modules" | ".DS_Store"
        ) || dir.starts_with("._")
    });
    let at_root = segments.len() == 1;
    in_excluded_folder
        || matches!(
            file,
            ".git" | ".svn" | ".hg" | "CVS" | ".npmrc" | ".DS_Store" | "npm-debug.log"
        )
        || file.starts_with("._")
        || file.ends_with(".orig")
        || (file.starts_with('.') && file.ends_with(".swp"))
        || (at_root
            && (matches!(
                file,
                ".npmignore"
                    | ".gitignore"
                    | "package-lock.json"
                    | "yarn.lock"
                    | "pnpm-lock.yaml"
                    | "bun.lockb"
                    | ".lock-wscript"
            ) || file.starts_with(".wafpickle-")))
}

/// Whether `files` patterns select `path`: the last matching pattern wins,
/// and `!pattern` deselects.
fn listed(patterns: &[&str], path: &str) -> bool {
    let mut selected = false;
    for raw in patterns {
        let (negated, pattern) = match raw.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, *raw),
        };
        let pattern = pattern
            .trim_start_matches("./")
            .trim_start_matches('/')
            .trim_end_matches('/');
        if !pattern.is_empty() && selects(pattern, path) {
            selected = !negated;
        }
    }
    selected
}

/// A pattern selects a file it matches, or any file inside a folder it matches.
fn selects(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    (1..=path.len()).any(|n| glob_segments(&pattern, &path[..n]))
}

/// Path-segment glob: `**` spans any number of segments, `*` and `?` stay
/// within one.
fn glob_segments(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| glob_segments(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => {
                glob_segment(first.as_bytes(), segment.as_bytes()) && glob_segments(rest, path_rest)
            }
            None => false,
        },
    }
}

fn glob_segment(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| glob_segment(rest, &text[skip..])),
        Some((b'?', rest)) => !text.is_empty() && glob_segment(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && glob_segment(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::archive::tests::read_tar_gz;

    fn package(extra: &[(&str, &str)]) -> PackageFiles {
        [
            (
                "package.json",
                r#"{"name":"@acme/pets","version":"1.2.0-beta.1","main":"./index.js","files":["index.js","lib/"]}"#,
            ),
            ("index.js", "export {};\n"),
            ("lib/a.js", "a\n"),
            ("lib/deep/b.js", "b\n"),
            ("README.md", "# pets\n"),
            ("LICENSE", "MIT\n"),
            ("notes.txt", "not listed\n"),
            ("package-lock.json", "{}"),
            ("lib/node_modules/x/index.js", "no"),
            (".npmrc", "//registry/:_authToken=secret"),
        ]
        .iter()
        .chain(extra)
        .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
        .collect()
    }

    #[test]
    fn packs_what_npm_would() {
        let tarball = build(&package(&[]), 499_162_500).unwrap();
        assert_eq!(
            tarball.files,
            [
                "LICENSE",
                "README.md",
                "index.js",
                "lib/a.js",
                "lib/deep/b.js",
                "package.json"
            ]
        );
        let entries = read_tar_gz(&tarball.bytes);
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "package/LICENSE",
                "package/README.md",
                "package/index.js",
                "package/lib/a.js",
                "package/lib/deep/b.js",
                "package/package.json"
            ]
        );
        assert!(
            entries
                .iter()
                .all(|e| e.header.mtime().unwrap() == 499_162_500)
        );
        assert_eq!(tarball.attachment_name(), "@acme/pets-1.2.0-beta.1.tgz");
        assert_eq!(tarball.file_name(), "acme-pets-1.2.0-beta.1.tgz");
    }

    #[test]
    fn same_input_same_bytes() {
        let a = build(&package(&[]), 1_767_225_600).unwrap();
        let b = build(&package(&[]), 1_767_225_600).unwrap();
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.integrity, b.integrity);
        let later = build(&package(&[]), 1_767_225_601).unwrap();
        assert_ne!(a.integrity, later.integrity, "the mtime is in the bytes");
    }

    #[test]
    fn hashes_are_of_the_tgz() {
        use base64::Engine as _;
        use sha2::Digest as _;
        let tarball = build(&package(&[]), 0).unwrap();
        let digest = sha2::Sha512::digest(&tarball.bytes);
        let b64 = tarball.integrity.strip_prefix("sha512-").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(decoded, digest.as_slice());
        assert_eq!(
            tarball.shasum,
            hex::encode(sha1::Sha1::digest(&tarball.bytes))
        );
        assert_eq!(tarball.shasum.len(), 40);
    }

    #[test]
    fn files_patterns() {
        let files = package(&[
            ("dist/x.js", "x"),
            ("dist/x.test.js", "t"),
            ("docs/a/b.md", "d"),
        ]);
        let mut manifest = parse_manifest(&files["package.json"]).unwrap();
        manifest.insert(
            "files".into(),
            serde_json::json!(["dist/**/*.js", "!dist/*.test.js", "docs"]),
        );
        let chosen = select_files(&manifest, &files).unwrap();
        assert!(chosen.contains(&"dist/x.js".to_owned()));
        assert!(!chosen.contains(&"dist/x.test.js".to_owned()));
        assert!(chosen.contains(&"docs/a/b.md".to_owned()));
        assert!(
            chosen.contains(&"index.js".to_owned()),
            "main is always packed"
        );
        assert!(!chosen.contains(&"lib/a.js".to_owned()));

        manifest.remove("files");
        let everything = select_files(&manifest, &files).unwrap();
        assert!(everything.contains(&"notes.txt".to_owned()));
        assert!(
            !everything.contains(&".npmrc".to_owned()),
            "never pack credentials"
        );
        assert!(!everything.contains(&"package-lock.json".to_owned()));
        assert!(!everything.contains(&"lib/node_modules/x/index.js".to_owned()));
    }

    #[test]
    fn bad_manifests_are_named() {
        let with = |json: &str| {
            let mut files = package(&[]);
            files.insert("package.json".into(), json.as_bytes().to_vec());
            build(&files, 0).unwrap_err().to_string()
        };
        assert!(with("[]").contains("not a JSON object"));
        assert!(
            with(r#"{"name":"Pets","version":"1.0.0"}"#).contains("not a valid npm package name")
        );
        assert!(with(r#"{"name":"pets","version":"1.0"}"#).contains("not a semantic version"));
        assert!(with(r#"{"name":"pets","version":"v1.0.0"}"#).contains("not a semantic version"));
        assert!(with(r#"{"name":"pets","version":"1.0.0","files":"x"}"#).contains("array"));
        let mut no_manifest = package(&[]);
        no_manifest.remove("package.json");
        assert!(matches!(
            build(&no_manifest, 0),
            Err(PackError::MissingFile { .. })
        ));
    }

    #[test]
    fn package_names() {
        for good in ["pets", "@acme/pets", "a.b-c_d", "feature-pets"] {
            assert!(check_package_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Pets",
            "@acme",
            "@/x",
            ".x",
            "_x",
            "a b",
            "node_modules",
            "a~b",
        ] {
            assert!(check_package_name(bad).is_err(), "{bad}");
        }
        assert!(check_package_name(&"a".repeat(215)).is_err());
    }
}
