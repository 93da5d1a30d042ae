//! A linear pre-scan that bounds how deeply a document nests before any
//! parser sees it.
//!
//! The deserializers stop at 128 levels, but the YAML parser underneath
//! them does work per token that grows with the number of open flow
//! collections: 100,000 nested `[` took 188 s to reject. This scan reads the
//! text once, counts open flow collections (`[`, `{`) outside quoted
//! scalars, comments and block scalars, and counts compact block nesting
//! (`- - - x`, `? ? x`) on a line; past [`MAX_NESTING`] the document is
//! refused in microseconds. The same limit applies to JSON and YAML.
//!
//! It is conservative in one direction only: it may count a bracket that
//! is literal text, never miss one that opens a collection, so a document it
//! lets through is bounded; real specs nest about 25 levels deep.

/// The deepest nesting accepted, in JSON and YAML alike: the deserializers'
/// own recursion limit.
pub const MAX_NESTING: usize = 128;

/// Where a document first nests deeper than [`MAX_NESTING`]: 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    pub line: u32,
}

/// Scans JSON (`json: true`) or YAML text; `Err` at the first line where
/// nesting exceeds [`MAX_NESTING`].
pub fn check_nesting(text: &str, json: bool) -> Result<(), TooDeep> {
    let mut scan = Scan {
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        depth: 0,
        json,
    };
    scan.run()
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u32,
    /// Open flow collections (all of JSON's collections).
    depth: usize,
    json: bool,
}

impl Scan<'_> {
    fn run(&mut self) -> Result<(), TooDeep> {
        // At a node's start (line start, after `- `, `? `, `: `, and in flow
        // after `[`, `{`, `,`): only there do quotes, `|` and `>` (and in
        // block context `[` and `{`) mean syntax rather than text.
        let mut node_start = true;
        // Block nesting: the indents of the open block collections, plus
        // compact `- - x` levels on the current line.
        let mut indents: Vec<usize> = Vec::new();
        let mut line_nesting = 0usize;
        let mut line_indent = 0usize;
        let mut at_line_start = true;
        while let Some(&b) = self.bytes.get(self.at) {
            let flow = self.json || self.depth > 0;
            if at_line_start {
                line_indent = self.skip_spaces();
                at_line_start = false;
                node_start = true;
                line_nesting = 0;
                let content = !matches!(self.bytes.get(self.at), None | Some(b'\n' | b'\r' | b'#'));
                if !flow && content {
                    while indents.last().is_some_and(|top| *top >= line_indent) {
                        indents.pop();
                    }
                    indents.push(line_indent);
                    self.check(indents.len())?;
                }
                continue;
            }
            let block = indents.len() + line_nesting;
            match b {
                b'\n' => {
                    self.line += 1;
                    at_line_start = true;
                }
                b'"' if self.json || node_start => self.skip_quoted(b'"'),
                b'\'' if !self.json && node_start => self.skip_quoted(b'\''),
                b'#' if !self.json && self.after_space() => self.skip_to_line_end(),
                b'[' | b'{' if flow || node_start => {
                    self.depth += 1;
                    self.check(self.depth + block)?;
                    node_start = true;
                }
                b']' | b'}' if flow => self.depth = self.depth.saturating_sub(1),
                b',' if flow => node_start = true,
                b'|' | b'>' if !self.json && !flow && node_start => {
                    self.skip_block_scalar(line_indent);
                    at_line_start = true;
                    continue;
                }
                b'-' | b'?' | b':' if !self.json && self.followed_by_space() => {
                    if b != b':' && !flow {
                        line_nesting += 1;
                        self.check(indents.len() + line_nesting)?;
                    }
                    node_start = true;
                }
                b' ' | b'\t' | b'\r' => {}
                _ => node_start = false,
            }
            self.at += 1;
        }
        Ok(())
    }

    fn check(&self, depth: usize) -> Result<(), TooDeep> {
        if depth > MAX_NESTING {
            Err(TooDeep { line: self.line })
        } else {
            Ok(())
        }
    }

    fn skip_spaces(&mut self) -> usize {
        let start = self.at;
        while self.bytes.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
        self.at - start
    }

    fn after_space(&self) -> bool {
        self.at == 0 || matches!(self.bytes[self.at - 1], b' ' | b'\t' | b'\n')
    }

    fn followed_by_space(&self) -> bool {
        matches!(
            self.bytes.get(self.at + 1),
            None | Some(b' ' | b'\t' | b'\n' | b'\r')
        )
    }

    fn skip_to_line_end(&mut self) {
        while self.bytes.get(self.at).is_some_and(|b| *b != b'\n') {
            self.at += 1;
        }
    }

    /// Leaves `at` on the closing quote (or the end); counts the lines inside.
    fn skip_quoted(&mut self, quote: u8) {
        self.at += 1;
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\\' if quote == b'"' => self.at += 1,
                b'\n' => self.line += 1,
                _ if b == quote => {
                    // `''` inside a single-quoted scalar is an escaped quote.
                    if quote == b'\'' && self.bytes.get(self.at + 1) == Some(&b'\'') {
                        self.at += 1;
                    } else {
                        return;
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
    }

    /// Skips a `|` or `>` scalar: the rest of its line, then every line that
    /// is blank or indented deeper than the line that introduced it. Leaves
    /// `at` at the start of the next line.
    fn skip_block_scalar(&mut self, parent_indent: usize) {
        self.skip_to_line_end();
        while self.at < self.bytes.len() {
            self.at += 1; // the newline
            self.line += 1;
            let start = self.at;
            let indent = self.skip_spaces();
            let blank = matches!(self.bytes.get(self.at), None | Some(b'\n' | b'\r'));
            if !blank && indent <= parent_indent {
                self.at = start;
                self.line -= 1;
                self.at -= 1; // back on the newline, which `run` counts
                return;
            }
            self.skip_to_line_end();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str, json: bool) -> bool {
        check_nesting(text, json).is_ok()
    }

    #[test]
    fn deep_flow_nesting_is_refused_in_both_syntaxes() {
        let deep = "[".repeat(100_000);
        assert_eq!(check_nesting(&deep, true), Err(TooDeep { line: 1 }));
        assert!(!ok(&deep, false));
        let deep_map = "a: ".to_owned() + &"{a: ".repeat(200);
        assert!(!ok(&deep_map, false));
        let at_limit = "[".repeat(MAX_NESTING) + &"]".repeat(MAX_NESTING);
        assert!(ok(&at_limit, true));
        // The YAML scan counts the root line as a block level too (it errs
        // towards counting more).
        let yaml_at_limit = "[".repeat(MAX_NESTING - 1) + &"]".repeat(MAX_NESTING - 1);
        assert!(ok(&yaml_at_limit, false));
        let over = "[".repeat(MAX_NESTING + 1) + &"]".repeat(MAX_NESTING + 1);
        assert!(!ok(&over, true));
    }

    #[test]
    fn compact_block_nesting_is_refused() {
        assert!(!ok(&"- ".repeat(1000), false));
        assert!(ok(&"- ".repeat(20), false));
    }

    #[test]
    fn brackets_in_text_are_not_nesting() {
        let many = "[".repeat(500);
        assert!(ok(&format!("{{\"a\": \"{many}\"}}"), true));
        assert!(ok(&format!("a: \"{many}\"\n"), false));
        assert!(ok(&format!("a: '{many}'\n"), false));
        assert!(ok(&format!("a: text {many}\n"), false));
        assert!(ok(&format!("a: 1 # {many}\n"), false));
        assert!(ok(&format!("a: |\n  {many}\n  more\nb: 1\n"), false));
        // An apostrophe inside a plain scalar does not start a quote.
        assert!(ok("a: don't [x]\nb: [1, 2]\n", false));
        assert!(ok("a: \"esc \\\" [[\"\nb: 'it''s [['\n", false));
    }

    #[test]
    fn a_block_scalar_ends_at_the_parent_indent() {
        let deep = "[".repeat(200);
        let text = format!("a: >\n  folded\n\nb: {deep}\n");
        assert_eq!(check_nesting(&text, false), Err(TooDeep { line: 4 }));
    }

    #[test]
    fn stray_closing_brackets_leave_the_parser_its_error() {
        // Malformed input is the parser's to report; the depth scan must not
        // underflow on a closer it never saw opened.
        assert!(ok("]]}", true));
        assert!(ok("a: 1\n]\n", false));
    }
}
