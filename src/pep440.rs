//! PEP 440 versions, as far as specrelay needs them, in one place: the
//! Python SDK is versioned and published under one (`generate`, `publish`:
//! file names, `METADATA` and the upload all use the normal form), and the
//! `downstream` stage writes them into Python manifests and compares them
//! with what is there. [`from_any`] turns any spec `info.version` into a
//! valid version; [`Version`] parses, orders and prints strict ones. Pure.
//!
//! Covered: epoch, release, pre-release (`a`, `b`, `rc`), post-release and
//! dev-release segments, with the normalisations PEP 440 allows on input
//! (`1.0-Beta.1`, `v1.0`, `1.0.post-2`, `1.0-1`). Local versions (`+abc`)
//! are rejected: PyPI refuses them, so a manifest pinned to one is not
//! something specrelay should rewrite.
//!
//! [`Version::from_semver`] maps the SDK's semver version to PEP 440:
//! `1.2.0-beta.1` -> `1.2.0b1`, `1.2.0-rc.2` -> `1.2.0rc2`,
//! `1.2.0-alpha` -> `1.2.0a0`, `1.2.0-dev.3` -> `1.2.0.dev3`. Pre-release
//! labels with no PEP 440 equivalent and build metadata are errors rather
//! than guesses, since a wrong mapping would reorder versions on PyPI.

use std::cmp::Ordering;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Pep440Error {
    #[error("{0:?} is not a PEP 440 version")]
    Invalid(String),
    #[error("{0:?} is a local version (`+...`), which package indexes do not accept")]
    Local(String),
    #[error(
        "semver {version} has pre-release {pre:?}, which has no PEP 440 equivalent \
         (use alpha.N, beta.N, rc.N or dev.N)"
    )]
    UnmappedPreRelease { version: String, pre: String },
    #[error(
        "semver {0} has build metadata, which PEP 440 can only express as a local \
         version, and package indexes refuse those"
    )]
    BuildMetadata(String),
}

/// The kind of a pre-release, in PEP 440 order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreKind {
    Alpha,
    Beta,
    Rc,
}

impl PreKind {
    fn as_str(self) -> &'static str {
        match self {
            PreKind::Alpha => "a",
            PreKind::Beta => "b",
            PreKind::Rc => "rc",
        }
    }

    /// The spellings PEP 440 normalises to each kind.
    fn from_label(label: &str) -> Option<PreKind> {
        match label {
            "a" | "alpha" => Some(PreKind::Alpha),
            "b" | "beta" => Some(PreKind::Beta),
            "rc" | "c" | "pre" | "preview" => Some(PreKind::Rc),
            _ => None,
        }
    }
}

/// A public PEP 440 version.
#[derive(Debug, Clone)]
pub struct Version {
    pub epoch: u64,
    /// At least one component.
    pub release: Vec<u64>,
    pub pre: Option<(PreKind, u64)>,
    pub post: Option<u64>,
    pub dev: Option<u64>,
}

impl Version {
    /// Parses a version, accepting the spellings PEP 440 normalises.
    pub fn parse(text: &str) -> Result<Version, Pep440Error> {
        let invalid = || Pep440Error::Invalid(text.to_owned());
        let lower = text.trim().to_ascii_lowercase();
        if lower.contains('+') {
            return Err(Pep440Error::Local(text.to_owned()));
        }
        let mut rest = lower.strip_prefix('v').unwrap_or(&lower);
        let epoch = match rest.split_once('!') {
            Some((epoch, after)) => {
                rest = after;
                number(epoch).ok_or_else(invalid)?
            }
            None => 0,
        };
        let release_end = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        // A trailing dot belongs to the next segment (`1.0.dev1`).
        let release_text = rest[..release_end].trim_end_matches('.');
        rest = &rest[release_text.len()..];
        let release = release_text
            .split('.')
            .map(number)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(invalid)?;
        let mut version = Version {
            epoch,
            release,
            pre: None,
            post: None,
            dev: None,
        };
        let mut segments = Segments { rest };
        if let Some((label, n)) = segments.labelled(|l| PreKind::from_label(l).is_some()) {
            version.pre = PreKind::from_label(label).map(|kind| (kind, n));
        }
        if let Some(n) = segments.implicit_post() {
            version.post = Some(n);
        } else if let Some((_, n)) = segments.labelled(|l| matches!(l, "post" | "rev" | "r")) {
            version.post = Some(n);
        }
        if let Some((_, n)) = segments.labelled(|l| l == "dev") {
            version.dev = Some(n);
        }
        if segments.rest.is_empty() {
            Ok(version)
        } else {
            Err(invalid())
        }
    }

    /// The PEP 440 version a semver version is published as (see the module docs).
    pub fn from_semver(version: &semver::Version) -> Result<Version, Pep440Error> {
        if !version.build.is_empty() {
            return Err(Pep440Error::BuildMetadata(version.to_string()));
        }
        let mut out = Version {
            epoch: 0,
            release: vec![version.major, version.minor, version.patch],
            pre: None,
            post: None,
            dev: None,
        };
        if version.pre.is_empty() {
            return Ok(out);
        }
        let unmapped = || Pep440Error::UnmappedPreRelease {
            version: version.to_string(),
            pre: version.pre.to_string(),
        };
        let ids: Vec<&str> = version.pre.split('.').collect();
        let (label, n) = match ids.as_slice() {
            [label] => split_trailing_number(label),
            [label, n] => (*label, number(n).ok_or_else(unmapped)?),
            _ => return Err(unmapped()),
        };
        let label = label.to_ascii_lowercase();
        if label == "dev" {
            out.dev = Some(n);
        } else {
            out.pre = Some((PreKind::from_label(&label).ok_or_else(unmapped)?, n));
        }
        Ok(out)
    }

    /// The first `n` release components, padded with zeros: the shape of a
    /// `~=` or `==X.Y.*` clause with `n` components.
    pub fn release_prefix(&self, n: usize) -> Vec<u64> {
        (0..n)
            .map(|i| self.release.get(i).copied().unwrap_or(0))
            .collect()
    }

    /// A pre-release in PEP 440's sense, which counts dev releases.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// The suffix after the release (`b1.post2.dev3`), canonical spelling.
    pub fn suffix(&self) -> String {
        let mut out = String::new();
        if let Some((kind, n)) = self.pre {
            out.push_str(&format!("{}{n}", kind.as_str()));
        }
        if let Some(n) = self.post {
            out.push_str(&format!(".post{n}"));
        }
        if let Some(n) = self.dev {
            out.push_str(&format!(".dev{n}"));
        }
        out
    }

    fn release_cmp(&self, other: &Version) -> Ordering {
        // Trailing zeros do not count: 1.0 == 1.0.0.
        let len = self.release.len().max(other.release.len());
        self.release_prefix(len).cmp(&other.release_prefix(len))
    }

    /// PEP 440's sort key for the segments after the release. A dev release
    /// of a final version sorts before its pre-releases.
    fn suffix_key(&self) -> (Bound<(PreKind, u64)>, Bound<u64>, Bound<u64>) {
        let pre = match (self.pre, self.post, self.dev) {
            (None, None, Some(_)) => Bound::Below,
            (None, _, _) => Bound::Above,
            (Some(pre), _, _) => Bound::At(pre),
        };
        let post = self.post.map_or(Bound::Below, Bound::At);
        let dev = self.dev.map_or(Bound::Above, Bound::At);
        (pre, post, dev)
    }
}

/// A segment value, or the absence of one sorting below or above every value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bound<T> {
    Below,
    At(T),
    Above,
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.release_cmp(other))
            .then_with(|| self.suffix_key().cmp(&other.suffix_key()))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}!", self.epoch)?;
        }
        write!(f, "{}{}", join_release(&self.release), self.suffix())
    }
}

/// The tokens of a pre-release, letters and digits apart: `beta1.2` ->
/// `beta`, `1`, `2`.
fn pre_release_tokens(rest: &str, is_sep: impl Fn(char) -> bool) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    for chunk in rest.split(is_sep).filter(|c| !c.is_empty()) {
        let mut current = String::new();
        for c in chunk.chars() {
            let switch = current
                .chars()
                .last()
                .is_some_and(|p| p.is_ascii_digit() != c.is_ascii_digit());
            if switch {
                tokens.push(std::mem::take(&mut current));
            }
            current.push(c);
        }
        tokens.push(current);
    }
    tokens
}

/// The spec's version in PEP 440 spelling, for Python packages. Total: any
/// text gives a valid version.
///
/// - A leading `v` goes; the release is the leading run of dot-separated
///   numbers, without leading zeros (`v1.02` -> `1.2`). A version made only
///   of numbers and one kind of separator is all release (`2023-08-16` ->
///   `2023.8.16`).
/// - A semver pre-release becomes a PEP 440 one: `alpha`/`a` -> `a`,
///   `beta`/`b` -> `b`, `rc`/`c`/`pre`/`preview` -> `rc`, `post` -> `.post`,
///   anything else (`SNAPSHOT`, `dev`, `nightly`) -> `.dev`; the number is
///   the first number that follows (0 if none): `1.2.0-beta.1` -> `1.2.0b1`,
///   `1.0.27-SNAPSHOT` -> `1.0.27.dev0`.
/// - Build metadata (`+build.5`) is dropped: PyPI refuses local versions.
/// - No release number at all: `0` (so `latest` -> `0.dev0`).
pub fn from_any(raw: &str) -> String {
    let text = raw.trim();
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let text = text.split('+').next().unwrap_or_default();
    let is_sep = |c: char| matches!(c, '.' | '-' | '_');
    let number = |s: &str| -> String {
        let trimmed = s.trim_start_matches('0');
        if trimmed.is_empty() {
            "0".into()
        } else {
            trimmed.into()
        }
    };
    let mut separators: Vec<char> = text.chars().filter(|c| is_sep(*c)).collect();
    separators.dedup();
    if !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || is_sep(c))
        && text.starts_with(|c: char| c.is_ascii_digit())
        && separators.len() <= 1
    {
        let parts: Vec<String> = text
            .split(is_sep)
            .filter(|p| !p.is_empty())
            .map(number)
            .collect();
        return parts.join(".");
    }
    // The release: digits and dots up to the first other character.
    let release_end = text
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || (c == '.' && text[i + 1..].starts_with(|n: char| n.is_ascii_digit())))
        })
        .map_or(text.len(), |(i, _)| i);
    let release: Vec<String> = text[..release_end]
        .split('.')
        .filter(|p| !p.is_empty())
        .map(number)
        .collect();
    let release = if release.is_empty() {
        "0".to_owned()
    } else {
        release.join(".")
    };
    let rest = text[release_end..].trim_start_matches(is_sep);
    if rest.is_empty() {
        return release;
    }
    let tokens = pre_release_tokens(rest, is_sep);
    let tag = tokens
        .iter()
        .find(|t| !t.starts_with(|c: char| c.is_ascii_digit()))
        .map(|t| t.to_ascii_lowercase());
    let tag_position = tokens
        .iter()
        .position(|t| !t.starts_with(|c: char| c.is_ascii_digit()));
    let n = tokens
        .iter()
        .skip(tag_position.map_or(0, |p| p + 1))
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .map_or_else(|| "0".to_owned(), |t| number(t));
    let suffix = match tag.as_deref() {
        Some("a" | "alpha") => "a",
        Some("b" | "beta") => "b",
        Some("c" | "rc" | "pre" | "preview") => "rc",
        Some("post" | "rev" | "r") => ".post",
        _ => ".dev",
    };
    format!("{release}{suffix}{n}")
}

/// The normal form of a version string (`v1.0-Beta.1` -> `1.0b1`): what
/// wheel and sdist file names, `METADATA` and uploads must carry.
pub fn normalize(text: &str) -> Result<String, Pep440Error> {
    Version::parse(text).map(|v| v.to_string())
}

/// `[1, 2, 0]` -> `1.2.0`
pub fn join_release(release: &[u64]) -> String {
    release
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `beta1` -> (`beta`, 1); `beta` -> (`beta`, 0).
fn split_trailing_number(id: &str) -> (&str, u64) {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (label, n) = id.split_at(id.len() - digits);
    (label, number(n).unwrap_or(0))
}

/// The segments after the release, consumed left to right.
struct Segments<'a> {
    rest: &'a str,
}

impl<'a> Segments<'a> {
    /// `[sep] label [sep] [N]`, where `label` is accepted by `accept`.
    fn labelled(&mut self, accept: impl Fn(&str) -> bool) -> Option<(&'a str, u64)> {
        let after_sep = self.rest.trim_start_matches(['.', '-', '_']);
        if self.rest.len() - after_sep.len() > 1 {
            return None;
        }
        let label_len = after_sep
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after_sep.len());
        let label = &after_sep[..label_len];
        if label.is_empty() || !accept(label) {
            return None;
        }
        let mut rest = &after_sep[label_len..];
        let after_num_sep = rest.trim_start_matches(['.', '-', '_']);
        let digits = after_num_sep
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after_num_sep.len());
        let n = if digits > 0 && rest.len() - after_num_sep.len() <= 1 {
            rest = &after_num_sep[digits..];
            number(&after_num_sep[..digits])?
        } else {
            0
        };
        self.rest = rest;
        Some((label, n))
    }

    /// The `1.0-1` spelling of `1.0.post1`.
    fn implicit_post(&mut self) -> Option<u64> {
        let digits_start = self.rest.strip_prefix('-')?;
        let len = digits_start
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits_start.len());
        let n = number(&digits_start[..len])?;
        self.rest = &digits_start[len..];
        Some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn assert_ascending(versions: &[impl AsRef<str>]) {
        for pair in versions.windows(2) {
            let (a, b) = (pair[0].as_ref(), pair[1].as_ref());
            assert!(v(a) < v(b), "{a} < {b}");
        }
    }

    fn semver(text: &str) -> Result<String, Pep440Error> {
        Version::from_semver(&semver::Version::parse(text).unwrap()).map(|v| v.to_string())
    }

    #[test]
    fn semver_versions_map_to_their_pep440_spelling() {
        assert_eq!(semver("1.2.0").unwrap(), "1.2.0");
        assert_eq!(semver("1.2.0-beta.1").unwrap(), "1.2.0b1");
        assert_eq!(semver("1.2.0-alpha").unwrap(), "1.2.0a0");
        assert_eq!(semver("1.2.0-rc.2").unwrap(), "1.2.0rc2");
        assert_eq!(semver("1.2.0-RC3").unwrap(), "1.2.0rc3");
        assert_eq!(semver("1.2.0-dev.3").unwrap(), "1.2.0.dev3");
        assert!(matches!(
            semver("1.2.0-snapshot.1"),
            Err(Pep440Error::UnmappedPreRelease { .. })
        ));
        assert!(matches!(
            semver("1.2.0-beta.1.2"),
            Err(Pep440Error::UnmappedPreRelease { .. })
        ));
        assert!(matches!(
            semver("1.2.0+build.5"),
            Err(Pep440Error::BuildMetadata(_))
        ));
    }

    #[test]
    fn the_semver_mapping_keeps_semver_order() {
        let order = [
            "1.0.0-alpha.1",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-rc.1",
            "1.0.0",
        ];
        let mapped: Vec<String> = order.iter().map(|s| semver(s).unwrap()).collect();
        assert_ascending(&mapped);
    }

    #[test]
    fn input_spellings_are_normalised() {
        for (input, canonical) in [
            ("1.0", "1.0"),
            ("v1.0.0", "1.0.0"),
            ("1.0-Beta.1", "1.0b1"),
            ("1.0.0alpha", "1.0.0a0"),
            ("1.0c1", "1.0rc1"),
            ("1.0.post-2", "1.0.post2"),
            ("1.0-1", "1.0.post1"),
            ("1.0rev3", "1.0.post3"),
            ("1.0.dev", "1.0.dev0"),
            ("1!2.0rc1.post1.dev2", "1!2.0rc1.post1.dev2"),
        ] {
            assert_eq!(v(input).to_string(), canonical, "{input}");
        }
        for bad in ["", "1.", "1..0", "1.0x", "1.0-beta-beta", "abc"] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(matches!(
            Version::parse("1.0+local"),
            Err(Pep440Error::Local(_))
        ));
    }

    #[test]
    fn ordering_follows_pep440() {
        let order = [
            "1.0.dev1",
            "1.0a1.dev1",
            "1.0a1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "2!0.1",
        ];
        assert_ascending(&order);
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("1.3").release_prefix(3), vec![1, 3, 0]);
    }

    #[test]
    fn normal_forms() {
        // Examples from PEP 440's normalisation section, and semver-style input.
        let table = [
            ("1.0", "1.0"),
            ("v1.0.0", "1.0.0"),
            ("1.0.0-beta.1", "1.0.0b1"),
            ("1.0.0-rc.2", "1.0.0rc2"),
            ("1.0.0-alpha", "1.0.0a0"),
            ("1.1RC1", "1.1rc1"),
            ("1.0c1", "1.0rc1"),
            ("1.0-preview2", "1.0rc2"),
            ("1.0a.1", "1.0a1"),
            ("1.0-1", "1.0.post1"),
            ("1.0-r4", "1.0.post4"),
            ("1.0post", "1.0.post0"),
            ("1.0.dev", "1.0.dev0"),
            ("1.0-dev2", "1.0.dev2"),
            ("01.02.003", "1.2.3"),
            ("1!2.0", "1!2.0"),
            ("2.0.0a1.post2.dev3", "2.0.0a1.post2.dev3"),
        ];
        for (input, want) in table {
            assert_eq!(normalize(input).unwrap(), want, "{input}");
        }
        for bad in [
            "",
            "latest",
            "1.0.0-beta.x",
            "1.0 0",
            "1.0.0-gamma",
            "1.0+local.1",
        ] {
            assert!(normalize(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn any_version_string_maps_to_a_valid_one() {
        let table = [
            ("1.2.0", "1.2.0"),
            ("1.2.0-beta.1", "1.2.0b1"),
            ("1.2.0-alpha.2", "1.2.0a2"),
            ("1.2.0-alpha", "1.2.0a0"),
            ("1.0.0-rc.1", "1.0.0rc1"),
            ("1.0.0-RC1", "1.0.0rc1"),
            ("1.0.0-preview.3", "1.0.0rc3"),
            ("1.0.27-SNAPSHOT", "1.0.27.dev0"),
            ("1.0.0-dev.4", "1.0.0.dev4"),
            ("1.0.0-post.1", "1.0.0.post1"),
            ("1.0.0-0.3.7", "1.0.0.dev0"),
            ("1.0.0-x.7.z.92", "1.0.0.dev7"),
            ("1.0.0+build.5", "1.0.0"),
            ("1.0.0-beta.2+exp.sha.5114f85", "1.0.0b2"),
            ("v1", "1"),
            ("V2.01", "2.1"),
            ("72", "72"),
            ("1.0", "1.0"),
            ("2023-08-16", "2023.8.16"),
            ("latest", "0.dev0"),
            ("", "0"),
        ];
        for (raw, expected) in table {
            assert_eq!(from_any(raw), expected, "{raw}");
            assert_eq!(normalize(expected).as_deref(), Ok(expected), "{raw}");
        }
    }
}
