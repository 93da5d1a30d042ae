//! Step outputs: an ordered set of `name -> value` that a stage returns, and
//! their encoding for `GITHUB_OUTPUT` and for `--output json`.

use serde_json::{Map, Value};

/// Outputs in the order the stage declared them. Values are strings, as the
/// runner stores them; booleans are `"true"`/`"false"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outputs {
    entries: Vec<(String, String)>,
}

impl Outputs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name`, replacing an earlier value so every name appears once.
    pub fn set(&mut self, name: &str, value: impl ToString) -> &mut Self {
        let value = value.to_string();
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name.to_owned(), value)),
        }
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// One JSON object, for `--output json`.
    pub fn to_json(&self) -> Value {
        let map: Map<String, Value> = self
            .entries
            .iter()
            .map(|(n, v)| (n.clone(), Value::String(v.clone())))
            .collect();
        Value::Object(map)
    }

    /// The `GITHUB_OUTPUT` file form: `name<<DELIM\nvalue\nDELIM\n` for every
    /// entry, which carries any value, multi-line or not.
    pub fn to_github_output(&self) -> String {
        let mut out = String::new();
        for (name, value) in &self.entries {
            let delimiter = delimiter_for(value);
            out.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        }
        out
    }
}

/// A delimiter that cannot occur in `value`: the first of `SPECRELAY_EOF_0`,
/// `_1`, ... that is not a substring of it. Deterministic, so the output file
/// is reproducible, and collision-free by construction rather than by chance.
fn delimiter_for(value: &str) -> String {
    (0u64..)
        .map(|n| format!("SPECRELAY_EOF_{n}"))
        .find(|d| !value.contains(d.as_str()))
        .expect("a value cannot contain every delimiter")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_and_keeps_order() {
        let mut o = Outputs::new();
        o.set("a", 1).set("b", true).set("a", 2);
        assert_eq!(
            o.iter().collect::<Vec<_>>(),
            vec![("a", "2"), ("b", "true")]
        );
    }

    #[test]
    fn github_output_uses_heredoc_form() {
        let mut o = Outputs::new();
        o.set("version", "1.2.0").set("notes", "line one\nline two");
        assert_eq!(
            o.to_github_output(),
            "version<<SPECRELAY_EOF_0\n1.2.0\nSPECRELAY_EOF_0\nnotes<<SPECRELAY_EOF_0\nline one\nline two\nSPECRELAY_EOF_0\n"
        );
    }

    #[test]
    fn delimiter_never_collides_with_the_value() {
        let hostile = "x\nSPECRELAY_EOF_0\nSPECRELAY_EOF_1\nevil=1";
        let mut o = Outputs::new();
        o.set("v", hostile);
        let text = o.to_github_output();
        assert!(text.starts_with("v<<SPECRELAY_EOF_2\n"));
        assert!(text.ends_with("\nSPECRELAY_EOF_2\n"));
    }

    #[test]
    fn json_is_one_object_of_strings() {
        let mut o = Outputs::new();
        o.set("skipped", false);
        assert_eq!(o.to_json().to_string(), r#"{"skipped":"false"}"#);
    }
}
