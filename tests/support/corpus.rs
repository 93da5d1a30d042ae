//! The real-world specs in `../shared/corpus` (or `SPECRELAY_CORPUS`):
//! where they are, which documents are roots, which of them are known to be
//! invalid, and how to read them through `spec`. Third-party data: never
//! copied into this repository.

use specrelay::spec::{self, DocumentSet, Limits, LoadedSpec, Problem};
use std::path::{Path, PathBuf};

/// Specs that really are invalid (or incomplete in this copy), with the reason.
/// Every other root must load and ingest.
pub const EXPECTED_REJECTIONS: &[(&str, &str)] = &[
    (
        "small/clerk/webhooks-2025-04-15.yml",
        "OpenAPI 3.0 document without `paths`, which 3.0 requires (README quirk)",
    ),
    (
        "small/intercom/api.intercom.io-2.11.yaml",
        "dangling $ref '#/components/schemas/custom_attributes' (no such schema)",
    ),
    (
        "history/openai/3-3d557659.yaml",
        "POST /organization/users/{user_id} (and others) never declare the {user_id}-style path parameters",
    ),
    (
        "history/openai/4-0b5efd45.yaml",
        "operations use security schemes bearer_identity_edge / basic_identity_edge that are never defined",
    ),
    (
        "history/openai/5-498c71dd.yaml",
        "undeclared path parameters ({certificate_id} declared as cert_id) and `type: 'null'` in a 3.0 document",
    ),
    (
        "small/vonage/definitions/conversation.yml",
        "refs voice.yml, which is not in the corpus copy",
    ),
    (
        "small/vonage/definitions/voice.v2.yml",
        "refs voice.yml, which is not in the corpus copy",
    ),
];

/// The corpus folder, or `None` when it is absent: then the calling test is
/// registered as skipped (and fails with `CI=true`, see [`super::skip`]) and
/// must return. Every test that needs the corpus starts with
/// `let Some(dir) = corpus::dir() else { return };`.
pub fn dir() -> Option<PathBuf> {
    let found = dir_if_present();
    if found.is_none() {
        super::skip::missing(&format!(
            "no corpus at {} (set SPECRELAY_CORPUS)",
            default_dir().display()
        ));
    }
    found
}

/// The corpus folder, if present, for a test that checks something either
/// way (the fuzz tests take seeds from it, else built-in ones): no skip.
pub fn dir_if_present() -> Option<PathBuf> {
    let dir = default_dir();
    dir.join("MANIFEST.json").is_file().then_some(dir)
}

fn default_dir() -> PathBuf {
    std::env::var_os("SPECRELAY_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

/// Every root document the manifest lists (fragments have no `openapi_version`),
/// as (manifest path, absolute path).
pub fn roots(dir: &Path) -> Vec<(String, PathBuf)> {
    manifest(dir)
        .into_iter()
        .filter(|e| e["openapi_version"].is_string())
        .map(|e| {
            let path = e["path"].as_str().unwrap().to_owned();
            (path.clone(), dir.join(path))
        })
        .collect()
}

pub fn manifest(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read(dir.join("MANIFEST.json")).unwrap();
    serde_json::from_slice::<Vec<serde_json::Value>>(&text).unwrap()
}

pub fn expected_rejection(name: &str) -> Option<&'static str> {
    EXPECTED_REJECTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, why)| *why)
}

/// The files of one version history (`history/stripe`, ...), oldest first.
pub fn history(dir: &Path, sequence: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("history").join(sequence))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort_by_key(|p| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .split('-')
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    });
    files
}

/// One file parsed as it is (JSON or YAML), neither bundled nor validated.
pub fn parse(path: &Path) -> Result<serde_json::Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    spec::parse_document(&bytes)
        .map(|doc| doc.value)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A root document with every file it refers to read from disk, then
/// bundled, validated and upgraded; also returns how many files it took.
pub fn load(path: &Path) -> Result<(LoadedSpec, usize), Vec<Problem>> {
    load_with(path, spec::Validation::Strict)
}

/// [`load`] under another validation mode (generate reads specs with
/// `Validation::Tolerant`).
pub fn load_with(
    path: &Path,
    validation: spec::Validation,
) -> Result<(LoadedSpec, usize), Vec<Problem>> {
    let fail = |message: String| vec![Problem::error(path.display().to_string(), "", message)];
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let root = spec::parse_document(&bytes).map_err(|e| fail(e.to_string()))?;
    let mut set = DocumentSet::new(url::Url::from_file_path(path).expect("absolute path"), root);
    loop {
        let missing = set.missing();
        if missing.is_empty() {
            break;
        }
        for url in missing {
            let result = url
                .to_file_path()
                .map_err(|()| format!("not a file URL: {url}"))
                .and_then(|p| std::fs::read(&p).map_err(|e| e.to_string()))
                .and_then(|b| spec::parse_document(&b).map_err(|e| e.to_string()));
            match result {
                Ok(doc) => set.add(url, doc),
                Err(reason) => set.add_failed(url, reason),
            }
        }
    }
    let documents = set.len();
    spec::load_with(set, &Limits::default(), validation).map(|loaded| (loaded, documents))
}
