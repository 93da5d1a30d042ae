//! The `publish` stage's pure half: the packages it uploads (the npm tarball
//! from `sdk/typescript`, the wheel and sdist from `sdk/python`) and the
//! registry requests that carry them.
//!
//! Nothing here touches the network, the filesystem, the environment or the
//! clock. A builder takes the package folder's files as bytes, already read by
//! the caller, and the build time as a number, so the same inputs always give
//! byte-identical packages, and so the same integrity hashes: that is what
//! lets a re-run recognise a version it already published.

pub mod archive;
pub mod core_metadata;
pub mod npm_registry;
pub mod npm_tarball;
pub mod npmrc;
pub mod pypi_upload;
pub mod pyproject;
pub mod python_dist;
pub mod sdist;
pub mod trusted;
pub mod wheel;
mod zip;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::Digest as _;
use std::collections::BTreeMap;

/// A package folder's files: `/`-separated path relative to the folder, and
/// contents. A `BTreeMap`, so every builder sees them in one sorted order.
pub type PackageFiles = BTreeMap<String, Vec<u8>>;

/// Why a package could not be built. Each names the file or field to fix.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{path:?}: {reason}")]
    InvalidPath { path: String, reason: String },
    #[error("{file}: {reason}")]
    Manifest { file: &'static str, reason: String },
    #[error("{file} is missing from the package folder")]
    MissingFile { file: String },
    #[error("building the archive failed: {0}")]
    Archive(String),
}

impl PackError {
    fn manifest(file: &'static str, reason: impl Into<String>) -> PackError {
        PackError::Manifest {
            file,
            reason: reason.into(),
        }
    }
}

/// Whether a registry already holds a package version, judged by content
/// hash: published versions are immutable, so the same hash means "done"
/// and another hash means "stop".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    Missing,
    Same,
    Different { published: String, built: String },
}

impl Presence {
    /// Compares the hash of what was built with the hash the registry holds.
    pub fn compare(built: &str, published: &str) -> Presence {
        if built == published {
            Presence::Same
        } else {
            Presence::Different {
                published: published.to_owned(),
                built: built.to_owned(),
            }
        }
    }
}

/// `sha512-<base64>`: the Subresource Integrity string npm records as
/// `dist.integrity` and checks on install.
pub fn npm_integrity(bytes: &[u8]) -> String {
    format!("sha512-{}", STANDARD.encode(sha2::Sha512::digest(bytes)))
}

/// Lowercase hex SHA-1: npm's legacy `dist.shasum`.
pub fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(sha1::Sha1::digest(bytes))
}

/// Lowercase hex SHA-256: PyPI's `sha256_digest`, and the `#sha256=` of a
/// simple-index link.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// `sha256=<urlsafe base64, no padding>`: a wheel RECORD hash.
pub fn record_hash(bytes: &[u8]) -> String {
    format!(
        "sha256={}",
        URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(bytes))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_values() {
        // Known answers for "abc" (FIPS 180 test vectors).
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            npm_integrity(b"abc"),
            "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
        );
        assert_eq!(
            record_hash(b"abc"),
            "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }
}
