//! The PyPI requests of the `publish` stage, as data: the legacy upload
//! (the multipart form twine sends), and what a simple index (PEP 503 HTML
//! or PEP 691 JSON) says about a file already there. Pure; `adapters::pypi`
//! sends them.

use super::pyproject::{PyProject, file_name_component};
use super::python_dist::{Kind, PythonDist};
use super::{Presence, core_metadata};
use crate::{pep440, pep503};
use url::Url;

/// A file to upload.
#[derive(Debug, Clone, Copy)]
pub struct Distribution<'a> {
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    /// Hex SHA-256 of `bytes`.
    pub sha256: &'a str,
    pub kind: Kind,
}

// The upload form's names for each kind of distribution.
impl Kind {
    /// The form's `filetype`.
    pub fn filetype(self) -> &'static str {
        match self {
            Kind::Wheel => "bdist_wheel",
            Kind::Sdist => "sdist",
        }
    }

    /// The form's `pyversion`: the wheel's Python tag, or `source`.
    pub fn pyversion(self) -> &'static str {
        match self {
            Kind::Wheel => "py3",
            Kind::Sdist => "source",
        }
    }
}

impl<'a> From<&'a PythonDist> for Distribution<'a> {
    fn from(dist: &'a PythonDist) -> Self {
        Distribution {
            file_name: &dist.file_name,
            bytes: &dist.bytes,
            sha256: &dist.sha256,
            kind: dist.kind,
        }
    }
}

/// A `multipart/form-data` body and its `Content-Type` header.
#[derive(Debug, Clone)]
pub struct Multipart {
    pub content_type: String,
    pub body: Vec<u8>,
}

/// The legacy upload of `dist`: `:action=file_upload`, `protocol_version=1`,
/// the core metadata fields, `sha256_digest`, and the file as `content`.
/// The boundary derives from the file's hash, so the same upload is the
/// same bytes.
pub fn upload_form(project: &PyProject, dist: &Distribution<'_>) -> Multipart {
    let mut fields: Vec<(String, String)> = vec![
        (":action".into(), "file_upload".into()),
        ("protocol_version".into(), "1".into()),
        ("filetype".into(), dist.kind.filetype().into()),
        ("pyversion".into(), dist.kind.pyversion().into()),
        ("sha256_digest".into(), dist.sha256.into()),
    ];
    for (header, value) in core_metadata::headers(project) {
        fields.push((form_field_name(header), value));
    }
    if let Some(readme) = &project.readme {
        fields.push(("description".into(), readme.text.clone()));
    }

    let boundary = boundary_for(dist, &fields);
    let mut body = Vec::with_capacity(dist.bytes.len() + 4096);
    for (name, value) in &fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
                quoted(name)
            )
            .as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"{}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
            quoted(dist.file_name)
        )
        .as_bytes(),
    );
    body.extend_from_slice(dist.bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Multipart {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        body,
    }
}

/// `Requires-Dist` -> `requires_dist`; the two plural names twine uses.
fn form_field_name(header: &str) -> String {
    match header {
        "Classifier" => "classifiers".into(),
        "Project-URL" => "project_urls".into(),
        other => other.to_ascii_lowercase().replace('-', "_"),
    }
}

/// A boundary that occurs in no part: derived from the file's hash, made
/// longer in the (astronomically unlikely) case that it does occur.
fn boundary_for(dist: &Distribution<'_>, fields: &[(String, String)]) -> String {
    let mut boundary = format!("specrelay-{}", &dist.sha256[..dist.sha256.len().min(32)]);
    let occurs = |b: &str| {
        fields.iter().any(|(_, v)| v.contains(b))
            || dist.bytes.windows(b.len()).any(|w| w == b.as_bytes())
    };
    while occurs(&boundary) {
        boundary.push('x');
    }
    boundary
}

/// A form-data name or file name inside double quotes: quotes and line
/// breaks escaped as browsers do (WHATWG percent-encodes them).
fn quoted(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Where the simple index lives for an upload URL: PyPI's and TestPyPI's
/// `…/legacy/` map to their `…/simple/`; any other server (pypiserver,
/// devpi, …) is assumed to serve `simple/` under the upload URL.
pub fn default_index_url(upload: &Url) -> Url {
    let mut index = upload.clone();
    index.set_query(None);
    index.set_fragment(None);
    if upload.host_str() == Some("upload.pypi.org") {
        let _ = index.set_host(Some("pypi.org"));
    }
    let path = upload.path();
    let new_path = match path.strip_suffix("legacy/").or(path.strip_suffix("legacy")) {
        Some(base) => format!("{base}simple/"),
        None if path.ends_with('/') => format!("{path}simple/"),
        None => format!("{path}/simple/"),
    };
    index.set_path(&new_path);
    index
}

/// The project's page on the simple index: `<index>/<normalized name>/`.
pub fn project_page(index: &Url, name: &str) -> Url {
    let mut base = index.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base.join(&format!("{}/", pep503::normalize(name)))
        .expect("a normalised project name is a valid path segment")
}

/// The `Accept` header for a project page: PEP 691 JSON preferred, HTML accepted.
pub const SIMPLE_ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1";

/// One file listed on a project page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFile {
    pub file_name: String,
    /// Lowercase hex, when the index gives it.
    pub sha256: Option<String>,
}

/// Why a project page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("the index answered with a PEP 691 document that is not valid: {0}")]
    Json(String),
    #[error(
        "the index lists {0} without a sha256 hash, so specrelay cannot tell whether it holds the same file"
    )]
    NoHash(String),
}

/// The files on a project page, by its `Content-Type`.
pub fn index_files(content_type: Option<&str>, body: &[u8]) -> Result<Vec<IndexFile>, IndexError> {
    let json = content_type.is_some_and(|ct| {
        ct.trim_start()
            .starts_with("application/vnd.pypi.simple.v1+json")
    });
    if json {
        json_files(body)
    } else {
        Ok(html_files(&String::from_utf8_lossy(body)))
    }
}

fn json_files(body: &[u8]) -> Result<Vec<IndexFile>, IndexError> {
    let doc: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| IndexError::Json(e.to_string()))?;
    let files = doc
        .get("files")
        .and_then(|f| f.as_array())
        .ok_or_else(|| IndexError::Json("no `files` array".into()))?;
    files
        .iter()
        .map(|file| {
            let file_name = file
                .get("filename")
                .and_then(|f| f.as_str())
                .ok_or_else(|| IndexError::Json("a file without `filename`".into()))?;
            let sha256 = file
                .get("hashes")
                .and_then(|h| h.get("sha256"))
                .and_then(|h| h.as_str())
                .map(str::to_ascii_lowercase);
            Ok(IndexFile {
                file_name: file_name.to_owned(),
                sha256,
            })
        })
        .collect()
}

/// PEP 503: every `<a href="…#sha256=…">file name</a>`.
fn html_files(html: &str) -> Vec<IndexFile> {
    let lower = html.to_ascii_lowercase();
    let mut files = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<a").map(|i| at + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</a").map(|i| tag_end + i) else {
            break;
        };
        let tag = &html[start..tag_end];
        let text = unescape(html[tag_end + 1..close].trim());
        at = close;
        let Some(href) = attribute(tag, "href") else {
            continue;
        };
        let href = unescape(&href);
        let sha256 = href
            .split_once('#')
            .and_then(|(_, fragment)| fragment.strip_prefix("sha256="))
            .map(str::to_ascii_lowercase);
        let file_name = if text.is_empty() {
            href.split('#')
                .next()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_owned()
        } else {
            text
        };
        files.push(IndexFile { file_name, sha256 });
    }
    files
}

/// The value of `name="…"` (or `'…'`, or unquoted) in a start tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower[search..].find(name).map(|i| search + i) {
        search = found + name.len();
        let preceded = lower[..found].ends_with(|c: char| c.is_ascii_whitespace());
        let rest = lower[search..].trim_start();
        if !preceded || !rest.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - rest.len() + 1;
        let value = tag[value_start..].trim_start();
        return Some(match value.chars().next()? {
            quote @ ('"' | '\'') => value[1..].split(quote).next()?.to_owned(),
            _ => value
                .split(|c: char| c.is_ascii_whitespace())
                .next()?
                .to_owned(),
        });
    }
    None
}

/// The few character references an index page uses.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Whether `dist` is on the page already, and with the same bytes. File
/// names are compared in their normal form, so `Acme.Pets-1.0.tar.gz`
/// uploaded by another tool still counts as `acme_pets-1.0.tar.gz`.
pub fn presence_in_index(
    files: &[IndexFile],
    dist: &Distribution<'_>,
) -> Result<Presence, IndexError> {
    let ours = canonical_file_name(dist.file_name);
    let Some(listed) = files
        .iter()
        .find(|f| canonical_file_name(&f.file_name) == ours)
    else {
        return Ok(Presence::Missing);
    };
    let published = listed
        .sha256
        .as_deref()
        .ok_or_else(|| IndexError::NoHash(listed.file_name.clone()))?;
    Ok(Presence::compare(dist.sha256, published))
}

/// A distribution file name with its project name and version in normal form.
fn canonical_file_name(file_name: &str) -> String {
    let lower = file_name.to_ascii_lowercase();
    let normal = |name: &str, version: &str| {
        let version = pep440::normalize(version).unwrap_or_else(|_| version.to_owned());
        format!("{}-{version}", file_name_component(name))
    };
    if let Some(stem) = lower.strip_suffix(".whl") {
        let parts: Vec<&str> = stem.split('-').collect();
        if parts.len() >= 5 {
            return format!(
                "{}-{}.whl",
                normal(parts[0], parts[1]),
                parts[2..].join("-")
            );
        }
    }
    for suffix in [".tar.gz", ".zip"] {
        if let Some((name, version)) = lower.strip_suffix(suffix).and_then(|s| s.rsplit_once('-')) {
            return format!("{}{suffix}", normal(name, version));
        }
    }
    lower
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::{PackageFiles, pyproject, sha256_hex, wheel};

    fn built() -> (PyProject, wheel::Wheel) {
        let files: PackageFiles = [
            (
                "pyproject.toml",
                "[project]\nname = \"acme-pets\"\nversion = \"1.0.0\"\ndescription = \"Pets\"\n\
                 readme = \"README.md\"\nrequires-python = \">=3.9\"\n\
                 dependencies = [\"httpx>=0.23,<1\", \"attrs\"]\nclassifiers = [\"Typing :: Typed\"]\n",
            ),
            ("README.md", "# Pets\n"),
            ("acme_pets/__init__.py", ""),
        ]
        .iter()
        .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
        .collect();
        let project = pyproject::read(&files).unwrap();
        let wheel = wheel::build(&project, &files, 0).unwrap();
        (project, wheel)
    }

    /// The form's parts as (name, file name, value), split on the boundary.
    fn parts(form: &Multipart) -> Vec<(String, Option<String>, Vec<u8>)> {
        let boundary = form.content_type.split("boundary=").nth(1).unwrap();
        let delimiter = format!("--{boundary}");
        let text = form.body.clone();
        let mut out = Vec::new();
        let mut rest: &[u8] = &text;
        loop {
            let at = rest
                .windows(delimiter.len())
                .position(|w| w == delimiter.as_bytes())
                .unwrap();
            rest = &rest[at + delimiter.len()..];
            if rest.starts_with(b"--") {
                break;
            }
            let next = rest
                .windows(delimiter.len())
                .position(|w| w == delimiter.as_bytes())
                .unwrap();
            let part = &rest[2..next - 2];
            let split = part.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
            let head = String::from_utf8(part[..split].to_vec()).unwrap();
            let name = head
                .split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let file = head
                .split("filename=\"")
                .nth(1)
                .map(|f| f.split('"').next().unwrap().to_owned());
            out.push((name.to_owned(), file, part[split + 4..].to_vec()));
        }
        out
    }

    #[test]
    fn the_form_twine_sends() {
        let (project, wheel) = built();
        let form = upload_form(&project, &Distribution::from(&wheel));
        assert_eq!(
            form.content_type,
            format!(
                "multipart/form-data; boundary=specrelay-{}",
                &wheel.sha256[..32]
            )
        );
        let parts = parts(&form);
        let value = |name: &str| -> Vec<String> {
            parts
                .iter()
                .filter(|(n, _, _)| n == name)
                .map(|(_, _, v)| String::from_utf8(v.clone()).unwrap())
                .collect()
        };
        assert_eq!(value(":action"), ["file_upload"]);
        assert_eq!(value("protocol_version"), ["1"]);
        assert_eq!(value("filetype"), ["bdist_wheel"]);
        assert_eq!(value("pyversion"), ["py3"]);
        assert_eq!(value("metadata_version"), ["2.1"]);
        assert_eq!(value("name"), ["acme-pets"]);
        assert_eq!(value("version"), ["1.0.0"]);
        assert_eq!(value("summary"), ["Pets"]);
        assert_eq!(value("requires_python"), [">=3.9"]);
        assert_eq!(value("requires_dist"), ["httpx>=0.23,<1", "attrs"]);
        assert_eq!(value("classifiers"), ["Typing :: Typed"]);
        assert_eq!(value("description"), ["# Pets\n"]);
        assert_eq!(value("description_content_type"), ["text/markdown"]);
        assert_eq!(value("sha256_digest"), [sha256_hex(&wheel.bytes)]);
        let content = parts.iter().find(|(n, _, _)| n == "content").unwrap();
        assert_eq!(content.1.as_deref(), Some(wheel.file_name.as_str()));
        assert_eq!(content.2, wheel.bytes);
        // Deterministic: the same upload is the same bytes.
        assert_eq!(
            upload_form(&project, &Distribution::from(&wheel)).body,
            form.body
        );
    }

    #[test]
    fn index_urls() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            default_index_url(&url("https://upload.pypi.org/legacy/")).as_str(),
            "https://pypi.org/simple/"
        );
        assert_eq!(
            default_index_url(&url("https://test.pypi.org/legacy/")).as_str(),
            "https://test.pypi.org/simple/"
        );
        assert_eq!(
            default_index_url(&url("http://127.0.0.1:8080")).as_str(),
            "http://127.0.0.1:8080/simple/"
        );
        assert_eq!(
            project_page(&url("http://127.0.0.1:8080/simple"), "Acme.Pets").as_str(),
            "http://127.0.0.1:8080/simple/acme-pets/"
        );
    }

    #[test]
    fn reads_html_and_json_pages() {
        let html = br#"<!DOCTYPE html><html><body><h1>Links for acme-pets</h1>
            <a href="../../packages/acme_pets-1.0.0-py3-none-any.whl#sha256=ABC123">acme_pets-1.0.0-py3-none-any.whl</a><br>
            <A data-requires-python="&gt;=3.9" HREF='/files/acme_pets-1.0.0.tar.gz#sha256=def'>acme_pets-1.0.0.tar.gz</A>
            <a href="https://x/acme-pets-0.9.tar.gz">acme-pets-0.9.tar.gz</a>
            </body></html>"#;
        assert_eq!(
            index_files(Some("text/html; charset=utf-8"), html).unwrap(),
            [
                IndexFile {
                    file_name: "acme_pets-1.0.0-py3-none-any.whl".into(),
                    sha256: Some("abc123".into())
                },
                IndexFile {
                    file_name: "acme_pets-1.0.0.tar.gz".into(),
                    sha256: Some("def".into())
                },
                IndexFile {
                    file_name: "acme-pets-0.9.tar.gz".into(),
                    sha256: None
                },
            ]
        );
        let json = br#"{"meta": {"api-version": "1.0"}, "name": "acme-pets",
            "files": [{"filename": "acme_pets-1.0.0.tar.gz", "url": "x", "hashes": {"sha256": "DEF"}}]}"#;
        assert_eq!(
            index_files(Some("application/vnd.pypi.simple.v1+json"), json).unwrap(),
            [IndexFile {
                file_name: "acme_pets-1.0.0.tar.gz".into(),
                sha256: Some("def".into())
            }]
        );
        assert!(index_files(Some("application/vnd.pypi.simple.v1+json"), b"{}").is_err());
    }

    #[test]
    fn presence_by_normalised_name_and_hash() {
        let (_, wheel) = built();
        let dist = Distribution::from(&wheel);
        let listed = |name: &str, sha: Option<&str>| {
            vec![IndexFile {
                file_name: name.into(),
                sha256: sha.map(Into::into),
            }]
        };
        assert_eq!(presence_in_index(&[], &dist).unwrap(), Presence::Missing);
        assert_eq!(
            presence_in_index(
                &listed("Acme.Pets-1.0.0-py3-none-any.whl", Some(&wheel.sha256)),
                &dist
            )
            .unwrap(),
            Presence::Same
        );
        assert!(matches!(
            presence_in_index(
                &listed("acme_pets-1.0.0-py3-none-any.whl", Some("00")),
                &dist
            )
            .unwrap(),
            Presence::Different { .. }
        ));
        assert_eq!(
            presence_in_index(
                &listed("acme_pets-1.0.1-py3-none-any.whl", Some("00")),
                &dist
            )
            .unwrap(),
            Presence::Missing
        );
        assert!(
            presence_in_index(&listed("acme_pets-1.0.0-py3-none-any.whl", None), &dist).is_err()
        );
        assert_eq!(
            canonical_file_name("Acme.Pets-1.0.tar.gz"),
            "acme_pets-1.0.tar.gz"
        );
        assert_eq!(
            canonical_file_name("acme_pets-01.0-py3-none-any.whl"),
            "acme_pets-1.0-py3-none-any.whl"
        );
    }
}
