//! `ingest`: getting the spec's bytes, and those of every file it refers to,
//! over https (or http/file where the run allows) through the HTTP adapter.
//!
//! Referenced files may only come from where the spec itself came from: the
//! same origin or an allowed host for URLs, the spec's own folder for files.

use super::request::host_matches;
use crate::adapters::{fs, http};
use crate::spec::{self, DocumentSet, Limits};
use anyhow::{Context, Result, bail};
use url::Url;

/// Where documents may be read from, and how.
pub struct Sources {
    pub downloader: http::Downloader,
    pub credential: Option<http::Credential>,
    pub allowed_hosts: Vec<String>,
}

impl Sources {
    /// The bytes at `url`: a download, or a capped file read for `file:`.
    pub async fn read(&self, url: &Url) -> Result<Vec<u8>> {
        if url.scheme() == "file" {
            let path = url
                .to_file_path()
                .map_err(|_| anyhow::anyhow!("{url} is not a local file path"))?;
            return fs::read_capped(&path, self.downloader.policy().max_bytes)
                .with_context(|| format!("reading {url}"));
        }
        let downloaded = self.downloader.get(url, self.credential.as_ref()).await?;
        if downloaded.attempts > 1 {
            tracing::info!("{url}: downloaded after {} attempts", downloaded.attempts);
        }
        Ok(downloaded.bytes)
    }

    /// Reads every document the spec refers to, until the set is closed.
    /// A document that cannot be read is recorded in the set, which reports it
    /// as an unresolvable `$ref` with its location.
    pub async fn complete(&self, root: &Url, mut set: DocumentSet, limits: &Limits) -> DocumentSet {
        loop {
            let missing = set.missing();
            if missing.is_empty() {
                return set;
            }
            for location in missing {
                if set.len() >= limits.max_documents {
                    set.add_failed(
                        location,
                        format!(
                            "the spec refers to more than {} files",
                            limits.max_documents
                        ),
                    );
                    continue;
                }
                let loaded = match may_follow(root, &location, &self.allowed_hosts) {
                    Err(reason) => Err(reason),
                    Ok(()) => match self.read(&location).await {
                        Ok(bytes) => spec::parse_document(&bytes).map_err(|e| e.to_string()),
                        Err(e) => Err(format!("{e:#}")),
                    },
                };
                match loaded {
                    Ok(doc) => set.add(location, doc),
                    Err(reason) => set.add_failed(location, reason),
                }
            }
        }
    }
}

/// May a spec at `root` pull in `target`?
pub fn may_follow(root: &Url, target: &Url, allowed_hosts: &[String]) -> Result<(), String> {
    if root.scheme() == "file" {
        if target.scheme() != "file" {
            return Err(format!(
                "a local spec may only refer to local files, not {target}"
            ));
        }
        let folder = root.join(".").map_err(|e| e.to_string())?;
        if !target.as_str().starts_with(folder.as_str()) {
            return Err(format!(
                "{target} is outside the spec's folder {folder}; referenced files must live beside the spec"
            ));
        }
        return Ok(());
    }
    if target.scheme() == "file" {
        return Err(format!(
            "a downloaded spec may not read local files ({target})"
        ));
    }
    if target.origin() == root.origin() {
        return Ok(());
    }
    let host = target.host_str().unwrap_or_default().to_ascii_lowercase();
    if allowed_hosts.iter().any(|p| host_matches(&host, p)) {
        return Ok(());
    }
    Err(format!(
        "{target} is on another origin than the spec; add its host to `allowed_hosts` to allow it"
    ))
}

/// Refuses bytes whose SHA-256 is not the announced one.
pub fn verify_checksum(bytes: &[u8], expected: &str, url: &Url) -> Result<()> {
    let actual = spec::sha256_hex(bytes);
    if actual != expected {
        bail!(
            "checksum mismatch for {url}: the announcement says sha256 {expected}, \
             the {} bytes downloaded hash to {actual}. The file changed after it was \
             announced, or the announcement is wrong; nothing was stored",
            bytes.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn references_stay_where_the_spec_came_from() {
        let root = u("https://api.example.com/specs/openapi.yaml");
        assert!(may_follow(&root, &u("https://api.example.com/specs/common.yaml"), &[]).is_ok());
        assert!(may_follow(&root, &u("https://cdn.example.com/c.yaml"), &[]).is_err());
        assert!(
            may_follow(
                &root,
                &u("https://cdn.example.com/c.yaml"),
                &["*.example.com".into()]
            )
            .is_ok()
        );
        assert!(may_follow(&root, &u("file:///etc/passwd"), &[]).is_err());
        let local = u("file:///work/spec/openapi.yaml");
        assert!(may_follow(&local, &u("file:///work/spec/defs/a.yaml"), &[]).is_ok());
        assert!(may_follow(&local, &u("file:///etc/passwd"), &[]).is_err());
        assert!(may_follow(&local, &u("https://x.io/a.yaml"), &[]).is_err());
    }
}
