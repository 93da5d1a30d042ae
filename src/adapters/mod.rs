//! The only code that touches the world: network (including the npm and
//! PyPI registries), filesystem, clock.
//!
//! Stages call these; pure modules (`spec`, `diff`, `sdk`, `render`) never do.

// clippy.toml disallows std::fs and std::env::var elsewhere; touching the world is this module's job.
#![allow(clippy::disallowed_methods)]

pub mod clock;
pub mod fs;
pub mod git;
pub mod github;
pub mod history;
pub mod http;
pub mod npm;
pub mod oidc;
pub mod package_registry;
pub mod pypi;
pub mod service_registry;
pub mod walk;
