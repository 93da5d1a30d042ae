//! The lag report (the version watcher): for every consumer, the SDK
//! version its manifests ask for, against the latest published version and
//! the latest known-good one. Pure: the stage reads the manifests through
//! GitHub's API and hands over what the bumper made of them.
//!
//! Nothing here parses a requirement again. A consumer's place is read from
//! the bumper's own verdicts, asked twice without writing anything: bumping
//! to the latest version (already current there?) and bumping to the
//! known-good one (would that raise it, or is it already past it?). So the
//! report reads ranges exactly as the pull requests would rewrite them.

use crate::downstream::bump::{Action, LeftReason, Outcome};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a consumer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LagStatus {
    /// Asks for the latest version.
    Latest,
    /// Past the known-good version but not at the latest: mid-rollout.
    Rolling,
    /// Asks for the known-good version.
    KnownGood,
    /// Asks for a version older than the known-good one (or, with none
    /// known, older than the latest).
    Behind,
    /// Its requirements have shapes the bumper leaves alone (a git source,
    /// an odd range): a human reads them.
    Unknown,
    /// No manifest names the package.
    NotADependency,
    /// The repository or a manifest could not be read.
    Unreadable,
}

impl LagStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LagStatus::Latest => "latest",
            LagStatus::Rolling => "rolling",
            LagStatus::KnownGood => "known_good",
            LagStatus::Behind => "behind",
            LagStatus::Unknown => "unknown",
            LagStatus::NotADependency => "not_a_dependency",
            LagStatus::Unreadable => "unreadable",
        }
    }
}

/// One requirement as a consumer wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pin {
    pub path: String,
    pub section: String,
    pub requirement: String,
}

/// One consumer's line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerLag {
    pub repo: String,
    pub status: LagStatus,
    pub pins: Vec<Pin>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One package's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageLag {
    pub package: String,
    pub latest: String,
    pub known_good: Option<String>,
    /// Consumers per status.
    pub counts: BTreeMap<&'static str, usize>,
    pub consumers: Vec<ConsumerLag>,
}

/// What the bumper made of one manifest, toward the latest version and
/// toward the known-good one (when there is one).
pub struct ManifestVerdicts {
    pub path: String,
    pub to_latest: Outcome,
    pub to_known_good: Option<Outcome>,
}

/// One consumer's place, from its manifests' verdicts.
pub fn consumer(repo: &str, manifests: &[ManifestVerdicts]) -> ConsumerLag {
    let pins: Vec<Pin> = manifests
        .iter()
        .flat_map(|m| {
            m.to_latest.occurrences().iter().map(|o| Pin {
                path: m.path.clone(),
                section: o.section.clone(),
                requirement: o.requirement.clone(),
            })
        })
        .collect();
    ConsumerLag {
        repo: repo.to_owned(),
        status: status(manifests),
        pins,
        error: None,
    }
}

/// A consumer that could not be read.
pub fn unreadable(repo: &str, error: String) -> ConsumerLag {
    ConsumerLag {
        repo: repo.to_owned(),
        status: LagStatus::Unreadable,
        pins: Vec::new(),
        error: Some(error),
    }
}

/// The least advanced of the consumer's occurrences decides: one manifest
/// still on an old version holds the repository back.
fn status(manifests: &[ManifestVerdicts]) -> LagStatus {
    let actions = |pick: fn(&ManifestVerdicts) -> Option<&Outcome>| -> Vec<Action> {
        manifests
            .iter()
            .filter_map(pick)
            .flat_map(|o| o.occurrences().iter().map(|o| o.action.clone()))
            .collect()
    };
    let latest = actions(|m| Some(&m.to_latest));
    if latest.is_empty() {
        return LagStatus::NotADependency;
    }
    let known = actions(|m| m.to_known_good.as_ref());
    let mut worst = LagStatus::Latest;
    for (i, action) in latest.iter().enumerate() {
        let here = match (action, known.get(i)) {
            (Action::AlreadyCurrent, _) => LagStatus::Latest,
            (Action::Left(LeftReason::Newer), _) => LagStatus::Latest,
            (Action::Bumped { .. }, None) => LagStatus::Behind,
            (Action::Bumped { .. }, Some(Action::Left(LeftReason::Newer))) => LagStatus::Rolling,
            (Action::Bumped { .. }, Some(Action::AlreadyCurrent)) => LagStatus::KnownGood,
            (Action::Bumped { .. }, Some(Action::Bumped { .. })) => LagStatus::Behind,
            _ => LagStatus::Unknown,
        };
        worst = worst.max(here);
    }
    worst
}

/// The package's report, consumers in the order given.
pub fn package(
    package: &str,
    latest: &str,
    known_good: Option<&str>,
    consumers: Vec<ConsumerLag>,
) -> PackageLag {
    let mut counts = BTreeMap::new();
    for c in &consumers {
        *counts.entry(c.status.as_str()).or_insert(0) += 1;
    }
    PackageLag {
        package: package.to_owned(),
        latest: latest.to_owned(),
        known_good: known_good.map(str::to_owned),
        counts,
        consumers,
    }
}

/// The step summary's section: one table per package.
pub fn markdown(reports: &[PackageLag]) -> String {
    let mut out = String::from("\n#### Version lag\n\n");
    for report in reports {
        out.push_str(&format!(
            "**{}**: latest {}, known-good {}\n\n| Repository | Status | Asks for |\n|---|---|---|\n",
            report.package,
            report.latest,
            report.known_good.as_deref().unwrap_or("none yet")
        ));
        for c in &report.consumers {
            let pins = if c.pins.is_empty() {
                c.error.clone().unwrap_or_else(|| "—".to_owned())
            } else {
                c.pins
                    .iter()
                    .map(|p| format!("`{}` ({})", p.requirement, p.path))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                c.repo,
                c.status.as_str(),
                cell(&pins)
            ));
        }
        out.push('\n');
    }
    out
}

/// A table cell: no pipes or line breaks, bounded (an error can be long).
fn cell(text: &str) -> String {
    let flat: String = text
        .replace('|', "\\|")
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .take(300)
        .collect();
    flat
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downstream::bump::package_json;

    fn verdicts(spec: &str, latest: &str, known_good: Option<&str>) -> ManifestVerdicts {
        let manifest = format!("{{\"dependencies\": {{\"@acme/pets\": \"{spec}\"}}}}");
        let bump = |v: &str| {
            package_json::bump(
                manifest.as_bytes(),
                "@acme/pets",
                &semver::Version::parse(v).unwrap(),
            )
            .unwrap()
        };
        ManifestVerdicts {
            path: "package.json".into(),
            to_latest: bump(latest),
            to_known_good: known_good.map(bump),
        }
    }

    #[test]
    fn consumers_are_placed_against_latest_and_known_good() {
        let place = |spec: &str, kg: Option<&str>| {
            consumer("acme/web", &[verdicts(spec, "2.1.0", kg)]).status
        };
        assert_eq!(place("^2.1.0", Some("2.0.0")), LagStatus::Latest);
        assert_eq!(place("^2.0.5", Some("2.0.0")), LagStatus::Rolling);
        assert_eq!(place("^2.0.0", Some("2.0.0")), LagStatus::KnownGood);
        assert_eq!(place("^1.4.0", Some("2.0.0")), LagStatus::Behind);
        assert_eq!(place("^1.4.0", None), LagStatus::Behind);
        assert_eq!(place("github:acme/pets", Some("2.0.0")), LagStatus::Unknown);
        let nothing = ManifestVerdicts {
            path: "package.json".into(),
            to_latest: Outcome::NotADependency,
            to_known_good: None,
        };
        assert_eq!(
            consumer("acme/web", &[nothing]).status,
            LagStatus::NotADependency
        );
    }

    #[test]
    fn the_least_advanced_manifest_decides_and_every_pin_is_listed() {
        let mut api = verdicts("^2.1.0", "2.1.0", Some("2.0.0"));
        api.path = "api/package.json".into();
        let web = verdicts("^1.0.0", "2.1.0", Some("2.0.0"));
        let lag = consumer("acme/mono", &[api, web]);
        assert_eq!(lag.status, LagStatus::Behind);
        assert_eq!(
            lag.pins
                .iter()
                .map(|p| (p.path.as_str(), p.requirement.as_str()))
                .collect::<Vec<_>>(),
            [("api/package.json", "^2.1.0"), ("package.json", "^1.0.0")]
        );
    }

    #[test]
    fn the_report_counts_and_renders_a_table() {
        let report = package(
            "@acme/pets",
            "2.1.0",
            Some("2.0.0"),
            vec![
                consumer("acme/a", &[verdicts("^2.1.0", "2.1.0", Some("2.0.0"))]),
                consumer("acme/b", &[verdicts("^1.0.0", "2.1.0", Some("2.0.0"))]),
                unreadable("acme/c", "HTTP 404 | gone\nreally".into()),
            ],
        );
        assert_eq!(report.counts["latest"], 1);
        assert_eq!(report.counts["behind"], 1);
        assert_eq!(report.counts["unreadable"], 1);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["consumers"][1]["status"], "behind");
        assert_eq!(json["consumers"][1]["pins"][0]["requirement"], "^1.0.0");
        let table = markdown(&[report]);
        assert!(
            table.contains("| acme/b | behind | `^1.0.0` (package.json) |"),
            "{table}"
        );
        assert!(table.contains("HTTP 404 \\| gone really"), "{table}");
    }
}
