//! The one GitHub issue `reconcile` keeps current: found again by a hidden
//! marker in its body (titles get edited by people), opened when something
//! is wrong, edited in place while it stays wrong, closed with a comment
//! when all is well again. Deciding what to do is pure; the stage does it.

/// The hidden marker in the issue's body.
pub const MARKER: &str = "<!-- specrelay:reconcile -->";

/// The issue's title.
pub const TITLE: &str = "Service registry: services need attention";

/// An open issue that carries the marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenIssue {
    pub number: u64,
    pub url: String,
    pub body: String,
}

/// What to do with the issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueAction {
    Open {
        title: String,
        body: String,
    },
    Edit {
        number: u64,
        url: String,
        body: String,
    },
    Close {
        number: u64,
        url: String,
        comment: String,
    },
    /// The issue already says this (or all is well and none is open).
    Keep {
        url: Option<String>,
    },
}

/// GitHub refuses issue bodies over 65,536 characters; the summary is cut
/// well before that (the JSON report has everything).
const MAX_SUMMARY_CHARS: usize = 60_000;

/// The issue's body for a summary: the marker, then the summary.
pub fn body(summary: &str) -> String {
    let summary = match summary.char_indices().nth(MAX_SUMMARY_CHARS) {
        Some((cut, _)) => format!(
            "{}\n\n…cut here; the run's JSON report lists everything.\n",
            &summary[..cut]
        ),
        None => summary.to_owned(),
    };
    format!(
        "{MARKER}\n{summary}\n_This issue is kept current by `specrelay reconcile`; it closes itself when every service is healthy again._\n"
    )
}

/// The action for the found issue (the first open one with the marker)
/// and whether anything is wrong.
pub fn decide(
    found: Option<&OpenIssue>,
    problems: bool,
    summary: &str,
    run_url: Option<&str>,
) -> IssueAction {
    match (found, problems) {
        (None, true) => IssueAction::Open {
            title: TITLE.to_owned(),
            body: body(summary),
        },
        (Some(issue), true) => {
            let body = body(summary);
            if issue.body == body {
                IssueAction::Keep {
                    url: Some(issue.url.clone()),
                }
            } else {
                IssueAction::Edit {
                    number: issue.number,
                    url: issue.url.clone(),
                    body,
                }
            }
        }
        (Some(issue), false) => IssueAction::Close {
            number: issue.number,
            url: issue.url.clone(),
            comment: match run_url {
                Some(url) => format!("Every service is healthy again ([run]({url})); closing."),
                None => "Every service is healthy again; closing.".to_owned(),
            },
        },
        (None, false) => IssueAction::Keep { url: None },
    }
}

/// Whether an issue body is ours.
pub fn is_ours(body: &str) -> bool {
    body.contains(MARKER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(body: &str) -> OpenIssue {
        OpenIssue {
            number: 7,
            url: "https://github.com/acme/ops/issues/7".into(),
            body: body.into(),
        }
    }

    #[test]
    fn the_issue_lives_opened_edited_kept_closed() {
        assert!(matches!(
            decide(None, true, "bad", None),
            IssueAction::Open { .. }
        ));
        let found = open(&body("bad"));
        assert!(is_ours(&found.body));
        assert_eq!(
            decide(Some(&found), true, "bad", None),
            IssueAction::Keep {
                url: Some(found.url.clone())
            }
        );
        assert!(matches!(
            decide(Some(&found), true, "worse", None),
            IssueAction::Edit { number: 7, .. }
        ));
        assert!(matches!(
            decide(Some(&found), false, "fine", None),
            IssueAction::Close { number: 7, .. }
        ));
        assert_eq!(
            decide(None, false, "fine", None),
            IssueAction::Keep { url: None }
        );
        let long = body(&"x".repeat(100_000));
        assert!(long.chars().count() < 65_536 && long.contains("…cut here"));
    }
}
