//! Source line numbers for JSON pointers, so that problems in a spec become
//! `::error file=...,line=...::` annotations (every stage that reports on a
//! spec).
//!
//! JSON is read by a small position-tracking scanner. YAML is read by an
//! indentation- and key-aware scan that is exact for block style (the style
//! of real specs); nodes inside flow collections (`{...}`, `[...]`) and keys
//! brought in by merge keys (`<<`) get the line of the nearest ancestor that
//! the scan sees. A pointer that does not exist also falls back to its
//! nearest existing ancestor.
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use std::collections::{HashMap, HashSet};

use super::parse::{ParsedDoc, SourceFormat};
use super::pointer;

/// 1-based line where the node at `pointer` starts in `doc.text`, or where
/// its nearest ancestor that can be located starts.
pub fn line_of_pointer(doc: &ParsedDoc, pointer: &str) -> Option<u32> {
    LineIndex::build(doc, [pointer]).line(pointer)
}

/// Lines of a chosen set of pointers (and their ancestors), found in one scan.
pub struct LineIndex {
    lines: HashMap<String, u32>,
}

impl LineIndex {
    pub fn build<'p>(doc: &ParsedDoc, pointers: impl IntoIterator<Item = &'p str>) -> Self {
        let mut wanted: HashSet<String> = HashSet::new();
        for p in pointers {
            let mut p = Some(p);
            while let Some(q) = p {
                if !wanted.insert(q.to_owned()) {
                    break;
                }
                p = pointer::parent(q);
            }
        }
        let mut lines = HashMap::new();
        // `wanted` holds every ancestor of a wanted pointer, so a path that
        // is not in it has nothing wanted below it: the scanner skips it.
        let mut record = |path: &str, line: u32| {
            let is_wanted = wanted.contains(path);
            if is_wanted {
                lines.entry(path.to_owned()).or_insert(line);
            }
            is_wanted
        };
        match doc.format {
            SourceFormat::Json => scan_json(&doc.text, &mut record),
            SourceFormat::Yaml => scan_yaml(&doc.text, &mut record),
        }
        LineIndex { lines }
    }

    /// The line of `pointer`, or of its nearest located ancestor.
    pub fn line(&self, pointer: &str) -> Option<u32> {
        let mut p = Some(pointer);
        while let Some(q) = p {
            if let Some(line) = self.lines.get(q) {
                return Some(*line);
            }
            p = pointer::parent(q);
        }
        None
    }
}

enum JsonFrame {
    Object { base: usize },
    Array { base: usize, index: usize },
}

/// Calls `record(pointer, line)` for each value; when it returns false for
/// an object or array, the container is skipped without building the
/// pointers inside it (on a multi-megabyte spec most of the text).
fn scan_json(text: &str, record: &mut dyn FnMut(&str, u32) -> bool) {
    let bytes = text.as_bytes();
    let mut line: u32 = 1;
    let mut path = String::new();
    let mut stack: Vec<JsonFrame> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b':' => {
                i += 1;
                continue;
            }
            b',' => {
                match stack.last_mut() {
                    Some(JsonFrame::Array { index, .. }) => *index += 1,
                    Some(JsonFrame::Object { .. }) => expect_key = true,
                    None => {}
                }
                i += 1;
                continue;
            }
            b'}' | b']' => {
                if let Some(JsonFrame::Object { base } | JsonFrame::Array { base, .. }) =
                    stack.pop()
                {
                    path.truncate(base);
                }
                expect_key = false;
                i += 1;
                continue;
            }
            _ => {}
        }
        if c == b'"' && expect_key {
            let end = string_end(bytes, i);
            let key = key_text(&text[i..end.min(bytes.len())]);
            if let Some(JsonFrame::Object { base }) = stack.last() {
                path.truncate(*base);
                pointer::push(&mut path, &key);
            }
            expect_key = false;
            i = end;
            continue;
        }
        // A value starts here.
        if let Some(JsonFrame::Array { base, index }) = stack.last() {
            path.truncate(*base);
            pointer::push(&mut path, &index.to_string());
        }
        let descend = record(&path, line);
        if !descend && matches!(c, b'{' | b'[') {
            i = skip_container(bytes, i, &mut line);
            expect_key = false;
            continue;
        }
        match c {
            b'{' => {
                stack.push(JsonFrame::Object { base: path.len() });
                expect_key = true;
                i += 1;
            }
            b'[' => {
                stack.push(JsonFrame::Array {
                    base: path.len(),
                    index: 0,
                });
                i += 1;
            }
            b'"' => i = string_end(bytes, i),
            _ => i = scalar_end(bytes, i),
        }
    }
}

/// An object key's text from its quoted JSON (escapes decoded when any).
fn key_text(raw: &str) -> String {
    if raw.contains('\\') {
        serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.trim_matches('"').to_owned())
    } else {
        raw.trim_matches('"').to_owned()
    }
}

/// Index just past a number, `true`, `false` or `null` starting at `i`.
fn scalar_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']' | b'\n' | b' ' | b'\t' | b'\r')
    {
        i += 1;
    }
    i
}

/// Index just past the `}` or `]` that closes the container opening at
/// `start`, counting the newlines it passes.
fn skip_container(bytes: &[u8], start: usize, line: &mut u32) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => *line += 1,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'"' => {
                i = string_end(bytes, i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Index just past the closing quote of the string starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[derive(Debug)]
enum YamlKind {
    Map,
    Seq,
}

#[derive(Debug)]
struct YamlFrame {
    indent: usize,
    kind: YamlKind,
    /// Pointer of the collection.
    base: String,
    /// Pointer of its latest entry.
    entry: String,
    index: usize,
}

fn scan_yaml(text: &str, record: &mut dyn FnMut(&str, u32) -> bool) {
    let mut stack: Vec<YamlFrame> = Vec::new();
    // Lines indented deeper than this belong to the previous inline value.
    let mut skip_deeper_than: Option<usize> = None;
    let mut root_recorded = false;
    for (n, raw_line) in text.lines().enumerate() {
        let line = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let trimmed = raw_line.trim_start_matches(' ');
        let indent = raw_line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.trim_end().is_empty() {
            continue;
        }
        if let Some(limit) = skip_deeper_than {
            if indent > limit {
                continue;
            }
            skip_deeper_than = None;
        }
        if indent == 0
            && (trimmed.starts_with("---")
                || trimmed.starts_with("...")
                || trimmed.starts_with('%'))
        {
            continue;
        }
        if !root_recorded {
            record("", line);
            root_recorded = true;
        }
        skip_deeper_than = yaml_entry(&mut stack, trimmed, indent, line, record);
    }
}

/// Handles one entry (`key: ...` or `- ...`) starting at column `col`;
/// returns the continuation threshold when the entry's value is inline.
fn yaml_entry(
    stack: &mut Vec<YamlFrame>,
    content: &str,
    col: usize,
    line: u32,
    record: &mut dyn FnMut(&str, u32) -> bool,
) -> Option<usize> {
    let parent_entry =
        |stack: &Vec<YamlFrame>| stack.last().map(|f| f.entry.clone()).unwrap_or_default();
    if content == "-" || content.starts_with("- ") || content.starts_with("-\t") {
        while stack.last().is_some_and(|f| f.indent > col) {
            stack.pop();
        }
        let continues =
            matches!(stack.last(), Some(f) if f.indent == col && matches!(f.kind, YamlKind::Seq));
        if continues {
            let f = stack.last_mut().expect("checked");
            f.index += 1;
            f.entry = pointer::join(&f.base, &f.index.to_string());
        } else {
            let base = parent_entry(stack);
            let entry = pointer::join(&base, "0");
            stack.push(YamlFrame {
                indent: col,
                kind: YamlKind::Seq,
                base,
                entry,
                index: 0,
            });
        }
        let entry = stack.last().expect("pushed").entry.clone();
        record(&entry, line);
        let rest = &content[1..];
        let rest_trimmed = rest.trim_start_matches([' ', '\t']);
        let rest_col = col + 1 + (rest.len() - rest_trimmed.len());
        if value_is_empty(rest_trimmed) {
            return None;
        }
        if rest_trimmed.starts_with("- ")
            || rest_trimmed == "-"
            || split_key(rest_trimmed).is_some()
        {
            return yaml_entry(stack, rest_trimmed, rest_col, line, record);
        }
        return Some(col);
    }
    let Some((key, value)) = split_key(content) else {
        // A scalar or flow value on its own line (e.g. a root scalar): nothing to index.
        return Some(col);
    };
    while stack
        .last()
        .is_some_and(|f| f.indent > col || (f.indent == col && matches!(f.kind, YamlKind::Seq)))
    {
        stack.pop();
    }
    let sibling =
        matches!(stack.last(), Some(f) if f.indent == col && matches!(f.kind, YamlKind::Map));
    if !sibling {
        let base = parent_entry(stack);
        stack.push(YamlFrame {
            indent: col,
            kind: YamlKind::Map,
            entry: base.clone(),
            base,
            index: 0,
        });
    }
    let f = stack.last_mut().expect("pushed");
    if key == "<<" {
        f.entry = f.base.clone();
        return Some(col);
    }
    f.entry = pointer::join(&f.base, &key);
    record(&f.entry, line);
    if value_is_empty(value) {
        None
    } else {
        Some(col)
    }
}

/// True when nothing but an anchor, a tag or a comment follows: the value is
/// a block collection on the next lines.
fn value_is_empty(value: &str) -> bool {
    let mut rest = value.trim();
    loop {
        if rest.is_empty() || rest.starts_with('#') {
            return true;
        }
        if rest.starts_with('&') || rest.starts_with('!') {
            rest = rest
                .split_once([' ', '\t'])
                .map_or("", |(_, r)| r)
                .trim_start();
            continue;
        }
        return false;
    }
}

/// Splits `key: value` (plain, single- or double-quoted key).
fn split_key(content: &str) -> Option<(String, &str)> {
    let bytes = content.as_bytes();
    match bytes.first()? {
        b'"' => {
            let end = string_end(bytes, 0);
            let raw = &content[..end];
            let value = value_after_quoted_key(&content[end..])?;
            let key = serde_json::from_str::<String>(raw)
                .unwrap_or_else(|_| raw.trim_matches('"').to_owned());
            Some((key, value))
        }
        b'\'' => {
            let mut i = 1;
            loop {
                match bytes.get(i)? {
                    b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    b'\'' => break,
                    _ => i += 1,
                }
            }
            let value = value_after_quoted_key(&content[i + 1..])?;
            Some((content[1..i].replace("''", "'"), value))
        }
        b'{' | b'[' | b'&' | b'*' | b'!' | b'|' | b'>' | b'#' | b'?' | b'%' | b'@' | b'`' => None,
        _ => {
            let mut search = 0;
            while let Some(pos) = content[search..].find(':') {
                let at = search + pos;
                let next = bytes.get(at + 1);
                if next.is_none() || matches!(next, Some(b' ' | b'\t')) {
                    let key = content[..at].trim_end();
                    if key.contains(" #") {
                        return None;
                    }
                    let key = if key == "~" { "null" } else { key };
                    return Some((key.to_owned(), &content[at + 1..]));
                }
                search = at + 1;
            }
            None
        }
    }
}

/// The value after a quoted key: `:` (blanks allowed before it) followed by
/// a blank or the end of the line; anything else means it is not a key.
fn value_after_quoted_key(rest: &str) -> Option<&str> {
    let value = rest.trim_start_matches([' ', '\t']).strip_prefix(':')?;
    (value.is_empty() || value.starts_with([' ', '\t'])).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse_document;

    fn doc(text: &str) -> ParsedDoc {
        parse_document(text.as_bytes()).unwrap()
    }

    /// Asserts the line of each (pointer, line) pair in `d`.
    #[track_caller]
    fn assert_lines(d: &ParsedDoc, expected: &[(&str, u32)]) {
        for &(pointer, line) in expected {
            assert_eq!(line_of_pointer(d, pointer), Some(line), "{pointer}");
        }
    }

    #[test]
    fn json_lines() {
        let d = doc(
            "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {\n    \"/pets\": {\n      \"get\": {\"tags\": [\"a\",\n \"b\"]}\n    }\n  },\n  \"x\\\"y\": 1\n}\n",
        );
        assert_lines(
            &d,
            &[
                ("", 1),
                ("/openapi", 2),
                ("/paths/~1pets", 4),
                ("/paths/~1pets/get", 5),
                ("/paths/~1pets/get/tags/1", 6),
                ("/x\"y", 9),
                // Missing node: nearest ancestor.
                ("/paths/~1pets/post", 4),
            ],
        );
    }

    #[test]
    fn yaml_block_style_lines() {
        let text = "\
openapi: 3.0.3
info:
  title: T # comment
  description: |
    key: not a key
    - not an item
  version: '1'
paths:
  /pets/{id}:
    get:
      parameters:
        - name: id
          in: path
        -
          $ref: '#/components/parameters/X'
      responses:
        200:
          description: >-
            folded: text
        \"404\": {description: nope}
tags:
- name: a
- name: b
  description: plain
    continued line
servers: [{url: x}]
";
        let d = doc(text);
        assert_lines(
            &d,
            &[
                ("", 1),
                ("/info/title", 3),
                ("/info/version", 7),
                ("/paths/~1pets~1{id}/get", 10),
                ("/paths/~1pets~1{id}/get/parameters/0", 12),
                ("/paths/~1pets~1{id}/get/parameters/0/in", 13),
                ("/paths/~1pets~1{id}/get/parameters/1", 14),
                ("/paths/~1pets~1{id}/get/parameters/1/$ref", 15),
                ("/paths/~1pets~1{id}/get/responses/200/description", 18),
                ("/paths/~1pets~1{id}/get/responses/404", 20),
                ("/paths/~1pets~1{id}/get/responses/404/description", 20),
                ("/tags/1", 23),
                ("/tags/1/description", 24),
                ("/servers/0/url", 26),
            ],
        );
    }

    #[test]
    fn yaml_compact_nested_sequences_and_anchors() {
        let text = "a: &anchor\n  b: 1\nlist:\n  - - x\n    - y\n  - k: v\n    j: w\n";
        let d = doc(text);
        assert_lines(&d, &[("/a/b", 2), ("/list/0/1", 5), ("/list/1/j", 7)]);
    }

    #[test]
    fn index_answers_many_pointers_in_one_scan() {
        let d = doc("a:\n  b: 1\n  c: 2\n");
        let index = LineIndex::build(&d, ["/a/b", "/a/c", "/zzz"]);
        assert_eq!(index.line("/a/b"), Some(2));
        assert_eq!(index.line("/a/c"), Some(3));
        assert_eq!(index.line("/zzz"), Some(1));
    }
}
