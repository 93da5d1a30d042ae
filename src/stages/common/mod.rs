//! What several stages share and none owns: which API of several a run
//! works on ([`api`]), getting a spec into memory
//! ([`spec_source`]), talking to GitHub as the workflow's repository
//! ([`github`]), and the ignore file that `diff` and `ingest` both apply
//! ([`ignore`]). Stages import from here, never from each other.

pub mod api;
pub mod github;
pub mod ignore;
pub mod inputs;
pub mod spec_source;
