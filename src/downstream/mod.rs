//! The pure parts of the `downstream` stage, which opens pull requests in
//! consumer repositories bumping their dependency on a published SDK.
//! Nothing here talks to GitHub or reads files: manifests arrive as bytes
//! and leave as bytes.

pub mod bump;
pub mod pep440;
pub mod plan;
pub mod pull_request;
