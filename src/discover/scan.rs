//! The markup scanner: finds `data-integration` declarations, with their
//! other `data-integration-*` attributes, in the bytes of one HTML, JSX/TSX,
//! Vue or Svelte file.
//!
//! It does not parse the whole file (a TSX module is not markup, and a
//! tokenizer per language would cost far more than the search): it looks
//! for the bytes `data-integration` with memchr's SIMD substring search, and
//! only around a hit finds the tag that holds it. The tag is the nearest `<`
//! followed by a tag name whose attributes, read forward with quotes and
//! `{...}` expressions skipped as units, reach the hit; so a `>` inside an
//! arrow function (`onClick={() => go()}`) or a quoted value does not end
//! the tag early. A hit that no tag holds (prose, a CSS selector, a
//! `querySelector("[data-integration]")`) is not a declaration, and neither
//! is one inside an HTML comment.
//!
//! Accepted values: `"name"`, `'name'`, unquoted `name` (HTML), and a string
//! literal in braces (`{"name"}`, `{'name'}`, JSX/Svelte). Vue bindings
//! (`:data-integration`, `v-bind:data-integration`) and other expressions
//! cannot be read without running the code: they are reported as malformed,
//! as are a missing or empty value, a name that is not kebab-case, an
//! unterminated value or tag, and `data-integration-*` attributes on a tag
//! without `data-integration`.
//!
//! Pure: bytes in, declarations and warnings out.

use memchr::memmem;
use serde::Serialize;
use std::collections::BTreeMap;

/// The attribute that declares an integration; its `-suffix` attributes describe it.
pub const ATTRIBUTE: &str = "data-integration";

/// How far before a hit the tag's `<` is looked for: a tag with more
/// attribute text than this before the declaration is not recognised.
const TAG_WINDOW: usize = 16 * 1024;
/// How many `<` candidates are tried before a hit is taken for prose.
const MAX_CANDIDATES: usize = 16;
/// The leading bytes in which a NUL marks a file as binary (as git and ripgrep do).
const BINARY_PROBE: usize = 8 * 1024;

/// One declaration: `<div data-integration="name" data-integration-version="^3">`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    pub name: String,
    /// 1-based line of the `data-integration` attribute.
    pub line: u32,
    /// The other `data-integration-*` attributes, by suffix (`version`),
    /// with `""` for an attribute without a value.
    pub attributes: BTreeMap<String, String>,
}

/// A declaration that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub line: u32,
    pub message: String,
}

/// What one file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileScan {
    pub declarations: Vec<Declaration>,
    pub malformed: Vec<Malformed>,
    /// The file has a NUL byte near its start: not scanned.
    pub binary: bool,
}

/// Whether `name` is a valid integration name: kebab-case ASCII
/// (`address-validation`), 1 to 100 characters.
pub fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 100
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
        && !name.contains("--")
}

/// The scanner; build it once and share it between threads.
pub struct Scanner {
    finder: memmem::Finder<'static>,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner {
            finder: memmem::Finder::new(ATTRIBUTE.as_bytes()),
        }
    }
}

impl Scanner {
    pub fn new() -> Scanner {
        Scanner::default()
    }

    /// Whether `bytes` mention `data-integration` at all (the fast path:
    /// most files do not).
    pub fn mentions(&self, bytes: &[u8]) -> bool {
        self.finder.find(bytes).is_some()
    }

    /// Every declaration in `bytes`, in file order.
    pub fn scan(&self, bytes: &[u8]) -> FileScan {
        let mut out = FileScan::default();
        if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some() {
            out.binary = true;
            return out;
        }
        let mut lines = LineCounter::default();
        let mut handled_to = 0;
        for hit in self.finder.find_iter(bytes) {
            if hit < handled_to || in_comment(bytes, hit) {
                continue;
            }
            let Some(tag) = enclosing_tag(bytes, hit) else {
                continue;
            };
            handled_to = tag.end;
            read_tag(bytes, &tag, &mut lines, &mut out);
        }
        out
    }
}

/// Counts newlines forward only, so a file's lines are counted once.
struct LineCounter {
    counted_to: usize,
    line: u32,
}

impl Default for LineCounter {
    fn default() -> Self {
        LineCounter {
            counted_to: 0,
            line: 1,
        }
    }
}

impl LineCounter {
    /// The 1-based line of `offset`; offsets must not go backwards.
    fn line_at(&mut self, bytes: &[u8], offset: usize) -> u32 {
        if offset > self.counted_to {
            let newlines = memchr::memchr_iter(b'\n', &bytes[self.counted_to..offset]).count();
            self.line += u32::try_from(newlines).unwrap_or(u32::MAX);
            self.counted_to = offset;
        }
        self.line
    }
}

/// The declaration (or the problems) of one tag that mentions `data-integration`.
fn read_tag(bytes: &[u8], tag: &Tag, lines: &mut LineCounter, out: &mut FileScan) {
    let mut declared: Option<(String, u32)> = None;
    let mut attributes = BTreeMap::new();
    let mut orphan_line = None;
    for attribute in &tag.attributes {
        let bare = attribute
            .name
            .strip_prefix("v-bind:")
            .or_else(|| attribute.name.strip_prefix(':'));
        let Some(suffix) = bare.unwrap_or(&attribute.name).strip_prefix(ATTRIBUTE) else {
            continue;
        };
        let line = lines.line_at(bytes, attribute.name_start);
        let mut malformed = |message: String| out.malformed.push(Malformed { line, message });
        let value = match (&attribute.value, bare.is_some()) {
            (_, true) | (Value::Expression, _) => {
                malformed(format!(
                    "{} is bound to an expression; discover reads only literal values \
                     (write {ATTRIBUTE}{suffix}=\"...\")",
                    attribute.name
                ));
                continue;
            }
            (Value::Unterminated, _) => {
                malformed(format!("{}: the value never closes", attribute.name));
                continue;
            }
            (Value::Missing, _) => None,
            (Value::Literal(text), _) => Some(text.trim().to_owned()),
        };
        if suffix.is_empty() {
            match value {
                None => malformed(format!("{ATTRIBUTE} has no value")),
                Some(name) if name.is_empty() => malformed(format!("{ATTRIBUTE} is empty")),
                Some(name) if !valid_name(&name) => malformed(format!(
                    "{ATTRIBUTE}={name:?} is not a valid integration name \
                     (lowercase letters, digits and single hyphens)"
                )),
                Some(name) => declared = Some((name, line)),
            }
        } else if let Some(key) = suffix.strip_prefix('-').filter(|k| !k.is_empty()) {
            attributes.insert(key.to_owned(), value.unwrap_or_default());
            orphan_line.get_or_insert(line);
        }
    }
    if !tag.closed
        && let Some((_, line)) = &declared
    {
        out.malformed.push(Malformed {
            line: *line,
            message: "the tag holding this declaration never closes with `>`".to_owned(),
        });
        return;
    }
    match declared {
        Some((name, line)) => out.declarations.push(Declaration {
            name,
            line,
            attributes,
        }),
        None => {
            if let Some(line) = orphan_line
                && !attributes.is_empty()
            {
                let names: Vec<String> = attributes
                    .keys()
                    .map(|k| format!("{ATTRIBUTE}-{k}"))
                    .collect();
                out.malformed.push(Malformed {
                    line,
                    message: format!("{} on a tag without a valid {ATTRIBUTE}", names.join(", ")),
                });
            }
        }
    }
}

/// One attribute of a tag, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Attribute {
    name_start: usize,
    name: String,
    value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    /// `name` alone.
    Missing,
    /// A quoted, unquoted or braced string literal.
    Literal(String),
    /// `{expression}` or a bound attribute.
    Expression,
    /// A quote or brace that never closes.
    Unterminated,
}

/// A tag's attributes and where it ends.
struct Tag {
    attributes: Vec<Attribute>,
    /// Just past the closing `>`, or the end of the file.
    end: usize,
    closed: bool,
}

impl Tag {
    fn new(attributes: Vec<Attribute>, end: usize, closed: bool) -> Tag {
        Tag {
            attributes,
            end,
            closed,
        }
    }
}

/// The tag whose attribute list contains `hit`, trying the nearest `<`s.
fn enclosing_tag(bytes: &[u8], hit: usize) -> Option<Tag> {
    let lo = hit.saturating_sub(TAG_WINDOW);
    let mut upper = hit;
    for _ in 0..MAX_CANDIDATES {
        let open = lo + memchr::memrchr(b'<', &bytes[lo..upper])?;
        upper = open;
        if !bytes.get(open + 1).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let tag = parse_tag(bytes, open);
        let covers = tag
            .attributes
            .iter()
            .any(|a| a.name_start <= hit && hit < a.name_start + a.name.len());
        if covers {
            return Some(tag);
        }
    }
    None
}

/// Whether `hit` sits inside an HTML comment that opens within the window.
fn in_comment(bytes: &[u8], hit: usize) -> bool {
    let lo = hit.saturating_sub(TAG_WINDOW);
    let window = &bytes[lo..hit];
    match memmem::rfind(window, b"<!--") {
        Some(open) => memmem::find(&window[open..], b"-->").is_none(),
        None => false,
    }
}

fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace()
}

/// Reads the attributes of the tag opening at `open` (`<name ...>`).
fn parse_tag(bytes: &[u8], open: usize) -> Tag {
    let mut i = open + 1;
    while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' && bytes[i] != b'/' {
        i += 1;
    }
    let mut attributes = Vec::new();
    loop {
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i) {
            None => {
                return Tag::new(attributes, bytes.len(), false);
            }
            Some(b'>') => {
                return Tag::new(attributes, i + 1, true);
            }
            Some(b'{') => {
                // A JSX spread `{...props}` or Svelte shorthand `{name}`.
                i = skip_braces(bytes, i).unwrap_or(bytes.len());
                continue;
            }
            Some(b'<') => {
                // A new tag starts: this one was never closed.
                return Tag::new(attributes, i, false);
            }
            Some(_) => {}
        }
        let name_start = i;
        while i < bytes.len()
            && !matches!(bytes[i], b'=' | b'>' | b'/' | b'<' | b'"' | b'\'')
            && !is_space(bytes[i])
        {
            i += 1;
        }
        if i == name_start {
            // A stray quote: skip it so the loop advances.
            i += 1;
            continue;
        }
        let name = String::from_utf8_lossy(&bytes[name_start..i]).into_owned();
        let mut j = i;
        while j < bytes.len() && is_space(bytes[j]) {
            j += 1;
        }
        let value = if bytes.get(j) == Some(&b'=') {
            j += 1;
            while j < bytes.len() && is_space(bytes[j]) {
                j += 1;
            }
            let (value, next) = read_value(bytes, j);
            i = next;
            value
        } else {
            Value::Missing
        };
        let unterminated = value == Value::Unterminated;
        attributes.push(Attribute {
            name_start,
            name,
            value,
        });
        if unterminated {
            return Tag::new(attributes, bytes.len(), false);
        }
    }
}

/// The value starting at `i` and the offset just past it.
fn read_value(bytes: &[u8], i: usize) -> (Value, usize) {
    match bytes.get(i) {
        Some(&quote @ (b'"' | b'\'')) => match memchr::memchr(quote, &bytes[i + 1..]) {
            Some(len) => {
                let text = String::from_utf8_lossy(&bytes[i + 1..i + 1 + len]).into_owned();
                (Value::Literal(text), i + len + 2)
            }
            None => (Value::Unterminated, bytes.len()),
        },
        Some(b'{') => match skip_braces(bytes, i) {
            Some(end) => (braced_literal(&bytes[i + 1..end - 1]), end),
            None => (Value::Unterminated, bytes.len()),
        },
        Some(_) => {
            let mut j = i;
            while j < bytes.len() && !is_space(bytes[j]) && bytes[j] != b'>' {
                j += 1;
            }
            let text = String::from_utf8_lossy(&bytes[i..j]).into_owned();
            (Value::Literal(text), j)
        }
        None => (Value::Unterminated, bytes.len()),
    }
}

/// `{"name"}` is a literal; anything else in braces is an expression.
fn braced_literal(inner: &[u8]) -> Value {
    let inner = inner.trim_ascii();
    if inner.len() >= 2 {
        let (first, last) = (inner[0], inner[inner.len() - 1]);
        let body = &inner[1..inner.len() - 1];
        if first == last && matches!(first, b'"' | b'\'' | b'`') && !body.contains(&first) {
            return Value::Literal(String::from_utf8_lossy(body).into_owned());
        }
    }
    Value::Expression
}

/// The offset just past the `}` that closes the `{` at `open`, skipping
/// strings and template literals; `None` if it never closes.
fn skip_braces(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            quote @ (b'"' | b'\'' | b'`') => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != quote {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> FileScan {
        Scanner::new().scan(text.as_bytes())
    }

    fn names(scan: &FileScan) -> Vec<(&str, u32)> {
        scan.declarations
            .iter()
            .map(|d| (d.name.as_str(), d.line))
            .collect()
    }

    #[test]
    fn html_declarations_with_their_attributes_and_lines() {
        let found = scan(
            "<html>\n<body>\n  <div class=\"x\"\n       data-integration=\"address-validation\"\n       data-integration-version=\"^3\" data-integration-region=eu>\n</div>\n<span data-integration='maps'></span>\n",
        );
        assert_eq!(names(&found), [("address-validation", 4), ("maps", 7)]);
        let attrs = &found.declarations[0].attributes;
        assert_eq!(attrs["version"], "^3");
        assert_eq!(attrs["region"], "eu");
        assert!(found.malformed.is_empty(), "{:?}", found.malformed);
    }

    #[test]
    fn jsx_arrows_braces_and_spreads_do_not_end_the_tag() {
        let found = scan(
            "export const A = () => (\n  <button onClick={() => go(a > b)} {...props} title=\"a > b\"\n    data-integration={\"payments\"} data-integration-version={'~1.2'} />\n);\n",
        );
        assert_eq!(names(&found), [("payments", 3)]);
        assert_eq!(found.declarations[0].attributes["version"], "~1.2");
    }

    #[test]
    fn vue_and_svelte() {
        let vue = scan(
            "<template>\n  <AddressForm data-integration=\"address-validation\" :data-integration-version=\"v\" />\n</template>\n",
        );
        assert_eq!(names(&vue), [("address-validation", 2)]);
        assert_eq!(vue.malformed.len(), 1);
        assert!(vue.malformed[0].message.contains("expression"));
        let svelte = scan(
            "<script>let x = a < b;</script>\n<Map data-integration=\"maps\" on:click={() => x > 1} />\n",
        );
        assert_eq!(names(&svelte), [("maps", 2)]);
    }

    #[test]
    fn prose_selectors_and_comments_are_not_declarations() {
        let found = scan(
            "// finds [data-integration] nodes\nconst n = document.querySelectorAll('[data-integration]');\n<!-- <div data-integration=\"old\"> -->\n<p>Use data-integration to declare.</p>\n",
        );
        assert_eq!(names(&found), []);
        assert_eq!(found.malformed, []);
    }

    #[test]
    fn malformed_declarations_name_their_line() {
        let found = scan(
            "<div data-integration></div>\n<div data-integration=\"\"></div>\n<div data-integration=\"Bad Name\"></div>\n<div data-integration={name}></div>\n<div data-integration-version=\"^1\"></div>\n<div data-integration=\"ok\" data-integration-version=\"^1\n",
        );
        let lines: Vec<u32> = found.malformed.iter().map(|m| m.line).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5, 6, 6], "{:?}", found.malformed);
        assert!(found.malformed[0].message.contains("no value"));
        assert!(
            found.malformed[2]
                .message
                .contains("not a valid integration name")
        );
        assert!(found.malformed[4].message.contains("without a valid"));
        assert!(found.malformed[5].message.contains("never closes"));
        assert_eq!(names(&found), []);
    }

    #[test]
    fn binary_files_are_flagged_not_scanned() {
        let mut bytes = b"<div data-integration=\"x\">".to_vec();
        bytes.insert(3, 0);
        let found = Scanner::new().scan(&bytes);
        assert!(found.binary);
        assert!(found.declarations.is_empty());
    }

    #[test]
    fn names_are_kebab_case() {
        for ok in ["a", "address-validation", "v2-maps"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "ä"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
