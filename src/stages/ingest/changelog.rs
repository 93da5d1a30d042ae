//! `ingest`: `CHANGELOG.md`, one entry per version, newest first. Pure text:
//! the entry is rendered from a template elsewhere; this only places it.

/// The first line specrelay writes into a new changelog.
const HEADER: &str = "# Changelog\n";

/// Inserts `entry` above the newest existing entry (the first `## ` heading),
/// keeping everything before it (a title, an intro) in place. An entry whose
/// first line is already present is not added twice, so re-runs are no-ops.
pub fn prepend(existing: Option<&str>, entry: &str) -> String {
    let entry = format!("{}\n", entry.trim_end());
    let existing = existing.unwrap_or(HEADER);
    if let Some(heading) = entry.lines().next()
        && existing.lines().any(|l| l == heading)
    {
        return existing.to_owned();
    }
    let at = existing
        .match_indices("## ")
        .find(|(i, _)| *i == 0 || existing.as_bytes()[i - 1] == b'\n')
        .map(|(i, _)| i);
    match at {
        Some(i) => format!("{}{entry}\n{}", &existing[..i], &existing[i..]),
        None => {
            let head = existing.trim_end();
            format!("{head}\n\n{entry}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_a_changelog() {
        assert_eq!(
            prepend(None, "## 1.0.0\n\n- first\n"),
            "# Changelog\n\n## 1.0.0\n\n- first\n"
        );
    }

    #[test]
    fn puts_the_newest_first_and_keeps_the_intro() {
        let old = "# Changelog\n\nAll notable changes.\n\n## 1.0.0\n\n- first\n";
        assert_eq!(
            prepend(Some(old), "## 1.1.0\n\n- second"),
            "# Changelog\n\nAll notable changes.\n\n## 1.1.0\n\n- second\n\n## 1.0.0\n\n- first\n"
        );
    }

    #[test]
    fn does_not_add_an_entry_twice() {
        let old = "# Changelog\n\n## 1.0.0\n\n- first\n";
        assert_eq!(prepend(Some(old), "## 1.0.0\n\n- first\n"), old);
    }
}
