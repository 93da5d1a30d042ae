//! The one redaction layer: every line that leaves the process (logs,
//! annotations, outputs, the step summary, stdout, usage errors) passes
//! through a [`Redactor`] owned by [`super::Runtime`].
//!
//! It replaces with `***`:
//! - every secret the process knows, registered as soon as it is known
//!   (inputs and flags in `cli::SECRET_INPUTS`, `.npmrc` tokens, OIDC and
//!   minted tokens, app keys line by line), in its raw form and base64-encoded
//!   (alone, or as the `__token__:` and `x-access-token:` passwords of HTTP
//!   Basic);
//! - whatever follows `Bearer ` / `Basic ` / `token ` in an `Authorization`
//!   style echo, known or not: servers echo the header they were sent;
//! - credential-looking query parameters (`access_token`, `sig`, ...) and
//!   user information in URLs ([`scrub_url`], also used before a URL is stored).
//!
//! The runner masks only what it is told with `::add-mask::`, and never the
//! step summary or files; this layer covers both, and also local runs.

use base64::Engine as _;
use std::borrow::Cow;
use std::sync::{Arc, RwLock};

/// What a redacted value is replaced with (the runner's own mask).
pub const MASK: &str = "***";

/// Secrets shorter than this are not registered: replacing every `a` or
/// `true` in the logs would hide everything and protect nothing.
const MIN_SECRET_LEN: usize = 6;

/// Usernames that carry a token as the Basic password (PyPI, git over https).
const BASIC_USERNAMES: &[&str] = &["__token__", "x-access-token", "oauth2"];

/// Query parameters whose values are credentials (lower case; also any name
/// ending in `token`, `secret`, `signature`, `password` or `_key`).
const CREDENTIAL_PARAMS: &[&str] = &[
    "access_token",
    "token",
    "key",
    "apikey",
    "api_key",
    "api-key",
    "sig",
    "signature",
    "auth",
    "code",
    "jwt",
    "password",
    "passwd",
    "secret",
    "client_secret",
    "x-amz-credential",
    "x-amz-security-token",
    "x-amz-signature",
    "x-goog-credential",
    "x-goog-signature",
];

/// The secrets known so far; shared by every clone of the `Runtime` and by
/// the log writer.
#[derive(Debug, Default)]
pub struct Redactor {
    /// Every form of every secret, longest first so that a secret that
    /// contains another is replaced whole.
    forms: RwLock<Vec<String>>,
}

impl Redactor {
    pub fn new() -> Arc<Redactor> {
        Arc::new(Redactor::default())
    }

    /// Registers `secret` and returns the forms the runner should mask:
    /// the raw value and its base64 encodings. Short values are ignored.
    /// A multi-line secret (a PEM key) is registered line by line too.
    pub fn add(&self, secret: &str) -> Vec<String> {
        let secret = secret.trim();
        if secret.len() < MIN_SECRET_LEN {
            return Vec::new();
        }
        let mut forms = forms_of(secret);
        if secret.contains('\n') {
            for line in secret.lines().map(str::trim) {
                if line.len() >= MIN_SECRET_LEN && !line.starts_with("-----") {
                    forms.push(line.to_owned());
                }
            }
        }
        let mut known = self.forms.write().unwrap_or_else(|e| e.into_inner());
        let new: Vec<String> = forms.into_iter().filter(|f| !known.contains(f)).collect();
        known.extend(new.iter().cloned());
        known.sort_by_key(|f| std::cmp::Reverse(f.len()));
        new
    }

    /// `text` with every known secret, every echoed credential and every
    /// credential in a URL replaced by `***`.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        {
            let known = self.forms.read().unwrap_or_else(|e| e.into_inner());
            for form in known.iter() {
                if out.contains(form.as_str()) {
                    out = Cow::Owned(out.replace(form.as_str(), MASK));
                }
            }
        }
        if let Some(echo) = redact_auth_echo(&out) {
            out = Cow::Owned(echo);
        }
        if let Some(urls) = scrub_urls_in(&out) {
            out = Cow::Owned(urls);
        }
        out
    }
}

fn forms_of(secret: &str) -> Vec<String> {
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let mut forms = vec![secret.to_owned()];
    for engine in engines {
        forms.push(engine.encode(secret));
        for user in BASIC_USERNAMES {
            forms.push(engine.encode(format!("{user}:{secret}")));
        }
    }
    forms.retain(|f| f.len() >= MIN_SECRET_LEN);
    forms.dedup();
    forms
}

/// Masks the credential after `Bearer`, `Basic` or `token` (any case), as an
/// echoed `Authorization` header shows it. `None` when there is none.
fn redact_auth_echo(text: &str) -> Option<String> {
    const SCHEMES: &[&str] = &["bearer ", "basic ", "token "];
    let lower = text.to_ascii_lowercase();
    let mut hits: Vec<(usize, usize)> = Vec::new();
    for scheme in SCHEMES {
        let mut from = 0;
        while let Some(i) = lower[from..].find(scheme) {
            let start = from + i + scheme.len();
            let end = text[start..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '<'))
                .map_or(text.len(), |n| start + n);
            // A word after "token " in prose is short, or is not made of
            // credential characters ("token (invalid-publisher: ...)");
            // credentials are long, of token characters, with a digit.
            let word = &text[start..end];
            let credential_like = word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~+/=:".contains(c))
                && (*scheme != "token " || word.chars().any(|c| c.is_ascii_digit()));
            if word.len() >= 12 && word != MASK && credential_like {
                hits.push((start, end));
            }
            from = end.max(start);
        }
    }
    if hits.is_empty() {
        return None;
    }
    hits.sort();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in hits {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Is `name` a query parameter that carries a credential?
fn is_credential_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    CREDENTIAL_PARAMS.contains(&name.as_str())
        || ["token", "secret", "signature", "password", "_key", "-key"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// `url` without user information, and with the value of every credential
/// query parameter replaced by `***`: safe to print and to store.
pub fn scrub_url(url: &url::Url) -> url::Url {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_credential_param(&k) {
                    MASK.to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        if pairs.iter().any(|(_, v)| v == MASK) {
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
    }
    url
}

/// Every `http(s)://` URL in `text` through [`scrub_url`]; `None` when
/// nothing changed.
fn scrub_urls_in(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut at = 0;
    let mut changed = false;
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let colon = from + i;
        let start = text[..colon]
            .rfind(|c: char| !c.is_ascii_alphanumeric() && c != '+' && c != '.' && c != '-')
            .map_or(0, |n| n + 1);
        let end = text[colon..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | ')'))
            .map_or(text.len(), |n| colon + n);
        from = end.max(colon + 3);
        // Sentence punctuation after a URL is not part of it.
        let end = start
            + text[start..end]
                .trim_end_matches(['.', ',', ':', ';', '!', '?'])
                .len();
        let candidate = &text[start..end];
        let Ok(url) = url::Url::parse(candidate) else {
            continue;
        };
        let scrubbed = scrub_url(&url);
        if scrubbed != url && start >= at {
            out.push_str(&text[at..start]);
            out.push_str(scrubbed.as_str());
            at = end;
            changed = true;
        }
    }
    changed.then(|| {
        out.push_str(&text[at..]);
        out
    })
}

/// At most `max` characters of `text`, on one line: what a server said is
/// worth showing, but not megabytes of it.
pub fn bound(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > max {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line
    }
}

/// A `tracing` writer that redacts each log event before it reaches stderr.
#[derive(Clone)]
pub struct RedactingStderr(pub Arc<Redactor>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactingStderr {
    type Writer = EventWriter;
    fn make_writer(&'a self) -> EventWriter {
        EventWriter {
            redactor: self.0.clone(),
            buffer: Vec::new(),
        }
    }
}

/// Collects one event and writes it, redacted, when dropped: the formatter
/// writes an event in pieces, and a secret may span two of them.
pub struct EventWriter {
    redactor: Arc<Redactor>,
    buffer: Vec<u8>,
}

impl std::io::Write for EventWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.buffer);
        let redacted = self.redactor.redact(&text);
        let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), redacted.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "ghp_0123456789abcdefABCDEF";

    #[test]
    fn a_known_secret_is_masked_in_every_form() {
        let r = Redactor::new();
        let forms = r.add(TOKEN);
        assert!(forms.len() >= 3, "{forms:?}");
        let b64 = base64::engine::general_purpose::STANDARD.encode(TOKEN);
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("__token__:{TOKEN}"));
        for text in [
            format!("you sent {TOKEN}"),
            format!("raw base64 {b64}!"),
            format!("header was Basic {basic}"),
            format!("embedded x{basic}y"),
        ] {
            let out = r.redact(&text);
            assert!(
                !out.contains(TOKEN) && !out.contains(&b64) && !out.contains(&basic),
                "{out}"
            );
            assert!(out.contains(MASK), "{out}");
        }
    }

    #[test]
    fn prose_after_token_is_left_alone() {
        let r = Redactor::new();
        let text =
            "refused to mint an upload token (invalid-publisher: valid token, but no publisher)";
        assert_eq!(r.redact(text), text);
    }

    #[test]
    fn echoed_authorization_is_masked_even_unknown() {
        let r = Redactor::new();
        let out = r.redact("401: you sent \"Bearer abcdefghijklmnopqrstuvwx\", try again");
        assert_eq!(out, "401: you sent \"Bearer ***\", try again");
        let out = r.redact("authorization: basic X190b2tlbl9fOnB5cGktQWdF");
        assert_eq!(out, "authorization: basic ***");
        // Prose is left alone.
        assert_eq!(r.redact("the token expired"), "the token expired");
    }

    #[test]
    fn short_values_are_not_registered() {
        let r = Redactor::new();
        assert!(r.add("true").is_empty());
        assert_eq!(r.redact("true story"), "true story");
    }

    #[test]
    fn urls_lose_credentials() {
        let url = url::Url::parse(
            "https://user:pw@example.com/spec.json?access_token=abc&v=2&X-Amz-Signature=f00&my_token=z",
        )
        .unwrap();
        assert_eq!(
            scrub_url(&url).as_str(),
            "https://example.com/spec.json?access_token=***&v=2&X-Amz-Signature=***&my_token=***"
        );
        let r = Redactor::new();
        assert_eq!(
            r.redact("fetching https://h.io/a?sig=s3cr3t&x=1: HTTP 403"),
            "fetching https://h.io/a?sig=***&x=1: HTTP 403"
        );
        assert_eq!(
            r.redact("see https://example.com/docs."),
            "see https://example.com/docs."
        );
    }

    #[test]
    fn bound_cuts_long_bodies() {
        assert_eq!(bound("a\n b", 10), "a b");
        assert_eq!(bound(&"x".repeat(50), 10), format!("{}…", "x".repeat(10)));
    }
}
