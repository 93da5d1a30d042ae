//! `reconcile`'s decision, pure: each service's health, drift and status,
//! the route conflicts, the report, the statuses to record, and what to do
//! with the issue.

use super::request::ReconcileRequest;
use crate::adapters::github::rest::RepoName;
use crate::catalog::issue::{self, IssueAction, OpenIssue};
use crate::catalog::model::{Service, Status};
use crate::catalog::reconcile::{self, Observation, Report};
use crate::catalog::{routes, summary};
use crate::stages::shape::{Decide, Describe};
use anyhow::Result;
use std::collections::BTreeMap;

/// What `observe` read.
pub struct Observed {
    pub generated_at: String,
    pub checks: Checks,
    /// The open issue with the marker; `Err` when it could not be looked up.
    pub issue: Option<Result<Option<OpenIssue>, String>>,
}

pub enum Checks {
    /// This run's checks: every registered service (for route conflicts),
    /// and the ones in this shard with what was observed.
    Checked {
        catalog: Vec<Service>,
        observed: Vec<(usize, Observation)>,
    },
    /// Shard reports to merge, `(file, report)`.
    Merged(Vec<(String, Report)>),
}

pub struct Plan {
    pub report: Report,
    pub summary: String,
    /// Statuses to record (none for a merge or with `update_status: false`).
    pub statuses: BTreeMap<String, Status>,
    pub issue: Option<(RepoName, IssueAction)>,
    pub issue_error: Option<String>,
}

impl Decide for Plan {
    type Request = ReconcileRequest;
    type Observed = Observed;
    fn decide(request: &ReconcileRequest, observed: Observed) -> Result<Self> {
        let (report, merged) = match observed.checks {
            Checks::Checked {
                catalog,
                observed: seen,
            } => {
                let results = seen
                    .into_iter()
                    .map(|(i, o)| reconcile::classify(&catalog[i], o))
                    .collect();
                let conflicts = routes::conflicts(&catalog);
                let report = Report::new(
                    observed.generated_at,
                    request.shard,
                    catalog.len(),
                    results,
                    conflicts,
                );
                (report, false)
            }
            Checks::Merged(reports) => (reconcile::merge(reports)?, true),
        };
        let summary = summary::reconcile_markdown(&report, request.run_url.as_deref());
        let statuses = if request.update_status && !merged {
            report.status_changes()
        } else {
            BTreeMap::new()
        };
        let (issue, issue_error) = match (&request.issue, observed.issue) {
            (Some(repo), Some(Ok(found))) => {
                let action = issue::decide(
                    found.as_ref(),
                    report.has_problems(),
                    &summary,
                    request.run_url.as_deref(),
                );
                (Some((repo.clone(), action)), None)
            }
            (Some(_), Some(Err(e))) => (None, Some(e)),
            _ => (None, None),
        };
        Ok(Plan {
            report,
            summary,
            statuses,
            issue,
            issue_error,
        })
    }
}

impl Describe for Plan {
    fn describe(&self) -> Vec<String> {
        let c = &self.report.counts;
        let mut lines = vec![format!(
            "report {} service(s): {} healthy, {} unhealthy, {} drifting, {} conflict(s)",
            self.report.services.len(),
            c.healthy,
            c.unhealthy,
            c.drift,
            c.conflict
        )];
        for (name, status) in &self.statuses {
            lines.push(format!("set the status of {name} to {status}"));
        }
        match &self.issue {
            Some((repo, IssueAction::Open { .. })) => {
                lines.push(format!("open an issue in {repo}"))
            }
            Some((repo, IssueAction::Edit { number, .. })) => {
                lines.push(format!("edit issue {repo}#{number}"))
            }
            Some((repo, IssueAction::Close { number, .. })) => {
                lines.push(format!("close issue {repo}#{number}"))
            }
            _ => {}
        }
        lines
    }
}
