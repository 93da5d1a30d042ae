//! The only place where text from a spec is made safe for generated code,
//! for the `generate` stage. Every string that comes from a spec (names,
//! descriptions, enum values, examples, URLs) goes through one of these
//! before it lands in a generated file; templates reach them as filters.
//! Must not do I/O.

/// A double-quoted string literal valid in JavaScript, TypeScript and JSON:
/// quotes, backslashes and control characters are escaped, and so are
/// U+2028/U+2029 (line terminators in older JavaScript) and `<`/`>` (so
/// `</script>` or `-->` inside a value cannot end an enclosing context).
/// Template syntax (`${`, backticks) is inert inside double quotes.
pub fn js_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
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

/// A complete JSDoc block for `text` at `indent` spaces (plus a
/// `@deprecated` tag when asked), or `""` when there is nothing to say.
/// Ends with a newline.
pub fn doc_comment(text: &str, indent: usize, deprecated: bool) -> String {
    let mut body = doc_text(text);
    if deprecated {
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str("@deprecated");
    }
    if body.is_empty() {
        return String::new();
    }
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
        let normalised = text
            .replace("\r\n", "\n")
            .replace(['\r', '\u{2028}', '\u{2029}', '\u{85}'], "\n");
        let cleaned: String = normalised
            .chars()
            .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
            .collect();
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
}
