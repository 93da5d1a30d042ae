//! `downstream`: a JSON scanner that says where tokens are, so that
//! `package.json` can be edited in place instead of re-serialised (which
//! would lose the author's indentation, escapes and line endings). Pure.
//!
//! It only has to be right on valid JSON: callers validate the document
//! with serde_json first, which also bounds nesting (serde_json refuses
//! more than 128 levels), so the recursion in [`Scanner::skip_value`] is
//! bounded. On anything unexpected it stops with the offending offset
//! rather than guessing.

use std::ops::Range;

/// Where the scanner met something that is not JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScanError(pub usize);

pub(crate) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Scanner<'a> {
        Scanner { text, pos: 0 }
    }

    fn skip_whitespace(&mut self) {
        let rest = &self.text[self.pos..];
        let trimmed = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        self.pos += rest.len() - trimmed.len();
    }

    /// The first byte of the next token, after whitespace.
    pub fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.text.as_bytes().get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), ScanError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(ScanError(self.pos))
        }
    }

    /// A string token's span, quotes included.
    pub fn string(&mut self) -> Result<Range<usize>, ScanError> {
        self.expect(b'"')?;
        let start = self.pos - 1;
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            self.pos += 1;
            match b {
                // Every escape is ASCII after the backslash; skipping one
                // byte is enough to step over an escaped quote.
                b'\\' => self.pos += 1,
                b'"' => return Ok(start..self.pos),
                _ => {}
            }
        }
        Err(ScanError(start))
    }

    /// Steps over one value of any kind.
    pub fn skip_value(&mut self) -> Result<(), ScanError> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{') => self.object(|scanner, _, _| scanner.skip_value()),
            Some(b'[') => self.array(),
            Some(_) => self.scalar(),
            None => Err(ScanError(self.pos)),
        }
    }

    /// A number, `true`, `false` or `null`.
    fn scalar(&mut self) -> Result<(), ScanError> {
        let rest = &self.text[self.pos..];
        let len = rest
            .find([',', ']', '}', ' ', '\t', '\n', '\r'])
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(ScanError(self.pos));
        }
        self.pos += len;
        Ok(())
    }

    fn array(&mut self) -> Result<(), ScanError> {
        self.expect(b'[')?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_value()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(ScanError(self.pos)),
            }
        }
    }

    /// Walks an object's members in order. `member` gets the scanner
    /// positioned at the value (which it must consume), the decoded key
    /// and the key token's offset.
    pub fn object<E: From<ScanError>>(
        &mut self,
        mut member: impl FnMut(&mut Self, String, usize) -> Result<(), E>,
    ) -> Result<(), E> {
        self.expect(b'{')?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            let key_span = self.string()?;
            let key = serde_json::from_str::<String>(&self.text[key_span.clone()])
                .map_err(|_| ScanError(key_span.start))?;
            self.expect(b':')?;
            member(self, key, key_span.start)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(ScanError(self.pos).into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every member of the top-level object whose value is a string, with
    /// the string's span.
    fn string_members(text: &str) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        Scanner::new(text)
            .object(|s, key, _| {
                if s.peek() == Some(b'"') {
                    let span = s.string()?;
                    out.push((key, &text[span]));
                    Ok(())
                } else {
                    s.skip_value()
                }
            })
            .unwrap();
        out
    }

    #[test]
    fn finds_strings_past_nesting_and_escapes() {
        let text = "{\"a\\\"}\" : [1, {\"x\": \"}\"}, [], {}], \"\\u0062\":\t\"q\\\\\" ,\r\n\"c\":-1.5e3,\"d\":null}";
        assert_eq!(
            string_members(text),
            vec![("b".to_owned(), "\"q\\\\\"")],
            "the escaped key decodes to b; the nested string is skipped"
        );
    }

    #[test]
    fn stops_on_broken_input_instead_of_guessing() {
        assert_eq!(
            Scanner::new("{\"a\": \"unterminated}").skip_value(),
            Err(ScanError(6))
        );
        assert_eq!(Scanner::new("{\"a\" 1}").skip_value(), Err(ScanError(5)));
    }
}
