//! Renders findings as GitHub Actions workflow commands (`::error`,
//! `::warning`, `::notice`), one line each, escaped per the workflow-command
//! rules. Pure: returns a string; must not do I/O.

use super::finding::{Finding, Level};

/// Escapes a command's message: `%`, `\r`, `\n`.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One line per finding, e.g.
/// `::error title=request-parameter-removed (GET /pets)::The query parameter ...`.
pub fn render_annotations(findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let command = match finding.level {
            Level::Breaking => "error",
            Level::Warning => "warning",
            Level::Info => "notice",
        };
        let scope = finding
            .operation
            .as_deref()
            .or(finding.component.as_deref());
        let title = match scope {
            Some(scope) => format!("{} ({scope})", finding.id),
            None => finding.id.clone(),
        };
        out.push_str(&format!(
            "::{command} title={}::{}\n",
            escape_property(&title),
            escape_data(&finding.message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_per_workflow_command_rules() {
        let finding = Finding {
            id: "x-rule".into(),
            level: Level::Breaking,
            operation: Some("GET /a:b,c".into()),
            component: None,
            base_pointer: None,
            revision_pointer: None,
            message: "100% sure\r\nnext: line, yes".into(),
        };
        assert_eq!(
            render_annotations(&[finding]),
            "::error title=x-rule (GET /a%3Ab%2Cc)::100%25 sure%0D%0Anext: line, yes\n"
        );
    }
}
