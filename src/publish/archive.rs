//! Deterministic `.tar.gz` archives for the publish stage (the npm tarball and
//! the sdist share this writer), and the path checks every package builder
//! applies to its input. Pure: bytes in, bytes out.
//!
//! Every entry gets the same metadata whatever the machine: a ustar header,
//! mode 0644, uid/gid 0, empty user and group names, one fixed mtime. No
//! directory entries (npm omits them, and tar readers create parents). The
//! gzip header carries no mtime and no file name, and a fixed OS byte, so the
//! same files always give the same bytes, and so the same npm integrity hash.

use super::PackError;
use flate2::{Compression, GzBuilder};
use std::io::Write;

/// The gzip header's OS byte: 255 is "unknown", the same on every build machine.
const GZIP_OS_UNKNOWN: u8 = 255;

/// Checks a package-relative path before it goes into an archive: `/`-separated,
/// relative, no empty, `.` or `..` segments, no backslashes or control
/// characters (which would extract differently, or outside the target, on
/// some systems).
pub fn check_relative_path(path: &str) -> Result<(), PackError> {
    let bad = |reason: &str| {
        Err(PackError::InvalidPath {
            path: path.to_owned(),
            reason: reason.to_owned(),
        })
    };
    if path.is_empty() {
        return bad("the path is empty");
    }
    if path.starts_with('/') {
        return bad("the path is absolute");
    }
    if path.contains('\\') {
        return bad("the path contains a backslash");
    }
    if path.chars().any(char::is_control) {
        return bad("the path contains a control character");
    }
    if path
        .split('/')
        .any(|segment| segment.is_empty() || segment == "." || segment == "..")
    {
        return bad("the path has an empty, `.` or `..` segment");
    }
    Ok(())
}

/// A gzipped tar of `entries` (archive path, contents), in the order given,
/// every entry stamped with `mtime` (Unix seconds).
pub fn tar_gz<'a>(
    entries: impl IntoIterator<Item = (String, &'a [u8])>,
    mtime: u64,
) -> Result<Vec<u8>, PackError> {
    let gzip = GzBuilder::new()
        .mtime(0)
        .operating_system(GZIP_OS_UNKNOWN)
        .write(Vec::new(), Compression::best());
    let mut tar = tar::Builder::new(gzip);
    for (path, bytes) in entries {
        check_relative_path(&path)?;
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        // Empty names, not "root": the archive should not say who built it.
        header.set_username("").map_err(archive_error)?;
        header.set_groupname("").map_err(archive_error)?;
        tar.append_data(&mut header, &path, bytes)
            .map_err(|e| PackError::Archive(format!("adding {path}: {e}")))?;
    }
    let gzip = tar.into_inner().map_err(archive_error)?;
    let mut bytes = gzip.finish().map_err(archive_error)?;
    bytes.flush().map_err(archive_error)?;
    Ok(bytes)
}

fn archive_error(e: std::io::Error) -> PackError {
    PackError::Archive(e.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Read;

    /// One entry of a `.tar.gz`, as a tar reader sees it.
    pub(crate) struct Entry {
        /// The full path, GNU long names resolved.
        pub path: String,
        pub header: tar::Header,
        pub body: Vec<u8>,
    }

    pub(crate) fn read_tar_gz(bytes: &[u8]) -> Vec<Entry> {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        archive
            .entries()
            .unwrap()
            .map(|entry| {
                let mut entry = entry.unwrap();
                let mut body = Vec::new();
                entry.read_to_end(&mut body).unwrap();
                Entry {
                    path: entry.path().unwrap().display().to_string(),
                    header: entry.header().clone(),
                    body,
                }
            })
            .collect()
    }

    #[test]
    fn entries_carry_fixed_metadata() {
        let bytes = tar_gz(
            [
                ("p/a.txt".to_owned(), b"a".as_slice()),
                ("p/b/c.txt".to_owned(), b"cc".as_slice()),
            ],
            1_767_225_600,
        )
        .unwrap();
        // gzip: magic, deflate, no flags (so no file name), zero mtime, OS unknown.
        assert_eq!(&bytes[..4], &[0x1f, 0x8b, 8, 0]);
        assert_eq!(&bytes[4..8], &[0, 0, 0, 0]);
        assert_eq!(bytes[9], GZIP_OS_UNKNOWN);
        let entries = read_tar_gz(&bytes);
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["p/a.txt", "p/b/c.txt"]);
        for Entry { header, .. } in &entries {
            assert!(header.as_ustar().is_some(), "ustar header");
            assert_eq!(header.mode().unwrap(), 0o644);
            assert_eq!(header.uid().unwrap(), 0);
            assert_eq!(header.gid().unwrap(), 0);
            assert_eq!(header.mtime().unwrap(), 1_767_225_600);
            assert_eq!(header.username().unwrap(), Some(""));
            assert_eq!(header.groupname().unwrap(), Some(""));
            assert_eq!(header.entry_type(), tar::EntryType::Regular);
        }
        assert_eq!(entries[1].body, b"cc");
    }

    #[test]
    fn long_paths_survive() {
        let long = format!("package/{}/file.js", "d".repeat(300));
        let bytes = tar_gz([(long.clone(), b"x".as_slice())], 0).unwrap();
        let entries = read_tar_gz(&bytes);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].path, long);
    }

    #[test]
    fn hostile_paths_are_refused() {
        for path in [
            "",
            "/etc/passwd",
            "a/../../b",
            "a//b",
            "./a",
            "a\\b",
            "a\nb",
        ] {
            assert!(check_relative_path(path).is_err(), "{path:?} accepted");
        }
        assert!(check_relative_path("src/pkg/__init__.py").is_ok());
    }
}
