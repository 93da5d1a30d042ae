//! Escaping text for the Mermaid diagrams specrelay writes (the version
//! timeline, the ingest, downstream, rollout, reconcile and discover
//! summaries), in one place so that every diagram escapes the same way.
//! Pure: text in, text out.
//!
//! Mermaid reads a few characters as syntax inside labels; a spec title or a
//! repository name containing one must not end the label or the line (the
//! tests parse every diagram with Mermaid's own parser).

/// Text for a quoted node label, `id["..."]`: a quote would end the label
/// and `<`/`>` are read as HTML, so they become Mermaid's entity codes;
/// line breaks and backticks (Markdown strings) become spaces.
pub fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' | '`' => out.push(' '),
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// Text for a `timeline` line (`period : event : event`): `:` separates
/// events, `#` and `;` start entities and comments, and a line break ends
/// the line, so all of them become spaces.
pub fn timeline_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ':' | ';' | '#' | '\n' | '\r' => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_cannot_end_early() {
        assert_eq!(
            label("acme \"pets\" <v2>\n`x`"),
            "acme #quot;pets#quot; #lt;v2#gt;  x"
        );
    }

    #[test]
    fn timeline_text_cannot_break_a_line() {
        assert_eq!(timeline_text("a: b; #c\nd"), "a  b   c d");
    }
}
