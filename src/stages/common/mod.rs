//! What several stages share and none owns: getting a spec into memory
//! ([`spec_source`]), talking to GitHub as the workflow's repository
//! ([`github`]), and the ignore file that `diff` and `ingest` both apply
//! ([`ignore`]). Stages import from here, never from each other.

pub mod github;
pub mod ignore;
pub mod spec_source;
