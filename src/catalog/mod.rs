//! The service catalog and what `register` and `reconcile` decide about it,
//! with no I/O (the registries are reached through
//! `adapters::service_registry`):
//!
//! - [`model`]: the catalog (the contract's `GET /api/services` answer and
//!   the file backend's format), registrations, statuses, strict decoding.
//! - [`routes`]: route conflicts between services.
//! - [`reconcile`]: health classification, drift, status, shards, the
//!   report and the merge of shard reports.
//! - [`summary`]: the step summary (table and Mermaid diagram).
//! - [`issue`]: the one GitHub issue kept current (hidden marker).
//! - [`manifest`]: a service's version and description from its own
//!   `package.json`, `Cargo.toml` or `pyproject.toml`.

pub mod issue;
pub mod manifest;
pub mod model;
pub mod reconcile;
pub mod routes;
pub mod summary;
