//! The pure parts of the `downstream` stage, which opens pull requests in
//! consumer repositories bumping their dependency on a published SDK.
//! Nothing here talks to GitHub or reads files: manifests and config arrive
//! as bytes or text and leave as bytes or views.
//!
//! - [`config`]: which consumer repositories, with which labels and
//!   reviewers (inputs, or `downstream:` in `specrelay.yaml`).
//! - [`plan`]: which packages to roll out at which versions (the workspace
//!   SDKs, or inputs), and which manifest each one bumps.
//! - [`bump`]: the byte-preserving edit of one manifest.
//! - [`diagram`]: the summary's Mermaid flowchart, spec to pull requests.
//! - [`pull_request`]: the pull request's title and body view.
//! - [`rollout`]: staged rollouts in waves, gated on the previous wave's checks.

pub mod bump;
pub mod config;
pub mod diagram;
pub mod plan;
pub mod pull_request;
pub mod rollout;
