//! specrelay carries an OpenAPI contract from the service that produces it to
//! every place that depends on it.
//!
//! A tour, in the order a spec travels:
//!
//! - [`cli`] parses one stage's arguments; [`actions`] maps action inputs to
//!   them and writes outputs, the step summary and annotations.
//! - [`stages`] holds one module per stage. `ingest` validates an
//!   announcement ([`stages::ingest::request`]), downloads the spec through
//!   [`adapters::http`], parses, bundles and validates it in [`spec`], plans
//!   what to store ([`stages::ingest::plan`]) and writes it atomically through
//!   [`adapters::fs`] into the [`layout`] every stage shares.
//! - [`render`] turns report data into Markdown through templates users can
//!   override.
//!
//! Pure modules (`spec`, `layout`, `render`, the `request`/`plan` parts of a
//! stage) never touch the network, the filesystem, the environment or the
//! clock; `adapters` is the only code that does.

pub mod actions;
pub mod adapters;
pub mod announce;
pub mod apis;
pub mod cli;
pub mod diff;
pub mod downstream;
pub mod exit;
pub mod layout;
pub mod memory;
pub mod pep440;
pub mod publish;
pub mod render;
pub mod sdk;
pub mod spec;
pub mod stages;
