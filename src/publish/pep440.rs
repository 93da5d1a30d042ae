//! PEP 440 versions for the Python packages of the `publish` stage: parsed
//! and written in their normal form, which wheel and sdist file names,
//! `METADATA` and the upload must all use (`1.0.0-beta.1` is `1.0.0b1`).
//! Pure; no comparison, only normalisation.

/// Why a version string is not a PEP 440 version.
#[derive(Debug, thiserror::Error)]
#[error(
    "{version:?} is not a PEP 440 version ({reason}); write it like 1.2.0, 1.2.0rc1 or 1.2.0.post1"
)]
pub struct VersionError {
    pub version: String,
    pub reason: &'static str,
}

/// The normal form of a PEP 440 version: lowercase, `v` and leading zeros
/// dropped, pre-release spellings unified (`alpha`->`a`, `beta`->`b`,
/// `c`/`pre`/`preview`->`rc`), implicit numbers made explicit (`1.0a` ->
/// `1.0a0`), `-N` read as `.postN`, local separators turned into `.`.
pub fn normalize(version: &str) -> Result<String, VersionError> {
    let text = version.trim().to_ascii_lowercase();
    let fail = |reason| VersionError {
        version: version.to_owned(),
        reason,
    };
    let mut s = Scanner {
        rest: text.strip_prefix('v').unwrap_or(&text),
    };
    let mut out = String::new();

    let (public, local) = match s.rest.split_once('+') {
        Some((public, local)) => (public, Some(local)),
        None => (s.rest, None),
    };
    s.rest = public;
    let first = s.number().ok_or(fail("it must start with a number"))?;
    if s.eat("!") {
        out.push_str(&format!("{first}!"));
        out.push_str(
            &s.number()
                .ok_or(fail("a release number must follow the epoch"))?,
        );
    } else {
        out.push_str(&first);
    }
    while s.rest.starts_with('.') && s.rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
        s.eat(".");
        out.push('.');
        out.push_str(&s.number().expect("a digit follows"));
    }

    let checkpoint = s.rest;
    s.separator();
    if let Some(tag) = s.word(&[
        ("alpha", "a"),
        ("beta", "b"),
        ("preview", "rc"),
        ("pre", "rc"),
        ("rc", "rc"),
        ("a", "a"),
        ("b", "b"),
        ("c", "rc"),
    ]) {
        out.push_str(tag);
        out.push_str(&s.optional_number());
    } else {
        s.rest = checkpoint;
    }

    let checkpoint = s.rest;
    if s.eat("-") && s.rest.starts_with(|c: char| c.is_ascii_digit()) {
        out.push_str(&format!(".post{}", s.number().expect("a digit follows")));
    } else {
        s.rest = checkpoint;
        s.separator();
        if s.word(&[("post", ""), ("rev", ""), ("r", "")]).is_some() {
            out.push_str(&format!(".post{}", s.optional_number()));
        } else {
            s.rest = checkpoint;
        }
    }

    let checkpoint = s.rest;
    s.separator();
    if s.word(&[("dev", "")]).is_some() {
        out.push_str(&format!(".dev{}", s.optional_number()));
    } else {
        s.rest = checkpoint;
    }

    if !s.rest.is_empty() {
        return Err(fail("unexpected text after the release"));
    }
    if let Some(local) = local {
        let parts: Vec<&str> = local.split(['.', '-', '_']).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(fail(
                "a local version is letters and digits separated by `.`",
            ));
        }
        let parts: Vec<String> = parts
            .iter()
            .map(|p| {
                if p.bytes().all(|b| b.is_ascii_digit()) {
                    strip_zeros(p)
                } else {
                    (*p).to_owned()
                }
            })
            .collect();
        out.push('+');
        out.push_str(&parts.join("."));
    }
    Ok(out)
}

struct Scanner<'a> {
    rest: &'a str,
}

impl Scanner<'_> {
    fn eat(&mut self, token: &str) -> bool {
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// Digits, without their leading zeros.
    fn number(&mut self) -> Option<String> {
        let end = self
            .rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(self.rest.len());
        if end == 0 {
            return None;
        }
        let digits = &self.rest[..end];
        self.rest = &self.rest[end..];
        Some(strip_zeros(digits))
    }

    /// An optional separator, then a number; 0 when there is none.
    fn optional_number(&mut self) -> String {
        let checkpoint = self.rest;
        self.separator();
        self.number().unwrap_or_else(|| {
            self.rest = checkpoint;
            "0".to_owned()
        })
    }

    fn separator(&mut self) {
        let _ = self.eat(".") || self.eat("-") || self.eat("_");
    }

    /// The first of `words` the text starts with, as its normal spelling.
    fn word(&mut self, words: &[(&str, &'static str)]) -> Option<&'static str> {
        let (word, normal) = words.iter().find(|(w, _)| self.rest.starts_with(w))?;
        self.rest = &self.rest[word.len()..];
        Some(normal)
    }
}

fn strip_zeros(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("1.0+ubuntu-1", "1.0+ubuntu.1"),
            ("1.0+abc.007", "1.0+abc.7"),
            ("2.0.0a1.post2.dev3", "2.0.0a1.post2.dev3"),
        ];
        for (input, want) in table {
            assert_eq!(normalize(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn non_versions_are_refused() {
        for bad in [
            "",
            "latest",
            "1.0.0-beta.x",
            "1.0.0+",
            "1.0.0+a..b",
            "1.0 0",
            "1.0.0-gamma",
        ] {
            assert!(normalize(bad).is_err(), "{bad:?} accepted");
        }
    }
}
