//! The only place where text from a spec is made safe for generated code,
//! for the `generate` stage. Every string that comes from a spec (names,
//! descriptions, enum values, examples, URLs) goes through one of these
//! before it lands in a generated file; templates reach them as filters.
//! Must not do I/O.

use super::emit::push_paragraph;

/// A double-quoted string literal valid in JavaScript, TypeScript and JSON:
/// quotes, backslashes and control characters are escaped, and so are
/// U+2028/U+2029 (line terminators in older JavaScript) and `<`/`>` (so
/// `</script>` or `-->` inside a value cannot end an enclosing context).
/// Template syntax (`${`, backticks) is inert inside double quotes.
pub fn js_string(text: &str) -> String {
    json_style(text, |c| {
        matches!(c, '<' | '>' | '\u{2028}' | '\u{2029}') || (c as u32) < 0x20 || c == '\u{7f}'
    })
}

/// A double-quoted literal in the JSON escape style (which TOML basic
/// strings share): `\"`, `\\`, `\n`, `\r`, `\t`, and `\uNNNN` for every
/// other character `unicode` picks.
fn json_style(text: &str, unicode: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unicode(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for the inside of a `/** ... */` comment: `*/` cannot close it,
/// line terminators of every kind become `\n`, other control characters
/// are dropped, and a line starting with `@` is not taken for a JSDoc tag.
/// The result has no trailing blank lines.
pub fn doc_text(text: &str) -> String {
    // One pass that allocates only the result: this runs for every type,
    // member and operation, and large specs have tens of thousands.
    if text.trim().is_empty() {
        return String::new();
    }
    let text: std::borrow::Cow<str> = if text.contains("\r\n") {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    };
    let mut out = String::with_capacity(text.len() + 8);
    let mut blank_lines = 0;
    let mut filtered = String::new();
    for raw in text.split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}']) {
        let line = if has_control(raw) {
            filtered.clear();
            filtered.extend(raw.chars().filter(|c| *c == '\t' || !c.is_control()));
            filtered.as_str()
        } else {
            raw
        };
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            blank_lines += 1;
            continue;
        }
        if !out.is_empty() {
            out.extend(std::iter::repeat_n('\n', blank_lines + 1));
        }
        blank_lines = 0;
        let body = trimmed.trim_start();
        out.push_str(&trimmed[..trimmed.len() - body.len()]);
        if body.starts_with('@') {
            out.push('\\');
        }
        if body.contains("*/") {
            out.push_str(&body.replace("*/", "*\\/"));
        } else {
            out.push_str(body);
        }
    }
    out
}

/// Whether `text` has a control character other than tab (Unicode `Cc`:
/// U+0000-U+001F, U+007F-U+009F), checked on the bytes because it is
/// almost always false.
fn has_control(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        (b < 0x20 && b != b'\t')
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    })
}

/// The body of a doc block: `text`, then `tag` as its own paragraph (after
/// `separator`) when `deprecated`; `None` when there is nothing to say, so
/// that no empty block is printed.
fn doc_body(mut text: String, deprecated: bool, separator: &str, tag: &str) -> Option<String> {
    if deprecated {
        push_paragraph(&mut text, separator, tag);
    }
    (!text.is_empty()).then_some(text)
}

/// A complete JSDoc block for `text` at `indent` spaces (plus a
/// `@deprecated` tag when asked), or `""` when there is nothing to say.
/// Ends with a newline.
pub fn doc_comment(text: &str, indent: usize, deprecated: bool) -> String {
    let Some(body) = doc_body(doc_text(text), deprecated, "\n", "@deprecated") else {
        return String::new();
    };
    let pad = " ".repeat(indent);
    let mut out = String::with_capacity(body.len() + (indent + 4) * 8);
    out.push_str(&pad);
    out.push_str("/**\n");
    for line in body.split('\n') {
        out.push_str(&pad);
        out.push_str(if line.is_empty() { " *" } else { " * " });
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&pad);
    out.push_str(" */\n");
    out
}

/// One line of Markdown prose, never at the start of a line: line breaks
/// become spaces and characters that start inline HTML, code, emphasis,
/// links or table cells are backslash-escaped.
pub fn markdown_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' | '\u{2028}' | '\u{2029}' | '\u{85}' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// A TypeScript property key: bare when it is a plain identifier, else a
/// quoted string literal.
pub fn ts_property_key(name: &str) -> String {
    if super::naming::is_ts_identifier(name) {
        name.to_owned()
    } else {
        js_string(name)
    }
}

/// Characters printed as escapes even where they would be legal: line and
/// paragraph separators (line breaks to editors and to `str.splitlines`),
/// bidirectional controls (which can make code read differently from how it
/// runs) and the byte-order mark.
fn py_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{2028}'
            | '\u{2029}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// A double-quoted Python string literal (3.x, UTF-8 source) that decodes
/// to exactly `text`: quotes and backslashes are escaped, control
/// characters become `\n`, `\r`, `\t` or `\xNN`, and the characters of
/// [`py_invisible`] `\uNNNN`. Other text, non-ASCII included, is kept.
pub fn py_string(text: &str) -> String {
    py_quoted(text, '"')
}

/// [`py_string`] in single quotes (for text full of double quotes, such as
/// JSON).
pub fn py_string_single(text: &str) -> String {
    py_quoted(text, '\'')
}

fn py_quoted(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if py_invisible(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A TOML basic string (one line) that decodes to exactly `text`: quotes,
/// backslashes and control characters are escaped (`\uNNNN` for those
/// without a short form, as TOML 1.0 has no `\xNN`), and so are the
/// characters of [`py_invisible`].
pub fn toml_string(text: &str) -> String {
    json_style(text, |c| c.is_control() || py_invisible(c))
}

/// `text` with line terminators of every kind as `\n` and other control
/// characters but tab dropped: the lines a doc block prints.
fn plain_lines(text: &str) -> String {
    let normalised = text
        .replace("\r\n", "\n")
        .replace(['\r', '\u{2028}', '\u{2029}', '\u{85}'], "\n");
    normalised
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect()
}

/// The text of a Python docstring, before quoting: line terminators of
/// every kind become `\n`, other control characters are dropped, trailing
/// spaces and leading and trailing blank lines go.
fn py_doc_text(text: &str) -> String {
    let cleaned = plain_lines(text);
    let lines: Vec<&str> = cleaned.split('\n').map(str::trim_end).collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    match (first, last) {
        (Some(f), Some(l)) => lines[f..=l].join("\n"),
        _ => String::new(),
    }
}

/// A complete docstring for `text` at `indent` spaces (plus a
/// `Deprecated.` paragraph when asked), or `""` when there is nothing to
/// say. Ends with the closing quotes, without a newline, so that a template
/// places it like one line. No text can end the string early: backslashes
/// are escaped, a third quote in a row and quotes at the end are escaped,
/// and bidirectional controls and separators are written as `\uNNNN`.
pub fn py_docstring(text: &str, indent: usize, deprecated: bool) -> String {
    let Some(body) = doc_body(py_doc_text(text), deprecated, "\n\n", "Deprecated.") else {
        return String::new();
    };
    let trailing_quotes = body.len() - body.trim_end_matches('"').len();
    let mut escaped = String::with_capacity(body.len() + 8);
    let mut run = 0;
    for c in body[..body.len() - trailing_quotes].chars() {
        match c {
            '"' if run == 2 => {
                escaped.push_str("\\\"");
                run = 0;
            }
            '"' => {
                escaped.push('"');
                run += 1;
            }
            '\\' => {
                escaped.push_str("\\\\");
                run = 0;
            }
            c if py_invisible(c) => {
                escaped.push_str(&format!("\\u{:04x}", c as u32));
                run = 0;
            }
            c => {
                escaped.push(c);
                run = 0;
            }
        }
    }
    escaped.push_str(&"\\\"".repeat(trailing_quotes));
    let pad = " ".repeat(indent);
    let mut lines = escaped.split('\n');
    let mut out = format!("{pad}\"\"\"{}", lines.next().unwrap_or_default());
    let rest: Vec<&str> = lines.collect();
    if rest.is_empty() {
        out.push_str("\"\"\"");
        return out;
    }
    out.push('\n');
    for line in rest {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("{pad}{line}\n"));
        }
    }
    out.push_str(&format!("{pad}\"\"\""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_strings_cannot_break_out() {
        let table = [
            ("plain", r#""plain""#),
            (r#"say "hi""#, r#""say \"hi\"""#),
            ("back\\slash", r#""back\\slash""#),
            ("a\nb\r\tc", r#""a\nb\r\tc""#),
            ("`${process.exit()}`", r#""`${process.exit()}`""#),
            ("</script><!--", r#""\u003c/script\u003e\u003c!--""#),
            ("line\u{2028}sep\u{2029}", r#""line\u2028sep\u2029""#),
            ("nul\u{0}bell\u{7}", r#""nul\u0000bell\u0007""#),
            ("héllo ✓", "\"héllo ✓\""),
        ];
        for (raw, expected) in table {
            let lit = js_string(raw);
            assert_eq!(lit, expected, "{raw:?}");
            // Also valid JSON that decodes back to the same text.
            let back: String = serde_json::from_str(&lit).unwrap();
            assert_eq!(back, raw);
        }
    }

    /// The first, obviously correct, version of [`doc_text`]: the fast one
    /// must agree with it.
    fn doc_text_reference(text: &str) -> String {
        let cleaned = plain_lines(text);
        let mut lines: Vec<String> = cleaned
            .split('\n')
            .map(|line| {
                let line = line.trim_end().replace("*/", "*\\/");
                if line.trim_start().starts_with('@') {
                    line.replacen('@', "\\@", 1)
                } else {
                    line
                }
            })
            .collect();
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        while lines.first().is_some_and(|l| l.is_empty()) {
            lines.remove(0);
        }
        lines.join("\n")
    }

    #[test]
    fn doc_text_agrees_with_the_reference() {
        let cases = [
            "",
            "  \n\t ",
            "plain",
            "\n\nlead and trail\n\n",
            "a\r\nb\rc\u{2028}d\u{2029}e\u{85}f",
            "a\n\n\nb",
            "  @param x\n\t@returns y",
            "end */ here and */*/ twice",
            "*\u{1}/ joined by a dropped control",
            "@",
            "tab\tinside \u{7f} del",
            "\r\n\r\n  indented\r\n   more  \r\n",
            "unicode ✓ 終わり */",
            "c1 control \u{9f} and \u{80} dropped, \u{a0} kept",
        ];
        for case in cases {
            assert_eq!(doc_text(case), doc_text_reference(case), "{case:?}");
        }
    }

    #[test]
    fn doc_comments_cannot_be_closed() {
        let text = "Ends here */ alert(1); /*\n@param evil\r\nnext\u{2028}line\u{0}  \n\n";
        let doc = doc_comment(text, 2, false);
        assert_eq!(
            doc,
            "  /**\n   * Ends here *\\/ alert(1); /*\n   * \\@param evil\n   * next\n   * line\n   */\n"
        );
        assert_eq!(doc.matches("*/").count(), 1);
        assert_eq!(doc_comment(" \n ", 0, false), "");
        assert_eq!(doc_comment("", 0, true), "/**\n * @deprecated\n */\n");
        assert_eq!(
            doc_comment("@deprecated", 0, false),
            "/**\n * \\@deprecated\n */\n"
        );
    }

    #[test]
    fn markdown_is_inert() {
        assert_eq!(
            markdown_inline("<img src=x onerror=alert(1)> `code` [a](b)\nnext"),
            "\\<img src=x onerror=alert(1)\\> \\`code\\` \\[a\\](b) next"
        );
    }

    #[test]
    fn property_keys() {
        assert_eq!(ts_property_key("name"), "name");
        assert_eq!(ts_property_key("first-name"), "\"first-name\"");
        assert_eq!(ts_property_key("*/"), "\"*/\"");
    }

    #[test]
    fn python_strings_cannot_break_out() {
        let table = [
            ("plain", r#""plain""#),
            (r#"say "hi""#, r#""say \"hi\"""#),
            ("back\\slash\\", r#""back\\slash\\""#),
            ("a\nb\r\tc", r#""a\nb\r\tc""#),
            (
                "nul\u{0}bell\u{7}del\u{7f}c1\u{85}",
                r#""nul\x00bell\x07del\x7fc1\x85""#,
            ),
            ("line\u{2028}sep\u{2029}", r#""line\u2028sep\u2029""#),
            ("rtl\u{202e}x\u{2066}", r#""rtl\u202ex\u2066""#),
            ("{x} %s \\N{DASH}", r#""{x} %s \\N{DASH}""#),
            ("héllo ✓ 名前", "\"héllo ✓ 名前\""),
        ];
        for (raw, expected) in table {
            assert_eq!(py_string(raw), expected, "{raw:?}");
        }
        assert_eq!(py_string_single(r#"{"a": 'b'}"#), r#"'{"a": \'b\'}'"#);
    }

    #[test]
    fn toml_strings() {
        assert_eq!(toml_string("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(
            toml_string("x\n\u{0}\u{7f}\u{2028}"),
            r#""x\n\u0000\u007f\u2028""#
        );
    }

    #[test]
    fn python_docstrings_cannot_be_closed() {
        assert_eq!(
            py_docstring("One line.", 4, false),
            "    \"\"\"One line.\"\"\""
        );
        assert_eq!(py_docstring(" \n ", 0, false), "");
        assert_eq!(py_docstring("", 0, true), "\"\"\"Deprecated.\"\"\"");
        assert_eq!(
            py_docstring(
                "Title\r\n\r\nBody \"\"\" here\\\u{0}\u{2028}end\"",
                4,
                false
            ),
            "    \"\"\"Title\n\n    Body \"\"\\\" here\\\\\n    end\\\"\n    \"\"\""
        );
        // Runs of quotes never reach three, and none touch the closing quotes.
        let doc = py_docstring("\"\"\"\"\"\"\"", 0, false);
        assert_eq!(doc, "\"\"\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\"\"\"");
        let doc = py_docstring("a\"\"\"\"b", 0, false);
        assert_eq!(doc, "\"\"\"a\"\"\\\"\"b\"\"\"");
    }
}
