//! The only code that touches the world: network (including the npm and
//! PyPI registries), filesystem, clock.
//!
//! Stages call these; pure modules (`spec`, `diff`, `sdk`, `render`) never do.

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
