//! Semantic diff of two OpenAPI documents: serves the `diff` and `ingest`
//! stages. Pure: takes two parsed documents and returns findings; it must
//! not do I/O (no files, network, environment or clock).
//!
//! # Input
//!
//! Both sides are `serde_json::Value` documents, normally bundled (only
//! local `#/...` refs) and upgraded to the 3.1 model by `spec/`. The diff is
//! also robust to raw 3.0 input: `nullable: true`, `type: [T, "null"]` and a
//! `oneOf`/`anyOf` branch admitting only null are the same thing; boolean
//! `exclusiveMinimum`/`exclusiveMaximum` are read as the numeric form.
//! Unreadable parts (wrong types, dangling refs) are skipped, never fatal.
//!
//! # Semantics
//!
//! * Operations are matched by (method, path) with path parameter names
//!   erased; parameters by (in, name), path parameters by position.
//!   3.1 `webhooks` are operations labelled `POST webhook {name}`; their
//!   payload travels from the API to the client, so it is judged like a
//!   response (`response-*` rule ids) and their reply like a request.
//! * Direction matters: narrowing a request schema or widening a response
//!   schema is what breaks clients. readOnly properties do not travel in
//!   requests, writeOnly properties not in responses.
//! * `$ref`s are followed; `allOf` parts are merged before comparing, so
//!   moving a schema behind a `$ref`, splitting it into `allOf` parts or
//!   reformatting reports nothing. Each pair of schemas reached through a
//!   `$ref` is compared once (memoised), which also makes cycles terminate.
//! * **Shared components are reported once.** A change inside a component
//!   used by many operations gives one finding whose `component` names the
//!   component (`schemas/Pet`), whose `operation` is the first affected
//!   operation in sorted order, and whose message ends with "Affects N
//!   operations: A, B, C and K more." When both sides reach the component
//!   through a plain `$ref`, property paths in messages start at the
//!   component (`Pet.owner.name`), so the message is the same everywhere.
//! * Rule ids: fixed rules (endpoints, parameters, properties, security,
//!   servers) plus schema rules generated as `{subject}-{change}` for the
//!   six subjects `request-body`, `request-property`, `request-parameter`,
//!   `response-body`, `response-property`, `response-header`.
//! * Components are not findings by themselves: adding or removing an entry
//!   of `components/schemas` is reported only through the operations that
//!   use it (so inlining or extracting a schema reports nothing).
//!
//! # Output
//!
//! [`diff`] returns findings sorted by operation (component-only findings
//! last), then level, rule id, pointers and message. Rule ids and levels
//! are listed by [`rules()`]; renderers: [`render_json`] (shape documented
//! there); GitHub annotations are made by the `diff` stage through
//! `actions::Annotation`, the one place that escapes workflow commands.

mod collect;
mod composition;
mod constraints;
mod finding;
pub mod ignore;
mod keyed;
mod keyword_rules;
mod keywords;
mod level;
mod media;
mod parameters;
mod paths;
mod pointer;
mod properties;
mod rationale;
mod render_json;
pub mod report;
mod request_body;
mod responses;
mod rules;
mod schema;
mod schema_change;
mod schema_view;
mod security;
mod servers;
mod stable;
mod walk;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub use finding::{ChangeKind, Finding, Level, Summary, implied_change, summarize};
pub use render_json::{JSON_FORMAT_VERSION, render_json};
pub use rules::{RuleInfo, rule, rules};

/// Knobs of one diff run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOptions {
    /// Report info-level findings (default true).
    pub include_info: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { include_info: true }
    }
}

/// Compares `base` with `revision`; deterministic order.
pub fn diff(base: &Value, revision: &Value, options: &DiffOptions) -> Vec<Finding> {
    let mut w = walk::Walk::new(base, revision);
    paths::compare(&mut w);
    security::compare_global(&mut w);
    security::compare_schemes(&mut w);
    servers::compare_servers(&mut w);
    w.out.finish(options.include_info)
}
