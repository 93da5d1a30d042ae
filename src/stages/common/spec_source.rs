//! Getting a spec into memory for any stage: the bytes of the root document
//! (downloaded, read from the workspace, or read from git history), every
//! file it refers to, then parsing, bundling and validating through `spec`,
//! with each problem shown as an annotation.
//!
//! Referenced files may only come from where the spec itself came from: the
//! same origin or an allowed host for URLs, the spec's own folder for files.

use crate::actions::Annotation;
use crate::adapters::{fs, git, http};
use crate::layout::display_path;
use crate::spec::{self, DocumentSet, Limits, LoadedSpec, Problem, Severity, Validation};
use crate::stages::Context;
use anyhow::{Context as _, Result, bail};
use std::path::PathBuf;
use url::Url;

/// Where documents may be read from, and how.
pub struct Sources {
    downloader: Option<http::Downloader>,
    credential: Option<http::Credential>,
    allowed_hosts: Vec<String>,
    max_bytes: u64,
    /// Read `file:` URLs inside this workspace from a git revision instead.
    git: Option<(PathBuf, String)>,
}

impl Sources {
    /// Downloads over http(s) under the downloader's policy; `file:` URLs
    /// are read from disk (the announcement check decides whether they are allowed).
    pub fn network(
        downloader: http::Downloader,
        credential: Option<http::Credential>,
        allowed_hosts: Vec<String>,
    ) -> Sources {
        let max_bytes = downloader.policy().max_bytes;
        Sources {
            downloader: Some(downloader),
            credential,
            allowed_hosts,
            max_bytes,
            git: None,
        }
    }

    /// Local files only.
    pub fn local(max_bytes: u64) -> Sources {
        Sources {
            downloader: None,
            credential: None,
            allowed_hosts: Vec::new(),
            max_bytes,
            git: None,
        }
    }

    /// Files of `workspace` as they are at git revision `rev`.
    pub fn git_revision(workspace: PathBuf, rev: String, max_bytes: u64) -> Sources {
        Sources {
            git: Some((workspace, rev)),
            ..Sources::local(max_bytes)
        }
    }

    /// The bytes at `url`.
    pub async fn read(&self, url: &Url) -> Result<Vec<u8>> {
        if url.scheme() == "file" {
            let path = url
                .to_file_path()
                .map_err(|_| anyhow::anyhow!("{url} is not a local file path"))?;
            if let Some((workspace, rev)) = &self.git {
                let relative = path.strip_prefix(workspace).with_context(|| {
                    format!(
                        "{} is outside the repository {}",
                        path.display(),
                        workspace.display()
                    )
                })?;
                return git::read_at(workspace, rev, &display_path(relative), self.max_bytes);
            }
            return fs::read_capped(&path, self.max_bytes)
                .with_context(|| format!("reading {url}"));
        }
        let Some(downloader) = &self.downloader else {
            bail!("{url}: this stage reads local files only");
        };
        let downloaded = downloader.get(url, self.credential.as_ref()).await?;
        if downloaded.attempts > 1 {
            tracing::info!("{url}: downloaded after {} attempts", downloaded.attempts);
        }
        Ok(downloaded.bytes)
    }

    /// Parses `bytes` (the document at `url`), reads every file it refers
    /// to, and validates the whole; every problem becomes an annotation.
    pub async fn load(
        &self,
        url: &Url,
        bytes: Vec<u8>,
        validation: Validation,
        ctx: &Context,
    ) -> Result<LoadedSpec> {
        let (spec, ()) = self.load_then(url, bytes, validation, ctx, |_| ()).await?;
        Ok(spec)
    }

    /// [`Sources::load`], running `then` on the upgraded document beside
    /// validation (see [`spec::load_with_then`]).
    pub async fn load_then<T: Send>(
        &self,
        url: &Url,
        bytes: Vec<u8>,
        validation: Validation,
        ctx: &Context,
        then: impl FnOnce(&serde_json::Value) -> T + Send,
    ) -> Result<(LoadedSpec, T)> {
        let root = spec::parse_document_owned(bytes)
            .map_err(|e| anyhow::anyhow!("{url}: {e}"))
            .context("the file is neither valid JSON nor valid YAML")?;
        let limits = Limits::default();
        let set = DocumentSet::with_limits(url.clone(), root, &limits);
        let set = self.complete(url, set, &limits).await;
        match spec::load_with_then(set, &limits, validation, then) {
            Ok((loaded, result)) => {
                let annotations: Vec<_> = loaded
                    .warnings
                    .iter()
                    .map(|w| annotation_for(w, ctx))
                    .collect();
                ctx.runtime.annotate_all(&annotations);
                Ok((loaded, result))
            }
            Err(problems) => {
                let annotations: Vec<_> = problems.iter().map(|p| annotation_for(p, ctx)).collect();
                ctx.runtime.annotate_all(&annotations);
                let errors = problems
                    .iter()
                    .filter(|p| matches!(p.severity, Severity::Error))
                    .count();
                bail!(
                    "{url} is not a valid OpenAPI 3.0/3.1 document: {errors} error{} (listed above)",
                    if errors == 1 { "" } else { "s" }
                )
            }
        }
    }

    /// Reads every document the spec refers to, until the set is closed.
    /// A document that cannot be read is recorded in the set, which reports
    /// it as an unresolvable `$ref` with its location.
    async fn complete(&self, root: &Url, mut set: DocumentSet, limits: &Limits) -> DocumentSet {
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

/// `api.example.com` matches itself; `*.example.com` matches any subdomain.
pub fn host_matches(host: &str, pattern: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(domain) => host.len() > domain.len() && host.ends_with(&format!(".{domain}")),
        None => host == pattern,
    }
}

/// An annotation on the file when the problem lies in a workspace file,
/// otherwise one naming the URL and JSON pointer.
pub fn annotation_for(problem: &Problem, ctx: &Context) -> Annotation {
    let base = match problem.severity {
        Severity::Error => Annotation::error(problem.to_string()),
        Severity::Warning => Annotation::warning(problem.to_string()),
    }
    .with_title("OpenAPI");
    let file = Url::parse(&problem.file)
        .ok()
        .and_then(|u| u.to_file_path().ok())
        .and_then(|p| ctx.workspace_relative(&p));
    match file {
        Some(file) => base.at(file, problem.line),
        None => base,
    }
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
