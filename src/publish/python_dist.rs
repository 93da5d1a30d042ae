//! A built Python distribution, wheel or sdist: the file the `publish`
//! stage uploads to PyPI, and the paths inside it. One type for both,
//! because everything after the build (the hash a re-run compares, the
//! upload) treats them alike but for their [`Kind`]. Pure.

use super::sha256_hex;

/// Which of the two distributions a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Wheel,
    Sdist,
}

/// A built wheel or sdist.
#[derive(Debug, Clone)]
pub struct PythonDist {
    pub kind: Kind,
    /// `acme_pets-1.2.0-py3-none-any.whl`, `acme_pets-1.2.0.tar.gz`.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Hex SHA-256 of the file: what the index records and a re-run compares.
    pub sha256: String,
    /// Paths inside the archive, in archive order.
    pub entries: Vec<String>,
}

impl PythonDist {
    /// The distribution of `kind` whose archive is `bytes`, holding `entries`.
    pub(crate) fn new(
        kind: Kind,
        file_name: String,
        bytes: Vec<u8>,
        entries: Vec<String>,
    ) -> PythonDist {
        PythonDist {
            kind,
            file_name,
            sha256: sha256_hex(&bytes),
            bytes,
            entries,
        }
    }
}
