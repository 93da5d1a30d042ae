//! The Markdown of `reconcile`'s step summary and issue: the counts, a
//! Mermaid diagram of the services and their state, a table of the
//! services that need attention (then the healthy ones, up to a cap: a
//! step summary holds at most 1 MiB), and the route conflicts.

use super::model::Status;
use super::reconcile::{Health, Report, ServiceResult};
use crate::render::mermaid::label;
use std::fmt::Write as _;

/// Table rows at most; the JSON report has every service.
const MAX_ROWS: usize = 200;
/// Services drawn one by one in the diagram; the rest are grouped.
const MAX_NODES: usize = 40;

/// The summary and issue body for `report`; `run_url` links the run.
pub fn reconcile_markdown(report: &Report, run_url: Option<&str>) -> String {
    let c = &report.counts;
    let mut md = String::new();
    let scope = report
        .shard
        .as_deref()
        .map(|s| format!(" (shard {s})"))
        .unwrap_or_default();
    let _ = writeln!(md, "### specrelay reconcile{scope}\n");
    let _ = writeln!(
        md,
        "{} service(s) checked of {} registered: **{} healthy**, **{} unhealthy**, {} degraded, {} drifting, {} route conflict(s).\n",
        report.services.len(),
        report.registered,
        c.healthy,
        c.unhealthy,
        c.degraded,
        c.drift,
        c.conflict
    );
    if let Some(url) = run_url {
        let _ = writeln!(
            md,
            "Checked by [this run]({url}) at {}.\n",
            report.generated_at
        );
    }
    md.push_str(&mermaid(report));
    md.push_str(&table(report));
    md.push_str(&conflicts(report));
    md
}

fn needs_attention(s: &ServiceResult) -> bool {
    s.status != Status::Active || s.health == Health::Flapping
}

/// Services that need attention first (inactive, degraded, flapping),
/// then the rest, each group by name.
fn ordered(report: &Report) -> Vec<&ServiceResult> {
    let mut list: Vec<&ServiceResult> = report.services.iter().collect();
    list.sort_by_key(|s| {
        (
            !needs_attention(s),
            s.status == Status::Active,
            s.name.clone(),
        )
    });
    list
}

/// A Mermaid-safe node id for a service name.
fn node_id(index: usize) -> String {
    format!("s{index}")
}

fn mermaid(report: &Report) -> String {
    let mut md = String::from("```mermaid\nflowchart LR\n");
    md.push_str("  classDef active fill:#d4f7d4,stroke:#2a7d2a\n");
    md.push_str("  classDef degraded fill:#fff3c4,stroke:#a07800\n");
    md.push_str("  classDef inactive fill:#ffd6d6,stroke:#b00020\n");
    let list = ordered(report);
    let drawn: Vec<&&ServiceResult> = list
        .iter()
        .filter(|s| needs_attention(s) || report.services.len() <= MAX_NODES)
        .take(MAX_NODES)
        .collect();
    let mut ids = std::collections::HashMap::new();
    for (i, s) in drawn.iter().enumerate() {
        let id = node_id(i);
        let mut text = format!("{}<br/>{}", label(&s.name), s.status);
        if s.drift {
            text.push_str(&format!(
                "<br/>drift: {}",
                label(s.reported_version.as_deref().unwrap_or("?"))
            ));
        }
        if s.health == Health::Flapping {
            text.push_str("<br/>flapped");
        }
        let _ = writeln!(md, "  {id}[\"{text}\"]:::{}", s.status);
        ids.insert(s.name.as_str(), id);
    }
    let rest: Vec<&&ServiceResult> = list
        .iter()
        .filter(|s| !ids.contains_key(s.name.as_str()))
        .collect();
    if !rest.is_empty() {
        let active = rest.iter().filter(|s| s.status == Status::Active).count();
        let _ = writeln!(
            md,
            "  rest[\"{} more service(s)<br/>{active} active\"]:::{}",
            rest.len(),
            if active == rest.len() {
                "active"
            } else {
                "degraded"
            }
        );
    }
    for c in &report.conflicts {
        if let (Some(a), Some(b)) = (ids.get(c.a.as_str()), ids.get(c.b.as_str())) {
            let _ = writeln!(
                md,
                "  {a} <-. \"{} / {}\" .-> {b}",
                label(&c.a_route),
                label(&c.b_route)
            );
        }
    }
    md.push_str("```\n\n");
    md
}

fn table(report: &Report) -> String {
    if report.services.is_empty() {
        return "No services were checked.\n\n".into();
    }
    let mut md = String::from(
        "| Service | Status | Health | Registered | Reported | Proxy | MCP tools | Detail |\n|---|---|---|---|---|---|---|---|\n",
    );
    let list = ordered(report);
    for s in list.iter().take(MAX_ROWS) {
        let icon = match s.status {
            Status::Active => "🟢",
            Status::Degraded => "🟡",
            Status::Inactive => "🔴",
        };
        let health = match s.health {
            Health::Healthy => "healthy",
            Health::Flapping => "flapped, then answered",
            Health::Unhealthy => "unhealthy",
        };
        let proxy = match s.proxy_ok {
            Some(true) => "ok",
            Some(false) => "failed",
            None => "",
        };
        let mcp = match (&s.mcp_tools, &s.mcp_error) {
            (Some(n), _) => n.to_string(),
            (None, Some(_)) => "failed".into(),
            _ => String::new(),
        };
        let detail = s
            .detail
            .iter()
            .chain(s.mcp_error.iter())
            .map(|d| cell(d))
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            md,
            "| `{}` | {icon} {} | {health} | {} | {} | {proxy} | {mcp} | {detail} |",
            s.name,
            s.status,
            cell(&s.registered_version),
            cell(s.reported_version.as_deref().unwrap_or("")),
        );
    }
    if list.len() > MAX_ROWS {
        let _ = writeln!(
            md,
            "\n…and {} more; the JSON report lists every service.",
            list.len() - MAX_ROWS
        );
    }
    md.push('\n');
    md
}

fn conflicts(report: &Report) -> String {
    if report.conflicts.is_empty() {
        return String::new();
    }
    let mut md = String::from(
        "#### Route conflicts\n\n| Service | Route | Service | Route | Kind |\n|---|---|---|---|---|\n",
    );
    for c in report.conflicts.iter().take(MAX_ROWS) {
        let _ = writeln!(
            md,
            "| `{}` | `{}` | `{}` | `{}` | {} |",
            c.a,
            cell(&c.a_route),
            c.b,
            cell(&c.b_route),
            c.kind()
        );
    }
    md.push('\n');
    md
}

/// Text for a table cell: one line, no pipes, bounded.
fn cell(text: &str) -> String {
    let one_line = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|");
    if one_line.chars().count() > 120 {
        format!("{}…", one_line.chars().take(120).collect::<String>())
    } else {
        one_line
    }
}
