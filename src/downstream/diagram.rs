//! The downstream summary's picture: a Mermaid flowchart from the spec
//! through the packages rolled out to each consumer repository's pull
//! request and its state. Pure: rows in, a Markdown block out.

use crate::render::mermaid::label;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// One consumer pull request, as the summary shows it.
pub struct Edge<'a> {
    pub package: &'a str,
    pub repo: &'a str,
    /// `#12` or empty when there is no pull request.
    pub pull: String,
    /// created, updated, unchanged, skipped.
    pub state: &'a str,
}

/// A ```mermaid block: `source` -> every package -> every repository's pull
/// request; `failed` repositories hang off the source with a dotted edge.
pub fn flowchart(source: &str, edges: &[Edge<'_>], failed: &[&str]) -> String {
    let mut out = String::from("```mermaid\nflowchart LR\n");
    let _ = writeln!(out, "    source[\"{}\"]", label(source));
    let packages: BTreeSet<&str> = edges.iter().map(|e| e.package).collect();
    let package_id = |package: &str| packages.iter().position(|p| *p == package).unwrap_or(0);
    for (i, package) in packages.iter().enumerate() {
        let _ = writeln!(out, "    source --> p{i}[\"{}\"]", label(package));
    }
    for (i, edge) in edges.iter().enumerate() {
        let text = format!("{} {} {}", edge.repo, edge.pull, edge.state);
        let _ = writeln!(
            out,
            "    p{} --> r{i}[\"{}\"]",
            package_id(edge.package),
            label(&text)
        );
        let _ = writeln!(out, "    class r{i} {}", class(edge.state));
    }
    for (i, repo) in failed.iter().enumerate() {
        let _ = writeln!(out, "    source -.-> f{i}[\"{} failed\"]", label(repo));
        let _ = writeln!(out, "    class f{i} failed");
    }
    out.push_str(
        "    classDef done fill:#dafbe1,stroke:#1a7f37\n    \
         classDef same fill:#f6f8fa,stroke:#8c959f\n    \
         classDef failed fill:#ffebe9,stroke:#cf222e\n```\n",
    );
    out
}

fn class(state: &str) -> &'static str {
    match state {
        "created" | "updated" => "done",
        _ => "same",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_fan_out_to_pull_requests_and_failures() {
        let edges = [
            Edge {
                package: "@acme/pets",
                repo: "acme/web",
                pull: "#12".into(),
                state: "created",
            },
            Edge {
                package: "acme-pets",
                repo: "acme/jobs",
                pull: String::new(),
                state: "skipped",
            },
        ];
        let chart = flowchart("acme \"pets\" 1.2.0", &edges, &["acme/broken"]);
        assert!(
            chart.contains("source[\"acme #quot;pets#quot; 1.2.0\"]"),
            "{chart}"
        );
        assert!(chart.contains("source --> p0[\"@acme/pets\"]"), "{chart}");
        assert!(
            chart.contains("p0 --> r0[\"acme/web #12 created\"]\n    class r0 done"),
            "{chart}"
        );
        assert!(
            chart.contains("p1 --> r1[\"acme/jobs  skipped\"]"),
            "{chart}"
        );
        assert!(
            chart.contains("source -.-> f0[\"acme/broken failed\"]"),
            "{chart}"
        );
    }
}
